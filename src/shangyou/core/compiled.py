"""Querysets compiled once, then run with new parameter values.

Building a queryset (filters, joins, annotations) and compiling it to SQL costs Django several
milliseconds for a statement of four joined tables — more than the database takes to plan and
run it. For the few statements that every request runs (the actor of an API token), that is
paid once per thread: `CompiledQuery` builds the queryset with placeholder values, keeps the
compiler (its SQL, its parameters, the select list and the row converters) and afterwards only
puts the new values into the parameters, runs the statement and builds the model instances as
`QuerySet` does (the model, its `select_related` parents, its annotations).

Each value is declared with its type, text or integer, and must reach the database as given: a
field compared by `exact` or `in`, not a value the queryset transforms first (`icontains`).
"""

import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


class CompiledQuery:
    """`build(**values)` returns the queryset; `run(**values)` returns its model instances.
    `types`: each value's name and type (`str` or `int`)."""

    def __init__(self, build: Callable[..., QuerySet], **types: type) -> None:
        if not types or set(types.values()) - {str, int}:
            raise TypeError("declare each value as str or int")
        self.build = build
        self.types = types
        self._local = threading.local()

    def run(self, **values: str | int) -> list[Model]:
        if set(values) != set(self.types):
            raise TypeError(f"expected values for {sorted(self.types)}, got {sorted(values)}")
        plan = self._plan()
        params = list(plan.params)
        for name, position in plan.positions:
            params[position] = values[name]
        with connections[plan.alias].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        return plan.instances(rows)

    def _plan(self) -> "_Plan":
        # Per thread: a compiler belongs to the connection (of this thread) it compiled for.
        plan = getattr(self._local, "plan", None)
        if plan is None:
            markers = {name: _marker(kind) for name, kind in self.types.items()}
            plan = self._local.plan = _Plan(self.build(**markers), markers)
        return plan


def _marker(kind: type) -> str | int:
    """A value no query holds by chance: found again among the compiled parameters."""
    if kind is int:
        return -(uuid.uuid4().int >> 66)  # 62 bits: fits a bigint, below any id
    return f"\x1fcompiled:{uuid.uuid4().hex}\x1f"


class _Plan:
    """One database's compiled statement and how to turn its rows into instances."""

    def __init__(self, queryset: QuerySet, markers: dict[str, str | int]) -> None:
        self.alias = queryset.db
        compiler = queryset.query.get_compiler(using=self.alias)
        sql, params = compiler.as_sql()
        positions = []
        for name, marker in markers.items():
            found = [i for i, value in enumerate(params) if value == marker]
            if len(found) != 1 or str(marker) in sql:
                raise ValueError(f"the value of {name!r} must be one plain query parameter")
            positions.append((name, found[0]))
        self.sql, self.params, self.positions = sql, tuple(params), positions
        self.compiler = compiler
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in compiler.select[self.start : self.end]]
        self.related = get_related_populators(klass_info, compiler.select, self.alias)
        self.annotations = compiler.annotation_col_map or {}

    def instances(self, rows: list[tuple[Any, ...]]) -> list[Model]:
        compiler = self.compiler
        if compiler.col_count is not None:
            rows = [row[: compiler.col_count] for row in rows]
        found = []
        for row in compiler.results_iter(results=[rows]):
            obj = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

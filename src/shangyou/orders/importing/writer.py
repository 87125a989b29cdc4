"""Writing an import's orders, their lines and one timeline entry per order, inside the
caller's transaction.

PostgreSQL: the orders' ids come from their sequence in one statement, then each table is
written by ONE COPY, its text made here (the values of each distinct product, unit and date
formatted once) and sent in chunks as it is made, so the server inserts while Python prepares
the next rows. SQLite: bulk_create.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.accounts.models import Team, User
from shangyou.catalog.models import Product
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.core.actor import Actor
from shangyou.core.bulk import references_locked
from shangyou.core.money import to_cents
from shangyou.core.search import normalize_phone

from ..models import OrderImportJob, OrderLine, SalesOrder
from .matching import chunks
from .parse import HUNDRED, ParsedOrder, cents_text


def order_time(day: date) -> datetime:
    """When an imported order happened, for its timeline entry and its customer's last contact:
    noon of its date, in the current time zone."""
    return datetime.combine(day, time(12, 0), tzinfo=timezone.get_current_timezone())


# --- orders, lines, timeline ---------------------------------------------------------------------
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class _Table:
    """One COPY: the columns given per row first, then every other concrete column at a
    constant value (the field's default unless given)."""

    def __init__(self, model, variable: tuple[str, ...], constants: dict[str, Any]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        if "id" in variable:
            fields["id"] = model._meta.pk
        self.model = model
        self.variable = variable
        self.constants: dict[str, Any] = {
            name: constants[name] if name in constants else f.get_default()
            for name, f in fields.items()
            if name not in variable
        }
        columns = [fields[n].column for n in (*variable, *self.constants)]
        self.sql = "COPY {} ({}) FROM STDIN".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(c) for c in columns),
        )
        # what follows the variable columns on each line of the COPY
        self.suffix = (
            "".join(
                "\t"
                + _text(
                    json.dumps(value, ensure_ascii=False)
                    if fields[name].get_internal_type() == "JSONField"
                    else value
                )
                for name, value in self.constants.items()
            )
            + "\n"
        )

    def instance(self, values: dict[str, Any]) -> Any:
        """A model instance of one row (SQLite)."""
        return self.model(**values, **self.constants)


class _OrderWriter:
    """The orders of one import with their lines and timeline entries."""

    CHUNK = 5000  # lines of COPY text sent at once

    def __init__(self, *, actor: Actor, job: OrderImportJob, now, teams) -> None:
        self.actor, self.job, self.now, self.teams = actor, job, now, teams
        self.ref = f"import:{job.pk}"
        self.customers: dict[int, tuple] = {}
        self.last_order: dict[int, datetime] = {}
        self.postgres = connection.vendor == "postgresql"
        self.ids: list[int] = []
        self.created_customers: set[int] = set()  # last contacted already set at creation

    def load_customers(self, ids: set[int]) -> None:
        for chunk in chunks(ids):
            for pk, owner_id, team_id, phone, email in Customer.all_objects.filter(
                company_id=self.actor.company_id, pk__in=chunk
            ).values_list("pk", "owner_id", "team_id", "phone", "email"):
                self.customers[pk] = (
                    owner_id or self.actor.user_id,
                    team_id if owner_id else self.teams.get(self.actor.user_id),
                    normalize_phone(phone),
                    (email or "").strip().lower(),
                )

    def write(
        self,
        orders: list[ParsedOrder],
        customer_ids: list[int],
        product_ids: list[int | None],
        items: list[tuple[str, str]],
        progress=None,
    ) -> int:
        """Write `orders` (their customers' ids in `customer_ids`; the product of each item of
        the file in `product_ids`). Returns the number of lines."""
        company_id, user_id = self.actor.company_id, self.actor.user_id
        common = {
            "company_id": company_id,
            "created_by_id": user_id,
            "updated_by_id": user_id,
            "created_at": self.now,
            "updated_at": self.now,
        }
        order_table = _Table(
            SalesOrder,
            ("id", "number", "customer_id", "order_date", "currency", "subtotal", "tax_total",
             "total", "owner_id", "team_id", "tracking_phone", "tracking_email", "confirmed_at",
             "completed_at"),
            {
                **common,
                "status": SalesOrder.Status.COMPLETED.value,
                "source": SalesOrder.Source.IMPORT.value,
                "discount_total": Decimal("0.00"),
                "external_ref": self.ref,
            },
        )  # fmt: skip
        line_table = _Table(
            OrderLine,
            ("order_id", "position", "product_id", "sku", "description", "quantity", "unit",
             "unit_price", "tax_rate", "line_subtotal", "line_tax", "line_total",
             "quantity_shipped"),
            {"company_id": company_id, "discount_percent": Decimal(0)},
        )  # fmt: skip
        entry_table = _Table(
            TimelineEntry,
            ("customer_id", "occurred_at", "subject", "related_id", "data"),
            {
                **common,
                "kind": TimelineEntry.Kind.ORDER.value,
                "author_id": user_id,
                "related_type_id": ContentType.objects.get_for_model(SalesOrder).pk,
            },
        )
        self.ids = ids = self._order_ids(len(orders))
        # Per order: its tax (the part of each amount, tax included, at the line's rate, to
        # the cent) and its time (noon of the order date).
        taxes: dict[tuple[int, str], int] = {}
        order_tax = []
        for order in orders:
            tax_cents = 0
            for line in order.lines:
                if line[7] != "0":
                    key = (line[6], line[7])
                    tax = taxes.get(key)
                    if tax is None:
                        tax = taxes[key] = _tax_cents(*key)
                    tax_cents += tax
            order_tax.append(tax_cents)
        times = {day: order_time(day) for day in {o.order_date for o in orders}}
        for order, customer_id in zip(orders, customer_ids, strict=True):
            at = times[order.order_date]
            if customer_id not in self.last_order or self.last_order[customer_id] < at:
                self.last_order[customer_id] = at
        tables = (order_table, line_table, entry_table)
        with references_locked(self._references(customer_ids, product_ids, tables)):
            self._write_orders(order_table, orders, ids, customer_ids, order_tax, times)
            lines = self._write_lines(line_table, orders, ids, product_ids, items, taxes, progress)
            self._write_entries(entry_table, orders, ids, customer_ids, times)
        return lines

    def _references(self, customer_ids, product_ids, tables) -> list[tuple[Any, set]]:
        """Every existing row the orders, lines and timeline entries point to (PostgreSQL
        locks them and skips the per-row foreign-key checks: see `references_locked`): the
        per-row ones (customers, their owners and teams, products; the lines' orders are
        written here) and every foreign key given as a constant (company, user, content
        type …). Customers and products the import created are in this transaction and are
        locked like the others."""
        if not self.postgres:
            return []
        references: dict[Any, set] = {
            Customer: set(customer_ids),
            User: {info[0] for info in self.customers.values()},
            Team: {info[1] for info in self.customers.values()},
            Product: set(product_ids),
        }
        for table in tables:
            for field in table.model._meta.concrete_fields:
                value = table.constants.get(field.attname)
                if field.is_relation and value is not None:
                    references.setdefault(field.related_model, set()).add(value)
        return [(model, ids - {None}) for model, ids in references.items()]

    def _write_orders(self, table, orders, ids, customer_ids, order_tax, times) -> None:
        rows = zip(orders, ids, customer_ids, order_tax, strict=True)
        if not self.postgres:
            objs = []
            for order, _pk, customer_id, tax in rows:
                owner_id, team_id, phone, email = self.customers[customer_id]
                at = times[order.order_date]
                objs.append(
                    table.instance(
                        {
                            "number": order.number,
                            "customer_id": customer_id,
                            "order_date": order.order_date,
                            "currency": order.currency,
                            "subtotal": Decimal(cents_text(order.cents - tax)),
                            "tax_total": Decimal(cents_text(tax)),
                            "total": Decimal(cents_text(order.cents)),
                            "owner_id": owner_id,
                            "team_id": team_id,
                            "tracking_phone": phone,
                            "tracking_email": email,
                            "confirmed_at": at,
                            "completed_at": at,
                        }
                    )
                )
            SalesOrder.objects.bulk_create(objs, batch_size=500)
            ids[:] = [obj.pk for obj in objs]  # the lines and entries read them next
            return
        people = {pk: tuple(map(_text, info)) for pk, info in self.customers.items()}
        stamps = {day: at.isoformat() for day, at in times.items()}
        suffix = table.suffix
        out = []
        for order, pk, customer_id, tax in rows:
            owner, team, phone, email = people[customer_id]
            at = stamps[order.order_date]
            out.append(
                f"{pk}\t{_text(order.number)}\t{customer_id}\t{order.order_date.isoformat()}\t"
                f"{order.currency}\t{cents_text(order.cents - tax)}\t{cents_text(tax)}\t"
                f"{cents_text(order.cents)}\t{owner}\t{team}\t{phone}\t{email}\t{at}\t{at}"
                f"{suffix}"
            )
        self._copy(table, out)

    def _write_lines(self, table, orders, ids, product_ids, items, taxes, progress) -> int:
        count = 0
        if not self.postgres:
            objs = []
            for order, pk in zip(orders, ids, strict=True):
                for position, line in enumerate(order.lines, start=1):
                    _row, item, quantity, unit, price, amount, cents, rate = line
                    tax = taxes.get((cents, rate), 0)
                    sku, name = items[item]
                    objs.append(
                        table.instance(
                            {
                                "order_id": pk,
                                "position": min(position, 32767),
                                "product_id": product_ids[item],
                                "sku": sku,
                                "description": (name or sku)[:500],
                                "quantity": Decimal(quantity),
                                "unit": unit,
                                "unit_price": Decimal(price),
                                "tax_rate": Decimal(rate),
                                "line_subtotal": Decimal(cents_text(cents - tax)),
                                "line_tax": Decimal(cents_text(tax)),
                                "line_total": Decimal(amount),
                                "quantity_shipped": Decimal(quantity),
                            }
                        )
                    )
            OrderLine.objects.bulk_create(objs, batch_size=500)
            if progress:
                progress.advance(len(objs))
            return len(objs)
        # per item: "product_id\tsku\tdescription", escaped once
        item_text = [
            f"{_text(product_ids[i])}\t{_text(sku)}\t{_text((name or sku)[:500])}"
            for i, (sku, name) in enumerate(items)
        ]
        units: dict[str, str] = {}
        suffix = table.suffix
        out: list[str] = []
        with connection.cursor() as cursor, cursor.cursor.copy(table.sql) as copy:
            for order, pk in zip(orders, ids, strict=True):
                for position, line in enumerate(order.lines, start=1):
                    _row, item, quantity, unit, price, amount, cents, rate = line
                    unit_text = units.get(unit)
                    if unit_text is None:
                        unit_text = units[unit] = _text(unit)
                    if rate == "0":
                        net, tax_text = amount, "0.00"
                    else:
                        tax = taxes[(cents, rate)]
                        net, tax_text = cents_text(cents - tax), cents_text(tax)
                    out.append(
                        f"{pk}\t{min(position, 32767)}\t{item_text[item]}\t{quantity}\t"
                        f"{unit_text}\t{price}\t{rate}\t{net}\t{tax_text}\t{amount}\t"
                        f"{quantity}{suffix}"
                    )
                if len(out) >= self.CHUNK:
                    copy.write("".join(out))
                    count += len(out)
                    if progress:
                        progress.advance(len(out))
                    out.clear()
            if out:
                copy.write("".join(out))
                count += len(out)
                if progress:
                    progress.advance(len(out))
        return count

    def _write_entries(self, table, orders, ids, customer_ids, times) -> None:
        subject = _("Order %(number)s: %(currency)s %(total)s")
        status = SalesOrder.Status.COMPLETED.value
        rows = zip(orders, ids, customer_ids, strict=True)
        if not self.postgres:
            TimelineEntry.objects.bulk_create(
                [
                    table.instance(
                        {
                            "customer_id": customer_id,
                            "occurred_at": times[order.order_date],
                            "subject": (
                                subject
                                % {
                                    "number": order.number,
                                    "currency": order.currency,
                                    "total": order.total,
                                }
                            )[:300],
                            "related_id": pk,
                            "data": {"status": status, "total": order.total},
                        }
                    )
                    for order, pk, customer_id in rows
                ],
                batch_size=500,
            )
            return
        stamps = {day: at.isoformat() for day, at in times.items()}
        data = '{"status": ' + json.dumps(status) + ', "total": "'  # + total + '"}
        suffix = table.suffix
        out = []
        for order, pk, customer_id in rows:
            total = order.total
            text = subject % {"number": order.number, "currency": order.currency, "total": total}
            out.append(
                f"{customer_id}\t{stamps[order.order_date]}\t{_text(text[:300])}\t{pk}\t"
                f'{data}{total}"}}{suffix}'
            )
        self._copy(table, out)

    # -- database paths --
    def _order_ids(self, n: int) -> list[int]:
        """PostgreSQL: the ids, from the sequence in one statement. SQLite: placeholders,
        replaced in place by the ids the insert gives."""
        if not n or not self.postgres:
            return list(range(n))
        meta = SalesOrder._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, n],
            )
            return [pk for (pk,) in cursor.fetchall()]

    def _copy(self, table: _Table, lines: list[str]) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(table.sql) as copy:
            for start in range(0, len(lines), self.CHUNK):
                copy.write("".join(lines[start : start + self.CHUNK]))

    def touch_customers(self) -> None:
        """Orders count as contact: `last_contacted_at` moves to the newest order's date (the
        customers the import created have it already)."""
        last_order = {
            pk: at for pk, at in self.last_order.items() if pk not in self.created_customers
        }
        if not last_order:
            return
        if self.postgres:
            table = connection.ops.quote_name(Customer._meta.db_table)
            pks, times = zip(*last_order.items(), strict=True)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS c SET last_contacted_at = t.at "  # noqa: S608
                    "FROM unnest(%s::bigint[], %s::timestamptz[]) AS t(id, at) "
                    "WHERE c.id = t.id AND c.company_id = %s "
                    "AND (c.last_contacted_at IS NULL OR c.last_contacted_at < t.at)",
                    [list(pks), list(times), self.actor.company_id],
                )
            return
        by_time: dict[datetime, list[int]] = {}
        for pk, at in last_order.items():
            by_time.setdefault(at, []).append(pk)
        for at, pks in by_time.items():
            for chunk in chunks(pks):
                Customer.all_objects.filter(pk__in=chunk).filter(
                    Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=at)
                ).update(last_contacted_at=at)

    def imported_totals(self) -> dict[str, str]:
        """What the database now holds for this import, per currency."""
        orders = SalesOrder.objects.filter(company_id=self.actor.company_id, external_ref=self.ref)
        if self.ids:  # the orders' ids: a range of the primary key, whatever the company's size
            orders = orders.filter(pk__gte=min(self.ids), pk__lte=max(self.ids))
        imported = orders.values("currency").annotate(total=Sum("total"), n=Count("id"))
        return {r["currency"]: str(to_cents(r["total"])) for r in imported.order_by("currency")}


def _tax_cents(cents: int, rate: str) -> int:
    value = Decimal(rate)
    if not value:
        return 0
    amount = Decimal(cents) / 100
    return int(to_cents(amount * value / (HUNDRED + value)) * 100)


def order_days(orders: list[ParsedOrder]) -> set[date]:
    return {o.order_date for o in orders if o.order_date}

"""The API's `Schema`: django-ninja's, read faster from model instances.

django-ninja validates every output object through a `DjangoGetter` wrapper, which pydantic
reads one attribute at a time through Python (`__getattr__`, then a conversion of the value):
for a page of 50 customers with 37 fields that is ~1,900 Python calls, and it was the largest
part of a list request's Python time. When a schema reads plain attributes of a model instance
— no resolvers, no aliases — this one hands pydantic a dict of them instead, which it validates
natively; related managers, querysets, files and callables are converted as `DjangoGetter`
converts them. Everything else (request bodies, dicts, schemas with resolvers) goes the way
django-ninja goes.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from ninja import Schema as NinjaSchema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator

_PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal, dict, list)
_MISSING = object()


def _converted(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    return DjangoGetter._convert_result(None, value)  # type: ignore[arg-type]  # uses no state


class Schema(NinjaSchema):
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo
    ) -> Any:
        if isinstance(values, models.Model) and _reads_plain_attributes(cls):
            data = {}
            for name in cls.model_fields:
                value = getattr(values, name, _MISSING)
                if value is not _MISSING:
                    data[name] = _converted(value)
            return handler(data)
        # django-ninja's own (ninja.schema.Schema._run_root_validator)
        config = cls.model_config
        if config.get("extra") == "forbid" or config.get("validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))


_plain_schemas: dict[type, bool] = {}


def _reads_plain_attributes(cls: type[Schema]) -> bool:
    known = _plain_schemas.get(cls)
    if known is None:
        config = cls.model_config
        known = _plain_schemas[cls] = not (
            cls._ninja_resolvers  # type: ignore[attr-defined]
            or config.get("extra") == "forbid"
            or config.get("validate_assignment", False)
            or any(f.alias or f.validation_alias for f in cls.model_fields.values())
        )
    return known

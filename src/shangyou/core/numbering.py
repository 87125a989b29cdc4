"""Per-company gapless document numbers: QT-2026-00001, SO-2026-00002, …

The counter row is incremented with a single `UPDATE … SET last_value = last_value + 1` inside the
caller's transaction. The row lock it takes serialises concurrent creators (PostgreSQL row lock;
SQLite's write lock, taken at BEGIN IMMEDIATE), and because the increment commits or rolls back
with the document itself, numbers have no gaps and no duplicates.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Sequence


def next_number(*, company, key: str, width: int = 5, yearly: bool = True) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that saves the document")
    period = str(timezone.localdate().year) if yearly else ""
    lookup = {"company": company, "key": key, "period": period}
    if not Sequence.objects.filter(**lookup).update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():
                Sequence.objects.create(**lookup, last_value=1)
        except IntegrityError:  # another transaction created it first: take the next value
            Sequence.objects.filter(**lookup).update(last_value=F("last_value") + 1)
    value = Sequence.objects.filter(**lookup).values_list("last_value", flat=True).get()
    return f"{key}-{period}-{value:0{width}d}" if period else f"{key}-{value:0{width}d}"

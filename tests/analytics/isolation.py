"""Isolation factories for the analytics app and the order-history import (merged into
tests/test_isolation.py)."""

from shangyou.orders.models import OrderImportJob
from tests.test_isolation import _tenant_row


def _order_import_id(a):
    return _tenant_row(
        a, OrderImportJob, filename="orders.csv", file="imports/orders/x.csv", report={}
    )


PARAM_FACTORIES = {"order_import_id": _order_import_id}
PUBLIC_ROUTES: set[str] = set()

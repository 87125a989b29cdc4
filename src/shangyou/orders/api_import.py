"""API of the order-history import."""

from ninja import Router

router = Router(tags=["orders"])

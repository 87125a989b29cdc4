"""Background work of the order-history import."""

from django_tasks import task


@task()
def run_order_import(job_id: int) -> dict:
    """Apply a previewed order import (idempotent: see orders.importing)."""
    from .importing import order_import_run

    return order_import_run(job_id=job_id)

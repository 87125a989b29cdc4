"""Background work of customer management: reminders, follow-ups, regrading."""

from django_tasks import task

from shangyou.accounts.models import Company
from shangyou.core.scheduler import periodic

from . import grading, schedule


@periodic(every=60)
@task()
def send_due_reminders() -> int:
    return schedule.reminders_send()


@periodic(every=24 * 3600)
@task()
def create_followups() -> int:
    return schedule.followups_create()


@periodic(every=24 * 3600)
@task()
def regrade_all() -> int:
    changed = 0
    for company in Company.objects.filter(is_active=True).only("pk"):
        changed += grading.regrade_company(company=company)
    return changed


@task()
def run_import(job_id: int) -> dict:
    """Apply a previewed import (idempotent: see contacts.importing)."""
    from .importing import import_run

    return import_run(job_id=job_id)

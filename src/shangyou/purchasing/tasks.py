"""Background work of procurement: RFQ deadline reminders and the daily scorecards."""

from django_tasks import task

from shangyou.core.scheduler import periodic


@periodic(every=15 * 60)
@task()
def send_rfq_reminders() -> int:
    """Remind invitees who have not answered, once, in the last day before the deadline."""
    from .services import rfq_reminders_send

    return rfq_reminders_send()


@periodic(every=24 * 3600)
@task()
def refresh_supplier_scores() -> int:
    from .scorecard import supplier_scores_refresh_all

    return supplier_scores_refresh_all()

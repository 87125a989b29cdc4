"""Background-work plumbing: job progress (core/progress.py) and the periodic scheduler."""

from shangyou.core import scheduler
from shangyou.core.models import PeriodicRun, TaskProgress
from shangyou.core.progress import Progress, progress_start


def test_progress_start_creates_a_pending_row(tenant):
    progress = progress_start(name="导入客户", company=tenant.company, user=tenant.user(), total=10)
    row = TaskProgress.objects.get(pk=progress.pk)
    assert (row.status, row.total, row.done, row.company) == ("pending", 10, 0, tenant.company)


def test_progress_reports_advance_and_finish(tenant):
    progress = progress_start(name="导入客户", company=tenant.company, total=4)
    lines = []
    with Progress(progress.pk, min_interval=0, echo=lines.append) as job:
        job.set_total(4)
        job.advance(2, message="half way")
        job.advance(2)
        job.finish(result={"created": 4}, message="4 imported")
    row = TaskProgress.objects.get(pk=progress.pk)
    assert (row.status, row.done, row.percent, row.result) == ("done", 4, 100, {"created": 4})
    assert row.message == "4 imported"
    assert lines[-1] == "4 imported"


def test_progress_records_a_failure(tenant):
    progress = progress_start(name="导入客户", company=tenant.company)
    try:
        with Progress(progress.pk):
            raise ValueError("line 7: bad phone")
    except ValueError:
        pass
    row = TaskProgress.objects.get(pk=progress.pk)
    assert (row.status, row.message) == ("failed", "line 7: bad phone")
    assert row.finished


def test_job_fragment_shows_progress(tenant):
    progress = progress_start(name="导入客户", company=tenant.company, total=200)
    with Progress(progress.pk, min_interval=0) as job:
        job.advance(50, message="50 rows")
    response = tenant.client("sales").get(f"/jobs/{progress.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "导入客户" in html and "50 / 200" in html and 'aria-valuenow="25"' in html
    assert "hx-get" in html  # still running: the fragment keeps polling


def test_finished_job_fragment_stops_polling(tenant):
    progress = progress_start(name="导入客户", company=tenant.company, total=1)
    with Progress(progress.pk, min_interval=0) as job:
        job.advance(1)
        job.finish()
    html = tenant.client().get(f"/jobs/{progress.pk}/").content.decode()
    assert "hx-get" not in html


def test_run_due_enqueues_each_periodic_job_once_per_slot(db, django_capture_on_commit_callbacks):
    scheduler.autodiscover()
    assert "shangyou.core.tasks.trash_purge_expired" in scheduler.REGISTRY
    now = 1_800_000_000.0

    with django_capture_on_commit_callbacks() as first_callbacks:
        first = scheduler.run_due(now)
    with django_capture_on_commit_callbacks() as second_callbacks:
        second = scheduler.run_due(now + 1)

    assert sorted(first) == sorted(scheduler.REGISTRY)
    assert len(first_callbacks) == len(scheduler.REGISTRY)
    assert second == [] and second_callbacks == []
    assert PeriodicRun.objects.count() == len(scheduler.REGISTRY)


def test_run_due_enqueues_again_in_the_next_slot(db):
    scheduler.autodiscover()
    job = scheduler.REGISTRY["shangyou.core.tasks.trash_purge_expired"]
    now = 1_800_000_000.0
    scheduler.run_due(now)
    assert job.name not in scheduler.run_due(now + 1)
    assert job.name in scheduler.run_due(now + job.every)


def test_run_due_keeps_a_weekly_slot_claimed_all_week(db, monkeypatch):
    from shangyou.core import tasks

    week = 7 * 24 * 3600
    job = scheduler.PeriodicJob(name="weekly", every=week, task=tasks.trash_purge_expired)
    monkeypatch.setattr(scheduler, "REGISTRY", {"weekly": job})
    start = 3000 * week
    assert scheduler.run_due(start) == ["weekly"]
    assert scheduler.run_due(start + 2 * 24 * 3600) == []
    assert scheduler.run_due(start + week) == ["weekly"]
    assert scheduler.run_due(start + week + 60) == []


def test_sqlite_statistics_are_gathered_after_migrate_and_by_the_worker(tenant):
    """SQLite plans without statistics unless they are gathered: `migrate` gathers them (the
    test database was just migrated) and an hourly task gathers them again as data grows."""
    from django.db import connection

    from shangyou.contacts.models import Customer
    from shangyou.core import tasks

    scheduler.autodiscover()
    assert "shangyou.core.tasks.database_statistics" in scheduler.REGISTRY
    if connection.vendor != "sqlite":
        assert tasks.database_statistics.call() is False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1  # created by the ANALYZE after migrate
    actor = tenant.actor()
    Customer.objects.bulk_create(
        [Customer(company=tenant.company, name=f"客户{n}", owner=actor.user) for n in range(50)]
    )
    assert tasks.database_statistics.call() is True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx = %s",
            ["contacts_customer", "customer_recent"],
        )
        assert cursor.fetchone()[0].startswith("50 ")  # rows in the index, then per prefix

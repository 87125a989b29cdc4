"""Gapless per-company numbers under real concurrency: threads, each in its own transaction and
on its own connection (PostgreSQL row locks; SQLite BEGIN IMMEDIATE on a WAL file database)."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shangyou.accounts.models import Company
from shangyou.core.numbering import next_number

THREADS = 8


def _year() -> int:
    return timezone.localdate().year


def _numbers_from_threads(company, n: int, *, fail_every: int = 0) -> list[str]:
    """Each thread takes a number in its own transaction; every `fail_every`-th rolls back."""
    start = threading.Barrier(n)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                number = next_number(company=company, key="QT")
                if fail_every and i % fail_every == 0:
                    raise RuntimeError("rolled back")
            with lock:
                results.append(number)
        except RuntimeError:
            pass
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_have_no_duplicates_and_no_gaps():
    company = Company.objects.create(name="甲", slug="jia")
    numbers = _numbers_from_threads(company, THREADS)
    assert sorted(numbers) == [f"QT-{_year()}-{i:05d}" for i in range(1, THREADS + 1)]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transactions_leave_no_gap():
    company = Company.objects.create(name="甲", slug="jia")
    numbers = _numbers_from_threads(company, THREADS, fail_every=3)  # threads 0, 3, 6 fail
    with transaction.atomic():
        numbers.append(next_number(company=company, key="QT"))
    kept = THREADS - 3 + 1
    assert sorted(numbers) == [f"QT-{_year()}-{i:05d}" for i in range(1, kept + 1)]


@pytest.mark.django_db
def test_a_rolled_back_number_is_handed_out_again():
    company = Company.objects.create(name="甲", slug="jia")
    with transaction.atomic():
        first = next_number(company=company, key="QT")
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(company=company, key="QT")
        raise RuntimeError("document not saved")
    with transaction.atomic():
        second = next_number(company=company, key="QT")
    assert (first, second) == (f"QT-{_year()}-00001", f"QT-{_year()}-00002")


@pytest.mark.django_db
def test_numbers_are_per_company_and_per_key():
    a = Company.objects.create(name="甲", slug="jia")
    b = Company.objects.create(name="乙", slug="yi")
    with transaction.atomic():
        got = [
            next_number(company=a, key="QT"),
            next_number(company=a, key="QT"),
            next_number(company=b, key="QT"),
            next_number(company=a, key="SO"),
            next_number(company=a, key="PO", yearly=False, width=3),
        ]
    y = _year()
    assert got == [f"QT-{y}-00001", f"QT-{y}-00002", f"QT-{y}-00001", f"SO-{y}-00001", "PO-001"]


@pytest.mark.django_db(transaction=True)
def test_next_number_outside_a_transaction_is_refused():
    company = Company.objects.create(name="甲", slug="jia")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_number(company=company, key="QT")

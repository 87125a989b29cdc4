"""A company's short reference lists (members, grades, tags, segments), kept in the cache between
requests.

The customer list shows them on every request — in its filter panel, its bulk bar and its
segment list — and reading them took four statements, a sixth of the page's time. Here each list
is read once, and again only after one of them changed.

Each company has a *version*: a random token in the cache. A cached list is stored with the
version it was read under, and it is used only while that is still the company's version.
A change of a tracked model (`track`) sets a new version. It does so at once, so that the same
transaction sees its own change, and again after the commit. Without the second setting, a
request could read the old rows just before the commit and store them under the new version.
A reader takes the version before it reads the rows. A list read before a change is then stored
under an older version, and nobody uses it.

Saves, creations and deletes reach `changed` through signals. The generic writes that bypass
them (`core.services.model_update`, `soft_delete`, `trash_restore`) call `model_changed`.
Entries expire after an hour, as a safety net for a change nothing reported.
"""

import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

#: Seconds a version and a cached list are kept.
TTL = 3600

#: Tracked model -> the companies whose lists a row of it belongs to.
_tracked: dict[type, Callable[..., Iterable[int | None]]] = {}


def _version_key(company_id: int) -> str:
    return f"lookups:version:{company_id}"


def _list_key(name: str, company_id: int) -> str:
    return f"lookups:{name}:{company_id}"


def cached(company_id: int, name: str, load: Callable[[], T]) -> T:
    """The company's list `name`: from the cache when it was stored under the company's current
    version, else `load()` (stored for the next request)."""
    version_key, list_key = _version_key(company_id), _list_key(name, company_id)
    found = cache.get_many([version_key, list_key])
    version = found.get(version_key)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(version_key, version, TTL):  # another request set one just now
            version = cache.get(version_key, version)
    entry = found.get(list_key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = load()
    cache.set(list_key, (version, value), TTL)
    return value


def changed(company_id: int | None) -> None:
    """The company's lists changed: a new version now and another after the commit."""
    if company_id is None:
        return

    def renew():
        cache.set(_version_key(company_id), uuid.uuid4().hex, TTL)

    renew()
    transaction.on_commit(renew)


def model_changed(model: type, company_id: int | None) -> None:
    """For writes that send no signal: `changed` when `model` is tracked."""
    if model in _tracked:
        changed(company_id)


def _own_company(instance, update_fields) -> list[int | None]:
    return [getattr(instance, "company_id", None)]


def _on_write(sender, instance, update_fields=None, **kwargs) -> None:
    for company_id in _tracked[sender](instance, update_fields):
        changed(company_id)


def track(*models: type, companies: Callable[..., Iterable[int | None]] = _own_company) -> None:
    """Lists read through `cached` depend on these models. `companies(instance, update_fields)`
    names the companies whose lists a saved or deleted row changes: by default the row's own
    `company_id`; none when the saved fields are not ones the lists show."""
    for model in models:
        _tracked[model] = companies
        uid = f"lookups-{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid)

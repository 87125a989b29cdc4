"""Import suppliers from CSV/XLSX (B1): `shangyou import suppliers FILE --company SLUG`.

The file is read and validated by the customer import's readers (`contacts.importing`: same
header matching in Chinese and English, same per-row checks, row numbers as in the file). Each
valid row becomes a CRM record with the supplier role — or, when it matches an existing record
(same name, phone or email), that record is given the supplier role (one partner can be both
customer and supplier). All rows are written in one transaction: with invalid rows nothing is
imported unless `skip_invalid`.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangyou.contacts import importing as customer_import
from shangyou.contacts.models import Customer
from shangyou.core.actor import Actor
from shangyou.core.errors import ApplicationError
from shangyou.core.services import require_write


@dataclass
class SupplierImportResult:
    total: int = 0
    created: int = 0
    marked: int = 0  # existing records that were given the supplier role
    unchanged: int = 0  # already suppliers
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # [{"row", "messages"}]
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def imported(self) -> bool:
        return not self.dry_run and (self.created or self.marked) > 0


class _DryRun(Exception):
    pass


def supplier_import(
    *,
    actor: Actor,
    filename: str,
    data: bytes,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> SupplierImportResult:
    """Validate the file and (unless `dry_run`, or invalid rows without `skip_invalid`) import
    its suppliers. Returns the counts and per-row errors."""
    from shangyou.contacts.services import contact_create, customer_create, customer_update

    require_write(actor)
    parsed = customer_import.parse_upload(actor=actor, filename=filename, data=data)
    result = SupplierImportResult(total=len(parsed.rows), problems=list(parsed.problems))
    result.dry_run = dry_run
    for row in parsed.rows:
        if row.errors:
            result.errors.append({"row": row.number, "messages": list(row.errors)})
    if result.errors and not skip_invalid:
        result.dry_run = True
        return result
    duplicates = customer_import.find_duplicates(actor=actor, rows=parsed.rows)
    try:
        with transaction.atomic():
            for row in parsed.rows:
                if row.errors:
                    continue
                dup = duplicates.get(row.number)
                if dup and dup.get("same_as_row"):
                    result.skipped += 1
                    continue
                if dup and dup.get("existing_id"):
                    existing = Customer.objects.get(pk=dup["existing_id"], company=actor.company)
                    if existing.is_supplier:
                        result.unchanged += 1
                    else:
                        customer_update(
                            actor=actor,
                            customer=existing,
                            data={"is_supplier": True},
                            version=existing.version,
                        )
                        result.marked += 1
                    continue
                values = {
                    **row.customer,
                    "is_supplier": True,
                    "is_customer": False,
                    "source": row.customer.get("source") or Customer.Source.IMPORT,
                }
                if row.owner_id:
                    values["owner_id"] = row.owner_id
                if row.grade_id:
                    values["grade_id"] = row.grade_id
                try:
                    supplier = customer_create(actor=actor, data=values, allow_duplicate=True)
                    if row.contact.get("name"):
                        contact_create(actor=actor, customer=supplier, data=row.contact)
                except ApplicationError as exc:
                    result.errors.append({"row": row.number, "messages": [str(exc.message)]})
                    if not skip_invalid:
                        raise
                    continue
                result.created += 1
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    except ApplicationError:
        result.created = result.marked = result.unchanged = result.skipped = 0
        result.dry_run = True
    return result


def run_supplier_import_command(
    *, actor: Actor, path: str, dry_run: bool = False, skip_invalid: bool = False, out, err
) -> int:
    """The body of `shangyou import suppliers`: prints the report; returns the exit status
    (0 imported / valid, 1 invalid rows and nothing imported)."""
    file = Path(path)
    if not file.is_file():
        err.write(_("No such file: %(path)s") % {"path": path})
        return 2
    try:
        result = supplier_import(
            actor=actor,
            filename=file.name,
            data=file.read_bytes(),
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
    except ApplicationError as exc:
        err.write(str(exc.message))
        return 2
    for problem in result.problems:
        err.write(_("note: %(text)s") % {"text": problem})
    for error in result.errors:
        err.write(
            _("row %(row)s: %(messages)s")
            % {"row": error["row"], "messages": "; ".join(error["messages"])}
        )
    out.write(
        _(
            "%(total)s rows: %(created)s suppliers created, %(marked)s existing records given "
            "the supplier role, %(unchanged)s already suppliers, %(skipped)s repeated in the "
            "file, %(errors)s invalid"
        )
        % {
            "total": result.total,
            "created": result.created,
            "marked": result.marked,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
            "errors": len(result.errors),
        }
    )
    if result.dry_run and not dry_run:
        err.write(_("Nothing was imported: fix the rows above, or use --skip-invalid."))
        return 1
    return 0

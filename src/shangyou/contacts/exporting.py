"""Export customers (any list or segment) as CSV, XLSX or vCard (C1, I5).

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) are neutralised with a leading apostrophe; XLSX cells are always written as text, never
formulas. Headers are the ones the importer understands, so an export imports back.
"""

import csv
import io
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Contact, Customer, Tag

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    ("code", gettext_lazy("Customer number")),
    ("name", gettext_lazy("Customer name")),
    ("kind", gettext_lazy("Type")),
    ("stage", gettext_lazy("Stage")),
    ("contact", gettext_lazy("Contact")),
    ("phone", gettext_lazy("Phone")),
    ("email", gettext_lazy("Email")),
    ("country", gettext_lazy("Country")),
    ("province", gettext_lazy("Province")),
    ("city", gettext_lazy("City")),
    ("address", gettext_lazy("Address")),
    ("industry", gettext_lazy("Industry")),
    ("grade", gettext_lazy("Grade")),
    ("tags", gettext_lazy("Tags")),
    ("source", gettext_lazy("Source")),
    ("owner", gettext_lazy("Owner")),
    ("credit_rating", gettext_lazy("Credit rating")),
    ("website", gettext_lazy("Website")),
    ("birthday", gettext_lazy("Birthday")),
    ("notes", gettext_lazy("Notes")),
    ("created_at", gettext_lazy("Created")),
]


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _rows(customers: QuerySet[Customer]) -> Iterator[list[str]]:
    customers = customers.select_related("owner", "grade").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "id")),
    )
    for c in customers.iterator(chunk_size=1000):
        contacts = list(c.contacts.all())
        values = {
            "code": c.code,
            "name": c.name,
            "kind": c.get_kind_display(),
            "stage": c.get_stage_display(),
            "contact": contacts[0].name if contacts else "",
            "phone": c.phone,
            "email": c.email,
            "country": c.country,
            "province": c.province,
            "city": c.city,
            "address": c.address,
            "industry": c.industry,
            "grade": c.grade.code if c.grade else "",
            "tags": ", ".join(t.name for t in c.tags.all()),
            "source": c.get_source_display() if c.source else "",
            "owner": c.owner.display_name if c.owner else "",
            "credit_rating": c.credit_rating,
            "website": c.website,
            "birthday": c.birthday.isoformat() if c.birthday else "",
            "notes": c.notes,
            "created_at": timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
        }
        yield [neutralise(values[key]) for key, _label in COLUMNS]


def header() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def export_csv(customers: QuerySet[Customer]) -> Iterator[str]:
    """CSV lines (UTF-8 with a BOM so Excel opens Chinese text correctly), streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
    for row in _rows(customers):
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_xlsx(customers: QuerySet[Customer]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Customers")[:31])

    def text_cells(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        return cells

    sheet.append(text_cells(header()))
    for row in _rows(customers):
        sheet.append(text_cells(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_vcf(customers: QuerySet[Customer]) -> str:
    """One card per person: each contact with its company as ORG, or the customer itself."""
    from .importers.vcard import vcards_dump

    cards = []
    contacts = Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "id"))
    for c in customers.prefetch_related(contacts, "tags").iterator(chunk_size=1000):
        people = list(c.contacts.all())
        org = c.name if c.kind == Customer.Kind.COMPANY else ""
        if c.kind == Customer.Kind.PERSON or not people:
            cards.append(_card(c, c.name, org, c.phone, c.email, c.notes, c.birthday))
        for person in people:
            cards.append(
                _card(
                    c,
                    person.name,
                    org or c.name,
                    person.mobile or person.phone or c.phone,
                    person.email,
                    person.notes,
                    person.birthday,
                    title=person.title,
                )
            )
    return vcards_dump(cards)


def _card(customer, name, org, phone, email, notes, birthday, title=""):
    from .importers.vcard_records import Address, Email, PartialDate, Phone, VCard

    address = Address(
        street=customer.address,
        city=customer.city,
        region=customer.province,
        country=customer.country,
        types=["work"],
    )
    return VCard(
        full_name=name,
        organisation=org,
        title=title,
        phones=[Phone(value=phone, types=["work"])] if phone else [],
        emails=[Email(value=email, types=["work"])] if email else [],
        addresses=[address] if address.lines() else [],
        notes=[notes] if notes else [],
        birthday=PartialDate(birthday.year, birthday.month, birthday.day) if birthday else None,
        categories=[t.name for t in customer.tags.all()],
    )


def export_response(customers: QuerySet[Customer], fmt: str):
    """An HTTP download of the customers in `fmt` (csv streamed; xlsx, vcf built in memory)."""
    from django.http import HttpResponse, StreamingHttpResponse

    from shangyou.core.errors import ValidationFailed

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            export_csv(customers), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(customers),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "vcf":
        response = HttpResponse(export_vcf(customers), content_type="text/vcard; charset=utf-8")
    else:
        raise ValidationFailed(_("Choose csv, xlsx or vcf."))
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.{fmt}"'
    return response

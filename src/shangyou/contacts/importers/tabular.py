"""Reading an uploaded spreadsheet (CSV / TXT / XLSX) into rows of text.

`read_table(filename, data)` picks the reader from the file extension, returns a `Table` whose
rows carry the row number a user sees in the file (the header is row 1 when it is the first line;
for a CSV record with quoted line breaks, the number of its first line), and raises
`TableError` — a `ValidationFailed` with a translatable, actionable message — when the file
cannot be read or is over the limits.

Every cell comes back as a string: XLSX numbers that are whole (a phone number stored as
13800138000.0) lose their ".0", dates become ISO 2026-01-05, date-times 2026-01-05 14:30:00.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from shangyou.core.errors import ValidationFailed

from ._encoding import decode_bytes

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "Row",
    "Table",
    "TableError",
    "read_table",
]

DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
_DELIMITERS = ",;\t"
_EMPTY_ROWS_BEFORE_GIVING_UP = 10_000  # styled but empty rows at the end of a sheet
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(ValidationFailed):
    code = "import_file_invalid"


@dataclass
class Row:
    number: int  # row number as in the file (1-based, header included)
    values: list[str]

    def get(self, index: int) -> str:
        """The cell at `index`, '' when the row is shorter."""
        return self.values[index] if 0 <= index < len(self.values) else ""


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    format: str  # "csv" or "xlsx"
    header_row: int = 1
    encoding: str | None = None  # CSV: utf-8, utf-8-sig, gb18030, utf-16…
    delimiter: str | None = None  # CSV: ",", ";" or "\t"
    sheet: str | None = None  # XLSX: the sheet read
    sheets: list[str] = field(default_factory=list)  # XLSX: all sheet names
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def read_table(
    filename: str,
    data: bytes,
    *,
    sheet: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Table:
    """Read a .csv/.txt/.tsv or .xlsx file. Raises TableError with a message for the user."""
    ext = os.path.splitext(filename or "")[1].lower()
    if len(data) > max_bytes:
        raise TableError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": _mb(len(data)), "limit": _mb(max_bytes)}
        )
    if ext == ".xls" or data.startswith(_OLE_MAGIC):
        raise TableError(
            _(
                "Old Excel .xls files cannot be read. Open the file in Excel or WPS and save it "
                "as .xlsx (Excel Workbook) or as CSV UTF-8, then upload it again."
            )
        )
    if not data.strip():
        raise TableError(_("The file is empty."))
    if ext in XLSX_EXTENSIONS or (ext in CSV_EXTENSIONS and data.startswith(_ZIP_MAGIC)):
        return _read_xlsx(data, sheet=sheet, max_rows=max_rows)
    if ext in CSV_EXTENSIONS:
        return _read_csv(data, max_rows=max_rows)
    raise TableError(
        _("Files of type “%(ext)s” cannot be imported. Use .csv, .txt or .xlsx.")
        % {"ext": ext or filename}
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _too_many_rows(max_rows: int) -> TableError:
    return TableError(
        _("The file has more than %(max)s data rows. Split it into files of at most %(max)s rows.")
        % {"max": max_rows}
    )


def _clean(value: str) -> str:
    return value.replace("\ufeff", "").strip()


def _trim_trailing(values: list[str]) -> list[str]:
    end = len(values)
    while end and not values[end - 1]:
        end -= 1
    return values[:end]


def _finish(table: Table, records: list[tuple[int, list[str]]], max_rows: int) -> Table:
    """First non-empty record is the header; drop empty rows and empty trailing columns."""
    records = [(n, _trim_trailing(v)) for n, v in records]
    records = [(n, v) for n, v in records if v]
    if not records:
        raise TableError(_("The file has no header row and no data."))
    table.header_row, table.headers = records[0]
    data = records[1:]
    if len(data) > max_rows:
        raise _too_many_rows(max_rows)
    width = len(table.headers)
    for number, values in data:
        if len(values) > width:
            table.warnings.append(
                _("Row %(row)s has %(cells)s cells but the header has only %(columns)s columns.")
                % {"row": number, "cells": len(values), "columns": width}
            )
        table.rows.append(Row(number=number, values=values))
    return table


# --------------------------------------------------------------------------------------------
# CSV


def _sniff_delimiter(text: str) -> str:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    sample = "\n".join(lines[:50])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    counts = {d: first.count(d) for d in _DELIMITERS}
    if sniffed and counts.get(sniffed):
        return sniffed
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, *, max_rows: int) -> Table:
    text, encoding, lossy = decode_bytes(data)
    table = Table(headers=[], rows=[], format="csv", encoding=encoding)
    if lossy:
        table.warnings.append(
            _("Some characters could not be decoded and were replaced; save the file as CSV UTF-8.")
        )
    first_line_skipped = 0
    sep = re.match(r"sep=(.)\r?\n", text[:10])  # Excel's "sep=;" hint line
    if sep:
        delimiter = sep.group(1)
        text = text[sep.end() :]
        first_line_skipped = 1
    else:
        delimiter = _sniff_delimiter(text)
    table.delimiter = delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[str]]] = []
    previous_line = 0
    nonempty = 0
    try:
        for values in reader:
            start = previous_line + 1 + first_line_skipped
            previous_line = reader.line_num
            cells = [_clean(v) for v in values]
            if any(cells):
                nonempty += 1
                if nonempty > max_rows + 1:
                    raise _too_many_rows(max_rows)
            records.append((start, cells))
    except csv.Error as exc:
        raise TableError(
            _("The CSV file could not be read near line %(line)s: %(error)s")
            % {"line": reader.line_num + first_line_skipped, "error": exc}
        ) from exc
    return _finish(table, records, max_rows)


# --------------------------------------------------------------------------------------------
# XLSX


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return _clean(str(value))


def _read_xlsx(data: bytes, *, sheet: str | None, max_rows: int) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TableError(
            _(
                "The file could not be opened as an Excel workbook (.xlsx). Save it again from "
                "Excel or WPS as .xlsx, or export it as CSV UTF-8."
            )
        ) from exc
    try:
        names = list(workbook.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise TableError(
                    _("The workbook has no sheet named “%(sheet)s”. Sheets: %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(names)}
                )
            worksheet = workbook[sheet]
        else:
            if not names:
                raise TableError(_("The workbook has no sheets."))
            worksheet = workbook.worksheets[0]
        table = Table(headers=[], rows=[], format="xlsx", sheet=worksheet.title, sheets=names)
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # some writers store a wrong A1:A1 dimension
        records: list[tuple[int, list[str]]] = []
        nonempty = 0
        empty_run = 0
        for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), 1):
            cells = [_cell_text(v) for v in values]
            if any(cells):
                empty_run = 0
                nonempty += 1
                if nonempty > max_rows + 1:
                    raise _too_many_rows(max_rows)
                records.append((number, cells))
            else:
                empty_run += 1
                if empty_run > _EMPTY_ROWS_BEFORE_GIVING_UP:
                    break
        return _finish(table, records, max_rows)
    finally:
        workbook.close()

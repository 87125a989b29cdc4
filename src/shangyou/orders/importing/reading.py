"""Reading an order-history file into records of cleaned cells, one at a time.

`contacts.importers.tabular.read_table` reads every format and every error; it builds the whole
table (a `Row` per record, each cell cleaned by a function call), which is most of the time of
reading a 200,000-line CSV. The CSV path here streams the same records — the same row numbers,
the same cleaning (stripped, no BOM), empty rows and empty trailing cells dropped, the same
warnings and limits — and leaves XLSX files and refused files to `read_table`, so the messages
stay in one place. `tests/orders/test_import_reading.py` holds the two readers to the same output.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from shangyou.contacts.importers._encoding import decode_bytes
from shangyou.contacts.importers.tabular import (
    _OLE_MAGIC,
    _ZIP_MAGIC,
    CSV_EXTENSIONS,
    TableError,
    _sniff_delimiter,
    _too_many_rows,
    read_table,
)

_SEP_HINT = re.compile(r"sep=(.)\r?\n")  # Excel's "sep=;" first line


@dataclass
class Records:
    """The header and an iterator over the data records (row number, cells); `warnings` is
    complete once the records have been read."""

    headers: list[str]
    records: Iterator[tuple[int, list[str]]]
    format: str
    warnings: list[str] = field(default_factory=list)


def read_records(filename: str, data: bytes) -> Records:
    max_rows, max_bytes = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_BYTES
    ext = os.path.splitext(filename or "")[1].lower()
    if (
        ext not in CSV_EXTENSIONS
        or len(data) > max_bytes
        or data.startswith((_ZIP_MAGIC, _OLE_MAGIC))
        or not data.strip()
    ):
        table = read_table(filename, data, max_rows=max_rows, max_bytes=max_bytes)
        return Records(
            headers=table.headers,
            records=((row.number, row.values) for row in table.rows),
            format=table.format,
            warnings=[str(w) for w in table.warnings],
        )
    return _read_csv(data, max_rows=max_rows)


def _read_csv(data: bytes, *, max_rows: int) -> Records:
    text, _encoding, lossy = decode_bytes(data)
    warnings: list[str] = []
    if lossy:
        warnings.append(
            _("Some characters could not be decoded and were replaced; save the file as CSV UTF-8.")
        )
    skipped = 0
    sep = _SEP_HINT.match(text[:10])
    if sep:
        delimiter = sep.group(1)
        text = text[sep.end() :]
        skipped = 1
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records = _records(reader, skipped=skipped, bom="\ufeff" in text)
    try:
        header_row, headers = next(records)
    except StopIteration:
        raise TableError(_("The file has no header row and no data.")) from None
    return Records(
        headers=headers,
        records=_data(records, width=len(headers), max_rows=max_rows, warnings=warnings),
        format="csv",
        warnings=warnings,
    )


def _records(reader, *, skipped: int, bom: bool) -> Iterator[tuple[int, list[str]]]:
    """Non-empty records with the number of their first line, cells stripped, empty trailing
    cells dropped."""
    previous = 0
    try:
        for values in reader:
            start = previous + 1 + skipped
            previous = reader.line_num
            if bom:
                cells = [v.replace("\ufeff", "").strip() for v in values]
            else:
                cells = [v.strip() for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                yield start, cells
    except csv.Error as exc:
        raise TableError(
            _("The CSV file could not be read near line %(line)s: %(error)s")
            % {"line": reader.line_num + skipped, "error": exc}
        ) from exc


def _data(records, *, width: int, max_rows: int, warnings: list[str]):
    for count, (number, cells) in enumerate(records, start=1):
        if count > max_rows:
            raise _too_many_rows(max_rows)
        if len(cells) > width:
            warnings.append(
                _("Row %(row)s has %(cells)s cells but the header has only %(columns)s columns.")
                % {"row": number, "cells": len(cells), "columns": width}
            )
        yield number, cells

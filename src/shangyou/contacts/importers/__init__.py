"""Parsing uploaded contact files (vCard, CSV, XLSX) into plain records. No database access:
the import service builds on these functions and reports their warnings and unmapped fields."""

from .headers import (
    FIELD_KEYS,
    HeaderMatch,
    match_headers,
    normalise_header,
    parse_bool,
    parse_date,
    parse_kind,
    split_tags,
)
from .tabular import Row, Table, TableError, read_table
from .vcard import (
    Address,
    Email,
    InstantMessenger,
    ParseWarning,
    PartialDate,
    Phone,
    Url,
    VCard,
    VCardFile,
    parse_vcard_date,
    parse_vcards,
    vcards_dump,
)

__all__ = [
    "FIELD_KEYS",
    "Address",
    "Email",
    "HeaderMatch",
    "InstantMessenger",
    "ParseWarning",
    "PartialDate",
    "Phone",
    "Row",
    "Table",
    "TableError",
    "Url",
    "VCard",
    "VCardFile",
    "match_headers",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "parse_kind",
    "parse_vcard_date",
    "parse_vcards",
    "read_table",
    "split_tags",
    "vcards_dump",
]

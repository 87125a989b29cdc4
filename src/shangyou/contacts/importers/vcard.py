"""A tolerant vCard 2.1 / 3.0 / 4.0 reader and a vCard 3.0 writer.

`parse_vcards(data)` turns the bytes of a .vcf file into `VCard` records. It never raises on bad
input: a line it cannot read becomes a `ParseWarning` (with its line number), and every property
it does not map lands in `VCard.unmapped` as (name, short preview) so the importer can report it.

Handled: folded lines (leading space/tab); vCard 2.1 QUOTED-PRINTABLE with soft line breaks and
CHARSET=…; base64 blocks whose continuation lines are indented or not, ending at a blank line or
the next property; group prefixes (item1.EMAIL with item1.X-ABLabel as its label); parameters as
TYPE=WORK,VOICE, type=work;type=pref, TYPE="work,voice", PREF=1 and bare 2.1 TEL;WORK;VOICE;
backslash escapes; N, ADR and ORG split on unescaped ';'; several cards per file; UTF-8 with or
without BOM, UTF-16/32 with BOM, and legacy encodings (GBK, Big5, Windows-1252…).

The work is done on bytes, so that a property's CHARSET parameter can decode its own value.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from ._encoding import detect_encoding
from ._vcard_syntax import (
    _components,
    _Context,
    _decode_value,
    _Prop,
    _read_properties,
    _shorten,
    _unescape,
)
from .vcard_records import (
    IM_PROPERTIES,
    Address,
    Email,
    InstantMessenger,
    ParseWarning,
    PartialDate,
    Phone,
    Url,
    VCard,
    VCardFile,
    full_name_from_parts,
)
from .vcard_writer import vcards_dump

__all__ = [
    "Address",
    "Email",
    "InstantMessenger",
    "ParseWarning",
    "PartialDate",
    "Phone",
    "Url",
    "VCard",
    "VCardFile",
    "parse_vcard_date",
    "parse_vcards",
    "vcards_dump",
]


# --------------------------------------------------------------------------------------------
# Reading: properties → records


_DATE_FULL = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_DATE_LOOSE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DATE_YM = re.compile(r"^(\d{4})-(\d{1,2})$")
_DATE_Y = re.compile(r"^(\d{4})$")
_DATE_MD = re.compile(r"^--(\d{2})-?(\d{2})$")
_DATE_M = re.compile(r"^--(\d{2})$")
_DATE_D = re.compile(r"^---(\d{2})$")


def parse_vcard_date(text: str, *, omit_year: int | None = None) -> PartialDate | None:
    """19800321, 1980-03-21, 1980/3/21, --0321, --03-21, 1980-03, 1980, and date-times such as
    19800321T103000Z or 2009-08-08T14:30-05:00 (the date part is kept). None when unreadable."""
    text = text.strip()
    if "T" in text.upper():
        text = text[: text.upper().index("T")]
    year = month = day = None
    if m := _DATE_FULL.match(text) or _DATE_LOOSE.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DATE_MD.match(text):
        month, day = int(m[1]), int(m[2])
    elif m := _DATE_YM.match(text):
        year, month = int(m[1]), int(m[2])
    elif m := _DATE_Y.match(text):
        year = int(m[1])
    elif m := _DATE_M.match(text):
        month = int(m[1])
    elif m := _DATE_D.match(text):
        day = int(m[1])
    else:
        return None
    try:
        date(year or 2000, month or 1, day or 1)  # 2000: leap year, so --0229 is fine
    except ValueError:
        return None
    if omit_year is not None and year == omit_year:
        year = None
    return PartialDate(year, month, day)


_IMPP_SCHEMES = {
    "xmpp": "jabber",
    "aim": "aim",
    "ymsgr": "yahoo",
    "skype": "skype",
    "msnim": "msn",
    "msn": "msn",
    "icq": "icq",
    "qq": "qq",
    "weixin": "wechat",
    "wechat": "wechat",
    "sip": "sip",
    "gtalk": "gtalk",
    "irc": "irc",
}
_ANNIVERSARY_PROPERTIES = {
    "ANNIVERSARY",
    "X-ANNIVERSARY",
    "X-MS-ANNIVERSARY",
    "X-EVOLUTION-ANNIVERSARY",
}
_SILENT = {"VERSION", "PRODID", "REV", "BEGIN", "END"}
_BINARY_PROPERTIES = {"PHOTO", "LOGO", "SOUND", "KEY"}
_ADDRESS_KINDS = {"home", "work", "other"}
_GENDERS = {"M": "male", "F": "female", "O": "other", "N": "none", "U": "unknown"}


def _clean_label(label: str) -> str:
    label = label.strip()
    if label.startswith("_$!<") and label.endswith(">!$_"):
        label = label[4:-4]
    return label


def _types(prop: _Prop, *, drop: Iterable[str] = ()) -> list[str]:
    found: list[str] = []
    for key, value in prop.params:
        if key == "TYPE":
            found.extend(v.strip().lower() for v in value.split(","))
        elif key == "PREF" and value.strip() in {"", "1"}:
            found.append("pref")
    dropped = set(drop)
    return [t for t in dict.fromkeys(found) if t and t not in dropped]


def _pref_first(items: list) -> list:
    return sorted(items, key=lambda item: 0 if "pref" in item.types else 1)


class _CardBuilder:
    def __init__(self, props: list[_Prop], begin: int, ctx: _Context) -> None:
        self.props = props
        self.ctx = ctx
        self.card = VCard(line=begin)
        self.labels: dict[str, str] = {}
        self.grouped: set[str] = set()
        self.address_groups: list[tuple[str, Address]] = []
        self.postal_labels: list[tuple[_Prop, str]] = []
        self.bday_altid: str | None = None

    def unmapped(self, prop: _Prop, preview: str) -> None:
        label = self.labels.get(prop.group) if prop.group else None
        if label:
            preview = f"{preview} ({label})"
        self.card.unmapped.append((prop.name, preview))

    def build(self) -> VCard:
        card = self.card
        for prop in self.props:
            if prop.group and prop.name == "X-ABLABEL":
                self.labels[prop.group] = _clean_label(
                    _unescape(_decode_value(prop, self.ctx, card.warnings))
                )
            elif prop.group:
                self.grouped.add(prop.group)
        for prop in self.props:
            try:
                self.handle(prop)
            except Exception as exc:  # never crash on one odd property
                card.warnings.append(
                    ParseWarning(
                        prop.line,
                        _("%(name)s could not be read (%(error)s).")
                        % {"name": prop.name, "error": exc.__class__.__name__},
                    )
                )
        self.attach_postal_labels()
        if not card.full_name:
            card.full_name = full_name_from_parts(
                card.family_name, card.given_name, card.middle_name, card.prefix, card.suffix
            )
        card.phones = _pref_first(card.phones)
        card.emails = _pref_first(card.emails)
        card.addresses = _pref_first(card.addresses)
        card.categories = list(dict.fromkeys(card.categories))
        return card

    def handle(self, prop: _Prop) -> None:  # noqa: C901 - one branch per property, on purpose
        card = self.card
        name = prop.name
        label = self.labels.get(prop.group, "") if prop.group else ""
        if name == "X-ABLABEL" and prop.group:
            if prop.group not in self.grouped:
                self.unmapped(prop, self.labels.get(prop.group, ""))
            return
        if name in _BINARY_PROPERTIES and (prop.encoding == "b64" or not prop.raw.strip()):
            if not prop.raw.strip():
                return
            if name == "PHOTO":
                card.has_photo = True
            else:
                size = len(prop.raw) * 3 // 4
                self.card.unmapped.append(
                    (name, _("[binary data, %(size)s bytes]") % {"size": size})
                )
            return
        text = _decode_value(prop, self.ctx, card.warnings)
        if name == "VERSION":
            card.version = text.strip()
            return
        if name in _SILENT:
            return
        if not text.strip():
            return
        if name == "FN":
            value = _unescape(text).strip()
            if not card.full_name:
                card.full_name = value
            elif value != card.full_name:
                self.unmapped(prop, _shorten(value))
        elif name == "N":
            parts = _components(text, 5)
            if any(parts) and not (card.family_name or card.given_name):
                (
                    card.family_name,
                    card.given_name,
                    card.middle_name,
                    card.prefix,
                    card.suffix,
                ) = parts
            elif any(parts):
                self.unmapped(prop, _shorten(" ".join(p for p in parts if p)))
        elif name in {"NICKNAME", "TITLE", "ROLE", "UID"}:
            attr = {"NICKNAME": "nickname", "TITLE": "title", "ROLE": "role", "UID": "uid"}[name]
            value = _unescape(text).strip()
            if not getattr(card, attr):
                setattr(card, attr, value)
            elif value != getattr(card, attr):
                self.unmapped(prop, _shorten(value))
        elif name == "ORG":
            parts = [p for p in _components(text, 1 + text.count(";")) if p]
            if parts and not card.organisation:
                card.organisation = parts[0]
                card.department = " / ".join(parts[1:])
            elif parts:
                self.unmapped(prop, _shorten("; ".join(parts)))
        elif name in {"TEL", "X-MS-TEL"}:
            value = _unescape(text).strip()
            if value.lower().startswith("tel:"):
                value = value[4:]
            value = re.sub(r";\s*ext=", " ext. ", value, flags=re.IGNORECASE)
            if name == "X-MS-TEL" and any(p.value == value for p in card.phones):
                return  # Outlook repeats a TEL as X-MS-TEL;CALLBACK
            card.phones.append(Phone(value=value, types=_types(prop), label=label))
        elif name == "EMAIL":
            value = _unescape(text).strip()
            if value.lower().startswith("mailto:"):
                value = value[7:]
            card.emails.append(
                Email(value=value, types=_types(prop, drop={"internet"}), label=label)
            )
        elif name == "URL":
            card.urls.append(Url(value=_unescape(text).strip(), types=_types(prop), label=label))
        elif name == "ADR":
            parts = _components(text, 7)
            if not any(parts):
                return
            address = Address(*parts, types=_types(prop), label=label)
            if prop.param("LABEL"):
                address.postal_label = _unescape(prop.param("LABEL") or "").strip()
            card.addresses.append(address)
            self.address_groups.append((prop.group, address))
        elif name == "LABEL":
            self.postal_labels.append((prop, _unescape(text).strip()))
        elif name == "NOTE":
            card.notes.append(_unescape(text).strip())
        elif name == "CATEGORIES":
            card.categories.extend(c.strip() for c in _unescape(text).split(",") if c.strip())
        elif name == "BDAY":
            self.handle_bday(prop, text)
        elif name in _ANNIVERSARY_PROPERTIES or (
            name == "X-ABDATE" and label.lower() == "anniversary"
        ):
            value = parse_vcard_date(_unescape(text))
            if value is not None and card.anniversary is None:
                card.anniversary = value
            elif value is None or value != card.anniversary:
                self.unmapped(prop, _shorten(_unescape(text)))
        elif name == "IMPP":
            self.handle_impp(prop, _unescape(text).strip(), label)
        elif name in IM_PROPERTIES:
            card.ims.append(
                InstantMessenger(
                    service=IM_PROPERTIES[name],
                    handle=_unescape(text).strip(),
                    types=_types(prop),
                    label=label,
                )
            )
        elif name in {"GENDER", "X-GENDER"}:
            value = _components(text, 2)[0] or _unescape(text).strip()
            value = _GENDERS.get(value.upper(), value.lower())
            if not card.gender:
                card.gender = value
            elif value != card.gender:
                self.unmapped(prop, _shorten(value))
        elif name == "PHOTO":
            card.has_photo = True
        else:
            self.unmapped(prop, _shorten(_unescape(text)))

    def handle_bday(self, prop: _Prop, text: str) -> None:
        card = self.card
        omit = prop.param("X-APPLE-OMIT-YEAR")
        value = parse_vcard_date(
            _unescape(text), omit_year=int(omit) if omit and omit.isdigit() else None
        )
        altid = prop.param("ALTID")
        if value is not None and card.birthday is None:
            card.birthday = value
            self.bday_altid = altid
            return
        if altid is not None and altid == self.bday_altid:
            return  # another representation of the same birthday (4.0 ALTID)
        if value is None or value != card.birthday:
            self.unmapped(prop, _shorten(_unescape(text)))

    def handle_impp(self, prop: _Prop, value: str, label: str) -> None:
        service = (prop.param("X-SERVICE-TYPE") or "").strip().lower()
        handle = value
        scheme, sep, rest = value.partition(":")
        if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) and "@" not in scheme:
            handle = rest.lstrip("/")
            if "screenname=" in handle:
                handle = handle.split("screenname=", 1)[1].split("&", 1)[0]
            service = service or _IMPP_SCHEMES.get(scheme.lower(), scheme.lower())
        self.card.ims.append(
            InstantMessenger(service=service, handle=handle, types=_types(prop), label=label)
        )

    def attach_postal_labels(self) -> None:
        for prop, text in self.postal_labels:
            target = None
            if prop.group:
                target = next((a for g, a in self.address_groups if g == prop.group), None)
            if target is None:
                kinds = set(_types(prop)) & _ADDRESS_KINDS
                target = next(
                    (
                        a
                        for _g, a in self.address_groups
                        if not a.postal_label and set(a.types) & _ADDRESS_KINDS == kinds
                    ),
                    None,
                )
            if target is not None and not target.postal_label:
                target.postal_label = text
            else:
                self.unmapped(prop, _shorten(text))


def parse_vcards(data: bytes | str) -> VCardFile:
    """Read every card in a .vcf file. Never raises on malformed content."""
    if isinstance(data, str):
        raw, encoding, default = data.encode("utf-8"), "utf-8", "utf-8"
    else:
        encoding = detect_encoding(data)
        if encoding.startswith(("utf-16", "utf-32")):
            raw, default = data.decode(encoding, errors="replace").encode("utf-8"), "utf-8"
        elif encoding == "utf-8-sig":
            raw, default = data[len(codecs.BOM_UTF8) :], "utf-8"
        else:
            raw, default = data, encoding
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    ctx = _Context(encoding=default, utf8=default == "utf-8")
    line_warnings: list[ParseWarning] = []
    props = _read_properties(raw, ctx, line_warnings)

    result = VCardFile(cards=[], encoding=encoding)
    spans: list[tuple[int, int, VCard]] = []
    card_props: list[_Prop] | None = None
    begin = 0
    depth = 0
    outside_reported = False
    for prop in props:
        is_begin = prop.name == "BEGIN" and prop.raw.strip().upper() == b"VCARD"
        is_end = prop.name == "END" and prop.raw.strip().upper() == b"VCARD"
        if is_begin:
            if card_props is None:
                card_props, begin, outside_reported = [], prop.line, False
            else:
                depth += 1
            continue
        if card_props is not None and depth:
            if is_end:
                depth -= 1
                if not depth:
                    card_props.append(
                        _Prop(prop.line, "", "AGENT", [], b"[embedded vCard]", encoding="")
                    )
            continue
        if is_end:
            if card_props is None:
                result.warnings.append(
                    ParseWarning(prop.line, _("END:VCARD without BEGIN:VCARD was ignored."))
                )
                continue
            card = _CardBuilder(card_props, begin, ctx).build()
            result.cards.append(card)
            spans.append((begin, prop.line, card))
            card_props = None
            continue
        if card_props is None:
            if not outside_reported:
                result.warnings.append(
                    ParseWarning(prop.line, _("text outside BEGIN:VCARD … END:VCARD was ignored."))
                )
                outside_reported = True
            continue
        card_props.append(prop)
    if card_props is not None:
        card = _CardBuilder(card_props, begin, ctx).build()
        card.warnings.append(
            ParseWarning(begin, _("this card has no END:VCARD; it was read to the end of file."))
        )
        result.cards.append(card)
        spans.append((begin, 10**12, card))
    for warning in line_warnings:
        owner = next((c for b, e, c in spans if warning.line and b <= warning.line <= e), None)
        (owner.warnings if owner else result.warnings).append(warning)
    if not result.cards:
        result.warnings.append(ParseWarning(None, _("No vCard was found in this file.")))
    return result

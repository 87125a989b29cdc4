"""The records `parse_vcards` produces and `vcards_dump` writes (plain dataclasses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class PartialDate:
    """A vCard date, which may lack its year (--0321) or day (1980-03)."""

    year: int | None
    month: int | None
    day: int | None

    def as_date(self) -> date | None:
        """The full date, or None when year, month or day is missing."""
        if self.year is None or self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def isoformat(self) -> str:
        """1980-03-21, --03-21 (no year), 1980-03, 1980, --03 or ---21."""
        if self.year is not None:
            text = f"{self.year:04d}"
            if self.month is not None:
                text += f"-{self.month:02d}"
                if self.day is not None:
                    text += f"-{self.day:02d}"
            return text
        if self.month is not None:
            return f"--{self.month:02d}" + (f"-{self.day:02d}" if self.day is not None else "")
        return f"---{self.day:02d}" if self.day is not None else ""

    def __str__(self) -> str:
        return self.isoformat()


@dataclass
class Phone:
    value: str
    types: list[str] = field(default_factory=list)  # lower case: cell, work, home, fax, pref…
    label: str = ""  # from a grouped X-ABLabel, e.g. "AssistantPhone"

    @property
    def pref(self) -> bool:
        return "pref" in self.types


@dataclass
class Email:
    value: str
    types: list[str] = field(default_factory=list)  # "internet" is dropped as noise
    label: str = ""

    @property
    def pref(self) -> bool:
        return "pref" in self.types


@dataclass
class Url:
    value: str
    types: list[str] = field(default_factory=list)
    label: str = ""


@dataclass
class Address:
    po_box: str = ""
    extended: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    types: list[str] = field(default_factory=list)
    label: str = ""  # from a grouped X-ABLabel ("CustomAdrType")
    postal_label: str = ""  # formatted delivery label (LABEL property or 4.0 LABEL= parameter)

    @property
    def pref(self) -> bool:
        return "pref" in self.types

    def lines(self) -> list[str]:
        """Non-empty parts, in postal order."""
        parts = [
            self.po_box,
            self.extended,
            self.street,
            self.city,
            self.region,
            self.postal_code,
            self.country,
        ]
        return [p for p in parts if p]


@dataclass
class InstantMessenger:
    service: str  # lower case: qq, wechat, skype, aim, msn, icq, jabber, yahoo, gtalk… or ""
    handle: str
    types: list[str] = field(default_factory=list)
    label: str = ""


@dataclass
class ParseWarning:
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class VCard:
    version: str = ""
    line: int = 0  # line of BEGIN:VCARD in the file
    uid: str = ""
    full_name: str = ""
    family_name: str = ""
    given_name: str = ""
    middle_name: str = ""
    prefix: str = ""
    suffix: str = ""
    nickname: str = ""
    organisation: str = ""
    department: str = ""  # further ORG units joined with " / "
    title: str = ""
    role: str = ""
    phones: list[Phone] = field(default_factory=list)  # preferred first
    emails: list[Email] = field(default_factory=list)  # preferred first
    addresses: list[Address] = field(default_factory=list)  # preferred first
    urls: list[Url] = field(default_factory=list)
    birthday: PartialDate | None = None
    anniversary: PartialDate | None = None
    notes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    ims: list[InstantMessenger] = field(default_factory=list)
    gender: str = ""  # male, female, other, none, unknown, or the text given
    has_photo: bool = False
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (property, preview)
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def note(self) -> str:
        """All NOTE properties, separated by a blank line."""
        return "\n\n".join(self.notes)

    @property
    def display_name(self) -> str:
        """Full name, else organisation, else first e-mail."""
        if self.full_name:
            return self.full_name
        if self.organisation:
            return self.organisation
        return self.emails[0].value if self.emails else ""


@dataclass
class VCardFile:
    cards: list[VCard]
    encoding: str  # how the file's bytes were decoded (utf-8, utf-8-sig, utf-16, gb18030…)
    warnings: list[ParseWarning] = field(default_factory=list)  # not tied to one card


# Shared by reader and writer

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

IM_PROPERTIES = {
    "X-AIM": "aim",
    "X-ICQ": "icq",
    "X-JABBER": "jabber",
    "X-MSN": "msn",
    "X-YAHOO": "yahoo",
    "X-SKYPE": "skype",
    "X-SKYPE-USERNAME": "skype",
    "X-GTALK": "gtalk",
    "X-GOOGLE-TALK": "gtalk",
    "X-QQ": "qq",
    "X-WECHAT": "wechat",
    "X-WEIXIN": "wechat",
    "X-DINGTALK": "dingtalk",
    "X-GADUGADU": "gadugadu",
    "X-GROUPWISE": "groupwise",
    "X-MS-IMADDRESS": "",
}
IM_WRITE = {service: name for name, service in IM_PROPERTIES.items() if service}
IM_WRITE.update({"skype": "X-SKYPE", "gtalk": "X-GTALK", "wechat": "X-WECHAT"})


def full_name_from_parts(family: str, given: str, middle: str, prefix: str, suffix: str) -> str:
    """ "张" + "伟" → "张伟"; otherwise "prefix given middle family suffix"."""
    if family and given and CJK.search(family + given) and not middle:
        core = family + given
        return " ".join(p for p in (prefix, core, suffix) if p)
    return " ".join(p for p in (prefix, given, middle, family, suffix) if p)

"""Matching spreadsheet headers (Chinese or English) to field keys, and value normalisers.

`match_headers(headers)` folds each header (NFKC, so full-width letters and punctuation become
ASCII; case; spaces; punctuation; a trailing "(必填)" / "*" / "(optional)" hint) and looks it up
in `HEADER_SYNONYMS`. It returns which column feeds which field, the headers it did not
recognise (for the import report) and fields claimed by two columns (an error).

Normalisers for cell values: `parse_kind`, `parse_date`, `parse_bool`, `split_tags`. Each returns
None for a blank cell and raises `ValueError` (message translatable) when it cannot read one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

__all__ = [
    "FIELD_KEYS",
    "HEADER_SYNONYMS",
    "HeaderMatch",
    "column_letter",
    "match_headers",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "parse_kind",
    "split_tags",
]

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "客户名称", "客户", "客户名", "公司名称", "公司", "企业名称", "单位名称", "名称", "姓名",
        "Name", "Customer", "Company", "Customer Name", "Company Name", "Account", "Account Name",
    ),
    "kind": ("类型", "客户类型", "客户性质", "Type", "Kind", "Customer Type"),
    "contact": ("联系人", "联系人姓名", "Contact", "Contact Name", "Contact Person"),
    "title": ("职位", "职务", "岗位", "Title", "Job Title", "Position"),
    "phone": (
        "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "移动电话", "联系方式",
        "Phone", "Mobile", "Tel", "Telephone", "Phone Number", "Mobile Phone", "Cell",
    ),
    "email": ("邮箱", "电子邮件", "电子邮箱", "邮件", "Email", "E-mail", "Email Address", "Mail"),
    "province": ("省份", "省", "省/直辖市", "Province", "State", "Region"),
    "city": ("城市", "市", "City", "Town"),
    "address": ("地址", "详细地址", "联系地址", "公司地址", "Address", "Street", "Street Address"),
    "country": ("国家", "国家/地区", "Country", "Country/Region"),
    "grade": ("等级", "客户等级", "级别", "客户级别", "Grade", "Level", "Rating", "Tier"),
    "tags": ("标签", "Tags", "Tag", "Labels"),
    "source": ("来源", "客户来源", "Source", "Lead Source"),
    "industry": ("行业", "所属行业", "Industry"),
    "website": ("网站", "网址", "官网", "主页", "Website", "Web", "URL", "Homepage"),
    "wechat": ("微信", "微信号", "WeChat", "WeChat ID", "Weixin"),
    "qq": ("QQ", "QQ号", "QQ号码"),
    "birthday": ("生日", "出生日期", "Birthday", "Date of Birth", "Birth Date", "DOB"),
    "notes": ("备注", "说明", "描述", "Notes", "Note", "Remark", "Remarks", "Comment", "Comments"),
    "owner": (
        "负责人", "销售", "业务员", "销售负责人", "客户经理", "Owner", "Sales Rep", "Salesperson",
    ),
    "code": (
        "客户编号", "编号", "客户代码", "Code", "Customer No", "Customer Number", "Customer ID",
    ),
}  # fmt: skip

FIELD_KEYS: tuple[str, ...] = tuple(HEADER_SYNONYMS)

_HINT = re.compile(r"[(\[{（【<《].*?[)\]}）】>》]")
_REQUIRED_HINTS = ("必填", "选填", "可选", "required", "optional")


def normalise_header(text: str) -> str:
    """NFKC, case-folded, without spaces, punctuation or symbols: "E-Mail：" → "email"."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_LOOKUP: dict[str, str] = {
    normalise_header(synonym): key
    for key, synonyms in HEADER_SYNONYMS.items()
    for synonym in synonyms
}


def _lookup(header: str, table: dict[str, str]) -> str | None:
    folded = normalise_header(header)
    if not folded:
        return None
    if folded in table:
        return table[folded]
    stripped = normalise_header(_HINT.sub("", unicodedata.normalize("NFKC", header)))
    if stripped in table:  # "电话(必填)", "Phone (mobile)"
        return table[stripped]
    for hint in _REQUIRED_HINTS:  # "电话必填", "Email*" is already folded to "email"
        if folded.endswith(hint) and folded[: -len(hint)] in table:
            return table[folded[: -len(hint)]]
    return None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (for messages such as "column C")."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class HeaderMatch:
    mapping: dict[str, int]  # field key → column index (first column when duplicated)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (column index, header)
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # key → all its columns
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.duplicates

    def errors(self) -> list[str]:
        """One translatable message per field claimed by more than one column."""
        messages = []
        for key, columns in self.duplicates.items():
            listed = ", ".join(
                f"{column_letter(i)} “{self.headers[i]}”"
                if i < len(self.headers)
                else column_letter(i)
                for i in columns
            )
            messages.append(
                _("Columns %(columns)s all mean “%(field)s”; keep only one of them.")
                % {"columns": listed, "field": key}
            )
        return messages

    def unknown_messages(self) -> list[str]:
        return [
            _("Column %(column)s “%(header)s” was not recognised and will be ignored.")
            % {"column": column_letter(i), "header": header}
            for i, header in self.unknown
        ]


def match_headers(
    headers: Sequence[str], *, extra: dict[str, Sequence[str]] | None = None
) -> HeaderMatch:
    """Map headers to field keys. `extra` adds synonyms ({"name": ["Firma"]}) for one call.
    Blank headers are skipped silently."""
    lookup = dict(_LOOKUP)
    for key, synonyms in (extra or {}).items():
        for synonym in synonyms:
            lookup[normalise_header(synonym)] = key
    result = HeaderMatch(mapping={}, headers=[str(h or "") for h in headers])
    seen: dict[str, list[int]] = {}
    for index, header in enumerate(result.headers):
        if not header.strip():
            continue
        key = _lookup(header, lookup)
        if key is None:
            result.unknown.append((index, header.strip()))
            continue
        seen.setdefault(key, []).append(index)
    for key, columns in seen.items():
        result.mapping[key] = columns[0]
        if len(columns) > 1:
            result.duplicates[key] = columns
    return result


# --------------------------------------------------------------------------------------------
# Value normalisers

_KINDS = {
    "company": ("公司", "企业", "单位", "机构", "组织", "法人", "company", "organisation",
                "organization", "org", "business", "enterprise", "corporate", "b2b"),
    "person": ("个人", "自然人", "个体", "person", "individual", "personal", "private", "b2c"),
}  # fmt: skip
_KIND_LOOKUP = {normalise_header(v): key for key, values in _KINDS.items() for v in values}


def parse_kind(value: str | None) -> str | None:
    """ "公司"/"企业"/"company"/"organisation" → "company"; "个人"/"person"/"individual" →
    "person"; blank → None; anything else raises ValueError."""
    folded = normalise_header(value or "")
    if not folded:
        return None
    if folded in _KIND_LOOKUP:
        return _KIND_LOOKUP[folded]
    raise ValueError(
        _("“%(value)s” is not a customer type; use 公司 (company) or 个人 (person).")
        % {"value": value}
    )


_TRUE = {"是", "对", "有", "真", "√", "✓", "yes", "y", "true", "t", "1", "on", "x"}
_FALSE = {"否", "不", "不是", "错", "无", "假", "×", "✗", "no", "n", "false", "f", "0", "off"}


def parse_bool(value: str | bool | int | None) -> bool | None:
    """是/否, yes/no, Y/N, 1/0, true/false, √/× → bool; blank → None; else ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("“%(value)s” is not yes or no (是/否).") % {"value": value})


_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIAL_RANGE = (10_000, 2_958_465)  # 1927-05-18 … 9999-12-31; smaller numbers are years
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DMY = re.compile(r"^(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d+(\.\d+)?$")
_TIME_TAIL = re.compile(
    r"^(.*?\d)(?:[ T]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([ap]m)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_date(
    value: str | date | datetime | int | float | None, *, dayfirst: bool = False
) -> date | None:
    """Read a date: 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105, 05.01.2026
    (dotted is always day first), 5/1/2026 and 05-01-2026 (month first unless `dayfirst`, or
    when the first number is over 12), Excel serial numbers (46027), and any of these followed by
    a time. Blank → None; otherwise ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a date.") % {"value": value})
    if isinstance(value, int | float):
        return _from_serial(float(value), value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    if _SERIAL.match(text):
        if m := _COMPACT.match(text):
            return _make_date(int(m[1]), int(m[2]), int(m[3]), value)
        return _from_serial(float(text), value)
    if m := _TIME_TAIL.match(text):
        text = m.group(1)
    if m := _YMD.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _DMY.match(text):
        first, sep, second, year = int(m[1]), m[2], int(m[3]), int(m[4])
        day_first = sep == "." or dayfirst or first > 12
        if second > 12:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        return _make_date(year, month, day, value)
    raise ValueError(_("“%(value)s” is not a date; write it as 2026-01-05.") % {"value": value})


def _make_date(year: int, month: int, day: int, original: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a valid date.") % {"value": original}) from None


def _from_serial(number: float, original: object) -> date:
    low, high = _EXCEL_SERIAL_RANGE
    if not low <= number <= high:
        raise ValueError(
            _("“%(value)s” is not a date; write it as 2026-01-05.") % {"value": original}
        )
    return _EXCEL_EPOCH + timedelta(days=int(number))


_TAG_SPLIT = re.compile(r"[,，;；、|｜\n\r\t/]+")


def split_tags(value: str | None) -> list[str]:
    """ "VIP, 华东；老客户 / 2026" → ["VIP", "华东", "老客户", "2026"] (order kept, duplicates
    dropped). Separators: , ， ; ； 、 | / and line breaks."""
    if not value:
        return []
    parts = (p.strip() for p in _TAG_SPLIT.split(unicodedata.normalize("NFKC", value)))
    return list(dict.fromkeys(p for p in parts if p))

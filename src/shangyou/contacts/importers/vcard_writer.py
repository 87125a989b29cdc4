"""Writing vCard 3.0 for export."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .vcard_records import IM_WRITE, VCard, full_name_from_parts

# --------------------------------------------------------------------------------------------
# Writing vCard 3.0


def _esc(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _type_param(types: Iterable[str]) -> str:
    clean = [re.sub(r"[^A-Za-z0-9-]", "", t).upper() for t in types]
    clean = [t for t in dict.fromkeys(clean) if t]
    return ";TYPE=" + ",".join(clean) if clean else ""


def _fold(line: str) -> str:
    """Fold to at most 75 octets per line (RFC 2426 §2.6), never inside a UTF-8 sequence."""
    if len(line.encode("utf-8")) <= 75:
        return line
    chunks: list[str] = []
    buf: list[str] = []
    size = 0
    limit = 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            chunks.append("".join(buf))
            buf, size, limit = [], 0, 74  # continuation lines start with a space
        buf.append(ch)
        size += width
    chunks.append("".join(buf))
    return "\r\n ".join(chunks)


def vcards_dump(records: Iterable[VCard]) -> str:
    """vCard 3.0 text for `records`: CRLF line ends, folded at 75 octets, values escaped.

    Labels (Phone.label etc.) are written as Apple-style item groups with X-ABLabel, postal
    labels as a LABEL in the address's group, the anniversary as X-ANNIVERSARY, gender as
    X-GENDER, instant messengers as X-QQ / X-WECHAT / X-SKYPE… or IMPP. Photos are not kept."""
    out: list[str] = []
    for card in records:
        out.extend(_fold(line) for line in _card_lines(card))
    return "".join(line + "\r\n" for line in out)


class _Lines(list):
    """Property lines of one card; hands out item groups for labelled values."""

    item = 0

    def group(self, label: str, *, force: bool = False) -> str:
        if not label and not force:
            return ""
        self.item += 1
        return f"item{self.item}."

    def add(self, group: str, text: str, label: str = "") -> None:
        self.append(group + text)
        if label and group:
            self.append(f"{group}X-ABLabel:{_esc(label)}")


def _card_lines(card: VCard) -> list[str]:
    lines = _Lines(["BEGIN:VCARD", "VERSION:3.0"])
    full_name = card.full_name or full_name_from_parts(
        card.family_name, card.given_name, card.middle_name, card.prefix, card.suffix
    )
    lines.append("FN:" + _esc(full_name or card.display_name))
    names = (card.family_name, card.given_name, card.middle_name, card.prefix, card.suffix)
    lines.append("N:" + ";".join(_esc(p) for p in names))
    if card.nickname:
        lines.append("NICKNAME:" + _esc(card.nickname))
    if card.organisation or card.department:
        org = _esc(card.organisation)
        if card.department:
            org += ";" + _esc(card.department)
        lines.append("ORG:" + org)
    if card.title:
        lines.append("TITLE:" + _esc(card.title))
    if card.role:
        lines.append("ROLE:" + _esc(card.role))
    for phone in card.phones:
        g = lines.group(phone.label)
        lines.add(g, f"TEL{_type_param(phone.types)}:{_esc(phone.value)}", phone.label)
    for email in card.emails:
        g = lines.group(email.label)
        types = ["internet", *email.types]
        lines.add(g, f"EMAIL{_type_param(types)}:{_esc(email.value)}", email.label)
    for address in card.addresses:
        g = lines.group(address.label, force=bool(address.postal_label))
        parts = (
            address.po_box,
            address.extended,
            address.street,
            address.city,
            address.region,
            address.postal_code,
            address.country,
        )
        value = ";".join(_esc(p) for p in parts)
        lines.add(g, f"ADR{_type_param(address.types)}:{value}", address.label)
        if address.postal_label:
            lines.add(g, f"LABEL{_type_param(address.types)}:{_esc(address.postal_label)}")
    for url in card.urls:
        g = lines.group(url.label)
        lines.add(g, f"URL{_type_param(url.types)}:{_esc(url.value)}", url.label)
    if card.birthday:
        lines.append("BDAY:" + card.birthday.isoformat())
    if card.anniversary:
        lines.append("X-ANNIVERSARY:" + card.anniversary.isoformat())
    for note in card.notes:
        lines.append("NOTE:" + _esc(note))
    if card.categories:
        lines.append("CATEGORIES:" + ",".join(_esc(c) for c in card.categories))
    for im in card.ims:
        g = lines.group(im.label)
        prop = IM_WRITE.get(im.service)
        if prop:
            lines.add(g, f"{prop}{_type_param(im.types)}:{_esc(im.handle)}", im.label)
        else:
            service = f";X-SERVICE-TYPE={_param(im.service)}" if im.service else ""
            lines.add(g, f"IMPP{service}{_type_param(im.types)}:{_esc(im.handle)}", im.label)
    if card.gender:
        lines.append("X-GENDER:" + _esc(card.gender))
    if card.uid:
        lines.append("UID:" + _esc(card.uid))
    lines.append("END:VCARD")
    return lines


def _param(value: str) -> str:
    value = value.replace('"', "")
    return f'"{value}"' if any(c in value for c in ",;:") else value

"""vCard lexing: physical lines → properties (unfolding, quoted-printable soft breaks, base64
blocks), and value decoding (CHARSET, escapes, structured values)."""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .vcard_records import ParseWarning

# --------------------------------------------------------------------------------------------
# Reading: physical lines → properties


@dataclass
class _Prop:
    line: int
    group: str
    name: str
    params: list[tuple[str, str]]  # (NAME, value); bare 2.1 params become ("TYPE", token)
    raw: bytes
    encoding: str = ""  # "qp", "b64" or ""

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    def has_param(self, name: str) -> bool:
        return any(key == name for key, _v in self.params)


@dataclass
class _Context:
    encoding: str  # file default for values without CHARSET
    utf8: bool  # the file as a whole is valid UTF-8


_NAME_RE = re.compile(r"^\s*(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)\s*$")
_B64_LINE = re.compile(rb"^[A-Za-z0-9+/=]+$")
_BEGIN_END = re.compile(rb"^\s*(BEGIN|END)\s*:\s*VCARD\s*$", re.IGNORECASE)
_BARE_ENCODINGS = {"QUOTED-PRINTABLE": "QUOTED-PRINTABLE", "BASE64": "BASE64", "8BIT": "8BIT"}
_BARE_ENCODINGS["7BIT"] = "7BIT"


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            buf.append(ch)
        elif ch == sep and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _find_colon(line: bytes) -> int:
    quoted = False
    for i, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return i
    return line.find(b":")


def _parse_header(line: bytes, number: int, ctx: _Context) -> _Prop | None:
    colon = _find_colon(line)
    if colon <= 0:
        return None
    header = line[:colon].decode(ctx.encoding, errors="replace")
    pieces = _split_outside_quotes(header, ";")
    match = _NAME_RE.match(pieces[0])
    if not match:
        return None
    params: list[tuple[str, str]] = []
    for piece in pieces[1:]:
        piece = piece.strip()
        if not piece:
            continue
        if "=" in piece:
            key, value = piece.split("=", 1)
            params.append((key.strip().upper(), value.strip().strip('"')))
        elif piece.upper() in _BARE_ENCODINGS:
            params.append(("ENCODING", piece.upper()))
        else:
            params.append(("TYPE", piece.strip('"')))
    prop = _Prop(
        line=number,
        group=(match.group(1) or "").lower(),
        name=match.group(2).upper(),
        params=params,
        raw=line[colon + 1 :],
    )
    encoding = (prop.param("ENCODING") or "").upper()
    if encoding in {"QUOTED-PRINTABLE", "QP"}:
        prop.encoding = "qp"
    elif encoding in {"BASE64", "B"}:
        prop.encoding = "b64"
        prop.raw = prop.raw.strip()
    return prop


def _physical_lines(data: bytes) -> list[bytes]:
    data = data.replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data.split(b"\n")


def _preview_bytes(line: bytes, ctx: _Context) -> str:
    return _shorten(line.decode(ctx.encoding, errors="replace"))


def _read_properties(data: bytes, ctx: _Context, warnings: list[ParseWarning]) -> list[_Prop]:
    props: list[_Prop] = []
    current: _Prop | None = None

    def flush() -> None:
        nonlocal current
        if current is not None:
            props.append(current)
            current = None

    for number, line in enumerate(_physical_lines(data), start=1):
        if current is not None and current.encoding == "qp" and current.raw.endswith(b"="):
            if _BEGIN_END.match(line):
                current.raw = current.raw[:-1]
                flush()
            else:
                current.raw = current.raw[:-1] + line  # soft line break
                continue
        if current is not None:
            if line[:1] in (b" ", b"\t"):
                if current.encoding == "b64":
                    current.raw += line.strip()
                else:
                    current.raw += line[1:]
                continue
            if current.encoding == "b64" and line.strip() and _B64_LINE.match(line.strip()):
                current.raw += line.strip()  # 2.1 base64 continuation without indent
                continue
        if not line.strip():
            flush()
            continue
        if line[:1] in (b" ", b"\t"):
            warnings.append(
                ParseWarning(
                    number,
                    _("a continuation line follows a blank line and was ignored: %(text)s")
                    % {"text": _preview_bytes(line, ctx)},
                )
            )
            continue
        prop = _parse_header(line, number, ctx)
        if prop is None:
            if current is not None and current.name in {"NOTE", "LABEL"} and not current.encoding:
                current.raw += b"\n" + line
                warnings.append(
                    ParseWarning(
                        number,
                        _("a line without a property name was added to the preceding %(name)s.")
                        % {"name": current.name},
                    )
                )
            else:
                warnings.append(
                    ParseWarning(
                        number,
                        _("could not read this line, it was skipped: %(text)s")
                        % {"text": _preview_bytes(line, ctx)},
                    )
                )
            continue
        flush()
        current = prop
    flush()
    return props


# --------------------------------------------------------------------------------------------
# Decoding values


_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc_cn": "gb18030",
    "big5": "cp950",
}


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset.strip()).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def _decode_value(prop: _Prop, ctx: _Context, warnings: list[ParseWarning]) -> str:
    raw = prop.raw
    if prop.encoding == "qp":
        raw = binascii.a2b_qp(raw)
    declared = _codec(prop.param("CHARSET"))
    if prop.param("CHARSET") and declared is None:
        warnings.append(
            ParseWarning(
                prop.line,
                _("unknown character set %(charset)s on %(name)s.")
                % {"charset": prop.param("CHARSET"), "name": prop.name},
            )
        )
    if raw.isascii():
        text = raw.decode("ascii")
    else:
        if prop.encoding == "qp":
            candidates = [declared, "utf-8", ctx.encoding]
        elif ctx.utf8:
            candidates = ["utf-8", declared]
        else:
            candidates = [declared, ctx.encoding, "utf-8"]
        text = ""
        for name in dict.fromkeys(c for c in candidates if c):
            try:
                text = raw.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
            break
        else:
            text = raw.decode(declared or ctx.encoding, errors="replace")
            warnings.append(
                ParseWarning(
                    prop.line,
                    _("some characters in %(name)s could not be decoded and were replaced.")
                    % {"name": prop.name},
                )
            )
    if prop.encoding == "qp":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# \" is not in the RFCs, but Gmail and macOS write it.
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\", '"': '"'}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def _components(text: str, count: int) -> list[str]:
    parts = [_unescape(p).strip() for p in _split_unescaped(text, ";")]
    if len(parts) > count:  # keep surplus text rather than lose it
        parts = parts[: count - 1] + [";".join(p for p in parts[count - 1 :] if p)]
    return parts + [""] * (count - len(parts))


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Guessing the text encoding of an uploaded file.

Order: byte-order marks, UTF-16 without a BOM (many NUL bytes), strict UTF-8, GB18030 when the
result reads as common Chinese (Chinese Excel and WPS save CSV as GBK, and short GBK samples
fool generic detectors), then charset_normalizer, then UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs

import charset_normalizer

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_CHINESE_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "big5", "big5hkscs", "cp950"}


def _looks_like_common_chinese(text: str) -> bool:
    """True when nearly every non-ASCII character is in GB2312 (the 6,763 common hanzi and
    Chinese punctuation). Latin-1 text misread as GBK lands mostly outside it."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return False
    common = 0
    for ch in non_ascii:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(non_ascii) >= 0.9


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or sample.count(b"\x00") < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(b"\x00")
    odd_nuls = sample[1::2].count(b"\x00")
    return "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"


def detect_encoding(data: bytes) -> str:
    """The codec name to decode `data` with (see module docstring for the order)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            data.decode(utf16)
        except UnicodeDecodeError:
            pass
        else:
            return utf16
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_common_chinese(text):
            return "gb18030"
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        name = codecs.lookup(best.encoding).name
        if name in _CHINESE_FAMILY and name not in {"big5", "big5hkscs", "cp950"}:
            return "gb18030"
        try:
            data.decode(name)
        except UnicodeDecodeError:
            pass
        else:
            return name
    return "utf-8"


def decode_bytes(data: bytes) -> tuple[str, str, bool]:
    """Decode `data`: (text, encoding, lossy). `lossy` is True when undecodable bytes were
    replaced with U+FFFD. A leading BOM is removed."""
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
        lossy = False
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        lossy = True
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding, lossy

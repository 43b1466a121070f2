"""Bytes -> text: find the encoding a report was saved in.

Order matters for speed and correctness: a BOM is authoritative; a strict UTF-8
decode takes microseconds and almost never succeeds by accident on GBK bytes;
chardet (milliseconds per file) is the last resort.  GB2312/GBK guesses are
decoded as GB18030, a strict superset, so rare characters survive.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass


class NotText(ValueError):
    """The bytes are not a text document in any encoding we can trust.
    ``code``: empty, binary or undecodable (docs/contract.md)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # Python codec name, as written to reports.encoding


_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# chardet names -> the codec we decode with and report.
_CHARDET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz-gb-2312": "gb18030",
    "ascii": "utf-8",
    "utf-8": "utf-8",
    "big5": "big5",
    "utf-16": "utf-16",
    "utf-16le": "utf-16",
    "utf-16be": "utf-16",
}

# Bytes that never occur in a text file (NUL aside from UTF-16, which has a BOM
# by the time we look for these).
_BINARY_MAGIC = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"%PDF", b"\x1f\x8b",
    b"Rar!", b"7z\xbc\xaf", b"\xd0\xcf\x11\xe0", b"II*\x00", b"MM\x00*",
)


_REPORT_WORDS_RE = re.compile("政府信息公开|政务公开|信息公开工作|年度报告")


def decode_report(raw: bytes) -> Decoded:
    """Decode raw report bytes, or raise NotText saying why not."""
    if not raw.strip():
        raise NotText("empty file", "empty")
    for bom, reported, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(codec), reported)
            except UnicodeDecodeError as exc:
                raise NotText(f"undecodable bytes after {reported} BOM at offset {exc.start}", "undecodable") from None
    if raw.startswith(_BINARY_MAGIC) or b"\x00" in raw[:4096]:
        raise NotText("binary file, not text", "binary")
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Fast path for the one other encoding these reports come in: bytes that
    # decode strictly as GB18030 *and* then read as a disclosure report are
    # GBK/GB18030 (Big5 or Latin bytes decoded so give no such words).
    # chardet (~7 ms a file) is kept for everything else.
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _REPORT_WORDS_RE.search(text[:20000]) and not _looks_binary(text):
        return Decoded(text, "gb18030")
    return _decode_with_chardet(raw)


def _decode_with_chardet(raw: bytes) -> Decoded:
    import chardet  # imported lazily: most files never need it

    guess = chardet.detect(raw[:65536])
    name = (guess.get("encoding") or "").lower()
    codec = _CHARDET_ALIASES.get(name)
    if codec is None:
        # chardet often calls short GBK runs something exotic; GB18030 is the
        # only multi-byte encoding these reports are published in besides UTF-8.
        codec = "gb18030"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise NotText(f"undecodable bytes: not UTF-8, and not {codec} at offset {exc.start}", "undecodable") from None
    if _looks_binary(text):
        raise NotText("binary file, not text", "binary")
    return Decoded(text, codec)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    return len(_CONTROL_RE.findall(sample)) > len(sample) * 0.01

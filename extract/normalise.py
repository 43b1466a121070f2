"""Text normalisation shared by every layout: labels and number cells."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .patterns import CN_NUMERAL, FIGURE_UNITS, PAREN_NUMBERING

# Cells repeat endlessly across reports ("0", "1", "（一）予以公开"), so the
# pure per-string functions below are memoised: profiling showed them at
# 40 % of extraction time before.
_CACHE = 1 << 16

# Whitespace as it appears in exports: NBSP (Word/HTML), ideographic space,
# zero-width characters left by CMS editors.
_SPACE_CHARS = "\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff\t "
_SPACE_RE = re.compile(f"[{_SPACE_CHARS}\\s]+")

_NUMBERING_RE = re.compile(
    r"^(?:"
    + CN_NUMERAL + r"\s*[、.．,，]"                # 一、 (and a converter's 一，)
    + "|" + PAREN_NUMBERING +                      # （一） (1)
    r"|\d{1,2}\s*[、.．,，](?!\d)"                # 1. 1、  (not a decimal 1.5)
    r"|[①②③④⑤⑥⑦⑧⑨⑩]"
    r")\s*"
)
# Punctuation that differs between issuing bodies and carries no meaning.
_LABEL_PUNCT_RE = re.compile(r"[\"'“”‘’「」『』《》<>:：;；,，。、.．·•*]")


_STRIP_CHARS = _SPACE_CHARS + "\r\n\f\v"


class _Memo(dict):
    """fn(key) memoised in a dict looked up by dict.__getitem__ in C (an
    lru_cache hit costs 60 % more: it reorders its list on every hit).
    Emptied when full: keys that recur come back at once."""

    def __init__(self, fn, limit: int):
        super().__init__()
        self.fn, self.limit = fn, limit

    def __missing__(self, key):
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.fn(key)
        return value


def memoised(limit: int):
    """Decorator: the function's memoised lookup (see _Memo)."""
    return lambda fn: _Memo(fn, limit).__getitem__


def strip_cell(text: str) -> str:
    """A cell's text without surrounding whitespace of any width."""
    return text.strip(_STRIP_CHARS)


def squash(text: str) -> str:
    """NFKC (full-width digits/letters/parentheses to ASCII) and no whitespace."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


# An amount cut after its decimal point (「２５２３３．」, its end on the
# next line or page): no number read alone, but a figure all the same.
_CUT_AMOUNT_RE = re.compile(r"[+-]?\d[\d,]*[.,]")


def is_cut_amount(text: str) -> bool:
    return _CUT_AMOUNT_RE.fullmatch(squash(text)) is not None


@lru_cache(maxsize=_CACHE)
def label_key(text: str) -> str:
    """The comparable form of a row/column label.

    '（三）不予公开 1．属于国家秘密' -> '不予公开1.属于国家秘密' is not wanted:
    numbering is stripped only at the start, repeatedly, so both
    '（一）予以公开' and '三、本年度办理结果（一）予以公开' keep their tail words.
    """
    s = squash(text)
    prev = None
    while prev != s:
        prev = s
        s = _NUMBERING_RE.sub("", s, count=1)
    return _LABEL_PUNCT_RE.sub("", s)


# ---------------------------------------------------------------- numbers

# What a cell holding "no figure" looks like.  Each becomes value null with
# its raw text kept: a dash or 无 is not a number, and blank is never 0.
BLANK_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "x", "X", "*"})

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-]?)"
    r"(?P<num>\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?:\.\d+)?)"
    rf"(?P<unit>{FIGURE_UNITS})?$"
)
# A figure ends in a digit (or its unit): 「5.」 and 「1、」 are numbering.
_VALUE_LIKE_RE = re.compile(rf"^[+\-]?\d[\d,]*(?:\.\d+)?(?:{FIGURE_UNITS})?$")


def is_plain_figure(raw: str) -> bool:
    """ASCII digits only: the usual figure, which no normalisation changes.
    Figures vary from report to report, so they are the usual misses of the
    memoised cell readers, which take this shortcut on a miss."""
    return raw.isdigit() and raw.isascii()


_COMMA_SPACE_RE = re.compile(r"(?<=\d)[,，]\s+(?=\d{3}\b)")
_UNIT_SPACE_RE = re.compile(rf"(?<=\d)\s+(?=(?:{FIGURE_UNITS})$)")
_SIGN_SPACE_RE = re.compile(r"^([+\-])\s+(?=\d)")


@lru_cache(maxsize=_CACHE)
def number_text(raw: str) -> str:
    """NFKC, unified minus signs, and no whitespace other than a single space
    between digit groups (a thousands separator some converters print)."""
    if is_plain_figure(raw):
        return raw      # nothing below would change it
    s = unicodedata.normalize("NFKC", raw)
    s = s.replace("−", "-").replace("－", "-")
    s = _SPACE_RE.sub(" ", s).strip()
    # "1, 234" -> "1,234": a space after a thousands comma is noise.
    s = _COMMA_SPACE_RE.sub(",", s)
    s = _UNIT_SPACE_RE.sub("", s)
    s = _SIGN_SPACE_RE.sub(r"\1", s)
    return s


@lru_cache(maxsize=_CACHE)
def is_blank(raw: str) -> bool:
    return number_text(raw) in BLANK_MARKERS


@lru_cache(maxsize=_CACHE)
def is_empty(raw: str) -> bool:
    """Nothing printed at all (whitespace of any width): a merged-cell
    artefact, unlike a printed 「/」 or 「无」, which is a real cell."""
    return not strip_cell(raw)


@lru_cache(maxsize=_CACHE)
def is_value_like(raw: str) -> bool:
    """A cell that belongs in the value part of a row: a number or a blank marker."""
    s = number_text(raw)
    return s in BLANK_MARKERS or bool(_VALUE_LIKE_RE.match(s.replace(" ", "")))


# Why a cell's value is null although something was printed or expected
# there (``cell_error_code``; docs/contract.md).  CellError carries the
# codes of cells that were read; transform/frames.py adds the others.
UNPARSEABLE = "unparseable"          # not a number
COUNT_IS_MONEY = "count_is_money"    # an amount of money where a count belongs
NOT_WHOLE = "not_whole"              # a count with a fraction
UNIT_UNKNOWN = "unit_unknown"        # money under a header whose unit cannot be read
NOT_MONEY = "not_money"              # money with a unit that is no currency (件, 项, ...)


class CellError(ValueError):
    """A cell that is present but is not a number we can read.  ``code``:
    why, as a stable code; str(exc) is the message."""

    def __init__(self, message: str, code: str = UNPARSEABLE):
        super().__init__(message)
        self.code = code


@lru_cache(maxsize=_CACHE)
def parse_number(raw: str) -> tuple[float, str | None] | None:
    """(magnitude, unit) of a numeric cell; None for a blank marker.

    Raises CellError for anything else: such a value is left null and the
    report flagged, never guessed.
    """
    s = number_text(raw)
    if s in BLANK_MARKERS:
        return None
    m = _NUMBER_RE.match(s)
    if not m:
        raise CellError(f"not a number: {raw!r}", UNPARSEABLE)
    num = float(m["num"].replace(",", "").replace(" ", ""))
    if m["sign"] == "-":
        num = -num
    return num, m["unit"]


@lru_cache(maxsize=_CACHE)
def parse_count(raw: str) -> int | None:
    """A whole number (signed changes keep their sign); None for a blank marker."""
    parsed = parse_number(raw)
    if parsed is None:
        return None
    num, unit = parsed
    if unit in ("亿元", "万元", "万", "元"):
        raise CellError(f"money where a count belongs: {raw!r}", COUNT_IS_MONEY)
    if num != int(num):
        raise CellError(f"not a whole number: {raw!r}", NOT_WHOLE)
    return int(num)


@lru_cache(maxsize=_CACHE)
def parse_money_wan(raw: str, default_unit: str = "万元") -> float | None:
    """Money in 万元.  A bare number is taken in the column's printed unit."""
    parsed = parse_number(raw)
    if parsed is None:
        return None
    num, unit = parsed
    if unit is None and default_unit == "?":
        if num == 0:
            return 0.0      # nothing, in any unit
        raise CellError(f"unit unknown: {raw!r} under a header whose money unit cannot be read", UNIT_UNKNOWN)
    unit = unit or default_unit
    if unit in ("万元", "万"):
        return num
    if unit == "元":
        return round(num / 10000, 6)
    if unit == "亿元":
        return round(num * 10000, 6)
    raise CellError(f"not an amount of money: {raw!r}", NOT_MONEY)

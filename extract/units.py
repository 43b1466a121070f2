"""The money unit a column header prints, read from the whole header cell."""
from __future__ import annotations

import re
from functools import lru_cache

from .normalise import squash

# Units a money header may name.  「元」 counts only where no 万/亿/千 stands
# before it; a unit is read inside brackets or after 单位, however the cell
# was wrapped or spaced (the header's text is joined and squashed first).
_UNIT_RE = re.compile(r"(亿元|万元|千元|(?<![万亿千])元|万(?!元))")
_CONTEXT_RE = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]|单位[:]?([^()\[\]【】]*)")
_CANONICAL = {"亿元": "亿元", "万元": "万元", "万": "万元", "元": "元"}


@lru_cache(maxsize=1 << 12)
def header_money_unit(header: str) -> str | None:
    """'万元', '元' or '亿元' when the header names exactly one unit; None
    when it names none (the template's 万元 applies); '?' when it names a
    unit that cannot be read with certainty (two different units, 千元)."""
    text = squash(header)
    if "元" not in text and "万" not in text:
        # an open bracket with nothing after it: the unit was printed on a
        # line that did not reach us
        return "?" if text.endswith(("(", "[")) else None
    # an unclosed bracket at the end (a wrapped 「采购总金额(」 whose 「元)」 was
    # lost) still names its unit if one follows
    found = set()
    for m in _CONTEXT_RE.finditer(text + ")"):
        inner = m[1] if m[1] is not None else m[2]
        found.update(_UNIT_RE.findall(inner or ""))
    if not found:
        # a unit named outside brackets, e.g. 「采购总金额元」 after a lost bracket
        tail = re.sub(r"金额|总额", "", text)
        found.update(_UNIT_RE.findall(tail))
    units = {_CANONICAL.get(u, "?") for u in found}
    if not units:
        # an open bracket with nothing after it: the unit was printed on a
        # line that did not reach us
        return "?" if text.rfind("(") > text.rfind(")") else None
    return units.pop() if len(units) == 1 else "?"

"""The figures a report's prose states about its own tables 3 and 4.

Pure text work, no GX: ``statements(text, year)`` finds the figures stated in
so many words -- new requests (本年度共收到/新收/受理 … N件), carried over
(上年结转 N件), 予以公开 / 部分公开 N件, both summed (予以公开和部分公开共 N件,
同意公开 N件), 不予公开 N件, the totals of administrative review (行政复议 N件/起)
and of litigation (行政诉讼 N件/起), and a 未发生/没有发生 sentence about
review, litigation or 不予公开 as 0.

A figure is read from its clause (text between ，；。、 and brackets), and
only when the clause says it plainly.  A clause is skipped (not compared)
when it holds another candidate figure, a range, an approximation (余, 多,
约, 近 …), a percentage, a comparison (同比, 较去年, 增长 …), a year other
than the report's (2022年, 去年, 上年 … except in 上年结转 itself), 累计, or
is about 主动公开.  The measure name is one of MEASURES; the sentence
returned is the whole sentence the clause is part of, for people to check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MEASURES = ("new_received", "carried_over", "granted", "partially_granted", "granted_or_partial",
            "denied", "administrative_review", "litigation")

_N = r"(\d+)"
_UNIT = r"\s*(?:件|条|起|个|宗)"
_FILL = r"\s*(?:共|共计|合计|总计|为|了|的)?\s*"
_APPLY = r"(?:政府信息|信息)?(?:公开)?(?:申请|依申请公开(?:政府信息)?(?:申请)?)"
# measure -> patterns whose group 1 is the figure, tried on one clause
_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {m: tuple(re.compile(p) for p in ps) for m, ps in {
    "new_received": (
        r"(?:新收|收到|受理(?:并办结)?)" + _FILL + _APPLY + r"(?:数量)?" + _FILL + _N + _UNIT,
        r"(?:新收|收到|受理)" + _FILL + _N + _UNIT + r"\s*" + _APPLY,
        r"本年新收" + _FILL + _N + _UNIT,
    ),
    "carried_over": (
        r"(?:上一?年度?|去年)结转(?:的)?" + r"(?:政府信息公开)?(?:申请)?" + _FILL + _N + _UNIT,
    ),
    "granted_or_partial": (
        r"予以公开(?:和|及|与|、)部分公开" + _FILL + _N + _UNIT,
        r"(?<!部分)同意公开" + _FILL + _N + _UNIT,
    ),
    "granted": (r"(?<!不)予以公开(?:政府信息)?" + _FILL + _N + _UNIT,),
    "partially_granted": (r"(?<![和及与、])部分公开(?:政府信息)?" + _FILL + _N + _UNIT,),
    "denied": (r"不予公开(?:政府信息)?" + _FILL + _N + _UNIT,),
    "administrative_review": (r"行政复议(?:案件)?" + _FILL + _N + _UNIT,),
    "litigation": (r"(?:行政)?诉讼(?:案件)?" + _FILL + _N + _UNIT,),
}.items()}
_ZERO_KEYS = {"administrative_review": "行政复议", "litigation": "诉讼", "denied": "不予公开"}
_ZERO = re.compile(r"未发生|没有发生|均未发生|未出现|没有出现")

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CLAUSE = re.compile(r"[，,；;：:（）()【】\[\]。]")
_PART = re.compile(r"[、]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年(?:度)?")
# phrases that name another year as part of this year's measures
_OWN_YEAR_PHRASES = re.compile(r"(?:上一?年度?|去年)结转|结转(?:至|到)?下一?年度?|顺延(?:至|到)下一?年度?|下一?年度?(?:继续)?办理")
_AMBIGUOUS = re.compile(
    r"%|％|百分之|占比|同比|环比|较(?:去|上一?)年|比(?:去|上一?)年|与(?:去|上一?)年|增长|下降|减少|增加|回落|上升|"
    r"累计|主动公开|余件|余条|多件|以上|以下|左右|约|近\d|超过|不足|"
    r"\d\s*(?:-|—|–|~|～|至|到)\s*\d|上一?年|去年|前年|往年|历年|同期")


@dataclass(frozen=True)
class Statement:
    measure: str
    value: int
    sentence: str


def _normalise(text: str) -> str:
    """Lines joined (PDF text breaks lines mid-sentence, e.g. 「答\\n复 3050 件」),
    page markers (- 2 -) dropped, spaces between a figure and CJK kept out."""
    text = re.sub(r"(?m)^[ \t]*-[ \t]*\d+[ \t]*-[ \t]*(?:\n|$)", "", text)
    lines = [line.strip() for line in text.splitlines()]
    out = []
    for line in lines:
        if not line:
            out.append("\n")
            continue
        # a line ending a sentence keeps its break; others run on
        heading = re.match(r"[（(]\s*[一二三四五六七八九十\d]+\s*[)）][^。]*$", line)
        out.append(line + ("\n" if heading or re.search(r"[。！？!?：:]$", line) else ""))
    return re.sub(r"\n+", "\n", "".join(out))


def statements(text: str | None, year: int | None = None) -> list[Statement]:
    """Every plain statement of a measure in `text` (a report's prose);
    at most one per measure: a measure stated twice with different figures
    is ambiguous and dropped."""
    if not text:
        return []
    found: dict[str, list[Statement]] = {}
    for sentence in _SENTENCE.findall(_normalise(text)):
        sentence = sentence.strip()
        if not sentence:
            continue
        for clause in _CLAUSE.split(sentence):
            for st in _clause_statements(clause, sentence, year):
                found.setdefault(st.measure, []).append(st)
    out = []
    for measure in MEASURES:
        sts = found.get(measure) or []
        if sts and len({s.value for s in sts}) == 1:
            out.append(sts[0])
    return out


def _clause_statements(clause: str, sentence: str, year: int | None) -> list[Statement]:
    plain = re.sub(r"\s+", "", clause)
    if not plain:
        return []
    # the report's own year is no other year; any other year makes the clause ambiguous
    years = [int(y) for y in _YEAR.findall(plain)]
    if any(year is None or y != year for y in years):
        return []
    plain = _YEAR.sub("", plain)
    checked = _OWN_YEAR_PHRASES.sub("", plain)
    if _AMBIGUOUS.search(checked):
        return []
    if not _NUMBER.search(plain):
        if _ZERO.search(plain):
            return [Statement(m, 0, sentence) for m, key in _ZERO_KEYS.items() if key in plain]
        return []
    out = []
    # a list (行政复议2件、行政诉讼1件) is read item by item, one figure each
    for part in _PART.split(plain):
        numbers = _NUMBER.findall(part)
        if len(numbers) != 1 or "." in numbers[0]:
            continue
        measures = []
        for measure, patterns in _PATTERNS.items():
            if "granted_or_partial" in measures and measure in ("granted", "partially_granted"):
                continue
            values = {int(m.group(1)) for p in patterns for m in p.finditer(part)}
            if len(values) == 1:
                measures.append(measure)
                out.append(Statement(measure, values.pop(), sentence))
    return out

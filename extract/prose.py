"""The figures a report's prose states about its own tables 3 and 4.

Pure text work, no GX: ``statements(text, year)`` (or ``report_statements``
over numbered sections) finds the figures stated in so many words -- new
requests (本年度共收到/新收/接收 … N件), carried over (上年结转 N件), 予以公开 /
部分公开 N件, both summed (予以公开和部分公开共 N件, 同意公开 N件), 不予公开 N件,
the totals of administrative review (行政复议 N件/起) and of litigation
(行政诉讼 N件/起), and a 未发生/没有发生 sentence about review, litigation or
不予公开 as 0 (not one about their outcome: 未发生…纠错/败诉).  A 受理 figure is its own measure, ``accepted``: reports print
under 受理 the new requests or the new and carried-over ones together, so
it is compared with both readings (expectations.across).

A figure is read from its clause (text between ，；。 and brackets; a list
「行政复议2件、行政诉讼1件」 item by item), and only when the clause says it
plainly.  A clause is skipped (not compared) when it holds another
candidate figure, a range, an approximation (余, 多, 约, 近 …), a
percentage, a comparison (同比, 较去年, 增长 …), a year other than the
report's (2022年, 去年, 上年 … except in 上年结转 / 2021年度结转 itself), a
累计 not anchored to this year (全年累计 is; 累计 alone may count since the
body began), or is about 主动公开.  A clause after one that names another
year (「2021年，因政府信息公开被申请行政复议3件」) speaks of that year: the rest
of the sentence is skipped too.  Review and litigation figures count only
in a sentence about disclosure (公开) or in section 四, and not when the
clause counts cases of every kind (各类行政复议案件, a 司法局's own work) or
review and litigation together (行政复议和行政诉讼案件共5件).  The measure
name is one of MEASURES; the sentence returned is the whole sentence the
clause is part of, for people to check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MEASURES = ("new_received", "accepted", "carried_over", "granted", "partially_granted", "granted_or_partial",
            "denied", "administrative_review", "litigation")

_N = r"(\d+)"
_UNIT = r"\s*(?:件|条|起|个|宗)"
_FILL = r"\s*(?:共|共计|合计|总计|累计|为|了|的)?\s*"
_KINDS = r"(?:各类|各种)?"
# who made the requests: 「收到公民、法人和其他组织提出的政府信息公开申请」
_FROM = r"(?:[\u4e00-\u9fff、]{1,16}?(?:提出|提交|递交)的)?"
_APPLY = r"(?:政府信息|信息)?(?:公开)?(?:申请|依申请公开(?:政府信息)?(?:申请)?)"
# measure -> patterns whose group 1 is the figure, tried on one clause
_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {m: tuple(re.compile(p) for p in ps) for m, ps in {
    "new_received": (
        r"(?:新收|收到|接收|接到)" + _FILL + _FROM + _KINDS + _APPLY + r"(?:数量)?" + _FILL + _N + _UNIT,
        r"(?:新收|收到|接收|接到)" + _FILL + _N + _UNIT + r"\s*" + _APPLY,
        r"本年新收" + _FILL + _N + _UNIT,
    ),
    # 受理 (not 受理并办结, the requests handled): new, or new and carried over
    "accepted": (
        r"受理(?!并?办结)" + _FILL + _FROM + _KINDS + _APPLY + r"(?:数量)?" + _FILL + _N + _UNIT,
        r"受理(?!并?办结)" + _FILL + _N + _UNIT + r"\s*" + _APPLY,
    ),
    "carried_over": (
        r"(?:上一?年度?|去年)结转(?:的)?" + r"(?:政府信息公开)?(?:申请)?" + _FILL + _N + _UNIT,
        # 「2021年度结转至本年度办理的申请10件」 (the year before, taken out as the report's own)
        r"^结转(?:至|到)本年度?(?:继续)?(?:办理)?(?:的)?(?:政府信息公开)?(?:申请)?" + _FILL + _N + _UNIT,
    ),
    "granted_or_partial": (
        r"予以公开(?:和|及|与|、)部分公开" + _FILL + _N + _UNIT,
        r"(?<!部分)同意公开" + _FILL + _N + _UNIT,
    ),
    "granted": (r"(?<!不)予以公开(?:政府信息)?" + _FILL + _N + _UNIT,),
    "partially_granted": (r"(?<![和及与、])部分公开(?:政府信息)?" + _FILL + _N + _UNIT,),
    "denied": (r"不予公开(?:政府信息)?" + _FILL + _N + _UNIT,),
    "administrative_review": (r"行政复议(?:申请|案件)?" + _FILL + _N + _UNIT,),
    "litigation": (r"(?:行政)?诉讼(?:案件)?" + _FILL + _N + _UNIT,),
}.items()}
# Every pattern above needs one of these words: a part without any is not
# tried against them (most clauses with a figure state something else).
_MEASURE_WORD = re.compile(r"收|接|受理|结转|公开|复议|诉讼")
_ZERO_KEYS = {"administrative_review": "行政复议", "litigation": "诉讼", "denied": "不予公开"}
_ZERO = re.compile(r"未发生|没有发生|均未发生|未出现|没有出现")
# 未发生 about an outcome (「未发生…被行政复议纠错或行政诉讼败诉情形」) says
# nothing was corrected or lost, not that there were no cases
_OUTCOME = re.compile(r"纠错|纠正|败诉|撤销|确认违法|被改变|被责令")
# the things a 未发生 sentence lists (「未发生行政复议、行政诉讼、举报投诉纠错等情况」):
# an outcome word counts for its own item only
_ZERO_ITEMS = re.compile(r"[、和及与或]")

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CLAUSE = re.compile(r"[，,；;：:（）()【】\[\]。]")
_PART = re.compile(r"[、]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年(?:度)?")
# phrases that name another year as part of this year's measures
_OWN_YEAR_PHRASES = re.compile(r"(?:上一?年度?|去年)结转|结转(?:至|到)?下一?年度?|顺延(?:至|到)下一?年度?|下一?年度?(?:继续)?办理")
_AMBIGUOUS = re.compile(
    r"%|％|百分之|占比|同比|环比|较(?:去|上一?)年|比(?:去|上一?)年|与(?:去|上一?)年|增长|下降|减少|增加|回落|上升|"
    r"主动公开|余件|余条|多件|以上|以下|左右|约|近\d|超过|不足|以来|至今|"
    r"\d\s*(?:-|—|–|~|～|至|到)\s*\d|上一?年|去年|前年|往年|历年|同期")
# 累计 is this year's total only where the sentence says so (全年累计收到 …)
_CUMULATIVE = re.compile(r"累计")
_THIS_YEAR = re.compile(r"全年|本年|今年|年内|年度内")
# a clause that only names another year as the time of what follows
_OTHER_YEAR_CLAUSE = re.compile(r"^(?:在)?(?:去年|上一?年度?|前年)(?:度|内|全年)?$")
_REVIEW_MEASURES = ("administrative_review", "litigation")
_DISCLOSURE = re.compile(r"公开")
_ALL_KINDS = re.compile(r"各类|各种|全部|所有")
# a list item ends with its figure and unit: 「行政复议2件、行政诉讼1件」
_LIST_SPLIT = re.compile(r"(?<=[件条起个宗])、")


@dataclass(frozen=True)
class Statement:
    measure: str
    value: int
    sentence: str


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# a comma between digit groups of three (not one between two figures: 「3，125件」
# is read as 3125 only when the comma is ASCII, as thousands are printed)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _normalise(text: str) -> str:
    """Lines joined (PDF text breaks lines mid-sentence, e.g. 「答\\n复 3050 件」),
    page markers (- 2 -) dropped, spaces between a figure and CJK kept out;
    full-width digits read as digits and thousands separators dropped
    (「２，５６６件」, 「2,566件」 are 2566)."""
    text = text.translate(_FULLWIDTH_DIGITS)
    text = _THOUSANDS.sub("", text)
    text = _PAGE_MARKER.sub("", text)
    lines = [line.strip() for line in text.splitlines()]
    out = []
    for line in lines:
        if not line:
            out.append("\n")
            continue
        # a line ending a sentence keeps its break; others run on
        heading = _HEADING_LINE.match(line)
        out.append(line + ("\n" if heading or _SENTENCE_END.search(line) else ""))
    return _NEWLINES.sub("\n", "".join(out))


_PAGE_MARKER = re.compile(r"(?m)^[ \t]*-[ \t]*\d+[ \t]*-[ \t]*(?:\n|$)")
_HEADING_LINE = re.compile(r"[（(]\s*[一二三四五六七八九十\d]+\s*[)）][^。]*$")
_SENTENCE_END = re.compile(r"[。！？!?：:]$")
_NEWLINES = re.compile(r"\n+")


def statements(text: str | None, year: int | None = None) -> list[Statement]:
    """Every plain statement of a measure in `text` (a report's prose);
    at most one per measure: a measure stated twice with different figures
    is ambiguous and dropped."""
    return report_statements([(None, text)], year)


def report_statements(sections, year: int | None = None) -> list[Statement]:
    """statements() over a report's sections, (number, text) in order.  A
    review or litigation figure counts in section 四 (on disclosure review
    and litigation) and in a text of unknown section (number None); in
    other sections only in a sentence about disclosure (公开)."""
    found: dict[str, list[Statement]] = {}
    for number, text in sections:
        if not text:
            continue
        for sentence in _SENTENCE.findall(_normalise(text)):
            sentence = sentence.strip()
            if not sentence:
                continue
            if not _DIGIT.search(sentence) and not _ZERO.search(sentence):
                continue        # no figure and no 未发生: no clause of it states a measure
            about_disclosure = number in (None, 4) or _DISCLOSURE.search(sentence) is not None
            for clause in _CLAUSE.split(sentence):
                sts = _clause_statements(clause, sentence, year)
                if sts is None:
                    break           # the rest of the sentence speaks of another year
                for st in sts:
                    if st.measure in _REVIEW_MEASURES and not about_disclosure:
                        continue
                    found.setdefault(st.measure, []).append(st)
    out = []
    for measure in MEASURES:
        sts = found.get(measure) or []
        if sts and len({s.value for s in sts}) == 1:
            out.append(sts[0])
    return out


def _other_years(plain: str, year: int | None) -> bool:
    """The clause names a year other than the report's, beyond the carry-over
    phrases that name the year before or after (2021年度结转至本年度 …,
    结转至2023年)."""
    for m in _YEAR.finditer(plain):
        y = int(m.group(1))
        if year is not None and y == year:
            continue
        if year is not None and y == year - 1 and plain.startswith("结转", m.end()):
            continue
        if year is not None and y == year + 1 and re.search(r"结转(?:至|到)?$", plain[:m.start()]):
            continue
        return True
    return False


_SPACES = re.compile(r"\s+")


def _clause_statements(clause: str, sentence: str, year: int | None) -> list[Statement] | None:
    """The clause's statements; None when the clause sets another year as
    the time of the rest of its sentence."""
    plain = _SPACES.sub("", clause)
    if not plain:
        return []
    # the report's own year is no other year; any other year makes the clause ambiguous
    if _other_years(plain, year):
        return None if _YEAR.sub("", plain) in ("", "在", "全年", "度") or _YEAR.match(plain) else []
    if _OTHER_YEAR_CLAUSE.match(plain):
        return None
    plain = _YEAR.sub("", plain)
    checked = _OWN_YEAR_PHRASES.sub("", plain)
    if _AMBIGUOUS.search(checked):
        return []
    if _CUMULATIVE.search(plain) and not _THIS_YEAR.search(sentence):
        return []
    if not _NUMBER.search(plain):
        if _ZERO.search(plain):
            items = _ZERO_ITEMS.split(plain)
            return [Statement(m, 0, sentence) for m, key in _ZERO_KEYS.items()
                    if any(key in item and not _OUTCOME.search(item) for item in items)]
        return []
    out = []
    # a list (行政复议2件、行政诉讼1件) is read item by item, one figure each
    for part in _LIST_SPLIT.split(plain):
        numbers = _NUMBER.findall(part)
        if len(numbers) != 1 or "." in numbers[0] or not _MEASURE_WORD.search(part):
            continue
        # review and litigation together, or cases of every kind: no single measure
        review_skip = ("复议" in part and "诉讼" in part) or _ALL_KINDS.search(part) is not None
        measures = []
        for measure, patterns in _PATTERNS.items():
            if "granted_or_partial" in measures and measure in ("granted", "partially_granted"):
                continue
            if measure in _REVIEW_MEASURES and review_skip:
                continue
            values = {int(m.group(1)) for p in patterns for m in p.finditer(part)}
            if len(values) == 1:
                measures.append(measure)
                out.append(Statement(measure, values.pop(), sentence))
    return out

"""Blind generator, part 5: sentences of a report's prose that state (or
seem to state) the figures of tables 3 and 4, written from how published
reports word them, independently of the project's prose reader.

A sentence is a template with placeholders and what it says about each
measure the checks across documents know:

- ``stated``: the sentence states the measure plainly (the figure must be
  compared with the tables);
- ``ambiguous``: a figure that may or may not be the measure (受理 counts
  the carried-over requests in some reports and not in others; a total of
  review and litigation together; a 司法局's review cases of every kind):
  it must not be compared.

Every other figure a sentence prints (carried forward, processed, parts of
a total, last year's figures, percentages, 主动公开 counts) is a
distractor: it states none of the measures.

Measure placeholders (the value a contradiction changes): N new_received,
C carried_over, G granted, P partially_granted, GP granted_or_partial,
D denied, R administrative_review, L litigation (direct + after review).
Other placeholders: NC (new + carried over), T total processed, F carried
forward, NP/LO natural persons / organisations (new requests), UN unable,
NPR not processed, DS/DQ parts of denied, Ru/Rc/Ro/Rp and Lu/Lp parts of
review and litigation, Ld/La litigation direct / after review, RL (R+L),
prevN/prevR last year's figures, K/K2 unrelated counts, pct/pct2
percentages, diff a difference, y yp yn years, who the body, u the unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

MEASURES = ("new_received", "carried_over", "granted", "partially_granted", "granted_or_partial", "denied",
            "administrative_review", "litigation")
PLACEHOLDER = {"N": "new_received", "C": "carried_over", "G": "granted", "P": "partially_granted",
               "GP": "granted_or_partial", "D": "denied", "R": "administrative_review", "L": "litigation"}


@dataclass(frozen=True)
class Sentence:
    text: str
    stated: frozenset = frozenset()
    ambiguous: frozenset = frozenset()
    when: str = ""          # a condition on the values: "RL0" (R = L = 0), "R=L", "C>0", "C0", "N>0"
    sign: str = ""          # for {updown}: "up" when this year is above last year's figure
    tags: tuple = field(default_factory=tuple)


def S(text, stated=(), ambiguous=(), when="", tags=()):
    return Sentence(text, frozenset(stated), frozenset(ambiguous), when, tags=tuple(tags))


NEW = [
    S("{yy}，{who}共收到政府信息公开申请{N}{u}。", ["new_received"]),
    S("本年度新收政府信息公开申请{N}{u}。", ["new_received"]),
    S("全年新收到政府信息公开申请{N}{u}，同比{updown}{pct}%。", ["new_received"]),
    S("全年共收到依申请公开{N}{u}，其中自然人申请{NP}{u}，法人或其他组织申请{LO}{u}。", ["new_received"]),
    S("{who}本年度共收到各类政府信息公开申请{N}{u}（自然人{NP}{u}、法人或其他组织{LO}{u}）。", ["new_received"]),
    S("全年累计收到政府信息公开申请{N}{u}，较上年的{prevN}{u}{updown}{diff}{u}。", ["new_received"]),
    S("本年度共接收政府信息公开申请{N}{u}，均在法定期限内予以答复。", ["new_received"]),
    S("本年度新收政府信息公开申请{N}{u}，上年结转{C}{u}，办结{T}{u}，结转下年度继续办理{F}{u}。",
      ["new_received", "carried_over"]),
    S("{yy}，收到政府信息公开申请合计{N}{u}，按时答复率100%。", ["new_received"]),
    S("{who}{y}年度收到公民、法人和其他组织提出的政府信息公开申请{N}{u}。", ["new_received"]),
    S("年内共计收到信息公开申请{N}{u}，全部按期办结。", ["new_received"]),
    S("收到自然人申请{NP}{u}、法人或其他组织申请{LO}{u}，共计收到政府信息公开申请{N}{u}。", ["new_received"]),
    S("全年共收到政府信息公开申请{N}{u}，其中本年新收{N}{u}，上年结转{C}{u}。", ["new_received", "carried_over"],
      when="C0"),
    S("{yy}，{who}新收政府信息公开申请{N}{u}，另有上年度结转的申请{C}{u}。", ["new_received", "carried_over"]),
]

CARRY = [
    S("上年结转政府信息公开申请{C}{u}。", ["carried_over"]),
    S("另有上年度结转的申请{C}{u}，已全部办结。", ["carried_over"]),
    S("{yp}年度结转至本年度办理的申请{C}{u}。", ["carried_over"]),
    S("全年答复政府信息公开申请{T}{u}（含上年度结转申请{C}{u}，另有{F}{u}顺延到下年度答复）。", ["carried_over"]),
    S("上一年度结转{C}{u}，结转至{yn}年继续办理{F}{u}。", ["carried_over"]),
]

OUTCOME = [
    S("从办理结果看，予以公开{G}{u}，部分公开{P}{u}，不予公开{D}{u}，无法提供{UN}{u}，不予处理{NPR}{u}。",
      ["granted", "partially_granted", "denied"]),
    S("其中予以公开{G}{u}，占{pct}%。", ["granted"]),
    S("予以公开及部分公开{GP}{u}，占{pct}%。", ["granted_or_partial"]),
    S("予以公开和部分公开的共计{GP}{u}，不予公开{D}{u}。", ["granted_or_partial", "denied"]),
    S("不予公开{D}{u}（其中属于国家秘密{DS}{u}、属于行政查询事项{DQ}{u}）。", ["denied"], when="D>0"),
    S("办理结果中，部分公开{P}{u}，无法提供{UN}{u}。", ["partially_granted"]),
    S("予以公开{G}{u}，同比{updown}{pct}%；部分公开{P}{u}。", ["granted", "partially_granted"]),
    S("答复中予以公开的{G}{u}，部分公开的{P}{u}，因属于不予公开范围而不予公开的{D}{u}。",
      ["granted", "partially_granted", "denied"]),
    S("经审查，予以公开{G}{u}、部分公开{P}{u}、不予公开{D}{u}、本机关不掌握相关政府信息{UN}{u}。",
      ["granted", "partially_granted", "denied"]),
]

REVIEW = [
    S("{yy}，{who}发生政府信息公开行政复议{R}{u}、行政诉讼{L}{u}。", ["administrative_review", "litigation"]),
    S("因政府信息公开被申请行政复议{R}{u}，被提起行政诉讼{L}{u}。", ["administrative_review", "litigation"]),
    S("全年共收到涉及政府信息公开的行政复议申请{R}{u}，其中结果维持{Ru}{u}，结果纠正{Rc}{u}，其他结果{Ro}{u}，"
      "尚未审结{Rp}{u}。", ["administrative_review"]),
    S("政府信息公开行政诉讼{L}{u}，其中未经复议直接起诉{Ld}{u}，复议后起诉{La}{u}。", ["litigation"]),
    S("政府信息公开行政诉讼{L}{u}，其中结果维持{Lu}{u}，尚未审结{Lp}{u}。", ["litigation"]),
    S("本年度政府信息公开行政复议、行政诉讼各{R}{u}。", ["administrative_review", "litigation"], when="R=L"),
    S("信息公开类行政复议{R}{u}，诉讼{L}{u}，较上年减少{diff}{u}。", ["administrative_review", "litigation"]),
    S("政府信息公开行政复议{R}{u}，行政诉讼{L}{u}，均未被纠错。", ["administrative_review", "litigation"]),
]

AMBIGUOUS = [
    S("全年共受理政府信息公开申请{NC}{u}，均在法定期限内予以答复。", ambiguous=["new_received"]),
    S("{yy}，共受理并办结依申请公开{T}{u}。", ambiguous=["new_received"]),
    S("全年共受理政府信息公开申请{NC}{u}，其中自然人申请{NPC}{u}，法人或其他组织申请{LOC}{u}。",
      ambiguous=["new_received"]),
    S("涉及政府信息公开的行政复议和行政诉讼案件共{RL}{u}。", ambiguous=["administrative_review", "litigation"],
      when="RL>0"),
    S("依申请公开信息{GP}条，答复率100%。", ambiguous=["granted", "granted_or_partial"]),
]

# none of these states a measure
DISTRACTORS = [
    S("{yy}，通过政府门户网站主动公开政府信息{K}条，其中政策文件{K2}件。"),
    S("全年共办理政府信息公开申请{T}{u}，结转下年度继续办理{F}{u}。"),
    S("收到自然人申请{NP}{u}、法人或其他组织申请{LO}{u}。", when="LO>0"),
    S("与{yp}年收到的{prevN}{u}政府信息公开申请相比，申请量{updown}{pct}%。"),
    S("{yp}年，{who}共收到政府信息公开申请{prevN}{u}。"),
    S("通过12345政务服务热线收到群众诉求{K}{u}，办结率{pct2}%。"),
    S("依申请公开答复率达{pct2}%，公开率{pct}%。"),
    S("予以公开率为{pct}%，较上年提高{pct2}个百分点。"),
    S("主动公开规范性文件{K2}件，公开政策解读{K}篇。"),
    S("结转至{yn}年继续办理的申请{F}{u}。"),
    S("全年召开新闻发布会{K2}场，回应社会关切{K}次。"),
    S("{yp}年，因政府信息公开被申请行政复议{prevR}{u}。"),
    S("本年度收取信息处理费{K}元。"),
    S("全年未发生因政府信息公开引起的行政复议、行政诉讼。", when="RL0"),
    S("本年度未收到政府信息公开申请。", when="N0"),
    S("无法提供{UN}{u}，不予处理{NPR}{u}，其他处理{OT}{u}。"),
]

# a 司法局 describing its own work: review and litigation of every kind
JUSTICE = [
    S("全年办理各类行政复议案件{K}{u}，行政应诉案件{K2}{u}。", ambiguous=["administrative_review", "litigation"]),
]

"""The two national templates, as the keys of ../shared/spec/schema.md.

Every label pattern is matched against a *normalised* label (see
``normalise.label_key``): NFKC, no whitespace, no numbering prefix, no
punctuation.  Patterns are keyword regexes, not full strings, because issuing
bodies word their rows slightly differently ("只计这一情形" / "只记这一情形").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TEMPLATES = ("2019", "2021")
# First and last report year each template was prescribed for.
TEMPLATE_YEARS = {"2019": (2019, 2020), "2021": (2021, 9999)}

APPLICANTS = (
    "natural_person", "commercial_enterprise", "research_institution",
    "social_welfare_org", "legal_service_org", "other_org", "total",
)

PROCEEDINGS = ("administrative_review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")


@dataclass(frozen=True, slots=True)
class RowSpec:
    key: str
    pattern: re.Pattern
    templates: tuple[str, ...] = TEMPLATES
    # The label as the national template prints it (normalised): a fragment
    # of a wrapped label is recognised when it starts exactly one of these.
    canonical: str = ""


def _row(key: str, pattern: str, canonical: str, templates: tuple[str, ...] = TEMPLATES) -> RowSpec:
    return RowSpec(key, re.compile(pattern), templates, canonical)


# Table 3 rows, in printed order.  A label is matched against the patterns
# top to bottom and the first hit wins.
REQUEST_ROWS: tuple[RowSpec, ...] = (
    _row("new_received", r"本年(度)?新收|新收到", "本年新收政府信息公开申请数量"),
    _row("carried_over", r"上一?年(度)?结转", "上年结转政府信息公开申请数量"),
    _row("granted", r"予以公开", "予以公开"),
    _row("partially_granted", r"部分公开", "部分公开(区分处理的只计这一情形不计其他情形)"),
    _row("denied_state_secret", r"国家秘密", "属于国家秘密"),
    _row("denied_prohibited_by_law", r"法律行政法规禁止|禁止公开|^其他法律行政", "其他法律行政法规禁止公开"),
    _row("denied_three_securities", r"三安全一稳定|危及", "危及三安全一稳定"),
    _row("denied_third_party_rights", r"第三方", "保护第三方合法权益"),
    _row("denied_internal_affairs", r"内部事务", "属于三类内部事务信息"),
    _row("denied_process_information", r"过程性", "属于四类过程性信息"),
    _row("denied_enforcement_files", r"执法案卷", "属于行政执法案卷"),
    _row("denied_administrative_query", r"行政查询", "属于行政查询事项"),
    _row("unable_not_held", r"不掌握", "本机关不掌握相关政府信息"),
    _row("unable_needs_creation", r"另行制作|没有现成", "没有现成信息需要另行制作"),
    _row("unable_unclear", r"不明确", "补正后申请内容仍不明确"),
    _row("not_processed_petition", r"信访|举报投诉", "信访举报投诉类申请"),
    _row("not_processed_repeated", r"重复申请", "重复申请"),
    _row("not_processed_publication", r"出版物", "要求提供公开出版物"),
    _row("not_processed_excessive", r"大量反复|无正当理由大量", "无正当理由大量反复申请"),
    _row("not_processed_confirmation", r"确认或重新出具|重新出具|已获取信息", "要求行政机关确认或重新出具已获取信息"),
    _row("other_handling", r"^其他处理$", "其他处理", ("2019",)),
    _row("other_no_correction", r"不补正", "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请", ("2021",)),
    _row("other_unpaid_fee", r"缴纳费用|收费通知", "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请", ("2021",)),
    _row("other_misc", r"^其他(情形)?$", "其他", ("2021",)),
    _row("total_processed", r"^总计$|^合计$", "总计"),
    _row("carried_forward", r"结转(至)?下一?年", "结转下年度继续办理"),
)

REQUEST_ROW_KEYS = {t: tuple(r.key for r in REQUEST_ROWS if t in r.templates) for t in TEMPLATES}

# Rows whose sum is the （七）总计 row.
REQUEST_OUTCOME_ROWS = {
    t: tuple(k for k in REQUEST_ROW_KEYS[t]
             if k not in ("new_received", "carried_over", "total_processed", "carried_forward"))
    for t in TEMPLATES
}

# Table 2.  (article, item) -> label pattern; metrics per template and article.
ACTIVE_ITEMS: tuple[tuple[str, str, re.Pattern, tuple[str, ...]], ...] = tuple(
    (article, item, re.compile(pattern), templates)
    for article, item, pattern, templates in (
        ("art20_1", "regulations", r"^规章$", TEMPLATES),
        ("art20_1", "normative_documents", r"规范性文件$", TEMPLATES),
        ("art20_5", "administrative_licensing", r"^行政许可$", TEMPLATES),
        ("art20_5", "other_administrative_services", r"其他对外管理服务", ("2019",)),
        ("art20_6", "administrative_penalty", r"^行政处罚$", TEMPLATES),
        ("art20_6", "administrative_coercion", r"^行政强制$", TEMPLATES),
        ("art20_8", "administrative_fees", r"行政事业性收费", TEMPLATES),
        ("art20_9", "centralized_procurement", r"集中采购", ("2019",)),
    )
)

ACTIVE_METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {
        "art20_1": ("new_made", "new_published", "total_published"),
        "art20_5": ("prior_year_items", "change", "decisions"),
        "art20_6": ("prior_year_items", "change", "decisions"),
        "art20_8": ("prior_year_items", "change"),
        "art20_9": ("procurement_items", "procurement_amount"),
    },
    "2021": {
        "art20_1": ("issued", "repealed", "in_force"),
        "art20_5": ("decisions",),
        "art20_6": ("decisions",),
        "art20_8": ("fee_amount",),
    },
}

# Metric header labels -> key (used to read the column order a report prints).
ACTIVE_METRIC_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (key, re.compile(p)) for key, p in (
        ("new_made", r"新制作"),
        ("new_published", r"新公开"),
        ("total_published", r"公开总数"),
        ("prior_year_items", r"上一?年(度)?项目"),
        ("change", r"增.?减"),
        ("decisions", r"处理决定"),
        ("procurement_items", r"采购项目"),
        ("procurement_amount", r"采购总?金额"),
        ("issued", r"制发"),
        ("repealed", r"废止"),
        ("in_force", r"现行有效"),
        ("fee_amount", r"收费金额"),
    )
)

MONEY_METRICS = frozenset({"procurement_amount", "fee_amount"})
SIGNED_METRICS = frozenset({"change"})

# Table-2 labels only one template prints.  With the table-3 rows only one
# template has (other_handling vs the three （六） sub-rows) they tell which
# template a report follows.
TEMPLATE_MARKERS = {
    "2019": re.compile(r"新制作|上一?年(度)?项目|采购项目|采购总?金额"),
    "2021": re.compile(r"制发件数|废止件数|现行有效|收费金额"),
}


def active_items(template: str) -> list[tuple[str, str]]:
    return [(a, i) for a, i, _, ts in ACTIVE_ITEMS if template in ts]

TEMPLATE_ROWS = {"2019": ("other_handling",), "2021": ("other_no_correction", "other_unpaid_fee", "other_misc")}

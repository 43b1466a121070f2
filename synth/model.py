"""Random reports as truth: metadata, the three tables (consistent by
construction), prose; then a chosen fraction given deliberate errors."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from extract.templates import ACTIVE_METRICS, PROCEEDINGS, REQUEST_OUTCOME_ROWS, REQUEST_ROW_KEYS, active_items

# Real places (province, city, county); county None for a city's own
# bodies.  Some county names are borne by several places (鼓楼区 in 南京市
# and 徐州市, 和平区 in 天津市 and 沈阳市, 朝阳区, 新城区): their reports
# name the city in their prose, as real reports do.
REGIONS = [
    ("江苏省", "淮安市", "淮阴区"), ("江苏省", "淮安市", "淮安区"), ("江苏省", "淮安市", None),
    ("江苏省", "南京市", "鼓楼区"), ("江苏省", "南京市", "江宁区"), ("江苏省", "徐州市", "鼓楼区"),
    ("浙江省", "杭州市", "拱墅区"), ("浙江省", "杭州市", "西湖区"), ("浙江省", "杭州市", None),
    ("黑龙江省", "佳木斯市", "前进区"), ("山西省", "吕梁市", "汾阳市"), ("湖南省", "长沙市", "岳麓区"),
    ("北京市", "北京市", "东城区"), ("北京市", "北京市", "朝阳区"), ("吉林省", "长春市", "朝阳区"),
    ("天津市", "天津市", "南开区"), ("天津市", "天津市", "和平区"), ("辽宁省", "沈阳市", "和平区"),
    ("陕西省", "西安市", "雁塔区"), ("陕西省", "西安市", "新城区"), ("广东省", "广州市", "天河区"),
    ("广东省", "深圳市", "龙岗区"),
]
BODIES = ["人民政府办公室", "人民政府", "发展和改革局", "财政局", "教育局", "卫生健康委员会", "市场监督管理局",
          "自然资源和规划局", "住房和城乡建设局", "生态环境局", "司法局", "民政局", "街道办事处", "政府办",
          "维稳信访工作办公室", "交通运输局", "水利局", "农业农村局", "应急管理局", "医疗保障局"]
# The abbreviations of a body's own name, spelled out as in its key.
BODY_FULL = {"政府办": "人民政府办公室"}


def region_names(province: str, city: str | None, county: str | None) -> list[str]:
    """The official names from the top, each once (北京市东城区)."""
    out: list[str] = []
    for n in (province, city, county):
        if n and (not out or out[-1] != n):
            out.append(n)
    return out


# Labels as the national templates print them.  Alternatives are wordings
# seen from different issuing bodies.
REQUEST_LABELS = {
    "new_received": ["一、本年新收政府信息公开申请数量", "一、本年度新收政府信息公开申请数量"],
    "carried_over": ["二、上年结转政府信息公开申请数量", "二、上一年度结转政府信息公开申请数量"],
    "granted": ["（一）予以公开"],
    "partially_granted": ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                          "（二）部分公开（区分处理的，只记这一情形，不计其他情形）"],
    "denied_state_secret": ["1.属于国家秘密"],
    "denied_prohibited_by_law": ["2.其他法律行政法规禁止公开"],
    "denied_three_securities": ["3.危及“三安全一稳定”", "3.危及\"三安全一稳定\""],
    "denied_third_party_rights": ["4.保护第三方合法权益"],
    "denied_internal_affairs": ["5.属于三类内部事务信息"],
    "denied_process_information": ["6.属于四类过程性信息"],
    "denied_enforcement_files": ["7.属于行政执法案卷"],
    "denied_administrative_query": ["8.属于行政查询事项"],
    "unable_not_held": ["1.本机关不掌握相关政府信息"],
    "unable_needs_creation": ["2.没有现成信息需要另行制作"],
    "unable_unclear": ["3.补正后申请内容仍不明确"],
    "not_processed_petition": ["1.信访举报投诉类申请"],
    "not_processed_repeated": ["2.重复申请"],
    "not_processed_publication": ["3.要求提供公开出版物"],
    "not_processed_excessive": ["4.无正当理由大量反复申请"],
    "not_processed_confirmation": ["5.要求行政机关确认或重新出具已获取信息"],
    "other_handling": ["（六）其他处理"],
    "other_no_correction": ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
    "other_unpaid_fee": ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    "other_misc": ["3.其他"],
    "total_processed": ["（七）总计"],
    "carried_forward": ["四、结转下年度继续办理", "四、结转下一年度继续办理"],
}
GROUP_LABELS = {
    "granted": "三、本年度办理结果",
    "denied_state_secret": "（三）不予公开",
    "unable_not_held": "（四）无法提供",
    "not_processed_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
ITEM_LABELS = {
    "regulations": "规章", "normative_documents": {"2019": "规范性文件", "2021": "行政规范性文件"},
    "administrative_licensing": "行政许可", "other_administrative_services": "其他对外管理服务事项",
    "administrative_penalty": "行政处罚", "administrative_coercion": "行政强制",
    "administrative_fees": "行政事业性收费", "centralized_procurement": "政府集中采购",
}
METRIC_LABELS = {
    "new_made": "本年新制作数量", "new_published": "本年新公开数量", "total_published": "对外公开总数量",
    "prior_year_items": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
    "procurement_items": "采购项目数量", "procurement_amount": "采购总金额",
    "issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
    "fee_amount": "本年收费金额（单位：万元）",
}
METRIC_LABELS_2021 = {"decisions": "本年处理决定数量"}
ARTICLE_LABELS = {"art20_1": "（一）", "art20_5": "（五）", "art20_6": "（六）", "art20_8": "（八）", "art20_9": "（九）"}

ERROR_KINDS = ("row_total", "total_processed", "balance", "review_total", "negative", "ragged", "blank_in_table3")


@dataclass
class Truth:
    template: str
    year: int
    agency: str
    requests: dict[str, list[int | None]]            # row -> 7 values
    review: dict[str, list[int | None]]              # proceeding -> 5 values
    active: dict[tuple[str, str], list[float | None]]  # (article, item) -> values in metric order
    money_raw_style: str = "wan"
    error: str | None = None                         # deliberate error kind
    ragged_row: str | None = None                    # table-3 row printed short
    blank_cells: set = field(default_factory=set)    # (table, key, index) printed blank or dash
    expected_failures: set = field(default_factory=set)
    # the body's region, and its name with the region in full (its key)
    province: str | None = None
    city: str | None = None
    county: str | None = None
    agency_full: str | None = None                   # as the prose names it: 淮安市淮阴区人民政府办公室
    agency_key: str | None = None                    # 江苏省淮安市淮阴区人民政府办公室

    @property
    def status(self) -> str:
        return "invalid" if self.expected_failures else "ok"


def make_truth(rng: random.Random, template: str | None = None, error_rate: float = 0.1) -> Truth:
    template = template or rng.choice(["2019", "2021"])
    year = rng.choice([2019, 2020]) if template == "2019" else rng.choice([2021, 2022, 2023, 2024])
    province, city, county = rng.choice(REGIONS)
    body = rng.choice(BODIES)
    agency = (county or city) + body
    names = region_names(province, city, county)
    agency_full = "".join(region_names(city, county, None)) + body     # 淮安市淮阴区…, 北京市东城区…
    rows = REQUEST_ROW_KEYS[template]
    outcome_rows = REQUEST_OUTCOME_ROWS[template]
    scale = rng.choice([0, 0, 1, 5, 20, 100, 2000])
    requests: dict[str, list[int]] = {r: [0] * 7 for r in rows}
    for a in range(6):
        weight = 1.0 if a == 0 else rng.choice([0, 0, 0.1, 0.3])
        n_out = {r: (rng.randint(0, max(1, int(scale * weight))) if rng.random() < 0.35 else 0) for r in outcome_rows}
        processed = sum(n_out.values())
        forward = rng.randint(0, max(0, processed // 5)) if rng.random() < 0.3 else 0
        carried = rng.randint(0, processed + forward) if rng.random() < 0.3 else 0
        new = processed + forward - carried
        for r, v in n_out.items():
            requests[r][a] = v
        requests["total_processed"][a] = processed
        requests["carried_forward"][a] = forward
        requests["carried_over"][a] = carried
        requests["new_received"][a] = new
    for r in rows:
        requests[r][6] = sum(requests[r][:6])

    review = {}
    for p in PROCEEDINGS:
        parts = [rng.choice([0, 0, 0, 1, 2, 5]) for _ in range(4)]
        review[p] = parts + [sum(parts)]

    active = {}
    for article, item in active_items(template):
        metrics = ACTIVE_METRICS[template][article]
        vals = []
        for m in metrics:
            if m in ("procurement_amount", "fee_amount"):
                vals.append(rng.choice([0.0, round(rng.uniform(1, 90000), 2), round(rng.uniform(1, 500), 1)]))
            elif m == "change":
                vals.append(float(rng.randint(-30, 30)))
            else:
                vals.append(float(rng.choice([0, rng.randint(0, 50), rng.randint(0, 30000)])))
        if metrics == ("procurement_items", "procurement_amount") and vals[1] > vals[0] * 2000:
            # what a body buys: at most ~2,000 万元 an item on average (the
            # plausibility bound is 30,000), nothing bought for nothing
            vals[1] = round(rng.uniform(0, 2000) * vals[0], 2)
        active[(article, item)] = vals

    truth = Truth(template, year, agency, requests, review, active,
                  money_raw_style=rng.choice(["wan", "wan_short", "yuan", "bare", "bare_yuan_header"]),
                  province=province, city=city, county=county, agency_full=agency_full,
                  agency_key="".join(names) + BODY_FULL.get(body, body))
    if rng.random() < error_rate:
        inject_error(truth, rng, rng.choice(ERROR_KINDS))
    return truth


def inject_error(t: Truth, rng: random.Random, kind: str) -> None:
    """Break one invariant on purpose; record which expectation must catch it."""
    t.error = kind
    a = rng.randrange(6)
    if kind == "row_total":
        row = rng.choice(list(t.requests))
        t.requests[row][6] += rng.choice([1, 2, 10])
        t.expected_failures.add("requests_row_totals")
        if row in REQUEST_OUTCOME_ROWS[t.template] or row == "total_processed":
            t.expected_failures.add("requests_total_processed")
        if row in ("new_received", "carried_over", "total_processed", "carried_forward"):
            t.expected_failures.add("requests_balance")
    elif kind == "total_processed":
        # like seed 003: （七）总计 all zero while outcomes are not
        if not any(t.requests["total_processed"]):
            t.requests["granted"] = [1, 0, 0, 0, 0, 0, 1]
            t.requests["new_received"] = [v + g for v, g in zip(t.requests["new_received"], [1, 0, 0, 0, 0, 0, 1])]
        t.requests["total_processed"] = [0] * 7
        t.expected_failures |= {"requests_total_processed", "requests_balance"}
    elif kind == "balance":
        t.requests["carried_forward"][a] += 3
        t.requests["carried_forward"][6] += 3
        t.expected_failures.add("requests_balance")
    elif kind == "review_total":
        p = rng.choice(PROCEEDINGS)
        t.review[p][4] += 1
        t.expected_failures.add("review_litigation_totals")
    elif kind == "negative":
        p = rng.choice(PROCEEDINGS)
        t.review[p][0] -= 1 + t.review[p][0]   # upheld becomes -1
        t.review[p][4] = sum(t.review[p][:4])
        t.expected_failures.add("counts_non_negative")
    elif kind == "ragged":
        t.ragged_row = rng.choice(["new_received", "carried_over", "granted", "denied_state_secret"])
        t.requests[t.ragged_row] = [None] * 7
        t.expected_failures |= {"cells_readable", "counts_present"}
    elif kind == "blank_in_table3":
        row = rng.choice(list(t.requests))
        t.blank_cells.add(("requests", row, a))
        t.requests[row][a] = None
        t.expected_failures.add("counts_present")


def request_label(row: str, rng: random.Random) -> str:
    return rng.choice(REQUEST_LABELS[row])

"""Blind generator, part 1: the figures of a report (its truth) and the
tables as grids of spanned cells, written from the national report format
(国办公开办函〔2019〕60号 / 〔2021〕30号) only.

A grid is a list of rows; each row is a list of `Cell` placed left to
right in the free positions (HTML rule: positions covered by a rowspan
from above are skipped).  Cell text may hold "\n" (a printed line break
inside the cell) and "\x1f" (a run/span boundary with no visible break).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal, ROUND_HALF_UP

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution",
              "social_welfare_org", "legal_service_org", "other_org"]
APPLICANT_COLS = APPLICANTS + ["total"]

OUTCOMES_COMMON = [
    "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_three_securities",
    "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
    "denied_enforcement_files", "denied_administrative_query",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "not_processed_petition", "not_processed_repeated", "not_processed_publication",
    "not_processed_excessive", "not_processed_confirmation",
]
OUTCOMES = {"2019": OUTCOMES_COMMON + ["other_handling"],
            "2021": OUTCOMES_COMMON + ["other_no_correction", "other_unpaid_fee", "other_misc"]}


def t3_rows(template: str) -> list[str]:
    return ["new_received", "carried_over"] + OUTCOMES[template] + ["total_processed", "carried_forward"]


PROCEEDINGS = ["administrative_review", "litigation_direct", "litigation_after_review"]
T4_OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
T4_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
             "pending": "尚未审结", "total": "总计"}

# (group0, group1, label) for every table-3 row; None = the label spans the
# group columns.  Numbering is written with "{n}" placeholders so that the
# style of a report can choose 1． 1. 1、 and （一） (一).
T3_LABELS = {
    "new_received": (None, None, "一、本年新收政府信息公开申请数量"),
    "carried_over": (None, None, "二、上年结转政府信息公开申请数量"),
    "granted": ("三、本年度办理结果", None, "(1)予以公开"),
    "partially_granted": ("三、本年度办理结果", None, "(2)部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "denied_state_secret": ("三、本年度办理结果", "(3)不予公开", "1#属于国家秘密"),
    "denied_prohibited_by_law": ("三、本年度办理结果", "(3)不予公开", "2#其他法律行政法规禁止公开"),
    "denied_three_securities": ("三、本年度办理结果", "(3)不予公开", "3#危及“三安全一稳定”"),
    "denied_third_party_rights": ("三、本年度办理结果", "(3)不予公开", "4#保护第三方合法权益"),
    "denied_internal_affairs": ("三、本年度办理结果", "(3)不予公开", "5#属于三类内部事务信息"),
    "denied_process_information": ("三、本年度办理结果", "(3)不予公开", "6#属于四类过程性信息"),
    "denied_enforcement_files": ("三、本年度办理结果", "(3)不予公开", "7#属于行政执法案卷"),
    "denied_administrative_query": ("三、本年度办理结果", "(3)不予公开", "8#属于行政查询事项"),
    "unable_not_held": ("三、本年度办理结果", "(4)无法提供", "1#本机关不掌握相关政府信息"),
    "unable_needs_creation": ("三、本年度办理结果", "(4)无法提供", "2#没有现成信息需要另行制作"),
    "unable_unclear": ("三、本年度办理结果", "(4)无法提供", "3#补正后申请内容仍不明确"),
    "not_processed_petition": ("三、本年度办理结果", "(5)不予处理", "1#信访举报投诉类申请"),
    "not_processed_repeated": ("三、本年度办理结果", "(5)不予处理", "2#重复申请"),
    "not_processed_publication": ("三、本年度办理结果", "(5)不予处理", "3#要求提供公开出版物"),
    "not_processed_excessive": ("三、本年度办理结果", "(5)不予处理", "4#无正当理由大量反复申请"),
    "not_processed_confirmation": ("三、本年度办理结果", "(5)不予处理", "5#要求行政机关确认或重新出具已获取信息"),
    "other_handling": ("三、本年度办理结果", None, "(6)其他处理"),
    "other_no_correction": ("三、本年度办理结果", "(6)其他处理", "1#申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other_unpaid_fee": ("三、本年度办理结果", "(6)其他处理", "2#申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_misc": ("三、本年度办理结果", "(6)其他处理", "3#其他"),
    "total_processed": ("三、本年度办理结果", None, "(7)总计"),
    "carried_forward": (None, None, "四、结转下年度继续办理"),
}
CN_NUM = "一二三四五六七八九十"


@dataclass
class Cell:
    text: str = ""
    rs: int = 1
    cs: int = 1
    role: str = "label"      # label | head | fig | title


@dataclass
class Table:
    name: str                # active_disclosure | requests | review_litigation
    grid: list               # list[list[Cell]]
    header_rows: int = 0
    heading: str | None = None   # a line printed just above the table


@dataclass
class Style:
    """Everything random about how one report prints its figures and labels."""
    brackets: str = "full"       # full （一） | ascii (一)
    dot: str = "．"              # ． . 、
    fullwidth_digits: bool = False
    thousands: bool = False
    plus_sign: bool = True
    wrap_rows: set = field(default_factory=set)   # table-3 row keys whose label wraps
    wrap_parts: int = 2
    split_rows: set = field(default_factory=set)  # label split over spans (html/docx)
    ragged_rows: set = field(default_factory=set)
    t2_filler: str = "blank"     # blank | colspan | slash | dash
    t2_split: bool = False
    t4_style: str = "wide"       # wide | three | vertical
    money_mode: str = "wan"      # wan | wan_header | yuan_header | own_units
    header_wrap: bool = False
    t3_header_first: str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    # the template whose table-3 rows are printed, when not the report's own:
    # real 2021-template reports that kept the 2019 table 3 (one （六）其他处理 row)
    t3_rows_template: str | None = None
    # table-3 labels printed with words missing (row -> label as printed), as a
    # real report printed 「2.其他法律行政止公开」
    label_typos: dict = field(default_factory=dict)
    # table-3 row -> the applicant column whose cell the converter lost:
    # the row is printed one cell short, with no trace of which
    lost_cells: dict = field(default_factory=dict)


def q2(x: float | Decimal, places: str = "0.01") -> Decimal:
    return Decimal(str(x)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


# ----------------------------------------------------------------------------- figures

def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Integer split of total by weights (exact sum)."""
    if total <= 0:
        return [0] * len(weights)
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (raw[i] - out[i]) + rng.random() * 1e-3, reverse=True)
    for i in order[:rest]:
        out[i] += 1
    return out


def make_requests(rng: random.Random, template: str, scale: int) -> dict:
    rows = t3_rows(template)
    outs = OUTCOMES[template]
    table = {r: {} for r in rows}
    base_w = {o: 0.05 for o in outs}
    base_w.update(granted=6, partially_granted=1.5, unable_not_held=3, denied_administrative_query=0.6,
                  not_processed_petition=0.6, not_processed_repeated=0.5, unable_needs_creation=0.4)
    for o in outs:
        if o.startswith("other_"):
            base_w[o] = 0.6
    for a in APPLICANTS:
        if a == "natural_person":
            n = rng.randint(0, scale)
        elif rng.random() < 0.5:
            n = rng.randint(0, max(2, scale // 10))
        else:
            n = 0
        c = rng.randint(0, max(0, n // 12)) if rng.random() < 0.5 else 0
        f = rng.randint(0, max(0, (n + c) // 10)) if rng.random() < 0.5 else 0
        p = n + c - f
        w = [base_w[o] * rng.uniform(0.0, 2.0) * (0 if rng.random() < 0.3 else 1) for o in outs]
        if sum(w) == 0:
            w[0] = 1.0
        split = _split(rng, p, w)
        table["new_received"][a] = n
        table["carried_over"][a] = c
        for o, v in zip(outs, split):
            table[o][a] = v
        table["total_processed"][a] = p
        table["carried_forward"][a] = f
    for r in rows:
        table[r]["total"] = sum(table[r][a] for a in APPLICANTS)
    return table


def make_review(rng: random.Random, scale: int) -> dict:
    out = {}
    for p in PROCEEDINGS:
        m = max(1, scale // (60 if p == "administrative_review" else 150))
        vals = {k: (rng.randint(0, m) if rng.random() < 0.6 else 0) for k in ["upheld", "corrected", "other", "pending"]}
        vals["total"] = sum(vals.values())
        out[p] = vals
    return out


def make_active(rng: random.Random, template: str, scale: int) -> dict:
    big = scale > 300
    def docs():
        return rng.randint(0, 3) if not big else rng.randint(0, 40)
    if template == "2019":
        reg_new = docs() if big else 0
        nd_new = docs()
        a1 = {"regulations": {"new_made": reg_new, "new_published": reg_new,
                              "total_published": reg_new + (rng.randint(0, 300) if big else 0)},
              "normative_documents": {"new_made": nd_new, "new_published": max(0, nd_new - rng.randint(0, 1)),
                                      "total_published": nd_new + rng.randint(0, 400)}}
        def item(maxd):
            prior = rng.randint(0, 600)
            ch = rng.randint(-min(prior, 30), 40)
            return {"prior_year_items": prior, "change": ch, "decisions": rng.randint(0, maxd)}
        a5 = {"administrative_licensing": item(60000), "other_administrative_services": item(30000)}
        a6 = {"administrative_penalty": item(8000), "administrative_coercion": item(500)}
        fp = rng.randint(0, 60)
        a8 = {"administrative_fees": {"prior_year_items": fp, "change": rng.randint(-min(fp, 5), 5)}}
        items = rng.randint(0, 500) if rng.random() < 0.85 else 0
        if items == 0:
            amt = 0.0
        else:
            per = rng.choice([rng.uniform(0.5, 30), rng.uniform(5, 200)])
            amt = min(100000.0, items * per)
            if rng.random() < 0.25:
                amt = float(max(100, int(amt / 100) * 100))   # printable as 亿 with one/two decimals
            amt = float(q2(amt))
        a9 = {"centralized_procurement": {"procurement_items": items, "procurement_amount": amt}}
        return {"art20_1": a1, "art20_5": a5, "art20_6": a6, "art20_8": a8, "art20_9": a9}
    reg_i = docs() if big else 0
    nd_i = docs()
    a1 = {"regulations": {"issued": reg_i, "repealed": rng.randint(0, 2) if big else 0,
                          "in_force": reg_i + (rng.randint(0, 120) if big else 0)},
          "normative_documents": {"issued": nd_i, "repealed": rng.randint(0, 10),
                                  "in_force": nd_i + rng.randint(0, 200)}}
    a5 = {"administrative_licensing": {"decisions": rng.randint(0, 500000 if big else 20000)}}
    a6 = {"administrative_penalty": {"decisions": rng.randint(0, 400000 if big else 5000)},
          "administrative_coercion": {"decisions": rng.randint(0, 9000 if big else 300)}}
    r = rng.random()
    if r < 0.25:
        fee = 0.0
    elif r < 0.6:
        fee = float(q2(rng.uniform(0.1, 500), "0.001" if rng.random() < 0.3 else "0.01"))
    else:
        fee = float(q2(rng.uniform(100, 50000)))
    a8 = {"administrative_fees": {"fee_amount": fee}}
    return {"art20_1": a1, "art20_5": a5, "art20_6": a6, "art20_8": a8}


# ----------------------------------------------------------------------------- printing figures

FW = str.maketrans("0123456789-+.,", "０１２３４５６７８９－＋．，")


def fmt_int(v: int, st: Style, rng: random.Random, signed: bool = False) -> str:
    s = f"{abs(v):,}" if (st.thousands and abs(v) >= 1000) else str(abs(v))
    if v < 0:
        s = "-" + s
    elif signed and v > 0 and st.plus_sign:
        s = "+" + s
    if st.fullwidth_digits:
        s = s.translate(FW)
    return s


def _dec_str(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s


def fmt_money(wan: float, st: Style, rng: random.Random, header_unit: str) -> str:
    """Printed text of an amount of `wan` 万元 under a header in `header_unit`."""
    d = q2(wan, "0.001")
    if st.money_mode == "own_units":
        choice = rng.random()
        if d == 0:
            s = "0"
        elif d % 100 == 0 and d >= 100 and choice < 0.4:
            s = _dec_str(d / 10000) + "亿元"
        elif choice < 0.7 and (d * 10000) == (d * 10000).to_integral_value():
            y = int(d * 10000)
            s = (f"{y:,}" if st.thousands else str(y)) + "元"
        else:
            s = _dec_str(d) + rng.choice(["万", "万元"])
    elif header_unit == "元":
        y = d * 10000
        if y == y.to_integral_value():
            s = f"{int(y):,}" if st.thousands else str(int(y))
        else:
            s = format(q2(y), ",f" if st.thousands else "f")
    else:
        s = _dec_str(d)
        if st.thousands and d >= 1000:
            ip, _, fp = s.partition(".")
            s = f"{int(ip):,}" + ("." + fp if fp else "")
    if st.fullwidth_digits:
        s = s.translate(FW)
    return s


# ----------------------------------------------------------------------------- labels

def fmt_label(raw: str, st: Style) -> str:
    out = raw
    for i in range(1, 8):
        cn = CN_NUM[i - 1]
        out = out.replace(f"({i})", f"（{cn}）" if st.brackets == "full" else f"({cn})")
    if "#" in out:
        n, rest = out.split("#", 1)
        out = n + st.dot + rest
    if st.brackets == "ascii":
        out = out.replace("（区分", "(区分").replace("情形）", "情形)")
    return out


def wrap_text(text: str, parts: int) -> str:
    """Break a label into `parts` printed lines (never inside its number)."""
    if len(text) < 6:
        return text
    n = len(text)
    cut = [round(n * k / parts) for k in range(1, parts)]
    cut = [max(4, c) for c in cut]
    pieces, prev = [], 0
    for c in cut:
        if c <= prev:
            continue
        pieces.append(text[prev:c])
        prev = c
    pieces.append(text[prev:])
    return "\n".join(p for p in pieces if p)


def split_runs(text: str) -> str:
    n = len(text)
    if n < 4:
        return text
    c = n // 2
    return text[:c] + "\x1f" + text[c:]


# ----------------------------------------------------------------------------- grids

def build_t2(truth: dict, template: str, st: Style, rng: random.Random, cell_text: dict) -> list[Table]:
    def art_title(k):
        n = {"art20_1": "一", "art20_5": "五", "art20_6": "六", "art20_8": "八", "art20_9": "九"}[k]
        return f"第二十条第（{n}）项" if st.brackets == "full" else f"第二十条第({n})项"
    if template == "2019":
        spec = [
            ("art20_1", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
             [("regulations", "规章"), ("normative_documents", "规范性文件")], ["new_made", "new_published", "total_published"]),
            ("art20_5", ["上一年项目数量", "本年增/减", "处理决定数量"],
             [("administrative_licensing", "行政许可"), ("other_administrative_services", "其他对外管理服务事项")],
             ["prior_year_items", "change", "decisions"]),
            ("art20_6", ["上一年项目数量", "本年增/减", "处理决定数量"],
             [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
             ["prior_year_items", "change", "decisions"]),
            ("art20_8", ["上一年项目数量", "本年增/减"], [("administrative_fees", "行政事业性收费")],
             ["prior_year_items", "change"]),
            ("art20_9", ["采购项目数量", cell_text["_money_header"]], [("centralized_procurement", "政府集中采购")],
             ["procurement_items", "procurement_amount"]),
        ]
    else:
        nd = "行政规范性文件" if rng.random() < 0.8 else "规范性文件"
        spec = [
            ("art20_1", ["本年制发件数", "本年废止件数", "现行有效件数"],
             [("regulations", "规章"), ("normative_documents", nd)], ["issued", "repealed", "in_force"]),
            ("art20_5", ["本年处理决定数量"], [("administrative_licensing", "行政许可")], ["decisions"]),
            ("art20_6", ["本年处理决定数量"], [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
             ["decisions"]),
            ("art20_8", [cell_text["_money_header"]], [("administrative_fees", "行政事业性收费")], ["fee_amount"]),
        ]
    present = truth["active_disclosure"]
    tables, grid = [], []
    for art, heads, items, metrics in spec:
        if art not in present:
            continue
        g = [] if st.t2_split else grid
        if not st.t2_split:
            g.append([Cell(art_title(art), cs=4, role="title")])
        hrow = [Cell("信息内容", role="head")]
        pad = 3 - len(heads)
        hd = [h if not (st.header_wrap and len(h) >= 6 and "\n" not in h) else wrap_text(h, 2) for h in heads]
        for h in hd:
            hrow.append(Cell(h, role="head"))
        if pad:
            if len(heads) == 1 or st.t2_filler == "colspan":
                hrow[-1].cs += pad
            else:
                hrow += [Cell({"blank": "", "slash": "/", "dash": "——"}[st.t2_filler] if st.t2_filler != "blank" else "", role="head")
                         for _ in range(pad)]
        g.append(hrow)
        for ik, il in items:
            row = [Cell(il)]
            for m in metrics:
                row.append(Cell(cell_text[("active_disclosure", art, ik, m)], role="fig"))
            if pad:
                if len(metrics) == 1 or st.t2_filler == "colspan":
                    row[-1].cs += pad
                else:
                    row += [Cell({"blank": "", "slash": "/", "dash": "——"}[st.t2_filler], role="fig") for _ in range(pad)]
            g.append(row)
        if st.t2_split:
            tables.append(Table("active_disclosure", g, header_rows=1, heading=art_title(art)))
    if not st.t2_split:
        tables.append(Table("active_disclosure", grid, header_rows=0))
    return tables


def build_t3(template: str, st: Style, cell_text: dict) -> Table:
    rows = t3_rows(st.t3_rows_template or template)
    hw = st.header_wrap
    grid = [
        [Cell(st.t3_header_first, rs=3, cs=3, role="head"), Cell("申请人情况", cs=7, role="head")],
        [Cell("自然人", rs=2, role="head"), Cell("法人或其他组织", cs=5, role="head"), Cell("总计", rs=2, role="head")],
        [Cell(wrap_text(t, 2) if hw and len(t) >= 5 else t, role="head")
         for t in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]],
    ]
    # group spans
    g0_rows = [r for r in rows if T3_LABELS[r][0]]
    g1_count: dict = {}
    for r in rows:
        g1 = T3_LABELS[r][1]
        if g1:
            g1_count[g1] = g1_count.get(g1, 0) + 1
    seen0, seen1 = False, set()
    for r in rows:
        g0, g1, lab = T3_LABELS[r]
        label = fmt_label(st.label_typos.get(r, lab), st)
        if r in st.wrap_rows:
            label = wrap_text(label, st.wrap_parts)
        elif r in st.split_rows:
            label = split_runs(label)
        row = []
        if g0 and not seen0:
            row.append(Cell(fmt_label(g0, st), rs=len(g0_rows)))
            seen0 = True
        if g1:
            g1t = fmt_label(g1, st)
            if g1 not in seen1:
                row.append(Cell(g1t, rs=g1_count[g1]))
                seen1.add(g1)
            row.append(Cell(label))
        else:
            span = 2 if g0 else 3
            if r in st.ragged_rows:
                row.append(Cell(label, cs=span - 1))
                row.append(Cell(""))
            else:
                row.append(Cell(label, cs=span))
        for a in APPLICANT_COLS:
            if st.lost_cells.get(r) != a:
                row.append(Cell(cell_text[("requests", r, a)], role="fig"))
        grid.append(row)
    return Table("requests", grid, header_rows=3)


def build_t4(st: Style, cell_text: dict) -> list[Table]:
    hw = st.header_wrap
    def lab(o):
        t = T4_LABELS[o]
        return wrap_text(t, 2) if hw and len(t) == 4 else t
    if st.t4_style == "wide":
        grid = [[Cell("行政复议", cs=5, role="head"), Cell("行政诉讼", cs=10, role="head")],
                [Cell(lab(o), rs=2, role="head") for o in T4_OUTCOMES]
                + [Cell("未经复议直接起诉", cs=5, role="head"), Cell("复议后起诉", cs=5, role="head")],
                [Cell(lab(o), role="head") for o in T4_OUTCOMES] * 2,
                [Cell(cell_text[("review_litigation", p, o)], role="fig") for p in PROCEEDINGS for o in T4_OUTCOMES]]
        return [Table("review_litigation", grid, header_rows=3)]
    if st.t4_style == "three":
        heads = {"administrative_review": "（一）行政复议",
                 "litigation_direct": "（二）行政诉讼（未经复议直接起诉）",
                 "litigation_after_review": "（三）行政诉讼（复议后起诉）"}
        out = []
        for p in PROCEEDINGS:
            grid = [[Cell(lab(o), role="head") for o in T4_OUTCOMES],
                    [Cell(cell_text[("review_litigation", p, o)], role="fig") for o in T4_OUTCOMES]]
            out.append(Table("review_litigation", grid, header_rows=1, heading=heads[p]))
        return out
    # vertical: one figure per line
    names = {"administrative_review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
             "litigation_after_review": "行政诉讼（复议后起诉）"}
    grid = [[Cell("类别", cs=2, role="head"), Cell("数量", role="head")]]
    for p in PROCEEDINGS:
        for i, o in enumerate(T4_OUTCOMES):
            row = []
            if i == 0:
                row.append(Cell(names[p], rs=5))
            row += [Cell(T4_LABELS[o]), Cell(cell_text[("review_litigation", p, o)], role="fig")]
            grid.append(row)
    return [Table("review_litigation", grid, header_rows=1)]


def expand(grid: list) -> list:
    """Place cells: matrix[r][c] = (cell, dr, dc) where (dr, dc) is the
    offset from the cell's origin; None where nothing sits."""
    ncols = max(sum(c.cs for c in row) for row in grid[:1]) if grid else 0
    occ: dict = {}
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in occ:
                c += 1
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    occ[(r + dr, c + dc)] = (cell, dr, dc)
            c += cell.cs
        ncols = max(ncols, c)
    nrows = len(grid)
    return [[occ.get((r, c)) for c in range(ncols)] for r in range(nrows)]

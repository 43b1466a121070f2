"""Blind generator, part 2: one report = agency + year + truth + how it
prints (style) + the document as a list of blocks for the renderers."""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from .content import (APPLICANT_COLS, APPLICANTS, PROCEEDINGS, T3_LABELS, T4_OUTCOMES, Style, Table, build_t2,
                      build_t3, build_t4, fmt_int, fmt_money, t3_rows, OUTCOMES)

REGIONS = {
    "江苏省": {"淮安市": ["淮阴区", "清江浦区", "淮安区", "洪泽区", "涟水县", "盱眙县", "金湖县"],
              "宿迁市": ["宿城区", "宿豫区", "沭阳县", "泗阳县", "泗洪县"],
              "徐州市": ["鼓楼区", "云龙区", "丰县", "沛县", "睢宁县", "邳州市", "新沂市"]},
    "浙江省": {"杭州市": ["拱墅区", "西湖区", "滨江区", "萧山区", "桐庐县", "淳安县", "建德市"],
              "湖州市": ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]},
    "山东省": {"淄博市": ["张店区", "淄川区", "博山区", "临淄区", "桓台县", "高青县"],
              "潍坊市": ["潍城区", "寒亭区", "青州市", "诸城市", "寿光市", "临朐县"]},
    "山西省": {"吕梁市": ["离石区", "汾阳市", "孝义市", "文水县", "交城县"]},
    "四川省": {"成都市": ["锦江区", "青羊区", "金牛区", "武侯区", "双流区", "郫都区", "金堂县"]},
}
DEPTS = ["人民政府", "人民政府办公室", "发展和改革局", "民政局", "公安局", "财政局", "司法局",
         "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "教育局", "卫生健康委员会",
         "市场监督管理局", "人力资源和社会保障局", "农业农村局", "应急管理局", "退役军人事务局"]
CITY_DEPTS = ["人民政府", "人民政府办公室", "发展和改革委员会", "民政局", "公安局", "财政局", "司法局",
              "住房和城乡建设局", "教育局", "市场监督管理局"]
TOWNS = ["城关镇", "王营镇", "高沟镇", "南陈集镇", "新城街道", "和平街道", "文昌街道"]

LAYOUTS = ["cell_per_line", "blank_line", "pipe", "markdown", "tab_rows", "pdftotext", "html", "docx", "pdf"]
FORMAT_OF = {"cell_per_line": "text", "blank_line": "text", "pipe": "text", "tab_rows": "text",
             "pdftotext": "text", "markdown": "markdown", "html": "html", "docx": "docx", "pdf": "pdf"}


@dataclass
class Agency:
    province: str
    city: str
    county: str | None
    name: str                 # as printed in the title
    alternatives: list
    site: str                 # the portal that publishes it


def pick_agency(rng: random.Random) -> Agency:
    prov = rng.choice(sorted(REGIONS))
    city = rng.choice(sorted(REGIONS[prov]))
    r = rng.random()
    if r < 0.22:
        dept = rng.choice(CITY_DEPTS)
        short = city + dept
        alts = [prov + short]
        if dept.startswith("人民政府"):
            alts.append(city + dept.replace("人民政府", "政府"))
        return Agency(prov, city, None, short, alts, f"{city}人民政府")
    county = rng.choice(REGIONS[prov][city])
    if r < 0.3:
        town = rng.choice(TOWNS)
        base = county + town + ("人民政府" if town.endswith("镇") else "办事处")
        alts = [city + base, town + ("人民政府" if town.endswith("镇") else "办事处")]
        return Agency(prov, city, county, base, alts, f"{county}人民政府")
    dept = rng.choice(DEPTS)
    short = county + dept
    long = city + short
    alts = [long, prov + long]
    if dept.startswith("人民政府"):
        alts.append(county + dept.replace("人民政府", "政府"))
    if rng.random() < 0.2:      # printed with its city prefix
        return Agency(prov, city, county, long, [short] + alts[1:], f"{county}人民政府")
    return Agency(prov, city, county, short, alts, f"{county}人民政府")


@dataclass
class Report:
    agency: Agency
    year: int
    template: str
    layout: str
    status: str
    truth: dict                 # requests / review_litigation / active_disclosure (None when missing)
    style: Style
    cell_text: dict
    blocks: list = field(default_factory=list)
    defect: str | None = None
    rng_seed: int = 0


MARKERS = ["", "-", "—", "/", "无", "－", "——"]


def _scale(agency: Agency, rng: random.Random) -> int:
    n = agency.name
    if n.endswith("市人民政府") or n.endswith("市人民政府办公室"):
        return rng.choice([300, 1500, 5000])
    if "公安" in n or "自然资源" in n or "住房" in n or n.endswith("区人民政府") or n.endswith("县人民政府"):
        return rng.choice([40, 200, 900])
    return rng.choice([3, 12, 40, 120, 300])


def make_style(rng: random.Random, template: str, layout: str) -> Style:
    st = Style()
    st.brackets = "full" if rng.random() < 0.7 else "ascii"
    st.dot = rng.choice(["．", ".", "、", "．"])
    st.fullwidth_digits = rng.random() < 0.08
    st.thousands = rng.random() < 0.3
    st.plus_sign = rng.random() < 0.5
    rows = t3_rows(template)
    long_rows = [r for r in rows if r not in ("total_processed", "granted")]
    if rng.random() < 0.55:
        st.wrap_rows = set(rng.sample(long_rows, rng.randint(1, 5)))
        st.wrap_parts = rng.choice([2, 2, 3])
    if layout in ("html", "docx") and rng.random() < 0.5:
        st.split_rows = set(rng.sample([r for r in long_rows if r not in st.wrap_rows], 3))
    if rng.random() < 0.25:
        cands = ["new_received", "carried_over", "partially_granted", "carried_forward"]
        if template == "2019":
            cands.append("other_handling")
        st.ragged_rows = set(rng.sample(cands, rng.randint(1, 2))) - st.wrap_rows
    st.t2_filler = rng.choice(["blank", "colspan", "slash", "dash"])
    st.t2_split = rng.random() < (0.6 if layout == "markdown" else 0.2)
    st.t4_style = rng.choices(["wide", "three", "vertical"], [0.6, 0.25, 0.15])[0]
    st.money_mode = rng.choices(["wan", "wan_header", "yuan_header", "own_units"], [0.35, 0.25, 0.2, 0.2])[0]
    st.header_wrap = rng.random() < 0.35
    if rng.random() < 0.3:
        st.t3_header_first = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"[:-1] if rng.random() < 0.3 else ""
    return st


def _money_header(st: Style, template: str, rng: random.Random) -> tuple[str, str]:
    lb, rb = ("（", "）") if rng.random() < 0.6 else ("(", ")")
    if template == "2019":
        base = "采购总金额"
        if st.money_mode in ("wan", "own_units"):
            return base, "万元"
        if st.money_mode == "wan_header":
            return base + lb + "万元" + rb, "万元"
        return (base + lb + "\n元" + rb if rng.random() < 0.6 else base + lb + "元" + rb), "元"
    colon = "：" if lb == "（" else ":"
    if st.money_mode == "yuan_header":
        return (f"本年收费金额{lb}单位{colon}\n元{rb}" if rng.random() < 0.5 else f"本年收费金额{lb}单位{colon}元{rb}"), "元"
    if st.header_wrap:
        return f"本年收费金额{lb}单位{colon}\n万元{rb}", "万元"
    return f"本年收费金额{lb}单位{colon}万元{rb}", "万元"


# A 2021-template report that prints the 2019 table 3 (（六）其他处理 as one
# row under the 2021 table 2), as two of three real Jiangsu PDFs did.
OLD_TABLE3_SHARE = 0.06
OTHER_SUBROWS = ("other_no_correction", "other_unpaid_fee", "other_misc")
# Reports printing one table-3 sub-row's label with two characters missing.
LABEL_TYPO_SHARE = 0.05
# Text, HTML and Markdown reports whose converter lost one table-3 figure
# cell: the row prints one cell short, so none of its figures is known.
# (A Word or PDF table keeps its cells where they stand: not drawn there.)
LOST_CELL_SHARE = 0.04
LOST_CELL_FORMATS = ("text", "html", "markdown")


def make_report(rng: random.Random, agency: Agency, year: int, layout: str, invalid: bool,
                truth: dict | None = None, variants: random.Random | None = None) -> Report:
    """One report; `truth` (tables 2, 3 and 4 as figures) when the caller
    made the figures itself (synth.blind.series: a body over several years).
    `variants` draws the rarer real-world variants (its own stream, so the
    reports of a seed that draw none print as they did before)."""
    template = "2019" if year <= 2020 else "2021"
    from .content import make_active, make_requests, make_review
    if truth is None:
        scale = _scale(agency, rng)
        truth = {"requests": make_requests(rng, template, scale),
                 "review_litigation": make_review(rng, scale),
                 "active_disclosure": make_active(rng, template, scale)}
    else:
        truth = copy.deepcopy(truth)
    st = make_style(rng, template, layout)
    printed_override: dict = {}
    # table 2: a blank/dash cell is fine
    if rng.random() < 0.15:
        if template == "2021" and rng.random() < 0.6:
            k = ("active_disclosure", "art20_8", "administrative_fees", "fee_amount")
        else:
            a = rng.choice(sorted(truth["active_disclosure"]))
            i = rng.choice(sorted(truth["active_disclosure"][a]))
            m = rng.choice(sorted(truth["active_disclosure"][a][i]))
            k = ("active_disclosure", a, i, m)
        truth[k[0]][k[1]][k[2]][k[3]] = None
        printed_override[k] = rng.choice(["", "", "-", "/", "—", "无"])
    defect = None
    if invalid:
        kind = rng.choices(["arith3", "arith4", "blank3", "blank4", "missing"], [0.3, 0.15, 0.25, 0.15, 0.15])[0]
        defect = kind
        if kind == "arith3":
            rows = t3_rows(template)
            r = rng.choice(rows)
            a = rng.choice(APPLICANT_COLS)
            v = truth["requests"][r][a]
            truth["requests"][r][a] = v + rng.choice([1, 2, 3, 10]) if (v == 0 or rng.random() < 0.5) else v - 1
            defect = f"arith3:{r}/{a}"
        elif kind == "arith4":
            p = rng.choice(PROCEEDINGS)
            o = rng.choice(T4_OUTCOMES)
            truth["review_litigation"][p][o] += rng.choice([1, 2, 5])
            defect = f"arith4:{p}/{o}"
        elif kind == "blank3":
            for _ in range(rng.choice([1, 1, 2, 6])):
                r = rng.choice(t3_rows(template))
                a = rng.choice(APPLICANT_COLS)
                truth["requests"][r][a] = None
                printed_override[("requests", r, a)] = rng.choice(MARKERS)
            defect = "blank3"
        elif kind == "blank4":
            p = rng.choice(PROCEEDINGS)
            o = rng.choice(T4_OUTCOMES)
            truth["review_litigation"][p][o] = None
            printed_override[("review_litigation", p, o)] = rng.choice(MARKERS)
            defect = f"blank4:{p}/{o}"
        else:
            t = rng.choice(["requests", "review_litigation", "active_disclosure"])
            truth[t] = None
            defect = f"missing:{t}"
    if (variants is not None and template == "2021" and truth["requests"] is not None
            and variants.random() < OLD_TABLE3_SHARE):
        # the one printed row is the sum of the three it stands for; those
        # three are not in the report, so it is incomplete (invalid)
        st.t3_rows_template = "2019"
        req = truth["requests"]
        req["other_handling"] = {a: None if any(req[r][a] is None for r in OTHER_SUBROWS)
                                 else sum(req[r][a] for r in OTHER_SUBROWS) for a in req["other_misc"]}
        for r in OTHER_SUBROWS:
            req[r] = dict.fromkeys(req[r])
        invalid = True
        defect = f"{defect}+old_table3" if defect else "old_table3"
    if variants is not None and truth["requests"] is not None and variants.random() < LABEL_TYPO_SHARE:
        # a sub-row's label printed with two characters missing: the row is
        # still that row (its number under its group says which)
        rows = [r for r in t3_rows(st.t3_rows_template or template) if T3_LABELS[r][1]]
        r = variants.choice(rows)
        number, words = T3_LABELS[r][2].split("#", 1)
        if len(words) >= 5:
            at = variants.randrange(1, len(words) - 2)
            st.label_typos[r] = f"{number}#{words[:at]}{words[at + 2:]}"
    if (variants is not None and truth["requests"] is not None and FORMAT_OF[layout] in LOST_CELL_FORMATS
            and variants.random() < LOST_CELL_SHARE):
        r = variants.choice(t3_rows(st.t3_rows_template or template))
        st.lost_cells[r] = variants.choice(APPLICANT_COLS)
        truth["requests"][r] = dict.fromkeys(truth["requests"][r])
        invalid = True
        defect = f"{defect}+lost_cell" if defect else "lost_cell"
    # printed texts
    cell_text: dict = {}
    mh, unit = _money_header(st, template, rng)
    cell_text["_money_header"] = mh
    if truth["requests"] is not None:
        for r, cols in truth["requests"].items():
            for a, v in cols.items():
                cell_text[("requests", r, a)] = fmt_int(v, st, rng) if v is not None else ""
    if truth["review_litigation"] is not None:
        for p, cols in truth["review_litigation"].items():
            for o, v in cols.items():
                cell_text[("review_litigation", p, o)] = fmt_int(v, st, rng) if v is not None else ""
    if truth["active_disclosure"] is not None:
        for a, items in truth["active_disclosure"].items():
            for i, ms in items.items():
                for m, v in ms.items():
                    k = ("active_disclosure", a, i, m)
                    if v is None:
                        cell_text[k] = ""
                    elif m in ("procurement_amount", "fee_amount"):
                        cell_text[k] = fmt_money(v, st, rng, unit)
                    else:
                        cell_text[k] = fmt_int(v, st, rng, signed=(m == "change"))
    cell_text.update(printed_override)
    rep = Report(agency, year, template, layout, "invalid" if invalid else "ok", truth, st, cell_text, defect=defect)
    rep.blocks = make_blocks(rng, rep)
    return rep


# ----------------------------------------------------------------------------- prose + blocks

def make_blocks(rng: random.Random, rep: Report) -> list:
    ag, y = rep.agency.name, rep.year
    st = rep.style
    b: list = []
    tstyle = rng.random()
    if tstyle < 0.5:
        b.append(("title", f"{ag}{y}年政府信息公开工作年度报告"))
    elif tstyle < 0.8:
        b.append(("title", f"{y}年政府信息公开工作年度报告"))
        b.append(("subtitle", f"（{ag}）" if rng.random() < 0.5 else ag))
    else:
        b.append(("title", f"{ag}{y}年度政府信息公开工作年度报告"))
    if rng.random() < 0.5:
        b.append(("para", f"本报告由{ag}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
                          f"《中华人民共和国政府信息公开工作年度报告格式》要求编制。本报告所列数据的统计期限自"
                          f"{y}年1月1日起至{y}年12月31日止。"))
    else:
        b.append(("para", f"根据《中华人民共和国政府信息公开条例》规定，现公布{ag}{y}年政府信息公开工作年度报告。"
                          f"本年度报告中所列数据统计期限从{y}年1月1日到12月31日止。如对本报告有任何疑问，"
                          f"请与{ag}办公室联系。"))
    b.append(("heading", "一、总体情况"))
    req = rep.truth["requests"]
    n_new = req["new_received"]["total"] if req and req["new_received"]["total"] is not None else None
    b.append(("para", f"{y}年，{ag}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于"
                      f"政务公开工作的部署要求，围绕中心工作，持续深化政务公开，不断提升政府工作透明度。"))
    b.append(("para", "（一）主动公开。严格落实主动公开基本目录，通过门户网站、政务新媒体等渠道及时发布政策文件、"
                      "财政预决算、重点领域信息。"))
    if n_new is not None and rep.status == "ok":
        b.append(("para", f"（二）依申请公开。全年共收到政府信息公开申请{n_new}件，均在法定期限内答复。"))
    else:
        b.append(("para", "（二）依申请公开。规范依申请公开办理流程，严格按照法定时限答复。"))
    b.append(("para", "（三）政府信息管理。健全信息发布审核机制，落实“先审后发”制度。"))
    b.append(("para", "（四）平台建设。加强政府网站和政务新媒体管理，优化信息公开专栏。"))
    b.append(("para", "（五）监督保障。将政务公开纳入年度绩效考核，组织开展业务培训。"))
    b.append(("heading", "二、主动公开政府信息情况"))
    if rep.truth["active_disclosure"] is not None:
        b += [("table", t) for t in build_t2(rep.truth, rep.template, st, rng, rep.cell_text)]
    b.append(("heading", "三、收到和处理政府信息公开申请情况"))
    if rep.truth["requests"] is not None:
        b.append(("table", build_t3(rep.template, st, rep.cell_text)))
    else:
        b.append(("para", "本年度依申请公开工作情况另行统计。"))
    b.append(("heading", "四、政府信息公开行政复议、行政诉讼情况"))
    if rep.truth["review_litigation"] is not None:
        b += [("table", t) for t in build_t4(st, rep.cell_text)]
    b.append(("heading", "五、存在的主要问题及改进情况"))
    b.append(("para", "一是政策解读形式还不够丰富；二是基层政务公开标准化规范化水平有待提升。下一步，"
                      "我们将进一步加强政策解读，丰富解读形式，推动政务公开工作再上新台阶。"))
    b.append(("heading", "六、其他需要报告的事项"))
    b.append(("para", rng.choice(["无。", "本年度未收取信息处理费。", "无其他需要报告的事项。"])))
    sig = ag if rng.random() < 0.7 else (rep.agency.alternatives[0] if rep.agency.alternatives else ag)
    b.append(("sign", sig))
    b.append(("sign", f"{y + 1}年1月{rng.randint(10, 28)}日"))
    return b


def truth_entry(rep: Report, path_encoding: str | None, bom: bool) -> dict:
    t = rep.truth
    present = [k for k in ("active_disclosure", "requests", "review_litigation") if t[k] is not None]
    return {
        "kind": "report", "status": rep.status, "template": rep.template, "year": rep.year,
        "agency": rep.agency.name, "agency_alternatives": list(dict.fromkeys(
            a for a in rep.agency.alternatives if a != rep.agency.name)),
        "encoding": path_encoding, "bom": bom, "layout": rep.layout, "format": FORMAT_OF[rep.layout],
        "tables_present": present,
        "requests": copy.deepcopy(t["requests"]), "review_litigation": copy.deepcopy(t["review_litigation"]),
        "active_disclosure": copy.deepcopy(t["active_disclosure"]),
        "defect": rep.defect,
        "style": {"t4": rep.style.t4_style, "money": rep.style.money_mode, "t2_split": rep.style.t2_split,
                  "label_typos": dict(rep.style.label_typos),
                  "wrap_rows": sorted(rep.style.wrap_rows), "ragged_rows": sorted(rep.style.ragged_rows),
                  "fullwidth": rep.style.fullwidth_digits, "thousands": rep.style.thousands},
        "province": rep.agency.province, "city": rep.agency.city, "county": rep.agency.county,
    }

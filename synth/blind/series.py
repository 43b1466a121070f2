"""Blind corpus of bodies reporting over several years, for the checks
across documents: `python -m synth.blind.series --out DIR --bodies N --seed S`.

Each body (real-looking names, with confusable pairs: one county's
bureaus, one bureau in neighbouring counties, a government and its office,
a city's bureau and a county's, one district name in several cities)
publishes 2-4 consecutive annual reports (a year is sometimes missing),
its name printed differently from year to year.  Table 3's carried_over
of year N is the carried_forward of year N-1, except in a seeded fraction
of pairs where one of them was changed (the tables stay consistent).  The
prose states figures of tables 3 and 4 in varied wordings (prose_bank),
and in a seeded fraction of reports one or two stated figures differ from
the tables.  Files come in every format of synth.blind.

DIR/truth.json ("xxgk-truth/1", readable by synth.blind.score) adds per
report `body`, `cross_year` (the expected outcome of
carried_over_matches_previous_year) and `prose` (per measure: match,
contradicts, not_stated or ambiguous), and a `bodies` map.  Scored by
synth.blind.score_across.  Written from the report format and published
reports alone, independently of the project's parser.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import prose_bank as pb
from .content import APPLICANTS, OUTCOMES, _split, build_t2, build_t3, build_t4, make_active, make_review, t3_rows
from .generate import EXT, TEXT_ENCODINGS, render
from .report import FORMAT_OF, LAYOUTS, Agency, make_report, truth_entry

SERIES_FORMAT = "xxgk-truth/1"
ORGS = APPLICANTS[1:]

# province -> city -> counties (real places; 鼓楼区 is a district of three cities)
PLACES = {
    "江苏省": {"淮安市": ["淮阴区", "淮安区", "清江浦区", "洪泽区", "涟水县", "盱眙县", "金湖县"],
              "徐州市": ["鼓楼区", "云龙区", "泉山区", "丰县", "沛县", "睢宁县", "邳州市"],
              "南京市": ["鼓楼区", "玄武区", "秦淮区", "建邺区", "江宁区"],
              "宿迁市": ["宿城区", "宿豫区", "沭阳县", "泗阳县", "泗洪县"]},
    "福建省": {"福州市": ["鼓楼区", "台江区", "仓山区", "闽侯县", "连江县"]},
    "浙江省": {"杭州市": ["西湖区", "拱墅区", "滨江区", "萧山区", "桐庐县"],
              "湖州市": ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]},
    "山东省": {"淄博市": ["张店区", "淄川区", "博山区", "临淄区", "桓台县"],
              "潍坊市": ["潍城区", "寒亭区", "青州市", "诸城市", "寿光市"]},
    "四川省": {"成都市": ["锦江区", "青羊区", "金牛区", "武侯区", "双流区"]},
}
COUNTY_DEPTS = ["人民政府", "人民政府办公室", "发展和改革局", "民政局", "公安局", "财政局", "司法局",
                "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "教育局", "卫生健康委员会",
                "市场监督管理局", "人力资源和社会保障局", "农业农村局", "应急管理局", "退役军人事务局"]
CITY_DEPTS = ["人民政府", "人民政府办公室", "发展和改革委员会", "民政局", "公安局", "财政局", "司法局",
              "住房和城乡建设局", "教育局", "市场监督管理局", "自然资源和规划局"]
TOWNS = ["城关镇", "王营镇", "高沟镇", "新城街道", "城南街道"]

# deliberately confusable bodies, always in the corpus (as many as fit)
CONFUSABLE = [
    ("江苏省", "淮安市", "淮阴区", None, "人民政府办公室"),
    ("江苏省", "淮安市", "淮安区", None, "人民政府办公室"),
    ("江苏省", "淮安市", "淮阴区", None, "民政局"),
    ("江苏省", "淮安市", "淮安区", None, "民政局"),
    ("江苏省", "淮安市", "淮阴区", None, "人民政府"),
    ("江苏省", "淮安市", None, None, "民政局"),
    ("江苏省", "淮安市", None, None, "人民政府办公室"),
    ("江苏省", "徐州市", "鼓楼区", None, "人民政府"),
    ("江苏省", "南京市", "鼓楼区", None, "人民政府"),
    ("福建省", "福州市", "鼓楼区", None, "人民政府"),
    ("江苏省", "徐州市", "鼓楼区", None, "民政局"),
    ("江苏省", "南京市", "鼓楼区", None, "民政局"),
    ("江苏省", "淮安市", "涟水县", "城关镇", "人民政府"),
    ("江苏省", "宿迁市", "泗阳县", "城关镇", "人民政府"),
    ("浙江省", "杭州市", "西湖区", None, "财政局"),
    ("浙江省", "杭州市", "西湖区", None, "司法局"),
]


@dataclass
class Body:
    province: str
    city: str
    county: str | None
    town: str | None
    dept: str
    scale: int = 40
    years: list = field(default_factory=list)

    @property
    def official(self) -> str:
        return self.province + self.city + (self.county or "") + (self.town or "") + self.dept

    @property
    def id(self) -> str:
        return self.official

    def printed_names(self) -> list[tuple[str, float]]:
        """(name as a report prints it, weight): with or without the city
        or province, 人民政府 shortened to 政府, 政府办公室 to 政府办."""
        d, c, p = self.dept, self.city, self.province
        out: list = []
        if self.town:
            base = self.county + self.town + d
            out += [(base, 0.5), (c + base, 0.3), (self.town + d, 0.2)]
            return out
        if self.county:
            x = self.county
            out += [(x + d, 0.45), (c + x + d, 0.3), (p + c + x + d, 0.05)]
            if d.startswith("人民政府"):
                out += [(x + d.replace("人民政府", "政府", 1), 0.15), (c + x + d.replace("人民政府", "政府", 1), 0.05)]
            if d == "人民政府办公室":
                out += [(x + "政府办", 0.04)]
            return out
        out += [(c + d, 0.65), (p + c + d, 0.15)]
        if d.startswith("人民政府"):
            out += [(c + d.replace("人民政府", "政府", 1), 0.2)]
        return out

    def site(self) -> str:
        if self.county:
            return self.county + "人民政府"
        return self.city + "人民政府"


def _scale(body: Body, rng: random.Random) -> int:
    if body.dept == "人民政府" and not body.town:
        return rng.choice([200, 900] if body.county else [900, 3000])
    if body.dept == "人民政府办公室" or body.dept in ("公安局", "自然资源局", "自然资源和规划局", "住房和城乡建设局"):
        return rng.choice([40, 120, 400])
    return rng.choice([3, 8, 20, 60, 150])


def pick_bodies(rng: random.Random, n: int) -> list[Body]:
    bodies: dict = {}
    for p, c, x, t, d in CONFUSABLE[:max(0, min(len(CONFUSABLE), n // 2))]:
        b = Body(p, c, x, t, d)
        bodies[b.id] = b
    tries = 0
    while len(bodies) < n and tries < 100000:
        tries += 1
        p = rng.choice(sorted(PLACES))
        c = rng.choice(sorted(PLACES[p]))
        r = rng.random()
        if r < 0.25:
            b = Body(p, c, None, None, rng.choice(CITY_DEPTS))
        elif r < 0.32:
            x = rng.choice(PLACES[p][c])
            t = rng.choice(TOWNS)
            b = Body(p, c, x, t, "人民政府" if t.endswith("镇") else "办事处")
        else:
            b = Body(p, c, rng.choice(PLACES[p][c]), None, rng.choice(COUNTY_DEPTS))
        bodies.setdefault(b.id, b)
    out = list(bodies.values())
    for b in out:
        b.scale = _scale(b, rng)
        k = rng.choices([2, 3, 4], [0.3, 0.4, 0.3])[0]
        start = rng.randint(2019, 2026 - k)
        years = list(range(start, start + k))
        if k >= 3 and rng.random() < 0.1:         # a year not published (or not crawled)
            years.pop(rng.randrange(1, k - 1))
        b.years = years
    return out


# ----------------------------------------------------------------------------- tables over the years

def _vector(rng: random.Random, scale: int, small: bool) -> dict:
    out = {}
    for a in APPLICANTS:
        if a == "natural_person":
            out[a] = rng.randint(0, scale)
        elif rng.random() < 0.45:
            out[a] = rng.randint(0, max(2, scale // 10))
        else:
            out[a] = 0
    if small:
        out = {a: v // 12 if rng.random() < 0.6 else 0 for a, v in out.items()}
    return out


def make_t3(rng: random.Random, template: str, n: dict, c: dict, f: dict) -> dict:
    """Table 3 with these new / carried-over / carried-forward figures per
    applicant: consistent by construction (new is raised if the rest would
    make processed negative)."""
    rows = t3_rows(template)
    outs = OUTCOMES[template]
    table = {r: {} for r in rows}
    base_w = {o: 0.05 for o in outs}
    base_w.update(granted=6, partially_granted=1.5, unable_not_held=3, denied_administrative_query=0.6,
                  denied_third_party_rights=0.3, denied_process_information=0.3, not_processed_petition=0.6,
                  not_processed_repeated=0.5, unable_needs_creation=0.4)
    for o in outs:
        if o.startswith("other_"):
            base_w[o] = 0.6
    for a in APPLICANTS:
        p = n[a] + c[a] - f[a]
        if p < 0:
            n[a] -= p
            p = 0
        w = [base_w[o] * rng.uniform(0.0, 2.0) * (0 if rng.random() < 0.3 else 1) for o in outs]
        if sum(w) == 0:
            w[0] = 1.0
        table["new_received"][a] = n[a]
        table["carried_over"][a] = c[a]
        for o, v in zip(outs, _split(rng, p, w)):
            table[o][a] = v
        table["total_processed"][a] = p
        table["carried_forward"][a] = f[a]
    for r in rows:
        table[r]["total"] = sum(table[r][a] for a in APPLICANTS)
    return table


def _seed_change(rng: random.Random, vec: dict) -> list[str]:
    """Change one or two applicant figures of `vec` (a carried-over or
    carried-forward vector); sometimes by moving a figure between two
    applicants, so that the total agrees and only the parts differ."""
    if rng.random() < 0.12 and vec["natural_person"] >= 1:
        other = rng.choice(ORGS)
        d = rng.randint(1, vec["natural_person"])
        vec["natural_person"] -= d
        vec[other] += d
        return ["natural_person", other]
    cols = ["natural_person"] if rng.random() < 0.6 else [rng.choice(ORGS)]
    if rng.random() < 0.2:
        cols.append(rng.choice([a for a in APPLICANTS if a not in cols]))
    for a in cols:
        d = rng.choice([1, 1, 2, 3, 5, 10])
        if vec[a] >= d and rng.random() < 0.4:
            d = -d
        vec[a] += d
    return cols


def body_tables(rng: random.Random, body: Body, mismatch_rate: float) -> tuple[dict, dict]:
    """year -> {requests, review_litigation, active_disclosure}; year -> seeded change or None."""
    years = body.years
    n, c, f = {}, {}, {}
    for y in years:
        n[y] = _vector(rng, body.scale, False)
        if y - 1 in f:
            c[y] = dict(f[y - 1])
        else:
            c[y] = _vector(rng, body.scale, True)
        f[y] = {a: (rng.randint(0, (n[y][a] + c[y][a]) // 8) if rng.random() < 0.5 else 0) for a in APPLICANTS}
    seeded = {}
    for y in years:
        if y - 1 not in f or rng.random() >= mismatch_rate:
            seeded[y] = None
            continue
        if rng.random() < 0.5:
            cols = _seed_change(rng, c[y])
            seeded[y] = {"changed": "carried_over", "year": y, "applicants": cols}
        else:
            cols = _seed_change(rng, f[y - 1])
            seeded[y] = {"changed": "carried_forward", "year": y - 1, "applicants": cols}
    tables = {}
    for y in years:
        template = "2019" if y <= 2020 else "2021"
        tables[y] = {"requests": make_t3(rng, template, n[y], c[y], f[y]),
                     "review_litigation": make_review(rng, body.scale),
                     "active_disclosure": make_active(rng, template, body.scale)}
    return tables, seeded


# ----------------------------------------------------------------------------- prose

DENIED = ["denied_state_secret", "denied_prohibited_by_law", "denied_three_securities", "denied_third_party_rights",
          "denied_internal_affairs", "denied_process_information", "denied_enforcement_files",
          "denied_administrative_query"]


def table_values(tables: dict) -> dict:
    """Every placeholder's true figure from the tables."""
    t3, t4 = tables["requests"], tables["review_litigation"]
    tot = {r: v["total"] for r, v in t3.items()}
    unable = sum(tot[r] for r in tot if r.startswith("unable_"))
    notproc = sum(tot[r] for r in tot if r.startswith("not_processed_"))
    other = sum(tot[r] for r in tot if r.startswith("other_"))
    lit = ("litigation_direct", "litigation_after_review")
    return {
        "N": tot["new_received"], "C": tot["carried_over"], "G": tot["granted"], "P": tot["partially_granted"],
        "GP": tot["granted"] + tot["partially_granted"], "D": sum(tot[r] for r in DENIED),
        "R": t4["administrative_review"]["total"], "L": sum(t4[p]["total"] for p in lit),
        "NC": tot["new_received"] + tot["carried_over"], "T": tot["total_processed"], "F": tot["carried_forward"],
        "NP": t3["new_received"]["natural_person"], "LO": sum(t3["new_received"][a] for a in ORGS),
        "NPC": t3["new_received"]["natural_person"] + t3["carried_over"]["natural_person"],
        "LOC": sum(t3["new_received"][a] + t3["carried_over"][a] for a in ORGS),
        "UN": unable, "NPR": notproc, "OT": other,
        "DS": tot["denied_state_secret"], "DQ": tot["denied_administrative_query"],
        "Ru": t4["administrative_review"]["upheld"], "Rc": t4["administrative_review"]["corrected"],
        "Ro": t4["administrative_review"]["other"], "Rp": t4["administrative_review"]["pending"],
        "Lu": sum(t4[p]["upheld"] for p in lit), "Lp": sum(t4[p]["pending"] for p in lit),
        "Ld": t4["litigation_direct"]["total"], "La": t4["litigation_after_review"]["total"],
        "RL": t4["administrative_review"]["total"] + sum(t4[p]["total"] for p in lit),
    }


FW = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class ProseStyle:
    unit: str = "件"
    spaced: bool = False
    fullwidth: bool = False
    thousands: bool = False

    def num(self, v: int) -> str:
        s = f"{v:,}" if (self.thousands and v >= 1000) else str(v)
        if self.fullwidth:
            s = s.translate(FW)
        return f" {s} " if self.spaced else s


def _ok(s: pb.Sentence, v: dict) -> bool:
    w = s.when
    if not w:
        return True
    return {"RL0": v["R"] == 0 and v["L"] == 0, "R=L": v["R"] == v["L"], "C0": v["C"] == 0,
            "D>0": v["D"] > 0, "RL>0": v["RL"] > 0, "LO>0": v["LO"] > 0, "N0": v["N"] == 0}[w]


def _perturb(rng: random.Random, true: int) -> int:
    for _ in range(20):
        k = rng.random()
        if k < 0.5:
            v = true + rng.choice([1, 2, 3, -1, -2, 5])
        elif k < 0.65 and true > 0:
            v = true * 10 + rng.randint(0, 9)             # a digit too many
        elif k < 0.8 and true >= 10:
            v = int(str(true)[:-1])                        # a digit too few
        elif k < 0.9 and true >= 10:
            s = str(true)
            v = int(s[::-1]) if s[::-1] != s and not s.endswith("0") else true + 10
        else:
            v = true + rng.randint(4, 40)
        if v >= 0 and v != true:
            return v
    return true + 1


def _fill(s: pb.Sentence, vals: dict, ctx: dict, st: ProseStyle) -> str:
    out = {}
    for k, v in vals.items():
        out[k] = st.num(v)
    out.update(ctx)
    return s.text.format(u=st.unit, **out)


def make_prose(rng: random.Random, tables: dict, year: int, who: str, prev_tables: dict | None,
               contradiction_rate: float, justice: bool) -> tuple[dict, dict]:
    """The report's sentences by section, and the truth per measure."""
    true = table_values(tables)
    st = ProseStyle(unit=rng.choices(["件", "条", "宗"], [0.78, 0.15, 0.07])[0], spaced=rng.random() < 0.15,
                    fullwidth=rng.random() < 0.04, thousands=rng.random() < 0.3)
    prev = table_values(prev_tables) if prev_tables else None
    prevN = prev["N"] if prev and prev["N"] != true["N"] else true["N"] + rng.choice([-3, -1, 2, 7, 15])
    prevN = prevN if prevN >= 0 and prevN != true["N"] else true["N"] + 4
    prevR = prev["R"] if prev and prev["R"] != true["R"] else true["R"] + rng.choice([1, 2, 3])
    ctx = {"y": str(year), "yp": str(year - 1), "yn": str(year + 1),
           "yy": rng.choice([f"{year}年", f"{year}年度", "本年度", "全年"]),
           "who": who, "pct": f"{rng.uniform(1, 95):.1f}".rstrip("0").rstrip("."),
           "pct2": rng.choice(["100", "98.5", "99.2", "96"]),
           "updown": rng.choice(["增长", "下降", "增加", "减少"]),
           "diff": st.num(abs(true["N"] - prevN)), "K": st.num(rng.randint(12, 3000)),
           "K2": st.num(rng.randint(2, 60)), "prevN": st.num(prevN), "prevR": st.num(prevR)}
    chosen: list = []          # (section, Sentence)

    def pick(pool, section):
        options = [s for s in pool if _ok(s, true) and all(s is not c for _, c in chosen)]
        if options:
            chosen.append((section, rng.choice(options)))
            return chosen[-1][1]
        return None

    stated: set = set()
    if rng.random() < 0.75:
        s = pick(pb.NEW, rng.choice([1, 1, 1, 3]))
        stated |= s.stated if s else set()
    if "carried_over" not in stated and rng.random() < 0.35:
        pick(pb.CARRY, rng.choice([1, 3]))
    if rng.random() < 0.5:
        pick(pb.OUTCOME, rng.choice([1, 3]))
    if rng.random() < 0.5:
        pick(pb.REVIEW, rng.choice([1, 4, 4]))
    if rng.random() < 0.3:
        pick(pb.AMBIGUOUS, rng.choice([1, 3]))
    if justice and rng.random() < 0.7:
        pick(pb.JUSTICE, 1)
    for _ in range(rng.randint(1, 3)):
        pick(pb.DISTRACTORS, rng.choice([1, 2, 3, 6]))
    # what is stated plainly, and which of it to contradict
    plain = sorted({m for _, s in chosen for m in s.stated})
    contradicted: set = set()
    if plain and rng.random() < contradiction_rate:
        k = 1 if rng.random() < 0.8 or len(plain) < 2 else 2
        contradicted = set(rng.sample(plain, k))
    inv = {m: k for k, m in pb.PLACEHOLDER.items()}
    printed = dict(true)
    for m in contradicted:
        printed[inv[m]] = _perturb(rng, true[inv[m]])
    by_section: dict = {}
    for sec, s in chosen:
        vals = {k: (printed[k] if k in pb.PLACEHOLDER and pb.PLACEHOLDER[k] in s.stated else true[k]) for k in true}
        by_section.setdefault(sec, []).append(_fill(s, vals, ctx, st))
    ambiguous = {m for _, s in chosen for m in s.ambiguous}
    measures = {}
    tv = {pb.PLACEHOLDER[k]: true[k] for k in pb.PLACEHOLDER}
    for m in pb.MEASURES:
        if m in contradicted:
            measures[m] = {"outcome": "contradicts", "stated": printed[inv[m]], "table": tv[m]}
        elif m in plain:
            measures[m] = {"outcome": "match", "stated": tv[m], "table": tv[m]}
        elif m in ambiguous:
            measures[m] = {"outcome": "ambiguous", "table": tv[m]}
        else:
            measures[m] = {"outcome": "not_stated", "table": tv[m]}
    sentences = [{"section": sec, "text": t} for sec, ts in sorted(by_section.items()) for t in ts]
    return by_section, {"measures": measures, "sentences": sentences}


# ----------------------------------------------------------------------------- blocks

def make_blocks(rng: random.Random, rep, name: str, prose: dict) -> list:
    y, st = rep.year, rep.style
    b: list = []
    t = rng.random()
    if t < 0.45:
        b.append(("title", f"{name}{y}年政府信息公开工作年度报告"))
    elif t < 0.75:
        b.append(("title", f"{y}年政府信息公开工作年度报告"))
        b.append(("subtitle", f"（{name}）" if rng.random() < 0.5 else name))
    else:
        b.append(("title", f"{name}{y}年度政府信息公开工作年度报告"))
    b.append(("para", rng.choice([
        f"本报告由{name}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开"
        f"工作年度报告格式》要求编制。本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
        f"根据《中华人民共和国政府信息公开条例》规定，现公布{name}{y}年政府信息公开工作年度报告。本年度报告中所列"
        f"数据统计期限从{y}年1月1日到12月31日止。"])))

    def sec_paras(n):
        return prose.get(n, [])

    b.append(("heading", "一、总体情况"))
    b.append(("para", f"{y}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务"
                      f"公开工作的部署要求，持续深化政务公开，不断提升政府工作透明度。"))
    b.append(("para", "（一）主动公开。严格落实主动公开基本目录，通过门户网站、政务新媒体等渠道及时发布政策文件。"))
    own = sec_paras(1)
    if own:
        b.append(("para", "（二）依申请公开。" + "".join(own)))
    else:
        b.append(("para", "（二）依申请公开。规范依申请公开办理流程，严格按照法定时限答复。"))
    b.append(("para", "（三）政府信息管理。健全信息发布审核机制，落实“先审后发”制度。"))
    b.append(("para", "（四）监督保障。将政务公开纳入年度绩效考核，组织开展业务培训。"))
    b.append(("heading", "二、主动公开政府信息情况"))
    for s in sec_paras(2):
        b.append(("para", s))
    b += [("table", t) for t in build_t2(rep.truth, rep.template, st, rng, rep.cell_text)]
    b.append(("heading", "三、收到和处理政府信息公开申请情况"))
    for s in sec_paras(3):
        b.append(("para", s))
    b.append(("table", build_t3(rep.template, st, rep.cell_text)))
    b.append(("heading", "四、政府信息公开行政复议、行政诉讼情况"))
    four = sec_paras(4)
    after = rng.random() < 0.4
    if four and not after:
        b.append(("para", "".join(four)))
    b += [("table", t) for t in build_t4(st, rep.cell_text)]
    if four and after:
        b.append(("para", "".join(four)))
    b.append(("heading", "五、存在的主要问题及改进情况"))
    b.append(("para", "一是政策解读形式还不够丰富；二是基层政务公开标准化规范化水平有待提升。下一步，我们将进一步加强"
                      "政策解读，推动政务公开工作再上新台阶。"))
    b.append(("heading", "六、其他需要报告的事项"))
    six = sec_paras(6)
    b.append(("para", "".join(six) if six else rng.choice(["无。", "无其他需要报告的事项。"])))
    b.append(("sign", name))
    b.append(("sign", f"{y + 1}年1月{rng.randint(10, 28)}日"))
    return b


# ----------------------------------------------------------------------------- corpus

def _path(body: Body, name: str, year: int, fmt: str, rng: random.Random, taken: set) -> str:
    ext = rng.choice(EXT[fmt])
    county = body.county or "市本级"
    where = f"{body.province}/{body.city}/{county}"
    s = rng.random()
    if rng.random() < 0.06:       # a crawler's download folder: no region at all
        p = f"downloads/{year}/{hashlib.md5((name + str(year) + str(rng.random())).encode()).hexdigest()[:12]}{ext}"
    elif s < 0.4:
        p = f"{where}/{name}/{name}{year}年政府信息公开工作年度报告{ext}"
    elif s < 0.8:
        p = f"{where}/{year}/t{year + 1}01{rng.randint(10, 28)}_{rng.randint(1000000, 9999999)}{ext}"
    elif s < 0.95 and (body.county is None or body.county in name) and (not body.town or body.town in name):
        p = f"{body.province}/{body.city}/{name}/{year}年度政府信息公开年报{ext}"
    else:
        p = f"{where}/xxgk/ndbg/{rng.randint(100000, 999999)}{ext}"
    base, k = p, 2
    while p in taken:
        p = base[: -len(ext)] + f"_{k}{ext}"
        k += 1
    taken.add(p)
    return p


def _who(rng: random.Random, body: Body, name: str) -> str:
    if body.dept == "人民政府":
        return rng.choice([name, "我区" if (body.county or "").endswith("区") else "我县",
                           "本级政府"] if body.county and not body.town else [name, "我镇" if body.town else "我市"])
    return rng.choice([name, name, "我局" if body.dept.endswith("局") else "本机关", "本单位"])


def generate(out: Path, n_bodies: int, seed: int, mismatch_rate: float = 0.3, contradiction_rate: float = 0.25,
             twin_rate: float = 0.06, layouts: list | None = None) -> dict:
    rng = random.Random(seed)
    out = Path(out)
    inp = out / "input"
    if inp.exists():
        shutil.rmtree(inp)
    inp.mkdir(parents=True)
    bodies = pick_bodies(rng, n_bodies)
    layouts = list(layouts or LAYOUTS)
    files: dict = {}
    taken: set = set()
    enc_i = rng.randrange(4)
    body_truth = {}
    for bi, body in enumerate(bodies):
        rb = random.Random(seed * 1_000_003 + bi)
        tables, seeded = body_tables(rb, body, mismatch_rate)
        names = body.printed_names()
        body_paths: dict = {}
        for y in body.years:
            name = rb.choices([n for n, _ in names], [w for _, w in names])[0]
            copies = 2 if rb.random() < twin_rate else 1
            prose_sections, prose_truth = make_prose(rb, tables[y], y, _who(rb, body, name), tables.get(y - 1),
                                                     contradiction_rate, body.dept == "司法局")
            lays = rb.sample(layouts, copies) if copies <= len(layouts) else [rb.choice(layouts)] * copies
            for layout in lays:
                ag = Agency(body.province, body.city, body.county, name,
                            [n for n, _ in names if n != name] + [body.official], body.site())
                rr = random.Random(rb.randrange(1 << 30))
                rep = make_report(rr, ag, y, layout, False, truth=tables[y])
                rep.blocks = make_blocks(rr, rep, name, prose_sections)
                fmt = FORMAT_OF[layout]
                enc = None
                if fmt in ("text", "markdown", "html"):
                    enc = TEXT_ENCODINGS[enc_i % 4]
                    enc_i += 1
                data, e, bom, opts = render(rep, rr, enc)
                path = _path(body, name, y, fmt, rr, taken)
                (inp / path).parent.mkdir(parents=True, exist_ok=True)
                (inp / path).write_bytes(data)
                entry = truth_entry(rep, e, bom)
                entry["sha256"] = hashlib.sha256(data).hexdigest()
                entry["bytes"] = len(data)
                entry["body"] = body.id
                entry["prose"] = prose_truth
                files[path] = entry
                body_paths.setdefault(y, []).append(path)
        for y in body.years:
            t3 = tables[y]["requests"]
            if y - 1 in tables:
                prev = tables[y - 1]["requests"]
                cols = sorted(a for a in APPLICANTS + ["total"]
                              if t3["carried_over"][a] != prev["carried_forward"][a])
                cy = {"expected": "mismatch" if cols else "match", "columns": cols,
                      "previous": sorted(body_paths[y - 1]), "seeded": seeded.get(y)}
            else:
                cy = {"expected": "no_previous", "columns": [], "previous": [], "seeded": None}
            for p in body_paths[y]:
                files[p]["cross_year"] = cy
        body_truth[body.id] = {"province": body.province, "city": body.city, "county": body.county,
                               "town": body.town, "dept": body.dept, "years": body.years,
                               "names": sorted({files[p]["agency"] for ps in body_paths.values() for p in ps}),
                               "files": {str(y): sorted(ps) for y, ps in body_paths.items()}}
    truth = {"format": SERIES_FORMAT, "generator": "synth.blind.series", "seed": seed, "input_dir": "input",
             "params": {"bodies": n_bodies, "mismatch_rate": mismatch_rate,
                        "contradiction_rate": contradiction_rate, "twin_rate": twin_rate},
             "note": "Bodies over several years; cross_year and prose give the expected outcomes of the checks "
                     "across documents (null = printed blank; money in 万元).",
             "bodies": body_truth, "files": dict(sorted(files.items()))}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synth.blind.series")
    ap.add_argument("--out", required=True)
    ap.add_argument("--bodies", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mismatch-rate", type=float, default=0.3)
    ap.add_argument("--contradiction-rate", type=float, default=0.25)
    a = ap.parse_args(argv)
    truth = generate(Path(a.out), a.bodies, a.seed, a.mismatch_rate, a.contradiction_rate)
    from collections import Counter
    fs = list(truth["files"].values())
    print(f"wrote {len(fs)} reports of {len(truth['bodies'])} bodies to {a.out}/input")
    print("layout:", dict(Counter(v["layout"] for v in fs)))
    print("cross_year:", dict(Counter(v["cross_year"]["expected"] for v in fs)))
    print("prose:", dict(Counter(m["outcome"] for v in fs for m in v["prose"]["measures"].values())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

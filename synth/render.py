"""Truth -> report text in the layouts converters produce in the wild.

Each table is first laid out as a grid (the printed table, merged cells as
None), then one renderer flattens the grid the way a CMS export, a Word
"save as text", pdftotext -layout, Markdown or HTML would.
"""
from __future__ import annotations

import html
import random
import unicodedata

from extract.templates import ACTIVE_METRICS, PROCEEDINGS, REQUEST_ROW_KEYS, active_items

from .model import (
    ARTICLE_LABELS, GROUP_LABELS, ITEM_LABELS, METRIC_LABELS, METRIC_LABELS_2021, Truth, request_label,
)

LAYOUTS = ("tabcell", "paragraph", "pipe", "markdown", "tabrow", "html", "spaced", "wordtext")
Grid = list[list[str | None]]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
BLANK_MARKERS = ["", "-", "—", "/", "无"]


class Style:
    """The noise one issuing body's export carries, fixed per report."""

    def __init__(self, rng: random.Random, layout: str):
        self.rng = rng
        self.layout = layout
        self.fullwidth = rng.random() < 0.08
        self.thousands = rng.random() < 0.3
        self.nbsp = rng.random() < 0.25
        self.plus_sign = rng.random() < 0.6
        self.ascii_parens = rng.random() < 0.4
        self.numbering = rng.choice(["1.", "1．", "1、", "(1)", "（1）", "1. "])
        self.space_after_paren = rng.random() < 0.3
        self.wrap_headers = rng.random() < 0.6
        self.blank_marker = rng.choice(BLANK_MARKERS)
        # long table-3 labels wrapped over two rows of the table, the
        # figures beside the first or the second part (narrow label columns)
        self.wrap_labels = rng.random() < 0.3 and layout not in ("spaced",)

    def number(self, v: float | int, signed: bool = False) -> str:
        iv = int(v)
        s = f"{abs(iv):,}" if self.thousands and abs(iv) >= 1000 else str(abs(iv))
        if iv < 0:
            s = "-" + s
        elif signed and iv > 0 and self.plus_sign:
            s = "+" + s
        return self._dress(s)

    def money(self, v: float, style: str) -> str:
        if style in ("yuan", "bare_yuan_header"):
            # bare_yuan_header: a bare figure in 元, the unit printed only in
            # the column's header, which narrow columns wrap (「采购总金额(」/「元)」)
            yuan = round(v * 10000)
            s = f"{yuan}元" if style == "yuan" else str(yuan)
        else:
            s = f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
            s += {"wan": "万元", "wan_short": "万", "bare": ""}[style]
        return self._dress(s)

    def _dress(self, s: str) -> str:
        if self.fullwidth:
            s = s.translate(FULLWIDTH)
        if self.nbsp and self.rng.random() < 0.3:
            s = self.rng.choice(["\u00a0", "\u00a0\u00a0"]) + s + self.rng.choice(["", "\u00a0"])
        return s

    def label(self, text: str) -> str:
        if self.ascii_parens:
            text = text.replace("（", "(").replace("）", ")")
        if self.space_after_paren:
            text = text.replace(")", ") ", 1) if text.startswith("(") else text.replace("）", "） ", 1)
        if text[:1].isdigit() and text[1:2] == ".":
            n = text[0]
            text = self.numbering.replace("1", n) + text[2:]
        return text


# ------------------------------------------------------------------ grids

def grid_table2(t: Truth, st: Style) -> Grid:
    rows: Grid = []
    width = 4
    for article in ACTIVE_METRICS[t.template]:
        metrics = ACTIVE_METRICS[t.template][article]
        rows.append([f"第二十条第{st.label(ARTICLE_LABELS[article])}项"] + [None] * (width - 1))
        labels = [(METRIC_LABELS_2021.get(m) if t.template == "2021" else None) or METRIC_LABELS[m] for m in metrics]
        if t.money_raw_style == "bare_yuan_header":
            labels = [_yuan_header(label, st) if m in ("procurement_amount", "fee_amount") else label
                      for m, label in zip(metrics, labels)]
        rows.append(["信息内容"] + labels + [None] * (width - 1 - len(labels)))
        for (a, item) in active_items(t.template):
            if a != article:
                continue
            name = ITEM_LABELS[item]
            name = name[t.template] if isinstance(name, dict) else name
            cells = []
            for m, v in zip(metrics, t.active[(a, item)]):
                if v is None:
                    cells.append(st.blank_marker)
                elif m in ("procurement_amount", "fee_amount"):
                    cells.append(st.money(v, t.money_raw_style))
                else:
                    cells.append(st.number(v, signed=(m == "change")))
            rows.append([name] + cells + [None] * (width - 1 - len(cells)))
    return rows


def _yuan_header(label: str, st: Style) -> str:
    """A money header naming 元: 「采购总金额（元）」, 「采购总金额(单位: 元)」, ..."""
    base = label.split("（")[0]
    inner = st.rng.choice(["元", "单位：元", "单位: 元", " 元 "])
    return base + (f"({inner})" if st.ascii_parens else f"（{inner}）")


def grid_table3(t: Truth, st: Style) -> Grid:
    rows: Grid = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, None, "申请人情况", None, None, None, None, None, None],
        [None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"],
        [None, None, None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None],
    ]
    for row in REQUEST_ROW_KEYS[t.template]:
        label = st.label(request_label(row, st.rng))
        group = GROUP_LABELS.get(row)
        if row in ("new_received", "carried_over", "carried_forward"):
            labels = [label, None, None]
        elif row in ("granted",):
            labels = [group, st.label(label), None]
        elif row in ("partially_granted", "other_handling", "total_processed"):
            labels = [None, label, None]
        elif group:
            labels = [None, st.label(group), label]
        else:
            labels = [None, None, label]
        values = t.requests[row]
        if row == t.ragged_row:
            kept = st.rng.sample(range(7), st.rng.randint(3, 6))
            # the converter lost cells: the row is printed short, with no
            # trace of which columns are missing
            rows.append(labels + [st.number(0) for _ in sorted(kept)])
            continue
        cells = []
        for i, v in enumerate(values):
            if ("requests", row, i) in t.blank_cells:
                cells.append(st.blank_marker)
            else:
                cells.append(st.number(v))
        last = max(i for i, label in enumerate(labels) if label)
        if st.wrap_labels and len(labels[last]) > 7 and st.rng.random() < 0.3:
            cut = st.rng.randint(4, len(labels[last]) - 3)
            first = [None] * len(labels)
            first[last] = labels[last][:cut]
            rest = list(labels)
            rest[last] = labels[last][cut:]
            if st.rng.random() < 0.5:
                rows += [first + [""] * len(cells), rest + cells]      # figures beside the label's end
            else:
                first[:last] = labels[:last]
                rest[:last] = [None] * last
                rows += [first + cells, rest + [""] * len(cells)]      # figures beside its start
            continue
        rows.append(labels + cells)
    return rows


def grid_table4(t: Truth, st: Style) -> Grid:
    outcome = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows: Grid = [
        ["行政复议", None, None, None, None, "行政诉讼"] + [None] * 9,
        outcome + ["未经复议直接起诉", None, None, None, None, "复议后起诉", None, None, None, None],
        [None] * 5 + outcome + outcome,
    ]
    rows.append([st.number(v) for p in PROCEEDINGS for v in t.review[p]])
    return rows


def _wrap(text: str, at: int) -> list[str]:
    """Cut text into lines of at most `at` display columns (CJK counts 2)."""
    lines, cur = [], ""
    for ch in text:
        if _disp(cur + ch) > at:
            lines.append(cur)
            cur = ""
        cur += ch
    return lines + [cur] if cur or not lines else lines


# ------------------------------------------------------------------ renderers

def render_tabcell(grids, st):
    out = []
    for grid in grids:
        lines = []
        for row in grid:
            cells = [c if c is not None else "" for c in row]
            while cells and cells[-1] == "" and len(cells) > 1 and not _is_value_row(row):
                cells.pop()
            for c in cells:
                if st.wrap_headers and len(c) > 5 and not _looks_number(c) and st.rng.random() < 0.3:
                    cut = st.rng.randint(2, len(c) - 2)
                    lines.append("\t" + c[:cut])
                    if st.rng.random() < 0.5:     # seed 000 has a blank line inside the cell, 004 none
                        lines.append("")
                    lines.append(c[cut:])
                else:
                    lines.append("\t" + c)
            lines.append("")
        out.append("\n".join(lines))
    return out


def render_paragraph(grids, st):
    out = []
    for grid in grids:
        paras = []
        for row in grid:
            for c in row:
                if c is None:
                    continue
                if c == "":
                    paras.append("\u00a0")
                elif st.wrap_headers and len(c) > 6 and not _looks_number(c) and st.rng.random() < 0.2:
                    cut = st.rng.randint(3, len(c) - 2)
                    paras.append(c[:cut] + "\n" + c[cut:])
                else:
                    paras.append(c)
        out.append("\n\n".join(paras))
    return out


def render_pipe(grids, st):
    return ["\n".join(" | ".join("" if c is None else c for c in row) + " |" for row in grid) for grid in grids]


def render_markdown(grids, st):
    out = []
    for grid in grids:
        lines = []
        for i, row in enumerate(grid):
            lines.append("| " + " | ".join("" if c is None else c for c in row) + " |")
            if i == 0:
                lines.append("|" + "---|" * len(row))
        out.append("\n".join(lines))
    return out


def render_tabrow(grids, st):
    out = []
    for grid in grids:
        lines = []
        for row in grid:
            line = "\t".join("" if c is None else c for c in row)
            if st.rng.random() < 0.3:
                line += "\t"
            lines.append(line)
        out.append("\n".join(lines))
    return out


def render_wordtext(grids, st):
    return render_tabrow(grids, st)


def render_html_table(grid, st) -> str:
    h = len(grid)
    covered = set()
    trs = []
    for r in range(h):
        tds = []
        for c in range(len(grid[r])):
            if (r, c) in covered:
                continue
            text = grid[r][c]
            if text is None:
                tds.append("<td></td>")
                continue
            colspan = 1
            while c + colspan < len(grid[r]) and grid[r][c + colspan] is None and (r, c + colspan) not in covered \
                    and not _is_value_row(grid[r]):
                colspan += 1
            rowspan = 1
            if colspan == 1 and not _looks_number(text):
                # A header cell spans the header rows below it; a label cell
                # of table 3 spans the sub-rows it groups.
                while r + rowspan < h and c < len(grid[r + rowspan]) and grid[r + rowspan][c] is None \
                        and (not _is_value_row(grid[r + rowspan]) or _label_col(c)):
                    rowspan += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr or dc:
                        covered.add((r + dr, c + dc))
            attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
            body = html.escape(text) if text else "&nbsp;"
            if len(text) > 4 and not _looks_number(text) and st.wrap_headers and st.rng.random() < 0.3:
                cut = st.rng.randint(2, len(text) - 2)
                body = html.escape(text[:cut]) + "<br/>" + html.escape(text[cut:])
            style = ' style="text-align:center"' if st.rng.random() < 0.5 else ""
            tds.append(f"<td{attrs}{style}><p>{body}</p></td>")
        trs.append("<tr>" + "".join(tds) + "</tr>")
    return '<table border="1" cellspacing="0" width="100%"><tbody>' + "\n".join(trs) + "</tbody></table>"


def _label_col(c: int) -> bool:
    return c < 3


def render_spaced(grids, st):
    """pdftotext -layout: columns padded with spaces, long labels wrapped
    over lines, numbers right-aligned, and a page break inside table 3."""
    out = []
    for gi, grid in enumerate(grids):
        width = max(len(r) for r in grid)
        label_cols = 3 if gi == 1 else 1
        col_w = [0] * width
        for row in grid:
            for c, text in enumerate(row):
                if text is not None:
                    col_w[c] = max(col_w[c], min(_disp(text), 16 if c < label_cols else 12))
        lines = []
        for ri, row in enumerate(grid):
            wrapped = []
            for c, text in enumerate(row):
                t = text or ""
                limit = 16 if c < label_cols else 12
                wrapped.append(_wrap(t, limit) if _disp(t) > limit and not _looks_number(t) else [t])
            height = max(len(w) for w in wrapped)
            value_line = 0 if st.rng.random() < 0.6 else height - 1
            for li in range(height):
                parts = []
                for c, w in enumerate(wrapped):
                    numeric = len(w) == 1 and _looks_number(w[0])
                    if numeric:
                        text = w[0] if li == value_line else ""
                        parts.append(_pad(text, col_w[c], right=True))
                    else:
                        parts.append(_pad(w[li] if li < len(w) else "", col_w[c]))
                lines.append("  ".join(parts).rstrip())
            if gi == 1 and ri == len(grid) // 2:
                lines.append("")
                lines.append(st.rng.choice(["- 3 -", "第 3 页", "3", "3 / 6"]))
                lines.append("\f")
                lines.extend(["  ".join(_pad(c or "", col_w[i]) for i, c in enumerate(r)).rstrip() for r in grid[:3]]
                             if st.rng.random() < 0.5 else [])
        out.append("\n".join(lines))
    return out


def _disp(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - _disp(s))
    return fill + s if right else s + fill


def _looks_number(s: str) -> bool:
    s = unicodedata.normalize("NFKC", s).strip("\u00a0 ")
    return s == "" or s in BLANK_MARKERS or any(ch.isdigit() for ch in s) and all(ch.isdigit() or ch in "+-.,万元" for ch in s)


def _is_value_row(row) -> bool:
    return any(c is not None and c != "" and _looks_number(c) for c in row)


RENDERERS = {
    "tabcell": render_tabcell, "paragraph": render_paragraph, "pipe": render_pipe, "markdown": render_markdown,
    "tabrow": render_tabrow, "spaced": render_spaced, "wordtext": render_wordtext,
}

SECTION_TITLES = [
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
]
PROSE = [
    "{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。",
    "全年通过门户网站主动公开政府信息{n1}条，其中政策解读{n2}篇，回应社会关切{n3}次。",
    "严格落实信息发布审查制度，按照“谁公开、谁审查、谁负责”的原则，确保公开内容准确规范。",
    "加强政务新媒体管理，清理整合不符合运营规范的账号，全年开展专题培训{n2}场。",
]


def _stated_requests(t: Truth) -> str | None:
    """The sentence of the opening that states table 3's totals, as real
    reports do (checked by prose_matches_tables), in two of three reports.
    Drawn from the report itself, not from rng, so that adding it left
    every other draw of a seed's corpus as it was."""
    new, carried = (t.requests.get(r, [None] * 7)[6] for r in ("new_received", "carried_over"))
    if new is None or (t.year + len(t.agency)) % 3 == 0:
        return None
    if carried:
        return f"本年度共新收政府信息公开申请{new}件，上年结转{carried}件。"
    return f"全年共收到政府信息公开申请{new}件。"


def report_parts(t: Truth, rng: random.Random) -> tuple[list[str], list[str], str]:
    """The report's head lines (title, agency, opening), its opening prose
    and its problems paragraph, drawn from rng (the document layouts use
    them too)."""
    sub = dict(year=t.year, agency=t.agency_full or t.agency, n1=rng.randint(10, 5000), n2=rng.randint(1, 40),
               n3=rng.randint(1, 300))
    # the opening paragraph names the body in full (淮安市淮阴区人民政府办公室)
    prose1 = [PROSE[0].format(**sub)] + [p.format(**sub) for p in rng.sample(PROSE[1:], rng.randint(1, 3))]
    stated = _stated_requests(t)
    if stated:
        prose1.insert(min(2, len(prose1)), stated)
    if rng.random() < 0.3:
        prose1.append(f"{t.year + 2}年我单位将继续深化政务公开工作。")
    problems = "一是公开意识有待加强。二是公开质量有待提高。下一步将进一步规范政府信息公开工作。"
    title_style = rng.choice(["agency_year", "year_paren", "agency_line", "preamble"])
    head: list[str] = []
    if title_style == "agency_year":
        head = [f"{t.agency}{t.year}年政府信息公开工作年度报告"]
    elif title_style == "year_paren":
        head = [f"{t.year}年政府信息公开工作年度报告", f"（{t.agency}）"]
    elif title_style == "agency_line":
        head = [t.agency, "", f"{t.year}年政府信息公开工作年度报告"]
    else:
        head = [f"{t.year}年度政府信息公开工作年度报告",
                f"本报告由{t.agency}根据《中华人民共和国政府信息公开条例》规定编制，报告所列统计期限自{t.year}年1月1日至{t.year}年12月31日。"]
    return head, prose1, problems


def render_report(t: Truth, layout: str, rng: random.Random, truncate: str | None = None) -> str:
    st = Style(rng, layout)
    grids = [grid_table2(t, st), grid_table3(t, st), grid_table4(t, st)]
    if layout == "html":
        tables = [render_html_table(g, st) for g in grids]
    else:
        tables = RENDERERS[layout](grids, st)
    head, prose1, problems = report_parts(t, rng)
    sections = [
        (SECTION_TITLES[0], "\n".join(prose1)),
        (SECTION_TITLES[1], tables[0]),
        (SECTION_TITLES[2], tables[1]),
        (SECTION_TITLES[3], tables[2]),
        (SECTION_TITLES[4], problems),
        (SECTION_TITLES[5], "无。"),
    ]
    if truncate == "before_tables":
        sections = sections[:1]
    elif truncate == "mid_table3":
        body = tables[1]
        cut = len(body) // 2
        sections = sections[:2] + [(SECTION_TITLES[2], body[:cut])]
    if layout == "html":
        site = rng.choice(["某某市人民政府", "中国某某", "某某县人民政府门户网站"])
        parts = ['<html><head><meta charset="utf-8"><title>' + html.escape(head[0]) + f" - {site}</title></head><body>",
                 f'<div class="header"><a href="/">{site}</a></div>',
                 '<div class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/hd">互动交流</a></div>']
        if rng.random() < 0.7:
            # page chrome a portal prints above the article: the breadcrumb,
            # then a crawler's or the CMS's info lines naming the site's owner
            parts.append('<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>')
        if rng.random() < 0.5:
            parts.append(f'<div class="info"><p>发布机构：{site}</p><p>发布日期：{t.year + 1}-01-20</p></div>')
        parts.append('<div class="main"><div class="content">')
        parts += [f'<p style="text-align:center"><strong>{html.escape(h)}</strong></p>' for h in head if h]
        for title, body in sections:
            parts.append(f"<p><strong>{html.escape(title)}</strong></p>")
            if body.startswith("<table"):
                parts.append(f'<div class="table-wrap">{body}</div>')
            else:
                parts += [f"<p>&nbsp;&nbsp;{html.escape(line)}</p>" for line in body.split("\n") if line]
        parts.append("</div></div>")
        parts.append(f'<div class="footer">主办：{site} 网站标识码：3200000001</div></body></html>')
        return "\n".join(parts)
    sep = "\n\n" if layout in ("tabcell", "paragraph") else "\n"
    text = "\n".join(head) + sep + sep.join(f"{title}{sep}{body}" for title, body in sections) + "\n"
    if layout == "paragraph" and st.nbsp:
        text = text.replace(SECTION_TITLES[1], "\u00a0 \u00a0 " + SECTION_TITLES[1])
    return text

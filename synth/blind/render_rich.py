"""Blind generator, part 4: portal HTML pages, DOCX (python-docx, real
merged cells) and PDF (reportlab, CID font STSong-Light, ruled tables)."""
from __future__ import annotations

import html as _html
import io
import random

from .content import Cell, Table, expand

MSO_SPAN = "<span style='font-size:10.5pt;font-family:宋体;mso-ascii-font-family:\"Times New Roman\"'>"


def _h(s: str) -> str:
    return _html.escape(s, quote=False)


# ----------------------------------------------------------------------------- HTML

def _html_cell_inner(cell, rng, o) -> str:
    txt = cell.text
    if txt == "":
        return rng.choice(["<p class=MsoNormal align=center>&nbsp;</p>",
                           "<p class=MsoNormal align=center><span lang=EN-US><o:p></o:p></span></p>",
                           "<p class=MsoNormal align=center><span lang=EN-US><o:p>&nbsp;</o:p></span></p>",
                           "&nbsp;"])
    lines = txt.split("\n")
    def runs(line):
        parts = line.split("\x1f")
        return "</span>".join(MSO_SPAN + _h(p) if i == 0 else
                              "<span lang=EN-US style='font-size:10.5pt'>" + _h(p) for i, p in enumerate(parts)) + "</span>"
    align = "center" if cell.role != "label" or rng.random() < 0.5 else "left"
    if o["br_style"] == "br":
        inner = "<br>".join(runs(l) for l in lines)
        return f"<p class=MsoNormal align={align}>{inner}<span lang=EN-US><o:p></o:p></span></p>"
    return "".join(f"<p class=MsoNormal align={align}>{runs(l)}<span lang=EN-US><o:p></o:p></span></p>" for l in lines)


def html_table(t: Table, rng, o) -> str:
    out = ["<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=600 "
           "style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt'>", "<tbody>"]
    for row in t.grid:
        out.append("<tr style='height:20.0pt'>")
        for cell in row:
            attrs = ""
            if cell.rs > 1:
                attrs += f" rowspan={cell.rs}"
            if cell.cs > 1:
                attrs += f" colspan=\"{cell.cs}\""
            out.append(f"<td{attrs} valign=center style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>"
                       + _html_cell_inner(cell, rng, o) + "</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(rep, rng: random.Random) -> tuple[str, dict]:
    o = {"br_style": rng.choice(["br", "p"]), "nested": rng.random() < 0.5, "info": rng.random() < 0.7,
         "crumb": rng.random() < 0.85}
    ag, site = rep.agency.name, rep.agency.site
    title = next(v for k, v in rep.blocks if k == "title")
    sub = [v for k, v in rep.blocks if k == "subtitle"]
    page_title = title + (sub[0].strip("（）") if sub and rng.random() < 0.3 else "")
    body = []
    for kind, val in rep.blocks:
        if kind == "title":
            body.append(f"<p class=MsoNormal align=center style='text-align:center'><b>{MSO_SPAN}{_h(val)}</span></b></p>")
        elif kind == "subtitle":
            body.append(f"<p class=MsoNormal align=center style='text-align:center'>{MSO_SPAN}{_h(val)}</span></p>")
        elif kind == "heading":
            body.append(f"<p class=MsoNormal style='text-indent:32.0pt'><b>{MSO_SPAN}{_h(val)}</span></b></p>")
        elif kind == "para":
            body.append(f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{MSO_SPAN}{_h(val)}</span></p>")
        elif kind == "sign":
            body.append(f"<p class=MsoNormal align=right style='text-align:right'>{MSO_SPAN}{_h(val)}</span></p>")
        elif kind == "table":
            if val.heading:
                body.append(f"<p class=MsoNormal>{MSO_SPAN}{_h(val.heading)}</span></p>")
            tb = html_table(val, rng, o)
            if rng.random() < 0.3:
                tb = f"<div align=center>{tb}</div>"
            body.append(tb)
    article = "\n".join(body)
    article = f"<div class=WordSection1 style='layout-grid:15.6pt'>\n{article}\n</div>"
    if o["nested"]:
        article = ("<table width=\"100%\" border=0 cellspacing=0 cellpadding=0 class=\"layout\"><tr><td class=\"TRS_Editor\">"
                   f"\n{article}\n</td></tr></table>")
    else:
        article = f"<div class=\"TRS_Editor\">\n{article}\n</div>"
    nav = ("<ul class=\"nav\"><li><a href=\"/\">首页</a></li><li><a href=\"/zwgk/\">政务公开</a></li>"
           "<li><a href=\"/zwfw/\">政务服务</a></li><li><a href=\"/hdjl/\">互动交流</a></li><li><a href=\"/zjxx/\">走进"
           f"{_h(site[:3])}</a></li></ul>")
    crumb = ("<div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/zwgk/\">政府信息公开</a> &gt; "
             "<a href=\"/zwgk/ndbg/\">政府信息公开年报</a></div>") if o["crumb"] else ""
    d = f"{rep.year + 1}-01-{rng.randint(10, 28)}"
    info = ""
    if o["info"]:
        info = (f"<div class=\"xxgk-info\"><table class=\"info\"><tr><td>索引号：</td><td>0142{rng.randint(10000, 99999)}/{rep.year + 1}-000{rng.randint(10, 99)}</td>"
                f"<td>发布机构：</td><td>{_h(ag)}</td></tr><tr><td>标题:</td><td colspan=3>{_h(page_title)}</td></tr>"
                f"<tr><td>发布日期：</td><td>{d}</td><td>文号：</td><td></td></tr></table></div>")
    head_meta = "{META}"
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{head_meta}
<title>{_h(page_title)} - {_h(site)}</title>
<meta name="SiteName" content="{_h(site)}">
<meta name="ArticleTitle" content="{_h(page_title)}">
<link rel="stylesheet" href="/images/style.css">
<script type="text/javascript" src="/js/jquery.min.js"></script>
</head>
<body>
<div class="top"><div class="logo"><img src="/images/logo.png" alt="{_h(site)}"></div>{nav}</div>
<div class="main">
{crumb}
{info}
<div class="article">
<h1 class="title">{_h(page_title)}</h1>
<div class="source">来源：{_h(ag)}　　发布时间：{d}　　浏览次数：<span id="hits">{rng.randint(20, 3000)}</span></div>
{article}
</div>
<div class="share">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="footer"><p>主办单位：{_h(site)}办公室　　承办单位：{_h(site[:3])}大数据管理中心</p>
<p>网站标识码：32{rng.randint(10000000, 99999999)}　　苏ICP备0501{rng.randint(1000, 9999)}号</p></div>
</body>
</html>
"""
    return page, o


# ----------------------------------------------------------------------------- DOCX

def render_docx(rep, rng: random.Random) -> tuple[bytes, dict]:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt
    o = {"break_style": rng.choice(["para", "break"]), "grid": rng.random() < 0.8}
    doc = Document()
    stl = doc.styles["Normal"]
    stl.font.name = "宋体"
    stl.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    stl.font.size = Pt(10.5)
    for kind, val in rep.blocks:
        if kind in ("title", "subtitle"):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            r = p.add_run(val)
            r.bold = kind == "title"
        elif kind == "heading":
            p = doc.add_paragraph()
            p.add_run(val).bold = True
        elif kind == "para":
            doc.add_paragraph(val)
        elif kind == "sign":
            p = doc.add_paragraph(val)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif kind == "table":
            t: Table = val
            if t.heading:
                doc.add_paragraph(t.heading)
            M = expand(t.grid)
            nr, nc = len(M), len(M[0])
            tab = doc.add_table(rows=nr, cols=nc)
            if o["grid"]:
                tab.style = "Table Grid"
            done = set()
            for r in range(nr):
                for c in range(nc):
                    pos = M[r][c]
                    if not pos or pos[1] or pos[2]:
                        continue
                    cell = pos[0]
                    dcell = tab.cell(r, c)
                    if cell.rs > 1 or cell.cs > 1:
                        dcell = dcell.merge(tab.cell(r + cell.rs - 1, c + cell.cs - 1))
                    lines = cell.text.split("\n")
                    par = dcell.paragraphs[0]
                    if cell.role != "label":
                        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    for i, line in enumerate(lines):
                        if i > 0:
                            if o["break_style"] == "para":
                                par = dcell.add_paragraph()
                            else:
                                par.add_run().add_break()
                        for piece in line.split("\x1f"):
                            if piece:
                                par.add_run(piece)
            doc.add_paragraph("")
    import datetime
    import zipfile
    when = datetime.datetime(rep.year + 1, 1, 15, 9, 0, 0)
    cp = doc.core_properties
    cp.created = cp.modified = cp.last_printed = when
    cp.author = cp.last_modified_by = rep.agency.name
    cp.revision = 1
    bio = io.BytesIO()
    doc.save(bio)
    # fixed zip timestamps: the same seed gives the same bytes
    src = zipfile.ZipFile(io.BytesIO(bio.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, src.read(info.filename))
    return out.getvalue(), o


# ----------------------------------------------------------------------------- PDF

_FONT_READY = False


def _font():
    global _FONT_READY
    if not _FONT_READY:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _FONT_READY = True
    return "STSong-Light"


def _col_widths(t: Table, nc: int, total: float, narrow_group: bool = False) -> list:
    if nc == 10:
        # narrow_group: table 3's group column one character wide, its label
        # printed down the cell a character a line (as Word reports do)
        lab = [16, 98, 121] if narrow_group else [52, 62, 121]
        return lab + [(total - sum(lab)) / 7] * 7
    if nc == 4:
        return [total * 0.31] + [total * 0.23] * 3
    if nc == 3:
        return [total * 0.4, total * 0.3, total * 0.3]
    return [total / nc] * nc


def _part(M, rows, with_header: list, text_repeat: bool):
    """Data + spans for the grid rows `rows` (consecutive), preceded by the
    header rows `with_header`; a span cut by the split starts again."""
    sel = list(with_header) + list(rows)
    nc = len(M[0])
    data, spans = [], []
    for i, r in enumerate(sel):
        line = []
        for c in range(nc):
            pos = M[r][c]
            line.append(None)
            if not pos:
                continue
            cell, dr, dc = pos
            first_here = dr == 0 or i == 0 or sel[i - 1] != r - 1
            if dc == 0 and first_here:
                # rows this cell covers within the selection, from here
                left = cell.rs - dr
                span_r = 1
                while span_r < left and i + span_r < len(sel) and sel[i + span_r] == r + span_r:
                    span_r += 1
                line[-1] = (cell, dr == 0 or text_repeat)
                if span_r > 1 or cell.cs > 1:
                    spans.append(("SPAN", (c, i), (c + cell.cs - 1, i + span_r - 1)))
        data.append(line)
    return data, spans


def _row_label(M, k: int):
    """The label cell that starts in row k nearest the figures (one row high)."""
    found = None
    for pos in M[k]:
        if pos and pos[1] == 0 and pos[2] == 0 and pos[0].role == "label" and pos[0].rs == 1 and pos[0].text:
            found = pos[0]
    return found


def _breakable(M, header_rows: int) -> list[int]:
    """Body rows (not the first few) whose label is long enough to wrap."""
    out = []
    for k in range(header_rows + 4, len(M) - 1):
        label = _row_label(M, k)
        if label is not None and len(label.text.replace("\x1f", "")) >= 10:
            out.append(k)
    return out


def _broken_row(M, k: int):
    """Two copies of the matrix for row k broken across pages: in the first,
    row k's label holds its first half; in the second, row k holds the rest
    of the label, its figure cells empty (the figures were printed above);
    the cells merged over it from above go on there (empty on the new page)."""
    label = _row_label(M, k)
    text = label.text.replace("\x1f", "")
    cut = len(text) // 2
    while cut < len(text) - 1 and text[cut - 1].isascii() and text[cut].isascii():
        cut += 1
    head, rest = Cell(text[:cut], cs=label.cs, role="label"), Cell(text[cut:], cs=label.cs, role="label")
    first = [list(row) for row in M]
    cont = [list(row) for row in M]
    blanks: dict = {}
    for c, pos in enumerate(M[k]):
        if not pos:
            continue
        cell, dr, dc = pos
        if cell is label:
            first[k][c] = (head, dr, dc)
            cont[k][c] = (rest, dr, dc)
        elif cell.role == "fig":
            cont[k][c] = (blanks.setdefault(id(cell), Cell("", cs=cell.cs, role="fig")), dr, dc)
    return first, cont


def render_pdf(rep, rng: random.Random) -> tuple[bytes, dict]:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table as RLTable, TableStyle
    font = _font()
    o = {"split": rng.choice(["repeat", "xubiao", "none"]), "fs": rng.choice([7.5, 8, 9])}
    # drawn from a stream of its own, so that reports without it print as before
    o["narrow_group"] = random.Random(f"narrow-group-{rep.agency.name}-{rep.year}").random() < 0.3
    # a row of table 3 broken across pages, as Word does by default: its
    # figures and the first half of its label on one page, the rest of the
    # label in a row of empty cells on the next (own stream, like the above)
    row_break = random.Random(f"row-break-{rep.agency.name}-{rep.year}")
    o["row_break"] = row_break.random() < 0.3 and o["split"] != "xubiao"
    ps = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    pt = ParagraphStyle("t", fontName=font, fontSize=16, leading=24, alignment=1, spaceAfter=8)
    ph = ParagraphStyle("h", fontName=font, fontSize=11.5, leading=18, spaceBefore=6)
    pr = ParagraphStyle("r", fontName=font, fontSize=10.5, leading=16, alignment=2)
    pc = ParagraphStyle("c", fontName=font, fontSize=o["fs"], leading=o["fs"] + 2, wordWrap="CJK", alignment=1)
    pl = ParagraphStyle("l", fontName=font, fontSize=o["fs"], leading=o["fs"] + 2, wordWrap="CJK", alignment=0)
    story = []
    width = A4[0] - 2 * 56

    def esc(s):
        return _html.escape(s.replace("\x1f", ""), quote=False).replace("\n", "<br/>")

    def rl_table(data_cells, spans, t, nc, repeat):
        data = []
        cw = _col_widths(t, nc, width, o["narrow_group"])
        for line in data_cells:
            row = []
            for c, item in enumerate(line):
                if item is None:
                    row.append("")
                    continue
                cell, show = item
                txt = (cell.text if show else "").replace("\x1f", "")
                if cell.role != "fig":
                    # wrap by hand: reportlab's CJK wrapping can drop glyphs in narrow cells
                    per = max(1, int((sum(cw[c:c + cell.cs]) - 9) // (o["fs"] * 1.05)))
                    out = []
                    for piece in txt.split("\n"):
                        out += [piece[k:k + per] for k in range(0, max(1, len(piece)), per)]
                    txt = "\n".join(out)
                row.append(txt)
            data.append(row)
        tb = RLTable(data, colWidths=cw, repeatRows=repeat)
        tb.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                ("FONT", (0, 0), (-1, -1), font, o["fs"]),
                                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)] + spans))
        return tb

    for kind, val in rep.blocks:
        if kind == "title":
            story.append(Paragraph(esc(val), pt))
        elif kind == "subtitle":
            story.append(Paragraph(esc(val), ParagraphStyle("s", parent=pt, fontSize=12)))
        elif kind == "heading":
            story.append(Paragraph(esc(val), ph))
        elif kind == "para":
            story.append(Paragraph(esc(val), ps))
        elif kind == "sign":
            story.append(Paragraph(esc(val), pr))
        elif kind == "table":
            t: Table = val
            if t.heading:
                story.append(Paragraph(esc(t.heading), ps))
            M = expand(t.grid)
            nr, nc = len(M), len(M[0])
            hdr = list(range(t.header_rows))
            body = list(range(t.header_rows, nr))
            broken = _breakable(M, t.header_rows) if t.name == "requests" and o["row_break"] else []
            if broken:
                k = row_break.choice(broken)
                first, cont = _broken_row(M, k)
                d1, s1 = _part(first, list(range(t.header_rows, k + 1)), hdr, True)
                story.append(rl_table(d1, s1, t, nc, 0))
                story.append(PageBreak())
                rep_hdr = hdr if o["split"] == "repeat" else []
                d2, s2 = _part(cont, list(range(k, nr)), rep_hdr, False)
                story.append(rl_table(d2, s2, t, nc, 0))
            elif t.name == "requests" and o["split"] == "xubiao":
                k = t.header_rows + rng.randint(6, 16)
                d1, s1 = _part(M, list(range(t.header_rows, k)), hdr, True)
                story.append(rl_table(d1, s1, t, nc, 0))
                story.append(PageBreak())
                story.append(Paragraph("续表", ParagraphStyle("x", parent=ps, firstLineIndent=0)))
                rep_hdr = hdr if rng.random() < 0.6 else []
                d2, s2 = _part(M, list(range(k, nr)), rep_hdr, rng.random() < 0.5)
                story.append(rl_table(d2, s2, t, nc, 0))
            else:
                d, s = _part(M, body, hdr, True)
                story.append(rl_table(d, s, t, nc, t.header_rows if o["split"] == "repeat" else 0))
            story.append(Spacer(1, 8))
    bio = io.BytesIO()
    doc = SimpleDocTemplate(bio, pagesize=A4, leftMargin=56, rightMargin=56, topMargin=60, bottomMargin=60, invariant=1,
                            title=next(v for k, v in rep.blocks if k == "title"), author=rep.agency.name)

    def page_no(canvas, d):
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {d.page} -")
    try:
        doc.build(story, onFirstPage=page_no, onLaterPages=page_no)
    except Exception:
        raise
    return bio.getvalue(), o

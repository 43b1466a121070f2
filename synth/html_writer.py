"""Document -> the portal page a CMS serves for it: a Word document pasted
into the site's editor, inside the site's template.

The article is Word's HTML (``MsoNormal`` paragraphs, runs in spans split
where ASCII meets CJK, ``<o:p></o:p>``, source lines wrapped inside the
text, tables with ``border=1 cellspacing=0 width=…`` whose cells hold
``<p class=MsoNormal><span>…</span></p>``, blank cells as ``&nbsp;``, an
empty ``<o:p>`` or a lone space, ``<br>`` or two paragraphs inside some
header cells).  Around it: ``<title>{title} - {site}</title>``, a header
and navigation, a breadcrumb (当前位置：首页 > 政府信息公开 > …), an info
block (标题: / 发布机构： / 发布日期：, often naming the site's owner
rather than the report's body), share and print tools, a sidebar of
links, a footer with the site's name and 网站标识码.  Sometimes the article
sits in a layout table.

The page reads back (``extract.html_doc.read_html``) to the Document's
paragraphs and grids, with two exceptions a page cannot carry: a grid
position no cell covers in the middle of a row is written as an empty
cell, and text is written as ``normalise_text`` would give it.
"""
from __future__ import annotations

import html
import random

from extract.document import Document, Paragraph, Table

__all__ = ["write_portal_html"]

_FONTS = ("仿宋_GB2312", "宋体", "仿宋", "微软雅黑", "方正仿宋_GBK")


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _is_ascii(ch: str) -> bool:
    return ord(ch) < 128


def _runs(text: str) -> list[str]:
    """text split where ASCII meets non-ASCII (Word's lang=EN-US runs)."""
    runs: list[str] = []
    for ch in text:
        if runs and _is_ascii(runs[-1][-1]) == _is_ascii(ch):
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def _wrap_source(text: str, rng: random.Random) -> str:
    """Word wraps its HTML source lines inside text: a line break where a
    CJK character is on either side reads back as nothing."""
    if len(text) < 30 or rng.random() < 0.4:
        return _esc(text)
    out, last = [], 0
    i = rng.randint(20, 60)
    while i < len(text):
        if not (_is_ascii(text[i - 1]) and _is_ascii(text[i])):
            out.append(_esc(text[last:i]))
            out.append("\r\n")
            last = i
            i += rng.randint(30, 70)
        else:
            i += 1
    out.append(_esc(text[last:]))
    return "".join(out)


class _Page:
    def __init__(self, doc: Document, site: str, rng: random.Random):
        self.doc = doc
        self.site = site
        self.rng = rng
        self.font = rng.choice(_FONTS)
        self.runs = rng.random() < 0.6
        self.nl = rng.choice(["\n", "\r\n"])

    # ------------------------------------------------------------ prose
    def span(self, text: str) -> str:
        rng = self.rng
        if not self.runs:
            return f"<span style='font-size:16.0pt;font-family:{self.font}'>{_wrap_source(text, rng)}</span>"
        parts = []
        for run in _runs(text):
            if _is_ascii(run[0]):
                parts.append(f"<span lang=EN-US style='font-size:16.0pt;font-family:\"Times New Roman\"'>{_esc(run)}</span>")
            else:
                parts.append(f"<span style='font-size:16.0pt;font-family:{self.font}'>{_wrap_source(run, rng)}</span>")
        return "".join(parts)

    def paragraph(self, text: str, *, first: bool) -> str:
        rng = self.rng
        if first:
            return (f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'>"
                    f"<b><span style='font-size:22.0pt;font-family:方正小标宋简体'>{_esc(text)}</span></b>"
                    f"<span lang=EN-US style='font-size:22.0pt'><o:p></o:p></span></p>")
        lead = rng.choice(["", "", "<span lang=EN-US>&nbsp;&nbsp;&nbsp; </span>", "\u3000\u3000"])
        body = self.span(text)
        if rng.random() < 0.15:
            body = f"<b>{body}</b>"
        tail = rng.choice(["<span lang=EN-US><o:p></o:p></span>", "<o:p></o:p>", ""])
        return (f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;\r\nmso-line-height-rule:exactly'>"
                f"{lead}{body}{tail}</p>")

    # ------------------------------------------------------------ tables
    def blank(self) -> str:
        return self.rng.choice([
            "&nbsp;",
            "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US><o:p>&nbsp;</o:p></span></p>",
            "<p class=MsoNormal><span lang=EN-US><o:p></o:p></span></p>",
            " ",
            "",
            "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US>&nbsp;</span></p>",
        ])

    def cell_body(self, text: str, header: bool) -> str:
        rng = self.rng
        if not text:
            return self.blank()
        chars = [i for i in range(1, len(text)) if not _is_ascii(text[i - 1]) and not _is_ascii(text[i])]
        if header and len(text) >= 4 and chars and rng.random() < 0.35:
            at = rng.choice(chars)
            a, b = _esc(text[:at]), _esc(text[at:])
            if rng.random() < 0.6:
                inner = f"<span style='font-size:10.0pt;font-family:{self.font}'>{a}<br>{self.nl}{b}</span>"
                return f"<p class=MsoNormal align=center style='text-align:center'>{inner}</p>"
            return (f"<p class=MsoNormal align=center style='text-align:center'><span>{a}</span></p>{self.nl}"
                    f"<p class=MsoNormal align=center style='text-align:center'><span>{b}<o:p></o:p></span></p>")
        if self.runs and rng.random() < 0.5:
            inner = "".join(f"<span lang=EN-US>{_esc(r)}</span>" if _is_ascii(r[0]) else f"<span>{_esc(r)}</span>"
                            for r in _runs(text))
        else:
            inner = f"<span style='font-size:10.0pt;font-family:{self.font}'>{_esc(text)}</span>"
        return f"<p class=MsoNormal align=center style='text-align:center'>{inner}<span lang=EN-US><o:p></o:p></span></p>"

    def table(self, t: Table) -> str:
        rng = self.rng
        nl = self.nl
        width = rng.choice([553, 568, 600, 620, 640])
        col_w = max(width // max(t.n_cols, 1), 20)
        starts: dict[tuple[int, int], object] = {(c.row, c.col): c for c in t.cells}
        dense = t.dense()
        header_rows = {c.row for c in t.cells if c.text and not any(ch.isdigit() for ch in c.text)}
        use_th = rng.random() < 0.15
        out = [f"<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width={width}"
               f"{nl} style='width:{width * 0.75:.1f}pt;border-collapse:collapse;border:none'>{nl}<tbody>"]
        for r in range(t.n_rows):
            out.append(f"{nl} <tr style='height:{rng.choice([15.0, 19.85, 22.5, 28.35])}pt'>")
            last = max((c for c in range(t.n_cols) if dense[r][c] is not None
                        and dense[r][c].row == r and dense[r][c].col == c), default=-1)
            c = 0
            while c <= last:
                cell = starts.get((r, c))
                if cell is None:
                    if dense[r][c] is None:
                        out.append(f"{nl}  <td width={col_w}></td>")  # a hole mid-row: an empty cell
                    c += 1
                    continue
                attrs = f" width={col_w * cell.colspan}"
                if cell.rowspan > 1:
                    attrs += f" rowspan={cell.rowspan}"
                if cell.colspan > 1:
                    attrs += f" colspan={cell.colspan}"
                attrs += f" valign=top style='width:{col_w * cell.colspan * 0.75:.1f}pt;border:solid windowtext 1.0pt'"
                tag = "th" if use_th and r == 0 else "td"
                body = self.cell_body(cell.text, header=r in header_rows)
                out.append(f"{nl}  <{tag}{attrs}>{nl}  {body}{nl}  </{tag}>")
                c += cell.colspan
            out.append(f"{nl} </tr>")
        out.append(f"{nl}</tbody>{nl}</table>")
        s = "".join(out)
        if rng.random() < 0.4:
            s = f"<div align=center>{nl}{s}{nl}</div>"
        return s

    # ------------------------------------------------------------ page
    def article(self, title_in_article: bool) -> str:
        rng = self.rng
        nl = self.nl
        out = []
        first = True
        for block in self.doc.body:
            if isinstance(block, Paragraph):
                if first and not title_in_article:
                    first = False
                    continue
                for line in block.text.split("\n"):
                    out.append(self.paragraph(line, first=first))
                first = False
            else:
                first = False
                out.append(self.table(block))
                if rng.random() < 0.5:
                    out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
        if rng.random() < 0.5:
            out.insert(0, "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->")
        cls = rng.choice(["TRS_Editor", "Custom_UnionStyle", "WordSection1", "article-content", "zoom"])
        return f"<div class={cls}>{nl}" + nl.join(out) + f"{nl}</div>"

    def render(self, charset: str) -> str:
        rng = self.rng
        nl = self.nl
        site = self.site
        paragraphs = [b.text for b in self.doc.body if isinstance(b, Paragraph)]
        title = paragraphs[0] if paragraphs else "政府信息公开工作年度报告"
        date = f"20{rng.randint(19, 25)}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
        owner = site.split(" ")[0]
        other = rng.choice([owner, f"{owner}办公室", "县政务服务管理办公室", "市大数据管理局"])

        head = (f"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
                f"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">{nl}"
                f"<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>{nl}"
                f"<meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\" />{nl}"
                f"<title>{_esc(title)} - {_esc(site)}</title>{nl}"
                f"<meta name=\"ArticleTitle\" content=\"{html.escape(title)}\">{nl}"
                f"<link rel=\"stylesheet\" href=\"/css/style.css\"><style>.MsoNormal{{margin:0}}</style>{nl}"
                f"<script>var doctitle = '<p>{_esc(title)}</p>';</script>{nl}</head>{nl}<body>{nl}")
        nav_items = "".join(f"<li><a href=\"/col/{i}/\">{n}</a></li>" for i, n in
                            enumerate(["首页", "政务公开", "政务服务", "互动交流", "走进" + owner[:2]]))
        header = rng.choice([
            f"<div class=\"header\"><div class=\"logo\"><a href=\"/\">{_esc(site)}</a></div>{nl}"
            f"<div class=\"nav\"><ul>{nav_items}</ul></div></div>",
            f"<header><h2>{_esc(site)}</h2><nav><ul>{nav_items}</ul></nav></header>",
            f"<div id=\"top\"><div class=\"top_menu\"><ul>{nav_items}</ul></div></div>",
        ])
        last = rng.choice(["正文", "政府信息公开年报", _esc(title), _esc(other)])
        crumb_cls = rng.choice(["position", "crumbs", "location", "breadcrumb", "dqwz", None])
        crumb_text = (f"当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/xxgk/\">政府信息公开</a> &gt; "
                      f"<a href=\"/xxgk/nb/\">政府信息公开年报</a> &gt; <span>{last}</span>")
        crumb = (f"<div class=\"{crumb_cls}\">{crumb_text}</div>" if crumb_cls else f"<div>{crumb_text}</div>")
        info_title = rng.choice([_esc(other), _esc(owner), _esc(title)])
        info = rng.choice([
            f"<div class=\"info\">{nl}<p>标题:{info_title}</p>{nl}<p>发布机构：{_esc(other)}</p>{nl}"
            f"<p>发布日期：{date}</p>{nl}</div>",
            f"<div class=\"article-info\"><span>发布机构：{_esc(other)}</span>&nbsp;&nbsp;<span>发布日期：{date}</span>"
            f"&nbsp;&nbsp;<span>浏览次数：<em id=\"hits\">{rng.randint(10, 999)}</em></span>&nbsp;&nbsp;"
            f"字号：<a href=\"#\">大</a> <a href=\"#\">中</a> <a href=\"#\">小</a></div>",
            f"<table class=\"xxgk_table\" width=\"100%\"><tr><td>索引号：</td><td>0141{rng.randint(10000, 99999)}/{date[:4]}-00{rng.randint(10, 99)}</td>"
            f"<td>发布机构：</td><td>{_esc(other)}</td></tr><tr><td>名称：</td><td>{_esc(title)}</td>"
            f"<td>发布日期：</td><td>{date}</td></tr></table>",
            f"<div>标题:{info_title}<br>发布机构：{_esc(other)}<br>发布日期：{date}<br>来源：{_esc(owner)}</div>",
        ])
        title_in_article = rng.random() < 0.5
        heading = "" if title_in_article else rng.choice([
            f"<h1 class=\"title\">{_esc(title)}</h1>",
            f"<div class=\"article-title\"><h2>{_esc(title)}</h2></div>",
            f"<p class=\"bt\" align=\"center\"><strong>{_esc(title)}</strong></p>",
        ])
        tools = rng.choice([
            "<div class=\"share\">分享到：<a>微信</a><a>微博</a></div><div class=\"tools\">【<a href=\"javascript:window.print()\">打印本页</a>】【<a href=\"javascript:window.close()\">关闭窗口</a>】</div>",
            "<p align=\"right\">[打印] [关闭]</p>",
            "<div class=\"bdsharebuttonbox\"><a class=\"bds_weixin\"></a></div>",
        ])
        sidebar = ("<div class=\"left\"><h3>相关链接</h3><ul>" +
                   "".join(f"<li><a href=\"/nb/{y}.html\">{y}年{_esc(owner)}政府信息公开工作年度报告</a></li>"
                           for y in range(2015, 2019)) + "</ul></div>")
        article = self.article(title_in_article)
        main = f"{heading}{nl}{info}{nl}{article}{nl}{tools}"
        if rng.random() < 0.3:
            main = (f"<table width=\"100%\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\"><tr><td>{nl}"
                    f"{main}{nl}</td></tr></table>")
        if rng.random() < 0.5:
            main = f"{crumb}{nl}{main}"
            crumb = ""
        ident = f"{rng.randint(1000, 6599)}{rng.randint(0, 999999):06d}"
        footer = rng.choice([
            f"<div class=\"footer\"><p>主办单位：{_esc(site)}</p><p>网站标识码：{ident}&nbsp;&nbsp;苏ICP备{rng.randint(10000000, 99999999)}号</p></div>",
            f"<footer><p>{_esc(site)} 版权所有 网站标识码：{ident}</p></footer>",
        ])
        body = (f"{header}{nl}{crumb}{nl}<div class=\"main\">{nl}"
                + (f"{sidebar}{nl}" if rng.random() < 0.5 else "")
                + f"<div class=\"content\">{nl}{main}{nl}</div>{nl}</div>{nl}{footer}{nl}"
                f"<script type=\"text/javascript\">document.write('<div>统计</div>');</script>{nl}</body></html>")
        return head + body


def write_portal_html(doc: Document, *, site: str, rng: random.Random, charset: str = "utf-8") -> str:
    """The portal page for doc (its first paragraph is the report's title),
    on a site named site.  charset only names the encoding in the page's
    meta tag; the caller encodes the text."""
    return _Page(doc, site, rng).render(charset)

"""HTML pages -> ``Document``: the article's paragraphs and its tables as grids.

A portal page is a CMS template around a Word document pasted into an
editor.  ``read_html`` finds the article in it, leaves the site's chrome
out, and reads every data table as a grid of spanned cells, so that blank
cells keep their positions instead of vanishing as they do when a page is
flattened to text (``extract.html``).

Finding the article
    The anchor is the report's title: the deepest short block whose text
    reads ``…政府信息公开(工作)年度报告`` / ``政务公开…年度报告`` (not a link,
    not a breadcrumb, not a ``标题:`` label, not a cell of a data table).
    The article is the smallest ancestor of the title that holds at least
    half of the page's data-table cells (a data table: a table of figures
    that is not a layout table; only those with a label of 4+ CJK
    characters count when there are any, so a calendar does not); with
    several titles the one with the smallest such ancestor wins, then the
    first.  Without data tables the ancestor must hold half of the page's
    text outside the title; without a title the anchor is the largest data
    table and the article the block around its tables (or, with no tables,
    the longest paragraph's).

Leaving chrome out
    Inside the article: scripts, styles, forms, iframes, nav/header/footer/
    aside elements and elements whose class or id says breadcrumb, crumb,
    position, location, nav, menu, footer, header, share or sidebar are
    skipped unless they hold the title or a data table; so are blocks that
    are mostly links and ``display:none`` blocks.  Paragraphs before the
    title are dropped, and so are metadata lines (``标题:``, ``发布机构：``,
    ``发布日期：``, ``来源：``, ``索引号：``, ``浏览次数``, ``字号：大 中 小``,
    ``打印``, ``关闭``, breadcrumbs) that hold nothing but such labels and
    short values.  Metadata tables (索引号 | … | 发布机构 | …) are dropped.

Blocks
    A paragraph per block-level element and per ``<br>``-separated line;
    a ``Table`` per data table.  A layout table (a single cell, or cells
    holding other tables) is walked into.  Text is normalised the same way
    everywhere: whitespace (NBSP and the ideographic space included) runs
    collapsed to one space, trimmed, and a space dropped where it touches a
    non-ASCII character (``本年新<br>公开数量`` -> ``本年新公开数量``; two
    ASCII words keep one space).

Grids
    Rows are the table's own ``tr`` (direct, or in thead/tbody/tfoot, in
    document order); td/th are placed by the HTML table algorithm (a
    position covered by an earlier rowspan is skipped).  rowspan=0 or too
    large is clamped to the rows left, spans to at most 50, and a colspan
    wider than any row has cells is cut so that its row fits the width the
    other rows give the table.
    Rows in which no cell starts are removed (the rowspans across them
    shrink).  Blank cells stay as ``Cell(text="")``.  The text of a nested
    table is not part of its outer cell: the nested table follows the outer
    one as a block of its own.
"""
from __future__ import annotations

import re

from lxml import etree

from .agency import clean_agency
from .document import Cell, Document, Paragraph, Table

__all__ = ["read_html", "normalise_text"]

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)

_BLOCK = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
    "article", "main", "header", "footer", "nav", "aside", "blockquote", "pre", "center", "address",
    "figure", "figcaption", "caption", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "hr",
    "form", "fieldset", "body", "html",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Never part of the text, wherever they are.
_SKIP = frozenset({
    "script", "style", "head", "title", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "select", "option", "button", "input", "textarea", "svg", "map", "area", "link", "meta",
    "audio", "video", "canvas",
})
# Chrome unless it holds the title or a data table.
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
_CHROME_RE = re.compile(
    r"bread|crumb|position|location|nav|menu|footer|header|share|sidebar|side[-_]bar|bdshare|fenxiang"
    r"|dqwz|weizhi|copyright|toolbar",
    re.I,
)
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TITLE_RE = re.compile(r"(?:政府信息公开|政务公开)[^。；;，,]{0,12}(?:年度报告|年报)")
_TITLE_MAX = 100
_YEAR_RE = re.compile(r"(?:19|20)\d\d|[〇零一二][〇零一二三四五六七八九]{3}")
_TITLE_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "li", "center", "section",
                           "article", "header", "caption", "dt", "dd", "body", "html", "blockquote", "main"})
_TEXT_WITH_BAO = etree.XPath("//text()[contains(., '报')]")
_TABLE_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
_MAX_SPAN = 50

# --------------------------------------------------------------- text

_WS_RE = re.compile(r"\s+")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f]")
_CJK_SPACE_RE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")


def normalise_text(s: str) -> str:
    """Whitespace runs (NBSP, U+3000 included) -> one space, trimmed; a
    space touching a non-ASCII character dropped; zero-width marks and
    control characters dropped."""
    stripped = s.strip()
    if stripped.isalnum():
        return stripped     # letters and digits only (most cells): nothing inside to drop
    s = _WS_RE.sub(" ", _INVISIBLE_RE.sub("", s)).strip()
    if " " in s:
        s = _CJK_SPACE_RE.sub("", s)
    return s


def _el_text(el, out: list[str]) -> None:
    """All text inside el (not its tail): <br> and blocks become a space
    (dropped again by normalise_text between CJK characters); nested
    tables, scripts and the like contribute nothing."""
    if el.text:
        out.append(el.text)
    for ch in el:
        tag = ch.tag
        if isinstance(tag, str):
            if tag == "table" or tag in _SKIP:
                pass
            elif tag == "br":
                out.append(" ")
            elif tag in _BLOCK:
                out.append(" ")
                _el_text(ch, out)
                out.append(" ")
            else:
                _el_text(ch, out)
        if ch.tail:
            out.append(ch.tail)


def _text_of(el) -> str:
    out: list[str] = []
    _el_text(el, out)
    return normalise_text("".join(out))


# --------------------------------------------------------------- metadata lines

_META_LABELS = (
    "标\\s*题|名\\s*称|发布机构|发文机关|发布单位|发布部门|发布者|发布日期|发布时间|成文日期|生成日期|更新时间|日\\s*期|时\\s*间"
    "|来\\s*源|信息来源|文章来源|索引号|文\\s*号|发文字号|主题分类|主题词|组配分类|体裁分类|分\\s*类|作\\s*者|编\\s*辑"
    "|责任编辑|浏览次数|浏览量|点击数|点击量|阅读次数|访问次数|访问量|字\\s*号|字\\s*体|上一篇|下一篇|有效性"
    "|公开方式|公开范围|公开时限|公开形式|所属机构|信息分类"
)
_META_AT_START_RE = re.compile(rf"^\s*[【\[〔(（]?\s*(?:{_META_LABELS})\s*[:：]")
_META_SPLIT_RE = re.compile(rf"[【\[〔(（]?\s*(?:{_META_LABELS})\s*[:：]")
_TOOLS_RE = re.compile(
    r"(?:字\s*号|字\s*体)\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?"
    r"|(?:浏览次数|浏览量|点击数|点击量|阅读次数|访问次数|访问量)\s*[:：]?\s*\d*\s*次?"
    r"|打印本页|打印此页|打印文章|打印|关闭本页|关闭窗口|关闭|分享到\s*[:：]?|收藏本页|收藏|返回顶部|纠错"
    r"|扫一扫在手机(?:上)?打开当前页|【|】|\[|\]|〔|〕|\||｜"
)
_CRUMB_RE = re.compile(r"^\s*(?:当前位置|您的位置|您当前的位置|您现在的位置|当前所在位置|所在位置|位置)\s*[:：]")
_CRUMB_ARROWS_RE = re.compile(r"首页\s*(?:>|&gt;|»|＞|→|/)")


def _is_metadata(s: str) -> bool:
    """A line holding only site metadata labels with short values, page
    tools (打印 关闭 字号) or a breadcrumb."""
    if len(s) > 240:
        return False
    if _CRUMB_RE.match(s) or _CRUMB_ARROWS_RE.search(s):
        return True
    rest = _TOOLS_RE.sub(" ", s)
    if not rest.strip(" :：/·|-—"):
        return True
    if not _META_AT_START_RE.match(rest):
        return False
    values = _META_SPLIT_RE.split(rest)[1:]
    return all(len(v.strip()) <= 60 and "。" not in v for v in values)


def _is_title_text(s: str) -> bool:
    if len(s) > _TITLE_MAX:
        return False
    m = _TITLE_RE.search(s)
    if not m or (m.start() < 2 and not _YEAR_RE.search(s)):
        return False  # a column's name (政府信息公开年报), not a report's title
    if _CRUMB_RE.match(s) or _CRUMB_ARROWS_RE.search(s) or _META_AT_START_RE.match(s):
        return False
    return ">" not in s and "》" not in s[-1:] and not s.startswith(("附件", "相关"))


# --------------------------------------------------------------- tables

_FIGURE_RE = re.compile(
    r"^[+\-−]?[0-9０-９][0-9０-９,，.．]*\s*(?:元|万元|万|亿元|件|个|条|项|次|人|家|%|％)?$"
)
_LABEL_RE = re.compile(r"[\u4e00-\u9fff]{4}")
_META_CELL_RE = re.compile(
    r"^(?:索引号|发布机构|发文机关|发布日期|成文日期|生成日期|发布时间|文\s*号|发文字号|主题分类|主题词|组配分类|体裁分类"
    r"|公开方式|公开范围|公开时限|有效性|所属机构|信息来源|名\s*称|标\s*题|分\s*类)\s*[:：]?"
)


class _TableInfo:
    __slots__ = ("rows", "cells", "texts", "kind", "figures", "n_cells", "labelled")

    def __init__(self, table):
        self.rows = _TABLE_ROWS(table)
        self.cells = [[c for c in tr if c.tag == "td" or c.tag == "th"] for tr in self.rows]
        flat = [c for row in self.cells for c in row]
        self.texts = [[_text_of(c) for c in row] for row in self.cells]
        flat_texts = [t for row in self.texts for t in row]
        self.n_cells = len(flat)
        self.figures = sum(1 for t in flat_texts if t and _FIGURE_RE.match(t))
        self.labelled = any(_LABEL_RE.search(t) for t in flat_texts)
        nested = table.find(".//table") is not None and any(c.find(".//table") is not None for c in flat)
        if not flat:
            self.kind = "layout"
        elif len(flat) == 1:
            self.kind = "layout"
        elif nested and self.figures < 3:
            self.kind = "layout"
        elif self.figures == 0 and len(self.rows) <= 3 and max(len(t) for t in flat_texts) > 400:
            self.kind = "layout"
        elif self.figures < 3 and sum(1 for t in flat_texts if _META_CELL_RE.match(t) and len(t) <= 80) >= 2:
            self.kind = "meta"
        else:
            self.kind = "data"


_SPAN_RE = re.compile(r"\s*(\d+)")


def _span(value: str | None) -> int:
    if not value:
        return 1
    if value.isdigit():
        return int(value)
    m = _SPAN_RE.match(value)
    return int(m.group(1)) if m else 1


def _place(info: _TableInfo, spans: list[list[tuple[int, int]]], width: int | None) -> list[Cell]:
    """The HTML table algorithm: each cell at the first free column of its
    row.  With width given, a huge colspan is cut so that its row's cells
    fit in width columns."""
    n_rows = len(info.rows)
    taken: list[set[int]] = [set() for _ in range(n_rows)]
    cells: list[Cell] = []
    append = cells.append
    for r, (row_spans, texts) in enumerate(zip(spans, info.texts)):
        c = 0
        used = taken[r]
        for i, ((rs, cs), text) in enumerate(zip(row_spans, texts)):
            if used:
                while c in used:
                    c += 1
            if cs < 0:  # huge
                cs = 1 if width is None else max(1, width - c - sum(max(s, 1) for _, s in row_spans[i + 1:]))
            if rs > 1:
                for rr in range(r + 1, r + rs):
                    taken[rr].update(range(c, c + cs))
            append(Cell(text, r, c, rs, cs))
            c += cs
    return cells


def _grid(info: _TableInfo) -> Table:
    n_rows = len(info.rows)
    widest = max((len(row) for row in info.cells), default=0)
    spans: list[list[tuple[int, int]]] = []
    huge = False
    for r, row in enumerate(info.cells):
        row_spans = []
        for td in row:
            rowspan, colspan = td.get("rowspan"), td.get("colspan")
            if rowspan is None and colspan is None:     # most cells
                row_spans.append((1, 1))
                continue
            rs = _span(rowspan)
            if rs == 0 or rs > n_rows - r:
                rs = n_rows - r
            rs = min(rs, _MAX_SPAN)
            cs = min(max(_span(colspan), 1), _MAX_SPAN)
            if cs > widest:
                cs = -1  # wider than any row has cells: sized to the table below
                huge = True
            row_spans.append((rs, cs))
        spans.append(row_spans)
    width = None
    if huge:
        width = max((c.col + c.colspan for c in _place(info, spans, None)), default=0)
    cells = _place(info, spans, width)
    if not cells:
        return Table(cells=[], n_rows=0, n_cols=0)
    last = max(cell.col + cell.colspan for cell in cells)
    # Rows in which no cell starts are removed.
    starts = {cell.row for cell in cells}
    if len(starts) < n_rows:
        kept_before = [0] * (n_rows + 1)
        for r in range(n_rows):
            kept_before[r + 1] = kept_before[r] + (r in starts)
        for cell in cells:
            end = cell.row + cell.rowspan
            cell.row = kept_before[cell.row]
            cell.rowspan = max(kept_before[end] - cell.row, 1)
        n_rows = len(starts)
    return Table(cells=cells, n_rows=n_rows, n_cols=last)


# --------------------------------------------------------------- the article

class _Page:
    def __init__(self, root):
        self.root = root
        self.tables: dict = {}
        for t in root.iter("table"):
            self.tables[t] = _TableInfo(t)
        self.data = [t for t, i in self.tables.items() if i.kind == "data" and i.figures > 0]
        # The article's tables are weighed; a calendar or a table of page
        # counts (no label of 4+ CJK characters) only when nothing else is.
        weighed = [t for t in self.data if self.tables[t].labelled] or self.data
        self.weight: dict = {}
        for t in weighed:
            w = self.tables[t].n_cells
            self.weight[t] = self.weight.get(t, 0) + w
            for a in t.iterancestors():
                self.weight[a] = self.weight.get(a, 0) + w
        self.total = sum(self.tables[t].n_cells for t in weighed)
        self.weighed = weighed

    def info(self, table) -> _TableInfo:
        info = self.tables.get(table)
        if info is None:
            info = self.tables[table] = _TableInfo(table)
        return info

    def in_data_table(self, el) -> bool:
        for a in el.iterancestors():
            if a.tag == "table":
                return self.info(a).kind != "layout"
        return False

    def titles(self) -> list:
        """The blocks whose whole text reads as a report's title, deepest
        first: found from the text nodes holding 报 (年度报告, 年报)."""
        found: list = []
        seen: set = set()
        for node in _TEXT_WITH_BAO(self.root):
            el = node.getparent()
            if el is None:
                continue
            if node.is_tail:
                el = el.getparent()
            in_link = False
            skip = False
            while el is not None and el.tag not in _TITLE_BLOCKS:
                tag = el.tag
                if tag == "a":
                    in_link = True
                elif tag in _SKIP:
                    skip = True
                el = el.getparent()
            if el is None or skip or el in seen:
                continue
            seen.add(el)
            if in_link and el.tag not in _HEADINGS:
                continue  # a link to a report (a sidebar's list, a breadcrumb)
            if any(a.tag in _SKIP for a in el.iterancestors()):
                continue
            raw = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
            if len(raw) > 600 or not _is_title_text(_text_of(el)):
                continue
            if self.in_data_table(el):
                continue  # a cell of a data or metadata table (名称 | 2019年…年度报告)
            found.append(el)
        # Deepest blocks only: drop a candidate holding another one.
        found_set = set(found)
        return [el for el in found if not any(d in found_set for d in el.iterdescendants())]

    def container(self, anchor):
        if self.total:
            need = self.total * 0.5
            for a in (anchor, *anchor.iterancestors()):
                if self.weight.get(a, 0) >= need:
                    return a
            return self.root
        # No data tables: the smallest ancestor holding half of the text
        # outside the anchor.
        own = len(_text_of(anchor))
        rest = len(_text_of(self.root)) - own
        for a in anchor.iterancestors():
            if len(_text_of(a)) - own >= rest * 0.5:
                return a
        return self.root

    def locate(self):
        titles = self.titles()
        if titles:
            order = {el: i for i, el in enumerate(titles)}
            scored = []
            for el in titles:
                box = self.container(el)
                scored.append((sum(1 for _ in box.iter()), order[el], el, box))
            scored.sort(key=lambda s: (s[0], s[1]))
            return scored[0][3], scored[0][2]
        if self.weighed:
            anchor = max(self.weighed, key=lambda t: self.tables[t].n_cells)
            box = self.container(anchor)
            # The article holds its tables: out of the table to the block
            # around it (a layout table's cell will do).
            while box.getparent() is not None and (
                    box.tag in ("table", "tbody", "thead", "tfoot", "tr")
                    or (box.tag in ("td", "th") and self.info(next(box.iterancestors("table"))).kind != "layout")):
                box = box.getparent()
            return box, None
        longest, best = None, 0
        for p in self.root.iter("p", "div", "td"):
            n = len((p.text or "").strip())
            if n > best:
                longest, best = p, n
        if longest is None:
            return self.root, None
        return self.container(longest), None


# --------------------------------------------------------------- the walk

class _Walker:
    def __init__(self, page: _Page, box, title):
        self.page = page
        self.title = title
        self.blocks: list = []
        self.buf: list[str] = []
        self.title_at: int | None = None
        protected = set()
        # Chrome is never dropped around the title or a report-like data
        # table (figures and a label of 4+ CJK characters; not a calendar).
        tables = [t for t in page.data if page.tables[t].labelled]
        for el in ([title] if title is not None else []) + tables:
            protected.add(el)
            protected.update(el.iterancestors())
        self.protected = protected
        self.link_heavy = self._link_heavy(box)

    @staticmethod
    def _link_heavy(box) -> set:
        links = box.findall(".//a")
        if len(links) < 3:
            return set()
        counts: dict = {}
        for a in links:
            n = len(normalise_text(etree.tostring(a, method="text", encoding="unicode", with_tail=False)))
            for anc in a.iterancestors():
                c = counts.get(anc)
                if c is None:
                    c = counts[anc] = [0, 0]
                c[0] += 1
                c[1] += n
                if anc is box:
                    break
        heavy = set()
        for el, (k, n) in counts.items():
            if k >= 3 and el is not box:
                total = len(normalise_text(etree.tostring(el, method="text", encoding="unicode", with_tail=False)))
                if total and n >= 0.7 * total:
                    heavy.add(el)
        return heavy

    def flush(self) -> None:
        if not self.buf:
            return
        text = normalise_text("".join(self.buf))
        self.buf.clear()
        if text and not _is_metadata(text):
            self.blocks.append(Paragraph(text))

    def chrome(self, el, tag: str) -> bool:
        if el in self.protected:
            return False
        if tag in _CHROME_TAGS or el in self.link_heavy:
            return True
        cls = el.get("class")
        ident = el.get("id")
        if (cls and _CHROME_RE.search(cls)) or (ident and _CHROME_RE.search(ident)):
            return True
        style = el.get("style")
        return bool(style and _HIDDEN_RE.search(style))

    def walk(self, el) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return
        if self.chrome(el, tag):
            self.flush()
            return
        if el is self.title:
            # The title's lines (a heading broken by <br> or into two
            # paragraphs) are one paragraph; a metadata line in it is not.
            self.flush()
            at = self.title_at = len(self.blocks)
            self.title = None
            self.walk(el)
            self.flush()
            parts = [b.text for b in self.blocks[at:] if isinstance(b, Paragraph)]
            tables = [b for b in self.blocks[at:] if isinstance(b, Table)]
            del self.blocks[at:]
            text = normalise_text(" ".join(parts))
            if text:
                self.blocks.append(Paragraph(text))
            self.blocks.extend(tables)
            return
        if tag == "table":
            info = self.page.info(el)
            if info.kind == "meta":
                self.flush()
                return
            if info.kind == "data":
                self.flush()
                self.table(el, info)
                return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.flush()

    def table(self, el, info: _TableInfo) -> None:
        for cap in el.findall("caption"):
            text = _text_of(cap)
            if text and not _is_metadata(text):
                self.blocks.append(Paragraph(text))
        grid = _grid(info)
        if grid.cells:
            self.blocks.append(grid)
        # Tables nested in cells follow as blocks of their own.
        for row in info.cells:
            for td in row:
                for inner in td.iter("table"):
                    if next(inner.iterancestors("table")) is el:
                        self.walk(inner)


def _parse(text: str):
    try:
        return etree.fromstring(_XML_DECL_RE.sub("", text), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def read_html(text: str) -> Document:
    """An HTML page (a whole portal page or the article fragment a CMS
    serves) -> Document(format="html"): the article's paragraphs, title
    first when the page has one, and its data tables as grids."""
    root = _parse(text) if text and text.strip() else None
    if root is None:
        return Document(format="html")
    page = _Page(root)
    box, title = page.locate()
    walker = _Walker(page, box, title)
    walker.walk(box)
    walker.flush()
    blocks = walker.blocks
    if walker.title_at:
        # Whatever prose precedes the title in the article's box is chrome
        # (info lines, breadcrumbs, tools); tables are kept.
        # A body's name printed on its own line right above the title is
        # part of the title block, not chrome.
        keep = walker.title_at - 1
        while keep >= 0 and isinstance(blocks[keep], Paragraph) and not blocks[keep].text.strip():
            keep -= 1
        if not (keep >= 0 and isinstance(blocks[keep], Paragraph) and clean_agency(blocks[keep].text.strip())
                and not _is_metadata(blocks[keep].text)):
            keep = walker.title_at
        blocks = [b for i, b in enumerate(blocks) if i >= keep or isinstance(b, Table)]
    return Document(format="html", body=blocks)

"""HTML pages -> the text the layout readers understand.

Table rows become tab-separated lines (a colspan leaves empty cells after
the cell, as a merged cell does in a Word export; a rowspan leaves nothing:
the label-driven reader does not need it); ``<br>`` inside a cell joins its
parts; paragraphs and blocks become lines; scripts, styles and <head> are
dropped.  lxml parses the broken markup CMS pages are full of, in C: the
standard library's HTMLParser cost 30 ms a page.
"""
from __future__ import annotations

import re

from lxml import etree

_HTML_RE = re.compile(r"<\s*(?:html|body|table|p|div|br|span|td)\b", re.I)
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "header",
                    "footer", "blockquote", "pre", "ul", "ol", "tr", "center", "form"})
_SKIP = frozenset({"script", "style", "head", "title", "noscript"})
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text[:20000]))


def _cell_string(cell) -> str:
    """All text inside an element (XPath string()), serialised in C: half
    the cost of evaluating string() per cell."""
    return etree.tostring(cell, method="text", encoding="unicode", with_tail=False)


_TABLE_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
_CELL_SPACE = str.maketrans({"\t": " ", "\r": None, "\n": None})


def _cell_text(cell) -> str:
    return _cell_string(cell).translate(_CELL_SPACE).strip()


def _table_lines(table, lines: list[str]) -> None:
    nested = table.find(".//table") is not None
    for tr in _TABLE_ROWS(table):
        cells = []
        for cell in tr:
            if cell.tag != "td" and cell.tag != "th":
                continue
            if nested and cell.find(".//table") is not None:
                # A layout table wrapping the real one: emit the inner tables
                # (each once: deeper ones are emitted by their own parent).
                for inner in cell.iter("table"):
                    if next(inner.iterancestors("table")) is table:
                        _table_lines(inner, lines)
                text = ""
            else:
                text = _cell_text(cell)
            cells.append(text)
            span = cell.get("colspan")
            if span and span != "1":
                cells.extend([""] * (int(span) - 1 if span.isdigit() and 0 < int(span) < 50 else 0))
        if cells and any(cells):
            lines.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t")


def html_to_text(text: str) -> str:
    try:
        # Plain etree elements: lxml.html's element classes cost a Python
        # lookup for every element touched.
        root = etree.fromstring(_XML_DECL_RE.sub("", text), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return text
    if root is None:
        return text
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        s = "".join(buf).replace("\r", " ").replace("\n", " ").strip()
        if s:
            lines.append(s)
        buf.clear()

    def visit(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "table":
            flush()
            _table_lines(el, lines)
            return
        if tag in _BLOCK or tag == "br":
            flush()
        if el.text and tag:
            buf.append(el.text)
        for child in el:
            visit(child)
            if child.tail:
                buf.append(child.tail)
        if tag in _BLOCK:
            flush()

    visit(root)
    flush()
    return "\n".join(lines)

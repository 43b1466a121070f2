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

import lxml.html
from lxml import etree

_HTML_RE = re.compile(r"<\s*(?:html|body|table|p|div|br|span|td)\b", re.I)
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "header",
                    "footer", "blockquote", "pre", "ul", "ol", "tr", "center", "form"})
_SKIP = frozenset({"script", "style", "head", "title", "noscript"})
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text[:20000]))


def _cell_text(cell) -> str:
    return "".join(cell.itertext()).replace("\t", " ").replace("\r", "").replace("\n", "").strip()


def _table_lines(table, lines: list[str]) -> None:
    rows = [el for el in table if el.tag == "tr"]
    for group in table:
        if group.tag in ("thead", "tbody", "tfoot"):
            rows.extend(el for el in group if el.tag == "tr")
    for tr in rows:
        cells = []
        for cell in (el for el in tr if el.tag in ("td", "th")):
            if cell.find(".//table") is not None:
                # A layout table wrapping the real one: emit the inner tables
                # (each once: deeper ones are emitted by their own parent).
                for inner in cell.iter("table"):
                    if next(inner.iterancestors("table")) is table:
                        _table_lines(inner, lines)
                text = ""
            else:
                text = _cell_text(cell)
            span = cell.get("colspan") or "1"
            cells.append(text)
            cells.extend([""] * (int(span) - 1 if span.isdigit() and 0 < int(span) < 50 else 0))
        if cells and any(cells):
            lines.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t")


def html_to_text(text: str) -> str:
    try:
        root = lxml.html.document_fromstring(_XML_DECL_RE.sub("", text))
    except (etree.ParserError, ValueError):
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

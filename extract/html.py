"""HTML pages -> the text the layout readers understand.

Table rows become tab-separated lines (a colspan leaves empty cells after
the cell, as a merged cell does in a Word export; a rowspan leaves nothing,
the label-driven reader does not need it); ``<br>`` inside a cell joins its
parts; paragraphs and blocks become lines; scripts and styles are dropped.
Built on the standard library's HTMLParser, which copes with the unclosed
tags CMS pages are full of.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_HTML_RE = re.compile(r"<\s*(?:html|body|table|p|div|br|span|td)\b", re.I)
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "header", "footer",
          "title", "blockquote", "pre", "ul", "ol"}


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text[:20000]))


class _Flattener(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []          # prose being collected
        self.rows: list[list[list[str]]] = []   # stack of open rows (one per open table)
        self.cell: list[list[str] | None] = []  # stack of open cells
        self.skip = 0

    # -- helpers
    def _flush_prose(self):
        text = "".join(self.buf).strip()
        if text:
            self.lines.append(text)
        self.buf = []

    def _in_cell(self) -> bool:
        return bool(self.cell) and self.cell[-1] is not None

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag == "table":
            if not self._in_cell():
                self._flush_prose()
            self.rows.append([])
            self.cell.append(None)
        elif tag == "tr" and self.rows:
            self.rows[-1].append([])
        elif tag in ("td", "th") and self.rows:
            if not self.rows[-1]:
                self.rows[-1].append([])
            self.cell[-1] = []
            span = dict(attrs).get("colspan") or "1"
            self._colspan = int(span) if span.isdigit() else 1
            self.rows[-1][-1].append("")  # placeholder, filled at </td>
            self._pending_span = self._colspan
        elif tag == "br":
            if not self._in_cell():
                self._flush_prose()
        elif tag in _BLOCK and not self._in_cell():
            self._flush_prose()

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.rows and self._in_cell():
            text = "".join(self.cell[-1]).strip()
            row = self.rows[-1][-1]
            row[-1] = text.replace("\t", " ").replace("\n", "")
            row.extend([""] * (getattr(self, "_pending_span", 1) - 1))
            self.cell[-1] = None
        elif tag == "tr" and self.rows and self.rows[-1]:
            row = self.rows[-1].pop()
            if any(c.strip("\u00a0 ") for c in row) or row:
                self.lines.append("\t".join(row) if len(row) > 1 else (row[0] + "\t" if row else ""))
        elif tag == "table" and self.rows:
            for row in self.rows.pop():
                self.lines.append("\t".join(row))
            self.cell.pop()
        elif tag in _BLOCK and not self._in_cell():
            self._flush_prose()

    def handle_data(self, data):
        if self.skip:
            return
        if self._in_cell():
            self.cell[-1].append(data)
        else:
            self.buf.append(data.replace("\n", " ").replace("\r", " "))


def html_to_text(text: str) -> str:
    parser = _Flattener()
    parser.feed(text)
    parser.close()
    parser._flush_prose()
    return "\n".join(parser.lines)

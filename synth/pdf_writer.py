"""Document -> a Word-like PDF (reportlab, CID font STSong-Light).

Paragraphs are wrapped text lines; a table is drawn the way Word draws
one: every cell's four borders as separate rule pieces (so a merged cell
has no inner rule), text wrapped inside the cell (CJK breaks anywhere,
Latin runs stay whole), and a table longer than the page continues on the
next page with its header rows repeated.  ``rules="rects"`` draws the
borders as thin filled rectangles instead of stroked lines, as some
exporters do.

Needs reportlab (BSD); pypdfium2 reads STSong-Light text back exactly,
since pdfium carries the Adobe-GB1 CMaps.
"""
from __future__ import annotations

import io
import re

from extract.document import Cell, Document, Paragraph, Table

__all__ = ["PAGE_BREAK", "write_pdf"]

# A paragraph of this text is no text: the writer starts a new page there
# (synth.documents breaks a table row across pages with it).
PAGE_BREAK = "\f"

FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.0, 842.0
MARGIN = 72.0
BODY_SIZE, CELL_SIZE = 12.0, 9.0
PAD = 3.0
_UNBREAKABLE = re.compile(r"[^\s\u3000-\u303f\u4e00-\u9fff（）：，、；。“”]+")
_TOKEN = re.compile(r"[A-Za-z0-9.,%:/+\-_@()]+| |.", re.S)
_registered = False


def _font() -> None:
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    return stringWidth(text, FONT, size)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy wrap: CJK characters break anywhere, Latin runs stay whole
    (a run wider than the line is cut by characters)."""
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for tok in _TOKEN.findall(para):
            if _width(cur + tok, size) <= width or not cur.strip():
                if tok == " " and not cur:
                    continue
                if _width(cur + tok, size) > width and len(tok) > 1:      # a run wider than the line
                    for ch in tok:
                        if cur and _width(cur + ch, size) > width:
                            lines.append(cur.rstrip())
                            cur = ""
                        cur += ch
                    continue
                cur += tok
            else:
                lines.append(cur.rstrip())
                cur = "" if tok == " " else tok
        lines.append(cur.rstrip())
    return lines or [""]


class _Writer:
    def __init__(self, rules: str):
        from reportlab.pdfgen import canvas
        _font()
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
        self.c.setLineWidth(0.5)
        self.rules = rules
        self.y = PAGE_H - MARGIN            # top-down cursor, reportlab y
        self.width = PAGE_W - 2 * MARGIN

    def new_page(self) -> None:
        self.c.showPage()
        self.c.setLineWidth(0.5)
        self.y = PAGE_H - MARGIN

    def room(self) -> float:
        return self.y - MARGIN

    def text(self, x: float, baseline: float, s: str, size: float) -> None:
        self.c.setFont(FONT, size)
        self.c.drawString(x, baseline, s)

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self.rules == "none":
            return          # a table set in columns without rules (exporters that drop borders)
        if self.rules == "rects":
            t = 0.5
            if y0 == y1:
                self.c.rect(x0 - t / 2, y0 - t / 2, x1 - x0 + t, t, stroke=0, fill=1)
            else:
                self.c.rect(x0 - t / 2, min(y0, y1) - t / 2, t, abs(y1 - y0) + t, stroke=0, fill=1)
        else:
            self.c.line(x0, y0, x1, y1)

    # ------------------------------------------------------------ blocks
    def paragraph(self, p: Paragraph) -> None:
        lead = BODY_SIZE * 1.5
        for line in wrap(p.text, self.width, BODY_SIZE):
            if self.room() < lead:
                self.new_page()
            self.text(MARGIN, self.y - BODY_SIZE, line, BODY_SIZE)
            self.y -= lead

    def table(self, t: Table, header_rows: int | None) -> None:
        nr, nc = t.n_rows, t.n_cols
        if nr == 0 or nc == 0:
            return
        widths = self._col_widths(t)
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        lead = CELL_SIZE * 1.4
        texts = {id(c): wrap(c.text, sum(widths[c.col:c.col + c.colspan]) - 2 * PAD, CELL_SIZE)
                 for c in t.cells}
        heights = [lead + 2 * PAD] * nr
        for c in sorted(t.cells, key=lambda c: c.rowspan):
            need = len(texts[id(c)]) * lead + 2 * PAD
            rows = range(c.row, min(c.row + c.rowspan, nr))
            have = sum(heights[r] for r in rows)
            if need > have:
                heights[rows[-1]] += need - have
        # clean split points: no cell crosses the boundary above row r
        crosses = [False] * (nr + 1)
        for c in t.cells:
            for r in range(c.row + 1, min(c.row + c.rowspan, nr)):
                crosses[r] = True
        if header_rows is None:
            header_rows = 1
            while header_rows < nr and crosses[header_rows]:
                header_rows += 1
        header_rows = min(header_rows, nr)
        header_h = sum(heights[:header_rows])
        if header_h > (PAGE_H - 2 * MARGIN) / 3:
            # no header: the first row's cells span most of the table (a
            # part that opens with a row broken across pages, merged cells
            # going on down); nothing is repeated on the next page
            header_rows, header_h = 0, 0.0
        # the rows of each page
        pages: list[list[int]] = []

        def cut_by_rows(r: int, end: int, cur: list[int], room: float, full: float, may_end) -> tuple[list, float]:
            """Rows r..end-1 onto the current page and on, a new page (under
            the header rows) wherever a row does not fit and may_end(cur)."""
            for rr in range(r, end):
                if heights[rr] > room and may_end(cur):
                    pages.append(cur)
                    cur = list(range(header_rows))
                    room = full
                cur.append(rr)
                room -= heights[rr]
            return cur, room

        def has_body(rows: list[int]) -> bool:
            return any(x >= header_rows for x in rows)

        cur: list[int] = []
        room = self.room()
        r = 0
        moved = False
        while r < nr:
            end = r + 1                      # a group of rows no span cuts
            while end < nr and crosses[end]:
                end += 1
            group_h = sum(heights[r:end])
            if group_h <= room or (not cur and not pages and room >= PAGE_H - 2 * MARGIN - 1):
                cur.extend(range(r, end))
                room -= group_h
                r = end
                continue
            if cur and has_body(cur):
                pages.append(cur)
            elif cur and not moved:          # only header rows fit: move them on
                r, moved = 0, True
            elif cur:
                # moved already: the header and this group do not fit on a
                # whole page together, so the group is cut under the header
                cur, room = cut_by_rows(r, end, cur, room, PAGE_H - 2 * MARGIN - header_h, has_body)
                r = end
                continue
            full = PAGE_H - 2 * MARGIN - (header_h if pages else 0)
            cur = list(range(header_rows)) if pages else []
            room = full
            if group_h > full:               # a group longer than a page: cut it by rows
                cur, room = cut_by_rows(r, end, cur, room, full, bool)
                r = end
        if cur:
            pages.append(cur)
        for i, rows in enumerate(pages):
            if i > 0 or self.room() < heights[rows[0]]:
                self.new_page()
            self._draw_rows(t, rows, xs, heights, texts, lead)

    def _col_widths(self, t: Table) -> list[float]:
        """Each column as wide as its widest one-column cell (at most 110 pt
        wanted), scaled to the line.  A table wider than the line is
        narrowed in its wrappable text, not below its longest run without
        CJK characters or spaces (a figure such as 「1,234」 or 「１２３」):
        Word narrows a column to its longest word, it does not cut a
        figure."""
        want = [24.0] * t.n_cols
        need = [0.0] * t.n_cols
        for c in t.cells:
            if c.colspan == 1:
                w = max(_width(line, CELL_SIZE) for line in c.text.split("\n")) + 2 * PAD + 2
                want[c.col] = max(want[c.col], min(w, 110.0))
                runs = _UNBREAKABLE.findall(c.text)
                if runs:
                    need[c.col] = max(need[c.col], max(_width(r, CELL_SIZE) for r in runs) + 2 * PAD + 2)
        need = [min(n, w) for n, w in zip(need, want)]
        if sum(want) > self.width and sum(need) < self.width:
            slack = (self.width - sum(need)) / (sum(want) - sum(need))
            return [n + (w - n) * slack for n, w in zip(need, want)]
        scale = self.width / sum(want)
        return [w * scale for w in want]

    def _draw_rows(self, t: Table, rows: list[int], xs, heights, texts, lead) -> None:
        shown = set(rows)
        ys: dict[int, float] = {}
        y = self.y
        for r in rows:
            ys[r] = y
            y -= heights[r]
        bottom = y
        for c in t.cells:
            part = [r for r in range(c.row, c.row + c.rowspan) if r in shown]
            if not part:
                continue
            x0, x1 = xs[c.col], xs[c.col + c.colspan]
            top = ys[part[0]]
            low = ys[part[-1]] - heights[part[-1]]
            self.rule(x0, top, x1, top)
            self.rule(x0, low, x1, low)
            self.rule(x0, low, x0, top)
            self.rule(x1, low, x1, top)
            if c.row in shown:               # a span's text stays on its first page
                lines = texts[id(c)]
                block = len(lines) * lead
                y_text = top - (top - low - block) / 2 - CELL_SIZE
                for line in lines:
                    self.text(x0 + PAD, y_text, line, CELL_SIZE)
                    y_text -= lead
        self.y = bottom - BODY_SIZE

    def finish(self) -> bytes:
        self.c.save()
        return self.buf.getvalue()


def write_pdf(doc: Document, *, rules: str = "lines", header_rows: int | None = None) -> bytes:
    """Draw a Document as a Word-like PDF.  ``header_rows``: rows repeated
    on each page a table continues on (default: the first row and any row
    its cells span into)."""
    w = _Writer(rules)
    for block in doc.body:
        if isinstance(block, Table):
            w.table(block, header_rows)
        elif block.text == PAGE_BREAK:
            w.new_page()
        else:
            w.paragraph(block)
    return w.finish()

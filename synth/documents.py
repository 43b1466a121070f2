"""Truth -> a Document (paragraphs and tables with real spans) -> DOCX, PDF
or a portal page: the same truth as the text layouts, through the writers
of synth.docx_writer, synth.pdf_writer and synth.html_writer.

The tables start from the grids synth.render lays out (merged positions as
None); ``grid_to_table`` turns them into cells with real spans: header
cells span the empty positions right of and below them, the label cells of
table 3 span their group's rows and the label columns they fill, a blank
figure stays a cell of its own ("").  On top of that, each report takes
some of the shapes real files have:

* table 4 as one row of 15 under a two-level header, or as three small
  tables, one per proceeding, each named in a heading paragraph above it;
* table 2 rows with fewer metrics than the table has columns: the last
  figure spanning the rest, empty cells, or a filler (「/」「——」) in the
  unused columns;
* table 3 split in two (DOCX, portal: a 「续表」 paragraph between the parts,
  the header repeated or not; PDF: where the page breaks, the writer
  repeating the header rows);
* ragged spans: a label spanning two label columns in one row and one (an
  empty cell beside it) in the next.
"""
from __future__ import annotations

import random

from extract.document import Cell, Document, Paragraph, Table
from extract.templates import PROCEEDINGS

from .model import Truth
from .pdf_writer import PAGE_BREAK
from .render import (
    SECTION_TITLES, Grid, Style, _is_value_row, _looks_number, grid_table2, grid_table3, grid_table4, report_parts,
)

DOCUMENT_LAYOUTS = ("docx", "pdf", "portal")
BINARY_LAYOUTS = ("docx", "pdf")
SITES = ("某某市人民政府", "中国某某", "某某县人民政府门户网站")
PROCEEDING_HEADINGS = {
    "administrative_review": ["行政复议", "（一）行政复议情况"],
    "litigation_direct": ["行政诉讼（未经复议直接起诉）", "（二）未经复议直接起诉的行政诉讼"],
    "litigation_after_review": ["行政诉讼（复议后起诉）", "（三）复议后起诉的行政诉讼"],
}
OUTCOME_HEADER = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def grid_to_table(grid: Grid, label_cols: int, *, span_values: bool = False,
                  ragged: random.Random | None = None) -> Table:
    """A synth grid (merged positions as None) as a Table with real spans.
    span_values: a figure spans the empty positions right of it (Word's
    merged figure cells).  ragged: with this rng, some labels that would
    span several label columns span one, an empty cell beside them."""
    n_rows, n_cols = len(grid), max(len(r) for r in grid)
    value_row = [_is_value_row(r) for r in grid]
    covered: set[tuple[int, int]] = set()

    def free(r: int, c: int) -> bool:
        return c < len(grid[r]) and grid[r][c] is None and (r, c) not in covered

    cells = []
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            if text is None:
                cells.append(Cell("", r, c))
                continue
            # right of the labels in a row of figures: a figure, a blank or a
            # filler (「——」), each in a cell of its own
            figure = value_row[r] and (c >= label_cols or _looks_number(text))
            cs = 1
            if not figure:
                while c + cs < len(row) and free(r, c + cs) and (not value_row[r] or c + cs < label_cols):
                    cs += 1
                if ragged is not None and cs > 1 and value_row[r] and c + cs <= label_cols and ragged.random() < 0.3:
                    cs = 1
            elif span_values:
                while c + cs < len(row) and free(r, c + cs):
                    cs += 1
            rs = 1
            if not figure:
                # down over the rows whose positions here are merged from
                # above, not into a row of figures whose own label (left of
                # here) spans them: 「（六）其他处理」 under the last 「（5）…」
                # spans its label columns, the 「（5）」 cell stops above it
                while r + rs < n_rows and all(free(r + rs, cc) for cc in range(c, c + cs)) \
                        and (not value_row[r + rs]
                             or (c + cs <= label_cols and all(x is None for x in grid[r + rs][:c]))):
                    rs += 1
            for dr in range(rs):
                for dc in range(cs):
                    covered.add((r + dr, c + dc))
            cells.append(Cell(text, r, c, rs, cs))
    return Table(cells, n_rows, n_cols)


def _fill_table2(grid: Grid, shape: str, st: Style) -> Grid:
    """Table 2's rows with fewer metrics than columns, as `shape` prints
    them: 'span' and 'empty' leave the grid as is (grid_to_table spans or
    leaves empty cells), 'filler' prints a filler in the unused columns."""
    if shape != "filler":
        return grid
    filler = st.rng.choice(["/", "——", "—"])
    header_filler = st.rng.choice(["", filler])
    out = []
    for row in grid:
        if row[0] is not None and row[0].startswith("第二十条"):
            out.append(row)
            continue
        last = max(i for i, c in enumerate(row) if c is not None)
        fill = filler if _is_value_row(row) else header_filler
        out.append(row[:last + 1] + [fill] * (len(row) - last - 1))
    return out


def _header_copy(table: Table, header_rows: int) -> list[Cell]:
    """The header rows' cells, copied for a part that repeats them."""
    return [Cell(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells if c.row < header_rows]


def _split(table: Table, at: int, header_rows: int, repeat: bool) -> tuple[Table, Table]:
    """The table cut above row `at` (no cell crosses it): the rows before,
    and the rows from there, under a copy of the header rows if repeat."""
    first = [Cell(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells if c.row < at]
    shift = at - (header_rows if repeat else 0)
    second = _header_copy(table, header_rows) if repeat else []
    second += [Cell(c.text, c.row - shift, c.col, c.rowspan, c.colspan) for c in table.cells if c.row >= at]
    return Table(first, at, table.n_cols), Table(second, table.n_rows - shift, table.n_cols)


def _break_row(table: Table, k: int, label: Cell, header_rows: int, repeat: bool) -> tuple[Table, Table]:
    """The table broken inside row k, as Word breaks a row across pages
    (its default, 「允许跨行断页」): the first part ends with row k and its
    figures, its label's first half; the next page goes on (under a copy of
    the header rows if repeat) with the rest of that label in a row of
    empty cells, merged cells continuing there empty, then the rows after k."""
    text = label.text
    cut = max(1, len(text) // 2)
    while cut < len(text) - 1 and text[cut - 1].isascii() and text[cut].isascii():
        cut += 1        # never inside a run of Latin letters or digits
    first = []
    shift = k - (header_rows if repeat else 0)
    second = _header_copy(table, header_rows) if repeat else []
    for c in table.cells:
        end = c.row + c.rowspan - 1
        if c.row <= k:
            text_here = text[:cut] if c is label else c.text
            first.append(Cell(text_here, c.row, c.col, min(c.rowspan, k + 1 - c.row), c.colspan))
        if c is label:
            second.append(Cell(text[cut:], k - shift, c.col, 1, c.colspan))
        elif c.row <= k <= end:
            # covering row k: goes on empty on the next page (a figure's
            # cell too: its figure was printed in the first part)
            second.append(Cell("", k - shift, c.col, end - k + 1, c.colspan))
        elif c.row > k:
            second.append(Cell(c.text, c.row - shift, c.col, c.rowspan, c.colspan))
    return Table(first, k + 1, table.n_cols), Table(second, table.n_rows - shift, table.n_cols)


def _breakable_rows(table: Table, lo: int) -> list[tuple[int, Cell]]:
    """Rows from lo whose own label (the cell starting in the row, nearest
    the figures) is long enough to wrap in a narrow label column."""
    out = []
    for r in range(lo, table.n_rows - 1):
        labels = [c for c in table.cells if c.row == r and c.rowspan == 1 and c.col < 3 and c.text]
        if labels:
            label = max(labels, key=lambda c: c.col)
            if len(label.text) >= 10:
                out.append((r, label))
    return out


def _clean_cuts(table: Table, lo: int) -> list[int]:
    """Rows from lo above which no cell's span crosses."""
    crosses = set()
    for c in table.cells:
        crosses.update(range(c.row + 1, c.row + c.rowspan))
    return [r for r in range(lo + 1, table.n_rows - 1) if r not in crosses]


def build_document(t: Truth, layout: str, rng: random.Random) -> tuple[Document, dict]:
    """The report as a Document, and the shapes it was given."""
    st = Style(rng, layout)
    shapes = {
        "table4": rng.choice(["one_row", "one_row", "three_tables"]),
        "table2_short_rows": rng.choice(["span", "empty", "filler"]),
        "split_table3": layout != "pdf" and rng.random() < 0.3,
        "ragged": rng.random() < 0.3,
    }
    t2 = grid_to_table(_fill_table2(grid_table2(t, st), shapes["table2_short_rows"], st), 1,
                       span_values=shapes["table2_short_rows"] == "span")
    t3 = grid_to_table(grid_table3(t, st), 3, ragged=rng if shapes["ragged"] else None)
    table3: list = [t3]
    if shapes["split_table3"]:
        cuts = _clean_cuts(t3, 3 + 4)
        if cuts:
            a, b = _split(t3, rng.choice(cuts), 3, repeat=rng.random() < 0.5)
            table3 = [a, Paragraph(rng.choice(["续表", "（续表）", "续表："])), b]
    # drawn from a stream of its own, so that reports without it print as before
    shapes["row_break"] = layout == "pdf" and random.Random(f"row-break|{t.agency}|{t.year}").random() < 0.3
    if shapes["row_break"]:
        rows = _breakable_rows(t3, 3 + 4)
        if rows:
            own = random.Random(f"row-break-at|{t.agency}|{t.year}")
            k, label = own.choice(rows)
            a, b = _break_row(t3, k, label, 3, repeat=own.random() < 0.7)
            table3 = [a, Paragraph(PAGE_BREAK), b]
    if shapes["table4"] == "one_row":
        table4: list = [grid_to_table(grid_table4(t, st), 0)]
    else:
        table4 = []
        for p in PROCEEDINGS:
            table4.append(Paragraph(rng.choice(PROCEEDING_HEADINGS[p])))
            table4.append(grid_to_table([OUTCOME_HEADER, [st.number(v) for v in t.review[p]]], 0))
    head, prose, problems = report_parts(t, rng)
    if layout == "portal" and head[0] == t.agency:
        # the portal's first paragraph is the page's title (html_writer):
        # a name on a line of its own above the title joins it there
        head = [t.agency + head[-1]]
    body: list = [Paragraph(h) for h in head if h]
    body.append(Paragraph(SECTION_TITLES[0]))
    body += [Paragraph(p) for p in prose]
    body += [Paragraph(SECTION_TITLES[1]), t2, Paragraph(SECTION_TITLES[2]), *table3,
             Paragraph(SECTION_TITLES[3]), *table4,
             Paragraph(SECTION_TITLES[4]), Paragraph(problems), Paragraph(SECTION_TITLES[5]), Paragraph("无。")]
    if layout == "pdf":
        # reportlab's CID font draws U+00A0 as a glyph pdfium reads back
        # between the digits (「1 9」); Word prints a plain space
        for block in body:
            for cell in (block.cells if isinstance(block, Table) else [block]):
                cell.text = cell.text.replace("\u00a0", " ")
    return Document(format="pdf" if layout == "pdf" else "docx" if layout == "docx" else "html", body=body), shapes


def render_document(t: Truth, layout: str, rng: random.Random, charset: str = "utf-8") -> bytes | str:
    """The report in a document layout: DOCX or PDF bytes, or the portal
    page's text (the caller encodes it; charset names it in the page)."""
    doc, _ = build_document(t, layout, rng)
    if layout == "docx":
        from .docx_writer import write_docx
        return write_docx(doc)
    if layout == "pdf":
        from .pdf_writer import write_pdf
        return write_pdf(doc, rules=rng.choice(["lines", "lines", "rects"]))
    if layout == "portal":
        from .html_writer import write_portal_html
        return write_portal_html(doc, site=rng.choice(SITES), rng=rng, charset=charset)
    raise ValueError(f"unknown document layout {layout!r}")

"""``Document`` -> DOCX bytes, with python-docx (for tests and synthetic
corpora).

The first paragraph is written as a centred bold title, the others as
plain paragraphs.  A table is written on its full grid (n_rows x n_cols
w:tc) with the 'Table Grid' style (ruled borders), and each cell's spans
made real with python-docx's merge: horizontal spans become w:gridSpan,
vertical ones w:vMerge restart/continue.  Spans may differ from row to row
(a label over two grid columns in one row and one in the next): every
region is merged on its own, so ragged structures come out as Word writes
them.  Blank cells and positions no cell covers are left empty.  Two
tables in a row get an empty paragraph between them (Word would otherwise
join them into one table); a table ending the body gets one after it.

``nested`` puts tables inside cells: {body index of the inner table:
(body index of the outer table, row, col)}.  The reader emits a nested
table right after the table holding it, so a Document whose inner tables
follow their outer ones round-trips.
"""
from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import _Cell

from extract.document import Document, Paragraph, Table

TABLE_STYLE = "Table Grid"


def _fill(table_obj, table: Table) -> None:
    """Texts first, then merges, on the w:tc elements of the fresh grid:
    ``table.cell(r, c)`` rebuilds the whole cell list on every call (2.6 s
    for a 60-row document).  Regions do not overlap, so each region's
    corner w:tc survive the merges of the others, and a merge keeps the
    top-left cell's text (the others are empty)."""
    table_obj.style = TABLE_STYLE
    grid = [tr.tc_lst for tr in table_obj._tbl.tr_lst]
    for cell in table.cells:
        if cell.text:
            _Cell(grid[cell.row][cell.col], table_obj).text = cell.text
    for cell in table.cells:
        if cell.rowspan > 1 or cell.colspan > 1:
            last_row = min(cell.row + cell.rowspan, table.n_rows) - 1
            last_col = min(cell.col + cell.colspan, table.n_cols) - 1
            _Cell(grid[cell.row][cell.col], table_obj).merge(_Cell(grid[last_row][last_col], table_obj))


def _place_nested(doc: Document, outer_index: int, table_obj, children: dict[int, list]) -> None:
    for inner_index, row, col in children.get(outer_index, ()):
        inner = doc.body[inner_index]
        inner_obj = table_obj.cell(row, col).add_table(rows=inner.n_rows, cols=inner.n_cols)
        _fill(inner_obj, inner)
        _place_nested(doc, inner_index, inner_obj, children)


def write_docx(doc: Document, nested: dict[int, tuple[int, int, int]] | None = None) -> bytes:
    """The document as DOCX bytes (see the module docstring)."""
    nested = nested or {}
    children: dict[int, list] = {}
    for inner_index, (outer_index, row, col) in sorted(nested.items()):
        if not isinstance(doc.body[inner_index], Table) or not isinstance(doc.body[outer_index], Table):
            raise ValueError(f"nested {inner_index} -> {outer_index}: both must be tables")
        children.setdefault(outer_index, []).append((inner_index, row, col))

    out = docx.Document()
    title_done = False
    last_was_table = False
    for index, block in enumerate(doc.body):
        if index in nested:
            continue
        if isinstance(block, Paragraph):
            paragraph = out.add_paragraph()
            run = paragraph.add_run(block.text)
            if not title_done:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold = True
                title_done = True
            last_was_table = False
        else:
            if last_was_table:
                out.add_paragraph()
            table_obj = out.add_table(rows=block.n_rows, cols=block.n_cols)
            _fill(table_obj, block)
            _place_nested(doc, index, table_obj, children)
            last_was_table = True
    if last_was_table:
        out.add_paragraph()
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()

"""The one document model every reader produces.

A reader (text layouts, HTML, Markdown, DOCX, PDF) turns a file into a
``Document``: its body in reading order, as paragraphs of prose and tables.
A table is a grid of cells, each cell placed at its top-left row and column
with the spans the source gives it (HTML rowspan/colspan, DOCX gridSpan and
vMerge, the ruled lines of a PDF).  Nothing here guesses a grid: a reader
that cannot be sure of one leaves the table's rows to the text layouts.

The table reader (``extract.grid``) then finds tables 2, 3 and 4 in the
grids by their labels and places each figure by the column it sits in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("text", "html", "markdown", "docx", "pdf")


@dataclass(slots=True)
class Cell:
    text: str                      # the cell's text, parts joined, whitespace kept as printed
    row: int                       # top-left position in the grid, from 0
    col: int
    rowspan: int = 1
    colspan: int = 1
    # PDF only: (page index, x0, top, x1, bottom) in points, top-down.
    box: tuple[int, float, float, float, float] | None = None


@dataclass(slots=True)
class Table:
    """A grid of n_rows x n_cols positions; ``cells`` covers each position
    at most once (a position no cell covers is a cell the source left out)."""
    cells: list[Cell]
    n_rows: int
    n_cols: int
    page: int | None = None        # PDF: the page the table starts on

    def dense(self) -> list[list[Cell | None]]:
        """Every grid position -> the cell that covers it (a spanned cell
        covers several positions), None where no cell does."""
        n_rows, n_cols = self.n_rows, self.n_cols
        grid: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
        for cell in self.cells:
            r0, c0 = cell.row, cell.col
            if cell.rowspan == 1 and cell.colspan == 1:     # most cells: no loops
                if r0 < n_rows and c0 < n_cols:
                    grid[r0][c0] = cell
                continue
            c1 = min(c0 + cell.colspan, n_cols)
            for r in range(r0, min(r0 + cell.rowspan, n_rows)):
                row = grid[r]
                for c in range(c0, c1):
                    row[c] = cell
        return grid

    def rows_text(self) -> list[list[str]]:
        """Each grid row as the texts of the cells that start in it (for
        prose-level searches and debugging views, never for placing)."""
        rows: list[list[str]] = [[] for _ in range(self.n_rows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            rows[cell.row].append(cell.text)
        return rows


@dataclass(slots=True)
class Paragraph:
    text: str
    page: int | None = None


@dataclass(slots=True)
class Document:
    format: str                                        # one of FORMATS
    body: list[Paragraph | Table] = field(default_factory=list)
    encoding: str | None = None                        # text formats only
    pages: int | None = None                           # PDF: page count
    # Text formats whose tables were flattened to text by whoever made the
    # file: the text itself, for the text-layout row readers.
    text: str | None = None
    # What the reader noticed about the file as a whole (extract.notes.Note),
    # e.g. a PDF font with no glyphs here: joined into the report's notes.
    notes: list = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.body if isinstance(b, Table)]

    def lines(self) -> list[str]:
        """The body as text lines: a paragraph per line, a table row per
        line with its cells separated by tabs.  Titles, agencies, years and
        prose sections are found in these lines."""
        out: list[str] = []
        for block in self.body:
            if isinstance(block, Paragraph):
                out.extend(block.text.split("\n"))
            else:
                out.extend("\t".join(cells) for cells in block.rows_text())
        return out


class DocumentError(ValueError):
    """A file that is a document of a known format but cannot be read.

    ``code`` is a stable error code (see docs/contract.md): scanned_pdf,
    encrypted, broken_document, legacy_doc."""

    def __init__(self, code: str, message: str, format: str | None = None):
        super().__init__(message)
        self.code = code
        self.format = format        # the format it is, when known (pdf, docx)

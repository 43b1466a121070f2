"""Why a cell is what it is: the table reader's decisions as plain data.

``explain_bytes(raw)`` reads a file as the pipeline does (extract.files
read_document, then extract.report.extract_document) and returns an
``Explanation``: the format and encoding, or the rejection with its error
code; every grid the reader found, with which of tables 2, 3 and 4 the
table reader took it for; every grid row's decision (its row key or 'no
known label', each figure's column key and grid column, the money unit
read from the header, the note when a row could not be placed), recorded by
extract.grid's readers through their ``trace`` hook, so nothing here
re-implements placement; and the extraction's cells, notes and the cells
left null.  ``xxgk inspect`` formats it (flows/inspect.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import grid
from .decode import NotText
from .document import Document, DocumentError, Table
from .report import NotAReport, ReportExtraction, detect_template, extract_document

KIND_NAMES = {"active": "table 2 (active disclosure)", "requests": "table 3 (requests)",
              "review": "table 4 (review and litigation)"}


@dataclass(slots=True)
class GridView:
    index: int                       # among the document's tables, from 0
    page: int | None
    n_rows: int
    n_cols: int
    kind: str | None                 # active, requests, review; None: none of them
    cells: list[tuple[int, int, int, int, str]]          # (row, col, rowspan, colspan, text)
    boxes: list[tuple[int, float, float, float, float]]  # PDF: each cell's box
    decisions: dict[int, list[dict]] = field(default_factory=dict)   # grid row -> decisions


@dataclass(slots=True)
class Explanation:
    size: int
    format: str | None = None
    encoding: str | None = None
    pages: int | None = None
    error: str | None = None
    error_code: str | None = None
    grids: list[GridView] = field(default_factory=list)
    extraction: ReportExtraction | None = None
    null_cells: list[str] = field(default_factory=list)   # 'table key column' left null


def explain_document(doc: Document) -> Explanation:
    """The grids of a document, what the table reader made of each row,
    and the extraction (see the module docstring)."""
    out = Explanation(size=0, format=doc.format, encoding=doc.encoding, pages=doc.pages)
    for index, table in enumerate(doc.tables):
        out.grids.append(_grid_view(index, table))
    try:
        out.extraction = extract_document(doc)
    except NotAReport as exc:
        out.error, out.error_code = str(exc), exc.code
    if doc.tables:
        # the grid readers again, as extract_document calls them, with a trace
        trace: list[dict] = []
        analysed = grid.analyse(doc)
        for view, (_, _, _, kind) in zip(out.grids, analysed.tables):
            view.kind = kind        # a part going on from the grid before takes that grid's kind
        requests = grid.read_requests(doc, analysed, trace)
        if out.extraction is not None:
            template = out.extraction.template
        else:
            template, _ = detect_template(grid.table_cells_text(doc, "active", analysed), set(requests.cells))
        grid.read_active(doc, template, analysed, trace)
        grid.read_review(doc, analysed, trace)
        for decision in trace:
            out.grids[decision["table"]].decisions.setdefault(decision["row"], []).append(decision)
    if out.extraction is not None:
        out.null_cells = null_cells(out.extraction)
    return out


def explain_bytes(raw: bytes) -> Explanation:
    """explain_document of a file's bytes, or why they were rejected."""
    from .files import read_document
    try:
        doc = read_document(raw)
    except NotText as exc:
        return Explanation(size=len(raw), error=str(exc), error_code=exc.code)
    except DocumentError as exc:
        return Explanation(size=len(raw), format=exc.format, error=str(exc), error_code=exc.code)
    out = explain_document(doc)
    out.size = len(raw)
    return out


def _grid_view(index: int, table: Table) -> GridView:
    rows = grid._grid_rows(table)      # noqa: SLF001 - the reader's own view of the grid
    kind = grid._kind_of_table(table, rows)   # noqa: SLF001
    cells = sorted(table.cells, key=lambda c: (c.row, c.col))
    return GridView(index, table.page, table.n_rows, table.n_cols, kind,
                    [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in cells],
                    [c.box for c in cells if c.box is not None])


def key_name(key) -> str:
    """A row or column key as printed: ('art20_1', 'regulations') -> art20_1|regulations."""
    if isinstance(key, tuple):
        return "|".join(map(str, key))
    return str(key)


def null_cells(e: ReportExtraction) -> list[str]:
    """Every cell the extraction left null (None), as 'table row column'."""
    from .templates import ACTIVE_METRICS, APPLICANTS, OUTCOMES
    out: list[str] = []
    for name, cells, columns in (("requests", e.requests, lambda k: APPLICANTS),
                                 ("review_litigation", e.review, lambda k: OUTCOMES),
                                 ("active_disclosure", e.active,
                                  lambda k: ACTIVE_METRICS.get(e.template or "", {}).get(k[0], ()))):
        if cells is None:
            out.append(f"{name}: table not found")
            continue
        for key, values in cells.items():
            for col, v in zip(columns(key), values):
                if v is None:
                    out.append(f"{name} {key_name(key)} {col}")
    return out

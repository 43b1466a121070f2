"""Tables as grids -> tables 2, 3 and 4 as raw cell strings.

The table reader for every document whose tables come with their grid (HTML,
Markdown, DOCX, ruled PDF).  Each figure is placed by where it sits: its row
by the row's labels (the cells left of the figures, group labels that span
rows included), its column by the header cells above it in the same grid
column (a header spanning several columns names each of them).  When the
header does not name a column, the figures must fill exactly the columns the
template has, right of the labels; otherwise the row stays unplaced, with
the reason.  Nothing here parses a number: raw strings are kept as printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from .document import Cell, Document, Paragraph, Table
from .layout import _PAGE_NUMBER_RE
from .normalise import is_blank, label_key, squash, strip_cell
from .notes import COLUMNS_NOT_FOUND, NOT_PLACED, PRINTED_TWICE, UNKNOWN_LABEL, Note
from .tables import TableResult, _is_request_header, _NUMBERED_RE, _item_of, _kind_of, _metric_candidates, \
    _names_article, _store, \
    group_after, label_goes_on, match_text, take_by_number, _LABEL, _EMPTY, _FIGURE, strip_group_labels
from .templates import ACTIVE_METRICS, APPLICANTS, MONEY_METRICS, OUTCOMES, PROCEEDINGS
from .units import header_money_unit

_APPLICANT_PATTERNS = (
    ("natural_person", re.compile(r"自然人")),
    ("commercial_enterprise", re.compile(r"商业企业")),
    ("research_institution", re.compile(r"科研机构")),
    ("social_welfare_org", re.compile(r"社会公益")),
    ("legal_service_org", re.compile(r"法律服务")),
    ("other_org", re.compile(r"^其他$|^其他组织$")),
    ("total", re.compile(r"^总计$|^合计$")),
)
_PROCEEDING_WORDS = (
    ("litigation_after_review", re.compile(r"复议后起诉")),
    ("litigation_direct", re.compile(r"未经复议|直接起诉")),
    ("administrative_review", re.compile(r"行政复议")),
)
_OUTCOME_WORDS = (
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正")),
    ("other", re.compile(r"其他")),
    ("pending", re.compile(r"尚未|未审结|未结")),
    ("total", re.compile(r"总计|合计")),
)
_REVIEW_RE = re.compile(r"行政复议|行政诉讼|复议后起诉|直接起诉")
_REQUEST_TABLE_RE = re.compile(r"申请人情况|自然人|本年新收|予以公开|结转下年")
_ARTICLE_RE = re.compile(r"第二十条")


@lru_cache(maxsize=1 << 14)
def _key(text: str) -> str:
    return label_key(text)


_APPLICANT_NAMES = (("natural_person", "自然人"), ("commercial_enterprise", "商业企业"),
                    ("research_institution", "科研机构"), ("social_welfare_org", "社会公益组织"),
                    ("legal_service_org", "法律服务机构"))


@lru_cache(maxsize=1 << 12)
@lru_cache(maxsize=1 << 12)
def _applicant_of(text: str) -> str | None:
    """The applicant column a header cell names; also the first part of a
    name wrapped in a narrow cell (「商业企」), when it starts one name only."""
    key = _key(text)
    hits = [a for a, p in _APPLICANT_PATTERNS if p.search(key)]
    if not hits and len(key) >= 2:
        hits = [a for a, name in _APPLICANT_NAMES if name.startswith(key)]
    return hits[0] if len(hits) == 1 else None


@lru_cache(maxsize=1 << 12)
def _proceeding_in(text: str) -> str | None:
    key = squash(text)
    return next((p for p, pat in _PROCEEDING_WORDS if pat.search(key)), None)


@lru_cache(maxsize=1 << 12)
def _outcome_of(text: str) -> str | None:
    key = _key(text)
    hits = [o for o, p in _OUTCOME_WORDS if p.search(key)]
    return hits[0] if len(hits) == 1 else None


def _names_columns(labels: list[str]) -> bool:
    """Labels that name columns (a header row), which a filler such as
    「——」 in a column the table does not use leaves a header row."""
    return (any(_metric_candidates(l) or _is_request_header(l) for l in labels)
            or len({o for o in map(_outcome_of, labels) if o}) >= 2)


def _is_figure_cell(text: str) -> bool:
    """A cell printing a figure or a no-figure marker (not a label, not empty)."""
    kind = _kind_of(text)
    return kind != _LABEL and kind != _EMPTY


@dataclass(slots=True)
class _GridRow:
    """One grid row: the distinct cells left of its figures (labels), and
    its figure positions (column -> raw text, blanks included)."""
    labels: list[str]
    values: dict[int, str]
    own: list[str]         # the labels whose cells start in this row (the others span it from above)
    printed: bool          # a figure or marker in the row
    cells: list[Cell | None]
    index: int = -1        # the grid row

    def key(self) -> str | None:
        """The table-3 row its labels name: its own labels (the cells that
        start in it); only a row all of whose labels span it from above is
        named by them."""
        if self.own:
            return _row_key(tuple(self.own))
        return _row_key(tuple(self.labels)) if self.labels else None


def _grid_rows(table: Table) -> list[_GridRow]:
    # each cell's text and kind once, however many positions it spans
    read: dict[int, tuple[str, str]] = {}
    for c in table.cells:
        t = strip_cell(c.text)
        read[id(c)] = (t, _kind_of(t) if t else _EMPTY)
    rows = []
    for r, dense in enumerate(table.dense()):
        n = len(dense)
        # the row as runs of positions one cell covers (a cell's positions in
        # a row are contiguous, so a spanned cell is one run and counts once)
        starts = [i for i, c in enumerate(dense) if i == 0 or c is not dense[i - 1]]
        runs: list[tuple[int, int, Cell | None, str | None, str]] = []     # (first, last, cell, text, kind)
        for first, end in zip(starts, starts[1:] + [n]):
            c = dense[first]
            t, k = read[id(c)] if c is not None else (None, _EMPTY)
            runs.append((first, end - 1, c, t, k))
        # the label part ends where the first figure sits
        first_figure = None
        last_label = -1
        has_figure = False
        labels, own = [], []
        for first, last, c, t, k in runs:
            if k == _LABEL:
                last_label = last
                if first_figure is None:
                    labels.append(t)
                    if c.row == r:
                        own.append(t)
            elif k != _EMPTY:
                if first_figure is None:
                    first_figure = first
                if k == _FIGURE:
                    has_figure = True
        # value positions: right of the last label cell; a cell spanning
        # several value positions is kept at its first one only (the others
        # are None: a merged figure cannot fill two columns)
        values: dict[int, str] = {}
        if first_figure is not None or 0 <= last_label < n - 1:
            # a row of blank cells right of its labels keeps its positions too
            start = last_label + 1 if first_figure is None or last_label < first_figure else first_figure
            for first, last, c, t, k in runs:
                if c is None or last < start:
                    continue
                first = max(first, start)
                values[first] = t
                for i in range(first + 1, last + 1):
                    values[i] = None
        printed = first_figure is not None and (has_figure or not _names_columns(labels))
        rows.append(_GridRow(labels, values, own, printed, dense, r))
    return rows



@dataclass(slots=True)
class _Analysed:
    """A document's tables read once: each grid's rows and which of tables
    2, 3 and 4 it holds (a part of)."""
    tables: list[tuple[int, Table, list[_GridRow], str | None]]   # (body index, table, rows, kind)
    # body index of a grid -> body index of the grid it goes on from across
    # a page break (figures only, under the other's header: see _continues)
    continues: dict[int, int] = field(default_factory=dict)
    # (body index, grid row) of a row whose figures may go on in the next
    # grid (see _cut_by_page) -> why it is not read
    doubtful: dict[tuple[int, int], str] = field(default_factory=dict)

    def of_kind(self, kind: str):
        """(table number among the document's tables, body index, table, rows)."""
        return [(n, i, t, rows) for n, (i, t, rows, k) in enumerate(self.tables) if k == kind]


def analyse(doc: Document) -> _Analysed:
    out = []
    continues = {}
    for index, block in enumerate(doc.body):
        if isinstance(block, Table):
            rows = _grid_rows(block)
            kind = _kind_of_table(block, rows)
            if kind is None and out and _continues(doc.body, out[-1], index, block, rows):
                kind = out[-1][3]
                continues[index] = out[-1][0]
            out.append((index, block, rows, kind))
    analysed = _Analysed(out, continues)
    for previous, current in zip(out, out[1:]):
        if _cut_by_page(doc.body, previous, current):
            analysed.doubtful[(previous[0], previous[2][-1].index)] = (
                "figures without a label open the next page under its figures: "
                "a figure of it may go on there (a row broken across the page)")
    return analysed


# The end of a figure a page cut off: digits, a decimal part, a unit
_FRAGMENT_RE = re.compile(r"^[.,．，]?[0-9０-９][0-9０-９.,．，]*\s*(?:元|万元|万|亿元)?[)）]?$|^(?:万元|元|亿元)[)）]?$")


def _cut_by_page(body: list, previous: tuple, current: tuple) -> bool:
    """Whether a table-2 or table-3 grid's last row, printing figures, may
    have a figure cut by the page: the next grid (only page chrome between)
    opens with a row with no label whose cells are figures or their ends
    (「.62」, 「00元」), under the row's figures.  Read alone, the row
    would keep the first part of such a figure (64473 for 64473.62)."""
    before, _, rows_before, kind = previous
    index, _, rows, _ = current
    if kind not in ("active", "requests") or not rows_before or not rows or not rows_before[-1].printed:
        return False
    first = rows[0]
    # (「.62」 alone reads as no figure, so as a label: the cells' own text decides)
    printed = {col: text for col, cell in enumerate(first.cells)
               if cell is not None and (text := strip_cell(cell.text))}
    if not printed or not all(_FRAGMENT_RE.match(text) for text in printed.values()):
        return False
    above = {c for c, v in rows_before[-1].values.items() if v}
    if not printed.keys() & above:
        return False
    return _only_page_chrome(body[before + 1:index])


def _only_page_chrome(blocks: list) -> bool:
    """Nothing but blank lines and page numbers between two grids."""
    return all(not strip_cell(b.text) or _PAGE_NUMBER_RE.match(b.text) for b in blocks)


def _continues(body: list, previous: tuple, index: int, table: Table, rows: list[_GridRow]) -> bool:
    """A grid of figures alone (no label, no header) goes on from the grid
    before it when only page chrome (a page number, blank lines) lies
    between them, both have as many columns and the one before ends in its
    header: a small table 4 part whose header closes one page and whose
    figures open the next.  Only table 4's parts are joined so: their
    columns are named by the header, while a table-2 or table-3 row without
    its label names nothing."""
    before, table_before, rows_before, kind = previous
    if kind != "review" or table_before.n_cols != table.n_cols or not rows or not rows_before:
        return False
    if rows_before[-1].printed or any(r.labels or not r.printed for r in rows):
        return False
    return _only_page_chrome(body[before + 1:index])


_WIDER_NOTE = "row printed wider than the table's other rows: a figure split over two cells or a cell added"


def _wider_rows(rows: list[_GridRow]) -> set[int]:
    """Grid rows (their index) whose own cells reach further right than
    the grid's other rows of figures do: a figure split over two cells
    (「148」 as 「1」「48」), or a cell added, pushed the row's cells one
    column on.  Read by header, such a row would shift: tables 3 and 4
    print every column in every row, so these rows are left unread.  The
    reach the rows agree on: that of three rows of figures or more; with
    fewer (table 4 in one row, or in small tables), the header's."""
    reach: dict[int, int] = {}
    header_reach = -1
    for row in rows:
        ends = [c for c, cell in enumerate(row.cells) if cell is not None and cell.row == row.index]
        if ends and row.printed:
            reach[row.index] = max(ends)
        elif ends and row.labels:
            header_reach = max(header_reach, max(ends))
    if len(reach) < 3:
        return {index for index, end in reach.items() if end > header_reach} if header_reach >= 0 else set()
    counts: dict[int, int] = {}
    for end in reach.values():
        counts[end] = counts.get(end, 0) + 1
    usual, n = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
    if n < 3:
        return set()
    return {index for index, end in reach.items() if end > usual}


class _Header:
    """The header rows above the figures of a grid, since its last row of
    figures: what names each column."""

    def __init__(self, n_cols: int):
        self.n_cols = n_cols
        self.rows: list[list[str]] = []
        self.cells: list[list[Cell | None]] = []
        self.open = True      # a data row closes the block; the next header row starts a new one
        # _column's answers for the header as it stands: every data row under
        # it asks the same questions
        self._columns: dict[tuple[int, bool], list[str]] = {}
        self.answers: dict = {}      # _by_header's, for the header as it stands

    def add(self, row: _GridRow) -> None:
        if not self.open:
            if row.values and not any(row.values.values()):
                # nothing right of its labels: the rest of a label wrapped
                # over two rows, not a new header
                return
            self.rows, self.cells = [], []
            self.open = True
        self._columns = {}
        self.answers = {}
        self.rows.append([strip_cell(c.text) if c is not None else "" for c in row.cells])
        self.cells.append(row.cells)

    def close(self) -> None:
        self.open = False

    def _column(self, col: int, filled: bool) -> list[str]:
        """The header texts above col, top-down, each once.  filled: an
        empty header cell reads as the nearest cell left of it in its row
        (where merged cells reached us as empty cells: Markdown, text)."""
        known = self._columns.get((col, filled))
        if known is not None:
            return known
        out: list[str] = []
        for row in self.rows:
            if col >= len(row):
                continue
            text = row[col]
            if not text and filled:
                text = next((t for t in reversed(row[:col]) if t), "")
            if text and (not out or out[-1] != text):
                out.append(text)
        self._columns[(col, filled)] = out
        return out

    def leaf(self, col: int, filled: bool = False) -> str:
        column = self._column(col, filled)
        return column[-1] if column else ""

    def path(self, col: int, filled: bool = False) -> str:
        return "".join(self._column(col, filled))

    def text(self) -> str:
        return "".join(dict.fromkeys(t for row in self.rows for t in row if t))

    def leaf_cells(self, columns: list[int]) -> list[list[int]]:
        """The lowest printed header cell above each of columns, each cell
        once, in order, as the columns it covers among these."""
        out: dict[int, list[int]] = {}
        for col in columns:
            leaf = None
            for texts, cells in zip(reversed(self.rows), reversed(self.cells)):
                if col < len(texts) and texts[col]:
                    leaf = cells[col]
                    break
            if leaf is not None:
                out.setdefault(id(leaf), []).append(col)
        return list(out.values())


def _by_header(row: _GridRow, header: _Header, name_of, memo_key=None) -> dict | None:
    """name -> the column of the row's figure it names, by name_of(col,
    filled).  Read first from the header as printed, then with empty header
    cells read as merged ones (filled): a reading counts when each figure
    cell is named once (a cell spanning several columns may not sit under
    two names) and every printed figure is named.  Failing both, a row whose
    cells are spanned differently from the header's (hand-drawn tables) is
    read cell by cell when it has as many cells as the header has leaf
    cells over the same columns and each pair overlaps.  None: the header
    does not name the row's cells.

    memo_key: what name_of depends on besides the header (None: do not
    memoise).  The answer depends only on the header, name_of, the row's
    cell spans and which cells are printed, so rows alike under one header
    (most of a table's rows) are read once."""
    values = row.values
    spans: dict[int, list[int]] = {}
    for col in values:
        if values[col] is not None:
            spans[col] = [col]
        elif spans:
            spans[max(spans)].append(col)
    if memo_key is None:
        return _by_header_uncached(values, spans, header, name_of)
    key = (memo_key, tuple((tuple(cols), bool(values[col])) for col, cols in spans.items()))
    known = header.answers.get(key, _MISSING)
    if known is _MISSING:
        known = header.answers[key] = _by_header_uncached(values, spans, header, name_of)
    return dict(known) if known is not None else None


_MISSING = object()


def _by_header_uncached(values: dict, spans: dict[int, list[int]], header: _Header, name_of) -> dict | None:
    for filled in (False, True):
        names: dict = {}
        clash = False
        for col, cols in spans.items():
            found = {name_of(c, filled) for c in cols} - {None}
            if len(found) > 1:
                clash = True
                break
            if found:
                names.setdefault(found.pop(), []).append(col)
        named = {c for cols in names.values() for c in cols}
        if not clash and names and all(len(v) == 1 for v in names.values()) and all(
                col in named for col in spans if values[col]):
            return {k: v[0] for k, v in names.items()}
    leaves = header.leaf_cells(sorted(c for cols in spans.values() for c in cols))
    if leaves and len(leaves) == len(spans) and all(
            set(leaf) & set(cols) for leaf, cols in zip(leaves, spans.values())):
        names = {}
        for leaf, col in zip(leaves, spans):
            name = name_of(leaf[0], False)
            if name is None or name in names:
                return None
            names[name] = col
        return names
    return None


def _kind_of_table(table: Table, rows: list[_GridRow]) -> str | None:
    """Which of tables 2, 3 and 4 a grid holds (a part of), from its labels."""
    # rows naming table-3 rows (a row printed blank, or a label's first
    # line above its figures, counts too; header rows name columns): a
    # part of table 3 split over pages may hold no figure yet
    request_rows = {k for r in rows if r.labels and not any(map(_is_request_header, r.labels))
                    for k in [r.key()] if k not in (None, "total_processed")}
    if request_rows or any(_is_request_header(label) for r in rows for label in r.labels):
        # (table 3's header alone, or over rows whose labels a page break
        # cut, is a part of table 3: the next part goes on with its labels)
        return "requests"
    if not any(r.printed for r in rows):
        # a part of table 2 whose one row is printed blank (「行政事业性收费」
        # under 「本年收费金额」, its cell empty) is table 2: a blank there
        # is accepted, not a missing row
        if any(r.values and any(map(_item_of, r.labels)) for r in rows) and any(
                _metric_candidates(strip_cell(c.text)) for c in table.cells):
            return "active"
        # table 4's header alone (its figures on the next page: _continues)
        if len({o for c in table.cells for o in [_outcome_of(strip_cell(c.text))] if o}) >= 3:
            return "review"
        return None
    texts = [strip_cell(c.text) for c in table.cells]
    text = squash("".join(texts))
    if _ARTICLE_RE.search(text) or any(_item_of(l) for r in rows for l in r.labels):
        return "active"
    outcomes = {o for t in texts for o in [_outcome_of(t)] if o}
    if _REVIEW_RE.search(text) or len(outcomes) >= 3:
        return "review"
    return None


@lru_cache(maxsize=1 << 14)
def _row_key(labels: tuple[str, ...]) -> str | None:
    labels = strip_group_labels(list(labels))
    for label in reversed(labels):
        key = match_text(label)
        if key is not None:
            return key
    if len(labels) > 1:
        return match_text("".join(labels))
    return None


def _preceding_text(body: list, index: int, n: int = 2) -> str:
    """The last n paragraphs before body[index] (headings that name a small table)."""
    texts = []
    for block in reversed(body[:index]):
        if isinstance(block, Table):
            break
        if strip_cell(block.text):
            texts.append(block.text)
        if len(texts) >= n:
            break
    return "".join(reversed(texts))


def _place_positional(values: dict[int, str | None], expected: int,
                      fillers: bool = False) -> tuple[list | None, str | None]:
    """Figures without named columns: they must be exactly `expected`
    positions; trailing printed fillers (「/」「——」 in a column the row does not
    have) may be dropped.  fillers: table 2, whose rows of fewer metrics
    print fillers in the columns they lack, so a trailing marker is one;
    tables 3 and 4 have every column in every row, so a trailing marker
    may be a cell, and an empty first cell makes the row ambiguous."""
    cells = [values[i] for i in sorted(values)]
    if not fillers and len(cells) > expected and cells[0] == "" and cells[-1] is not None and is_blank(cells[-1]):
        # an empty cell first and a droppable one last: which is surplus
        # decides every column (「」 0 … 0 「无」 is a blank first figure
        # and a total of 无, or six zeros and a blank total)
        return None, f"{len(cells)} cells for {expected} columns: empty first, {cells[-1] or 'empty'} last, either may be surplus"
    while len(cells) > expected and cells[-1] is not None and (cells[-1] == "" or is_blank(cells[-1])):
        cells.pop()
    while len(cells) > expected and cells[-1] is None:
        cells.pop()
    if len(cells) != expected or None in cells:
        return None, f"{len(cells)} cells for {expected} columns"
    return cells, None


def _in_profile(values: dict[int, str | None], profile: list[int]) -> bool:
    """The row has a cell in each of the profile's columns, and only empty
    cells left of them (none right of them, none spanning into them)."""
    return (all(values.get(c) is not None for c in profile)
            and all(values[c] == "" and c < profile[0] for c in values if c not in profile))


def _trace(trace: list | None, table: int, row: _GridRow, kind: str, role: str, **decision) -> None:
    """One decision of a table reader, for debugging views (extract.explain):
    plain data, appended only when a trace list is given."""
    if trace is not None:
        trace.append(dict(table=table, row=row.index, kind=kind, role=role, labels=list(row.labels), **decision))


def _positional_columns(values: dict, n: int) -> list[int]:
    """The grid columns _place_positional took its n cells from."""
    return sorted(values)[:n]


def read_requests(doc: Document, analysed: _Analysed | None = None, trace: list | None = None) -> TableResult:
    """Table 3 from the document's grids.  trace: a list to which each
    row's decision is appended as a dict (see _trace), for extract.explain.

    The parts of a table split over pages are read as one: a label whose
    first line ends one part goes on in the next part's first row."""
    result = TableResult()
    width = len(APPLICANTS)
    pending = ""
    # a named row of blank cells, not yet stored: (row, key, its table's place)
    blank: tuple[_GridRow, str, object] | None = None
    # a row of figures waits for the next row, which may go on with its
    # label (「2．其他」 over 「法律行政法规禁止公开」 names another row
    # than 「2．其他」 alone; a label naming no row yet may be completed)
    held: tuple[_GridRow, str, str | None, object, int] | None = None

    def settle(continuation: _GridRow | None = None) -> bool:
        nonlocal held
        if held is None:
            return False
        row, text, key, place, ti = held
        held = None
        if continuation is not None:
            text += "".join(strip_group_labels(continuation.own or continuation.labels))
            completed = match_text(text)
            if completed is not None:
                if label_goes_on(text):
                    # 「(六)其」 + 「他」 names 「其他」 until 「处理」 follows
                    held = (row, text, completed, place, ti)
                else:
                    result.found = True
                    place(row, completed)
                return True
        if key is None:
            # its words name no row (printed with words missing, misread by
            # OCR); its number under its group may, where no other row names
            # it (the group: a label spanning the row, else the group whose
            # label a row above printed, in grids without spans)
            group_above = group_of.get(id(row))
            labels = row.labels if group_above is None else (group_above, *row.labels)
            key = take_by_number(result, text, labels, named_anywhere)
        if key is not None:
            result.found = True
            place(row, key)
        else:
            result.notes.append(Note("requests", None, UNKNOWN_LABEL, f"row with numbers but no known label: {text[:80]}"))
            _trace(trace, ti, row, "requests", "data", key=None, note="no known label")
        return False

    def place_blank() -> None:
        nonlocal blank
        if blank is not None:
            row, key, place = blank
            blank = None
            place(row, key)

    profiles: dict[int, list[int]] = {}     # grid -> the columns its rows' figures were placed in
    waiting: list = []      # rows placed before their grid's columns were known
    analysed = analysed or analyse(doc)
    # the rows some label of the table names: a row is never taken by its
    # number where another row's words name it (worked out when a number first asks)
    named_anywhere = cache(lambda: {r.key() for _, _, _, rows in analysed.of_kind("requests") for r in rows})
    group, group_of = None, {}      # grid row -> the numbered group it sits in
    for ti, body_index, table, rows in analysed.of_kind("requests"):
        header = _Header(table.n_cols)
        wider = _wider_rows(rows)

        def place(row: _GridRow, key: str, header=header, ti=ti, body_index=body_index, wider=wider,
                  final: bool = False) -> None:
            if row.index in wider:
                _store(result, key, [None] * width, _WIDER_NOTE, "requests")
                _trace(trace, ti, row, "requests", "data", key=key, note="printed wider")
                return
            by_header = _by_header(row, header, lambda col, filled: _applicant_of(header.leaf(col, filled))
                                   or _applicant_of(header.path(col, filled)), memo_key="applicants") or {}
            if len(by_header) == width:
                placed = [row.values[by_header[a]] for a in APPLICANTS]
                note = None if None not in placed else "a merged cell across applicant columns"
                if note:
                    placed = None
                how, columns = "header", [by_header[a] for a in APPLICANTS]
            else:
                placed, note = _place_positional(row.values, width)
                how, columns = "position", _positional_columns(row.values, width)
                profile = profiles.get(ti)
                if placed is None and profile and _in_profile(row.values, profile):
                    # a label cell that does not span its columns left an
                    # empty cell beside it: the figures sit in the columns
                    # every other row of this grid put them in
                    placed, note = [row.values[c] for c in profile], None
                    how, columns = "profile", profile
                elif placed is None and not profile and not final:
                    # the grid's first row placed (a part continued on a
                    # page without header, its label cell not spanning):
                    # tried again once the grid's other rows show their columns
                    waiting.append((row, key, place))
                    return
            if placed is not None:
                profiles.setdefault(ti, columns)
            why = analysed.doubtful.get((body_index, row.index))
            if why is not None:
                placed, note = None, why
            _store(result, key, placed or [None] * width, note, "requests")
            if trace is not None:
                _trace(trace, ti, row, "requests", "data", key=key, how=how, note=note,
                       placed=[(a, c, row.values.get(c)) for a, c in zip(APPLICANTS, columns)] if placed else [])

        for row in rows:
            if not row.printed and any(map(_is_request_header, row.labels)):
                # a header row (a part's repeated header too): it names
                # columns, and no label goes on across it, nor does it end
                # the group above (its 「总计」 column is no （七）总计 row)
                _trace(trace, ti, row, "requests", "header")
                header.add(row)
                continue
            if row.labels:
                group = group_of[id(row)] = group_after(group, row.labels)
            own = row.key()
            if held is not None:
                # the rest of a label: one label cell, nothing right of it
                rest = strip_group_labels(row.own)
                continues = (not row.printed and not any(row.values.values()) and len(rest) == 1
                             and not _NUMBERED_RE.match(rest[0]))
                if continues and settle(row):
                    continue
                settle()
            if not row.printed:
                if blank is not None and not any(row.values.values()) and own in (None, blank[1]):
                    pending += "".join(strip_group_labels(row.own or row.labels))   # its label goes on
                    continue
                place_blank()
                if own is not None and own in result.cells and not any(row.values.values()):
                    _trace(trace, ti, row, "requests", "continuation", key=own)
                    continue        # the rest of the row above's label, wrapped into a row of its own
                if own is not None and row.values:
                    # a row printed blank: stored as such, unless the next
                    # row's figures continue its label (a label over two rows)
                    blank, pending = (row, own, place), "".join(strip_group_labels(row.own or row.labels))
                    result.found = True
                    continue
                _trace(trace, ti, row, "requests", "header")
                header.add(row)
                opening = "".join(strip_group_labels(row.own))
                if own is not None or pending or (opening and _NUMBERED_RE.match(opening)):
                    # a label's first line, its figures in a row below
                    pending += "".join(strip_group_labels(row.own or row.labels))
                continue
            header.close()
            key = own
            own_text = "".join(strip_group_labels(row.own or row.labels))
            continues = bool(own_text) and not _NUMBERED_RE.match(own_text)
            joined = match_text(pending + own_text) if pending and continues else None
            if blank is not None and (joined is not None or key in (None, blank[1])):
                # the row of blanks was the first line of this row's label
                # (「2．其他」 over 「法律行政法规禁止公开」 names the second)
                key = joined or blank[1]
                blank = None
            elif blank is not None:
                place_blank()
            elif key is None and pending:
                key = match_text(pending + own_text)
                if key is not None and label_goes_on(pending + own_text):
                    own_text = pending + own_text       # and may go on below: held with it
                    own = key
            pending = ""
            if own_text and (key is None or key == own):
                held = (row, own_text, key, place, ti)
                continue
            if key is None:
                continue
            result.found = True
            place(row, key)
    settle()
    place_blank()
    for row, key, place in waiting:
        place(row, key, final=True)
    return result


def read_review(doc: Document, analysed: _Analysed | None = None, trace: list | None = None) -> TableResult:
    """Table 4 from the document's grids (trace: as read_requests)."""
    result = TableResult()
    found: dict[tuple[str, str], str | None] = {}
    conflicts: set[tuple[str, str]] = set()
    analysed = analysed or analyse(doc)
    header = context = None
    for ti, index, block, rows in analysed.of_kind("review"):
        wider = _wider_rows(rows)
        if index not in analysed.continues:
            # (a part going on from the grid before keeps its header and proceeding)
            context = _proceeding_in(_preceding_text(doc.body, index))
            header = _Header(block.n_cols)
        last_named = None
        for row in rows:
            if not row.printed:
                _trace(trace, ti, row, "review", "header")
                header.add(row)
                continue
            header.close()
            result.found = True
            row_outcome = next(filter(None, map(_outcome_of, row.labels)), None)
            named = next(filter(None, map(_proceeding_in, row.labels)), None)
            if named:
                last_named = named
            # a row naming only its outcome belongs to the proceeding named
            # above it (a label spanning the group, its span lost in Markdown)
            row_proceeding = named or (last_named if row_outcome else None)

            def name_of(col, filled):
                proceeding = row_proceeding or _proceeding_in(header.path(col, filled)) or context
                outcome = _outcome_of(header.leaf(col, filled)) or row_outcome
                return None if proceeding is None or outcome is None else (proceeding, outcome)

            if row.index in wider:
                result.notes.append(Note("review_litigation", row_proceeding or context, NOT_PLACED, _WIDER_NOTE))
                _trace(trace, ti, row, "review", "data", key=row_proceeding or context, note="printed wider")
                continue
            if row.values and any(row.cells[c] is None and (name_of(c, False) or name_of(c, True))
                                  for c in range(min(row.values), len(row.cells))):
                # a row printing fewer cells than the columns its header
                # names (Markdown, hand-made HTML): which cell went missing
                # is not known, so none of its figures is placed
                result.notes.append(Note("review_litigation", row_proceeding or context, NOT_PLACED,
                                         "row printed short: a column its header names has no cell, "
                                         "so which one went missing is not known"))
                _trace(trace, ti, row, "review", "data", key=row_proceeding or context, note="printed short")
                continue
            columns = _by_header(row, header, name_of) or {}
            placed_here = {k: row.values[col] for k, col in columns.items()}
            how = "header"
            if not placed_here:
                how = "position"
                # no header names the columns: the template's order, if the count fits
                cells, note = _place_positional(row.values, len(PROCEEDINGS) * len(OUTCOMES))
                if cells is None and row_proceeding is None and context is None:
                    result.notes.append(Note("review_litigation", None, NOT_PLACED, note))
                    continue
                if cells is None and (row_proceeding or context):
                    cells, note = _place_positional(row.values, len(OUTCOMES))
                    if cells is None:
                        result.notes.append(Note("review_litigation", None, NOT_PLACED, note))
                        continue
                    placed_here = {(row_proceeding or context, o): v for o, v in zip(OUTCOMES, cells)}
                else:
                    placed_here = {(p, o): cells[i * 5 + j] for i, p in enumerate(PROCEEDINGS)
                                   for j, o in enumerate(OUTCOMES)}
                columns = dict(zip(placed_here, _positional_columns(row.values, len(placed_here))))
            if trace is not None:
                _trace(trace, ti, row, "review", "data", key=row_proceeding or context, how=how, note=None,
                       context=context, placed=[(k, columns.get(k), v) for k, v in placed_here.items()])
            for k, v in placed_here.items():
                if k in found and found[k] != v:
                    conflicts.add(k)
                found[k] = v
    if result.found:
        for p in PROCEEDINGS:
            cells = [None if (p, o) in conflicts else found.get((p, o)) for o in OUTCOMES]
            missing = [o for o, c in zip(OUTCOMES, cells) if c is None]
            if missing:
                twice = any((p, o) in conflicts for o in OUTCOMES)
                why = "printed twice with different cells" if twice else "columns not found: " + ", ".join(missing)
                result.notes.append(Note("review_litigation", p, PRINTED_TWICE if twice else COLUMNS_NOT_FOUND, why))
            result.cells[p] = cells
    return result


def read_active(doc: Document, template: str | None, analysed: _Analysed | None = None,
                trace: list | None = None) -> TableResult:
    """Table 2 from the document's grids (trace: as read_requests)."""
    result = TableResult()
    result.extra["money_units"] = {}
    analysed = analysed or analyse(doc)
    for ti, index, table, rows in analysed.of_kind("active"):
        header = _Header(table.n_cols)
        pending = None
        for row in rows:
            item = next(filter(None, map(_item_of, reversed(row.own))), None) or \
                next(filter(None, map(_item_of, reversed(row.labels))), None)
            if any(map(_names_article, row.labels)) and not row.printed:
                header = _Header(table.n_cols)
            if (not row.printed and not (item is not None and row.values)) or (
                    # labels over only fillers (「——」 in a column the table
                    # does not use): the header's second line, no row
                    item is None and row.labels and not any(v and not is_blank(v) for v in row.values.values())):
                _trace(trace, ti, row, "active", "header", key=item)
                header.add(row)
                pending = item or pending
                continue
            # (a row naming its item with its cells printed blank is a row
            # of table 2, whose blanks are accepted, not lost)
            header.close()
            item = item or pending
            pending = None
            if item is None:
                _trace(trace, ti, row, "active", "data", key=None, note="no known label")
                continue
            result.found = True
            article = item[0]
            expected = ACTIVE_METRICS.get(template or "", {}).get(article)
            if expected is None:
                _trace(trace, ti, row, "active", "data", key=item,
                       note=f"no metrics for {article} in template {template}")
                continue

            def metric_of(col, filled):
                names = [m for m in (_metric_candidates(header.leaf(col, filled))
                                     or _metric_candidates(header.path(col, filled))) if m in expected]
                return names[0] if len(names) == 1 else None

            by_header = _by_header(row, header, metric_of, memo_key=("metrics", tuple(expected))) or {}
            extra = [col for col in row.values if col not in by_header.values()]
            if len(by_header) == len(expected) and all(
                    row.values[col] is None or row.values[col] == "" or is_blank(row.values[col]) for col in extra):
                # columns named by the header; a filler (「/」「——」) in a
                # column this row does not have is no figure of it
                placed = [row.values[by_header[m]] for m in expected]
                note = None if None not in placed else "a merged cell across metric columns"
                if note:
                    placed = None
                units = {m: header_money_unit(header.path(by_header[m])) for m in expected if m in MONEY_METRICS}
                how, columns = "header", [by_header[m] for m in expected]
            else:
                placed, note = _place_positional(row.values, len(expected), fillers=True)
                units = {m: header_money_unit(header.text()) for m in expected if m in MONEY_METRICS}
                how, columns = "position", _positional_columns(row.values, len(expected))
            why = analysed.doubtful.get((index, row.index))
            if why is not None:
                placed, note = None, why
            for m, unit in units.items():
                _set_unit(result, m, unit)
            _store(result, item, placed or [None] * len(expected), note, "active_disclosure")
            if trace is not None:
                _trace(trace, ti, row, "active", "data", key=item, how=how, note=note, units=units,
                       placed=[(m, c, row.values.get(c)) for m, c in zip(expected, columns)] if placed else [])
    return result


def _set_unit(result: TableResult, metric: str, unit: str | None) -> None:
    """A money column's printed unit (None: the header names none)."""
    if unit is None:
        return
    units = result.extra["money_units"]
    units[metric] = unit if units.get(metric, unit) == unit else "?"


def table_cells_text(doc: Document, kind: str, analysed: _Analysed | None = None) -> list[str]:
    """Every cell text of the document's tables of one kind (template detection)."""
    return [text for _, _, table, _ in (analysed or analyse(doc)).of_kind(kind)
            for text in (strip_cell(c.text) for c in table.cells) if text]

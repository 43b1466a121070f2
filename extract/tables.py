"""Rows of cells -> the three tables as raw cell strings, placed by label.

Rows are found by their normalised labels, never by position alone.  Cells
are placed into columns only when that placement is certain; otherwise the
row's cells are None (unplaced) and a note says why.  Nothing here parses a
number: a raw cell string is kept exactly as printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import itemgetter

from .layout import Row
from .patterns import CN_NUMBERING, CN_NUMERAL, DIGIT_NUMBERING, PAREN_NUMBERING, REVIEW_RE
from .normalise import is_blank, is_cut_amount, is_empty, is_plain_figure, is_value_like, label_key, memoised, squash
from .notes import AMBIGUOUS_ROWS, NAMED_BY_NUMBER, NO_FIGURES, NOT_PLACED, PRINTED_TWICE, UNKNOWN_LABEL, Note
from .templates import (
    ACTIVE_ITEMS, ACTIVE_METRIC_PATTERNS, ACTIVE_METRICS, APPLICANTS, MONEY_METRICS, OUTCOMES,
    PROCEEDINGS, REQUEST_ROWS,
)
from .units import header_money_unit

Cells = list[str | None]


@dataclass(slots=True)
class TableResult:
    cells: dict = field(default_factory=dict)   # key -> list of raw cells (None = unplaced)
    notes: list[Note] = field(default_factory=list)
    found: bool = False
    first_line: int | None = None
    last_line: int | None = None
    extra: dict = field(default_factory=dict)

    def span(self, row: Row) -> None:
        # comparisons, not min()/max(): called for most rows of every table
        if self.first_line is None or row.first_line < self.first_line:
            self.first_line = row.first_line
        if self.last_line is None or row.last_line > self.last_line:
            self.last_line = row.last_line


# What a cell is to the row split: nothing, a label, a printed "no figure"
# marker (「-」「无」: value-like, not a figure), or a figure.  Kinds are
# bytes so that a row's kinds form a bytes object searched in C.
_EMPTY, _LABEL, _MARKER, _FIGURE = range(4)
_LABEL_B, _FIGURE_B = bytes([_LABEL]), bytes([_FIGURE])


def _cell_kind(cell: str) -> int:
    if not cell:
        return _EMPTY
    if is_plain_figure(cell):
        return _FIGURE      # value-like, no blank marker
    if not is_value_like(cell):
        return _LABEL
    return _MARKER if is_blank(cell) else _FIGURE


_kind_of = memoised(1 << 16)(_cell_kind)


def classify_row(cells: list[str]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(label cells, value cells, whether the values print anything other
    than no-figure markers).  Value cells start after the last label that
    precedes the first non-blank value, so merged-cell blanks between a
    label and its numbers stay with the numbers (to be trimmed by place).

    The split depends on the cells' kinds only, and a table's rows share a
    few kind patterns: the split is worked out once per pattern
    (_split_of) and each row only looks its pattern up.  Cells are not
    memoised as rows: a row's text misses such a memo 40 % of the time."""
    cells = tuple(cells)
    labels_at, start, printed = _split_of(bytes(map(_kind_of, cells)))
    return labels_at(cells), cells[start:], printed


def _no_labels(cells: tuple) -> tuple:
    return ()


def _labels_picker(positions: tuple[int, ...]):
    """cells -> the tuple of the cells at positions, in C."""
    if not positions:
        return _no_labels
    if len(positions) == 1:
        (i,) = positions
        return lambda cells: (cells[i],)
    return itemgetter(*positions)


@memoised(1 << 14)
def _split_of(kinds: bytes) -> tuple:
    """kinds of a row -> (labels picker, first value position, whether the
    values print anything)."""
    end = kinds.find(_FIGURE_B)
    if end < 0:
        end = len(kinds)
    last = kinds.rfind(_LABEL_B, 0, end)
    positions = tuple(i for i in range(last + 1) if kinds[i] == _LABEL)
    start = last + 1
    printed = kinds.find(_FIGURE_B, start) >= 0 or kinds.find(_LABEL_B, start) >= 0
    return _labels_picker(positions), start, printed


def place(values: list[str], expected: int) -> tuple[list[str] | None, str | None]:
    """Put a row's value cells into `expected` columns, or say why not.

    Surplus cells may only be empty cells at the ends (a trailing `|`, a
    merged-cell tab); a printed 「/」 or 「无」 is a cell, never surplus.  If the surplus can be dropped in more than one way
    with different results, the placement is ambiguous and nothing is placed.
    """
    n = len(values)
    if n < expected:
        return None, f"{n} cells for {expected} columns"
    if n == expected and (expected == 1 or not is_empty(values[0])):
        return list(values), None      # the usual row: nothing to drop, nothing to doubt
    surplus = n - expected
    outcomes = set()
    for lead in range(surplus + 1):
        trail = surplus - lead
        dropped = values[:lead] + (values[n - trail:] if trail else values[:0])
        if all(map(is_empty, dropped)):
            outcomes.add(tuple(values[lead: n - trail]))
    if not outcomes:
        return None, f"{n} cells for {expected} columns"
    if len(outcomes) > 1:
        return None, f"{n} cells for {expected} columns: blank cells at both ends, placement ambiguous"
    placed = list(outcomes.pop())
    if expected > 1 and is_empty(placed[0]):
        # An empty cell next to the labels may be a merged label cell as
        # well as a blank figure: reading it as a figure would shift the row
        # if a cell went missing further on.
        return None, f"{n} cells for {expected} columns, the first empty: a merged cell or a blank figure, cannot tell"
    return placed, None


@lru_cache(maxsize=1 << 16)
def match_text(text: str) -> str | None:
    """The table-3 row a label (or a fragment of a wrapped one) names, if certain."""
    key = label_key(text)
    if not key:
        return None
    for spec in REQUEST_ROWS:
        if spec.pattern.search(key):
            return spec.key
    if len(key) >= 3:
        starts = {spec.key for spec in REQUEST_ROWS if spec.canonical.startswith(key)}
        if len(starts) == 1:
            return starts.pop()
    return None


@lru_cache(maxsize=1 << 12)
def starts_a_label(text: str) -> bool:
    """Whether a label's fragments joined are the start of a table-3 row's
    label (「1．属于国」 of 「属于国家秘密」), or name one."""
    key = label_key(text)
    return bool(key) and (match_text(text) is not None
                          or any(spec.canonical.startswith(key) for spec in REQUEST_ROWS))


@lru_cache(maxsize=1 << 12)
def label_goes_on(text: str) -> bool:
    """Whether a label (or the fragments of one joined) could be the start
    of another row's label: 「（六）其」 over 「他」 names 「其他」 (a 2021
    row) until the next line, 「处理」, makes it 「其他处理」 (the 2019 row)."""
    key = label_key(text)
    found = match_text(text)
    return bool(key) and any(spec.canonical.startswith(key) and spec.canonical != key and spec.key != found
                             for spec in REQUEST_ROWS)


class ColumnGuide:
    """Where a space-aligned table's value columns end, learnt from its own
    complete rows, to place the figures of a row whose blank cells printed
    nothing.  A figure is placed only when its right edge sits on one
    column's edge (within half the narrowest column gap) and the columns
    keep their order; otherwise the row stays unplaced."""

    def __init__(self):
        # complete rows by value count; their edges are measured only if a
        # row of the table turns out to need placing
        self.rows: dict[int, list[Row]] = {}

    def learn(self, row: Row, values) -> None:
        if row.line is not None and values:
            self.rows.setdefault(len(values), []).append(row)

    def _samples(self, n_values: int) -> list[list[tuple[int, int]]]:
        return [edges[len(edges) - n_values:] for edges in (r.edges for r in self.rows.get(n_values, ()))]

    def place(self, row: Row, values, expected: int) -> list[str] | None:
        if row.line is None or not 0 < len(values) < expected:
            return None
        samples = self._samples(expected)
        edges_of_row = row.edges
        if not edges_of_row or not samples:
            return None
        mine = edges_of_row[len(edges_of_row) - len(values):]
        best = None
        for unit in (0, 1):       # characters, display columns: whichever the table keeps straight
            columns = [sorted(s[i][unit] for s in samples) for i in range(expected)]
            spread = max(c[-1] - c[0] for c in columns)
            edges = [c[len(c) // 2] for c in columns]
            gap = min(b - a for a, b in zip(edges, edges[1:])) if expected > 1 else 4
            if gap <= 0 or spread * 2 >= gap:
                continue
            if best is None or spread < best[0]:
                best = (spread, edges, gap, unit)
        if best is None:
            return None
        _, edges, gap, unit = best
        placed: list[str] = [""] * expected
        last = -1
        for value, edge in zip(values, mine):
            col = min(range(expected), key=lambda i: abs(edges[i] - edge[unit]))
            if abs(edges[col] - edge[unit]) * 2 >= gap or col <= last:
                return None
            placed[col], last = value, col
        return placed


# Labels of a group of table-3 rows (printed in a cell spanning the group,
# or centred beside it in space-aligned text): they name no row of their
# own, so they neither open nor break a label wrapped over lines.
_GROUP_LABEL_RE = re.compile(r"^(?:三本年度办理结果|本年度办理结果|不予公开|无法提供|不予处理)$")
_GROUP_NAMES = ("本年度办理结果", "不予公开", "无法提供", "不予处理")


def _group_fragments() -> frozenset[str]:
    """The parts of a group label wrapped over lines beside its rows
    (「三、本年度办理结」 over 「果」): a first part of four characters or
    more, or a last part, that no row's label holds anywhere (so 「公开」,
    「提供」 and 「处理」, which row labels wrap into, stay row labels)."""
    rows = [r.canonical for r in REQUEST_ROWS]
    fragments = set()
    for name in _GROUP_NAMES:
        parts = [name[:i] for i in range(4, len(name))] + [name[i:] for i in range(1, len(name))]
        fragments.update(p for p in parts if not any(p in row for row in rows))
    return frozenset(fragments)


_GROUP_FRAGMENTS = _group_fragments()


@lru_cache(maxsize=1 << 14)
def is_group_label(label: str) -> bool:
    key = label_key(label)
    return _GROUP_LABEL_RE.match(key) is not None or key in _GROUP_FRAGMENTS


# Each group's sub-rows in the order both templates number them (1., 2., …).
_NUMBERED_GROUPS = {
    "不予公开": ("denied_state_secret", "denied_prohibited_by_law", "denied_three_securities",
             "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
             "denied_enforcement_files", "denied_administrative_query"),
    "无法提供": ("unable_not_held", "unable_needs_creation", "unable_unclear"),
    "不予处理": ("not_processed_petition", "not_processed_repeated", "not_processed_publication",
             "not_processed_excessive", "not_processed_confirmation"),
    "其他处理": ("other_no_correction", "other_unpaid_fee", "other_misc"),
}
# The rows inside the numbered groups (sub-rows): their label is one cell.
_GROUPED_ROWS = frozenset(key for rows in _NUMBERED_GROUPS.values() for key in rows)
# Rows outside the numbered groups: a label naming one ends the group above.
_UNGROUPED_ROWS = frozenset({"new_received", "carried_over", "granted", "partially_granted", "other_handling",
                             "total_processed", "carried_forward"})
_SUB_NUMBER_RE = re.compile(r"^\s*[（(]?([1-9])\s*[)）.．、]")


def group_after(group: str | None, labels) -> str | None:
    """The numbered group (不予公开, 无法提供, …) the rows from here sit in,
    after a row with these labels: a group's label opens it, a label
    naming a row outside the groups ends it.  For layouts that print a
    group's label only in its first row (tab and pipe rows, cell
    streams, grids without spans such as Markdown)."""
    for label in labels:
        name = label_key(label)
        if name in _NUMBERED_GROUPS:
            group = name
        elif match_text(label) in _UNGROUPED_ROWS:
            group = None
    return group


def take_by_number(result: "TableResult", label: str, labels, named_rows) -> str | None:
    """The table-3 row a label names by its number under its group, where
    its words name none (「2.其他法律行政止公开」, printed with words
    missing, under 「（三）不予公开」): the templates number each group's
    rows in one order.  labels: the row's labels, its group's among them
    (the nearest group counts); named_rows(): the rows some label of the
    table names, asked only when a number names a row.  None without a
    number, a group or a row of that number in that group, and where that
    row is read already or another label names it; otherwise the row, with
    a note (named_by_number) on the result."""
    m = _SUB_NUMBER_RE.match(label)
    if m is None:
        return None
    n = int(m.group(1))
    key = None
    for group in reversed(labels):
        rows = _NUMBERED_GROUPS.get(label_key(group))
        if rows is not None:
            key = rows[n - 1] if n <= len(rows) else None
            break
    if key is None or key in result.cells or key in named_rows():
        return None
    result.notes.append(Note("requests", key, NAMED_BY_NUMBER,
                             f"label 「{label[:40]}」 names no row: taken by its number in its group"))
    return key


@lru_cache(maxsize=1 << 14)
def _is_other_group(label: str) -> bool:
    return label_key(label) == "其他处理"


def strip_group_labels(labels) -> list[str]:
    """The labels that may name a row: group labels left out, and
    「（六）其他处理」 too where another label follows it in the row (the
    2021 template's group over three sub-rows; alone it is the 2019 row)."""
    labels = [label for label in labels if not is_group_label(label)]
    return [label for i, label in enumerate(labels) if i == len(labels) - 1 or not _is_other_group(label)]


def _match(labels: list[str]) -> str | None:
    for label in reversed(labels):
        key = match_text(label)
        if key is not None:
            return key
    return None


def _store(result: TableResult, key, placed: Cells, note: str | None, table: str) -> None:
    """Keep a row's cells under its key; a note names the row (named only
    when there is something to say: most rows are stored silently)."""
    if note:
        result.notes.append(Note(table, key, NOT_PLACED, note))
    if key in result.cells:
        if result.cells[key] != placed:
            result.notes.append(Note(table, key, PRINTED_TWICE, "printed twice with different cells"))
            result.cells[key] = [None] * len(placed)
        return
    result.cells[key] = placed


_REQUEST_HEADER_RE = re.compile(r"勾稽|申请人情况|自然人|法人或其他组织|商业企业|科研机构|社会公益|法律服务机构")


@lru_cache(maxsize=1 << 14)
def _is_request_header(label: str) -> bool:
    return _REQUEST_HEADER_RE.search(label_key(label)) is not None


_NUMBERED_RE = re.compile(rf"^\s*(?:{CN_NUMBERING}|{PAREN_NUMBERING}|{DIGIT_NUMBERING})")


@lru_cache(maxsize=1 << 12)
def _is_column_name(label: str) -> bool:
    return label_key(label) in ("其他", "总计", "合计", "其他组织")


def past_header(labels: tuple[str, ...]) -> tuple[str, ...]:
    """A table-3 header row's labels after its last column name: a row
    that runs on from the header (one cell per paragraph) names its row
    there.  「其他」 and 「总计」 in the header are applicant columns, not
    rows (nor the end of a group)."""
    last = max((i for i, label in enumerate(labels) if _is_request_header(label) or _is_column_name(label)),
               default=-1)
    return labels[last + 1:]


@memoised(1 << 14)
def _request_labels(labels: tuple[str, ...]) -> tuple[bool, bool, str | None, str]:
    """What extract_requests reads from a row's labels, worked out once per
    distinct labels (rows print the same labels report after report):
    (a header row?, does it open a label?, the row key it names, the
    labels joined)."""
    header = any(map(_is_request_header, labels))
    if header:
        labels = past_header(labels)
    labels = strip_group_labels(labels)
    if not labels:
        return header, False, None, ""
    key = _match(labels)
    if key is None and len(labels) > 1:
        key = match_text("".join(labels))       # a label split over cells
    return (header, bool(_NUMBERED_RE.match(labels[0])) or key is not None, key, "".join(labels))


def number_between(label: str, before: str | None, after: str | None) -> str | None:
    """The sub-row a label's number names where its group is not printed
    beside it, from the rows read right before and after it: 「5．」 after
    the group's fourth row, or before its sixth, is its fifth.  None unless
    a neighbour confirms it (and none contradicts it)."""
    m = _SUB_NUMBER_RE.match(label)
    if m is None:
        return None
    n = int(m.group(1))
    found = set()
    for neighbour, offset in ((before, -1), (after, 1)):
        for rows in _NUMBERED_GROUPS.values():
            if neighbour in rows:
                i = rows.index(neighbour) - offset      # where this row would sit
                if i == n - 1 and 0 <= i < len(rows):
                    found.add(rows[i])
    return found.pop() if len(found) == 1 else None


def extract_requests(rows: list[Row]) -> TableResult:
    """Table 3: row key -> 7 raw cells in APPLICANTS order.

    A label wrapped over several lines (pdftotext, narrow columns) reaches us
    as label-only rows around the row holding the figures.  Label-only rows
    that start a label (numbered, or recognised) open a pending label; those
    that do not continue it.  A row of figures takes, in order: its own
    label, the pending label text joined to its own, the pending key."""
    result = TableResult()
    width = len(APPLICANTS)
    guide, deferred = ColumnGuide(), []
    # tab and pipe rows: where the figures of rows with seven figures start
    # (their cell position), and the rows to place by it
    firsts: set[int] = set()
    positional: list = []
    pending_key, pending_text = None, ""
    # a row of figures waits for the next line, which may go on with its
    # label: 「2．其他」 over 「法律行政法规禁止公开」 names another row than
    # 「2．其他」 alone, and a label naming no row yet may be completed
    held: tuple[Row, tuple, str, str | None] | None = None
    # a label left pending when a header is printed again inside the table
    # (a page break splitting a wrapped row): it goes on after the header
    carried: tuple[str | None, str] | None = None
    header_seen = False
    across_header = False     # a held row waits across a repeated header
    # tab and pipe rows and cell streams: the numbered group (不予公开,
    # 无法提供, …) each row sits in, from the group label printed in the
    # group's first row (space-aligned text prints it beside the middle of
    # the group, so there it is not followed)
    group = None
    group_of: dict[int, str | None] = {}
    # space-aligned rows whose words name no row: (row, values, label, rows
    # read before it, its note's place)
    unnamed: list = []
    # the rows some label of the table names, worked out when a number first asks
    named_in_table = cache(lambda: {match_text(label) for r in rows for label in classify_row(r.cells)[0]})

    def take(row: Row, values, key: str) -> None:
        result.found = True
        result.span(row)
        placed, note = place(values, width)
        if placed is not None:
            guide.learn(row, values)
            if row.leading >= 0 and len(values) == width and not any(map(is_empty, values)):
                firsts.add(row.leading + len(row.cells) - len(values))
        elif row.line is not None:
            deferred.append((key, row, values, note, None))
            return
        elif row.leading >= 0:
            # stored unplaced where it stands (its note keeps its place
            # among the notes), placed by position after the table if it can be
            positional.append((key, row, len(result.notes)))
        elif key in _GROUPED_ROWS and len(values) >= width and all(map(is_empty, values[width:])):
            # a cell stream (no positions): a group's sub-row has its label
            # in the innermost label column, one cell wide, so no merged label
            # cell can stand right of it: its empty first cell is a figure
            # printed blank (a row spanning label columns may be ragged; not
            # so).  Empty cells after its seven are the next row's: the
            # positions the group's merged cells cover left of its label
            placed, note = list(values[:width]), None
        _store(result, key, placed or [None] * width, note, "requests")

    def settle(completion: str | None = None) -> bool:
        """Store the held row, its label completed by `completion` when
        that names a row; True when the completion was used."""
        nonlocal held
        if held is None:
            return False
        row, values, text, key = held
        held = None
        completed = match_text(text + completion) if completion else None
        if completed is not None:
            if label_goes_on(text + completion):
                # 「（六）其」 + 「他」 names 「其他」 until 「处理」 follows
                held = (row, values, text + completion, completed)
            else:
                take(row, values, completed)
            return True
        if key is None and group_of.get(id(row)) is not None:
            key = take_by_number(result, text, (group_of[id(row)],), named_in_table)
        if key is not None:
            take(row, values, key)
        elif result.found:
            if row.line is not None:
                # space-aligned text prints a group's label beside the middle
                # of its rows: its number is read against the rows around it
                # once the table is read
                unnamed.append((row, values, text, len(result.cells), len(result.notes)))
            result.notes.append(Note("requests", None, UNKNOWN_LABEL,
                                     f"row with numbers but no known label: {' | '.join(row.cells)[:80]}"))
        return False

    for row in rows:
        labels, values, printed = classify_row(row.cells)
        header, opens, key, joined = _request_labels(labels)
        if row.line is None and labels:
            # (a header printed again after a page break keeps the group:
            # its 「总计」 column is no （七）总计 row)
            group = group_of[id(row)] = group_after(group, past_header(labels) if header else labels)
        if header:
            result.span(row)        # header rows belong to the table, not the prose
        if not printed:
            if held is not None and held[3] is None and (
                    header or (across_header and len(strip_group_labels(labels)) > 1)):
                # a page break after the held row's figures, the header
                # printed again (its column names wrapped over lines of
                # several cells): the rest of the held label, naming no row
                # yet, comes after the header
                header_seen = across_header = True
                continue
            across_header = False
            if (held is not None and len(strip_group_labels(labels)) == 1 and not _NUMBERED_RE.match(joined)
                    and settle(joined)):
                continue
            settle()
            if header and (result.found or header_seen) and pending_text:
                # (also before any figure: a page break right after the
                # first row's label, the header printed again)
                carried = (pending_key, pending_text)
            header_seen = header_seen or header
            if header or (not labels and not joined):
                pending_key, pending_text = None, ""
            elif not joined:
                continue        # a group label only: a wrap goes on across it
            elif opens and (key is None or key not in result.cells or _NUMBERED_RE.match(joined)):
                # (a fragment naming a row already read is the end of that
                # row's label, wrapped below its figures: it opens nothing)
                pending_key, pending_text, carried = key, joined, None
            elif not pending_text and carried is not None and starts_a_label(carried[1] + joined):
                # the label carried across the repeated header wraps again
                # after it: 「1．属于」 / header / 「国」 / 「家秘密 1 0 …」
                pending_text = carried[1] + joined
                pending_key, carried = carried[0] or match_text(pending_text), None
            elif pending_text:
                pending_text += joined
                pending_key = pending_key or match_text(pending_text)
            continue
        across_header = False
        if held is not None:
            # a cell stream (one cell per paragraph) runs the rest of the
            # held row's label into this row's labels
            # (「其他处理」 first is the end of 「(六) 」 above, not the 2021
            # group label that strip_group_labels drops before a sub-row)
            rest = [label for label in labels if not is_group_label(label)]
            if len(rest) > 1 and not _NUMBERED_RE.match(rest[0]) and settle(rest[0]):
                header, opens, key, joined = _request_labels(tuple(rest[1:]))
        settle()
        own = key
        if carried is not None and not pending_text:
            pending_key, pending_text = carried
        carried = None
        if _NUMBERED_RE.match(joined):
            # a numbered label starts its own: text pending before it is
            # the tail of another row's label
            pending_key, pending_text = None, ""
        if key is None and pending_text:
            key = match_text(pending_text + joined)
        if key is None:
            key = pending_key
        text = joined if own is not None else pending_text + joined     # its own label names it: no pending text
        pending_key, pending_text = None, ""
        if joined and (key is None or key == own or label_goes_on(text)):
            # (a label that may go on below its figures waits for the next line)
            held = (row, values, text, key)
            continue
        if key is None:
            continue
        take(row, values, key)
    settle()
    read = list(result.cells)
    for row, values, text, at, note_at in unnamed:
        key = number_between(text, read[at - 1] if at else None, read[at] if at < len(read) else None)
        if key is None or key in result.cells or key in named_in_table():
            continue
        result.notes[note_at] = Note("requests", key, NAMED_BY_NUMBER,
                                     f"label 「{text[:40]}」 names no row: taken by its number between its neighbours")
        take(row, values, key)
    _place_deferred(result, guide, deferred, width, "requests")
    for key, row, at in reversed(positional):
        placed = _place_by_position(row, firsts, width)
        if placed is None or any(n.key == key and n.code == PRINTED_TWICE for n in result.notes):
            continue
        result.cells[key] = placed
        if at < len(result.notes) and result.notes[at].key == key and result.notes[at].code == NOT_PLACED:
            del result.notes[at]
    return result


def _place_by_position(row: Row, firsts: set[int], width: int) -> list[str] | None:
    """A tab or pipe row's figures by cell position, where every row of the
    table printing all its figures starts them at the same position: an
    empty cell there is a blank figure (「4．保护第三方合法权益 | (empty) |
    0 | …」), not a merged label cell, since the label cells end before it.
    None unless the row has a cell at each of the columns, nothing but
    labels and empty cells before them and nothing but empty cells after."""
    if len(firsts) != 1:
        return None
    (first,) = firsts
    cells = [*[""] * row.leading, *row.cells, *[""] * row.trailing]
    if len(cells) < first + width or not all(map(is_empty, cells[first + width:])):
        return None
    if any(_kind_of(c) not in (_EMPTY, _LABEL) for c in cells[:first]):
        return None
    return cells[first:first + width]


def _place_deferred(result: TableResult, guide: ColumnGuide, deferred: list, width, what: str) -> None:
    """Rows of a space-aligned table short of cells: place them by column
    position if the table's complete rows make that certain, else leave
    them unplaced with the reason.  A row may come with its header line's
    columns (table 2: each article prints a header of its own; None
    elsewhere): where the
    complete rows do not tell, each figure goes under the header cell its
    text overlaps, and the columns right of the metrics hold nothing but
    fillers."""
    for key, row, values, note, columns in deferred:
        expected = width if isinstance(width, int) else width(key)
        placed = guide.place(row, values, expected)
        if placed is None and columns is not None and len(columns) >= expected:
            under = _under_labels(columns, values, row.spans[len(row.cells) - len(values):])
            placed = under[:expected] if under is not None and all(map(is_blank, under[expected:])) else None
        _store(result, key, placed or [None] * expected, None if placed else note, what)


_PROCEEDING_PATTERNS = (
    ("litigation_after_review", re.compile(r"复议后起诉")),
    ("litigation_direct", re.compile(r"直接起诉")),
    ("administrative_review", re.compile(r"^行政复议$")),
)
_OUTCOME_PATTERNS = (
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正")),
    ("other", re.compile(r"其他")),
    ("pending", re.compile(r"尚未|审结|未审结")),
    ("total", re.compile(r"^总计$|^合计$")),
)


_REVIEW_RE = REVIEW_RE


@lru_cache(maxsize=1 << 14)
def _names_review(label: str) -> bool:
    return _REVIEW_RE.search(label_key(label)) is not None


@lru_cache(maxsize=1 << 14)
def _proceeding_of(label: str) -> str | None:
    key = label_key(label)
    return next((p for p, pat in _PROCEEDING_PATTERNS if pat.search(key)), None)


@lru_cache(maxsize=1 << 14)
def _outcome_of(label: str) -> str | None:
    key = label_key(label)
    for name, pattern in _OUTCOME_PATTERNS:
        if pattern.search(key):
            return name
    return None


@memoised(1 << 14)
def _review_labels(labels: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    """(names 复议/诉讼?, the outcomes its labels name), once per distinct labels."""
    return any(map(_names_review, labels)), tuple(o for o in map(_outcome_of, labels) if o)


def extract_review(rows: list[Row]) -> TableResult:
    """Table 4: proceeding -> 5 raw cells in OUTCOMES order."""
    result = TableResult()
    header_outcomes: list[str] = []
    value_rows = []
    for row in rows:
        labels, values, printed = classify_row(row.cells)
        names_review, outcomes = _review_labels(labels)
        if names_review:
            result.found = True
            result.span(row)
        if printed:
            value_rows.append((row, labels, values))
        header_outcomes.extend(outcomes)
    if not value_rows:
        # words about 复议 and 诉讼 without a figure are prose (a notice, a
        # heading), not a table: the table is missing
        if result.found:
            result.notes.append(Note("review_litigation", None, NO_FIGURES, "no row of numbers found"))
            result.found = False
        return result
    result.found = True
    order = _outcome_order(header_outcomes)
    labelled = {}
    for row, labels, values in value_rows:
        proceeding = None
        for label in reversed(labels):
            proceeding = _proceeding_of(label)
            if proceeding:
                break
        labelled.setdefault(proceeding, []).append((row, values))
    if len(value_rows) == 1:
        row, _, values = value_rows[0]
        result.span(row)
        placed, note = place(values, len(PROCEEDINGS) * len(OUTCOMES))
        if placed is None:
            by_header = (_review_by_header_columns(rows, row, values) if row.line is not None
                         else _review_by_positions(rows, row))
            if by_header is not None:
                (placed, order), note = by_header, None
        if note:
            result.notes.append(Note("review_litigation", None, NOT_PLACED, note))
        for i, proceeding in enumerate(PROCEEDINGS):
            chunk = placed[i * 5:(i + 1) * 5] if placed else [None] * 5
            result.cells[proceeding] = _reorder(chunk, order[i * 5:(i + 1) * 5])
        return result
    if set(labelled) == set(PROCEEDINGS) and all(len(v) == 1 for v in labelled.values()):
        for proceeding, [(row, values)] in labelled.items():
            result.span(row)
            outcomes = [_outcome_of(label) for label in classify_row(row.cells)[0][-len(OUTCOMES):]]
            if len(values) == len(OUTCOMES) and sorted(filter(None, outcomes)) == sorted(OUTCOMES):
                # a small table's header of the five outcomes run into its
                # row of figures (a cell stream): no label cell stands
                # between them and the figures, so an empty first one is a blank
                placed, note = _reorder(list(values), outcomes), None
            else:
                placed, note = place(values, len(OUTCOMES))
            _store(result, proceeding, placed or [None] * 5, note, "review_litigation")
        return result
    for reader in (_review_small_tables, _review_outcome_rows):
        cells = reader(rows)
        if cells is not None:
            for proceeding in PROCEEDINGS:
                _store(result, proceeding, cells[proceeding], None, "review_litigation")
            for row, _, _ in value_rows:
                result.span(row)
            return result
    if not header_outcomes and not any(labelled.keys() - {None}):
        # rows of figures beside words about 复议 and 诉讼, but no outcome
        # (结果维持 … 总计) and no proceeding printed anywhere: a list or an
        # index that mentions the section, not table 4
        result.found = False
        result.notes.append(Note("review_litigation", None, NO_FIGURES,
                                 "no table-4 header (结果维持 … 总计) above the rows of numbers"))
        return result
    result.notes.append(Note("review_litigation", None, AMBIGUOUS_ROWS,
                             f"{len(value_rows)} rows of numbers, cannot tell which is which"))
    for proceeding in PROCEEDINGS:
        result.cells[proceeding] = [None] * 5
    return result


def _review_by_header_columns(rows: list[Row], row: Row, values) -> tuple[list[str], list[str]] | None:
    """Space-aligned table 4 as one row of figures under the fifteen outcome
    labels of its header (on one line or several), a blank cell printing
    nothing: each figure placed under the one outcome label its text
    overlaps, the labels in their left-to-right order.  None unless the
    fifteen labels sit side by side without overlapping and every figure
    overlaps exactly one label, each a different one, in order.  Returns
    the cells and the outcome of each column, left to right."""
    n = len(PROCEEDINGS) * len(OUTCOMES)
    if row.line is None or not values or not all(v and v == v.strip() for v in values):
        return None
    labels = []
    for r in rows:
        if r is row or r.line is None:
            continue
        for cell, span in zip(r.cells, r.spans):
            outcome = _outcome_of(cell)
            if outcome and _kind_of(cell) == _LABEL:
                labels.append((span, outcome))
    if len(labels) != n:
        return None
    labels.sort()
    outcomes = [o for _, o in labels]
    labels = [span for span, _ in labels]
    if any(sorted(outcomes[i:i + 5]) != sorted(OUTCOMES) for i in range(0, n, 5)):
        return None
    placed = _under_labels(labels, values, row.spans[len(row.cells) - len(values):])
    return (placed, outcomes) if placed is not None else None


def _under_labels(labels: list[tuple[int, int]], values, spans) -> list[str] | None:
    """Space-aligned figures placed under header labels (their spans, left
    to right, none overlapping): each figure under the one label its text
    overlaps, each a different one, in order; labels with no figure under
    them are blanks.  None when a figure overlaps no label or two."""
    if any(a[1] > b[0] for a, b in zip(labels, labels[1:])):
        return None
    placed: list[str] = [""] * len(labels)
    last = -1
    for value, (left, right) in zip(values, spans):
        over = [i for i, (l, r) in enumerate(labels) if l < right and left < r]
        if len(over) != 1 or over[0] <= last:
            return None
        placed[over[0]], last = value, over[0]
    return placed


def _review_by_positions(rows: list[Row], row: Row) -> tuple[list[str], list[str]] | None:
    """Tab or pipe rows: table 4 as one row of figures under header lines
    exactly as wide as it, the fifteen outcome labels each at a position of
    its own: each figure is the cell at its label's position, and an empty
    cell the line's end dropped (a blank last figure) is a blank.  None
    unless every header line naming outcomes is as wide as the row and the
    row prints nothing but labels outside the fifteen positions.  Returns
    the cells and the outcome of each column, left to right."""
    mine = _positions(row)
    if mine is None:
        return None
    outcome_at: dict[int, str] = {}
    for other in rows:
        if other is row:
            continue
        theirs = _positions(other) or []
        found = {p: o for p, text in enumerate(theirs) if text and _kind_of(text) == _LABEL and (o := _outcome_of(text))}
        if not found:
            continue
        if len(theirs) != len(mine) or found.keys() & outcome_at.keys():
            return None
        outcome_at.update(found)
    n = len(PROCEEDINGS) * len(OUTCOMES)
    if len(outcome_at) != n:
        return None
    columns = sorted(outcome_at)
    outcomes = [outcome_at[p] for p in columns]
    if any(sorted(outcomes[i:i + 5]) != sorted(OUTCOMES) for i in range(0, n, 5)):
        return None
    if any(not is_empty(mine[p]) and _kind_of(mine[p]) != _LABEL for p in range(len(mine)) if p not in outcome_at):
        return None
    return [mine[p] for p in columns], outcomes


@lru_cache(maxsize=1 << 12)
def _proceeding_named(label: str) -> str | None:
    """The proceeding a label names, also as the first line of a wrapped
    label (「行政诉讼（未经复议直」); a heading over all of table 4 names none."""
    key = label_key(label)
    if "复议后起诉" in key:
        return "litigation_after_review"
    if "未经复议" in key or "直接起诉" in key:
        return "litigation_direct"
    if re.fullmatch(r"行政复议(?:情况)?", key):
        return "administrative_review"
    return None


def _review_small_tables(rows: list[Row]) -> dict | None:
    """Table 4 as three small tables: a line naming the proceeding, a header
    of the five outcomes, a row of five figures.  None unless each
    proceeding is found once, its figures under a header naming all five."""
    found: dict[str, Cells] = {}
    context = None
    header: list[str] | None = None
    width = 0       # the header's cells, when it is the five outcomes alone (tab rows: with the line's end)
    header_spans: list[tuple[int, int]] | None = None     # space-aligned: where the header prints each outcome
    for row in rows:
        labels, values, printed = classify_row(row.cells)
        named = next(filter(None, map(_proceeding_named, labels)), None)
        outcomes = [o for o in map(_outcome_of, labels) if o]
        if not printed:
            if named:
                context = named
            if len(outcomes) == 5 and set(outcomes) == set(OUTCOMES):
                header = outcomes
                width = len(row.cells) + row.trailing if len(row.cells) == 5 else 0
                header_spans = ([span for cell, span in zip(row.cells, row.spans) if _outcome_of(cell)]
                                if row.line is not None else None)
            continue
        proceeding = named or context
        if (len(values) < 5 and row.trailing and not labels
                and len(values) + row.trailing == width):
            # a tab row as wide as its header: the empty last cells the
            # line's end dropped are blanks
            values = (*values, *[""] * (5 - len(values)))
        elif len(values) < 5 and not labels and row.line is not None and header_spans is not None:
            # space-aligned: a blank prints nothing; each figure sits under
            # the one outcome its text overlaps
            under = _under_labels(header_spans, values, row.spans[len(row.cells) - len(values):])
            values = tuple(under) if under is not None else values
        if proceeding is None or header is None or len(values) != 5 or proceeding in found:
            return None
        found[proceeding] = _reorder(list(values), header)
        context = None
    return found if set(found) == set(PROCEEDINGS) else None


def _review_outcome_rows(rows: list[Row]) -> dict | None:
    """Table 4 printed one figure per line, each beside its outcome, the
    proceedings named beside their group of five lines (centred, perhaps
    wrapped) or above it.  None unless the lines form three groups of the
    five outcomes, each naming exactly one proceeding.

    A cell stream (one cell per paragraph) puts the blank left by the
    proceeding's merged cell after the figure of the line above: empty
    cells after a line's one figure are not figures.  A name wrapped over
    the group's lines with no fragment naming it alone (「行政诉讼（复议后」
    over 「起诉）」) names the group by the fragments joined."""
    groups: list[dict] = []
    pending = None
    pending_text: list[str] = []
    for labels, values, printed in (part for row in rows for part in _outcome_parts(row.cells)):
        named = next(filter(None, map(_proceeding_named, labels)), None)
        outcomes = list(map(_outcome_of, labels))
        outcome = next(filter(None, outcomes), None)
        fragments = [label for label, o in zip(labels, outcomes) if o is None]
        figures = list(values)
        while len(figures) > 1 and is_empty(figures[-1]):
            figures.pop()
        # a line beside its outcome printing only a no-figure marker (or
        # nothing: an empty cell of a cell stream, or a blank that
        # space-aligned text leaves out) is a blank figure, not a header;
        # the groups of five below confirm the shape
        if not printed and not figures and sum(o is not None for o in outcomes) == 1:
            figures = [""]
        figure_line = printed or (outcome is not None and len(figures) == 1)
        if figure_line:
            if outcome is None or len(figures) != 1:
                return None
            if not groups or outcome in groups[-1]["cells"]:
                groups.append({"cells": {}, "names": set(), "text": pending_text})
                pending_text = []
                if pending:
                    groups[-1]["names"].add(pending)
                    pending = None
            groups[-1]["cells"][outcome] = figures[0]
            groups[-1]["text"].extend(fragments)
            if named:
                groups[-1]["names"].add(named)
            continue
        unfinished = bool(groups) and len(groups[-1]["cells"]) < 5
        if unfinished:
            groups[-1]["text"].extend(fragments)
        else:
            pending_text.extend(fragments)
        if named:
            # beside an unfinished group it names that group; after a
            # finished one (or before any) it heads the next
            if unfinished and not groups[-1]["names"]:
                groups[-1]["names"].add(named)
            else:
                pending = named
    for g in groups:
        if not g["names"]:
            joined = _proceeding_in("".join(g["text"]))
            if joined:
                g["names"].add(joined)
    if len(groups) != 3 or any(len(g["names"]) != 1 or len(g["cells"]) != 5 for g in groups):
        return None
    found = {next(iter(g["names"])): [g["cells"][o] for o in OUTCOMES] for g in groups}
    return found if set(found) == set(PROCEEDINGS) else None


def _outcome_parts(cells: list[str]) -> list[tuple]:
    """A row of table 4 printed one figure per line, classified; a row
    holding several outcomes each followed by its cells is split at them.
    A cell stream runs a blank figure's outcome into the next line
    (「结果维持」「 」「 」「结果纠正」「0」): each outcome takes the cells after
    it, the blank ones included.  Kept whole unless every part has one
    outcome and at most one figure."""
    at = [i for i, c in enumerate(cells) if c.strip() and _outcome_of(c) and _kind_of(c) == _LABEL]
    whole = [classify_row(cells)]
    if len(at) < 2:
        return whole
    parts = [classify_row(cells[a:b]) for a, b in zip([0, *at[1:]], [*at[1:], len(cells)])]
    for labels, values, _ in parts:
        if sum(_outcome_of(label) is not None for label in labels) != 1 or sum(not is_empty(v) for v in values) > 1:
            return whole
    return parts


def _proceeding_in(text: str) -> str | None:
    """The one proceeding a group's label fragments, joined, name."""
    key = label_key(text)
    found = set()
    if "复议后起诉" in key:
        found.add("litigation_after_review")
    if "未经复议" in key or "直接起诉" in key:
        found.add("litigation_direct")
    if "行政复议" in key and "诉讼" not in key:
        found.add("administrative_review")
    return found.pop() if len(found) == 1 else None


def _outcome_order(header: list[str]) -> list[str]:
    """The outcome columns in the order the header prints them, when the
    header names all fifteen; else the template's order."""
    canonical = list(OUTCOMES) * 3
    if len(header) >= 15:
        tail = header[-15:]
        if all(sorted(tail[i:i + 5]) == sorted(OUTCOMES) for i in (0, 5, 10)):
            return tail
    return canonical


def _reorder(chunk: Cells, printed: list[str]) -> Cells:
    by_outcome = dict(zip(printed, chunk))
    return [by_outcome.get(o) for o in OUTCOMES]


_ARTICLE_RE = re.compile(rf"第二十条第\(?({CN_NUMERAL})\)?项")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@lru_cache(maxsize=1 << 14)
def _metric_candidates(label: str) -> tuple[str, ...]:
    key = label_key(label)
    return tuple(name for name, pattern in ACTIVE_METRIC_PATTERNS if pattern.search(key))


def _metrics_of(labels) -> list[str]:
    """The metric columns a header row names, in printed order (a label
    counts for the first of its patterns' metrics not already named)."""
    found = []
    for label in labels:
        for name in _metric_candidates(label):
            if name not in found:
                found.append(name)
                break
    return found


@lru_cache(maxsize=1 << 14)
def _item_of(label: str) -> tuple[str, str] | None:
    key = label_key(label)
    return next(((a, i) for a, i, pat, _ in ACTIVE_ITEMS if pat.search(key)), None)


@lru_cache(maxsize=1 << 14)
def _names_article(label: str) -> bool:
    return _ARTICLE_RE.search(label_key(label)) is not None


@memoised(1 << 14)
def _active_labels(labels: tuple[str, ...]) -> tuple[bool, tuple[str, ...], tuple[str, str] | None]:
    """What extract_active reads from a row's labels, worked out once per
    distinct labels: (names 第二十条?, the metric columns it names, the
    (article, item) it names)."""
    return (any(map(_names_article, labels)), tuple(_metrics_of(labels)),
            next(filter(None, map(_item_of, reversed(labels))), None))


def _is_marker(value: str) -> bool:
    """A printed no-figure marker (「/」, 「——」, 「无」), not an empty cell."""
    return is_blank(value) and not is_empty(value)


def _drop_fillers(values, expected: int):
    """A row of table 2 with fewer metrics than the table has columns may
    print a filler (「/」, 「——」) in the columns it does not have: trailing
    no-figure markers beyond the row's metrics are not its cells."""
    values = list(values)
    while len(values) > expected and _is_marker(values[-1]):
        values.pop()
    return values


# the decimals of an amount cut before its decimal point (「．１５」)
_DECIMALS_RE = re.compile(r"[.,]\d+(?:万?元|万)?")
_UNIT_FRAGMENTS = frozenset({"元", "万元", "亿元", "万", "（元）", "(元)", "（万元）", "(万元)"})


def _figure_cells(cells: list[str], values: tuple, printed: bool) -> list[int]:
    """The figure cells of a row: its value cells, or an amount cut after
    its decimal point (「２５２３３．」 reads as no number, so as a label)."""
    if printed:
        return list(range(len(cells) - len(values), len(cells)))
    return [j for j, c in enumerate(cells) if is_cut_amount(c)]


def _join_wrapped_figures(rows: list[Row]) -> tuple[list[Row], dict[int, str], set[int]]:
    """Space-aligned text: a figure too wide for its column goes on below
    it (「６５１１９０」 over 「００元」).  A line of figures alone (no label)
    right below a row of figures, each under exactly one of that row's
    figures and none under the same one, holds their ends: they are joined
    to them.  Read alone the first part would be a wrong figure: where
    they cannot be joined so, the row above is doubtful.

    The other cells of a row whose figure wrapped may be printed on the
    lower line (a cell centred or set at the bottom: 「１４３６．４」 over
    「１６５ … ４」).  A figure of that line under no cell of the row above
    is then a cell of that row, in its place left to right: the line holds
    the end of one of the row's figures, so it lies inside that row.  Such
    a row's text line no longer shows all its cells: it is not placed by
    column positions.

    Returns the rows, the doubtful rows' first lines (with why) and those
    of the rows read over two lines."""
    out: list[Row] = []
    doubtful: dict[int, str] = {}
    two_lines: set[int] = set()
    for row in rows:
        prev = out[-1] if out else None
        if (prev is not None and row.line is not None and prev.line is not None
                and row.first_line - prev.last_line > 2):
            # further below, past blank lines or a page break: the end of a
            # figure cut by the page, or figures of another row; which is
            # not known, so a line of figures under a figure of the row
            # above makes that row doubtful
            labels, values, printed = classify_row(row.cells)
            if (printed and not labels) or all(c in _UNIT_FRAGMENTS or _DECIMALS_RE.fullmatch(squash(c))
                                               for c in row.cells):
                p_labels, p_values, p_printed = classify_row(prev.cells)
                under = [j for j in _figure_cells(prev.cells, p_values, p_printed)
                         if any(prev.spans[j][0] < right and left < prev.spans[j][1] for left, right in row.spans)]
                if under:
                    doubtful[prev.first_line] = "a line of figures under one of its figures past a page break or blank lines"
                if any(is_cut_amount(prev.cells[j]) for j in under):
                    # an amount cut after its decimal point (「６４４７３．」, the
                    # rest on the next page): this line holds its end, or
                    # another row's figures; read as the row's figures it
                    # would give a wrong amount
                    doubtful[row.first_line] = ("its figures lie under an amount cut on the line above it "
                                                "(past a page break or blank lines)")
        elif (prev is not None and row.line is not None and prev.line is not None
                and row.first_line - prev.last_line <= 2):
            labels, values, printed = classify_row(row.cells)
            p_labels, p_values, p_printed = classify_row(prev.cells)
            figures = printed and not labels and len(values) == len(row.cells)
            fragment = figures or (
                # the unit alone went on below the amount
                all(c in _UNIT_FRAGMENTS or _DECIMALS_RE.fullmatch(squash(c)) for c in row.cells))
            figure_cells = _figure_cells(prev.cells, p_values, p_printed)
            if fragment and figure_cells:
                spans, p_spans = row.spans, prev.spans
                targets, under = [], False
                for left, right in spans:
                    over = [j for j in figure_cells if p_spans[j][0] < right and left < p_spans[j][1]]
                    if len(over) == 1:
                        targets.append(over[0])
                    elif figures and not any(pl < right and left < pr for pl, pr in p_spans):
                        targets.append(-1)      # a cell of its own, below nothing
                    else:
                        targets.append(None)
                    under = under or bool(over)
                joined = [j for j in targets if j is not None and j >= 0]
                if None not in targets and joined and len(set(joined)) == len(joined):
                    cells = list(prev.cells)
                    own = []
                    for j, text, span in zip(targets, row.cells, spans):
                        if j >= 0:
                            cells[j] += text
                        else:
                            own.append((span[0], text))
                    if own:
                        placed = sorted([(sp[0], c) for sp, c in zip(p_spans, cells)] + own, key=itemgetter(0))
                        cells = [c for _, c in placed]
                        two_lines.add(prev.first_line)
                    out[-1] = Row(cells, prev.first_line, row.last_line, prev.line)
                    continue
                if under:
                    doubtful[prev.first_line] = "a figure goes on below it, but not under one figure alone"
        out.append(row)
    return out, doubtful, two_lines


def _header_grid(row: Row) -> tuple[int, int] | None:
    """The grid a table-2 header row prints, when its label column is one
    cell (「信息内容」, a label naming no metric) and each next cell names
    a metric: (the number of metrics, the grid's width in cells).  The
    width counts the empty cells after the metrics, and those printing a
    filler (「——」, 「/」 over a column the article does not have), and in
    tab rows those dropped at the line's end; in a cell stream the header runs on into
    the first row, whose label ends it.  A heading before 「信息内容」 in a
    cell stream belongs to no column.  None when the label column may be
    wider (an empty cell before the metrics) or a cell names no metric."""
    cells = row.cells
    first = next((i for i, c in enumerate(cells) if _metric_candidates(c)), None)
    if not first or not cells[first - 1] or _kind_of(cells[first - 1]) != _LABEL:
        return None
    end = first
    while end < len(cells) and _metric_candidates(cells[end]):
        end += 1
    k = end - first
    while end < len(cells) and is_blank(cells[end]):
        end += 1
    width = end - first + 1 + (row.trailing if end == len(cells) else 0)
    return k, width


def _header_grid_label_elsewhere(row: Row) -> tuple[int, int] | None:
    """_header_grid of a header line (tab or pipe rows) whose label-column
    cell is printed empty because the header is wrapped and its 「信息内容」
    stands on the line above or below: one empty cell, then the metrics,
    then empty cells.  To be confirmed by that line (_label_column_line)."""
    cells = row.cells
    if row.leading != 1 or not cells:
        return None
    k = 0
    while k < len(cells) and _metric_candidates(cells[k]):
        k += 1
    if k == 0 or not all(map(is_empty, cells[k:])):
        return None
    return k, 1 + len(cells) + row.trailing


def _header_tail_width(row: Row, labels, item, printed) -> int:
    """The width in cells of a tab or pipe line that carries on a wrapped
    header cell: one label naming no item, metric or article, then only
    empty cells; 0 for any other line."""
    if row.line is not None or printed or item is not None or len(labels) != 1 or row.leading != 0:
        return 0
    cells = row.cells
    if _kind_of(cells[0]) != _LABEL or _metric_candidates(cells[0]) or _names_article(cells[0]) \
            or not all(map(is_empty, cells[1:])):
        return 0
    return len(cells) + row.trailing


def _positions(row: Row) -> list[str] | None:
    """A tab or pipe line's cells at their grid positions (leading and
    trailing empty cells included); None where a layout keeps no positions."""
    if row.line is not None or row.leading < 0:
        return None
    return [""] * row.leading + list(row.cells) + [""] * row.trailing


def _header_with_wrapped_cell(header: Row, other: Row) -> Row | None:
    """A table-2 header row joined, position by position, with the line
    above or below it that carries the rest of its cells wrapped over two
    lines (「⇥上一年项⇥⇥处理决定」 over 「信息内容⇥目数量⇥本年增/减⇥数量」):
    both lines as wide, the other printing labels only, none of them an item
    or an article.  None when the lines are not so; the caller keeps the
    join only where it names more metrics than the header line alone."""
    mine, theirs = _positions(header), _positions(other)
    if mine is None or theirs is None or len(mine) != len(theirs):
        return None
    labels, values, printed = classify_row(other.cells)
    if printed or not labels or any(not is_empty(v) for v in values):
        return None
    if any(_item_of(t) or _names_article(t) for t in labels):
        return None
    above = other.first_line < header.first_line
    upper, lower = (other, header) if above else (header, other)
    joined = [a + b for a, b in (zip(theirs, mine) if above else zip(mine, theirs))]
    trailing = len(joined) - len(joined_cells := _rstrip_empty(joined))
    return Row(joined_cells, upper.first_line, lower.last_line, None, trailing, 0)


def _rstrip_empty(cells: list[str]) -> list[str]:
    end = len(cells)
    while end > 1 and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _label_column_line(row: Row) -> int | None:
    """The width in cells of a header line (tab or pipe rows) that prints
    the label column's header in its first cell (「信息内容」: a label naming
    no metric, item or article) and no figure; None for any other line."""
    cells = row.cells
    if row.leading != 0 or not cells or _kind_of(cells[0]) != _LABEL:
        return None
    first = cells[0]
    if _metric_candidates(first) or _item_of(first) or _names_article(first) or classify_row(cells)[2]:
        return None
    return len(cells) + row.trailing


def _place_by_grid(row: Row, values, grid: tuple[int, int], expected: int) -> list[str] | None:
    """A row's cells by their position in the header's grid, when the row
    (its label cell, then its value cells) is exactly as wide as the grid:
    each cell then sits under the header cell at its position, so an empty
    cell beside the label is a blank figure, not a merged label cell (the
    grid's label column is one cell), and in tab rows an empty last cell
    the line's end dropped is a blank figure too; cells right of the
    metrics may print a filler, as the header may.  None otherwise."""
    k, width = grid
    if k != expected or not values:
        return None
    label_at = len(row.cells) - len(values) - 1
    if label_at < 0 or _kind_of(row.cells[label_at]) != _LABEL:
        return None
    cells = [*values, *[""] * row.trailing]
    if 1 + len(cells) != width or not all(map(is_blank, cells[k:])):
        return None
    return cells[:k]


def _in_metric_order(placed: list, header, expected_metrics) -> list:
    """A row's cells, placed in the header's column order, in the template's
    metric order where the header names exactly the template's metrics."""
    if header and set(header) == set(expected_metrics) and len(header) == len(expected_metrics):
        by_metric = dict(zip(header, placed))
        return [by_metric[m] for m in expected_metrics]
    return placed


def extract_active(rows: list[Row], template: str | None) -> TableResult:
    """Table 2: (article, item) -> raw cells in the template's metric order.
    result.extra['money_units'] gives the unit each money column's header
    prints (see units.header_money_unit), read from the whole header: every
    label printed since the last row of figures, however the header cell
    was wrapped over lines or cells."""
    result = TableResult()
    result.extra["money_units"] = {}
    header: tuple[str, ...] = ()
    grid = None           # the header row's grid (_header_grid), in layouts without positions
    wrapped = None        # a header row's grid waiting for the line that prints its label column
    header_text: list[str] = []     # labels since the last row of figures
    pending = None        # an item label whose figures are on the next line
    guide, deferred, widths = ColumnGuide(), [], {}
    blank_rows = {}       # item -> its row's cell count, where every cell is printed empty
    doubtful: dict[int, str] = {}
    lone = []             # (item, index) of space-aligned rows printing an item's label alone
    filler_column = False  # the header prints a filler (「——」) in a column right of its metrics
    # space-aligned: where the header line prints its columns right of 「信息内容」 (metrics, fillers)
    header_columns: list[tuple[int, int]] | None = None
    header_row, grid_widths = -1, set()     # the header row's index; other widths its wrapped grid may have
    filler_rows = []      # (item, row, values, note): space-aligned rows whose last cell may be that filler
    two_lines: set[int] = set()
    # tab rows: per article, the (leading tabs, label cells) of rows printing
    # every figure; and rows whose first cell is empty, waiting for one
    # article -> (leading, label cells) of its rows printing every figure -> their widths in cells
    full_rows: dict[str, dict[tuple[int, int], set[int]]] = {}
    first_empty: list = []
    last_empty: list = []
    wide_label = False
    if rows and rows[0].line is not None:
        rows, doubtful, two_lines = _join_wrapped_figures(rows)
    elif rows:
        rows = _split_blank_item_rows(rows)
    for index, row in enumerate(rows):
        labels, values, printed = classify_row(row.cells)
        names_article, metrics, item = _active_labels(labels)
        if names_article:
            header, grid, header_columns = (), None, None
            result.span(row)
        elif (row.line is not None and not printed and len(row.cells) > 1 and item is None
              and label_key(row.cells[0]) == "信息内容"):
            # space-aligned: the header line starting 「信息内容」 prints where
            # each column is, whether or not its cells name their metrics
            # whole (「本年新制」 over 「作数量」)
            header_columns = row.spans[1:]
        header_text.extend(labels)
        if metrics and index and (joined := _header_with_wrapped_cell(row, rows[index - 1])) is not None:
            # a metric cell wrapped onto the line above: the header is both lines
            joined_metrics = _active_labels(classify_row(joined.cells)[0])[1]
            if len(joined_metrics) > len(metrics):
                row, metrics = joined, joined_metrics
        elif not metrics and header_row == index - 1 and \
                (joined := _header_with_wrapped_cell(rows[index - 1], row)) is not None:
            # a metric cell wrapped onto the line below the header
            joined_metrics = _active_labels(classify_row(joined.cells)[0])[1]
            if len(joined_metrics) > len(header):
                header, grid = joined_metrics, _header_grid(joined)
                if grid is not None and grid[0] != len(header):
                    grid = None
                continue
        if metrics:
            header = metrics
            # an empty cell before the first metric: the label column may be
            # two cells wide (a row's empty first cell may then be its label's)
            first_metric = next((i for i, c in enumerate(row.cells) if _metric_candidates(c)), None)
            wide_label = bool(first_metric) and is_empty(row.cells[first_metric - 1])
            filler_column = any(_is_marker(v) for v in values)
            if row.line is not None and len(row.cells) > 1 and not _metric_candidates(row.cells[0]):
                header_columns = row.spans[1:]
            grid = _header_grid(row) if row.line is None else None
            wrapped = None
            if grid is None and row.line is None:
                # the label column's header (信息内容) printed on another line
                # of the wrapped header: its line above confirms the grid
                # now, its line below when it comes
                wrapped = _header_grid_label_elsewhere(row)
                if wrapped is not None and index and _label_column_line(rows[index - 1]) == wrapped[1]:
                    grid, wrapped = wrapped, None
            if grid is not None and grid[0] != len(metrics):
                grid = None
            if wrapped is not None and wrapped[0] != len(metrics):
                wrapped = None
            result.span(row)
        elif wrapped is not None:
            if _label_column_line(row) == wrapped[1]:
                grid = wrapped
            wrapped = None
        elif grid is not None and header_row == index - 1 and (tail := _header_tail_width(row, labels, item, printed)):
            # the header's metric cell wrapped onto this line (「本年收费金额
            # （单位：」 over 「万元）」 and the row's remaining tabs): the
            # grid is as wide as this line, or as both lines joined
            grid_widths = {tail, grid[1] + tail - 1}
        if metrics:
            header_row, grid_widths = index, set()
        if not printed and not (item is not None and any(not is_empty(v) for v in values)):
            # (a row naming its item with only 「无」 or 「-」 printed is a
            # row of table 2: a blank there is accepted, not lost)
            pending = item
            if item is not None and values:
                blank_rows[item] = len(values)
            elif item is not None and row.trailing and grid is not None and (
                    1 + row.trailing == grid[1] or 1 + row.trailing in grid_widths):
                # a tab row of the label alone as wide as the header's grid:
                # every cell empty, dropped with the line's end
                blank_rows[item] = row.trailing
            elif item is not None and row.line is not None and len(row.cells) == len(labels):
                lone.append((item, index))
            continue
        block, header_text = "".join(header_text), []
        item = item or pending
        pending = None
        if item is None:
            continue
        article = item[0]
        expected_metrics = ACTIVE_METRICS.get(template or "", {}).get(article)
        if expected_metrics is None:
            expected_metrics = tuple(header)
        if not expected_metrics:
            continue
        for m in expected_metrics:
            if m in MONEY_METRICS:
                unit = header_money_unit(block)
                if unit is not None:
                    units = result.extra["money_units"]
                    units[m] = unit if units.get(m, unit) == unit else "?"
        result.found = True
        result.span(row)
        if (filler_column and row.line is not None and len(values) == len(expected_metrics)
                and _is_marker(values[-1]) and row.first_line not in doubtful and row.first_line not in two_lines):
            # space-aligned, as many cells as metrics, the last a filler
            # under a header that prints one: the table's filler column
            # after a blank that printed nothing, or this row's own last
            # cell; placed by the columns of the table's complete rows
            filler_rows.append((item, row, values, f"{len(values)} cells for {len(values)} columns, "
                                                   "the last a filler: the table's filler column or the row's own",
                                header_columns))
            continue
        placed, note = place(_drop_fillers(values, len(expected_metrics)), len(expected_metrics))
        if placed is None and grid is not None and set(header) == set(expected_metrics):
            # (the grid as the header line prints it, or as wide as its
            # wrapped cell's tail line makes it: see _header_tail_width)
            by_grid = next(filter(None, (_place_by_grid(row, values, (grid[0], width), len(expected_metrics))
                                         for width in (grid[1], *sorted(grid_widths)))), None)
            if by_grid is not None:
                placed, note = by_grid, None
        if row.first_line in doubtful:
            # not placed by columns later either: one of its figures is cut
            placed, note = None, doubtful[row.first_line]
        elif placed is None and row.first_line in two_lines:
            note = f"{note}, its cells printed on two lines"
        elif placed is None and row.line is not None and _figures_beside(rows, index):
            # a line of figures alone right above or below it may hold the
            # figures it lacks: placed by columns, they would read as blanks
            note = f"{note}, a line of figures alone beside it"
        elif placed is None and row.line is not None:
            deferred.append((item, row, values, note, header_columns))
            widths[item] = len(expected_metrics)
            continue
        elif placed is None and (grid is None or grid[0] != len(expected_metrics)) and not wide_label \
                and row.leading >= 0 \
                and len(values) == len(expected_metrics) > 1 \
                and is_empty(values[0]) and not any(map(is_empty, values[1:])):
            # tab and pipe rows under a header whose grid cannot be read
            # (typed over several lines, its metrics split): the empty first cell is a blank
            # figure if another row of the article prints every figure from
            # the same position (a header that shows a wider label column
            # says otherwise, and is read by its grid above)
            first_empty.append((item, row, values, note, header, expected_metrics))
            continue
        elif placed is None and (grid is None or grid[0] != len(expected_metrics)) and not wide_label \
                and row.leading >= 0 and 0 < len(values) < len(expected_metrics) <= len(values) + row.trailing \
                and not any(map(is_empty, values)):
            # tab rows: the last figures blank, their empty cells dropped
            # with the line's end; placed if a row of the article printing
            # every figure is as wide, its label where this one's is
            last_empty.append((item, row, values, note, header, expected_metrics))
            continue
        if row.leading >= 0 and placed is not None and len(values) == len(expected_metrics) \
                and not any(map(is_empty, values)):
            full_rows.setdefault(article, {}).setdefault((row.leading, len(row.cells) - len(values)), set()) \
                .add(len(row.cells) + row.trailing)
        if row.first_line not in two_lines:
            guide.learn(row, values)
        if placed is not None:
            placed = _in_metric_order(placed, header, expected_metrics)
        _store(result, item, placed or [None] * len(expected_metrics), note, "active_disclosure")
    _place_deferred(result, guide, deferred, widths.get, "active_disclosure")
    for item, row, values, note, row_header, expected_metrics in first_empty:
        # a row whose label sits where a complete row's does, with as many
        # cells, has its figures in the same columns, the empty first one
        # included
        placed = None
        if (row.leading, len(row.cells) - len(values)) in full_rows.get(item[0], {}):
            placed, note = _in_metric_order(list(values), row_header, expected_metrics), None
        _store(result, item, placed or [None] * len(expected_metrics), note, "active_disclosure")
    for item, row, values, note, row_header, expected_metrics in last_empty:
        placed = None
        widths_seen = full_rows.get(item[0], {}).get((row.leading, len(row.cells) - len(values)), ())
        if len(row.cells) + row.trailing in widths_seen:
            blanks = [""] * (len(expected_metrics) - len(values))
            placed, note = _in_metric_order([*values, *blanks], row_header, expected_metrics), None
        _store(result, item, placed or [None] * len(expected_metrics), note, "active_disclosure")
    for item, row, values, note, columns in filler_rows:
        width = len(values)
        placed = guide.place(row, values, width + 1)       # the filler column as a column of its own
        if placed is None and columns is not None and len(columns) > width:
            # the article's own header line: each cell under the column
            # its text overlaps, a column's edge widened by one (a 「/」
            # printed a column right of the header's 「/」)
            placed = _under_labels([(left - 1, right + 1) for left, right in columns], values,
                                   row.spans[len(row.cells) - len(values):])
        placed = placed[:width] if placed is not None and all(map(is_blank, placed[width:])) else None
        _store(result, item, placed or [None] * width, None if placed else note, "active_disclosure")
    # A row naming its item with every cell printed empty, and no figures
    # on a line of its own after it, is a row of blanks (accepted in table
    # 2), when it has a cell for every metric: no cell can be misplaced.
    for item, n_cells in blank_rows.items():
        expected_metrics = ACTIVE_METRICS.get(template or "", {}).get(item[0])
        if item not in result.cells and expected_metrics and n_cells >= len(expected_metrics):
            result.found = True
            _store(result, item, [""] * len(expected_metrics), None, "active_disclosure")
    # Space-aligned text: an item's label printed alone, with no line of
    # figures alone right above or below it (where a figure of its row
    # could have gone), prints blank cells: the row is a row of blanks.
    for item, index in lone:
        expected_metrics = ACTIVE_METRICS.get(template or "", {}).get(item[0])
        if item in result.cells or not expected_metrics:
            continue
        near = rows[max(index - 1, 0):index + 2]
        if any(_figures_only(r) for r in near):
            continue
        result.found = True
        result.span(rows[index])
        cut = next((c for c in rows[index].cells if is_cut_amount(c)), None)
        if cut is not None:
            # 「１８２７１．」 beside the label reads as no number, but it is
            # a figure whose end is missing: unread, never a row of blanks
            _store(result, item, [None] * len(expected_metrics),
                   f"an amount cut after its decimal point (「{cut}」) whose end is not found", "active_disclosure")
            continue
        _store(result, item, [""] * len(expected_metrics), None, "active_disclosure")
    return result


def _figures_beside(rows: list[Row], index: int) -> bool:
    """A line of figures alone right above or below rows[index] (space-aligned text)."""
    row = rows[index]
    return any(0 <= i < len(rows) and abs(rows[i].first_line - row.first_line) <= 2 and _figures_only(rows[i])
               for i in (index - 1, index + 1))


def _figures_only(row: Row) -> bool:
    labels, _, printed = classify_row(row.cells)
    return printed and not labels


_EMPTY_B = bytes([_EMPTY])


def _split_blank_item_rows(rows: list[Row]) -> list[Row]:
    """A cell stream rebuilds a row as labels then values, and an empty cell
    does not end the labels (a merged label cell prints one): a row of
    table 2 printing its item's label and only empty cells runs on into
    the next row's labels (「行政许可」 NBSP 「第二十条第（六）项」 …).  The
    empty cells after an item's label, up to the next label, are that
    item's cells: the row is split there."""
    out = []
    for row in rows:
        cells = row.cells
        kinds = bytes(map(_kind_of, cells))
        at = kinds.find(_EMPTY_B, 1)
        while at > 0:
            end = at
            while end < len(kinds) and kinds[end] == _EMPTY:
                end += 1
            if end < len(kinds) and kinds[end] == _LABEL and kinds[at - 1] == _LABEL and _item_of(cells[at - 1]):
                out.append(Row(cells[:end], row.first_line, row.last_line))
                cells, kinds = cells[end:], kinds[end:]
                at = kinds.find(_EMPTY_B, 1)
            else:
                at = kinds.find(_EMPTY_B, end)
        out.append(Row(cells, row.first_line, row.last_line, None, row.trailing) if cells is not row.cells else row)
    return out

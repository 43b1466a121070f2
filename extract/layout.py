"""Text -> rows of cells, for each way a table reaches us as text.

Converters flatten a table in a handful of ways; each ``rows_*`` function
turns one of them back into rows (lists of cell strings).  Where a layout has
no row boundaries at all (one cell per paragraph) rows are rebuilt from the
cells themselves: a run of label cells followed by a run of value cells.
Nothing here knows the templates; ``tables`` matches labels afterwards.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains

from .normalise import _STRIP_CHARS, is_blank, is_cut_amount, is_empty, is_value_like, strip_cell


@dataclass(slots=True)
class Row:
    cells: list[str]
    first_line: int
    last_line: int = -1
    # Space-aligned text only: the printed line, from which `edges` gives
    # each cell's right edge (in characters and in display columns, CJK
    # counting 2) to place the figures of a row whose blank cells left no
    # text.  Computed on demand: only tables with such rows need them.
    line: str | None = None
    # Tab rows only: the empty cells dropped at the line's end (see
    # rows_tabrow); a table-2 row as wide as its header's grid keeps them.
    trailing: int = 0
    # Tab and pipe rows: the empty cells before the first (tab rows strip
    # the leading tabs with the line); -1 where a layout keeps no positions.
    leading: int = -1

    @property
    def edges(self) -> list[tuple[int, int]] | None:
        if self.line is None:
            return None
        edges, end, width = [], 0, 0
        for m in _CELL_RE.finditer(self.line):
            width += display_width(self.line[end:m.end()])
            end = m.end()
            edges.append((end, width))
        return edges

    @property
    def spans(self) -> list[tuple[int, int]] | None:
        """Space-aligned text only: each cell's (left, right) in display columns."""
        if self.line is None:
            return None
        spans = []
        for m in _CELL_RE.finditer(self.line):
            left = display_width(self.line[:m.start()])
            spans.append((left, left + display_width(m.group())))
        return spans


_PIPE_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A gap between space-aligned cells: an ideographic space, a tab, or two
# spaces or NBSPs.  Layout detection only asks whether a line holds one, so
# the pattern is the gap's shortest forms: their first characters make a
# set the regex engine scans for in C (a pattern for the whole gap,
# ``(?:\u3000| {2,}|\u00a0{2,}| ?\t ?)+``, was tried at every character:
# 2.5-3x slower over the corpus's lines, with the same answer on each).
_GAP_RE = re.compile("[\u3000\t]|  |\u00a0\u00a0")
_PAGE_NUMBER_RE = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$")


# A line whose tabs separate cells: two tabs or more, or one tab with text
# on both sides (a tab that only leads or ends a line indents or trails).
_INNER_TAB_LINE_RE = re.compile(r"[^\t]*\t[^\t]*\t|[^\t]+\t[^\t]")
# A separator with the whitespace around it, so that one C-level split
# yields stripped cells (the separator itself is not whitespace to strip).
_CELL_SPACE = "".join(c for c in _STRIP_CHARS if c != "\t")
_TAB_SPLIT_RE = re.compile(f"[{_CELL_SPACE}]*\t[{_CELL_SPACE}]*")


def strip_lines(lines: list[str]) -> list[str]:
    """Every line as strip_cell leaves it, in one pass: layout detection and
    the row readers both need them, and a report has ~180 lines."""
    return list(map(str.strip, lines, repeat(_STRIP_CHARS)))


def detect_layout(lines: list[str], stripped: list[str] | None = None) -> str:
    """Name the layout of a table region: pipe, tabrow, tabcell, spaced, paragraph.

    Lines are counted by C-level map/sum over the region (three regions a
    report, every report), not by a Python loop per line."""
    if stripped is None:
        stripped = strip_lines(lines)
    content = list(compress(lines, stripped))      # lines with text
    if not content:
        return "paragraph"
    n = len(content)
    # Most regions hold no pipe or no tab at all: one scan of the joined
    # text then spares the per-line counts.
    joined = "\n".join(content)
    if "|" in joined and sum(map(contains, content, repeat("|"))) >= max(1, n * 0.3):
        return "pipe"
    if "\t" in joined:
        if sum(map(bool, map(_INNER_TAB_LINE_RE.match, content))) >= max(1, n * 0.3):
            return "tabrow"
        tab_led = joined.count("\n\t") + joined.startswith("\t")
        if tab_led >= max(3, n * 0.4):
            return "tabcell"
    # A gap inside the stripped line splits it into two cells or more.
    spaced = sum(map(bool, map(_GAP_RE.search, filter(None, stripped))))
    if spaced >= max(2, n * 0.3):
        return "spaced"
    return "paragraph"


def to_rows(lines: list[str], offset: int = 0, layout: str | None = None,
            stripped: list[str] | None = None) -> tuple[str, list[Row]]:
    if stripped is None:
        stripped = strip_lines(lines)
    layout = layout or detect_layout(lines, stripped)
    fn = {
        "pipe": rows_pipe,
        "tabrow": rows_tabrow,
        "tabcell": rows_tabcell,
        "spaced": rows_spaced,
        "paragraph": rows_paragraph,
    }[layout]
    return layout, fn(lines, offset, stripped)


def rows_pipe(lines: list[str], offset: int = 0, stripped: list[str] | None = None) -> list[Row]:
    """`a | b | c |` rows, with or without outer pipes; Markdown `|---|` skipped."""
    rows = []
    stripped = stripped or strip_lines(lines)
    # Rows drawn without a left border (「信息内容 | 本年新 |」): a line that
    # starts with a pipe there opens with an empty cell (the one under
    # 「信息内容」 on a header's second line), not with a border.
    opening = [line.strip().startswith("|") for line in lines if "|" in line]
    bordered = 2 * sum(opening) >= len(opening)
    for i, (line, text) in enumerate(zip(lines, stripped)):
        if not text or _PIPE_SEPARATOR_RE.match(line):
            continue
        body = line.strip()
        if body.startswith("|") and bordered:
            body = body[1:]
        if body.endswith("|"):
            body = body[:-1]     # the closing pipe ends the row; it opens no cell
        # split at the pipes, each cell stripped (a C split and strips, not
        # a regex split that eats the spaces around each pipe)
        cells = list(map(str.strip, body.split("|"), repeat(_STRIP_CHARS)))
        rows.append(Row(cells, offset + i, offset + i, None, 0, 0))
    return rows


def rows_tabrow(lines: list[str], offset: int = 0, stripped: list[str] | None = None) -> list[Row]:
    """One row per line, cells separated by tabs (merged cells left empty).

    Trailing empty cells are dropped: converters end rows with stray tabs,
    so an empty last cell cannot be told from one that is not there, and
    reading it as a blank figure would shift a row that lost a cell."""
    rows = []
    split = _TAB_SPLIT_RE.split
    for i, (line, text) in enumerate(zip(lines, stripped or strip_lines(lines))):
        if not text:
            continue
        cells = split(text)
        n = len(cells)
        while len(cells) > 1 and not cells[-1]:
            cells.pop()
        # the tabs the line ends with (stripped with the line) open empty cells too
        if line[-1:] != text[-1:]:
            n += line[len(line.rstrip(_STRIP_CHARS)):].count("\t")
        leading = line[:len(line) - len(line.lstrip(_STRIP_CHARS))].count("\t") if line[:1] != text[:1] else 0
        rows.append(Row(cells, offset + i, offset + i, None, n - len(cells), leading))
    return rows


def rows_tabcell(lines: list[str], offset: int = 0, stripped: list[str] | None = None) -> list[Row]:
    """One cell per line, each cell led by a tab; a blank line before a
    tab-led line ends the row.  An untabbed line continues the cell before it
    (a wrapped header such as 「本年新\\n\\n公开数量」)."""
    rows: list[Row] = []
    current: Row | None = None
    saw_blank = False
    for i, (line, text) in enumerate(zip(lines, stripped or strip_lines(lines))):
        tab_led = line.startswith("\t")
        if not text and not tab_led:
            saw_blank = True
            continue
        if tab_led:
            if current is None or saw_blank:
                current = Row([], offset + i)
                rows.append(current)
            current.cells.append(text)
        elif current is not None and current.cells and not is_value_like(current.cells[-1]):
            # (a figure is never continued: text after one starts a row)
            current.cells[-1] += text
        else:
            current = Row([text], offset + i)
            rows.append(current)
        current.last_line = offset + i
        saw_blank = False
    return rows


def rows_paragraph(lines: list[str], offset: int = 0, stripped: list[str] | None = None) -> list[Row]:
    """One cell per paragraph, paragraphs separated by blank lines; lines
    that follow each other without a blank belong to one wrapped cell.  A
    line of only NBSP is an empty cell, not a separator."""
    cells: list[tuple[str, int, int]] = []
    open_cell = False
    last = len(lines) - 1
    for i, (line, text) in enumerate(zip(lines, stripped or strip_lines(lines))):
        if not line.strip() and "\u00a0" not in line and "\u3000" not in line and not (
                # spaces alone between two separators: an empty cell whose
                # NBSP an encoding without one (GBK) turned into a space
                line and 0 < i < last and not lines[i - 1] and not lines[i + 1]):
            open_cell = False
            continue
        if open_cell and text and cells[-1][0] and not is_value_like(text) and not is_value_like(cells[-1][0]):
            s, first, _ = cells[-1]
            cells[-1] = (s + text, first, offset + i)
        else:
            cells.append((text, offset + i, offset + i))
        open_cell = bool(text)
    return rebuild_rows(cells)


def rebuild_rows(cells: list[tuple[str, int, int]]) -> list[Row]:
    """Rows from a flat cell stream: label cells, then the value cells that
    follow them.  A label after a value starts a new row."""
    rows: list[Row] = []
    current: Row | None = None
    in_values = False
    for text, first, last in cells:
        value = is_value_like(text)
        if current is None or (not value and in_values):
            current = Row([], first)
            rows.append(current)
            in_values = False
        current.cells.append(text)
        current.last_line = last
        in_values = in_values or (value and bool(text))
    return rows


def rows_spaced(lines: list[str], offset: int = 0, stripped: list[str] | None = None) -> list[Row]:
    """Space-aligned text (pdftotext -layout): cells separated by two or more
    spaces.  A line with no value cells directly above or below a row that has
    them is a wrapped label: it is joined to that row's label.  Page numbers
    and repeated headers between page breaks are dropped."""
    raw_rows: list[Row] = []
    for i, (line, text) in enumerate(zip(lines, stripped or strip_lines(lines))):
        if not text:     # form feeds are stripped too: a page break alone is blank
            continue
        first = text[0]     # a page number starts with a dash, 第 or a digit
        if (first in _PAGE_NUMBER_FIRST or first.isdecimal() or first.isspace()) and _PAGE_NUMBER_RE.match(line) \
                and not _ends_cut_amount(raw_rows, lines, offset, i) and not _figure_beside_figures(raw_rows, lines, offset, i) \
                and not _under_figure_past_page_break(raw_rows, lines, offset, i):
            continue
        line = line.replace("\f", "")
        cells = _CELL_RE.findall(line)
        if _ZERO_WIDTH_RE.search(line):
            # \S matches zero-width characters: strip them as strip_cell does
            cells = [strip_cell(c) for c in cells]
        raw_rows.append(Row(cells, offset + i, offset + i, line))
    return raw_rows


def _ends_cut_amount(raw_rows: list[Row], lines: list[str], offset: int, i: int) -> bool:
    """A line of digits alone right below an amount cut after its decimal
    point (「２５２３３．」 over 「１９」), no page break after it: the
    amount's end, not a page number."""
    if not raw_rows or offset + i - raw_rows[-1].last_line > 2 or not raw_rows[-1].cells:
        return False
    if any("\f" in ln for ln in lines[i:i + 3]):
        return False
    prev = raw_rows[-1]
    if is_cut_amount(prev.cells[-1]):
        return True
    # digits under the last figure of the row above (「３３５５．１」 over
    # 「８」), or under an amount cut after its decimal point that a filler
    # follows (「３５９４６．」 「——」 over 「０３」): its end; read as a page
    # number, the figure above would be cut
    if prev.line is None:
        return False
    m = _CELL_RE.search(lines[i])
    if not m:
        return False
    here = display_width(lines[i][:m.start()])
    there = here + display_width(m.group())
    # the row's last figure: its last cell, or the last before fillers
    # (「６４００００」 「——」 over 「００」)
    last_figure = len(prev.cells) - 1
    while last_figure > 0 and is_blank(prev.cells[last_figure]) and not is_empty(prev.cells[last_figure]):
        last_figure -= 1
    return any(left < there and here < right and (
        j == last_figure and is_value_like(prev.cells[j]) or is_cut_amount(prev.cells[j]))
        for j, (left, right) in enumerate(prev.spans))


def _figure_beside_figures(raw_rows: list[Row], lines: list[str], offset: int, i: int) -> bool:
    """A number alone on a line right below or above a row of figures, no
    page break within three lines: a figure of a row printed a line lower
    or higher than the others (a cell centred beside a wrapped one), not a
    page number (pdftotext ends each page with a form feed).  Dropped, it
    would leave that row short, its other figures placed by columns."""
    if not lines[i].strip().isdecimal():
        return False
    if any("\f" in ln for ln in lines[max(i - 3, 0):i + 4]):
        return False
    if raw_rows and offset + i - raw_rows[-1].last_line <= 2 and len(raw_rows[-1].cells) > 1 \
            and is_value_like(raw_rows[-1].cells[-1]):
        return True
    for ln in lines[i + 1:i + 3]:
        cells = _CELL_RE.findall(ln)
        if cells:
            return len(cells) > 1 and is_value_like(cells[-1]) and not is_value_like(cells[0])
    return False


def _under_figure_past_page_break(raw_rows: list[Row], lines: list[str], offset: int, i: int) -> bool:
    """Digits alone on a page's first line, under a figure of the row that
    ended the page before: the figure's end, cut by the page break, or a
    page number at the page's head.  Kept as a row, so that the table
    reader holds the row above doubtful rather than read a figure cut short."""
    if not raw_rows or raw_rows[-1].line is None:
        return False
    prev = raw_rows[-1]
    between = lines[prev.last_line - offset + 1:i]
    if not any("\f" in ln for ln in between) or any("\f" in ln for ln in lines[i + 1:i + 3]):
        return False
    if not any(_PAGE_NUMBER_RE.match(ln) or "\f" in ln for ln in between if ln.strip()):
        return False
    m = _CELL_RE.search(lines[i])
    if not m or not (is_value_like(prev.cells[-1]) or is_cut_amount(prev.cells[-1])):
        return False
    here = display_width(lines[i][:m.start()])
    there = here + display_width(m.group())
    # (an amount cut after its decimal point, 「１８２７１．」, is no figure
    # read alone, but the digits under it are its end all the same)
    return any(left < there and here < right and (is_value_like(cell) or is_cut_amount(cell))
               for cell, (left, right) in zip(prev.cells, prev.spans))


# A space-aligned cell: text with single spaces inside, ended by a gap or the line end.
_CELL_RE = re.compile(r"\S(?: ?\S)*")
# Characters strip_cell strips that are not whitespace to \S.
_ZERO_WIDTH_RE = re.compile("[" + "".join(c for c in _STRIP_CHARS if not c.isspace()) + "]")
_PAGE_NUMBER_FIRST = "-—–第"


def _wide_ranges() -> str:
    """A regex class of the Basic Multilingual Plane's wide and full-width
    characters (East Asian Width W or F), built once from unicodedata."""
    ranges, start = [], None
    for cp in range(0x10000):
        wide = unicodedata.east_asian_width(chr(cp)) in "WF"
        if wide and start is None:
            start = cp
        elif not wide and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
            start = None
    if start is not None:
        ranges.append(f"{re.escape(chr(start))}-\\uffff")
    return "".join(ranges)


_WIDE_BMP_RE = re.compile(f"[{_wide_ranges()}]")
_ASTRAL_RE = re.compile("[\U00010000-\U0010FFFF]")


def display_width(text: str) -> int:
    """Display columns of text: wide and full-width characters count 2.
    One regex pass, not a Python loop per character: the width of every
    cell edge of every space-aligned line is computed."""
    if text.isascii():
        return len(text)
    width = len(text) + len(_WIDE_BMP_RE.findall(text))
    for ch in _ASTRAL_RE.findall(text):     # rare: CJK extensions, emoji
        width += unicodedata.east_asian_width(ch) in "WF"
    return width

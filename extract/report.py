"""Decoded text -> one report's metadata, sections and raw tables."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, compress

from . import grid, tables
from .document import Document, Paragraph
from .markdown import looks_like_markdown, read_markdown
from .layout import _PAGE_NUMBER_RE, strip_lines, to_rows
from .patterns import REVIEW_RE
from .normalise import label_key, memoised, squash, strip_cell
from .notes import BOTH_TEMPLATES, MIXED_TEMPLATE, Note
from .html import looks_like_html
from .html_doc import read_html
from .agency import METADATA_LINE_RE, clean_agency
from .templates import TEMPLATE_MARKERS, TEMPLATE_ROWS

SECTION_NUMBERS = "一二三四五六"
# A heading is only a heading if its words fit the section it would open:
# table 3 prints rows such as 「四、结转下年度继续办理」 that look like headings.
_SECTION_WORDS = {
    1: re.compile(r"总体|概述|基本情况|工作情况"),
    2: re.compile(r"主动公开"),
    3: re.compile(r"申请"),
    4: REVIEW_RE,
    5: re.compile(r"问题|改进|整改|不足"),
    6: re.compile(r"其他|其它"),
}


# a table-3 row of seven figures printed with fewer separators than cells
# (a crawler's text of the page joined the cells: 「申请数量21710000218」)
_RUN_TOGETHER = re.compile(r"(?:申请数量|继续办理|总计)\s?((?:\d\s?){7,})")


def _cells_run_together(text: str) -> str | None:
    """The first table-3 row whose seven figures run together, as printed."""
    for m in _RUN_TOGETHER.finditer(text):
        if len(m.group(1).split()) < 7:
            return m.group(0).strip()
    return None


class NotAReport(ValueError):
    """Text that holds none of the report's tables.  ``code``: truncated (it
    speaks of disclosure but its tables are missing), broken_document (its
    tables lost their cell separators) or not_a_report."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class Section:
    number: int
    title: str
    first_line: int      # the heading's line
    end_line: int        # exclusive


@dataclass(slots=True)
class ReportExtraction:
    template: str | None
    year: int | None
    agency: str | None
    layout: str
    requests: dict | None            # row key -> 7 raw cells; None: table not found
    review: dict | None              # proceeding -> 5 raw cells
    active: dict | None              # (article, item) -> raw cells in template metric order
    money_units: dict
    sections: list[tuple[int, str, str]]
    notes: list[Note] = field(default_factory=list)   # extract.notes
    format: str = "text"
    head: str = ""                   # the lines above section 一 (title, agency, opening sentence)


def unify_newlines(text: str) -> str:
    # CRLF and lone CR both end a line.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# A section heading (「三、收到和处理…」): a line whose number comes after
# nothing but spaces.  Matched over the whole text from the newline that
# starts the line: the engine searches for that one character in C, where a
# line-start anchor or a leading class of numerals is tried at every
# character.  No whitespace class may cross a line end.  The first line,
# which no newline starts, is matched on its own: prefixing the text with a
# newline copied every report's whole text.
_HEADING_BODY = r"[^\S\n]*([一二三四五六])[^\S\n]*[、.．][^\S\n]*(\S.*)$"
_HEADING_RE = re.compile(r"\n" + _HEADING_BODY, re.M)
_FIRST_LINE_HEADING_RE = re.compile(_HEADING_BODY, re.M)


def _heading_candidates(text: str):
    """(line index, line, match) of every line shaped like a section heading
    (its number after nothing but spaces, then 、 or a dot), found by one
    regex pass over the text rather than one match call per line."""
    first = _FIRST_LINE_HEADING_RE.match(text)
    if first:
        yield 0, text[:first.end()], first
    newlines, pos = 0, 0        # newlines in text[:pos]
    for m in _HEADING_RE.finditer(text):
        start = m.start() + 1   # the line's first character
        newlines += text.count("\n", pos, start)
        pos = start
        yield newlines, text[start:m.end()], m


def find_sections(lines: list[str], text: str) -> list[Section]:
    """The numbered sections 一…六; text is the lines joined by newlines."""
    found: list[Section] = []
    for i, line, m in _heading_candidates(text):
        if len(strip_cell(line)) > 60 or "|" in line or line.count("\t") > 1:
            continue
        number = SECTION_NUMBERS.index(m[1]) + 1
        if found and number <= found[-1].number:
            continue
        if not _SECTION_WORDS[number].search(m[2]):
            continue
        if found:
            found[-1].end_line = i
        found.append(Section(number, strip_cell(line), i, len(lines)))
    return found


def find_year(text: str, head: list[str], title: str | None) -> int | None:
    """The year the report covers: from its title, its statistics period, a
    「2020年度…年度报告」 phrase, or the year the opening prose names most."""
    if title:
        m = re.search(r"(20\d\d)\s*年", title)
        if m:
            return int(m[1])
    flat = squash(text)
    m = re.search(r"(?:统计期限?|统计时限|统计期间|统计周期)[^。\n]{0,8}?(20\d\d)年1月1日", flat)
    if m:
        return int(m[1])
    m = re.search(r"(20\d\d)年1月1日(?:起)?至(20\d\d)年12月31日", flat)
    if m and m[1] == m[2]:
        return int(m[1])
    m = re.search(r"(20\d\d)年度?(?:政府信息公开|政务公开)(?:工作)?年度报告", flat)
    if m:
        return int(m[1])
    counts = Counter(int(y) for y in re.findall(r"(20\d\d)年", squash("\n".join(head))))
    if counts:
        (best, n), *rest = counts.most_common(2) + [(None, 0)]
        if n > rest[0][1]:
            return best
    return None


_TITLE_RE = re.compile(r"^(?P<agency>.*?)(?:关于)?(?:(?P<year>20\d\d)\s*年度?)?(?:政府信息公开|政务公开)(?:工作)?(?:年度报告|年报)")
# The opening sentence: 「本报告由XX根据…编制」, 「现将XX2020年政府信息公开工作年度报告…」.
_AGENCY_BY_RE = re.compile(r"本报告(?:是)?由(?P<agency>[^，,。（(根依按]{2,40}?)(?:根据|依据|按照|依照|编制|制作)"
                           r"|现(?:将|公布)(?P<agency2>[^，,。（(]{2,40}?)(?:20\d\d)年度?(?:政府信息公开|政务公开)")
# A portal's breadcrumb, which may end in the report's own title.
_CHROME_RE = re.compile(r"当前位置|您的位置|您现在的位置|首页\s*[>＞»]|[>＞»]\s*政府信息公开")
# A date line under a signature: 「2021年1月20日」.
_DATE_LINE_RE = re.compile(r"^20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


def find_title_and_agency(lines: list[str], stripped: list[str], first_section: int) -> tuple[str | None, str | None]:
    """The report's title and the body that reports, looked for in this
    order: the title (or a name printed on its own line right above it, or
    right below it, in brackets or not), the opening sentence, the signature.  The
    name is kept as printed, with only what surrounds it stripped; a
    candidate that is not shaped like a body's name is passed over: no
    name is better than a fragment.  stripped: the lines as strip_lines
    leaves them."""
    head = [(i, text) for i, text in enumerate(stripped[:first_section]) if text][:12]
    title = agency = None
    for pos, (i, line) in enumerate(head):
        if len(line) > 60 or _CHROME_RE.search(line):
            continue
        below_at = pos + 1        # the line below the title
        m = _TITLE_RE.match(squash(line))
        if not m and pos + 1 < len(head):
            # a title wrapped over two lines (「2025 年上海市人民政府办公厅政府信息公开」 /
            # 「工作年度报告」): the second line holds only the title's own words
            second = head[pos + 1][1]
            joined = squash(line + second)
            m = _TITLE_RE.match(joined)
            if m and (m.end() < len(joined) or len(joined) > 60
                      or len(joined) - len(squash(second)) < m.end("agency")):
                m = None
            if m:
                line, below_at = line + second, pos + 2
        if not m:
            continue
        title = line
        agency = clean_agency(m["agency"])
        if not agency and below_at < len(head):
            below = head[below_at][1]
            pm = re.fullmatch(r"[（(](.{2,40})[)）]", below)
            if pm:
                agency = clean_agency(pm[1])
            elif len(below) <= 30 and not METADATA_LINE_RE.match(below) and not re.search(r"[《》“”]|报告|根据|依据", below):
                # a subtitle line holding the name alone, unbracketed
                agency = clean_agency(below)
        if not agency and pos > 0 and not METADATA_LINE_RE.match(head[pos - 1][1]):
            agency = clean_agency(head[pos - 1][1])
        if not agency and below_at < len(head) and len(head[below_at][1]) <= 30 \
                and not METADATA_LINE_RE.match(head[below_at][1]):
            # a subtitle naming the body without brackets (「淮安区政府办公室」)
            agency = clean_agency(head[below_at][1])
        break
    if not agency:
        m = _AGENCY_BY_RE.search(squash("\n".join(ln for ln in lines[: first_section + 3])))
        if m:
            agency = clean_agency(m["agency"] or m["agency2"])
    if not agency:
        agency = _signature(stripped)
    return title, agency


def _signature(stripped: list[str]) -> str | None:
    """The name signed above the closing date, among the last lines."""
    # (a page break may fall between the name and the date: page numbers
    # are no lines of the text)
    tail = [text for text in stripped[-16:] if text and not _PAGE_NUMBER_RE.match(text)][-12:]
    for name, date in zip(tail, tail[1:]):
        if _DATE_LINE_RE.match(squash(date)):
            found = clean_agency(name)
            if found:
                return found
    return None


# A cell's template marks packed in one int, a field of _MARK_BITS bits per
# template, so that a table's marks add up in one C-level sum(); a field
# cannot overflow: a report has far fewer than 2**32 cells.
_MARK_BITS = 32
_MARK_FIELD = (1 << _MARK_BITS) - 1


@memoised(1 << 16)
def _template_marks(cell: str) -> int:
    """Bit field i set when the cell prints the labels of template i (TEMPLATE_MARKERS order)."""
    if cell.isascii():
        return 0        # a figure: the markers are Chinese words (and label_key keeps ASCII ASCII)
    key = label_key(cell)
    return sum(1 << (_MARK_BITS * i) for i, p in enumerate(TEMPLATE_MARKERS.values()) if p.search(key))


def detect_template(table2_cells, request_rows: set[str], year: int | None = None) -> tuple[str | None, list[Note]]:
    """Which template the tables follow, from labels only one template
    prints (table 2's cells, table 3's rows).  table2_cells: any iterable.

    Table 2 decides; table 3 differs between the templates only in its
    （六） rows.  When no table 2 is read and those rows are the other
    template's than the report's year uses (a body that kept its old table
    3, its table 2 missing), the year's template is taken, as the templates
    are defined by year, and the rows it lacks are noted."""
    total = sum(map(_template_marks, table2_cells))
    marks = [(total >> (_MARK_BITS * i)) & _MARK_FIELD for i in range(len(TEMPLATE_MARKERS))]
    votes = {t: n + sum(2 for r in TEMPLATE_ROWS[t] if r in request_rows)
             for (t, n) in zip(TEMPLATE_MARKERS, marks)}
    if year is not None and not any(marks):
        by_year = "2021" if year >= 2021 else "2019"
        voted = [t for t, v in votes.items() if v]
        if voted and voted != [by_year]:
            printed = [r for t in voted for r in TEMPLATE_ROWS[t] if r in request_rows]
            absent = [r for r in TEMPLATE_ROWS[by_year] if r not in request_rows]
            return by_year, [Note("template", None, MIXED_TEMPLATE,
                                  f"no table 2 read; the report's year ({year}) uses the {by_year} template, "
                                  f"table 3 prints the other template's row{'s' * (len(printed) > 1)} "
                                  f"{', '.join(printed)}" + (f" instead of {', '.join(absent)}" if absent else ""))]
    if votes["2019"] and votes["2021"]:
        in_table2 = [t for t, n in zip(TEMPLATE_MARKERS, marks) if n]
        if len(in_table2) == 1:
            # table 2 (the template's redesigned table) of one template, table
            # 3's （六） printed as the other prints it: a body that kept its
            # old table 3.  Read by table 2's template; its own rows （六）
            # missing from table 3 leave the report incomplete (invalid),
            # the rows it does print are kept
            template = in_table2[0]
            other = next(t for t in TEMPLATE_ROWS if t != template)
            printed = [r for r in TEMPLATE_ROWS[other] if r in request_rows]
            absent = [r for r in TEMPLATE_ROWS[template] if r not in request_rows]
            return template, [Note("template", None, MIXED_TEMPLATE,
                                   f"table 2 follows the {template} template, table 3 prints the {other} "
                                   f"template's row{'s' * (len(printed) > 1)} {', '.join(printed)}"
                                   + (f" instead of {', '.join(absent)}" if absent else ""))]
        return None, [Note("template", None, BOTH_TEMPLATES,
                           f"labels of both templates ({votes['2019']} for 2019, {votes['2021']} for 2021)")]
    for t, v in votes.items():
        if v:
            return t, []
    return None, []


_HTML_TABLE_RE = re.compile(r"<\s*(?:table|td|tr|html|body)\b", re.I)


def text_document(text: str) -> Document:
    """A decoded text file as a Document: HTML and Markdown by their own
    readers, anything else as text for the layout readers."""
    if looks_like_html(text) and not (looks_like_markdown(text) and not _HTML_TABLE_RE.search(text)):
        # (Markdown may hold a <br> in its cells: it stays Markdown while
        # its tables are pipe tables)
        return read_html(text)
    text = unify_newlines(text)
    if looks_like_markdown(text):
        return read_markdown(text)
    return Document("text", text=text)


def extract_report(text: str) -> ReportExtraction:
    """extract_document of a decoded text file."""
    return extract_document(text_document(text))


def _document_lines(doc: Document) -> tuple[list[str], list[bool]]:
    """The document as lines, and which of them are table rows."""
    if doc.text is not None:
        lines = unify_newlines(doc.text).split("\n")
        return lines, [False] * len(lines)
    lines: list[str] = []
    in_table: list[bool] = []
    for block in doc.body:
        if isinstance(block, Paragraph):
            part = unify_newlines(block.text).split("\n")
            lines.extend(part)
            in_table.extend([False] * len(part))
        else:
            rows = ["\t".join(cells) for cells in block.rows_text()]
            lines.extend(rows)
            in_table.extend([True] * len(rows))
    return lines, in_table


# A cell separator inside a stripped text line: a tab, a pipe, a gap of two
# spaces (pdftotext -layout).  A sentence is printed without one.
_CELL_SEPARATOR_RE = re.compile(r"[\t|]|[ \u00a0\u3000]{2,}")
_SENTENCE_END_RE = re.compile(r"[。！？!?；;]$")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def sentence_lines(stripped: list[str], first: int, last: int) -> list[int]:
    """The lines from first to last (a table's span in text) that are prose,
    not table: a paragraph before, after or between the table's rows (「本年度
    共收到政府信息公开申请37件。」 above table 3, a sentence on 行政复议 above
    table 4, whose words make it look like a header).  A paragraph is a run
    of lines with text and no cell separator, up to a line that ends a
    sentence (。！？；): table cells do not end so, and a paragraph wrapped by
    pdftotext is one run, ended by its 。 (lines after the last 。, such as
    the heading 「（一）行政复议」 of the table below, are not prose)."""
    out: list[int] = []
    run: list[int] = []
    for i in range(first, last + 2):
        text = stripped[i] if i <= last else ""
        if text and not _CELL_SEPARATOR_RE.search(text):
            run.append(i)
            if not _SENTENCE_END_RE.search(text):
                continue
            if len(_CJK_RE.findall("".join(stripped[j] for j in run))) >= 8:
                out.extend(run)
        run = []
    return out


def extract_document(doc: Document) -> ReportExtraction:
    """One report's metadata, sections and raw tables, from any reader's
    document: tables that come as grids are read by grid.read_*, the others
    (text files, pages without a grid) by the text layouts."""
    lines, in_table = _document_lines(doc)
    text = "\n".join(lines)
    sections = find_sections(lines, text)
    by_number = {s.number: s for s in sections}
    whole = (0, len(lines))

    def region(n: int) -> tuple[int, int]:
        s = by_number.get(n)
        return (s.first_line + 1, s.end_line) if s else whole

    stripped = strip_lines(lines)
    text_rows: dict[int, tuple] = {}

    def read_text_rows(n: int) -> tuple:
        """Section n's lines as (layout, rows) of the text layouts: read only
        where a table has no grid to be read from."""
        if n not in text_rows:
            a, b = region(n)
            text_rows[n] = to_rows(lines[a:b], a, stripped=stripped[a:b])
        return text_rows[n]

    def rows_of(n: int):
        return read_text_rows(n)[1]

    grids = bool(doc.tables)
    analysed = grid.analyse(doc) if grids else None
    requests = grid.read_requests(doc, analysed) if grids else None
    if requests is None or not requests.found:
        requests = tables.extract_requests(rows_of(3))
    table2_cells = grid.table_cells_text(doc, "active", analysed) if grids else []
    if not table2_cells:
        table2_cells = filter(None, chain.from_iterable(row.cells for row in rows_of(2)))
    first_section = sections[0].first_line if sections else min(len(lines), 10)
    title, agency = find_title_and_agency(lines, stripped, first_section)
    head_end = by_number[2].first_line if 2 in by_number else min(len(lines), 40)
    year = find_year(text, lines[:head_end], title)
    template, notes = detect_template(table2_cells, set(requests.cells), year)
    active = grid.read_active(doc, template, analysed) if grids else None
    if active is None or not active.found:
        active = tables.extract_active(rows_of(2), template)
    review = grid.read_review(doc, analysed) if grids else None
    if review is None or not review.found:
        review = tables.extract_review(rows_of(4))
    notes += doc.notes + active.notes + requests.notes + review.notes

    if not (active.found or requests.found or review.found):
        glued = _cells_run_together(text)
        if glued:
            raise NotAReport(f"tables printed without cell separators: the figures run together "
                             f"(「{glued}」) and cannot be told apart; read the report's original "
                             f"PDF, DOCX or web page instead", "broken_document")
        if re.search(r"政府信息公开|政务公开", text):
            raise NotAReport("no disclosure tables found (truncated or tables missing)", "truncated")
        raise NotAReport("not a government information disclosure annual report", "not_a_report")

    prose = [not t for t in in_table]       # lines outside the tables
    for t in (active, requests, review):
        if t.found and t.first_line is not None:
            first, last = t.first_line, min(t.last_line, len(lines) - 1)
            if first <= last:
                prose[first:last + 1] = [False] * (last + 1 - first)
                for i in sentence_lines(stripped, first, last):
                    prose[i] = not in_table[i]
    section_rows = []
    for s in sections:
        body = compress(stripped[s.first_line + 1:s.end_line], prose[s.first_line + 1:s.end_line])
        section_rows.append((s.number, s.title, "\n".join(filter(None, body))))

    return ReportExtraction(
        template=template,
        year=year,
        agency=agency,
        layout=doc.format if grids else read_text_rows(3)[0],
        requests=requests.cells if requests.found else None,
        review=review.cells if review.found else None,
        active=active.cells if active.found else None,
        money_units=active.extra["money_units"],
        sections=section_rows,
        notes=notes,
        format=doc.format,
        head="\n".join(filter(None, stripped[:min(first_section, 40)])),
    )

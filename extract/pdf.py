"""PDF -> Document, with pypdfium2 only.

Text comes from pdfium's text page: on a page without ruled lines, its text
in pdfium's order, one Paragraph per line.  On a page with rules, the rules
(stroked line segments and thin filled rectangles, the way Word and WPS draw
cell borders) are merged into horizontal and vertical segments, grouped
into tables (connected rules), and each table's grid is the set of distinct
rule positions.  A cell spans every grid boundary that no rule covers.
Every character goes to the cell holding its centre; the remaining
characters make the page's paragraphs, and each table is placed in the body
before the first line below its top.

A table continued on the next page is a separate Table (Table.page says
where); the consumer joins them.  Shading (large filled rectangles) is not
a rule.  Pages whose figures are aligned by position only (no rules) give
paragraphs only.
"""
from __future__ import annotations

import ctypes
import re
from bisect import bisect_right

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .document import Cell, Document, DocumentError, Paragraph, Table
from .notes import FONT_MISSING, Note

__all__ = ["read_pdf"]

THIN = 3.0        # a filled shape thinner than this (pt) is a rule, not shading
SNAP = 2.0        # rule positions closer than this are the same grid line
JOIN = 2.5        # collinear segments with a gap up to this are one rule
COVER = 0.5       # a boundary is drawn when rules cover this share of it
_NEWLINES = "\r\n"


# ---------------------------------------------------------------- errors
def _open(data: bytes) -> pdfium.PdfDocument:
    if b"%PDF" not in data[:1024]:
        raise DocumentError("broken_document", "broken PDF: no %PDF header")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if e.err_code == raw.FPDF_ERR_PASSWORD:
            raise DocumentError("encrypted", "encrypted PDF: a password is needed to open it") from None
        if e.err_code == raw.FPDF_ERR_SECURITY:
            raise DocumentError("encrypted", "encrypted PDF: unsupported security handler") from None
        raise DocumentError("broken_document", f"broken PDF: {e}") from None


# ---------------------------------------------------------------- rules
_L, _B, _R, _T = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
_BOUNDS = (ctypes.byref(_L), ctypes.byref(_B), ctypes.byref(_R), ctypes.byref(_T))


def _view(pg):
    """user space (x, y) -> the page as shown, top-down: (X, Y) after the
    crop box and /Rotate (clockwise, as viewers show it)."""
    left, bottom, right, top = pg.get_cropbox()
    rot = pg.get_rotation() % 360
    if rot == 90:
        return lambda x, y: (y - bottom, x - left)
    if rot == 180:
        return lambda x, y: (right - x, y - bottom)
    if rot == 270:
        return lambda x, y: (top - y, right - x)
    return lambda x, y: (x - left, top - y)


def _page_rules(pg, view) -> tuple[list, list]:
    """Rules of a page's path objects (top level; Word/WPS put no borders
    in form XObjects), as shown: hs as (Y, X0, X1), vs as (X, Y0, Y1)."""
    segs: list = []
    page = pg.raw
    get_obj, get_type = raw.FPDFPage_GetObject, raw.FPDFPageObj_GetType
    path = raw.FPDF_PAGEOBJ_PATH
    for i in range(raw.FPDFPage_CountObjects(page)):
        obj = get_obj(page, i)
        if get_type(obj) == path:
            _path_rules(obj, segs)
    hs: list = []
    vs: list = []
    for xa, ya, xb, yb in segs:
        xa, ya = view(xa, ya)
        xb, yb = view(xb, yb)
        if abs(ya - yb) < abs(xa - xb):
            hs.append(((ya + yb) / 2, min(xa, xb), max(xa, xb)))
        else:
            vs.append(((xa + xb) / 2, min(ya, yb), max(ya, yb)))
    return hs, vs


_L, _B, _R, _T = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
_BOUNDS = (ctypes.byref(_L), ctypes.byref(_B), ctypes.byref(_R), ctypes.byref(_T))


def _path_rules(obj, segs: list) -> None:
    """Append the rules one path object (raw handle) draws, as user-space
    segments (x0, y0, x1, y1): stroked axis-aligned lines, and thin filled
    rectangles by their centre lines.  Big fills (shading) are no rules."""
    raw.FPDFPageObj_GetBounds(obj, *_BOUNDS)
    left, bottom, right, upper = _L.value, _B.value, _R.value, _T.value
    w, h = right - left, upper - bottom
    if w <= THIN or h <= THIN:                    # one thin line or rectangle
        if w < h:
            segs.append(((left + right) / 2, bottom, (left + right) / 2, upper))
        elif w > 0:
            segs.append((left, (upper + bottom) / 2, right, (upper + bottom) / 2))
        return
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    if not stroke.value and not fill.value:
        return
    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m))
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    n = raw.FPDFPath_CountSegments(obj)
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    starts: list[tuple[float, float]] = []
    for i in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([(px, py)])
            starts.append((px, py))
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:   # curves draw no rules: break the polyline
            subpaths.append([(px, py)])
            starts.append(starts[-1])
        else:
            subpaths[-1].append((px, py))
        if raw.FPDFPathSegment_GetClose(seg):
            subpaths[-1].append(starts[-1])
    for pts in subpaths:
        if stroke.value:
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                if (abs(y0 - y1) < 0.5 and abs(x0 - x1) > 0.5) or (abs(x0 - x1) < 0.5 and abs(y0 - y1) > 0.5):
                    segs.append((x0, y0, x1, y1))
        elif len(pts) >= 3:                        # filled: thin sub-rectangles only
            xs = [p[0] for p in pts]
            ys = [p[1] for p in pts]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            if x1 - x0 <= THIN and y1 - y0 > x1 - x0:
                segs.append(((x0 + x1) / 2, y0, (x0 + x1) / 2, y1))
            elif y1 - y0 <= THIN and x1 - x0 > y1 - y0:
                segs.append((x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))


def _merge(segs: list) -> list[list]:
    """Collinear segments (pos, a, b) -> merged [pos, a, b]: positions
    within SNAP are one line; along a line, overlaps and gaps up to JOIN
    are joined."""
    out: list[list] = []
    group: list = []
    for seg in sorted(segs) + [(float("inf"), 0.0, 0.0)]:
        if group and seg[0] - group[-1][0] > SNAP:
            pos = sum(g[0] for g in group) / len(group)
            group.sort(key=lambda g: g[1])
            cur = [pos, group[0][1], group[0][2]]
            for _, a, b in group[1:]:
                if a <= cur[2] + JOIN:
                    cur[2] = max(cur[2], b)
                else:
                    out.append(cur)
                    cur = [pos, a, b]
            out.append(cur)
            group = []
        group.append(seg)
    return out


def _cluster(values: list[float]) -> list[float]:
    reps: list[list[float]] = []
    for v in sorted(values):
        if reps and v - reps[-1][-1] <= SNAP:
            reps[-1].append(v)
        else:
            reps.append([v])
    return [sum(r) / len(r) for r in reps]


def _nearest(reps: list[float], v: float) -> int:
    i = bisect_right(reps, v)
    if i == 0:
        return 0
    if i == len(reps):
        return len(reps) - 1
    return i if reps[i] - v < v - reps[i - 1] else i - 1


def _components(hs: list[list], vs: list[list]) -> list[tuple[list, list]]:
    """Group rules into tables: rules that touch are one table."""
    n = len(hs) + len(vs)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, x0, x1) in enumerate(hs):
        for j, (x, y0, y1) in enumerate(vs):
            if x0 - JOIN <= x <= x1 + JOIN and y0 - JOIN <= y <= y1 + JOIN:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list, list]] = {}
    for i, s in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(s)
    for j, s in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(s)
    return list(groups.values())


def _coverage(segs: list, a: float, b: float) -> float:
    if b <= a:
        return 1.0
    got = 0.0
    for lo, hi in segs:
        got += max(0.0, min(hi, b) - max(lo, a))
    return got / (b - a)


class _Grid:
    """One ruled table on one page: boundaries and cells."""

    def __init__(self, hs: list, vs: list, page: int):
        rows = _cluster([s[0] for s in hs] + [min(s[1] for s in vs), max(s[2] for s in vs)])
        cols = _cluster([s[0] for s in vs] + [min(s[1] for s in hs), max(s[2] for s in hs)])
        hrule: list[list] = [[] for _ in rows]
        vrule: list[list] = [[] for _ in cols]
        for y, x0, x1 in hs:
            hrule[_nearest(rows, y)].append((x0, x1))
        for x, y0, y1 in vs:
            vrule[_nearest(cols, x)].append((y0, y1))
        self.rows, self.cols, self.page = rows, cols, page
        nr, nc = len(rows) - 1, len(cols) - 1
        # a boundary piece is drawn if rules cover most of it
        vdrawn = [[_coverage(vrule[c], rows[r], rows[r + 1]) >= COVER for c in range(nc + 1)]
                  for r in range(nr)]
        hdrawn = [[_coverage(hrule[r], cols[c], cols[c + 1]) >= COVER for c in range(nc)]
                  for r in range(nr + 1)]
        owner: list[list[int]] = [[-1] * nc for _ in range(nr)]
        cells: list[Cell] = []
        for r in range(nr):
            for c in range(nc):
                if owner[r][c] >= 0:
                    continue
                cs = 1
                while c + cs < nc and not vdrawn[r][c + cs] and owner[r][c + cs] < 0:
                    cs += 1
                rs = 1
                while r + rs < nr and not any(hdrawn[r + rs][c + k] for k in range(cs)) \
                        and all(owner[r + rs][c + k] < 0 for k in range(cs)):
                    rs += 1
                idx = len(cells)
                for rr in range(r, r + rs):
                    for cc in range(c, c + cs):
                        owner[rr][cc] = idx
                cells.append(Cell("", r, c, rs, cs,
                                  (page, cols[c], rows[r], cols[c + cs], rows[r + rs])))
        self.cells, self.owner = cells, owner
        self.chars: list[list] = [[] for _ in cells]

    def take(self, ch: str, cx: float, cy: float, box: tuple) -> bool:
        rows, cols = self.rows, self.cols
        if not (rows[0] <= cy <= rows[-1] and cols[0] <= cx <= cols[-1]):
            return False
        r = min(bisect_right(rows, cy) - 1, len(rows) - 2)
        c = min(bisect_right(cols, cx) - 1, len(cols) - 2)
        self.chars[self.owner[r][c]].append((cy, cx, ch, box))
        return True

    def table(self) -> Table:
        for cell, chars in zip(self.cells, self.chars):
            cell.text = _cell_text(chars)
        return Table(self.cells, len(self.rows) - 1, len(self.cols) - 1, self.page)


def _wide(ch: str) -> bool:
    o = ord(ch)
    return o >= 0x2E80 or 0x2010 <= o <= 0x206F    # CJK, fullwidth, CJK punctuation, quotes/dashes


def _cell_text(chars: list) -> str:
    """Characters of one cell -> text: lines by centre height, left to
    right; wrapped lines joined without a space between CJK characters."""
    if not chars:
        return ""
    chars.sort(key=lambda t: t[0])
    lines: list[list] = []
    for t in chars:
        hgt = t[3][3] - t[3][1]
        if lines and t[0] - lines[-1][-1][0] <= max(hgt * 0.5, 1.5):
            lines[-1].append(t)
        else:
            lines.append([t])
    texts: list[str] = []
    for line in lines:
        line.sort(key=lambda t: t[1])
        out: list[str] = []
        prev = None
        for cy, cx, ch, box in line:
            if prev is not None and ch != " " and out and out[-1] != " ":
                gap = box[0] - prev[2]
                if gap > 0.35 * max(box[3] - box[1], 1.0) and not (_wide(ch) or _wide(out[-1])):
                    out.append(" ")
            out.append(ch)
            prev = box
        texts.append("".join(out).strip())
    text = texts[0]
    for t in texts[1:]:
        if not t:
            continue
        if text and (_wide(text[-1]) or _wide(t[0]) or text[-1] in "-/"):
            text += t
        elif text:
            text += " " + t
        else:
            text = t
    return text


# ---------------------------------------------------------------- pages
_HUGE = 60.0      # pt: no character of a report is printed this large (初号 is 42 pt)
_EXACT = (ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double())   # left, right, bottom, top
_EXACT_BOX = tuple(map(ctypes.byref, _EXACT))


def char_box(textpage, i: int, rect, ref) -> bool:
    """Character i's box into rect (ref: its pointer): pdfium's loose box
    (the font's height, so a line's characters line up), or the exact
    glyph box where the loose one is far larger than any printed
    character: some fonts (a vertical group label in a narrow Word cell)
    give the whole em square scaled by their matrix, its centre cells away
    from the glyph.  False where pdfium has no box."""
    if not raw.FPDFText_GetLooseCharBox(textpage, i, ref):
        return False
    if rect.right - rect.left > _HUGE or rect.top - rect.bottom > _HUGE:
        if not raw.FPDFText_GetCharBox(textpage, i, *_EXACT_BOX):
            return False
        rect.left, rect.right, rect.bottom, rect.top = (e.value for e in _EXACT)
    return True


def _page_text(tp) -> str:
    n = tp.count_chars()
    return tp.get_text_range(0, n) if n > 0 else ""


# Figures set apart on a line: a page that may hold a table without rules.
_FIGURES_RE = re.compile(r"\d\s{1,}\d|\S\s+\d+\s*$", re.M)


def _plain_page(text: str, page: int) -> list:
    return [Paragraph(line.strip(), page) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if line.strip()]


def _laid_out_page(tp, text: str, page: int, view) -> list:
    """A page without rules, each line laid out as pdftotext -layout does:
    characters at their horizontal position in columns of half a character,
    so that figures set in columns without borders keep their columns
    (two spaces or more between cells) for the space-aligned reader."""
    n = tp.count_chars()
    if len(text) != n:
        text = "".join(chr(raw.FPDFText_GetUnicode(tp.raw, i) or 32) for i in range(n))
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    is_gen = raw.FPDFText_IsGenerated
    chars = []
    for i in range(n):
        ch = text[i]
        if ch in _NEWLINES or ch.isspace() or is_gen(tp.raw, i) or not char_box(tp.raw, i, rect, ref):
            continue
        xa, ya = view(rect.left, rect.top)
        xb, yb = view(rect.right, rect.bottom)
        chars.append(((ya + yb) / 2, min(xa, xb), max(xa, xb), abs(yb - ya), ch))
    # lines by where the characters sit, not by the order they were drawn
    # in (a table's cells are drawn one by one, each its own text object)
    chars.sort()
    lines: list[list] = []
    for cy, x0, x1, h, ch in chars:
        if lines and cy - lines[-1][0][0] <= max(h, 1.0) * 0.5:
            lines[-1].append((cy, x0, x1, h, ch))
        else:
            lines.append([(cy, x0, x1, h, ch)])
    lines = [[(x0, x1, h, ch) for _, x0, x1, h, ch in line] for line in lines]
    heights = sorted(h for line in lines for _, _, h, _ in line if h > 0)
    size = heights[len(heights) // 2] if heights else 10.0
    unit = size / 2
    out = []
    for line in lines:
        if not line:
            continue
        line.sort()
        parts, col, prev_x1 = [], 0, None
        for x0, x1, _, ch in line:
            if prev_x1 is not None:
                gap = x0 - prev_x1
                target = int(round(x0 / unit))
                if gap > size * 0.9:
                    parts.append(" " * max(2, target - col))
                    col = max(col + 2, target)
                elif gap > size * 0.25 and not (_wide(ch) or _wide(parts[-1][-1])):
                    parts.append(" ")
                    col += 1
            parts.append(ch)
            col += 2 if _wide(ch) else 1
            prev_x1 = x1
        s = "".join(parts).rstrip()
        if s.strip():
            out.append(Paragraph(s, page))
    return out


def _ruled_page(pg, tp, text: str, index: int, hs: list, vs: list, view) -> list:
    hs, vs = _merge(hs), _merge(vs)
    grids = [g for g in (_Grid(h, v, index) for h, v in _components(hs, vs)
                         if len(_cluster([s[0] for s in h])) >= 2 and len(_cluster([s[0] for s in v])) >= 2)
             if len(g.rows) > 2 or len(g.cols) > 2]      # a lone box (frame, page border) is no table
    if not grids:
        return _plain_page(text, index)
    n = tp.count_chars()
    if len(text) != n:                           # surrogates: one char per index
        text = "".join(chr(raw.FPDFText_GetUnicode(tp.raw, i) or 32) for i in range(n))
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    is_gen = raw.FPDFText_IsGenerated
    textpage = tp.raw
    lines: list[list] = [[]]                     # [(top, char)] per pdfium line
    for i in range(n):
        ch = text[i]
        if ch in _NEWLINES:
            if lines[-1]:
                lines.append([])
            continue
        if not char_box(textpage, i, rect, ref):
            continue
        xa, ya = view(rect.left, rect.top)
        xb, yb = view(rect.right, rect.bottom)
        if xa > xb:
            xa, xb = xb, xa
        if ya > yb:
            ya, yb = yb, ya
        box = (xa, ya, xb, yb)      # x0, top, x1, bottom, as shown
        cx, cy = (xa + xb) / 2, (ya + yb) / 2
        inside = False
        if not is_gen(textpage, i):
            for g in grids:
                if g.take(ch, cx, cy, box):
                    inside = True
                    break
        else:
            for g in grids:
                if g.rows[0] <= cy <= g.rows[-1] and g.cols[0] <= cx <= g.cols[-1]:
                    inside = True
                    break
        if not inside:
            lines[-1].append((ya, ch))
    paras = []
    for line in lines:
        s = "".join(ch for _, ch in line).strip()
        if s:
            paras.append((min(tp_ for tp_, _ in line), Paragraph(s, index)))
    paras.sort(key=lambda p: round(p[0]))
    tables = sorted(grids, key=lambda g: g.rows[0])
    body: list = []
    ti = 0
    for y, para in paras:
        while ti < len(tables) and tables[ti].rows[0] <= y:
            body.append(tables[ti].table())
            ti += 1
        body.append(para)
    body.extend(g.table() for g in tables[ti:])
    return body


_GLYPH_SAMPLE = 6
_NO_GLYPHS_MESSAGE = ("characters drawn in a font that is neither embedded in the PDF nor installed here: "
                      "pdfium drops some of them (a cell or a word may be missing); install a CJK font "
                      "(Debian: fonts-noto-cjk) and run again with --full")


_GARBLED_MESSAGE = ("PDF text layer unreadable: its characters do not map to real text (a font without a "
                    "Unicode map, or UTF-8 written through a Latin font); re-export the PDF from its "
                    "source document, or OCR it")
# Characters a CJK report's text layer has no reason to hold in bulk: Latin-1
# and Latin Extended letters (UTF-8 bytes read as Latin-1: 「æ¿å」), C1
# controls, the private use area (glyph ids passed through), U+FFFD.
_GARBLE_RE = re.compile("[\u0080-\u024f\ue000-\uf8ff\ufffd]")
_CJK_RE = re.compile("[\u4e00-\u9fff]")


def text_layer_garbled(text: str) -> bool:
    """Whether a PDF's text layer is mojibake: hardly any CJK character and
    at least a third of its non-blank characters garbage.  A report in
    Chinese has CJK in nearly every line; an English or French document has
    a few accents at most, and stays "not a report"."""
    chars = len(text) - sum(text.count(ch) for ch in " \t\r\n\u3000")
    if chars < 50:
        return False
    garbage = len(_GARBLE_RE.findall(text))
    cjk = len(_CJK_RE.findall(text))
    return garbage >= chars / 3 and cjk < garbage / 20


def no_glyphs(boxes: list[tuple[float, float]]) -> bool:
    """boxes: (exact height, loose height) of a page's first CJK
    characters.  True when each exact box is a line of (next to) zero
    height: the font has no glyphs here, neither embedded nor installed."""
    return bool(boxes) and all(exact < 0.05 * loose for exact, loose in boxes)


def _glyphs_missing(tp, text: str) -> bool:
    """Whether the page's CJK characters have no glyphs.  pdfium then has
    no outline to measure, and its check for text drawn twice (fake bold)
    takes a repeated character nearby for a copy and drops it.  A few
    characters decide: a page's text is set in one or two fonts."""
    if len(text) != tp.count_chars():
        return False        # surrogate pairs shift the indices: no sample
    rect = raw.FS_RECTF()
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    boxes = []
    for i, ch in enumerate(text):
        if ch < "\u4e00" or ch > "\u9fff":
            continue
        if raw.FPDFText_GetCharBox(tp.raw, i, ctypes.byref(left), ctypes.byref(right),
                                   ctypes.byref(bottom), ctypes.byref(top)) \
                and raw.FPDFText_GetLooseCharBox(tp.raw, i, ctypes.byref(rect)):
            boxes.append((top.value - bottom.value, abs(rect.top - rect.bottom)))
            if len(boxes) == _GLYPH_SAMPLE:
                break
    return no_glyphs(boxes)


def read_pdf(data: bytes) -> Document:
    """A PDF's text and ruled tables as a Document (format "pdf")."""
    pdf = _open(data)
    try:
        try:
            n = len(pdf)
        except Exception as e:                       # noqa: BLE001
            raise DocumentError("broken_document", f"broken PDF: {e}") from None
        if n == 0:
            raise DocumentError("broken_document", "broken PDF: no pages")
        body: list = []
        any_text = False
        glyphs_missing = False
        sample: list[str] = []
        for index in range(n):
            try:
                pg = pdf[index]
                tp = pg.get_textpage()
            except pdfium.PdfiumError as e:
                raise DocumentError("broken_document", f"broken PDF: page {index + 1}: {e}") from None
            try:
                text = _page_text(tp)
                if text.strip():
                    any_text = True
                    glyphs_missing = glyphs_missing or _glyphs_missing(tp, text)
                    sample.append(text)
                view = _view(pg)
                hs, vs = _page_rules(pg, view)
                if hs and vs and text.strip():
                    body.extend(_ruled_page(pg, tp, text, index, hs, vs, view))
                elif _FIGURES_RE.search(text):
                    body.extend(_laid_out_page(tp, text, index, view))
                else:
                    body.extend(_plain_page(text, index))
            finally:
                tp.close()
                pg.close()
        if not any_text:
            raise DocumentError("scanned_pdf", "scanned PDF: no text layer")
        if text_layer_garbled("".join(sample)):
            raise DocumentError("broken_document", _GARBLED_MESSAGE)
        notes = [Note("document", None, FONT_MISSING, _NO_GLYPHS_MESSAGE)] if glyphs_missing else []
        return Document(format="pdf", body=body, encoding=None, pages=n, notes=notes)
    finally:
        pdf.close()

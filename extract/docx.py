"""DOCX files -> ``Document``.

The main part (word/document.xml) is parsed with lxml straight from the
ZIP; python-docx is not used for reading (its object layer costs several
times the parse and hides gridBefore, sdt rows and deleted text).

Body order is the order of the body's children: paragraphs and tables as
they come, with block-level content controls (w:sdt) and custom XML
unwrapped.  Empty (whitespace-only) paragraphs are dropped.

A table becomes a grid: each row starts at its w:gridBefore, each w:tc
takes w:gridSpan grid columns, and a w:vMerge continuation extends the cell
above it when that cell starts in the same grid column with the same span
(Word's rule; a continuation with nothing to continue, as the first row or
under a cell of another span, starts a cell of its own).  Positions no w:tc
covers (gridBefore, gridAfter, short rows) become blank 1x1 cells, so every
position is covered exactly once.  The width is the widest row
(gridBefore + spans + gridAfter), not w:tblGrid, which generators often
get wrong.

Cell text: the cell's paragraphs and line breaks joined with nothing (a CJK
label typed over two lines comes out whole), or with a space when both sides
are ASCII letters or digits; tabs become spaces (``Document.lines`` separates
cells with tabs).  A table nested in a cell is left out of the cell's text
and emitted as its own Table right after the table holding it (deeper ones
after their parent).  Text in content controls, hyperlinks, insertions,
smart tags and fields' results is kept; deleted and moved-from text, field
codes and the VML fallback of drawings are skipped.

A table with no nested table, tracked deletion or property change, field
code or drawing fallback (nearly all) is read in one C-level pass over its
elements (``_rows_plain``); the others element by element
(``_rows_walked``); both give the same rows to one grid builder.

Legacy Word .doc files (OLE compound files with a WordDocument stream) and
encrypted DOCX (OLE files with an EncryptedPackage stream) are recognised
from their directory and refused with their own error codes.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from lxml import etree

from .document import Cell, Document, DocumentError, Paragraph, Table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

LEGACY_DOC_MESSAGE = ("legacy Word .doc file: xxgk reads .docx; convert it, "
                      "e.g. `libreoffice --headless --convert-to docx FILE`")

_MAX_PART = 256 << 20          # refuse a document.xml inflating past this
_MAX_SPAN = 256                # a gridSpan/gridBefore beyond this is corrupt
_MAX_POSITIONS = 1_000_000     # a table's rows x columns beyond this is corrupt (or hostile)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                          remove_pis=True, huge_tree=True)


# --------------------------------------------------------------------------
# Sniffing: OLE compound files (legacy .doc, encrypted .docx)

def _ole_stream_names(data: bytes) -> set[str]:
    """The names in an OLE compound file's directory (walking the FAT chain
    from the header); an empty set when the structure is unreadable."""
    names: set[str] = set()
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if not 7 <= shift <= 16:
            return names
        size = 1 << shift
        n_sectors = max(0, len(data) // size - 1)

        def sector(i: int) -> bytes:       # the header fills sector -1
            off = (i + 1) * size
            return data[off:off + size]

        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
        ext, n_ext = struct.unpack_from("<II", data, 0x44)
        seen = set()
        while ext < 0xFFFFFFFA and n_ext > 0 and ext not in seen and len(difat) < n_fat:
            seen.add(ext)
            block = sector(ext)
            if len(block) < size:
                break
            vals = struct.unpack_from(f"<{size // 4}I", block)
            difat.extend(s for s in vals[:-1] if s < 0xFFFFFFFA)
            ext, n_ext = vals[-1], n_ext - 1
        fat: list[int] = []
        for s in difat[:n_fat]:
            block = sector(s)
            if len(block) == size:
                fat.extend(struct.unpack_from(f"<{size // 4}I", block))
        cur, visited = first_dir, set()
        while cur < 0xFFFFFFFA and cur not in visited and len(visited) <= n_sectors:
            visited.add(cur)
            block = sector(cur)
            for off in range(0, len(block) - 127, 128):
                length, kind = struct.unpack_from("<HB", block, off + 0x40)
                if kind in (1, 2, 5) and 2 <= length <= 64:
                    names.add(block[off:off + length - 2].decode("utf-16-le", "replace"))
            cur = fat[cur] if cur < len(fat) else 0xFFFFFFFE
    except struct.error:
        pass
    return names


def _ole_has(data: bytes, name: str, raw: bytes) -> bool:
    names = _ole_stream_names(data)
    if names:
        return name in names
    # Directory unreadable (a truncated or hand-made file): the stream's
    # UTF-16LE name anywhere in it.
    return raw in data


def sniff_legacy_doc(data: bytes) -> bool:
    """Whether ``data`` is a legacy Word .doc: an OLE compound file with a
    WordDocument stream."""
    return data[:8] == OLE_MAGIC and _ole_has(data, "WordDocument", _WORD_STREAM)


def sniff_encrypted_docx(data: bytes) -> bool:
    """Whether ``data`` is an encrypted OOXML package: an OLE compound file
    with an EncryptedPackage stream."""
    return data[:8] == OLE_MAGIC and _ole_has(data, "EncryptedPackage", _ENCRYPTED_STREAM)


# --------------------------------------------------------------------------
# Tags

class _Tags:
    def __init__(self, ns: str):
        q = "{%s}" % ns
        self.p, self.tbl, self.tr, self.tc = q + "p", q + "tbl", q + "tr", q + "tc"
        self.t, self.tab, self.br, self.cr = q + "t", q + "tab", q + "br", q + "cr"
        self.nbh = q + "noBreakHyphen"
        self.sdt, self.sdtContent, self.customXml = q + "sdt", q + "sdtContent", q + "customXml"
        self.tcPr, self.trPr, self.gridSpan, self.vMerge, self.hMerge = (
            q + "tcPr", q + "trPr", q + "gridSpan", q + "vMerge", q + "hMerge")
        self.gridBefore, self.gridAfter, self.dele = q + "gridBefore", q + "gridAfter", q + "del"
        self.tblPrEx = q + "tblPrEx"
        # A cell (or table) holding none of these takes the fast paths.
        self.slow = (q + "tbl", q + "del", q + "moveFrom", q + "instrText", "{%s}Fallback" % MC_NS,
                     q + "tcPrChange", q + "trPrChange", q + "tblPrExChange")
        self.plain = (q + "tr", q + "tc", q + "gridBefore", q + "gridAfter", q + "gridSpan", q + "vMerge",
                      q + "hMerge", q + "p", q + "t", q + "tab", q + "br", q + "cr", q + "noBreakHyphen")
        self.fast = (q + "p", q + "t", q + "tab", q + "br", q + "cr", q + "noBreakHyphen")
        self.body, self.val, self.type = q + "body", q + "val", q + "type"
        self.alt, self.choice = "{%s}AlternateContent" % MC_NS, "{%s}Choice" % MC_NS
        self.skip = frozenset({
            q + "del", q + "moveFrom", q + "delText", q + "instrText", q + "delInstrText",
            q + "rPr", q + "pPr", q + "tcPr", q + "trPr", q + "tblPr", q + "tblGrid", q + "sectPr",
            q + "sdtPr", q + "sdtEndPr", q + "customXmlPr", "{%s}Fallback" % MC_NS,
            q + "commentReference", q + "footnoteReference", q + "endnoteReference",
            q + "fldChar", q + "lastRenderedPageBreak", q + "proofErr", q + "bookmarkStart",
            q + "bookmarkEnd",
        })
        # Wrappers whose children are blocks / rows / cells of the level they sit at.
        self.wrappers = frozenset({q + "sdt", q + "sdtContent", q + "customXml",
                                   "{%s}AlternateContent" % MC_NS, "{%s}Choice" % MC_NS})


_TAGS = {W_NS: _Tags(W_NS), W_STRICT_NS: _Tags(W_STRICT_NS)}


def _int(el, T: _Tags, default: int) -> int:
    if el is None:
        return default
    try:
        return min(max(int(el.get(T.val, default)), 0), _MAX_SPAN)
    except ValueError:
        return default


# --------------------------------------------------------------------------
# Text

def _runs_text(el, T: _Tags, out: list[str], nested: list | None) -> None:
    """Append the text under ``el`` (a paragraph or any inline container)
    to ``out``; tables met on the way go to ``nested`` (a cell's), or are
    walked through when ``nested`` is None (never happens in a body
    paragraph)."""
    for child in el:
        tag = child.tag
        if tag == T.t:
            if child.text:
                out.append(child.text)
        elif tag in T.skip:
            continue
        elif tag == T.tab:
            out.append("\t")
        elif tag == T.br or tag == T.cr:
            if child.get(T.type) not in ("page", "column"):
                out.append("\n")
        elif tag == T.nbh:
            out.append("-")
        elif tag == T.tbl and nested is not None:
            nested.append(child)
        elif len(child):
            _runs_text(child, T, out, nested)


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_parts(parts) -> str:
    """Join a cell's lines: nothing between them (CJK continuation), a
    space when both sides are ASCII letters or digits."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and _is_word(out[-1]) and _is_word(part[0]):
            out += " "
        out += part
    return out


def _cell_text(tc, T: _Tags, nested: list) -> str:
    if next(tc.iter(*T.slow), None) is None:
        # The common cell (no nested table, tracked deletion or drawing
        # fallback): its text elements in document order, found in C
        # without walking run properties.
        lines: list[str] = []
        cur: list[str] = []
        t_tag, p_tag, tab_tag, nbh_tag, type_attr = T.t, T.p, T.tab, T.nbh, T.type
        for el in tc.iter(*T.fast):
            tag = el.tag
            if tag == t_tag:
                if el.text:
                    cur.append(el.text)
            elif tag == p_tag:
                if cur:
                    lines.append("".join(cur))
                    cur = []
            elif tag == tab_tag:
                cur.append(" ")
            elif tag == nbh_tag:
                cur.append("-")
            elif el.get(type_attr) not in ("page", "column"):     # w:br, w:cr
                lines.append("".join(cur))
                cur = []
        if cur:
            lines.append("".join(cur))
        return join_parts(lines).replace("\t", " ")
    lines = []
    for block in _blocks(tc, T):
        if block.tag == T.tbl:
            nested.append(block)
            continue
        out: list[str] = []
        _runs_text(block, T, out, nested)
        lines.extend("".join(out).replace("\t", " ").split("\n"))
    return join_parts(lines)


# --------------------------------------------------------------------------
# Structure

def _children(el, T: _Tags, want: str):
    """The children of ``el`` with tag ``want``, content-control and custom
    XML wrappers unwrapped (for mc:AlternateContent, the mc:Choice)."""
    for child in el:
        tag = child.tag
        if tag == want:
            yield child
        elif tag in T.wrappers:
            if tag == T.alt:
                choice = child.find(T.choice)
                if choice is not None:
                    yield from _children(choice, T, want)
            else:
                yield from _children(child, T, want)


def _blocks(el, T: _Tags):
    """Paragraphs and tables directly in a body or cell, in order."""
    for child in el:
        tag = child.tag
        if tag == T.p or tag == T.tbl:
            yield child
        elif tag in T.wrappers:
            if tag == T.alt:
                choice = child.find(T.choice)
                if choice is not None:
                    yield from _blocks(choice, T)
            else:
                yield from _blocks(child, T)


# A row: (gridBefore, gridAfter, [(gridSpan, vMerge, hMerge, text) per w:tc]);
# vMerge/hMerge are None, "restart" or "continue".
_Row = tuple[int, int, list[tuple[int, "str | None", "str | None", str]]]


def _rows_walked(tbl, T: _Tags, nested: list) -> list[_Row]:
    """The table's rows by walking its elements: content-control rows and
    cells unwrapped, deleted rows skipped, each cell's text by
    ``_cell_text`` (nested tables go to ``nested``)."""
    rows: list[_Row] = []
    for tr in _children(tbl, T, T.tr):
        # Properties by walking children: lxml's find() costs ~2 us a call
        # (its path engine), a third of the read when used per cell.
        before = after = 0
        deleted = False
        for child in tr:
            tag = child.tag
            if tag == T.trPr:
                for prop in child:
                    ptag = prop.tag
                    if ptag == T.gridBefore:
                        before = _int(prop, T, 0)
                    elif ptag == T.gridAfter:
                        after = _int(prop, T, 0)
                    elif ptag == T.dele:            # a deleted row (tracked change)
                        deleted = True
                break
            if tag != T.tblPrEx:
                break
        if deleted:
            continue
        specs = []
        for tc in _children(tr, T, T.tc):
            span, vmerge, hmerge = 1, None, None
            for child in tc:                         # tcPr, when present, comes first
                if child.tag == T.tcPr:
                    for prop in child:
                        ptag = prop.tag
                        if ptag == T.gridSpan:
                            span = max(_int(prop, T, 1), 1)
                        elif ptag == T.vMerge:
                            vmerge = prop.get(T.val) or "continue"
                        elif ptag == T.hMerge:
                            hmerge = prop.get(T.val) or "continue"
                break
            specs.append((span, vmerge, hmerge, _cell_text(tc, T, nested)))
        rows.append((before, after, specs))
    return rows


def _rows_plain(tbl, T: _Tags) -> list[_Row]:
    """The same rows in one C-level pass over the table's elements, for a
    table holding nothing ``T.slow`` names (no nested table, tracked
    deletion or property change, field code or drawing fallback): 3x
    cheaper than walking each cell.  Every element the pass yields then
    belongs to this table, in document order: a w:tr, its trPr
    properties, then each w:tc, its tcPr properties and its text."""
    rows: list[_Row] = []
    specs: list = []
    spec: list | None = None              # [span, vmerge, hmerge] of the open cell
    row: list | None = None               # [before, after] of the open row
    lines: list[str] = []
    cur: list[str] | None = None
    t_tag, p_tag, tc_tag, tr_tag = T.t, T.p, T.tc, T.tr
    for el in tbl.iter(*T.plain):
        tag = el.tag
        if tag == t_tag:
            if cur is not None and el.text:
                cur.append(el.text)
        elif tag == p_tag:
            if cur:
                lines.append("".join(cur))
                cur = []
        elif tag == tc_tag or tag == tr_tag:
            if spec is not None:
                if cur:
                    lines.append("".join(cur))
                specs.append((spec[0], spec[1], spec[2], join_parts(lines).replace("\t", " ")))
                spec = None
            if tag == tc_tag:
                if row is None:                  # a cell before any row: malformed
                    row = [0, 0]
                    specs = []
                    rows.append([0, 0, specs])
                spec = [1, None, None]
                lines = []
                cur = []
            else:
                row = [0, 0]
                specs = []
                rows.append(row + [specs])       # patched below once trPr is read
                cur = None
        elif tag == T.tab:
            if cur is not None:
                cur.append(" ")
        elif tag == T.nbh:
            if cur is not None:
                cur.append("-")
        elif tag == T.br or tag == T.cr:
            if cur is not None and el.get(T.type) not in ("page", "column"):
                lines.append("".join(cur))
                cur = []
        elif spec is not None:
            if tag == T.gridSpan:
                spec[0] = max(_int(el, T, 1), 1)
            elif tag == T.vMerge:
                spec[1] = el.get(T.val) or "continue"
            elif tag == T.hMerge:
                spec[2] = el.get(T.val) or "continue"
        elif row is not None:
            if tag == T.gridBefore:
                rows[-1][0] = _int(el, T, 0)
            elif tag == T.gridAfter:
                rows[-1][1] = _int(el, T, 0)
    if spec is not None:
        if cur:
            lines.append("".join(cur))
        specs.append((spec[0], spec[1], spec[2], join_parts(lines).replace("\t", " ")))
    return [tuple(r) for r in rows]


def _grid(rows: list[_Row]) -> Table | None:
    """Rows of w:tc specs -> a Table covering every grid position once."""
    cells: list[Cell] = []
    prev: list[Cell | None] = []          # grid column -> cell covering it in the previous row
    n_cols = 0
    for r, (before, after, specs) in enumerate(rows):
        cur: list[Cell | None] = [None] * before
        last: Cell | None = None
        col = before
        for span, vmerge, hmerge, text in specs:
            if hmerge == "continue" and last is not None and last.row == r:
                # Legacy horizontal merge: widen the cell to the left.
                last.colspan += span
                last.text = join_parts((last.text, text))
                cur.extend([last] * span)
                col += span
                continue
            if vmerge == "continue":
                above = prev[col] if col < len(prev) else None
                if (above is not None and above.col == col and above.colspan == span
                        and above.row + above.rowspan == r):
                    above.rowspan += 1
                    if text:
                        above.text = join_parts((above.text, text))
                    cur.extend([above] * span)
                    last = above
                    col += span
                    continue
            last = Cell(text=text, row=r, col=col, rowspan=1, colspan=span)
            cells.append(last)
            cur.extend([last] * span)
            col += span
        n_cols = max(n_cols, col + after)
        prev = cur
    n_rows = len(rows)
    if n_rows == 0:
        return None
    if n_rows * n_cols > _MAX_POSITIONS:
        raise DocumentError("broken_document", f"broken DOCX: a table of {n_rows} x {n_cols} grid positions")
    # Positions no w:tc covers (gridBefore, gridAfter, short rows): blank cells.
    covered = [[False] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for rr in range(cell.row, cell.row + cell.rowspan):
            row = covered[rr]
            for cc in range(cell.col, cell.col + cell.colspan):
                row[cc] = True
    for rr, row in enumerate(covered):
        for cc, done in enumerate(row):
            if not done:
                cells.append(Cell(text="", row=rr, col=cc))
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(cells=cells, n_rows=n_rows, n_cols=n_cols)


def _read_table(tbl, T: _Tags, body: list) -> None:
    """Append the table, then the tables nested in its cells, to ``body``."""
    nested: list = []
    if next(tbl.iterdescendants(*T.slow), None) is None:
        rows = _rows_plain(tbl, T)
    else:
        rows = _rows_walked(tbl, T, nested)
    table = _grid(rows)
    if table is not None:
        body.append(table)
    for inner in nested:
        _read_table(inner, T, body)


# --------------------------------------------------------------------------
# Entry point

def _main_part(zf: zipfile.ZipFile) -> str | None:
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    # Some generators name the main part otherwise; the package relationships say which.
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(zf.read("_rels/.rels"), _PARSER)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
            return None
        for rel in rels.iter("{%s}Relationship" % _REL_NS):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target in names and target.startswith("word/"):
                    return target
    return None


def read_docx(data: bytes) -> Document:
    """A DOCX file's body as a ``Document`` (format "docx").

    Raises DocumentError: "legacy_doc" for a Word 97-2003 .doc,
    "encrypted" for a password-protected DOCX, "broken_document" for
    anything else that is not a readable DOCX."""
    if data[:8] == OLE_MAGIC:
        if sniff_encrypted_docx(data):
            raise DocumentError("encrypted", "encrypted DOCX: the package is password-protected "
                                             "(an OLE file with an EncryptedPackage stream); "
                                             "save it without a password")
        if sniff_legacy_doc(data):
            raise DocumentError("legacy_doc", LEGACY_DOC_MESSAGE)
        raise DocumentError("broken_document", "broken DOCX: an OLE compound file that is neither "
                                               "a Word document nor an encrypted package")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentError("broken_document", f"broken DOCX: not a readable ZIP ({exc})") from None
    with zf:
        part = _main_part(zf)
        if part is None:
            raise DocumentError("broken_document",
                                "broken DOCX: a ZIP without word/document.xml (not a Word document)")
        try:
            if zf.getinfo(part).file_size > _MAX_PART:
                raise DocumentError("broken_document", f"broken DOCX: {part} is implausibly large")
            xml = zf.read(part)
        except DocumentError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError) as exc:
            raise DocumentError("broken_document", f"broken DOCX: cannot read {part} ({exc})") from None
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocumentError("broken_document", f"broken DOCX: {part} is not well-formed XML ({exc})") from None
    ns = etree.QName(root).namespace
    T = _TAGS.get(ns)
    if T is None:
        raise DocumentError("broken_document", f"broken DOCX: {part} is not WordprocessingML ({ns})")
    body_el = root.find(T.body)
    body: list[Paragraph | Table] = []
    if body_el is not None:
        for block in _blocks(body_el, T):
            if block.tag == T.tbl:
                _read_table(block, T, body)
            else:
                out: list[str] = []
                _runs_text(block, T, out, None)
                text = "".join(out)
                if text.strip():
                    body.append(Paragraph(text=text))
    return Document(format="docx", body=body, encoding=None)

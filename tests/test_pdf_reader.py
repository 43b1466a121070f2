"""extract.pdf.read_pdf on the real Huai'an report, on PDFs drawn by
synth.pdf_writer (round trip of grids and spans), and on unreadable PDFs."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from extract.document import Cell, Document, DocumentError, Paragraph, Table
from extract.pdf import read_pdf
from synth.pdf_writer import write_pdf

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"
NAME = "huaian_city_2024.pdf"
COLS7 = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
         "legal_service_org", "other_org", "total")


# ------------------------------------------------------------ the real report
@pytest.fixture(scope="module")
def real():
    path = REAL / "input" / NAME
    if not path.is_file():
        pytest.skip(f"real report not found at {path} (it lives in ../shared/real beside the checkout)")
    truth = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))["files"][NAME]
    return read_pdf(path.read_bytes()), truth


def _row(doc: Document, label: str, n: int) -> list[str]:
    """The last n cell texts of the first grid row whose label contains
    ``label`` (cells by grid position, so a spanned cell is seen once)."""
    for table in doc.tables:
        for cells in table.dense():
            seen: list[Cell] = []
            for c in cells:
                if c is not None and (not seen or seen[-1] is not c):
                    seen.append(c)
            if any(label in c.text for c in seen[:-1]):
                return [c.text for c in seen[-n:]]
    raise AssertionError(f"no row labelled {label!r}")


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def test_real_document_shape(real):
    doc, _ = real
    assert doc.format == "pdf" and doc.encoding is None and doc.pages == 6
    paras = [b for b in doc.body if isinstance(b, Paragraph)]
    assert any("淮安市人民政府" in p.text for p in paras)
    assert all(p.page is not None for p in paras)
    # table text is not repeated as paragraphs
    assert not any("本年新收政府信息公开申请数量" in p.text for p in paras)
    assert [t.page for t in doc.tables] == [2, 3, 3, 4, 4]
    # headings come before the tables they introduce
    texts = [b.text if isinstance(b, Paragraph) else "<table>" for b in doc.body]
    i = next(k for k, t in enumerate(texts) if t.startswith("三、收到和处理政府信息公开申请情况"))
    assert texts[i + 1] == "<table>"


def test_real_requests_rows(real):
    doc, truth = real
    req = truth["requests"]
    assert _row(doc, "本年新收政府信息公开申请数量", 7) == ["3001", "53", "0", "0", "61", "4", "3119"]
    for label, key in [("上年结转政府信息公开申请数量", "carried_over"), ("（一）予以公开", "granted"),
                       ("属于三类内部事务信息", "denied_internal_affairs"),
                       ("属于国家秘密", "denied_state_secret"),
                       ("本机关不掌握相关政府信息", "unable_not_held"),
                       ("没有现成信息需要另行制作", "unable_needs_creation"),
                       ("信访举报投诉类申请", "not_processed_petition")]:
        assert [int(v) for v in _row(doc, label, 7)] == [req[key][c] for c in COLS7], label


def test_real_merged_labels(real):
    doc, _ = real
    t3 = doc.tables[2]
    by_text = {c.text: c for c in t3.cells}
    group = by_text["三、本年度办理结果"]
    assert group.col == 0 and group.rowspan > 10
    sub = by_text["（三）不予公开"]
    assert sub.rowspan == 8 and sub.colspan == 1
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in by_text   # wrapped label, one string
    assert by_text["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"].colspan == 2
    head = t3.cells[0]
    assert head.row == 0 and head.col == 0 and head.rowspan == 3 and head.colspan == 3
    # the continuation on the next page keeps the blank group column as a cell
    cont = doc.tables[3]
    first = min(cont.cells, key=lambda c: (c.row, c.col))
    assert (first.row, first.col, first.text) == (0, 0, "")
    assert first.box is not None and first.box[0] == 4
    wrapped = [c.text for c in cont.cells if c.text.startswith("2、申请人逾期未按收费通知")]
    assert wrapped == ["2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]


def test_real_review_litigation(real):
    doc, truth = real
    rl = truth["review_litigation"]
    want = [rl[p][k] for p in ("administrative_review", "litigation_direct", "litigation_after_review")
            for k in ("upheld", "corrected", "other", "pending", "total")]
    t4 = doc.tables[-1]
    assert (t4.n_rows, t4.n_cols) == (4, 15)
    assert [int(c.text) for c in sorted(t4.cells, key=lambda c: c.col) if c.row == 3] == want
    assert [c.text for c in t4.cells if c.row == 0] == ["行政复议", "行政诉讼"]


def test_real_active_disclosure(real):
    doc, truth = real
    ad = truth["active_disclosure"]
    assert _num(_row(doc, "行政事业性收费", 1)[0]) == ad["art20_8"]["administrative_fees"]["fee_amount"]
    regs = ad["art20_1"]["regulations"]
    assert [int(v) for v in _row(doc, "规章", 3)] == [regs["issued"], regs["repealed"], regs["in_force"]]
    assert int(_row(doc, "行政许可", 1)[0]) == ad["art20_5"]["administrative_licensing"]["decisions"]
    assert int(_row(doc, "行政处罚", 1)[0]) == ad["art20_6"]["administrative_penalty"]["decisions"]


# ------------------------------------------------------------ round trip
def _spans(table: Table) -> list[tuple]:
    return sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells)


WRAPPED = "（三）不予公开属于三类内部事务信息且此标签很长需要换行"


def _small_table() -> Table:
    cells = [Cell("项目", 0, 0, 2, 2), Cell("申请人情况", 0, 2, 1, 3),
             Cell("自然人", 1, 2), Cell("法人或其他组织", 1, 3), Cell("总计", 1, 4),
             Cell("三、本年度办理结果", 2, 0, 3, 1), Cell("（一）予以公开", 2, 1),
             Cell("12", 2, 2), Cell("", 2, 3), Cell("12", 2, 4),
             Cell(WRAPPED, 3, 1), Cell("3", 3, 2), Cell("0", 3, 3), Cell("3", 3, 4),
             Cell("other text abc", 4, 1), Cell("", 4, 2), Cell("1", 4, 3), Cell("1", 4, 4)]
    return Table(cells, 5, 5)


@pytest.mark.parametrize("rules", ["lines", "rects"])
def test_round_trip_spans_blanks_wrapping(rules):
    table = _small_table()
    doc = Document("pdf", [Paragraph("标题 2024年 报告"), table, Paragraph("后文 99 件")])
    got = read_pdf(write_pdf(doc, rules=rules))
    assert [type(b).__name__ for b in got.body] == ["Paragraph", "Table", "Paragraph"]
    assert got.body[0].text == "标题 2024年 报告" and got.body[2].text == "后文 99 件"
    (t,) = got.tables
    assert (t.n_rows, t.n_cols, t.page) == (5, 5, 0)
    assert _spans(t) == _spans(table)
    cell = next(c for c in t.cells if c.text == WRAPPED)
    assert cell.box[4] - cell.box[2] > 25          # drawn over two lines, read as one string


def _long_table(groups: int) -> Table:
    cells = [Cell("项目", 0, 0, 1, 2), Cell("数量", 0, 2)]
    r = 1
    for g in range(groups):
        cells.append(Cell(f"第{g + 1}组分类", r, 0, 3, 1))
        for k in range(3):
            label = f"第{k + 1}项说明文字较长需要换行显示的标签" if k == 1 else f"子项{k}"
            cells += [Cell(label, r + k, 1), Cell("" if (r + k) % 7 == 0 else str(r + k), r + k, 2)]
        r += 3
    return Table(cells, r, 3)


def test_round_trip_split_over_pages():
    table = _long_table(20)
    got = read_pdf(write_pdf(Document("pdf", [Paragraph("前言"), table, Paragraph("结尾")])))
    assert got.pages == 2
    parts = got.tables
    assert [p.page for p in parts] == [0, 1]
    # the header row is repeated; the rest joins back to the original grid
    assert all(_spans(p)[:2] == _spans(table)[:2] for p in parts)
    joined, offset = [], 0
    for i, p in enumerate(parts):
        skip = 0 if i == 0 else 1
        joined += [(r + offset - skip, c, rs, cs, t) for r, c, rs, cs, t in _spans(p) if r >= skip]
        offset += p.n_rows - skip
    assert offset == table.n_rows
    assert sorted(joined) == _spans(table)
    assert got.body[-1].text == "结尾" and got.body[-1].page == 1


# ------------------------------------------------------------ errors
def _canvas_pdf(draw, **kw) -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kw)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_scanned_pdf():
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    img = ImageReader(Image.new("RGB", (200, 100), "white"))
    with pytest.raises(DocumentError) as e:
        read_pdf(_canvas_pdf(lambda c: c.drawImage(img, 72, 600, 200, 100)))
    assert e.value.code == "scanned_pdf"
    with pytest.raises(DocumentError) as e:                       # ruled but no text
        read_pdf(_canvas_pdf(lambda c: (c.line(72, 700, 300, 700), c.line(72, 600, 72, 700))))
    assert e.value.code == "scanned_pdf"


def test_garbled_text_layer_is_rejected_with_its_reason():
    # UTF-8 bytes drawn through a Latin font: the text layer reads 「æ¿å…」,
    # as in PDFs a script wrote without a CJK font.  Without this check the
    # file was "not a report", which hides why.
    line = "政府信息公开工作年度报告 本年新收政府信息公开申请数量".encode("utf-8").decode("latin-1")
    garbled = _canvas_pdf(lambda c: [c.drawString(72, 700 - 20 * i, line[:60]) for i in range(4)])
    with pytest.raises(DocumentError) as e:
        read_pdf(garbled)
    assert e.value.code == "broken_document" and str(e.value).startswith("PDF text layer unreadable")
    # a document in a Latin script with accents is read (and later found to be no report)
    french = "Rapport annuel: décisions publiées, données à l'échelle régionale, été. " * 3
    assert read_pdf(_canvas_pdf(lambda c: c.drawString(72, 700, french[:90]))).body


def test_encrypted_pdf():
    from reportlab.lib import pdfencrypt
    data = _canvas_pdf(lambda c: c.drawString(72, 700, "hello"),
                       encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(DocumentError) as e:
        read_pdf(data)
    assert e.value.code == "encrypted" and str(e.value).startswith("encrypted PDF:")
    # an owner password alone (no password to open) reads normally
    data = _canvas_pdf(lambda c: c.drawString(72, 700, "hello"),
                       encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner"))
    assert read_pdf(data).body[0].text == "hello"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + b"\x00garbage" * 100, b"%PDF-1.4\n1 0 obj\n<<", b"hello"])
def test_broken_pdf(data):
    with pytest.raises(DocumentError) as e:
        read_pdf(data)
    assert e.value.code == "broken_document" and str(e.value).startswith("broken PDF:")


def test_truncated_real_pdf(real):
    data = (REAL / "input" / NAME).read_bytes()
    with pytest.raises(DocumentError) as e:
        read_pdf(data[: len(data) // 3])
    assert e.value.code == "broken_document"


def test_open_sided_table_and_page_frame():
    """A table with no outer vertical rules (its outer columns end where the
    horizontal rules end) inside a page border frame (a lone box, no table)."""
    from synth.pdf_writer import FONT, _font
    _font()

    def draw(c):
        c.rect(30, 30, 535, 782)                          # page frame
        c.setFont(FONT, 10)
        c.drawString(72, 760, "表格前的文字")
        ys = [740, 720, 700]
        for y in ys:
            c.line(72, y, 372, y)
        c.line(172, 700, 172, 740)
        c.line(272, 700, 272, 740)
        for y, row in ((725, ["行政许可", "100", ""]), (705, ["行政处罚", "200", "3"])):
            for x, text in zip((75, 175, 275), row):
                c.drawString(x, y, text)
        c.drawString(72, 680, "表格后的文字")

    doc = read_pdf(_canvas_pdf(draw))
    assert [type(b).__name__ for b in doc.body] == ["Paragraph", "Table", "Paragraph"]
    (t,) = doc.tables
    assert (t.n_rows, t.n_cols) == (2, 3)
    assert t.rows_text() == [["行政许可", "100", ""], ["行政处罚", "200", "3"]]


def test_rotated_landscape_page():
    """A portrait page drawn turned and shown with /Rotate 90 (a landscape
    page as printers make them): the grid is read as shown.  Latin text:
    pdfium drops turned glyphs of the non-embedded STSong-Light font."""
    import pypdfium2 as pdfium

    def draw(c):
        c.translate(595, 0)
        c.rotate(90)                                # local (u, v): a landscape 842 x 595 page, v up
        c.drawString(72, 540, "Landscape table")
        for v in (520, 500, 480):
            c.line(72, v, 672, v)
        for u in (72, 272, 472, 672):
            c.line(u, 480, u, 520)
        for v, row in ((505, ["licence", "100", "7"]), (485, ["penalty", "", "3"])):
            for u, text in zip((75, 275, 475), row):
                c.drawString(u, v, text)

    pdf = pdfium.PdfDocument(_canvas_pdf(draw, pagesize=(595, 842)))
    pdf[0].set_rotation(90)
    buf = io.BytesIO()
    pdf.save(buf)
    doc = read_pdf(buf.getvalue())
    assert doc.body[0].text == "Landscape table"
    (t,) = doc.tables
    assert t.rows_text() == [["licence", "100", "7"], ["penalty", "", "3"]]
    x0, top, x1, bottom = t.cells[0].box[1:]
    assert (x0, top, x1, bottom) == pytest.approx((72, 75, 272, 95), abs=1)


# ------------------------------------------------------------ fonts without glyphs
def test_no_glyphs_decides_from_exact_against_loose_heights():
    from extract.pdf import no_glyphs
    # pdfium's exact box of a glyph it cannot draw: 0.012 pt high in a 12 pt line
    assert no_glyphs([(0.012, 12.07), (0.012, 12.07), (0.0, 9.0)])
    assert not no_glyphs([(9.4, 12.07), (9.6, 12.07)])
    assert not no_glyphs([(0.012, 12.07), (9.6, 12.07)])      # one font drawn, one not: no claim
    assert not no_glyphs([])                                    # no CJK text sampled


def test_embedded_fonts_need_nothing_installed(real):
    # the real report embeds its fonts: its glyphs are there on any machine
    doc, _ = real
    assert doc.notes == []


def test_a_document_note_reaches_the_report():
    from extract.notes import FONT_MISSING, Note
    from extract.report import extract_document
    import random

    from synth.documents import render_document
    from synth.model import make_truth
    rng = random.Random(5)
    doc = read_pdf(render_document(make_truth(rng, template="2021", error_rate=0.0), "pdf", rng))
    doc.notes.append(Note("document", None, FONT_MISSING, "glyphs missing"))
    extraction = extract_document(doc)
    assert [str(n) for n in extraction.notes if n.code == FONT_MISSING] == ["document: glyphs missing"]


def test_character_whose_loose_box_is_the_fonts_whole_em_square(monkeypatch):
    # Some Word PDFs draw a narrow column's vertical group label (「三、本年度
    # 办理结果」) so that pdfium's loose box of each character is ~200 pt
    # wide and tall, anchored at the glyph: its centre falls cells away, and
    # the characters landed in the row labels beside it (「理2.其他…」).
    # The exact glyph box places them; the loose box stays for the rest.
    import pypdfium2.raw as raw

    table = _small_table()
    data = write_pdf(Document("pdf", [Paragraph("标题 2024年 报告"), table, Paragraph("后文 99 件")]))
    loose = raw.FPDFText_GetLooseCharBox
    group_chars = set("本年度办理结果")

    def em_square_for_group_label(textpage, i, rect_ref):
        ok = loose(textpage, i, rect_ref)
        if ok and chr(raw.FPDFText_GetUnicode(textpage, i)) in group_chars:
            rect = rect_ref._obj
            rect.right, rect.top = rect.left + 199.0, rect.bottom + 199.0
        return ok

    monkeypatch.setattr(raw, "FPDFText_GetLooseCharBox", em_square_for_group_label)
    (t,) = read_pdf(data).tables
    assert {c.text for c in t.cells} == {c.text for c in table.cells}

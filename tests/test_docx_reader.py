"""extract.docx.read_docx and synth.docx_writer.write_docx: round trips of
Documents through python-docx, hand-written WordprocessingML, and the
files read_docx refuses (legacy .doc, encrypted, broken)."""
from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from extract.document import Cell, Document, DocumentError, Paragraph, Table
from extract.docx import join_parts, read_docx, sniff_encrypted_docx, sniff_legacy_doc
from synth.docx_writer import write_docx

APPLICANTS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def _cells(table: Table) -> list[tuple]:
    return sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells)


def _covered_once(table: Table) -> None:
    seen = {}
    for c in table.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert (r, k) not in seen, (r, k)
                seen[(r, k)] = c
    assert len(seen) == table.n_rows * table.n_cols


def table3_like() -> Table:
    """Header: 本列数据的勾稽关系 over 3 label columns and 2 header rows,
    申请人情况 over the 7 figure columns, 自然人/总计 vertically merged,
    法人或其他组织 over 5.  Body: group labels merged down, a ragged label
    (colspan 2 in one row, 1 in the next beside a sub-label), blank cells."""
    cells = [
        Cell("本列数据的勾稽关系", 0, 0, 3, 3), Cell("申请人情况", 0, 3, 1, 7),
        Cell("自然人", 1, 3, 2, 1), Cell("法人或其他组织", 1, 4, 1, 5), Cell("总计", 1, 9, 2, 1),
        *[Cell(name, 2, 4 + i) for i, name in enumerate(APPLICANTS)],
        Cell("一、本年新收政府信息公开申请数量", 3, 0, 1, 3),
        *[Cell(str(10 + i), 3, 3 + i) for i in range(7)],
        Cell("三、本年度办理结果", 4, 0, 4, 1),
        Cell("（一）予以公开", 4, 1, 1, 2),                       # ragged: spans 2 here ...
        *[Cell(str(i), 4, 3 + i) for i in range(7)],
        Cell("（三）不予公开", 5, 1, 3, 1),                       # ... 1 here, beside sub-labels
        Cell("1．属于国家秘密", 5, 2), *[Cell("0", 5, 3 + i) for i in range(7)],
        Cell("2．其他法律行政法规禁止公开", 6, 2), *[Cell("", 6, 3 + i) for i in range(7)],   # blanks
        Cell("3．属于三类内部事务信息", 7, 2), Cell("", 7, 3), Cell("5", 7, 4), Cell("", 7, 5, 1, 4),
        Cell("7", 7, 9),
    ]
    return Table(cells=cells, n_rows=8, n_cols=10)


def table4_like() -> Table:
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [Cell("行政复议", 0, 0, 1, 5), Cell("行政诉讼", 0, 5, 1, 10),
             *[Cell(h, 1, i, 2, 1) for i, h in enumerate(heads)],
             Cell("未经复议直接起诉", 1, 5, 1, 5), Cell("复议后起诉", 1, 10, 1, 5),
             *[Cell(h, 2, 5 + i) for i, h in enumerate(heads)],
             *[Cell(h, 2, 10 + i) for i, h in enumerate(heads)],
             *[Cell(str(i), 3, i) for i in range(15)]]
    return Table(cells=cells, n_rows=4, n_cols=15)


def test_round_trip_table3_like_paragraphs_and_tables():
    t3, t4 = table3_like(), table4_like()
    doc = Document("docx", [Paragraph("某市人民政府2023年政府信息公开工作年度报告"), Paragraph("一、总体情况"),
                            t3, Paragraph("四、政府信息公开行政复议、行政诉讼情况"), t4, Paragraph("五、存在的主要问题")])
    back = read_docx(write_docx(doc))
    assert back.format == "docx" and back.encoding is None
    assert [type(b).__name__ for b in back.body] == ["Paragraph", "Paragraph", "Table", "Paragraph", "Table", "Paragraph"]
    assert [b.text for b in back.body if isinstance(b, Paragraph)] == [
        "某市人民政府2023年政府信息公开工作年度报告", "一、总体情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题"]
    r3, r4 = back.tables
    assert (r3.n_rows, r3.n_cols) == (8, 10)
    assert _cells(r3) == _cells(t3)
    assert (r4.n_rows, r4.n_cols) == (4, 15)
    assert _cells(r4) == _cells(t4)
    _covered_once(r3)
    _covered_once(r4)
    dense = r3.dense()
    assert dense[7][0].text == "三、本年度办理结果" and dense[7][0].rowspan == 4
    assert dense[6][1].text == "（三）不予公开"
    assert dense[1][6].text == "法人或其他组织" and dense[2][3].text == "自然人"
    assert [dense[3][c].text for c in range(3, 10)] == [str(10 + i) for i in range(7)]
    assert [dense[7][c].text for c in range(3, 10)] == ["", "5", "", "", "", "", "7"]
    assert r3.rows_text()[2] == APPLICANTS


def test_round_trip_line_break_label_comes_out_whole():
    t = Table(cells=[Cell("属于三类\n内部事务信息", 0, 0), Cell("GB\nT 7714", 0, 1), Cell("12", 0, 2)], n_rows=1, n_cols=3)
    back = read_docx(write_docx(Document("docx", [Paragraph("标题"), t])))
    assert [c.text for c in back.tables[0].cells] == ["属于三类内部事务信息", "GB T 7714", "12"]


def test_round_trip_nested_table_and_adjacent_tables():
    outer = Table(cells=[Cell("外层", 0, 0), Cell("说明", 0, 1), Cell("a", 1, 0), Cell("", 1, 1)], n_rows=2, n_cols=2)
    inner = Table(cells=[Cell("内层", 0, 0, 1, 2), Cell("1", 1, 0), Cell("2", 1, 1)], n_rows=2, n_cols=2)
    after = Table(cells=[Cell("紧接", 0, 0), Cell("3", 0, 1)], n_rows=1, n_cols=2)
    doc = Document("docx", [Paragraph("前"), outer, inner, after, Paragraph("后")])
    back = read_docx(write_docx(doc, nested={2: (1, 1, 1)}))
    assert [type(b).__name__ for b in back.body] == ["Paragraph", "Table", "Table", "Table", "Paragraph"]
    r_outer, r_inner, r_after = back.tables
    assert _cells(r_outer) == _cells(outer)        # the inner table's text is not in the outer cell
    assert _cells(r_inner) == _cells(inner)
    assert _cells(r_after) == _cells(after)
    assert back.body[0].text == "前" and back.body[4].text == "后"


def test_writer_uses_real_merges_and_table_grid():
    data = write_docx(Document("docx", [Paragraph("标题"), table3_like()]))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:gridSpan w:val="7"' in xml and 'w:gridSpan w:val="5"' in xml
    assert 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml
    assert 'w:tblStyle w:val="TableGrid"' in xml
    assert '<w:jc w:val="center"/>' in xml


# --------------------------------------------------------------------------
# Hand-written WordprocessingML

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}'
                                         f'<w:sectPr/></w:body></w:document>')
        for name, value in (extra or {}).items():
            zf.writestr(name, value)
    return buf.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(inner: str, pr: str = "") -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{inner}</w:tc>"


def test_hand_written_xml_grid_before_after_vmerge_sdt_del():
    body = (
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>二、主动</w:t></w:r>'
        '<w:hyperlink><w:r><w:t>公开</w:t></w:r></w:hyperlink>'
        '<w:del><w:r><w:delText>删除</w:delText></w:r></w:del><w:ins><w:r><w:t>情况</w:t></w:r></w:ins></w:p>'
        '<w:p><w:r><w:t xml:space="preserve">   </w:t></w:r></w:p>'                  # whitespace only: dropped
        '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>' + _p("控件中的段落") + '</w:sdtContent></w:sdt>'
        '<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>'
        # row 0: a vMerge continue with nothing above it starts a cell
        '<w:tr>' + _tc(_p("信息内容"), "<w:vMerge/>") + _tc(_p("本年制发件数"), '<w:gridSpan w:val="2"/>')
        + _tc(_p("现行有效件数")) + '</w:tr>'
        # row 1: continues col 0; gridAfter leaves the last column uncovered
        '<w:tr><w:trPr><w:gridAfter w:val="1"/></w:trPr>' + _tc("<w:p/>", "<w:vMerge/>")
        + _tc(_p("规章")) + _tc('<w:p><w:sdt><w:sdtContent><w:r><w:t>3</w:t></w:r></w:sdtContent></w:sdt></w:p>') + '</w:tr>'
        # row 2: gridBefore 1, a restart, a multi-paragraph cell and a row-level sdt
        '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        + _tc(_p("规范性") + '<w:p><w:r><w:t>文件</w:t></w:r><w:r><w:br/><w:t>ABC</w:t></w:r></w:p>' + _p("def"),
              '<w:vMerge w:val="restart"/>')
        + '<w:sdt><w:sdtContent>' + _tc('<w:p><w:r><w:t>1</w:t><w:tab/><w:t>2</w:t></w:r></w:p>') + '</w:sdtContent></w:sdt>'
        + _tc("<w:p/>") + '</w:tr>'
        # row 3: continues the restart at col 1; deleted row after it is skipped
        '<w:tr>' + _tc(_p("合计")) + _tc("<w:p/>", '<w:vMerge w:val="continue"/>') + _tc(_p("4"))
        + _tc('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>9</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>') + '</w:tr>'
        '<w:tr><w:trPr><w:del w:id="1"/></w:trPr>' + _tc(_p("删行")) + '</w:tr>'
        '</w:tbl>' + _p("之后")
    )
    doc = read_docx(_docx(body))
    assert [type(b).__name__ for b in doc.body] == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    assert doc.body[0].text == "二、主动公开情况"
    assert doc.body[1].text == "控件中的段落"
    assert doc.body[3].text == "之后"
    t = doc.body[2]
    assert (t.n_rows, t.n_cols) == (4, 4)
    _covered_once(t)
    assert _cells(t) == [
        (0, 0, 2, 1, "信息内容"), (0, 1, 1, 2, "本年制发件数"), (0, 3, 1, 1, "现行有效件数"),
        (1, 1, 1, 1, "规章"), (1, 2, 1, 1, "3"), (1, 3, 1, 1, ""),            # gridAfter -> blank
        (2, 0, 1, 1, ""),                                                       # gridBefore -> blank
        (2, 1, 2, 1, "规范性文件ABC def"), (2, 2, 1, 1, "1 2"), (2, 3, 1, 1, ""),
        (3, 0, 1, 1, "合计"), (3, 2, 1, 1, "4"), (3, 3, 1, 1, "9"),
    ]


def test_vmerge_under_a_cell_of_another_span_starts_a_cell():
    body = ('<w:tbl><w:tr>' + _tc(_p("甲"), '<w:gridSpan w:val="2"/><w:vMerge w:val="restart"/>') + '</w:tr>'
            '<w:tr>' + _tc(_p("乙"), '<w:vMerge/>') + _tc(_p("丙")) + '</w:tr></w:tbl>')
    t = read_docx(_docx(body)).tables[0]
    assert _cells(t) == [(0, 0, 1, 2, "甲"), (1, 0, 1, 1, "乙"), (1, 1, 1, 1, "丙")]


def test_main_part_named_by_relationships():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    'officeDocument" Target="/word/document2.xml"/></Relationships>')
        zf.writestr("word/document2.xml", f"<w:document {W}><w:body>{_p('正文')}</w:body></w:document>")
    assert read_docx(buf.getvalue()).body == [Paragraph("正文")]


def test_join_parts():
    assert join_parts(["属于三类", "内部事务信息"]) == "属于三类内部事务信息"
    assert join_parts(["GB", "T", "", "7714"]) == "GB T 7714"
    assert join_parts(["第二十条", "(一)"]) == "第二十条(一)"
    assert join_parts(["abc ", "def"]) == "abc def"


# --------------------------------------------------------------------------
# Refused files

def _ole(*names: str, sector_shift: int = 9) -> bytes:
    """A minimal, well-formed OLE compound file: header, one FAT sector,
    one directory sector holding Root Entry and the given streams."""
    size = 1 << sector_shift
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3 if sector_shift == 9 else 4, 0xFFFE, sector_shift, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    header = bytes(header).ljust(size, b"\0")
    fat = struct.pack(f"<{size // 4}I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * (size // 4 - 2)))
    entries = b""
    for kind, name in [(5, "Root Entry"), *[(2, n) for n in names]]:
        raw = name.encode("utf-16-le")
        entry = bytearray(128)
        entry[:len(raw)] = raw
        struct.pack_into("<HB", entry, 0x40, len(raw) + 2, kind)
        entries += bytes(entry)
    return header + fat + entries.ljust(size, b"\0")


def test_legacy_doc_is_refused():
    data = _ole("\x01CompObj", "WordDocument", "1Table")
    assert sniff_legacy_doc(data) and not sniff_encrypted_docx(data)
    assert sniff_legacy_doc(_ole("WordDocument", sector_shift=12))
    with pytest.raises(DocumentError) as err:
        read_docx(data)
    assert err.value.code == "legacy_doc"
    assert "libreoffice --headless --convert-to docx" in str(err.value)
    # A bare header followed by the stream name (no readable directory).
    crude = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 120 + "WordDocument".encode("utf-16-le")
    assert sniff_legacy_doc(crude)
    with pytest.raises(DocumentError) as err:
        read_docx(crude)
    assert err.value.code == "legacy_doc"


def test_encrypted_docx_and_other_ole_files():
    data = _ole("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage")
    assert sniff_encrypted_docx(data) and not sniff_legacy_doc(data)
    with pytest.raises(DocumentError) as err:
        read_docx(data)
    assert err.value.code == "encrypted" and str(err.value).startswith("encrypted DOCX: ")
    with pytest.raises(DocumentError) as err:
        read_docx(_ole("Workbook"))
    assert err.value.code == "broken_document"
    assert not sniff_legacy_doc(_ole("Workbook")) and not sniff_legacy_doc(b"PK\x03\x04")


def test_zip_without_document_xml_is_broken():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError) as err:
        read_docx(buf.getvalue())
    assert err.value.code == "broken_document" and "word/document.xml" in str(err.value)


@pytest.mark.parametrize("cut", [10, 100, 0.5, -30])
def test_truncated_docx_is_broken(cut):
    data = write_docx(Document("docx", [Paragraph("标题"), table4_like()]))
    end = int(len(data) * cut) if isinstance(cut, float) else cut
    with pytest.raises(DocumentError) as err:
        read_docx(data[:end])
    assert err.value.code == "broken_document" and str(err.value).startswith("broken DOCX: ")


def test_garbage_and_bad_xml_are_broken():
    rng = random.Random(7)
    for data in (b"", bytes(rng.randrange(256) for _ in range(3000)), b"{\\rtf1 not a docx}"):
        with pytest.raises(DocumentError) as err:
            read_docx(data)
        assert err.value.code == "broken_document"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body>")
    with pytest.raises(DocumentError) as err:
        read_docx(buf.getvalue())
    assert err.value.code == "broken_document"


def test_plain_pass_matches_the_walk():
    """_rows_plain (one C-level pass, for tables without tracked changes or
    nesting) gives the rows _rows_walked gives, on Word-like XML with
    gridBefore/gridAfter, sdt rows and cells, breaks, tabs and merges."""
    from lxml import etree

    from extract.docx import W_NS, _TAGS, _rows_plain, _rows_walked
    T = _TAGS[W_NS]
    rpr = '<w:rPr><w:rFonts w:hint="eastAsia"/><w:sz w:val="20"/></w:rPr>'
    tbl = (
        f'<w:tbl {W}><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>'
        '<w:tr><w:trPr><w:gridAfter w:val="1"/></w:trPr>'
        + _tc(f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r>{rpr}<w:t>属于三类</w:t></w:r>'
              f'<w:r>{rpr}<w:br/><w:t>内部</w:t></w:r></w:p>' + _p("事务信息"), '<w:vMerge w:val="restart"/>')
        + _tc(_p("A") + _p("B"), "") + '</w:tr>'
        '<w:tr><w:tblPrEx/><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        '<w:sdt><w:sdtContent>' + _tc('<w:p><w:r><w:t>1</w:t><w:tab/><w:t>2</w:t></w:r></w:p>',
                                      '<w:gridSpan w:val="2"/>') + '</w:sdtContent></w:sdt></w:tr>'
        '<w:tr>' + _tc("<w:p/>", "<w:vMerge/>") + _tc("<w:p/>", '<w:hMerge w:val="restart"/>')
        + _tc(_p("x"), "<w:hMerge/>") + '</w:tr></w:tbl>')
    el = etree.fromstring(tbl)
    walked = _rows_walked(el, T, [])
    assert _rows_plain(el, T) == walked == [
        (0, 1, [(1, "restart", None, "属于三类内部事务信息"), (1, None, None, "A B")]),
        (1, 0, [(2, None, None, "1 2")]),
        (0, 0, [(1, "continue", None, ""), (1, None, "restart", ""), (1, None, "continue", "x")]),
    ]
    table = read_docx(_docx(tbl.replace(f'<w:tbl {W}>', '<w:tbl>'))).tables[0]
    # Row 1's gridBefore interrupts the vertical merge: row 2's continuation starts a blank cell.
    assert _cells(table) == [(0, 0, 1, 1, "属于三类内部事务信息"), (0, 1, 1, 1, "A B"), (0, 2, 1, 1, ""),
                             (1, 0, 1, 1, ""), (1, 1, 1, 2, "1 2"), (2, 0, 1, 1, ""), (2, 1, 1, 2, "x")]


def test_absurd_grid_is_broken():
    row = "<w:tr>" + _tc(_p("1"), '<w:gridSpan w:val="256"/>') * 40 + "</w:tr>"
    with pytest.raises(DocumentError) as err:
        read_docx(_docx("<w:tbl>" + row * 100 + "</w:tbl>"))
    assert err.value.code == "broken_document" and "100 x 10240" in str(err.value)

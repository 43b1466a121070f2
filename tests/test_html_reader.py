"""extract.html_doc.read_html: portal pages -> Document with grids.

The real page (a CMS's article body, 2019 template) against its truth;
synthetic portal pages (synth.html_writer) read back to the Document they
were written from; hand-written pages for layout tables, Word/GBK markup
and chrome that names another body."""
from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from extract.document import Cell, Document, Paragraph, Table
from extract.html_doc import normalise_text, read_html
from synth.html_writer import write_portal_html

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"
REAL_PAGE = REAL / "input" / "shanghai_office_2019.html"

REQUEST_KEYS = [
    "new_received", "carried_over", "granted", "partially_granted", "denied_state_secret",
    "denied_prohibited_by_law", "denied_three_securities", "denied_third_party_rights", "denied_internal_affairs",
    "denied_process_information", "denied_enforcement_files", "denied_administrative_query", "unable_not_held",
    "unable_needs_creation", "unable_unclear", "not_processed_petition", "not_processed_repeated",
    "not_processed_publication", "not_processed_excessive", "not_processed_confirmation", "other_handling",
    "total_processed", "carried_forward",
]
APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total"]
PROCEEDINGS = ["administrative_review", "litigation_direct", "litigation_after_review"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]


def _printed(v) -> str:
    return "" if v is None else str(v)


def _texts(row) -> list[str | None]:
    return [c.text if c is not None else None for c in row]


def _paragraphs(doc: Document) -> list[str]:
    return [b.text for b in doc.body if isinstance(b, Paragraph)]


def _find_row(table: Table, label: str) -> list[str | None]:
    for row in table.dense():
        if row[0] is not None and label in row[0].text:
            return _texts(row)
    raise AssertionError(f"no row labelled {label}")


# ------------------------------------------------------------------ the real page

@pytest.fixture(scope="module")
def real():
    if not REAL_PAGE.is_file():
        pytest.skip(f"real page not found at {REAL_PAGE} (it lives in ../shared/real beside the checkout)")
    text = REAL_PAGE.read_text(encoding="utf-8")
    truth = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))["files"]["shanghai_office_2019.html"]
    return text, read_html(text), truth


def test_real_page_blocks(real):
    _, doc, _ = real
    assert doc.format == "html"
    paras = _paragraphs(doc)
    assert paras[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert not any(p.startswith("发布日期") for p in paras)  # the CMS's date line under the title
    assert "六、其他需要报告的事项" in paras and paras[-1] == "无。"
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(18, 5), (26, 10), (4, 15)]
    # Tables sit between their section headings.
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.body]
    assert kinds[kinds.index("二、主动公开政府信息情况") + 1] == "T"
    assert kinds[kinds.index("三、收到和处理政府信息公开申请情况") + 1] == "T"
    assert kinds[kinds.index("四、政府信息公开行政复议、行政诉讼情况") + 1] == "T"


def test_real_page_requests_grid(real):
    _, doc, truth = real
    t3 = doc.tables[1]
    grid = t3.dense()
    assert all(cell is not None for row in grid for cell in row)  # no position lost
    new = _find_row(t3, "本年新收")
    assert new[-7:] == [_printed(truth["requests"]["new_received"][a]) for a in APPLICANTS]
    assert new[-7:] == ["821", "35", "", "", "2", "1", "859"]
    carried = _find_row(t3, "上年结转")
    assert carried[-7:] == ["18", "", "", "", "", "", "18"]
    # Every figure row, in the template's order, from grid row 3 on.
    for i, key in enumerate(REQUEST_KEYS):
        row = _texts(grid[3 + i])
        assert row[-7:] == [_printed(truth["requests"][key][a]) for a in APPLICANTS], key
    # Group labels are rowspans covering their rows.
    assert _texts(grid[7])[:3] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    assert grid[5][0] is grid[24][0] is not None and grid[5][0].rowspan == 20 and grid[5][0].text == "三、本年度办理结果"
    header = grid[2]
    assert _texts(header)[3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def test_real_page_review_litigation_grid(real):
    _, doc, truth = real
    t4 = doc.tables[2]
    grid = t4.dense()
    assert _texts(grid[0])[0] == "行政复议" and _texts(grid[0])[5] == "行政诉讼"
    assert _texts(grid[1])[5] == "未经复议直接起诉" and _texts(grid[1])[10] == "复议后起诉"
    want = [_printed(truth["review_litigation"][p][o]) for p in PROCEEDINGS for o in OUTCOMES]
    assert _texts(grid[3]) == want
    assert want[:10] == ["5", "", "", "2", "7", "8", "", "", "1", "9"]


def test_real_page_active_grid(real):
    _, doc, truth = real
    t2 = doc.tables[0]
    regs = truth["active_disclosure"]["art20_1"]["regulations"]
    row = _find_row(t2, "规章")
    # 本年新公开数量 is a colspan=2 cell: the same cell covers columns 2 and 3.
    assert row == ["规章", str(regs["new_made"]), str(regs["new_published"]), str(regs["new_published"]),
                   str(regs["total_published"])]
    assert _find_row(t2, "信息内容")[1] == "本年新制作数量"  # 本年新<br />制作数量
    assert _find_row(t2, "政府集中采购")[1] == "6"


def test_real_page_speed(real):
    text, _, _ = real
    read_html(text)
    n = 20
    t0 = time.perf_counter()
    for _ in range(n):
        read_html(text)
    ms = (time.perf_counter() - t0) / n * 1000
    print(f"read_html: {ms:.1f} ms per page ({len(text)} chars)")
    assert ms < 250  # measured ~3.5 ms; generous for a shared machine


# ------------------------------------------------------------------ round trip

def _table3() -> Table:
    cells: list[Cell] = []

    def add(text, r, c, rs=1, cs=1):
        cells.append(Cell(text, r, c, rs, cs))

    add("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, 0, 3, 3)
    add("申请人情况", 0, 3, 1, 7)
    add("自然人", 1, 3, 2, 1)
    add("法人或其他组织", 1, 4, 1, 5)
    add("总计", 1, 9, 2, 1)
    for i, h in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        add(h, 2, 4 + i)
    add("一、本年新收政府信息公开申请数量", 3, 0, 1, 3)
    for i, v in enumerate(["821", "35", "", "", "2", "1", "859"]):
        add(v, 3, 3 + i)
    add("二、上年结转政府信息公开申请数量", 4, 0, 1, 3)
    for i, v in enumerate(["18", "", "", "", "", "", "18"]):
        add(v, 4, 3 + i)
    add("三、本年度办理结果", 5, 0, 4, 1)
    add("（一）予以公开", 5, 1, 1, 2)
    add("（三）不予公开", 6, 1, 3, 1)
    add("1.属于国家秘密", 6, 2)
    add("2.其他法律行政法规禁止公开", 7, 2)
    add("3.危及“三安全一稳定”", 8, 2)
    for r in (5, 6, 7, 8):
        for i in range(7):
            add(str(r * i + 1) if (r + i) % 3 else "", r, 3 + i)
    return Table(cells, 9, 10)


def _table4() -> Table:
    cells = [Cell("行政复议", 0, 0, 1, 5), Cell("行政诉讼", 0, 5, 1, 10)]
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for i, o in enumerate(outcomes):
        cells.append(Cell(o, 1, i, 2, 1))
    cells += [Cell("未经复议直接起诉", 1, 5, 1, 5), Cell("复议后起诉", 1, 10, 1, 5)]
    for i in range(10):
        cells.append(Cell(outcomes[i % 5], 2, 5 + i))
    for i, v in enumerate(["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", "0"]):
        cells.append(Cell(v, 3, i))
    return Table(cells, 4, 15)


def _table2() -> Table:
    cells = [Cell("第二十条第（一）项", 0, 0, 1, 4),
             Cell("信息内容", 1, 0), Cell("本年新制作数量", 1, 1), Cell("本年新公开数量", 1, 2), Cell("对外公开总数量", 1, 3),
             Cell("规章", 2, 0), Cell("0", 2, 1), Cell("", 2, 2), Cell("12", 2, 3),
             Cell("行政规范性文件", 3, 0), Cell("3", 3, 1), Cell("3", 3, 2), Cell("1,024", 3, 3)]
    return Table(cells, 4, 4)


def _document(title: str) -> Document:
    return Document("html", [
        Paragraph(title),
        Paragraph("一、总体情况"),
        Paragraph("2019年，本机关认真贯彻落实《条例》，按照Word 2019的模板编制本报告，全年主动公开信息1,234条。"),
        Paragraph("二、主动公开政府信息情况"),
        _table2(),
        Paragraph("三、收到和处理政府信息公开申请情况"),
        _table3(),
        Paragraph("四、政府信息公开行政复议、行政诉讼情况"),
        _table4(),
        Paragraph("五、存在的主要问题及改进情况"),
        Paragraph("一是信息公开的及时性有待提高。"),
        Paragraph("六、其他需要报告的事项"),
        Paragraph("无。"),
    ])


def _key(doc: Document):
    out = []
    for b in doc.body:
        if isinstance(b, Paragraph):
            out.append(("P", b.text))
        else:
            out.append(("T", b.n_rows, b.n_cols,
                        sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in b.cells)))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_round_trip(seed):
    rng = random.Random(seed)
    site = rng.choice(["沭阳县人民政府", "淮安市人民政府", "上海市人民政府", "某某区人民政府"])
    title = rng.choice(["2019年沭阳县发展和改革局政府信息公开工作年度报告",
                        "某某区财政局2020年度政府信息公开工作年度报告",
                        "2021年某某镇人民政府政务公开工作年度报告"])
    doc = _document(title)
    page = write_portal_html(doc, site=site, rng=rng, charset=rng.choice(["utf-8", "gb2312"]))
    assert f"<title>{title} - {site}</title>" in page and "当前位置" in page and "网站标识码" in page
    got = read_html(page)
    assert _key(got) == _key(doc)
    paras = _paragraphs(got)
    assert paras[0] == title
    assert not any("当前位置" in p or p.startswith(("标题", "发布机构", "发布日期")) or "网站标识码" in p
                   for p in paras)


def test_round_trip_texts_are_normalised():
    # The writer writes what the reader reads; both agree on normalise_text.
    assert normalise_text("\u3000\u3000本年新 公开\u00a0数量 \r\n") == "本年新公开数量"
    assert normalise_text(" Word  2019\u00a0年 ") == "Word 2019年"
    assert normalise_text("\u00a0") == ""


# ------------------------------------------------------------------ hand-written pages

def test_table_nested_in_layout_table():
    page = """<html><body>
    <table width="100%" border="0"><tr><td class="left"><a href="/">首页</a></td></tr></table>
    <table width="960" border="0" cellpadding="0"><tr><td>
      <table width="100%"><tr><td>
        <p align="center"><b>2019年某某县统计局政府信息公开工作年度报告</b></p>
        <p>一、总体情况</p>
        <table border="1" cellspacing="0">
          <tr><td colspan="2">第二十条第（一）项</td></tr>
          <tr><td>信息内容</td><td>本年新<br>制作数量</td></tr>
          <tr><td>规章</td><td>&nbsp;</td></tr>
          <tr><td>规范性文件</td><td>7</td></tr>
        </table>
        <p>六、其他需要报告的事项</p>
      </td></tr></table>
    </td></tr></table>
    </body></html>"""
    doc = read_html(page)
    assert _paragraphs(doc) == ["2019年某某县统计局政府信息公开工作年度报告", "一、总体情况", "六、其他需要报告的事项"]
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.n_rows, t.n_cols) == (4, 2)
    assert [_texts(r) for r in t.dense()] == [
        ["第二十条第（一）项", "第二十条第（一）项"], ["信息内容", "本年新制作数量"], ["规章", ""], ["规范性文件", "7"]]


def test_word_markup_gbk_page():
    page = ("<?xml version=\"1.0\" encoding=\"gbk\"?>\r\n<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
            "<head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"><title>年报</title></head><body>"
            "<div class=Section1>"
            "<p class=MsoNormal align=center><b><span style='font-size:22.0pt'>2020年某某市交通运输局<br>"
            "政府信息公开工作年度报告</span></b><span lang=EN-US><o:p></o:p></span></p>"
            "<p class=MsoNormal>\u3000\u3000<span lang=EN-US>2020</span><span>年，本局\r\n主动公开信息</span>"
            "<span lang=EN-US>35</span><span>条。</span><o:p></o:p></p>"
            "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=600>"
            "<tr><td width=200 rowspan=2><p class=MsoNormal><span>行政复议</span></p></td>"
            "<td width=100><p class=MsoNormal align=center><span>结果<br>维持</span></p></td>"
            "<td width=100><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p></td></tr>"
            "<tr><td> </td><td><p class=MsoNormal><span lang=EN-US>1<o:p></o:p></span></p></td></tr>"
            "<tr><td>\u3000</td><td><o:p></o:p></td><td>2</td></tr>"
            "</table></div></body></html>")
    doc = read_html(page)
    assert _paragraphs(doc) == ["2020年某某市交通运输局政府信息公开工作年度报告", "2020年，本局主动公开信息35条。"]
    t = doc.tables[0]
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert [_texts(r) for r in t.dense()] == [
        ["行政复议", "结果维持", ""], ["行政复议", "", "1"], ["", "", "2"]]
    blanks = [c for c in t.cells if c.text == ""]
    assert len(blanks) == 4 and all(c.rowspan == c.colspan == 1 for c in blanks)


def test_chrome_naming_another_body():
    page = """<!DOCTYPE html><html><head><title>沭阳县发展和改革局 - 沭阳县人民政府</title>
    <script>var t="<p>2018年沭阳县人民政府政府信息公开工作年度报告</p>";</script></head><body>
    <div class="header"><div class="logo">沭阳县人民政府</div><ul class="nav"><li><a href="/">首页</a></li>
      <li><a href="/xxgk">政府信息公开</a></li></ul></div>
    <div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk">政府信息公开</a> &gt; <span>沭阳县发展和改革局</span></div>
    <div class="wrap">
      <div class="sidebar"><ul><li><a href="/a">2018年沭阳县发展和改革局政府信息公开工作年度报告</a></li>
        <li><a href="/b">2017年沭阳县发展和改革局政府信息公开工作年度报告</a></li>
        <li><a href="/c">2016年沭阳县发展和改革局政府信息公开工作年度报告</a></li></ul></div>
      <div class="article">
        <div>标题:沭阳县发展和改革局</div>
        <div>发布机构：沭阳县人民政府办公室&nbsp;&nbsp;发布日期：2020-01-20&nbsp;&nbsp;浏览次数：<span>123</span></div>
        <div>当前位置：首页 &gt; 沭阳县发展和改革局</div>
        <h2 class="article-title">2019年沭阳县发展和改革局政府信息公开工作年度报告</h2>
        <div>来源：沭阳县发展和改革局 字号：大 中 小</div>
        <div class="TRS_Editor">
          <p>一、总体情况</p><p>本局认真落实《条例》。来源：本局统计。</p>
          <table border="1"><tr><td>本年新收</td><td>3</td><td></td><td>4</td></tr>
            <tr><td>上年结转</td><td>0</td><td>&nbsp;</td><td>0</td></tr></table>
        </div>
        <div class="share">分享到：<a>微信</a> <a>微博</a></div>
        <p>【打印本页】【关闭窗口】</p>
      </div>
    </div>
    <div class="footer">主办：沭阳县人民政府 网站标识码：3213220001</div>
    </body></html>"""
    doc = read_html(page)
    paras = _paragraphs(doc)
    assert paras == ["2019年沭阳县发展和改革局政府信息公开工作年度报告", "一、总体情况", "本局认真落实《条例》。来源：本局统计。"]
    assert [_texts(r) for r in doc.tables[0].dense()] == [["本年新收", "3", "", "4"], ["上年结转", "0", "", "0"]]


def test_metadata_table_and_nested_data_table():
    page = """<body><div class="con">
      <table class="xxgk"><tr><td>索引号：</td><td>014100/2020-0001</td><td>发布机构：</td><td>某某市人民政府</td></tr>
        <tr><td>名称：</td><td>2019年某某市民政局政府信息公开工作年度报告</td><td>发布日期：</td><td>2020-01-30</td></tr></table>
      <p>2019年某某市民政局政府信息公开工作年度报告</p>
      <table border="1"><tr><td>行政复议</td><td>1</td><td>2</td><td>3<table><tr><td>注</td><td>9</td></tr></table></td></tr></table>
    </div></body>"""
    doc = read_html(page)
    assert _paragraphs(doc) == ["2019年某某市民政局政府信息公开工作年度报告"]
    assert len(doc.tables) == 2
    outer, inner = doc.tables
    assert [_texts(r) for r in outer.dense()] == [["行政复议", "1", "2", "3"]]  # nested text not in the cell
    assert [_texts(r) for r in inner.dense()] == [["注", "9"]]


def test_spans_clamped_and_empty_rows():
    page = """<p>2019年某局政府信息公开工作年度报告</p><table border=1>
      <tr><td rowspan=0>a</td><td colspan=100>1</td><td rowspan="2;">3</td></tr>
      <tr><td>x</td></tr>
      <tr></tr>
      <tr><td colspan=-2>4</td><td rowspan=999>5</td></tr></table>"""
    t = read_html(page).tables[0]
    # rowspan=0 and 999 run to the last row, colspan=100 is cut to the
    # table's width, colspan=-2 is 1, "2;" is 2, the empty row is gone.
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert [_texts(r) for r in t.dense()] == [["a", "1", "3"], ["a", "x", "3"], ["a", "4", "5"]]


@pytest.mark.parametrize("text", ["", "   ", "<html></html>", "\x01\x02", "<p>\u00a0<o:p></o:p></p>"])
def test_empty_pages(text):
    assert read_html(text).body == []


def test_calendar_sidebar_and_no_title():
    calendar = ("<div class=\"sidebar\"><table><tr><td>日</td><td>一</td><td>二</td></tr>"
                "<tr><td>1</td><td>2</td><td>3</td></tr><tr><td>4</td><td>5</td><td>6</td></tr></table></div>")
    report = ("<table border=1><tr><td>信息内容</td><td>本年新制作数量</td></tr>"
              "<tr><td>规章</td><td>5</td></tr><tr><td>规范性文件</td><td>&nbsp;</td></tr></table>")
    page = (f"<body><div class=\"main\">{calendar}<div class=\"content\">"
            f"<h1>2019年某某区政府信息公开工作年度报告</h1><p>二、主动公开政府信息情况</p>{report}</div></div></body>")
    doc = read_html(page)
    assert _paragraphs(doc) == ["2019年某某区政府信息公开工作年度报告", "二、主动公开政府信息情况"]
    assert len(doc.tables) == 1 and doc.tables[0].dense()[2][1].text == ""
    # Without a title the article is found from its largest data table.
    untitled = (f"<body><div class=\"nav\"><a href=\"/\">首页</a></div><div class=\"main\">{calendar}"
                f"<div class=\"content\"><p>二、主动公开政府信息情况</p>{report}</div></div>"
                f"<div class=\"footer\">网站标识码：1234567890</div></body>")
    doc = read_html(untitled)
    assert _paragraphs(doc) == ["二、主动公开政府信息情况"]
    assert [_texts(r) for r in doc.tables[0].dense()] == [["信息内容", "本年新制作数量"], ["规章", "5"], ["规范性文件", ""]]

"""One small fixture per class of error seen on reports this project did
not write: money units printed only in a wrapped header, page chrome taken
for the agency, table-3 labels wrapped around a group label, fillers in
header rows, blank rows and spans that differ between header and data."""
import pandas as pd

from extract.document import Cell, Document, Paragraph, Table
from extract.grid import read_active, read_requests
from extract.report import extract_document, extract_report
from extract.units import header_money_unit
from transform.frames import _money_units, _read_active


def _amount(extraction, article="art20_9", item="centralized_procurement", metric_index=1):
    metrics = ("procurement_items", "procurement_amount")
    units = _money_units(metrics, extraction.money_units)
    raw = extraction.active[(article, item)][metric_index]
    return _read_active(raw, units[metric_index])


def test_header_units_however_written():
    assert header_money_unit("采购总金额(元)") == "元"
    assert header_money_unit("采购总金额（\n元）") == "元"
    assert header_money_unit("采购总金额（单位: 元）") == "元"
    assert header_money_unit("本年收费金额（单位：万元）") == "万元"
    assert header_money_unit("采购总金额") is None
    # a unit that cannot be read with certainty: never a guess
    assert header_money_unit("采购总金额（千元）") == "?"
    assert header_money_unit("采购总金额(元/万元)") == "?"
    assert header_money_unit("采购总金额(") == "?"


TABLE2_SPACED = """XX区财政局2020年政府信息公开工作年度报告
一、总体情况
全年主动公开信息120条。
二、主动公开政府信息情况
第二十条第（九）项
信息内容            采购项目数量      采购总金额(
                                      元)
政府集中采购              12          251000
三、收到和处理政府信息公开申请情况
"""


def test_money_header_wrapped_over_lines_in_space_aligned_text():
    e = extract_report(TABLE2_SPACED)
    assert e.money_units == {"procurement_amount": "元"}
    assert _amount(e) == (25.1, None, -1)


TABLE2_PARAGRAPHS = """XX区财政局2020年政府信息公开工作年度报告

二、主动公开政府信息情况

第二十条第（九）项

信息内容

采购项目数量

采购总金额(元)

政府集中采购

12

251000

三、收到和处理政府信息公开申请情况
"""


def test_money_header_with_ascii_brackets_in_a_blank_line_export():
    e = extract_report(TABLE2_PARAGRAPHS)
    assert _amount(e) == (25.1, None, -1)


def test_unreadable_header_unit_leaves_the_amount_null():
    e = extract_report(TABLE2_PARAGRAPHS.replace("采购总金额(元)", "采购总金额(千元)"))
    value, error, code = _amount(e)
    assert value is None and error.startswith("unit unknown")
    from transform.frames import CELL_ERROR_CODES
    assert CELL_ERROR_CODES[code] == "unit_unknown"
    assert _read_active("0", "?") == (0.0, None, -1)      # a bare 0 needs no unit


def _grid(rows: list[list[str]]) -> Table:
    return Table([Cell(t, r, c) for r, row in enumerate(rows) for c, t in enumerate(row)],
                 len(rows), max(map(len, rows)))


def test_a_filler_in_a_header_row_keeps_it_a_header():
    table = _grid([
        ["第二十条第（九）项", "", "", ""],
        ["信息内容", "采购项目数量", "采购总金额(元)", "——"],
        ["政府集中采购", "278", "1,842,000", "——"],
    ])
    result = read_active(Document("html", [table]), "2019")
    assert result.cells[("art20_9", "centralized_procurement")] == ["278", "1,842,000"]
    assert result.extra["money_units"] == {"procurement_amount": "元"}


HEADER3 = [["信息", "申请人情况", "", "", "", "", "", ""],
           ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]


def test_blank_rows_stay_in_place_and_wrapped_rows_join():
    table = _grid(HEADER3 + [
        ["一、本年新收政府信息公开申请数量", "5", "", "", "", "", "", "5"],
        ["2．其他法律行政法规禁止公开", "", "", "", "", "", "", ""],
        ["6．属于四类", "1", "0", "0", "0", "0", "0", "1"],
        ["过程性信息", "", "", "", "", "", "", ""],
        ["（七）总计", "3", "0", "0", "0", "0", "0", "3"],
    ])
    result = read_requests(Document("html", [table]))
    assert result.cells["new_received"] == ["5", "", "", "", "", "", "5"]
    assert result.cells["denied_prohibited_by_law"] == [""] * 7
    assert result.cells["denied_process_information"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert result.cells["total_processed"] == ["3", "0", "0", "0", "0", "0", "3"]
    assert result.notes == []


def test_ragged_spans_pair_cell_by_cell():
    # the header spans 本年增/减 over two columns, the data row spans its first figure
    cells = [Cell("第二十条第（五）项", 0, 0, colspan=5),
             Cell("信息内容", 1, 0), Cell("上一年项目数量", 1, 1), Cell("本年增/减", 1, 2, colspan=2),
             Cell("处理决定数量", 1, 4),
             Cell("行政许可", 2, 0), Cell("7", 2, 1, colspan=2), Cell("-2", 2, 3), Cell("30", 2, 4)]
    result = read_active(Document("html", [Table(cells, 3, 5)]), "2019")
    assert result.cells[("art20_5", "administrative_licensing")] == ["7", "-2", "30"]


SPACED_GROUP = """XX区政府办公室2020年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
                                       自然人  商业企业  科研机构  社会公益组织  法律服务机构  其他  总计
一、本年新收政府信息公开申请数量         3        0         0          0            0         0     3
二、上年结转政府信息公开申请数量         0        0         0          0            0         0     0
        5．属于三类内部
（三）不予公开
        事务信息                        2        0         0          0            0         0     2
（七）总计                              3        0         0          0            0         0     3
四、政府信息公开行政复议、行政诉讼情况
"""


def test_a_group_label_between_the_lines_of_a_wrapped_label():
    e = extract_report(SPACED_GROUP)
    assert e.requests["denied_internal_affairs"] == ["2", "0", "0", "0", "0", "0", "2"]


BREADCRUMB_PAGE = """<html><head><title>2021年政府信息公开工作年度报告 - 某某市人民政府</title></head><body>
<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="info"><p>发布机构：某某市人民政府</p><p>发布日期：2022-01-20</p></div>
<div class="article"><p>2021年政府信息公开工作年度报告</p>
<p>本报告由某某市民政局根据《中华人民共和国政府信息公开条例》编制。</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td>第二十条第（一）项</td><td></td><td></td><td></td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>3</td></tr></table>
<table><tr><td>第二十条第（五）项</td><td></td></tr><tr><td>信息内容</td><td>本年处理决定数量</td></tr>
<tr><td>行政许可</td><td>12</td></tr></table></div>
<div class="footer">主办：某某市人民政府</div></body></html>"""


def test_agency_from_the_report_never_from_the_page():
    e = extract_report(BREADCRUMB_PAGE)
    assert e.agency == "某某市民政局"
    assert e.active[("art20_5", "administrative_licensing")] == ["12"]


def test_agency_strips_what_surrounds_a_name_and_refuses_fragments():
    assert extract_report("2019年上海市人民政府办公厅政府信息公开工作年度报告\n一、总体情况\n"
                          "二、主动公开政府信息情况\n第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t1\n").agency \
        == "上海市人民政府办公厅"
    doc = Document("markdown", [Paragraph("# 当前位置：首页 > 2021年政府信息公开工作年度报告"),
                                _grid([["第二十条第（五）项", ""], ["信息内容", "本年处理决定数量"], ["行政许可", "1"]])])
    assert extract_document(doc).agency is None


MIXED_TEMPLATE_MD = """# 某区人民政府2023年政府信息公开工作年度报告

## 二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
|---|---|---|---|
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 3 | 1 | 20 |

## 三、收到和处理政府信息公开申请情况

| 项目 | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
|---|---|---|---|---|---|---|---|---|
| 一、本年新收政府信息公开申请数量 | | 5 | 0 | 0 | 0 | 0 | 0 | 5 |
| 三、本年度办理结果 | （一）予以公开 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
| 三、本年度办理结果 | （六）其他处理 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
| 三、本年度办理结果 | （七）总计 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |

## 四、政府信息公开行政复议、行政诉讼情况
"""


def test_table2_of_2021_with_table3_other_handling_as_the_2019_template_prints_it():
    # real 2023/2024 reports keep the old table 3's single （六）其他处理 row
    # under the 2021 table 2: read by table 2's template, the printed row
    # kept, the 2021 rows （六）1–3 absent (null, cell not found), not the
    # whole of table 2 lost for want of a template
    from extract.files import ParsedReport
    from transform.frames import build_frames

    e = extract_report(MIXED_TEMPLATE_MD)
    assert e.template == "2021"
    assert [n.code for n in e.notes if n.table == "template"] == ["mixed_template"]
    assert e.active[("art20_1", "normative_documents")] == ["3", "1", "20"]
    frames = build_frames([ParsedReport("r1", "a.md", 1, 0, "utf-8", None, e, None, "markdown")])
    req = frames["requests"].set_index(["row", "applicant"])
    assert req.loc[("other_handling", "natural_person"), "value"] == 2
    for row in ("other_no_correction", "other_unpaid_fee", "other_misc"):
        assert req.loc[(row, "total"), "value"] is pd.NA
        assert req.loc[(row, "total"), "cell_error"] == "cell not found"
    act = frames["active_disclosure"].set_index(["item", "metric"])
    assert act.loc[("normative_documents", "in_force"), "value"] == 20


def test_old_table3_without_table2_takes_the_template_of_the_reports_year():
    # the same old table 3 in a 2023 report whose table 2 is missing: no
    # table 2 to tell, so the year's template (2021), not the one the
    # （六） row suggests; the 2021 rows are absent and noted
    from extract.report import detect_template

    no_table2 = MIXED_TEMPLATE_MD.replace(MIXED_TEMPLATE_MD[MIXED_TEMPLATE_MD.index("| 第二十条"):
                                                           MIXED_TEMPLATE_MD.index("## 三、")], "")
    e = extract_report(no_table2)
    assert e.active is None and e.year == 2023 and e.template == "2021"
    note = next(n for n in e.notes if n.table == "template")
    assert note.code == "mixed_template" and "instead of other_no_correction" in note.message
    assert e.requests["other_handling"] == ["2", "0", "0", "0", "0", "0", "2"]
    # with its table 2, or in a 2020 report, the row's template stands
    assert detect_template([], {"other_handling"}, 2020) == ("2019", [])
    assert detect_template([], {"other_handling"}, None) == ("2019", [])
    assert detect_template(["本年新制作数量"], {"other_handling"}, 2023) == ("2019", [])


def test_table3_label_printed_with_words_missing():
    # a real 2023 report prints 「2.其他法律行政止公开」 (「法规禁」 dropped):
    # only one row's label starts 其他法律行政; nothing else matches it
    from extract.tables import match_text
    assert match_text("2.其他法律行政止公开") == "denied_prohibited_by_law"
    assert match_text("其他法律行政法规禁止公开") == "denied_prohibited_by_law"
    assert match_text("（六）其他处理") == "other_handling"
    assert match_text("法律行政") is None


def test_table3_row_whose_words_name_none_taken_by_its_number_under_its_group():
    # a row printed with words missing or misread (「5．属于三类内部信息」,
    # 「2．需新制作的信息」): its number under its group names it, with a
    # note saying so; never beyond the group's rows (「9．」 under
    # 不予公开), nor where another row's words name that row
    cells = [Cell("信息", 0, 0, colspan=2), Cell("申请人情况", 0, 2, colspan=7)] + [
        Cell(t, 1, 2 + i) for i, t in enumerate(["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                                                 "其他", "总计"])]
    body = [("（三）不予公开", "1．属于国家秘密", "1"), (None, "5．属于三类内部信息", "2"),
            (None, "8．属于行政查询事项", "0"), (None, "9．暂缓公开事项", "4"),
            ("（四）无法提供", "1．本机关不掌握相关政府信息", "3"), (None, "2．需新制作的信息", "6")]
    r = 2
    for i, (group, label, v) in enumerate(body):
        if group:
            cells.append(Cell(group, r + i, 0, rowspan=4 if group.endswith("公开") else 2))
        cells += [Cell(label, r + i, 1)] + [Cell(v if c in (2, 8) else "0", r + i, c) for c in range(2, 9)]
    table = Table(cells, r + len(body), 9)
    result = read_requests(Document("html", [table]))
    assert result.cells["denied_internal_affairs"] == ["2", "0", "0", "0", "0", "0", "2"]
    assert result.cells["unable_needs_creation"] == ["6", "0", "0", "0", "0", "0", "6"]
    assert "denied_enforcement_files" not in result.cells       # 「9．」: no ninth row in the group
    assert sorted(n.code for n in result.notes) == ["named_by_number", "named_by_number", "unknown_label"]
    # where another row's words name it, a row is not taken by its number
    cells.append(Cell("属于三类内部事务信息", r + len(body), 1))
    cells += [Cell("7", r + len(body), c) for c in range(2, 9)]
    result = read_requests(Document("html", [Table(cells, r + len(body) + 1, 9)]))
    assert result.cells["denied_internal_affairs"] == ["7"] * 7


def test_markdown_table3_row_taken_by_its_number_under_the_group_printed_above():
    # Markdown has no spans: a group's label is printed in its first row
    # only, the rows below leave that cell empty.  「8.属于查询事项」
    # (「行政」 missing) sits in the group 「（三）不予公开」 printed two rows
    # above; a row naming a row outside the groups (「（七）总计」) ends it.
    from extract.markdown import read_markdown
    head = "| 本列数据的勾稽关系 | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
    rule = "|" + " --- |" * 9 + "\n"

    def row(group, label, v):
        return f"| {group} | {label} | " + " | ".join([v, "0", "0", "0", "0", "0", v]) + " |\n"
    text = head + rule + row("（三）不予公开", "1．属于国家秘密", "1") + row("", "7．属于行政执法案卷", "2") \
        + row("", "8.属于查询事项", "3") + row("（四）无法提供", "1．本机关不掌握相关政府信息", "4") \
        + row("（七）总计", "", "5") + row("", "2.某某事项", "6")
    result = read_requests(read_markdown(text))
    assert result.cells["denied_administrative_query"] == ["3", "0", "0", "0", "0", "0", "3"]
    assert result.cells["unable_not_held"] == ["4", "0", "0", "0", "0", "0", "4"]
    # after （七）总计 no numbered group is open: 「2.某某事项」 is not
    # taken as the second row of （四）无法提供
    assert "unable_needs_creation" not in result.cells and result.cells["total_processed"][0] == "5"
    assert sorted(n.code for n in result.notes) == ["named_by_number", "unknown_label"]

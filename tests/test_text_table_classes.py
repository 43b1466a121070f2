"""Classes of text tables the blind corpus showed misread: each with a
small hand-made input (no generator), read by the table readers."""
from extract.layout import rows_paragraph, rows_spaced
from extract.tables import extract_requests, extract_review

NB = "\u00a0"


def _paragraphs(cells: list[str]) -> list[str]:
    lines = []
    for c in cells:
        lines += [c, ""]
    return lines


def test_review_one_per_line_cell_stream_merged_blank_after_figure():
    # table 4 one figure per line, the proceeding a merged cell over five
    # lines: a cell stream prints its covered position (a NBSP blank) at
    # the start of each next line, i.e. right after the figure above
    cells = ["类别", "数量"]
    figures = {"行政复议": ["0", "64", "76", "0", "140"],
               "行政诉讼（未经复议直接起诉）": ["26", "25", "31", "20", "102"],
               "行政诉讼（复议后起诉）": ["32", "30", "1", "19", "82"]}
    for name, values in figures.items():
        for i, (label, v) in enumerate(zip(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"], values)):
            cells += ([name] if i == 0 else [NB]) + [label, v]
    res = extract_review(rows_paragraph(_paragraphs(cells)))
    assert res.cells == {"administrative_review": ["0", "64", "76", "0", "140"],
                         "litigation_direct": ["26", "25", "31", "20", "102"],
                         "litigation_after_review": ["32", "30", "1", "19", "82"]}


def test_review_one_per_line_blank_figure_never_shifts():
    # a blank figure in a cell stream runs two outcomes into one row: the
    # table may stay unread, but no figure may move to another outcome
    cells = []
    for name in ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"):
        for i, label in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
            v = NB if (name == "行政复议" and label == "结果纠正") else "1"
            cells += ([name] if i == 0 else [NB]) + [label, v]
    res = extract_review(rows_paragraph(_paragraphs(cells)))
    for proceeding, cells in res.cells.items():
        assert cells in ([None] * 5, ["1", "", "1", "1", "1"] if proceeding == "administrative_review" else ["1"] * 5)


SPACED_T4 = """\
             类别             数量
                    结果维持   0
                    结果纠正   0
  行政复议          其他结果   1
                    尚未审结   0
                    总计       1
                    结果维持   2
  行政诉讼（未经复  结果纠正   0
  议直接起诉）      其他结果   0
                    尚未审结   0
                    总计       2
                    结果维持   0
  行政诉讼（复议后  结果纠正   0
  起诉）            其他结果   0
                    尚未审结   1
                    总计       1
"""


def test_review_one_per_line_proceeding_wrapped_without_a_naming_fragment():
    # 「行政诉讼（复议后」 over 「起诉）」: neither line names the proceeding alone
    res = extract_review(rows_spaced(SPACED_T4.splitlines()))
    assert res.cells == {"administrative_review": ["0", "0", "1", "0", "1"],
                         "litigation_direct": ["2", "0", "0", "0", "2"],
                         "litigation_after_review": ["0", "0", "0", "1", "1"]}


HEADER = """\
                                                                          申请人情况
    （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四       法人或其他组织
                              项之和）                  自然人   商业企业   科研机构   社会公益   法律服务   其他   总计
                                                                                       组织       机构"""

ROW = "{label:<40}  {v}     0     0     0     0     0     {v}"


def _t3(body: list[str]) -> list[str]:
    return HEADER.splitlines() + body


def test_requests_label_split_by_page_break_and_repeated_header():
    # a wrapped label's first line before a page break, the header printed
    # again, then the rest of the label beside the figures
    body = [ROW.format(label="一、本年新收政府信息公开申请数量", v=5),
            ROW.format(label="（一）予以公开", v=1),
            "                         （二）部分公开（区分",
            "",
            "                                      1",
            "\f",
            *HEADER.splitlines(),
            ROW.format(label="                         处理的，只计这一情形", v=3),
            ROW.format(label="1．属于国家秘密", v=0)]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["partially_granted"][0] == "3"
    assert res.cells["denied_state_secret"][0] == "0"


def test_requests_label_split_in_three_by_page_break_repeated_header_and_wrap():
    # the label's first line at the foot of a page, the header printed
    # again, then the rest of the label wrapped over two more lines, the
    # figures beside the last
    body = [ROW.format(label="一、本年新收政府信息公开申请数量", v=5),
            ROW.format(label="（一）予以公开", v=1),
            "                                          1．属于",
            "",
            "                                      第 1 页",
            "\f",
            *HEADER.splitlines(),
            "                                          国",
            ROW.format(label="                                          家秘密", v=2),
            ROW.format(label="                                          2．其他法律行政法规禁止公开", v=0)]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["denied_state_secret"] == ["2", "0", "0", "0", "0", "0", "2"]
    assert res.cells["denied_prohibited_by_law"][0] == "0"
    assert not res.notes


def test_requests_text_after_a_repeated_header_that_starts_no_label_is_not_joined():
    # a line after the repeated header that cannot go on the carried label
    # (a header fragment) is not glued to it: the label's tail still names it
    body = [ROW.format(label="（一）予以公开", v=1),
            "                                          1．属于",
            "\f",
            *HEADER.splitlines(),
            "                              项之和）",
            ROW.format(label="                                          国家秘密", v=2)]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["denied_state_secret"][0] == "2"


def test_requests_label_tail_below_figures_does_not_name_the_next_row():
    # 「3．要求」 (figures) / 「提供公」 / 「开出版物」: the last fragment alone
    # names the row already read; the next row 「4．无正」 / 「当理由大量」
    # must not be taken for it
    body = [ROW.format(label="                  1．信访举报投诉类申请", v=1),
            ROW.format(label="                  3．要求", v=2),
            "                  提供公",
            "                  开出版物",
            ROW.format(label="                  4．无正", v=7),
            "                  当理由大量",
            "                  反复申请",
            ROW.format(label="                  5．要求行政机关确认", v=0),
            "                  或重新出具已获取信息"]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["not_processed_publication"][0] == "2"
    assert res.cells["not_processed_excessive"][0] == "7"
    assert res.cells["not_processed_confirmation"][0] == "0"
    assert not [n for n in res.notes if n.row == "not_processed_publication"]


def test_active_row_printed_blank_is_a_blank_not_a_missing_row():
    # table 2 (2021): 「行政事业性收费」 with its one cell printed empty, as a
    # cell stream and as one cell per line
    from extract.layout import rows_tabcell
    from extract.tables import extract_active
    stream = ["第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）", "行政事业性收费", NB]
    res = extract_active(rows_paragraph(_paragraphs(stream)), "2021")
    assert res.cells[("art20_8", "administrative_fees")] == [""]
    tabbed = ["\t第二十条第（八）项", "", "\t信息内容", "\t本年收费金额（单位：万元）", "", "\t行政事业性收费", "\t", ""]
    res = extract_active(rows_tabcell(tabbed), "2021")
    assert res.cells[("art20_8", "administrative_fees")] == [""]
    # too few cells for the row's metrics: not read as blanks
    stream = ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", NB]
    res = extract_active(rows_paragraph(_paragraphs(stream)), "2021")
    assert ("art20_1", "regulations") not in res.cells


def test_active_grid_with_its_one_row_printed_blank_is_table_2():
    # a part of table 2 as its own grid (DOCX, HTML, Markdown), its one row
    # printed blank: the blank is accepted, not a row not found
    from extract.document import Cell, Document, Table
    from extract.grid import read_active
    grids = [Table([Cell("信息内容", 0, 0), Cell("本年处理决定数量", 0, 1, colspan=3),
                    Cell("行政许可", 1, 0), Cell("12", 1, 1, colspan=3)], 2, 4),
             Table([Cell("信息内容", 0, 0), Cell("本年收费金额(单位:元)", 0, 1, colspan=3),
                    Cell("行政事业性收费", 1, 0), Cell("", 1, 1, colspan=3)], 2, 4)]
    res = read_active(Document("docx", grids), "2021")
    assert res.cells[("art20_5", "administrative_licensing")] == ["12"]
    assert res.cells[("art20_8", "administrative_fees")] == [""]


def test_cell_stream_blank_cell_printed_as_spaces():
    # an encoding without NBSP (GBK) turns the NBSP of an empty cell into a
    # space: a line of spaces alone between two separators is a cell
    from extract.tables import extract_active
    stream = ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
              "规章", "1", "0", "5", "行政规范性文件", "10", "3", " "]
    res = extract_active(rows_paragraph(_paragraphs(stream)), "2021")
    assert res.cells[("art20_1", "normative_documents")] == ["10", "3", ""]
    assert res.cells[("art20_1", "regulations")] == ["1", "0", "5"]


def test_agency_from_unbracketed_subtitle_and_signature_across_a_page_break():
    from extract.layout import strip_lines
    from extract.report import _signature, find_title_and_agency
    lines = ["", "     2024年政府信息公开工作年度报告", "", "     张店区高沟镇人民政府", "",
             "    根据《条例》规定，现公布本年度报告。", "一、总体情况"]
    title, agency = find_title_and_agency(lines, strip_lines(lines), 6)
    assert (title, agency) == ("2024年政府信息公开工作年度报告", "张店区高沟镇人民政府")
    tail = ["六、其他需要报告的事项", "无。", "     张店区高沟镇人民政府", "", "     - 3 -", "\f",
            "     2025年1月18日", "", "     - 4 -", "\f"]
    assert _signature(strip_lines(tail)) == "张店区高沟镇人民政府"
    lines = ["2024年政府信息公开工作年度报告", "",
             "根据《中华人民共和国政府信息公开条例》规定，现公布张店区高沟镇人民政府2024年政府信息",
             "公开工作年度报告。", "一、总体情况"]
    assert find_title_and_agency(lines, strip_lines(lines), 4)[1] == "张店区高沟镇人民政府"


def test_spaced_figure_wrapped_below_itself_is_joined():
    # pdftotext -layout: an amount too wide for its column goes on below
    # it; read alone, 「６５１１９０」 would be a wrong figure
    from extract.tables import extract_active
    lines = ["                第二十条第(九)项",
             "    信息内容          采购项目数量      采购总金额",
             "    政府集中采购           3            ６５１１９０",
             "                                         ００元",
             ""]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["3", "６５１１９０００元"]
    # a line of figures that sits under no single figure is not joined
    # a line of figures under no single figure of the row: the row is
    # doubtful, not read
    lines[3] = "                         ０００００００００００００"
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == [None, None]
    assert res.notes


def test_spaced_unit_wrapped_below_the_amount_is_joined():
    from extract.tables import extract_active
    lines = ["                第二十条第（九）项",
             "    信息内容          采购项目      采购总金额",
             "                      数量",
             "    政府集中采购        493        476,818,200",
             "                                       元"]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["493", "476,818,200元"]


def test_grid_header_second_line_over_a_filler_column_keeps_the_unit():
    # Markdown/HTML: 「采购总金」 over 「额(元)」, a 「——」 in a column the
    # table does not use: the second line is header, its unit is read
    from extract.document import Cell, Document, Table
    from extract.grid import read_active
    rows = [["第二十条第（九）项", "", "", ""], ["", "采购项目", "采购总金", ""],
            ["信息内容", "数量", "额(元)", "——"], ["政府集中采购", "203", "49,000,000", "——"]]
    grid = Table([Cell(t, r, c) for r, row in enumerate(rows) for c, t in enumerate(row)], 4, 4)
    res = read_active(Document("markdown", [grid]), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["203", "49,000,000"]
    assert res.extra["money_units"] == {"procurement_amount": "元"}


def test_grid_part_without_header_row_with_a_label_cell_not_spanning():
    # table 3 continued on a page without its header (figures placed by
    # position): one row's label cell does not span its two label columns
    from extract.document import Cell, Document, Table
    from extract.grid import read_requests
    cells = [Cell("三、本年度办理结果", 0, 0, rowspan=2), Cell("（一）予以公开", 0, 1, colspan=2)]
    cells += [Cell(str(i), 0, 3 + i) for i in range(7)]
    cells += [Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 1), Cell("", 1, 2)]
    cells += [Cell(str(10 + i), 1, 3 + i) for i in range(7)]
    res = read_requests(Document("pdf", [Table(cells, 2, 10)]))
    assert res.cells["granted"] == [str(i) for i in range(7)]
    assert res.cells["partially_granted"] == [str(10 + i) for i in range(7)]


def test_spaced_amount_cut_after_its_decimal_point_is_joined():
    # 「２５２３３．」 over 「１９」: the second line looks like a page number
    from extract.tables import extract_active
    lines = ["          第二十条第（八）项",
             "       信息内容           本年收费金额（单位：",
             "                                 万元）",
             "    行政事业性收费                     ２５２３３．",
             "                                               １９",
             ""]
    res = extract_active(rows_spaced(lines), "2021")
    assert res.cells[("art20_8", "administrative_fees")] == ["２５２３３．１９"]
    # a page number after a page's last line stays a page number
    lines[4:] = ["", "                                      19", "\f"]
    res = extract_active(rows_spaced(lines), "2021")
    assert res.cells.get(("art20_8", "administrative_fees")) != ["２５２３３．19"]


def test_spaced_amount_wrapped_after_a_decimal_digit_is_not_cut():
    # 「３３５５．１」 over 「８」: read as a page number, the amount would be
    # a wrong figure (3355.1 for 3355.18)
    from extract.tables import extract_active
    lines = ["          第二十条第（八）项",
             "       信息内容             本年收费金额(单位:万元)",
             "    行政事业性收费                              ３３５５．１",
             "                                                          ８",
             ""]
    res = extract_active(rows_spaced(lines), "2021")
    assert res.cells[("art20_8", "administrative_fees")] in (["３３５５．１８"], [None])


def test_spaced_amount_cut_before_its_decimal_point_is_joined():
    from extract.tables import extract_active
    lines = ["        第二十条第（九）项",
             "        信息内容          采购项目数量            采购总金额（万元）",
             "  政府集中采购               ２８４               ２２，２９０",
             "                                                     ．１５",
             ""]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["２８４", "２２，２９０．１５"]


def test_spaced_amount_cut_with_the_other_figure_printed_below():
    # the count printed a line lower (centred in its cell) beside the end of
    # the amount: 「１４３６．４」 over 「１６５ … ４」.  The 「４」 under the
    # amount puts the line inside the row, so 「１６５」, under no cell of the
    # line above, is the row's count: 165 and 1436.44 (the lone 1436.4,
    # placed by the columns of other rows, was once published)
    from extract.tables import extract_active
    lines = [
        '                         第二十条第（一）项',
        '        信息内容         本年新制作数   本年新公开数   对外公开总数',
        '                              量             量             量',
        '  规章                             ０             ０             ０',
        '  规范性文件                       ０             ０           ４２',
        '                         第二十条第（五）项',
        '        信息内容         上一年项目数    本年增/减     处理决定数量',
        '                              量',
        '  行政许可                     ３５２           ＋５     ５５４６８',
        '  其他对外管理服务事项         １７９         ＋３１     １３０２１',
        '                         第二十条第（六）项',
        '        信息内容         上一年项目数    本年增/减     处理决定数量',
        '                              量',
        '  行政处罚                     ２７４         ＋２０       ３２２８',
        '  行政强制                     ３１２           ＋８           ６４',
        '                         第二十条第（八）项',
        '        信息内容         上一年项目数            本年增/减',
        '                              量',
        '  行政事业性收费                 ３２                          ＋５',
        '                         第二十条第（九）项',
        '        信息内容         采购项目数量           采购总金额',
        '  政府集中采购                                         １４３６．４',
        '                               １６５                            ４',
        ""]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["１６５", "１４３６．４４"]
    # the count under the label: which row's cell it is is not known, the
    # row is doubtful and not read (neither 1436.4 nor 1436.44 alone)
    lines[-2] = "        １６５                                                   ４"
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == [None, None]
    assert res.cells[("art20_8", "administrative_fees")] == ["３２", "＋５"]


def test_requests_other_handling_wrapped_below_its_figures():
    # 2019 「（六）其他处理」 wrapped in its narrow cell: 「（六）其」 beside the
    # figures, 「他」 and 「处理」 below.  「（六）其他」 alone names the 2021
    # row 「其他」 (and made the report look like both templates): the row
    # waits while its label may go on
    body = ["                      （六）其                                ０       ０        ０          ０            １        ０    １",
            "                      他",
            "                      处理",
            "                      （七）总计                              ２       １        ０          ０            ２        ０    ５"]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["other_handling"] == ["０", "０", "０", "０", "１", "０", "１"]
    assert "other_misc" not in res.cells
    assert res.cells["total_processed"][0] == "２"
    # tab rows and pipe rows: the same wrap, one fragment a row
    from extract.layout import rows_pipe, rows_tabrow
    tabbed = ["\t（六）其\t\t0\t0\t0\t0\t1\t0\t1", "\t他\t\t\t\t\t\t\t\t", "\t处理\t\t\t\t\t\t\t\t",
              "\t（七）总计\t\t2\t1\t0\t0\t2\t0\t5"]
    res = extract_requests(rows_tabrow(tabbed))
    assert res.cells["other_handling"] == ["0", "0", "0", "0", "1", "0", "1"] and "other_misc" not in res.cells
    piped = ["|  | (六)其 |  | 0 | 0 | 0 | 0 | 1 | 0 | 1 |", "|  | 他 |  |  |  |  |  |  |  |  |",
             "|  | 处理 |  |  |  |  |  |  |  |  |", "|  | (七)总计 |  | 2 | 1 | 0 | 0 | 2 | 0 | 5 |"]
    res = extract_requests(rows_pipe(piped))
    assert res.cells["other_handling"] == ["0", "0", "0", "0", "1", "0", "1"] and "other_misc" not in res.cells
    # a grid (Markdown, DOCX, HTML): the same three rows
    from extract.document import Cell, Document, Table
    from extract.grid import read_requests
    rows = [["三、本年度办理结果", "(五)不予处理", "5．要求行政机关确认或重新出具已获取信息", "0", "0", "0", "0", "0", "0", "0"],
            ["", "(六)其", "", "0", "0", "0", "0", "1", "0", "1"], ["", "他"] + [""] * 8,
            ["", "处理"] + [""] * 8, ["", "(七)总计", "", "2", "1", "0", "0", "2", "0", "5"]]
    grid = Table([Cell(t, r, c) for r, row in enumerate(rows) for c, t in enumerate(row)], len(rows), 10)
    res = read_requests(Document("markdown", [grid]))
    assert res.cells["other_handling"] == ["0", "0", "0", "0", "1", "0", "1"] and "other_misc" not in res.cells


def test_requests_other_handling_wrapped_at_a_space_in_a_cell_stream():
    # one cell per paragraph: 「(六) 」 beside its figures, 「其他处理」 on
    # the next paragraph with the blanks of its merged cells, then 「(七)
    # 总计」: the stream runs 「其他处理」 into the next row, where it is
    # the end of the label above, not the 2021 group label over sub-rows
    stream = ["(5)要求", "0", "0", "0", "1", "0", "0", "1", "行政机关确认或重新出具已获取信息", *[NB] * 7,
              "(六) ", "5", "0", "0", "0", "6", "0", "11", "其他处理", *[NB] * 7,
              "(七) 总计", "16", "3", "5", "28", "32", "3", "87"]
    res = extract_requests(rows_paragraph(_paragraphs(stream)))
    assert res.cells["not_processed_confirmation"] == ["0", "0", "0", "1", "0", "0", "1"]
    assert res.cells["other_handling"] == ["5", "0", "0", "0", "6", "0", "11"]
    assert res.cells["total_processed"] == ["16", "3", "5", "28", "32", "3", "87"]


T2_2019 = [("第二十条第（五）项", None), ("信息内容", ("上一年项目数量", "本年增/减", "处理决定数量")),
           ("行政许可", ("277", "-6", "43714")), ("其他对外管理服务事项", ("", "36", "29773"))]


def test_active_first_cell_blank_placed_by_the_header_grid():
    # a table-2 row whose first figure is blank: the empty cell beside the
    # label could be a merged label cell, unless the header shows the label
    # column is one cell and the row is exactly as wide as the header
    from extract.layout import rows_pipe, rows_tabcell, rows_tabrow
    from extract.tables import extract_active
    key = ("art20_5", "other_administrative_services")
    stream = []
    for label, cells in T2_2019:
        stream += [label, *[c or NB for c in cells or ()]]
    res = extract_active(rows_paragraph(_paragraphs(stream)), "2019")
    assert res.cells[key] == ["", "36", "29773"]
    assert res.cells[("art20_5", "administrative_licensing")] == ["277", "-6", "43714"]
    tabbed = []
    for label, cells in T2_2019:
        tabbed += ["\t" + label, *["\t" + c for c in cells or ()], ""]
    assert extract_active(rows_tabcell(tabbed), "2019").cells[key] == ["", "36", "29773"]
    piped = [" | ".join([label, *(cells or ("", "", ""))]) + " |" for label, cells in T2_2019]
    assert extract_active(rows_pipe(piped), "2019").cells[key] == ["", "36", "29773"]
    rows = ["\t".join([label, *(cells or ("", "", ""))]) + "\t" for label, cells in T2_2019]
    assert extract_active(rows_tabrow(rows), "2019").cells[key] == ["", "36", "29773"]
    # a header whose label column is two cells wide: the row is one cell
    # short of the grid, the empty cell may be the merged label's
    piped[1] = "信息内容 |  | 上一年项目数量 | 本年增/减 | 处理决定数量 |"
    res = extract_active(rows_pipe(piped), "2019")
    assert res.cells[key] == [None, None, None] and res.notes


def test_active_tab_row_last_cell_blank_dropped_with_the_line_end():
    # tab rows end with a stray tab, so an empty last cell is dropped with
    # the line's end; a row as wide as its header's grid keeps it
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    lines = ["第二十条第（六）项\t\t\t\t", "信息内容\t上一年项目数量\t本年增/减\t处理决定数量\t",
             "行政处罚\t318\t-23\t\t", "行政强制\t195\t+25\t219\t"]
    res = extract_active(rows_tabrow(lines), "2019")
    assert res.cells[("art20_6", "administrative_penalty")] == ["318", "-23", ""]
    assert res.cells[("art20_6", "administrative_coercion")] == ["195", "+25", "219"]
    # one tab short of the header: a cell is missing, which one is unknown
    lines[2] = "行政处罚\t318\t-23\t"
    res = extract_active(rows_tabrow(lines), "2019")
    assert res.cells[("art20_6", "administrative_penalty")] == [None, None, None]


def test_active_item_printed_alone_is_a_row_of_blanks():
    # 2021 table 2, a one-figure row printed blank, in three layouts
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    key = ("art20_5", "administrative_licensing")
    # a cell stream: 「行政许可」 NBSP runs on into the next part's labels
    stream = ["第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可", NB,
              "第二十条第（六）项", "信息内容", "本年处理决定数量", "行政处罚", "2521", "行政强制", "98"]
    res = extract_active(rows_paragraph(_paragraphs(stream)), "2021")
    assert res.cells[key] == [""]
    assert res.cells[("art20_6", "administrative_penalty")] == ["2521"]
    # tab rows: the label and the stray tabs of a grid four cells wide
    lines = ["第二十条第(五)项", "信息内容\t本年处理决定数量\t\t", "行政许可\t\t\t",
             "第二十条第(六)项", "信息内容\t本年处理决定数量\t\t", "行政处罚\t2569\t\t"]
    res = extract_active(rows_tabrow(lines), "2021")
    assert res.cells[key] == [""]
    lines[2] = "行政许可"       # no cell at all: not read as a blank
    assert key not in extract_active(rows_tabrow(lines), "2021").cells
    # space-aligned text: the label alone between the header and the next part
    spaced = ["                      第二十条第（五）项",
              "   信息内容                     本年处理决定数量",
              "行政许可",
              "                      第二十条第（六）项",
              "   信息内容                     本年处理决定数量",
              "行政处罚                              4682"]
    res = extract_active(rows_spaced(spaced), "2021")
    assert res.cells[key] == [""]
    assert res.cells[("art20_6", "administrative_penalty")] == ["4682"]
    # a line of figures alone right above it: its figure may be that one
    spaced[2:2] = ["                                   7151"]
    res = extract_active(rows_spaced(spaced), "2021")
    assert res.cells.get(key) != [""]


def test_spaced_figure_alone_on_the_line_beside_a_short_row_is_not_dropped():
    # a count printed a line lower than the amount, nothing wrapped: the
    # lone 「１６５」 looked like a page number and was dropped, and the row,
    # one figure short, was placed by columns: a blank count was published
    from extract.tables import extract_active
    head = ["          第二十条第（八）项",
            "       信息内容          上一年项目数量          本年增/减",
            "    行政事业性收费             ３２                    ＋５",
            "          第二十条第（九）项",
            "       信息内容          采购项目数量           采购总金额"]
    key = ("art20_9", "centralized_procurement")
    for tail in (["    政府集中采购                                    １４３６．４４", "                           １６５"],
                 ["                           １６５", "    政府集中采购                                    １４３６．４４"]):
        res = extract_active(rows_spaced(head + tail + [""]), "2019")
        assert res.cells[key] == [None, None] and res.notes
    # a page number before a page break stays one: the row is placed by columns
    res = extract_active(rows_spaced(head + ["    政府集中采购                                    １４３６．４４",
                                             "", "                           ２", "\f"]), "2019")
    assert res.cells[key] == ["", "１４３６．４４"]


def test_spaced_amount_cut_after_its_decimal_point_before_a_filler():
    # 「３５９４６．」 then a filler 「——」 in the column the row lacks, the
    # decimals 「０３」 below the amount: not a page number
    from extract.tables import extract_active
    lines = ["          第二十条第（九）项",
             "      信息内容          采购项目数量    采购总金额（         ——",
             "                                        万元）",
             "政府集中采购               １９３       ３５９４６．         ——",
             "                                        ０３",
             ""]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["１９３", "３５９４６．０３"]


def test_review_spaced_one_row_with_a_blank_placed_under_the_header_labels():
    # table 4 as one row of fifteen figures under a header on two lines, a
    # blank cell printing nothing: 14 figures, each under one outcome label
    lines = ["                      行政复议                                                                            行政诉讼",
             "结果维持    结果纠正    其他结果    尚未审结    总计                      未经复议直接起诉                                           复议后起诉",
             "                                                        结果维持    结果纠正    其他结果    尚未审结    总计    结果维持    结果纠正    其他结果    尚未审结    总计",
             "       0           0          74          70     144          10          23          17           0      50           5                      16          10      44"]
    res = extract_review(rows_spaced(lines))
    assert res.cells == {"administrative_review": ["0", "0", "74", "70", "144"],
                         "litigation_direct": ["10", "23", "17", "0", "50"],
                         "litigation_after_review": ["5", "", "16", "10", "44"]}
    # a figure between two labels: nothing is placed
    lines[3] = lines[3].replace("           5       ", "               5   ")
    res = extract_review(rows_spaced(lines))
    assert all(cells == [None] * 5 for cells in res.cells.values())


def test_review_small_tables_tab_row_last_cell_blank():
    from extract.layout import rows_tabrow
    lines = ["（一）行政复议", "结果维持\t结果纠正\t其他结果\t尚未审结\t总计", "0\t0\t0\t2\t",
             "（二）行政诉讼（未经复议直接起诉）", "结果维持\t结果纠正\t其他结果\t尚未审结\t总计", "0\t1\t1\t1\t3",
             "（三）行政诉讼（复议后起诉）", "结果维持\t结果纠正\t其他结果\t尚未审结\t总计", "0\t0\t1\t0\t1"]
    res = extract_review(rows_tabrow(lines))
    assert res.cells == {"administrative_review": ["0", "0", "0", "2", ""],
                         "litigation_direct": ["0", "1", "1", "1", "3"],
                         "litigation_after_review": ["0", "0", "1", "0", "1"]}
    lines[2] = "0\t0\t0\t2"     # a cell missing, not a blank: not read
    assert extract_review(rows_tabrow(lines)).cells["administrative_review"] == [None] * 5


def test_requests_first_label_split_by_page_break_and_repeated_header():
    # the first row's label starts at the foot of a page, before any figure
    # of the table: it goes on after the repeated header all the same
    body = ["  一、本年新收政府信息", "", "                                      - 1 -", "\f",
            *HEADER.splitlines(),
            ROW.format(label="  公开申请数量", v=39),
            "  二、上年结转政府信息",
            ROW.format(label="  公开申请数量", v=1)]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["new_received"][0] == "39"
    assert res.cells["carried_over"][0] == "1"


def test_grid_part_without_header_first_row_label_cell_not_spanning():
    # the same, the row whose label cell does not span its columns being the
    # part's first row: placed once the part's other rows show their columns
    from extract.document import Cell, Document, Table
    from extract.grid import read_requests
    cells = [Cell("二、上年结转政府信息公开申请数量", 0, 0, colspan=2), Cell("", 0, 2)]
    cells += [Cell(str(i), 0, 3 + i) for i in range(7)]
    cells += [Cell("三、本年度办理结果", 1, 0, rowspan=2), Cell("（一）予以公开", 1, 1, colspan=2)]
    cells += [Cell(str(10 + i), 1, 3 + i) for i in range(7)]
    cells += [Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, 1, colspan=2)]
    cells += [Cell(str(20 + i), 2, 3 + i) for i in range(7)]
    res = read_requests(Document("pdf", [Table(cells, 3, 10)]))
    assert res.cells["carried_over"] == [str(i) for i in range(7)]
    assert res.cells["granted"] == [str(10 + i) for i in range(7)]


def test_spaced_amount_cut_by_a_page_break_is_not_read_short():
    # a wrapped amount whose end went onto the next page: past the page
    # number and the form feed, 「８」 or 「００元」 under the amount.  It may
    # be the amount's end or a page head's number: the row is not read,
    # never read as the part above the break (3355.1, 651190)
    from extract.tables import extract_active
    head = ["          第二十条第（八）项",
            "       信息内容             本年收费金额(单位:万元)"]
    key = ("art20_8", "administrative_fees")
    for amount, page_number, rest in (("３３５５．１", "3", "８"), ("６５１１９０", "- 3 -", "００元")):
        lines = head + ["    行政事业性收费                              " + amount, "",
                        "                                      " + page_number, "\f",
                        "                                                " + rest.rjust(10), ""]
        res = extract_active(rows_spaced(lines), "2021")
        assert res.cells[key] == [None] and res.notes
    # a page number on the next page's first line away from the figures
    lines = head + ["    行政事业性收费                              ３３５５．１８", "",
                    "                                      3", "\f", "                 4", "三、收到"]
    assert extract_active(rows_spaced(lines), "2021").cells[key] == ["３３５５．１８"]


def test_requests_tab_and_pipe_row_first_figure_blank_placed_by_position():
    # table 3 in tab rows (leading tabs for the merged label columns) and
    # pipe rows: a row whose first figure is blank.  Every row printing all
    # its figures starts them at the fourth cell, so the empty fourth cell
    # is a blank, not a merged label cell
    from extract.layout import rows_pipe, rows_tabrow
    lines = ["三、本年度办理结果\t(一)予以公开\t\t0\t0\t0\t0\t0\t0\t0",
             "\t(三)不予公开\t1．属于国家秘密\t860\t0\t1\t0\t0\t0\t861",
             "\t\t3．危及“三安全一稳定”\t1,286\t0\t1\t0\t50\t588\t1,925\t",
             "\t\t4．保护第三方合法权益\t\t0\t0\t0\t0\t375\t375",
             "\t\t5．属于三类内部事务信息\t0\t0\t1\t1\t0\t319\t321"]
    res = extract_requests(rows_tabrow(lines))
    assert res.cells["denied_third_party_rights"] == ["", "0", "0", "0", "0", "375", "375"]
    assert res.cells["denied_three_securities"] == ["1,286", "0", "1", "0", "50", "588", "1,925"]
    piped = [" | ".join(line.split("\t")) + " |" for line in lines]
    res = extract_requests(rows_pipe(piped))
    assert res.cells["denied_third_party_rights"] == ["", "0", "0", "0", "0", "375", "375"]
    # a label spanning the first figure's column too, two figures lost:
    # the row is short of the columns, nothing is placed
    lines[3] = "\t\t4．保护第三方合法权益\t\t\t0\t0\t375\t375"
    res = extract_requests(rows_tabrow(lines))
    assert res.cells["denied_third_party_rights"] == [None] * 7


def test_requests_label_tail_after_a_page_break_and_repeated_header():
    # the row's figures before a page break, the rest of its label (「申请」)
    # after the header printed again: the row is named by the whole label;
    # with a tail that names no row, its words name none: its number, which
    # both rows around it confirm (1 above, 3 below), names it, with a note;
    # a number they do not confirm leaves it unnamed (no figure is guessed in)
    body = [ROW.format(label="  1．信访举报投诉类申请", v=7),
            ROW.format(label="  2．重复", v=4),
            "", "                                      — 2 —", "\f",
            *HEADER.splitlines(),
            "",
            "  申请",
            ROW.format(label="  3．要求提供公开出版物", v=0)]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["not_processed_petition"][0] == "7"
    assert res.cells["not_processed_repeated"] == ["4", "0", "0", "0", "0", "0", "4"]
    assert res.cells["not_processed_publication"][0] == "0"
    body[body.index("  申请")] = "  事项"
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["not_processed_repeated"] == ["4", "0", "0", "0", "0", "0", "4"]
    assert [n.code for n in res.notes if n.key == "not_processed_repeated"] == ["named_by_number"]
    body[1] = ROW.format(label="  4．重复", v=4)
    res = extract_requests(rows_spaced(_t3(body)))
    assert "not_processed_repeated" not in res.cells and "not_processed_excessive" not in res.cells
    assert any("4．重复" in note.message for note in res.notes)


def test_active_wrapped_header_with_its_label_column_on_another_line():
    # tab rows: the header of a one-metric part wraps over two lines, its
    # 「信息内容」 on the lower (or upper) line, the metric's cell on the
    # other, and the one row printed blank: both lines show the grid (a
    # label column of one cell, five cells), so the blank row is a row of
    # blanks, not a row lost
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    below = ["第二十条第(八)项\t\t\t\t", "\t本年收费金额(单位:\t\t\t", "信息内容\t元)\t\t\t",
             "行政事业性收费\t\t\t\t"]
    above = ["第二十条第(八)项\t\t\t\t", "信息内容\t\t\t\t", "\t本年收费金额(单位：元)\t\t\t",
             "行政事业性收费\t\t\t\t"]
    for lines in (below, above):
        res = extract_active(rows_tabrow(lines), "2021")
        assert res.cells[("art20_8", "administrative_fees")] == [""], lines
    # the lower line a cell narrower than the header: the grid is not shown
    narrow = [*below[:2], "信息内容\t元)\t\t", below[3]]
    res = extract_active(rows_tabrow(narrow), "2021")
    assert res.cells.get(("art20_8", "administrative_fees")) in (None, [None])


def test_requests_group_label_wrapped_beside_a_row_label_wrapped_over_three_lines():
    # pdftotext -layout: the centred group label 「三、本年度办理结果」 wraps
    # beside 「8.属于行政查询事项」, itself wrapped over three lines; the
    # group's tail 「果」 shares the row label's second line
    body = [ROW.format(label="                 7.属于行政执法案", v=1),
            "                                        卷",
            "三、本年度办理结                        8.属于                       0           0           0"
            "               0               0       0       0",
            "       果                               行政查",
            "                                        询事项",
            ROW.format(label="                 1.本机关不掌握相", v=43),
            "                                        关政府信息"]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["denied_enforcement_files"][0] == "1"
    assert res.cells["denied_administrative_query"] == ["0"] * 7
    assert res.cells["unable_not_held"][0] == "43"
    assert not res.notes
    # a row label's own fragments (「公开」, 「提供」) are never taken for a
    # group label's tail
    from extract.tables import is_group_label
    assert is_group_label("三、本年度办理结") and is_group_label("果")
    assert not any(map(is_group_label, ("公开", "提供", "处理", "本年", "要求提供")))


def test_grid_group_label_wrapped_into_two_cells_beside_a_wrapped_row_label():
    # the same shape in an HTML grid without spans (a CMS flattened the
    # merged cell): 「三、本年度办理结」 and 「果」 in the group column
    from extract.grid import read_requests
    from extract.html_doc import read_html
    cells = "".join(f"<td>{v}</td>" for v in ("0",) * 7)
    html = ("<html><body><h1>2020年政府信息公开工作年度报告</h1><table>"
            "<tr><td></td><td></td><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td>"
            "<td>法律服务机构</td><td>其他</td><td>总计</td></tr>"
            f"<tr><td>三、本年度办理结</td><td>8.属于</td>{cells}</tr>"
            "<tr><td>果</td><td>行政查询事项</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>"
            f"<tr><td></td><td>1.本机关不掌握相关政府信息</td>{cells}</tr>"
            "</table></body></html>")
    res = read_requests(read_html(html))
    assert res.cells["denied_administrative_query"] == ["0"] * 7
    assert res.cells["unable_not_held"] == ["0"] * 7


def test_spaced_active_blank_first_figure_beside_the_tables_filler_column():
    # pdftotext -layout: the two-metric parts' headers print 「——」 in the
    # third column, which only the three-metric parts use; a row whose
    # first figure is blank prints 「+3 ——」, as many cells as metrics: the
    # 「——」 is the filler column's, not the row's last figure, and 「+3」
    # sits under 「本年增/减」 (placed by the columns of the complete rows)
    from extract.tables import extract_active
    lines = ["                       第二十条第（五）项",
             "          信息内容          上一年项    本年增/减    处理决定",
             "                             目数量                     数量",
             "    行政许可                      540         -26       21715",
             "    其他对外管理服务事项          527         +39        3522",
             "                       第二十条第（八）项",
             "          信息内容          上一年项    本年增/减       ——",
             "                             目数量",
             "    行政事业性收费                             +3          ——",
             "                       第二十条第（九）项",
             "          信息内容          采购项目    采购总金        ——",
             "                              数量      额(万元)",
             "    政府集中采购                  363     1968.81          ——"]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_8", "administrative_fees")] == ["", "+3"]
    assert res.cells[("art20_9", "centralized_procurement")] == ["363", "1968.81"]
    assert res.cells[("art20_5", "administrative_licensing")] == ["540", "-26", "21715"]
    # no complete row to show the columns: not placed, with the reason
    # (never shifted into the first column)
    res = extract_active(rows_spaced(lines[5:9]), "2019")
    assert res.cells[("art20_8", "administrative_fees")] == [None, None]
    assert any("filler" in note.message for note in res.notes)


def test_active_tab_row_header_cell_wrapped_over_two_lines_above_a_blank_row():
    # the metric's header cell wraps onto a second line that carries the
    # row's remaining tabs: a row printed blank as wide as that grid is a
    # blank, not a row lost
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    lines = ["第二十条第（八）项", "信息内容\t本年收费金额（单位：", "万元）\t\t\t", "行政事业性收费\t\t\t"]
    res = extract_active(rows_tabrow(lines), "2021")
    assert res.cells[("art20_8", "administrative_fees")] == [""]
    assert not res.notes
    # printed, the amount keeps the unit of the whole wrapped header cell
    lines[3] = "行政事业性收费\t12.5\t\t"
    res = extract_active(rows_tabrow(lines), "2021")
    assert res.cells[("art20_8", "administrative_fees")] == ["12.5"]
    assert res.extra["money_units"] == {"fee_amount": "万元"}


def test_active_tab_row_metric_header_cell_wrapped_over_the_line_above_or_below():
    # 「上一年项目数量」 wrapped over two tab lines of the header (its first
    # part on its own line above, or its last part below): the header is
    # both lines joined cell by cell, so a row as wide as that grid places
    # its blank first figure as a blank instead of leaving the row unread
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    above = ["第二十条第（八）项\t\t\t", "\t上一年项\t\t", "信息内容\t目数量\t本年增/减\t", "行政事业性收费\t\t-1\t"]
    below = ["第二十条第（八）项\t\t\t", "信息内容\t上一年项\t本年增/减\t", "\t目数量\t\t", "行政事业性收费\t\t-1\t"]
    for lines in (above, below):
        res = extract_active(rows_tabrow(lines), "2019")
        assert res.cells[("art20_8", "administrative_fees")] == ["", "-1"], lines
        assert not res.notes
    # a line above that names a metric of its own is a header row, not a wrap
    own = ["第二十条第（八）项\t\t\t", "\t本年增/减\t\t", "信息内容\t目数量\t本年增/减\t", "行政事业性收费\t\t-1\t"]
    res = extract_active(rows_tabrow(own), "2019")
    assert res.cells[("art20_8", "administrative_fees")] == [None, None]


def test_grid_table4_part_whose_header_ends_a_page_and_figures_open_the_next():
    # table 4 as three small tables, one a proceeding; a page break cuts one
    # between its header and its figures (the page number between): the
    # figures go on under that header and that proceeding
    from extract.document import Cell, Document, Paragraph, Table
    from extract.report import extract_document

    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

    def grid(rows):
        return Table([Cell(t, r, c) for r, row in enumerate(rows) for c, t in enumerate(row)], len(rows), 5)

    doc = Document("pdf", [
        Paragraph("某县人民政府2021年政府信息公开工作年度报告"),
        Paragraph("四、政府信息公开行政复议、行政诉讼情况"),
        Paragraph("（一）行政复议"), grid([outcomes, ["0", "0", "0", "1", "1"]]),
        Paragraph("（二）行政诉讼（未经复议直接起诉）"), grid([outcomes]),
        Paragraph("- 2 -"), grid([["0", "0", "1", "1", "2"]]),
        Paragraph("（三）行政诉讼（复议后起诉）"), grid([outcomes, ["0", "0", "1", "0", "1"]]),
        Paragraph("五、存在的主要问题及改进情况"),
    ])
    review = extract_document(doc).review
    assert review == {"administrative_review": ["0", "0", "0", "1", "1"],
                      "litigation_direct": ["0", "0", "1", "1", "2"],
                      "litigation_after_review": ["0", "0", "1", "0", "1"]}
    # prose between the parts (not page chrome): the figures are not joined
    doc.body[6] = Paragraph("下表为诉讼情况。")
    assert extract_document(doc).review["litigation_direct"] == [None] * 5


def test_review_wide_tab_rows_last_figure_blank():
    # table 4 as one row of fifteen figures under a two-level header, tab
    # rows each ending in a stray tab: the blank last figure leaves two tabs
    # at the line's end, which the line's end drops.  The header lines are
    # as wide as the row, each outcome at its own position: the row is read
    # by position, its last cell a blank (not 14 cells for 15 columns)
    from extract.layout import rows_tabrow
    from extract.tables import extract_review
    outcomes = "结果维持\t结果纠正\t其他结果\t尚未审结\t总计"
    lines = ["行政复议\t\t\t\t\t行政诉讼" + "\t" * 10,
             f"{outcomes}\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t\t",
             f"\t\t\t\t\t{outcomes}\t{outcomes}\t",
             "1\t1\t0\t0\t2\t0\t0\t1\t1\t2\t1\t0\t0\t0\t\t"]
    res = extract_review(rows_tabrow(lines))
    assert res.cells == {"administrative_review": ["1", "1", "0", "0", "2"],
                         "litigation_direct": ["0", "0", "1", "1", "2"],
                         "litigation_after_review": ["1", "0", "0", "0", ""]}
    assert not res.notes
    # the row one cell short of its header (no empty cell kept): not placed
    lines[3] = "1\t1\t0\t0\t2\t0\t0\t1\t1\t2\t1\t0\t0\t0\t"
    res = extract_review(rows_tabrow(lines))
    assert res.cells["litigation_after_review"] == [None] * 5


def test_pipe_rows_without_left_border_header_wrapped_with_its_first_cell_empty():
    # pipe rows drawn without a left border: the header's second line
    # starts with a pipe because its first cell (under 信息内容) is empty.
    # Read as that empty cell, the two header lines join cell by cell and
    # show the grid, so a row with its first figure blank is placed
    from extract.layout import rows_pipe
    from extract.tables import extract_active
    lines = ["第二十条第（五）项", "信息内容 | 上一年项 | 本年增/减 | 处理决定 |", " | 目数量 |  | 数量 |",
             "行政许可 | 79 | +19 | 43520 |", "其他对外管理服务事项 |  | +25 | 6802 |"]
    res = extract_active(rows_pipe(lines), "2019")
    assert res.cells == {("art20_5", "administrative_licensing"): ["79", "+19", "43520"],
                         ("art20_5", "other_administrative_services"): ["", "+25", "6802"]}
    assert not res.notes
    # drawn with borders, a leading pipe is the border
    bordered = [f"| {line} " if "|" in line else line for line in lines]
    assert rows_pipe(bordered)[1].cells == ["信息内容", "上一年项", "本年增/减", "处理决定"]


def test_active_tab_row_money_header_tail_wrapped_above_a_row_with_its_first_figure_blank():
    # 「采购总金额（」 / 「元）⇥」: the header cell's tail and the row's end tab
    # on the next line make the grid one cell wider than the header line;
    # a row as wide as that grid places its blank first figure as a blank
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    lines = ["第二十条第（九）项", "信息内容\t采购项目数量\t采购总金额（", "元）\t", "政府集中采购\t\t0\t"]
    res = extract_active(rows_tabrow(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["", "0"]
    assert res.extra["money_units"] == {"procurement_amount": "元"}
    # wider than either grid: not placed
    lines[3] = "政府集中采购\t\t0\t\t"
    res = extract_active(rows_tabrow(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == [None, None]


def test_pipe_rows_two_metric_cells_wrapped_over_the_header_lines():
    # both 「上一年项目数量」 and 「处理决定数量」 wrapped, their first parts
    # on the line above (which so names a metric of its own): joined cell
    # by cell, the header names all three metrics and shows the grid
    from extract.layout import rows_pipe
    from extract.tables import extract_active
    lines = ["第二十条第(六)项 |  |  |  |", " | 上一年项 |  | 处理决定 |", "信息内容 | 目数量 | 本年增/减 | 数量 |",
             "行政处罚 |  | 29 | 3479 |", "行政强制 | 600 | 15 | 273 |"]
    res = extract_active(rows_pipe(lines), "2019")
    assert res.cells == {("art20_6", "administrative_penalty"): ["", "29", "3479"],
                         ("art20_6", "administrative_coercion"): ["600", "15", "273"]}
    assert not res.notes


def test_rows_of_numbers_beside_words_about_review_without_its_header_are_no_table4():
    # a crawl's index file lists reports in a pipe table and mentions the
    # section 「四、政府信息公开行政复议、行政诉讼情况」: rows of numbers
    # without any outcome or proceeding printed are not table 4 (nothing
    # found, so a file with no other table is rejected, not `invalid`)
    from extract.layout import rows_pipe
    from extract.tables import extract_review
    lines = ["文件 | 年份 | 页数 | 备注 |", "a.pdf | 2023 | 5 | 含四、政府信息公开行政复议、行政诉讼情况 |",
             "b.pdf | 2024 | 5 | 行政复议 |", "c.pdf | 2024 | 6 |  |", "d.txt | 2025 | 1 |  |"]
    res = extract_review(rows_pipe(lines))
    assert not res.found and [n.code for n in res.notes] == ["no_figures"]
    # the same rows under outcome labels are table 4, rows unidentified
    lines.insert(0, "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |")
    res = extract_review(rows_pipe(lines))
    assert res.found and [n.code for n in res.notes] == ["ambiguous_rows"]


def test_tab_rows_table3_label_with_words_missing_taken_by_its_number_in_its_group():
    # 「4、保护方合法权益」 (「第三」 missing) in the group 「(三)不予公开」
    # printed in the group's first row: its number names the row; a
    # number past the group's rows, or a row another label names, is not taken
    from extract.layout import rows_tabrow
    from extract.tables import extract_requests
    figures = "\t0\t0\t0\t0\t0\t0\t0\t"
    lines = ["\t\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\t",
             "三、本年度办理结果\t(一)予以公开\t\t3\t2\t0\t2\t2\t0\t9\t",
             "\t(三)不予公开\t1、属于国家秘密" + figures,
             "\t\t4、保护方合法权益\t1\t0\t0\t0\t0\t0\t1\t",
             "\t\t9、暂缓公开事项" + figures,
             "\t(四)无法提供\t1、本机关不掌握相关政府信息" + figures,
             "\t\t2、需新制作的信息\t2\t0\t0\t0\t0\t0\t2\t",
             "\t\t3、补正后申请内容仍不明确" + figures]
    res = extract_requests(rows_tabrow(lines))
    assert res.cells["denied_third_party_rights"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert res.cells["unable_needs_creation"] == ["2", "0", "0", "0", "0", "0", "2"]
    assert sorted(n.code for n in res.notes) == ["named_by_number", "named_by_number", "unknown_label"]
    # another row's label names the third-party row: the number takes nothing
    lines.append("\t\t保护第三方合法权益\t5\t0\t0\t0\t0\t0\t5\t")
    res = extract_requests(rows_tabrow(lines))
    assert res.cells["denied_third_party_rights"] == ["5", "0", "0", "0", "0", "0", "5"]


def test_cell_stream_table3_label_with_words_missing_taken_by_its_number_in_its_group():
    # one cell per paragraph and one cell per line: 「1．属于秘密」
    # (「国家」 missing) in the group 「（三）不予公开」 printed in the
    # group's first row: its number names the row, as in tab rows
    from extract.layout import rows_paragraph, rows_tabcell
    from extract.tables import extract_requests
    table = [["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
             ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "7", "0", "0", "0", "0", "0", "7"],
             ["（三）不予公开", "1．属于秘密", "2", "0", "0", "0", "0", "0", "2"],
             ["2．其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"],
             ["9．暂缓公开事项", "0", "0", "0", "0", "0", "0", "0"]]
    one_per_line = [line for row in table for line in [""] + ["\t" + c for c in row]]
    for rows in (rows_paragraph(_paragraphs([c for row in table for c in row])), rows_tabcell(one_per_line)):
        res = extract_requests(rows)
        assert res.cells["denied_state_secret"] == ["2", "0", "0", "0", "0", "0", "2"]
        assert res.cells["denied_prohibited_by_law"] == ["0"] * 7
        assert sorted(n.code for n in res.notes) == ["named_by_number", "unknown_label"]


def test_cell_stream_sub_row_with_its_first_figure_printed_blank():
    # one cell per paragraph: a group's sub-row (「2．重复申请」, its label
    # the innermost, one cell wide) followed by a no-break space and six
    # figures: the blank is its first figure, no merged label cell.  A row
    # whose label spans the label columns (「（二）部分公开」) may be
    # ragged (an empty cell beside its label): it stays unplaced.
    from extract.tables import extract_requests
    cells = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
             "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", NB, "0", "0", "0", "0", "0", "1",
             "（五）不予处理", "1．信访举报投诉类申请", "0", "0", "0", "0", "0", "0", "0",
             "2．重复申请", NB, "0", "0", "0", "0", "0", "1",
             "3．要求提供公开出版物", "0", "0", "0", "0", "0", "0", "0"]
    res = extract_requests(rows_paragraph(_paragraphs(cells)))
    assert res.cells["not_processed_repeated"] == ["", "0", "0", "0", "0", "0", "1"]
    assert res.cells["not_processed_publication"] == ["0"] * 7
    assert res.cells["partially_granted"] == [None] * 7
    assert [n.key for n in res.notes] == ["partially_granted"]


def test_spaced_table3_label_with_words_missing_taken_by_its_number_between_its_neighbours():
    # pdftotext -layout prints a group's label beside the middle of its rows,
    # so the group of 「1．本机掌握相关」 (「关不」 missing) is not read
    # beside it; the rows around it say which it is: the next row is the
    # second of 无法提供.  A number its neighbours do not confirm is not taken.
    body = [ROW.format(label="一、本年新收政府信息公开申请数量", v=5),
            ROW.format(label="            8．属于行政查询事项", v=0),
            ROW.format(label="（四）无法提供   1．本机掌握相关", v=2),
            ROW.format(label="            2．没有现成信息需要另行制作", v=1),
            ROW.format(label="            3．补正后申请内容仍不明确", v=0),
            ROW.format(label="            5．某某某某", v=4),
            ROW.format(label="（五）不予处理   1．信访举报投诉类申请", v=0)]
    res = extract_requests(rows_spaced(_t3(body)))
    assert res.cells["unable_not_held"] == ["2", "0", "0", "0", "0", "0", "2"]
    assert res.cells["unable_needs_creation"][0] == "1"
    assert sorted(n.code for n in res.notes) == ["named_by_number", "unknown_label"]


def test_tab_rows_table2_blank_first_figure_placed_by_a_complete_row_of_its_article():
    # the header typed over several lines (its grid unreadable), a row whose
    # first figure is blank: tab positions are printed and a merged cell
    # prints one, so where another row of the article prints every figure
    # from the same position, the empty first cell is a blank figure
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    lines = ["第二十条第（六）项\t\t\t\t", "信息内容\t上一年项", "目数量\t本年增/减\t处理决定",
             "数量\t", "行政处罚\t\t38\t1,371\t", "行政强制\t591\t18\t167\t"]
    res = extract_active(rows_tabrow(lines), "2019")
    assert res.cells[("art20_6", "administrative_penalty")] == ["", "38", "1,371"]
    assert res.cells[("art20_6", "administrative_coercion")] == ["591", "18", "167"]
    assert not res.notes
    # no complete row of the article beside it: it cannot be told from a merged label cell
    res = extract_active(rows_tabrow(lines[:5] + ["行政强制\t\t18\t167\t"]), "2019")
    assert res.cells[("art20_6", "administrative_penalty")] == [None] * 3
    assert len(res.notes) == 2


def test_spaced_amount_cut_after_its_decimal_point_by_a_page_break_beside_a_lower_cell():
    # the procurement row broken by the page: 「６４４７３．」 ends the page
    # (read alone it is no number, so it sat among the labels), and the
    # next page opens with the item count and the amount's end 「６２」.
    # Read as the row's figures that line gave 62 万元 in a valid-looking
    # row; the row is unread and says why
    from extract.tables import extract_active
    lines = ["第二十条第（九）项",
             "    信息内容    采购项目     采购总金",
             "                  数量       额(万元)",
             "  政府集中采购              ６４４７３．", "",
             "                                      1", "\f",
             "                  ４７７            ６２", ""]
    res = extract_active(rows_spaced(lines), "2019")
    key = ("art20_9", "centralized_procurement")
    assert res.cells[key] == [None, None]
    assert any("cut on the line above" in n.message for n in res.notes)
    # the same row on one page, its amount's end on the line below: joined
    lines = lines[:4] + ["                  ４７７            ６２", ""]
    assert extract_active(rows_spaced(lines), "2019").cells[key] == ["４７７", "６４４７３．６２"]


def test_review_one_per_line_spaced_blank_figure_is_a_blank_in_its_place():
    # space-aligned text leaves a blank figure out: 「结果维持」 alone on its
    # line is that outcome's blank cell, not a reason to drop the table
    lines = SPACED_T4.splitlines()
    lines[6] = "                    结果维持"
    res = extract_review(rows_spaced(lines))
    assert res.cells == {"administrative_review": ["0", "0", "1", "0", "1"],
                         "litigation_direct": ["", "0", "0", "0", "2"],
                         "litigation_after_review": ["0", "0", "0", "1", "1"]}


def test_table3_label_with_words_missing_after_a_repeated_header_keeps_its_group():
    # table 3 split by a page, its header printed again: the header's
    # 「总计」 column is no （七）总计 row, so the group （三）不予公开 goes on
    # and 「6．属于四类性信息」 (「过程」 missing) is taken by its number
    from extract.document import Cell, Document, Table
    from extract.grid import read_requests
    from extract.layout import rows_tabrow

    def header(r: int) -> list:
        return [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", r, 0, rowspan=2, colspan=3),
                Cell("自然人", r, 3, rowspan=2), Cell("法人或其他组织", r, 4, colspan=5), Cell("总计", r, 9, rowspan=2),
                *[Cell(n, r + 1, 4 + i) for i, n in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])]]

    def figures(r: int, first: int) -> list:
        return [Cell(str(first), r, 3), *[Cell("0", r, 4 + i) for i in range(5)], Cell(str(first), r, 9)]

    page1 = header(0) + [Cell("三、本年度办理结果", 2, 0, rowspan=2), Cell("（三）不予公开", 2, 1, rowspan=2),
                         Cell("4．保护第三方合法权益", 2, 2), *figures(2, 4),
                         Cell("5．属于三类内部事务信息", 3, 2), *figures(3, 5)]
    page2 = header(0) + [Cell("", 2, 0), Cell("", 2, 1, rowspan=2),
                         Cell("6．属于四类性信息", 2, 2), *figures(2, 6),
                         Cell("7．属于行政执法案卷", 3, 2), *figures(3, 7)]
    res = read_requests(Document("pdf", [Table(page1, 4, 10), Table(page2, 4, 10)]))
    assert res.cells["denied_process_information"] == ["6", "0", "0", "0", "0", "0", "6"]
    assert res.cells["denied_enforcement_files"] == ["7", "0", "0", "0", "0", "0", "7"]
    assert [n.code for n in res.notes] == ["named_by_number"]
    # tab rows: the same header printed again between the group's rows
    head = "\t\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\t"
    lines = [head, "三、本年度办理结果\t(三)不予公开\t1、属于国家秘密\t1\t0\t0\t0\t0\t0\t1\t",
             "\t\t5、属于三类内部事务信息\t5\t0\t0\t0\t0\t0\t5\t", head,
             "\t\t6、属于四类性信息\t6\t0\t0\t0\t0\t0\t6\t"]
    res = extract_requests(rows_tabrow(lines))
    assert res.cells["denied_process_information"] == ["6", "0", "0", "0", "0", "0", "6"]


def test_review_one_per_line_cell_stream_blank_figure_runs_two_outcomes_into_one_row():
    # one cell per paragraph: 「结果维持」 with a blank figure (and the
    # merged cell's blank after it) runs into 「结果纠正」「0」 as one row;
    # each outcome takes the cells after it
    cells = ["类别", "数量"]
    for name in ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"):
        for i, (label, v) in enumerate(zip(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
                                           ["3", "0", "0", "1", "4"])):
            if name == "行政诉讼（复议后起诉）" and label == "结果维持":
                v = " "
            cells += ([name] if i == 0 else []) + [label, v] + ([" "] if label != "总计" else [])
    res = extract_review(rows_paragraph(_paragraphs(cells)))
    assert res.cells == {"administrative_review": ["3", "0", "0", "1", "4"],
                         "litigation_direct": ["3", "0", "0", "1", "4"],
                         "litigation_after_review": ["", "0", "0", "1", "4"]}


def test_review_small_tables_spaced_blank_figure_placed_under_its_outcome():
    # three small tables, space-aligned: a blank prints nothing, so the row
    # has four figures; each sits under the outcome its text overlaps
    block = ["  结果维持   结果纠正   其他结果   尚未审结   总计", ""]
    lines = (["（一）行政复议"] + block + ["         0          1          0                 1", ""]
             + ["（二）行政诉讼（未经复议直接起诉）"] + block + ["         0          0          0          1      1", ""]
             + ["（三）行政诉讼（复议后起诉）"] + block + ["         0          1          0          0      1", ""])
    res = extract_review(rows_spaced(lines))
    assert res.cells == {"administrative_review": ["0", "1", "0", "", "1"],
                         "litigation_direct": ["0", "0", "0", "1", "1"],
                         "litigation_after_review": ["0", "1", "0", "0", "1"]}
    # a figure between two outcomes: the table is not read
    lines[3] = " " * 9 + "0" + " " * 10 + "1" + " " * 12 + "7" + " " * 14 + "1"      # 「7」 at column 33
    assert all(v == [None] * 5 for v in extract_review(rows_spaced(lines)).cells.values())


def test_grid_part_without_header_label_not_spanning_and_a_marker_last_is_not_shifted():
    # table 3 continued without its header (placed by position): the last
    # row's label cell spans two of the three label columns, so an empty
    # cell precedes its figures, and its total prints 「无」.  Dropping the
    # 无 as a filler shifted the row (a blank first figure, 0 as total);
    # the columns the grid's other rows used place it
    from extract.document import Cell, Document, Table
    from extract.grid import read_requests
    cells = [Cell("三、本年度办理结果", 0, 0), Cell("（七）总计", 0, 1, colspan=2)]
    cells += [Cell(v, 0, 3 + i) for i, v in enumerate("1000001")]
    cells += [Cell("四、结转下年度继续办理", 1, 0, colspan=2), Cell("", 1, 2)]
    cells += [Cell(v, 1, 3 + i) for i, v in enumerate(["0", "0", "0", "0", "0", "0", "无"])]
    res = read_requests(Document("pdf", [Table(cells, 2, 10)]))
    assert res.cells["total_processed"] == list("1000001")
    assert res.cells["carried_forward"] == ["0", "0", "0", "0", "0", "0", "无"]
    # alone in its grid, with no other row's columns to go by: not placed
    alone = [c for c in cells if c.row == 1]
    for c in alone:
        c.row = 0
    res = read_requests(Document("pdf", [Table(alone, 1, 10)]))
    assert res.cells["carried_forward"] == [None] * 7 and "either may be surplus" in res.notes[0].message


def test_active_tab_rows_header_with_a_filler_column_places_a_blank_first_figure():
    # the header prints 「——」 over the column its article does not have,
    # as the row does: header and row are as wide, so the empty cell beside
    # the label is the blank first figure
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    lines = ["第二十条第（八）项\t\t\t\t", "信息内容\t上一年项目数量\t本年增/减\t——\t", "行政事业性收费\t\t0\t——\t",
             "第二十条第（九）项\t\t\t\t", "信息内容\t采购项目数量\t采购总金额(万元)\t——\t",
             "政府集中采购\t\t1,736.05\t——\t"]
    res = extract_active(rows_tabrow(lines), "2019")
    assert res.cells[("art20_8", "administrative_fees")] == ["", "0"]
    assert res.cells[("art20_9", "centralized_procurement")] == ["", "1,736.05"]
    # a row one cell wider than its header: not placed by the grid
    lines[2] = "行政事业性收费\t\t\t0\t——\t"
    assert extract_active(rows_tabrow(lines), "2019").cells[("art20_8", "administrative_fees")] == [None, None]


def test_active_tab_rows_last_figure_blank_under_a_wrapped_header_placed_by_a_complete_row():
    # the header typed over lines (no grid to read); 「行政许可」's blank
    # last figure went with the line's end.  Its sibling prints all three
    # figures in a row as wide, its label in the same place
    from extract.layout import rows_tabrow
    from extract.tables import extract_active
    lines = ["第二十条第（五）项\t\t\t\t", "信息内容\t上一年项", "目数量\t本年增/减\t处理决定", "数量\t",
             "行政许可\t170\t-18\t\t", "其他对外管理服务事项\t69\t-25\t24,353\t"]
    key = ("art20_5", "administrative_licensing")
    assert extract_active(rows_tabrow(lines), "2019").cells[key] == ["170", "-18", ""]
    # the sibling narrower (no trailing tab): nothing says where the gap is
    lines[-1] = "其他对外管理服务事项\t69\t-25\t24,353"
    assert extract_active(rows_tabrow(lines), "2019").cells[key] == [None, None, None]


def test_grid_table2_row_placed_by_position_drops_its_filler_not_its_blank():
    # table 2 without a header naming its columns: a two-metric row prints
    # a blank first figure and 「——」 in the column it lacks; the filler is
    # the surplus cell (table 2's rows print fillers), the blank stays
    from extract.document import Cell, Document, Table
    from extract.grid import read_active
    cells = [Cell("第二十条第（八）项", 0, 0, colspan=4),
             Cell("行政事业性收费", 1, 0), Cell("", 1, 1), Cell("0", 1, 2), Cell("——", 1, 3)]
    res = read_active(Document("pdf", [Table(cells, 2, 4)]), "2019")
    assert res.cells[("art20_8", "administrative_fees")] == ["", "0"]


def test_spaced_active_filler_under_the_headers_filler_makes_the_figure_beside_it_blank():
    # 「行政事业性收费 6 /」 under 「上一年项目数量 本年增/减 /」: the 「/」 sits
    # under the header's filler column (a column right of it), so 本年增/减
    # printed nothing; a 「/」 under 本年增/减 would be that cell's marker
    from extract.tables import extract_active
    lines = ["第二十条第（八）项",
             "     信息内容       上一年项    本年增/减    /",
             "                     目数量",
             "  行政事业性收费           6                  /"]
    key = ("art20_8", "administrative_fees")
    assert extract_active(rows_spaced(lines), "2019").cells[key] == ["6", ""]
    lines[3] = "  行政事业性收费           6         /"
    assert extract_active(rows_spaced(lines), "2019").cells[key] == ["6", "/"]


def test_spaced_active_row_short_of_figures_placed_under_its_articles_header():
    # the complete rows of the table stand at other places (each article
    # indents its header differently); 「行政强制」 printed no first figure:
    # each figure goes under the header cell its text overlaps
    from extract.tables import extract_active
    lines = ["第二十条第（五）项",
             "      信息内容        上一年项目数  本年增/减  处理决定数量",
             "                           量", "",
             "行政许可                  507          +7         42804", "",
             "其他对外管理服务事项      353          +28         5356", "",
             "第二十条第（六）项",
             "信息内容  上一年项目数  本年增/减  处理决定数量",
             "               量", "",
             "行政处罚      549          -27         3619", "",
             "行政强制                   +13         410"]
    key = ("art20_6", "administrative_coercion")
    assert extract_active(rows_spaced(lines), "2019").cells[key] == ["", "+13", "410"]
    # a figure across two header cells: unread
    lines[14] = "行政强制            +1313             410"
    assert extract_active(rows_spaced(lines), "2019").cells[key] == [None, None, None]


def test_cell_stream_sub_row_blank_first_figure_before_the_next_rows_covered_cells():
    # one cell per paragraph printing the positions merged cells cover as
    # blank paragraphs: the next sub-row's label comes after two of them
    # (三、本年度办理结果 and the group's cell), so a sub-row whose first
    # figure is blank has blanks at both ends; the trailing ones are the
    # next row's
    from extract.tables import extract_requests
    cells = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
             "三、本年度办理结果", "（三）不予公开", "4．保护第三方合法权益", *["0"] * 7, NB, NB,
             "5．属于三类内部事务信息", NB, *["0"] * 6, NB, NB,
             "6．属于四类过程性信息", "1", *["0"] * 5, "1"]
    res = extract_requests(rows_paragraph(_paragraphs(cells)))
    assert res.cells["denied_internal_affairs"] == ["", "0", "0", "0", "0", "0", "0"]
    assert res.cells["denied_process_information"] == ["1", "0", "0", "0", "0", "0", "1"]


def test_review_small_tables_cell_stream_blank_first_figure_under_its_header():
    # one cell per paragraph: each small table's five outcome names run
    # into its five figures, the first printed blank; no label cell stands
    # between the header and the figures, so the blank is 结果维持's
    cells = []
    for name, figures in (("（一）行政复议", ["1", "1", "1", "0", "3"]),
                          ("（二）行政诉讼（未经复议直接起诉）", [NB, "1", "0", "0", "1"]),
                          ("（三）行政诉讼（复议后起诉）", ["0", "1", "0", "1", "2"])):
        cells += [name, "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", *figures]
    res = extract_review(rows_paragraph(_paragraphs(cells)))
    assert res.cells == {"administrative_review": ["1", "1", "1", "0", "3"],
                         "litigation_direct": ["", "1", "0", "0", "1"],
                         "litigation_after_review": ["0", "1", "0", "1", "2"]}


def test_grid_row_whose_figure_goes_on_in_the_next_pages_part_is_not_read_short():
    # a row broken by the page inside a figure wrapped in its narrow cell:
    # 「64473」 ends the page, 「.62」 opens the next in a row with no label.
    # Read alone the row would give 64473 万元 in a valid-looking report
    from extract.document import Cell, Document, Paragraph, Table
    from extract.grid import read_active
    part1 = [Cell("第二十条第（九）项", 0, 0, colspan=3), Cell("信息内容", 1, 0), Cell("采购项目数量", 1, 1),
             Cell("采购总金额（万元）", 1, 2), Cell("政府集中采购", 2, 0), Cell("477", 2, 1), Cell("64473", 2, 2)]
    key = ("art20_9", "centralized_procurement")
    for rest in (".62", "62", "00万元"):
        part2 = [Cell("", 0, 0), Cell("", 0, 1), Cell(rest, 0, 2)]
        doc = Document("pdf", [Table(part1, 3, 3, page=1), Paragraph("- 1 -"), Table(part2, 1, 3, page=2)])
        res = read_active(doc, "2019")
        assert res.cells[key] == [None, None] and "broken across the page" in res.notes[0].message
    # the next part opening with a labelled row: nothing is doubted
    part2 = [Cell("第二十条第（十）项", 0, 0, colspan=3)]
    doc = Document("pdf", [Table(part1, 3, 3, page=1), Table(part2, 1, 3, page=2)])
    assert read_active(doc, "2019").cells[key] == ["477", "64473"]


def test_spaced_amount_cut_at_a_pages_end_is_never_a_blank_nor_read_short():
    # 「１８２７１．」 ends the page and 「８８」 opens the next: the digits at
    # the page's head were taken for a page number and dropped, and the
    # row, its cut amount read as no number, became a row of blanks in an
    # `ok` report; now the digits are kept and the row is unread (doubtful)
    from extract.tables import extract_active
    head = ["                    第二十条第（八）", "                           项",
            "   信息内容            本年收费金额（单位：万元）"]
    key = ("art20_8", "administrative_fees")
    lines = head + ["行政事业性收费                              １８２７１．", "",
                    "                                      — 1 —", "\f",
                    "                                                    ８８", ""]
    res = extract_active(rows_spaced(lines), "2021")
    assert res.cells[key] == [None] and "cut" in res.notes[0].message
    # the end lost altogether: still unread, never blank
    res = extract_active(rows_spaced(head + ["行政事业性收费                              １８２７１．", ""]), "2021")
    assert res.cells[key] == [None] and "cut after its decimal point" in res.notes[0].message


def test_spaced_figure_wrapped_below_a_figure_followed_by_a_filler_is_not_a_page_number():
    # 「６４００００」 「——」 over 「００」, the page number printed two lines
    # lower: the 「００」 is the amount's end (64,000,000 元), not the page's
    # number; dropped, the amount read 640,000 元
    from extract.tables import extract_active
    lines = ["第二十条第（九）项",
             "  信息内容    采购项目数量  采购总金额（  ——",
             "                                元）",
             "政府集中采购     ３３４     ６４００００  ——",
             "                                ００", "",
             "                                      - 1 -", "\f"]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_9", "centralized_procurement")] == ["３３４", "６４００００００"]


def test_spaced_active_blank_first_figure_under_a_header_whose_line_names_no_metric_whole():
    # 「本年新制」 over 「作数量」: the header's first line names no metric
    # whole, but it prints where each column is
    from extract.tables import extract_active
    lines = ["第二十条第（一）项",
             " 信息内容    本年新制   本年新公   对外公开",
             "              作数量     开数量     总数量",
             "规章            0          0          0",
             "规范性文件                 2         294", "",
             "第二十条第（五）项",
             "    信息内容       上一年项   本年增/减   处理决定",
             "                    目数量                  数量",
             "行政许可             542         -1         3993"]
    res = extract_active(rows_spaced(lines), "2019")
    assert res.cells[("art20_1", "normative_documents")] == ["", "2", "294"]


def test_grid_table4_row_printed_short_is_not_placed():
    # Markdown fills a short row's cells from the left: 「| 8 | 0 | 1 | 10 |」
    # under five outcomes read 10 as 尚未审结 and left 总计 blank.  Which
    # cell went missing is not known: the row is unread, its neighbours are
    from extract.markdown import read_markdown
    from extract.grid import read_review
    head = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n"
    text = ("### 行政复议\n" + head + "| 27 | 10 | 9 | 15 | 61 |\n\n"
            "### 行政诉讼（未经复议直接起诉）\n" + head + "| 3 | 0 | 0 | 0 | 3 |\n\n"
            "### 行政诉讼（复议后起诉）\n" + head + "| 8 | 0 | 1 | 10 |\n")
    res = read_review(read_markdown(text))
    assert res.cells["administrative_review"] == ["27", "10", "9", "15", "61"]
    assert res.cells["litigation_after_review"] == [None] * 5
    assert any("printed short" in n.message for n in res.notes)
    # a blank cell printed as such is a blank, in its place
    res = read_review(read_markdown(text.replace("| 8 | 0 | 1 | 10 |", "| 8 | 0 | 1 |  | 10 |")))
    assert res.cells["litigation_after_review"] == ["8", "0", "1", "", "10"]


def test_grid_row_with_a_figure_split_over_two_cells_is_not_read_shifted():
    # 「148」 printed as 「1」「48」 in a portal page's table 3: the row's
    # trailing cells are blank, so its cells still fit under the header
    # once the extra blank is dropped, shifted by one.  The row reaches a
    # column further than the grid's other rows: it is left unread
    from extract.document import Cell, Document, Table
    from extract.grid import read_requests, read_review
    cells = [Cell("项目", 0, 0, colspan=3)] + [Cell(n, 0, 3 + i) for i, n in enumerate(
        ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])]
    rows = [("一、本年新收政府信息公开申请数量", ["5", "0", "0", "0", "0", "0", "5"]),
            ("二、上年结转政府信息公开申请数量", ["1", "0", "0", "0", "0", "0", "1"]),
            ("四、结转下年度继续办理", ["2", "0", "0", "0", "0", "0", "2"]),
            ("（一）予以公开", ["1", "48", "1", "", "", "", "", ""])]
    for r, (label, values) in enumerate(rows, start=1):
        cells += [Cell(label, r, 0, colspan=3)] + [Cell(v, r, 3 + i) for i, v in enumerate(values)]
    res = read_requests(Document("html", [Table(cells, 5, 11)]))
    assert res.cells["new_received"] == ["5", "0", "0", "0", "0", "0", "5"]
    assert res.cells["granted"] == [None] * 7 and "printed wider" in res.notes[0].message
    # table 4 in one row under its fifteen outcomes: the row reaches past its header
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [Cell("行政复议", 0, 0, colspan=5), Cell("未经复议直接起诉", 0, 5, colspan=5),
             Cell("复议后起诉", 0, 10, colspan=5)]
    cells += [Cell(o, 1, c) for c, o in enumerate(outcomes * 3)]
    figures = ["5", "", "", "2", "7", "8", "", "", "1", "0", "9", "", "", "", "", ""]   # 「10」 as 「1」「0」
    cells += [Cell(v, 2, c) for c, v in enumerate(figures)]
    res = read_review(Document("html", [Table(cells, 3, 16)]))
    assert all(v == [None] * 5 for v in res.cells.values())

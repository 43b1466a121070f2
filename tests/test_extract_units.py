"""Extraction and transformation units: no Prefect, no GX."""
import codecs
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from extract.decode import NotText, decode_report
from extract.layout import display_width, rows_paragraph, rows_pipe, rows_tabcell, rows_tabrow
from extract.normalise import CellError, is_value_like, label_key, parse_count, parse_money_wan
from extract.tables import classify_row, place

SAMPLE = "二〇二〇年政府信息公开工作年度报告：本年新收政府信息公开申请数量"


@pytest.mark.parametrize("raw,encoding", [
    (SAMPLE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
    (SAMPLE.encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
    ((SAMPLE * 20).encode("gb18030"), "gb18030"),
    ((SAMPLE * 20).encode("gbk"), "gb18030"),
])
def test_decode(raw, encoding):
    decoded = decode_report(raw)
    assert decoded.encoding == encoding
    assert SAMPLE in decoded.text


@pytest.mark.parametrize("raw,reason", [
    (b"", "empty"), (b"  \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, "binary"),
])
def test_decode_rejects(raw, reason):
    with pytest.raises(NotText, match=reason):
        decode_report(raw)


@pytest.mark.parametrize("label,key", [
    ("（一）予以公开", "予以公开"),
    ("(一) 予以公开", "予以公开"),
    ("1．属于国家秘密", "属于国家秘密"),
    ("1、属于国家秘密", "属于国家秘密"),
    ("（1）属于国家秘密", "属于国家秘密"),
    ("三、本年度办理结果", "本年度办理结果"),
    ("3.危及“三安全一稳定”", "危及三安全一稳定"),
    ("（七）总计", "总计"),
    ("结果 维持", "结果维持"),
])
def test_label_key(label, key):
    assert label_key(label) == key


@pytest.mark.parametrize("raw,value", [
    ("0", 0), ("17", 17), ("０１２", 12), ("1,234", 1234), (" 1 234 ", 1234), ("+8", 8), ("-21", -21),
    ("－21", -21), ("\u00a05\u00a0", 5), ("", None), ("-", None), ("—", None), ("/", None), ("无", None),
])
def test_parse_count(raw, value):
    assert parse_count(raw) == value


@pytest.mark.parametrize("raw", ["1.5", "abc", "12 3", "1,2", "25万元"])
def test_parse_count_refuses_to_guess(raw):
    with pytest.raises(CellError):
        parse_count(raw)


@pytest.mark.parametrize("raw,unit,wan", [
    ("251000元", "万元", 25.1), ("25.1万元", "万元", 25.1), ("25.1万", "万元", 25.1), ("25.1", "万元", 25.1),
    ("78874.11万元", "万元", 78874.11), ("251000", "元", 25.1), ("1.2亿元", "万元", 12000.0), ("", "万元", None),
])
def test_money(raw, unit, wan):
    assert parse_money_wan(raw, unit) == wan


def test_value_like():
    assert is_value_like("0") and is_value_like("230.37万") and is_value_like("") and is_value_like("—")
    assert not is_value_like("行政许可") and not is_value_like("2020年")


def test_place_exact_and_trailing_blanks():
    assert place(["1", "2", "3"], 3) == (["1", "2", "3"], None)
    assert place(["1", "2", "", ""], 3) == (["1", "2", ""], None)       # pipe row's trailing `|`
    assert place(["", "1", "2", "3", ""], 3)[0] == ["1", "2", "3"]      # merged-cell blank + trailing tab


def test_place_never_shifts_a_short_row():
    placed, note = place(["0", "0", "0", "0", "0"], 7)
    assert placed is None and "5 cells for 7 columns" in note


def test_place_ambiguous_blanks_place_nothing():
    placed, note = place(["", "1", "2", ""], 3)
    assert placed is None and "ambiguous" in note


def test_row_split_keeps_merged_blanks_with_values():
    labels, values, printed = classify_row(["一、本年新收政府信息公开申请数量", "", "4", "0", "", "0"])
    assert labels == ("一、本年新收政府信息公开申请数量",)
    assert values == ("", "4", "0", "", "0") and printed
    # markers and blanks only: nothing printed; labels after a figure stay values
    assert classify_row(["（四）无法提供", "-", "", "无"]) == (("（四）无法提供",), ("-", "", "无"), False)
    assert classify_row(["合计", "3", "注"]) == (("合计",), ("3", "注"), True)


def test_layouts_rebuild_the_same_row():
    expected = ["行政许可", "172", "+8", "22990"]
    assert rows_pipe(["行政许可 | 172 | +8 | 22990 |"])[0].cells[:4] == expected
    assert rows_tabrow(["行政许可\t172\t+8\t22990"])[0].cells == expected
    assert rows_tabcell(["\t行政许可", "\t172", "\t+8", "\t22990", ""])[0].cells == expected
    assert rows_paragraph(["行政许可", "", "172", "", "+8", "", "22990"])[0].cells == expected


def test_tabcell_joins_wrapped_header():
    rows = rows_tabcell(["\t信息内容", "\t本年新", "", "公开数量", "", "\t规章", "\t0"])
    assert rows[0].cells == ["信息内容", "本年新公开数量"]
    assert rows[1].cells == ["规章", "0"]


def test_paragraph_nbsp_line_is_an_empty_cell():
    rows = rows_paragraph(["行政事业性收费", "", "1", "", "\u00a0", "", "第二十条第(九)项"])
    assert rows[0].cells == ["行政事业性收费", "1", ""]


def test_place_never_reads_a_merged_blank_as_a_figure():
    # a tab row whose label spans three columns lost two figures: 2 merged
    # blanks + 5 figures make 7 cells, which must not become 7 columns
    placed, note = place(["", "", "0", "4", "0", "0", "4"], 7)
    assert placed is None and "first empty" in note
    assert place(["", "3"], 1) == (["3"], None)       # one column: nothing can shift


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_display_width_counts_wide_characters_twice(text):
    # the regex fast path must agree with unicodedata on every character
    expected = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    assert display_width(text) == expected


def test_display_width_examples():
    assert display_width("ab 12") == 5
    assert display_width("本年新收") == 8
    assert display_width("（一）予以公开 12") == 17     # full-width brackets are wide
    assert display_width("\U00020000x") == 3           # CJK extension B, beyond the BMP


# Text made of what row splitting is sensitive to: every kind of space and
# separator converters print, figures and CJK labels.
_ROW_TEXT = st.text(alphabet=st.sampled_from(list("|\t 0１2-—–第页/予以公开\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff\u2000\x1c\r\f\v")),
                    max_size=30)


@settings(max_examples=500, deadline=None)
@given(_ROW_TEXT)
def test_pipe_rows_split_as_the_pipe_pattern_says(line):
    # cells: the stripped body split at each pipe with the spaces around it
    import re

    from extract.normalise import _STRIP_CHARS, strip_cell
    spaces = re.escape(_STRIP_CHARS)
    rows = rows_pipe([line])
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    if not strip_cell(line) or re.match(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", line):
        assert rows == []
    else:
        assert rows[0].cells == re.split(f"[{spaces}]*\\|[{spaces}]*", strip_cell(body))


@settings(max_examples=500, deadline=None)
@given(_ROW_TEXT)
def test_spaced_rows_cells_are_stripped_runs(line):
    import re

    from extract.layout import rows_spaced
    from extract.normalise import strip_cell
    rows = rows_spaced([line])
    if rows:
        assert rows[0].cells == [strip_cell(c) for c in re.findall(r"\S(?: ?\S)*", line.replace("\f", ""))]
    else:                       # blank, or a page number
        assert not strip_cell(line) or re.match(
            r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$",
            line)


def test_section_headings_only_at_line_starts():
    """A heading is 一…六 after nothing but spaces (any width), then 、 or a
    dot; the same shape inside a sentence is prose, and a number inside a
    sentence does not hide a heading on the next line."""
    from extract.report import find_sections

    text = "\n".join([
        "测试局2020年政府信息公开工作年度报告",
        "一、总体情况",
        "本局一、二、三类事项均已公开。二、主动公开不在行首",     # numbers inside a sentence
        "\u3000\u3000二、主动公开政府信息情况",                   # indented with ideographic spaces
        "一是加强领导。三、收到和处理政府信息公开申请情况",         # 一 starts the line but is no heading
        "\u00a0三．收到和处理政府信息公开申请情况",
        "四、结转下年度继续办理",                                  # a table-3 row: words of no section 4
        "四 、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
    ])
    sections = find_sections(text.split("\n"), text)
    assert [(s.number, s.title, s.first_line, s.end_line) for s in sections] == [
        (1, "一、总体情况", 1, 3),
        (2, "二、主动公开政府信息情况", 3, 5),
        (3, "三．收到和处理政府信息公开申请情况", 5, 7),
        (4, "四 、政府信息公开行政复议、行政诉讼情况", 7, 8),
        (5, "五、存在的主要问题及改进情况", 8, 9),
    ]


@given(st.text(alphabet="0123456789", min_size=1, max_size=15))
@settings(max_examples=300, deadline=None)
def test_plain_figures_take_the_fast_path_to_the_same_result(digits):
    """ASCII digit strings skip the normalisation (the memos' usual miss);
    the same figure printed in full-width digits takes the long way and
    must come out the same."""
    from extract.normalise import is_blank, number_text, parse_count
    from extract.tables import _FIGURE, _cell_kind
    from transform.frames import _read_count

    wide = digits.translate({ord(d): ord(d) - ord("0") + ord("０") for d in "0123456789"})
    assert number_text(digits) == number_text(wide) == digits
    assert _cell_kind(digits) == _cell_kind(wide) == _FIGURE
    assert is_value_like(digits) and not is_blank(digits)
    assert _read_count(digits) == _read_count(wide) == (parse_count(wide), None, -1) == (int(digits), None, -1)


def test_template_markers_need_chinese_words():
    """Template detection skips cells of ASCII only (figures) without
    reading them: that holds while every alternative of every marker
    needs a non-ASCII character."""
    from extract.report import _template_marks
    from extract.templates import TEMPLATE_MARKERS

    for pattern in TEMPLATE_MARKERS.values():
        for alternative in pattern.pattern.split("|"):
            assert not alternative.isascii(), alternative
    assert _template_marks("2021") == _template_marks("1,234") == 0
    assert _template_marks("本年新制作数量") and _template_marks("制发件数")
    assert _template_marks("本年新制作数量") != _template_marks("制发件数")


def test_agency_from_a_subtitle_without_brackets():
    from extract.layout import strip_lines
    from extract.report import find_title_and_agency

    def agency(below):
        lines = ["2019年政府信息公开工作年度报告", below, "一、总体情况"]
        return find_title_and_agency(lines, strip_lines(lines), 2)[1]
    assert agency("淮安区政府办公室") == "淮安区政府办公室"
    assert agency("（淮安区政府办公室）") == "淮安区政府办公室"
    # a date or a metadata line below the title names no body
    assert agency("（2020年1月20日）") is None
    assert agency("发布日期：2020-01-20") is None


def test_agency_from_a_title_wrapped_over_two_lines():
    from extract.layout import strip_lines
    from extract.report import find_title_and_agency

    def title_and_agency(*head):
        lines = [*head, "根据《中华人民共和国政府信息公开条例》的要求编制本报告。", "一、总体情况"]
        return find_title_and_agency(lines, strip_lines(lines), len(head) + 1)
    # the title's own words wrapped onto the second line, a year before the name
    assert title_and_agency("2025 年上海市人民政府办公厅政府信息公开", "工作年度报告") == \
        ("2025 年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅")
    assert title_and_agency("正文", "2024 年上海市科委政府信息公开工作", "年度报告")[1] == "上海市科委"
    # without a name, the line below the wrapped title may give it
    assert title_and_agency("2021年政府信息公开", "工作年度报告", "（某某市教育局）")[1] == "某某市教育局"
    # a second line with more than the title's words is no wrap of it
    assert title_and_agency("某某县人民政府政府信息公开", "工作年度报告编制说明如下")[1] is None


def test_agency_names_of_special_zones_are_bodies():
    from extract.agency import clean_agency
    # the bodies of 综合实验区, 自由贸易试验区 and 合作区 report in their own names
    assert clean_agency("平潭综合实验区") == "平潭综合实验区"
    assert clean_agency("2024年中国（上海）自由贸易试验区") == "中国（上海）自由贸易试验区"
    assert clean_agency("横琴粤澳深度合作区") == "横琴粤澳深度合作区"
    # a fragment ending in 区 alone is still no name
    assert clean_agency("本区") is None

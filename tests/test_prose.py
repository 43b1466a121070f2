"""The figures the prose states (extract.prose), on constructed sentences and
on the real reports and the seeds, whose prose was read by hand."""
from pathlib import Path

import pytest

from extract.prose import statements
from tests.conftest import require_seeds

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "input"


def stated(text, year=2021):
    return {s.measure: s.value for s in statements(text, year)}


@pytest.mark.parametrize("text, expected", [
    ("本年度共收到政府信息公开申请12件，上年结转3件。", {"new_received": 12, "carried_over": 3}),
    ("2021年新收政府信息公开申请 7 件。", {"new_received": 7}),
    ("其中予以公开5件，部分公开2件，不予公开1件。", {"granted": 5, "partially_granted": 2, "denied": 1}),
    ("予以公开和部分公开共9件。", {"granted_or_partial": 9}),
    ("同意公开9件。", {"granted_or_partial": 9}),
    ("发生行政复议2起、行政诉讼1起。", {"administrative_review": 2, "litigation": 1}),
    ("本年度未发生行政复议、行政诉讼情况。", {"administrative_review": 0, "litigation": 0}),
    # an outcome word (纠错, 败诉) counts for its own item of the list only
    ("未发生行政复议、行政诉讼、举报投诉纠错等情况。", {"administrative_review": 0, "litigation": 0}),
    ("未发生因依申请公开被行政复议纠错的情况，未发生行政诉讼。", {"litigation": 0}),
    # PDF text: a figure broken over lines, a page number between
    ("全年共收到政府信息公开申\n请 30\n- 2 -\n件。", {"new_received": 30}),
])
def test_plain_statements(text, expected):
    assert stated(text) == expected


@pytest.mark.parametrize("text", [
    "本年度共收到政府信息公开申请12件，同比增长20%。本年度收到申请13件。",   # two figures for one measure
    "共收到政府信息公开申请10-12件。",            # range
    "共收到政府信息公开申请100余件。",            # approximation
    "予以公开5件占50%。",                          # percentage in the clause
    "较去年收到申请增加5件。",                     # comparison
    "2020年收到政府信息公开申请8件。",             # another year
    "上年收到政府信息公开申请8件。",
    "累计收到政府信息公开申请80件。",
    "主动公开政府信息予以公开120条。",
    "行政复议2件1起，行政诉讼3件5起。",            # two candidate figures in a clause
])
def test_ambiguous_sentences_are_not_compared(text):
    assert stated(text) == {}


@pytest.mark.parametrize("text, expected", [
    # 受理 is its own measure (new, or new and carried over); 受理并办结 is not compared
    ("全年共受理政府信息公开申请125件，均在法定期限内予以答复。", {"accepted": 125}),
    ("全年共受理并办结依申请公开43件。", {}),
    ("全年共受理政府信息公开申请20件，其中本年新收18件，上年结转2件。",
     {"accepted": 20, "new_received": 18, "carried_over": 2}),
    # verbs and words of real reports
    ("本年度共接收政府信息公开申请75件，均在法定期限内予以答复。", {"new_received": 75}),
    ("本局本年度共收到各类政府信息公开申请86件（自然人66件、法人或其他组织21件）。", {"new_received": 86}),
    ("我局2021年度收到公民、法人和其他组织提出的政府信息公开申请308件。", {"new_received": 308}),
    ("收到自然人申请3件、法人或其他组织申请2件，共计收到政府信息公开申请5件。", {"new_received": 5}),
    # thousands separators and full-width digits
    ("年内共计收到信息公开申请2,566件，全部按期办结。", {"new_received": 2566}),
    ("予以公开及部分公开１８１４件，占85.1%。", {"granted_or_partial": 1814}),
    ("全年共收到涉及政府信息公开的行政复议申请18件，其中结果维持0件。", {"administrative_review": 18}),
    # 累计 anchored to this year is this year's total
    ("全年累计收到政府信息公开申请37件，较上年的70件增加33件。", {"new_received": 37}),
    # the year before named as the origin of the carried-over requests
    ("2020年度结转至本年度办理的申请10件。", {"carried_over": 10}),
    ("上一年度结转4件，结转至2022年继续办理2件。", {"carried_over": 4}),
])
def test_more_plain_statements(text, expected):
    assert stated(text) == expected


@pytest.mark.parametrize("text", [
    # a sentence whose first clause names another year speaks of that year throughout
    "2020年，因政府信息公开被申请行政复议3件。",
    "2020年，本单位共收到政府信息公开申请37件。",
    "去年，共收到政府信息公开申请37件。",
    # review and litigation together, or review cases of every kind
    "涉及政府信息公开的行政复议和行政诉讼案件共5件。",
    "全年办理各类行政复议案件1719件，行政应诉案件14件。",
    # no case corrected or lost is not no case
    "全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。",
])
def test_other_years_and_totals_of_several_measures_are_not_compared(text):
    assert stated(text) == {}


def test_review_figures_outside_section_four_need_a_sentence_about_disclosure():
    from extract.prose import report_statements

    def by_section(number, text):
        return {s.measure: s.value for s in report_statements([(number, text)], 2021)}
    assert by_section(1, "全年行政复议12件，行政诉讼3件。") == {}
    assert by_section(4, "全年行政复议12件，行政诉讼3件。") == {"administrative_review": 12, "litigation": 3}
    assert by_section(1, "因政府信息公开被申请行政复议2件，被提起行政诉讼1件。") == {
        "administrative_review": 2, "litigation": 1}


def test_the_sentence_is_quoted():
    (s,) = statements("前言。本年度共收到政府信息公开申请12件。后记。", 2021)
    assert s.sentence == "本年度共收到政府信息公开申请12件。"


def _prose(directory: Path, name: str):
    from extract.files import discover, parse_files
    from transform.frames import build_frames

    frames = build_frames(parse_files([e for e in discover(str(directory)) if e.rel == name]))
    sections = frames["sections"].sort_values("number")
    return "\n".join(sections["text"].dropna()), int(frames["reports"]["year"].iloc[0])


# What each report's prose states, read by hand (and what its tables say).
REAL_PROSE = {
    # 「全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度答复）」
    # 「政府信息公开行政复议 351 件，…；政府信息公开行政诉讼 46 件」: tables 3119, 34, 351, 26+20
    # (受理 is read as its own measure, accepted: here the new requests)
    "huaian_city_2024.pdf": {"accepted": 3119, "carried_over": 34,
                             "administrative_review": 351, "litigation": 46},
    # 「共受理政府信息公开申请859件，申请数量较去年回落12.3%；答复…805件（含上年度结转申请18件…）」
    # 「予以公开及部分公开258件，占33.9%；不予公开35件，占4.34%」「行政复议7件，诉讼9件」
    "shanghai_office_2019.html": {"accepted": 859, "carried_over": 18, "granted_or_partial": 258,
                                  "denied": 35, "administrative_review": 7, "litigation": 9},
    # 「全县全年共受理政府信息公开申请 749 件」: the table's 713 new + 36 carried over
    # (accepted: either reading passes);
    # 「全县共办理相关案件 74 件」 (review and litigation together) is no single measure
    "shuyang_county_2025.md.txt": {"accepted": 749},
}
SEED_PROSE = {
    "000_f50582dbfba29884.txt": {},
    "001_933a5e646555734d.txt": {},
    # 「全年共受理并办结政府信息依申请公开18件,较去年同期增长55%,未发生行政复议、行政诉讼…」:
    # 受理并办结 (handled: new, carried over or processed?) is not compared
    "002_cdd85b7f6af27b20.txt": {"administrative_review": 0, "litigation": 0},
    # 「收到依申请公开政府信息 4 条」「不予公开政府信息的情况未发生」「没有发生…行政复议、提起行政诉讼的情况」
    # (its table 3 has 1 不予公开: the prose and the table disagree)
    "003_cfbb34af7d24d30b.txt": {"new_received": 4, "denied": 0, "administrative_review": 0, "litigation": 0},
    # 「区政府共受理依申请公开41件,其中本年新收41件，上年结转0件」; 「2022年…被申请行政复议2件、
    # 提起行政诉讼0件」 names another year: not compared
    "004_7e3cf29f5d278207.txt": {"accepted": 41, "new_received": 41, "carried_over": 0},
}


@pytest.mark.parametrize("name", sorted(REAL_PROSE))
def test_real_reports_prose(name):
    if not REAL.is_dir():
        pytest.skip("real reports not found")
    text, year = _prose(REAL, name)
    assert stated(text, year) == REAL_PROSE[name]


@pytest.mark.parametrize("name", sorted(SEED_PROSE))
def test_seed_reports_prose(name):
    text, year = _prose(require_seeds(), name)
    assert stated(text, year) == SEED_PROSE[name]

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
    "huaian_city_2024.pdf": {"new_received": 3119, "carried_over": 34,
                             "administrative_review": 351, "litigation": 46},
    # 「共受理政府信息公开申请859件，申请数量较去年回落12.3%；答复…805件（含上年度结转申请18件…）」
    # 「予以公开及部分公开258件，占33.9%；不予公开35件，占4.34%」「行政复议7件，诉讼9件」
    "shanghai_office_2019.html": {"new_received": 859, "carried_over": 18, "granted_or_partial": 258,
                                  "denied": 35, "administrative_review": 7, "litigation": 9},
    # 「全县全年共受理政府信息公开申请 749 件」: the table's 713 new + 36 carried over;
    # 「全县共办理相关案件 74 件」 (review and litigation together) is no single measure
    "shuyang_county_2025.md.txt": {"new_received": 749},
}
SEED_PROSE = {
    "000_f50582dbfba29884.txt": {},
    "001_933a5e646555734d.txt": {},
    # 「全年共受理并办结政府信息依申请公开18件,较去年同期增长55%,未发生行政复议、行政诉讼…」
    "002_cdd85b7f6af27b20.txt": {"new_received": 18, "administrative_review": 0, "litigation": 0},
    # 「收到依申请公开政府信息 4 条」「不予公开政府信息的情况未发生」「没有发生…行政复议、提起行政诉讼的情况」
    # (its table 3 has 1 不予公开: the prose and the table disagree)
    "003_cfbb34af7d24d30b.txt": {"new_received": 4, "denied": 0, "administrative_review": 0, "litigation": 0},
    # 「区政府共受理依申请公开41件,其中本年新收41件，上年结转0件」; 「2022年…被申请行政复议2件、
    # 提起行政诉讼0件」 names another year: not compared
    "004_7e3cf29f5d278207.txt": {"new_received": 41, "carried_over": 0},
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

"""Canonical frames: dtypes, nulls, duplicates, incremental planning."""
import pandas as pd

from extract.files import FileEntry, ParsedReport
from extract.report import extract_report
from transform.frames import build_frames, mark_seen_duplicates
from transform.incremental import plan_run

PIPE_REPORT = """2020年某某局政府信息公开工作年度报告
一、总体情况
本年度工作如下。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 3 | — | 0 | 0 | 0 | 0 | 3 |
（六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def _parsed(text: str, rid: str = "r1", path: str = "a.txt") -> ParsedReport:
    return ParsedReport(rid, path, len(text), 1, "utf-8", None, extract_report(text))


def test_blank_and_dash_are_null_with_raw_kept():
    f = build_frames([_parsed(PIPE_REPORT)])
    req = f["requests"]
    row = req[req["row"] == "new_received"].set_index("applicant")
    assert row.loc["natural_person", "value"] == 3
    assert pd.isna(row.loc["commercial_enterprise", "value"])
    assert row.loc["commercial_enterprise", "raw"] == "—"
    assert pd.isna(row.loc["commercial_enterprise", "cell_error"])
    assert row.loc["commercial_enterprise", "cell_error_code"] == "marker"
    assert pd.isna(row.loc["natural_person", "cell_error_code"])
    # rows the report never printed are there, null, with a reason
    missing = req[req["row"] == "granted"]
    assert missing["raw"].isna().all() and (missing["cell_error"] == "cell not found").all()
    assert (missing["cell_error_code"] == "not_found").all()


def test_dtypes_follow_the_contract():
    f = build_frames([_parsed(PIPE_REPORT)])
    assert str(f["requests"]["value"].dtype) == "Int64"
    assert str(f["active_disclosure"]["value"].dtype) == "float64"
    assert isinstance(f["requests"]["row"].dtype, pd.CategoricalDtype)
    assert str(f["reports"]["year"].dtype) == "Int64"


def test_duplicates_in_a_batch_and_across_batches():
    f = build_frames([_parsed(PIPE_REPORT, "same", "a.txt"), _parsed(PIPE_REPORT, "same", "b.txt")])
    reps = f["reports"].set_index("source_path")
    assert reps.loc["b.txt", "error"] == "duplicate of a.txt" and reps.loc["b.txt", "status"] == "rejected"
    assert len(f["requests"]) == 23 * 7  # one copy of the 2019 template's 23 rows
    later, dropped, _ = mark_seen_duplicates(build_frames([_parsed(PIPE_REPORT, "same", "c.txt")])["reports"],
                                             {"same": "a.txt"})
    assert later["error"].iloc[0] == "duplicate of a.txt"
    assert dropped == {"same"}          # its rows in the other datasets go


def test_build_frames_leaves_its_input_as_it_came():
    batch = [_parsed(PIPE_REPORT, "same", "a.txt"), _parsed(PIPE_REPORT, "same", "b.txt")]
    build_frames(batch)
    assert batch[1].extraction is not None and batch[1].error is None


def test_first_path_holds_against_carried_files_and_earlier_batches():
    from transform.frames import mark_seen_duplicates

    # c.txt is carried and held the content; this batch brings a.txt and b.txt
    f = build_frames([_parsed(PIPE_REPORT, "same", "a.txt"), _parsed(PIPE_REPORT, "same", "b.txt"),
                      _parsed(PIPE_REPORT, "other", "d.txt")])
    seen = {"same": "c.txt"}
    reports, drop, demoted = mark_seen_duplicates(f["reports"], seen, {"c.txt"})
    assert demoted == {"c.txt": "same"} and drop == set() and seen == {"same": "a.txt", "other": "d.txt"}
    reps = reports.set_index("source_path")
    assert pd.isna(reps.loc["a.txt", "error"]) and reps.loc["b.txt", "error"] == "duplicate of a.txt"
    # a later batch's copy of a.txt's content, and a copy made in-batch: both point at a.txt
    f = build_frames([_parsed(PIPE_REPORT, "same", "e.txt"), _parsed(PIPE_REPORT, "same", "f.txt")])
    reports, drop, demoted = mark_seen_duplicates(f["reports"], seen, {"c.txt"})
    assert drop == {"same"} and demoted == {}
    assert reports["error"].tolist() == ["duplicate of a.txt", "duplicate of a.txt"]
    assert (reports["status"] == "rejected").all() and reports["template"].isna().all()


def test_plan_run_incremental():
    prev = pd.DataFrame({"source_path": ["a", "b", "c"], "size": [1, 2, 3], "mtime_ns": [10, 20, 30],
                         "report_id": ["ra", "rb", "rc"], "parser_version": ["v1"] * 3, "error": [None] * 3})
    entries = [FileEntry("/x/a", "a", 1, 10), FileEntry("/x/b", "b", 2, 21), FileEntry("/x/d", "d", 4, 40)]
    plan = plan_run(entries, prev, "v1", full=False)
    assert (plan.new, plan.changed, plan.removed, plan.unchanged) == (1, 1, 1, {"a": "ra"})
    assert [e.rel for e in plan.to_parse] == ["b", "d"]
    assert plan_run(entries, prev, "v2", full=False).unchanged == {}
    assert plan_run(entries, prev, "v1", full=True).reparsed == 1


def test_held_in_is_isin_without_rehashing_the_container():
    from transform.frames import held_in

    values = pd.Series(pd.array(["a", None, "c", "d", "a"], dtype="string"), index=[5, 6, 7, 8, 9])
    seen = {"a": "x.txt", "d": "y.txt"}
    mask = held_in(values, seen)
    assert mask.tolist() == [True, False, False, True, True]
    assert list(mask.index) == [5, 6, 7, 8, 9] and mask.dtype == bool
    assert mask.equals(values.isin(list(seen)).fillna(False).astype(bool))


def test_rows_added_together_keep_their_keys_aligned():
    import pytest

    from transform.frames import _CellColumns

    cols = _CellColumns({"article": ("a1", "a2"), "item": ("i1", "i2"), "metric": ("m1", "m2", "m3")})
    cols.add_rows(0, [({"article": "a2", "item": "i1"}, "metric", ("m1", "m3"), ["5", "6"], [(5, None, -1), (6, None, -1)]),
                      ({"article": "a1", "item": "i2"}, "metric", ("m2",), ["7", "extra"], [(7, None, -1), (8, None, -1)])])
    # the second row has one metric: its surplus cell is not a cell of it
    assert cols.keys == {"article": [1, 1, 0], "item": [0, 0, 1], "metric": [0, 2, 1]}
    assert cols.raw == ["5", "6", "7"] and cols.value == [5, 6, 7] and cols.report == [0, 0, 0]
    with pytest.raises(ValueError):      # a row that leaves a key out would shift the columns
        cols.add_rows(1, [({"article": "a1"}, "metric", ("m1",), ["1"], [(1, None, -1)])])


def test_a_table_stored_in_one_step_equals_its_rows_stored_one_by_one():
    from transform.frames import _CellColumns

    categories = {"article": ("a1", "a2"), "item": ("i1", "i2"), "metric": ("m1", "m2", "m3")}
    shape = (((("article", "a2"), ("item", "i1")), "metric", ("m1", "m3")),
             ((("article", "a1"), ("item", "i2")), "metric", ("m2",)))
    raws = [["5", "6"], ["7"]]
    parsed = [[(5.0, None, -1), (6.0, None, -1)], [(7.0, None, -1)]]
    by_rows, at_once = _CellColumns(categories), _CellColumns(categories)
    for report in (0, 1):       # the second time from the codes worked out the first
        by_rows.add_rows(report, [(dict(f), v, names, r, p) for (f, v, names), r, p in zip(shape, raws, parsed)])
        at_once.add_table(report, shape, [c for r in raws for c in r], [v for p in parsed for v in p])
    for column in ("report", "keys", "raw", "value", "error"):
        assert getattr(at_once, column) == getattr(by_rows, column), column
    assert at_once.keys == {"article": [1, 1, 0] * 2, "item": [0, 0, 1] * 2, "metric": [0, 2, 1] * 2}


def test_table2_money_units_unplaced_cells_and_a_ragged_row():
    """Money printed in 元 is stored in 万元; an unplaced cell is null with its
    row's reason; a row whose cells do not match its metrics (not something
    extraction produces) falls back to zip's rule instead of misaligning."""
    from dataclasses import replace

    from extract.notes import Note
    from extract.templates import ACTIVE_METRICS, active_items

    base = _parsed(PIPE_REPORT)
    items = active_items("2019")
    active = {(a, i): ["1"] * len(ACTIVE_METRICS["2019"][a]) for a, i in items}
    active[("art20_9", "centralized_procurement")] = ["2", "35000"]
    active[("art20_1", "regulations")] = [None, "4", "4"]
    extraction = replace(base.extraction, active=active, money_units={"procurement_amount": "元"},
                         notes=[Note("active_disclosure", ("art20_1", "regulations"), "not_placed",
                                     "2 cells for 3 columns")])
    frame = build_frames([replace(base, extraction=extraction)])["active_disclosure"]
    cell = frame.set_index(["item", "metric"])
    assert cell.loc[("centralized_procurement", "procurement_amount"), "value"] == 3.5
    assert cell.loc[("centralized_procurement", "procurement_items"), "value"] == 2.0
    assert pd.isna(cell.loc[("regulations", "new_made"), "value"])
    assert cell.loc[("regulations", "new_made"), "cell_error"] == "not placed: 2 cells for 3 columns"
    assert cell.loc[("regulations", "new_made"), "cell_error_code"] == "not_placed"
    assert len(frame) == sum(len(ACTIVE_METRICS["2019"][a]) for a, _ in items)
    # a ragged row: its surplus cell is dropped, the other rows are whole
    active[("art20_8", "administrative_fees")] = ["9", "8", "surplus"]
    ragged = build_frames([replace(base, extraction=replace(extraction, active=active))])["active_disclosure"]
    fees = ragged[ragged["item"] == "administrative_fees"]
    assert fees["raw"].tolist() == ["9", "8"] and len(ragged) == len(frame)

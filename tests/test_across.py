"""Expectations across documents (expectations.across), their place in
`validations` and statuses, and Data Docs that load nothing from a network."""
from pathlib import Path

import pandas as pd
import pytest

from expectations.across import cross_year_view, refresh_staged, validate_across
from expectations.docs_offline import asset_urls
from expectations.validate import SCOPES, statuses
from tests.conftest import require_seeds


def _reports(rows, with_key=True):
    frame = pd.DataFrame(rows, columns=["report_id", "source_path", "year", "agency_key", "primary"])
    frame["error"] = None
    return frame if with_key else frame.drop(columns=["agency_key", "primary"])


def _requests(cells):
    """cells: (report_id, row, applicant, value)"""
    return pd.DataFrame(cells, columns=["report_id", "row", "applicant", "value"]).astype({"value": "Int64"})


A, B = "江苏省淮安市淮阴区民政局", "江苏省淮安市淮安区民政局"
REPORTS = [
    ("a20", "a/2020.txt", 2020, A, True),
    ("a21", "a/2021.txt", 2021, A, True),
    ("a21p", "a/2021.pdf", 2021, A, False),      # the same report as a PDF: not primary
    ("b21", "b/2021.txt", 2021, B, True),          # no 2020 report of B
]
REQUESTS = _requests([
    ("a20", "carried_forward", "natural_person", 2), ("a20", "carried_forward", "total", 2),
    ("a21", "carried_over", "natural_person", 3), ("a21", "carried_over", "total", 2),
    ("a21p", "carried_over", "natural_person", 9), ("a21p", "carried_over", "total", 9),
    ("b21", "carried_over", "natural_person", 1), ("b21", "carried_over", "total", 1),
])


def test_cross_year_view_pairs_primary_reports_of_consecutive_years():
    view = cross_year_view(_reports(REPORTS), REQUESTS)
    assert set(view["report_id"]) == {"a21"}
    assert dict(zip(view["applicant"], view["residual"])) == {"natural_person": 1, "total": 0}
    assert set(view["previous_source_path"]) == {"a/2020.txt"}


def test_cross_year_needs_a_key_naming_one_place():
    # 鼓楼区 is a district of 南京市 and of 徐州市: 江苏省鼓楼区民政局 may be either's
    rows = [(rid, path, year, "江苏省鼓楼区民政局" if key == A else key, p) for rid, path, year, key, p in REPORTS]
    assert cross_year_view(_reports(rows), REQUESTS).empty


def test_cross_year_needs_agency_key():
    assert cross_year_view(_reports(REPORTS, with_key=False), REQUESTS).empty


def _sections(rows):
    return pd.DataFrame(rows, columns=["report_id", "number", "title", "text"])


def _figures(sections: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """The prose_figures rows a parse writes for these sections."""
    from extract.prose import report_statements

    years = dict(zip(reports["report_id"], reports["year"]))
    rows = [(rid, st.measure, st.value, st.sentence)
            for rid, part in sections.groupby("report_id", sort=False)
            for st in report_statements(list(zip(part["number"], part["text"])), int(years[rid]))]
    return pd.DataFrame(rows, columns=["report_id", "measure", "stated", "sentence"])


def test_validate_across_rows_and_statuses():
    sections = _sections([("a21", 1, "一、总体情况", "2021年，本机关共收到政府信息公开申请5件，上年结转3件。"),
                          ("b21", 1, "一、总体情况", "本年度新收政府信息公开申请1件。")])
    requests = pd.concat([REQUESTS, _requests([("a21", "new_received", "total", 4),
                                               ("b21", "new_received", "total", 1)])])
    rows = validate_across(_reports(REPORTS), requests, None, _figures(sections, _reports(REPORTS)), run_id="run-1")
    assert list(rows.columns) == ["report_id", "expectation", "success", "details", "scope", "run_id"]
    assert set(rows["run_id"]) == {"run-1"} and set(rows["scope"].astype(str)) <= set(SCOPES)
    got = {(r.report_id, r.expectation, r.scope): bool(r.success) for r in rows.itertuples()}
    assert got == {("a21", "carried_over_matches_previous_year", "cross_year"): False,
                   ("a21", "prose_matches_tables", "prose"): False,
                   ("b21", "prose_matches_tables", "prose"): True}
    cross = rows.loc[rows["expectation"] == "carried_over_matches_previous_year", "details"].iloc[0]
    assert "a/2021.txt" in cross and "a/2020.txt" in cross and "natural_person" in cross and "total" not in cross
    prose = rows.loc[(rows["expectation"] == "prose_matches_tables") & (rows["report_id"] == "a21"), "details"].iloc[0]
    # a21's prose: 5 new (table 4), 3 carried over (table 2)
    assert "new_received = 5, the tables 4" in prose and "carried_over = 3, the tables 2" in prose
    assert "收到政府信息公开申请5件" in prose

    # failures across documents never make a report invalid
    reports = _reports(REPORTS)
    assert list(statuses(reports, rows)) == ["ok"] * len(reports)
    own = pd.DataFrame({"report_id": ["a21"], "expectation": ["requests_balance"], "success": [False],
                        "details": ["x"], "scope": ["report"], "run_id": ["run-1"]})
    assert list(statuses(reports, pd.concat([rows, own]))) == ["ok", "invalid", "ok", "ok"]


def test_refresh_staged_replaces_earlier_rows(tmp_path):
    """An incremental run that brings last year's report re-checks this
    year's; the rows of the run before are replaced, the report's own kept."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    staged = tmp_path / "staging"
    for d in ("reports", "requests", "review_litigation", "prose_figures", "validations"):
        (staged / d).mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(_reports(REPORTS), preserve_index=False), staged / "reports" / "part-a.parquet")
    pq.write_table(pa.Table.from_pandas(REQUESTS, preserve_index=False), staged / "requests" / "part-a.parquet")
    old = pd.DataFrame({"report_id": ["a21", "a21"], "expectation": ["requests_balance", "prose_matches_tables"],
                        "success": [True, False], "details": [None, "old"], "scope": ["report", "prose"],
                        "run_id": ["run-0", "run-0"]})
    part = staged / "validations" / "part-old-00000.parquet"
    pq.write_table(pa.Table.from_pandas(old, preserve_index=False), part)
    previous = tmp_path / "previous.parquet"
    import os
    os.link(part, previous)                         # a carried part is a hard link into the last version
    assert refresh_staged(staged, run_id="run-1") == 1
    rows = pq.read_table(staged / "validations").to_pandas()
    assert sorted(zip(rows["expectation"].astype(str), rows["run_id"])) == [
        ("carried_over_matches_previous_year", "run-1"), ("requests_balance", "run-0")]
    assert len(pq.read_table(previous)) == 2        # the previous version's file is untouched


def test_data_docs_offline_and_naming_source_paths(tmp_path):
    from extract.files import discover, parse_files
    from expectations.validate import Validator
    from transform.frames import build_frames

    frames = build_frames(parse_files(discover(str(require_seeds()))))
    docs = tmp_path / "docs"
    validator = Validator(docs_dir=docs)
    validations = validator.validate(frames, for_docs=True)
    validator.build_docs()
    pages = [p for p in docs.rglob("*.html") if "vendor" not in p.parts]
    assert pages
    for page in pages:
        assert asset_urls(page.read_text(encoding="utf-8")) == [], page
    assert asset_urls((docs / "static" / "styles" / "data_docs_default_styles.css").read_text()) == []
    failing = validations.loc[~validations["success"].astype(bool), "report_id"]
    paths = frames["reports"].set_index("report_id").loc[failing.unique(), "source_path"]
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    for path in paths:
        assert path in text
    vendored = docs / "static" / "vendor"
    assert (vendored / "bootstrap" / "bootstrap.min.css").is_file()
    assert (vendored / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()


def test_prose_is_not_held_against_a_total_its_own_row_contradicts():
    from expectations.across import table_measures
    review = pd.DataFrame(
        [("r", "administrative_review", o, v) for o, v in
         (("upheld", 1), ("corrected", 1), ("other", 0), ("pending", 0), ("total", 0))]      # misread: 1+1 != 0
        + [("r", p, o, v) for p in ("litigation_direct", "litigation_after_review") for o, v in
           (("upheld", 1), ("corrected", 0), ("other", 0), ("pending", 0), ("total", 1))],
        columns=["report_id", "proceeding", "outcome", "value"]).astype({"value": "Int64"})
    got = dict(zip(table_measures(None, review)["measure"], table_measures(None, review)["table"]))
    assert pd.isna(got["administrative_review"]) and got["litigation"] == 2


def test_a_measure_of_several_rows_is_unknown_when_one_of_its_rows_total_is_blank():
    # 予以公开 206 with 部分公开 unread is no figure for 予以公开和部分公开
    from expectations.across import table_measures
    rows = [("r", "granted", a, v) for a, v in (("natural_person", 201), ("commercial_enterprise", 5),
                                                 ("total", 206))]
    rows = [r + ("",) for r in rows]
    rows += [("r", "partially_granted", a, None, "cell not found (nothing placed)") for a in ("natural_person", "total")]
    rows += [("s", "granted", "total", 3, None), ("s", "partially_granted", "total", 2, None)]
    # printed blank (no cell error): skipped, as a blank row adds nothing
    rows += [("t", "granted", "total", 3, None), ("t", "partially_granted", "total", None, None)]
    requests = pd.DataFrame(rows, columns=["report_id", "row", "applicant", "value", "cell_error"]) \
        .astype({"value": "Int64"}).replace({"cell_error": {"": None}})
    got = table_measures(requests, None)
    got = {(r, m): t for r, m, t in zip(got["report_id"], got["measure"], got["table"])}
    assert pd.isna(got[("r", "granted_or_partial")]) and got[("r", "granted")] == 206
    assert got[("s", "granted_or_partial")] == 5
    assert got[("t", "granted_or_partial")] == 3

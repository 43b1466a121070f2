"""The data-quality dashboard, opened in a real headless browser.

Debian's `chromium --headless --dump-dom` renders each page from disk (no
server, no network) and the numbers are read from the rendered DOM's tables,
then checked against the warehouse.  Where Chromium is absent the tests are
skipped, saying so; under CI=true they fail instead.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transform.schema import SCOPES
from lxml import html as lxml_html

from conftest import prefect_api_url, run_xxgk
from transform.dashboard import build_dashboard
from transform.frames import empty_frames
from transform.warehouse import DATASETS, Warehouse, write_part

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    message = ("Chromium not found (looked for " + ", ".join(BROWSERS) + "): install Debian's package, "
               "`apt-get install -y chromium`, to open the dashboard in a headless browser")
    if os.environ.get("CI") == "true":
        pytest.fail(message + " -- CI=true, so this is a failure, not a skip")
    pytest.skip(message)


def render(page: Path, tmp_path: Path):
    """The DOM Chromium renders from the file, parsed."""
    exe = browser()
    profile = tmp_path / f"chromium-profile-{page.stem[:16]}"
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-2000:]
    return lxml_html.fromstring(proc.stdout)


def table_rows(dom, table_id: str) -> tuple[list[str], list[list[str]]]:
    tables = dom.xpath(f'//table[@id="{table_id}"]')
    assert tables, f"no table #{table_id} on the page"
    head = [th.text_content().strip() for th in tables[0].xpath("./thead/tr/th")]
    rows = [[c.text_content().strip() for c in tr.xpath("./th|./td")] for tr in tables[0].xpath("./tbody/tr")]
    return head, rows


def as_records(dom, table_id: str) -> list[dict[str, str]]:
    head, rows = table_rows(dom, table_id)
    return [dict(zip(head, r)) for r in rows]


# ---------------------------------------------------------------- warehouses
@pytest.fixture(scope="module")
def synth_warehouse(tmp_path_factory):
    """The real pipeline, as a user runs it, over 30 synthetic reports."""
    base = tmp_path_factory.mktemp("dash")
    proc = run_xxgk("synth", "--out", str(base / "corpus"), "--n", "30", "--seed", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = base / "warehouse"
    proc = run_xxgk("run", str(base / "corpus" / "reports"), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def failing_counts(validations: pd.DataFrame) -> pd.Series:
    failed = validations[~validations["success"].astype(bool)]
    return failed.groupby(failed["expectation"].astype(str))["report_id"].nunique().sort_values(ascending=False)


# ---------------------------------------------------------------- the run's page
def test_run_writes_the_dashboard_of_its_version(synth_warehouse):
    index = synth_warehouse / "dashboard" / "index.html"
    assert index.is_file(), "the run wrote no dashboard"
    text = index.read_text(encoding="utf-8")
    version = Warehouse(synth_warehouse).current_version()
    assert f'content="{version}"' in text
    # self-contained: nothing fetched from anywhere (the SVG namespaces are names, not fetches)
    dom = lxml_html.fromstring(text)
    for attr in ("src", "href"):
        for value in dom.xpath(f"//@{attr}"):
            assert not value.startswith(("http:", "https:", "//")), f"external {attr}: {value}"
    assert not dom.xpath("//script[@src]|//link[@rel='stylesheet']")


def test_artifact_links_to_the_page(synth_warehouse):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: prefect_api_url()}):
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["xxgk-dashboard"])),
                # the Prefect database outlives a pytest run: newest first, so
                # this run's artifact is not cut off by older ones
                sort=ArtifactSort.CREATED_DESC, limit=200)
    index = (synth_warehouse / "dashboard" / "index.html").resolve()
    assert any(index.as_uri() in (a.data or "") for a in artifacts), [a.data for a in artifacts]


def test_rendered_numbers_match_the_warehouse(synth_warehouse, tmp_path):
    wh = Warehouse(synth_warehouse)
    reports = wh.read("reports")
    validations = wh.read("validations")
    dom = render(synth_warehouse / "dashboard" / "index.html", tmp_path)

    assert dom.xpath('string(//*[@id="version"])').strip() == wh.current_version()
    (totals,) = as_records(dom, "totals")
    status = reports["status"].astype(str)
    assert int(totals["reports"]) == len(reports)
    for s in ("ok", "invalid", "rejected"):
        assert int(totals[s]) == int((status == s).sum()), s
    assert int(totals["invalid"]) > 0 and int(totals["ok"]) > 0   # the corpus has both

    # status by year: every row of the rendered table
    by_year = pd.crosstab(reports["year"].astype("string").fillna("(none)"), status)
    shown = as_records(dom, "status-by-year")
    assert {r["year"] for r in shown} == set(by_year.index)
    for r in shown:
        for s in ("ok", "invalid", "rejected"):
            expected = int(by_year.loc[r["year"], s]) if s in by_year else 0
            assert int(r[s]) == expected, (r, s)
    for column in ("template", "format", "layout"):
        shown = as_records(dom, f"status-by-{column}")
        assert sum(int(r["total"]) for r in shown) == len(reports), column

    # the most-failed expectation and its count
    counts = failing_counts(validations)
    top = as_records(dom, "top-expectations")
    assert int(top[0]["failing reports"]) == int(counts.iloc[0])
    assert top[0]["expectation"] in set(counts[counts == counts.iloc[0]].index)
    for r in top:
        assert int(r["failing reports"]) == int(counts[r["expectation"]]), r

    # trend over report years: the top expectation's row sums to its count
    head, rows = table_rows(dom, "expectation-trend")
    trend = {row[0]: sum(int(x) for x in row[1:]) for row in rows}
    assert trend[top[0]["expectation"]] == int(counts.iloc[0])

    # rejections by error_code
    rejected = reports.loc[status == "rejected", "error_code"].astype("string").fillna("(no code)").value_counts()
    if rejected.empty:
        assert "no report rejected" in dom.text_content()
    else:
        shown = {r["error_code"]: int(r["rejected"]) for r in as_records(dom, "rejections")}
        assert shown == {k: int(v) for k, v in rejected.items()}

    # every chart rendered as SVG with marks
    charts = dom.xpath('//figure[@class="chart"]/*[local-name()="svg"]')
    # one chart per section that has data: at least status by year,
    # template, format, layout, the failing expectations, their trend and
    # the bodies (the rejections chart only where a file was rejected)
    assert len(charts) >= 7, len(charts)

    # columns the contract adds later: used when present, a note when not
    text = dom.text_content()
    if "agency_key" not in reports:
        assert "agency_key: not available yet" in text
    if "scope" not in validations:
        assert "validations.scope: not available yet" in text


def test_report_page_shows_findings_and_tables(synth_warehouse, tmp_path):
    wh = Warehouse(synth_warehouse)
    reports = wh.read("reports")
    validations = wh.read("validations")
    requests = wh.read("requests")
    failed = validations[~validations["success"].astype(bool)]
    rid = failed["report_id"].iloc[0]
    index = lxml_html.fromstring((synth_warehouse / "dashboard" / "index.html").read_text(encoding="utf-8"))
    assert index.xpath(f'//a[@href="reports/{rid}.html"]'), "the dashboard does not link the report's page"

    dom = render(synth_warehouse / "dashboard" / "reports" / f"{rid}.html", tmp_path)
    meta = {r[0]: r[1] for r in table_rows(dom, "meta")[1]}
    row = reports[(reports["report_id"] == rid) & (reports["status"] != "rejected")].iloc[0]
    assert meta["source_path"] == row["source_path"]
    assert meta["status"] == "invalid"
    shown_failed = {r["expectation"] for r in as_records(dom, "failed")}
    assert shown_failed == set(failed.loc[failed["report_id"] == rid, "expectation"].astype(str))

    head, rows = table_rows(dom, "table3")
    columns = [h.split(" ")[0] for h in head[1:]]
    grid = {r[0].split(" ")[0]: dict(zip(columns, r[1:])) for r in rows}
    cells = requests[requests["report_id"] == rid]
    assert set(grid) == set(cells["row"].astype(str))
    for rec in cells.itertuples():
        text = grid[str(rec.row)][str(rec.applicant)]
        error = rec.cell_error if isinstance(rec.cell_error, str) else ""
        value = "" if pd.isna(rec.value) else str(int(rec.value))
        assert text == value + error, (rec.row, rec.applicant, text)

    # table 2: figures as stored (money in 万元, no rounding), blank where null
    active = wh.read("active_disclosure")
    head, rows = table_rows(dom, "table2")
    grid = {tuple(r[0].split(" ")[:2]): dict(zip(head[1:], r[1:])) for r in rows}
    for rec in active[active["report_id"] == rid].itertuples():
        text = grid[(str(rec.article), str(rec.item))][str(rec.metric)]
        if isinstance(rec.cell_error, str):
            text = text.replace(rec.cell_error, "")
        assert (text == "") if pd.isna(rec.value) else (float(text) == rec.value), (rec, text)


def test_report_pages_are_written_again_only_when_they_change(synth_warehouse, tmp_path):
    """A second build over the same version rewrites no report page; a page
    whose signature no longer matches (its findings changed) is rewritten,
    and a page of a report that no longer has findings is removed."""
    import json

    copy = tmp_path / "wh"
    shutil.copytree(synth_warehouse, copy, symlinks=True)
    pages = copy / "dashboard" / "reports"
    build_dashboard(copy)
    before = {p.name: p.stat().st_mtime_ns for p in pages.glob("*.html")}
    assert len(before) >= 2
    build_dashboard(copy)
    assert {p.name: p.stat().st_mtime_ns for p in pages.glob("*.html")} == before
    signatures = json.loads((pages / ".signatures.json").read_text())
    assert set(signatures) == {name[:-len(".html")] for name in before}
    changed = sorted(signatures)[0]
    signatures[changed] = "findings of an earlier version"
    stale = pages / "not-a-report-any-more.html"
    stale.write_text("old")
    (pages / ".signatures.json").write_text(json.dumps(signatures))
    build_dashboard(copy)
    after = {p.name: p.stat().st_mtime_ns for p in pages.glob("*.html")}
    assert {n for n in after if after[n] != before.get(n)} == {f"{changed}.html"}
    assert not stale.exists()


# ---------------------------------------------------------------- the columns to come
@pytest.fixture(scope="module")
def full_contract_warehouse(synth_warehouse, tmp_path_factory):
    """The run's datasets plus what the contract adds later (agency_key and
    region, validations scope and run_id with cross_year/prose findings, a
    blank and an unreadable cell, the runs dataset), written as a committed
    version; the dashboard is built from it by the pure function."""
    src = Warehouse(synth_warehouse)
    out = tmp_path_factory.mktemp("full") / "warehouse"
    frames = {d: src.read(d) for d in DATASETS}
    reports = frames["reports"]
    reports["agency_key"] = reports["agency"].astype("string").str.replace("区", "区·", n=1, regex=False)
    reports["province"] = pd.array(["江苏省"] * len(reports), dtype="string")
    reports["city"] = pd.array(["淮安市"] * len(reports), dtype="string")
    reports["county"] = pd.array([None] * len(reports), dtype="string")
    reports["primary"] = reports["status"] != "rejected"
    v = frames["validations"]
    v["scope"] = pd.Categorical(["report"] * len(v), categories=SCOPES)
    v["run_id"] = pd.array(["run-2"] * len(v), dtype="string")
    extracted = list(reports.loc[reports["status"] != "rejected", "report_id"].drop_duplicates())
    across = pd.DataFrame({
        "report_id": pd.array(extracted[:3], dtype="string"),
        "expectation": pd.array(["carried_over_matches_previous_year"] * 2 + ["prose_matches_tables"], dtype="string"),
        "success": pd.array([False] * 3, dtype="boolean"),
        "details": pd.array(["natural_person: carried_over 5, previous carried_forward 7 (off by -2)"] * 2
                            + ["prose says 12 new requests, table 3 says 21"], dtype="string"),
        "scope": pd.array(["cross_year", "cross_year", "prose"], dtype="string"),
        "run_id": pd.array(["run-2"] * 3, dtype="string"),
    })
    combined = pd.concat([v.astype({"expectation": "string", "scope": "string"}), across], ignore_index=True)
    # the key columns as the warehouse stores them (categoricals of their vocabulary)
    combined["expectation"] = combined["expectation"].astype("category")
    combined["scope"] = pd.Categorical(combined["scope"], categories=SCOPES)
    frames["validations"] = combined
    req = frames["requests"]
    target = extracted[0]
    first = req.index[(req["report_id"] == target)][:2]
    req["value"] = req["value"].astype("Int64")
    req.loc[first[0], "value"] = pd.NA
    req.loc[first[0], "raw"] = pd.NA
    req.loc[first[1], "value"] = pd.NA
    req.loc[first[1], "cell_error"] = "not placed: 5 cells for 7 columns"
    blank = (str(req.loc[first[0], "row"]), str(req.loc[first[0], "applicant"]))
    unplaced = (str(req.loc[first[1], "row"]), str(req.loc[first[1], "applicant"]))

    staging = Warehouse(out).begin()
    for d in DATASETS:
        write_part(staging.dir, d, frames[d], "full")
    staging.commit({d: f.iloc[:0] for d, f in frames.items()} | empty_frames())
    runs = pd.DataFrame({
        "run_id": ["run-1", "run-2"],
        "started_at": pd.to_datetime(["2026-01-01T02:00:00Z", "2026-01-02T02:00:00Z"]),
        "finished_at": pd.to_datetime(["2026-01-01T02:01:00Z", "2026-01-02T02:01:00Z"]),
        "version": ["000001-a", Warehouse(out).current_version()],
        "ok": [10, 20], "invalid": [20, 6], "rejected": [10, 4], "outcome": ["completed", "completed"],
    })
    (out / "runs").mkdir()
    pq.write_table(pa.Table.from_pandas(runs, preserve_index=False), out / "runs" / "part-0.parquet")
    build_dashboard(out)
    return out, target, across, (blank, unplaced)


def test_columns_to_come_are_used(full_contract_warehouse, tmp_path):
    out, target, across, (blank, unplaced) = full_contract_warehouse
    dom = render(out / "dashboard" / "index.html", tmp_path)
    text = dom.text_content()
    assert "not available yet" not in text

    listed = as_records(dom, "across-list")
    assert sorted((r["scope"], r["expectation"]) for r in listed) == sorted(zip(across["scope"], across["expectation"]))
    for rid in across["report_id"]:
        assert dom.xpath(f'//table[@id="across-list"]//a[@href="reports/{rid}.html"]')
        assert (out / "dashboard" / "reports" / f"{rid}.html").is_file()

    bodies = as_records(dom, "top-bodies")
    assert "agency_key" in table_rows(dom, "top-bodies")[0]
    assert all(r["province"] == "江苏省" for r in bodies)

    shown = as_records(dom, "runs")
    assert [r["run_id"] for r in shown] == ["run-2", "run-1"]     # newest first
    assert [r["share ok"] for r in shown] == ["66.7%", "25.0%"]

    page = render(out / "dashboard" / "reports" / f"{target}.html", tmp_path)
    head, rows = table_rows(page, "table3")
    columns = [h.split(" ")[0] for h in head[1:]]
    grid = {r[0].split(" ")[0]: dict(zip(columns, r[1:])) for r in rows}
    assert grid[blank[0]][blank[1]] == ""                                  # a blank cell is blank, not 0
    assert grid[unplaced[0]][unplaced[1]] == "not placed: 5 cells for 7 columns"   # its error shown
    assert len(page.xpath('//table[@id="table3"]//td[contains(@class,"err")]')) == 1
    findings = {r["expectation"]: r for r in as_records(page, "failed")}
    assert findings["carried_over_matches_previous_year"]["scope"] == "cross_year"


def test_missing_warehouse_gives_a_page(tmp_path):
    index = build_dashboard(tmp_path / "nothing")
    assert "no committed version yet" in index.read_text(encoding="utf-8")

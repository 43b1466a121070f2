"""OUTPUT/xxgk.duckdb and `xxgk sql`, after real runs; primaries settled over
the whole warehouse, an incremental run giving what a fresh one gives."""
import csv
import io
import shutil

import duckdb
import pandas as pd
import pytest

from conftest import run_xxgk

PRIMARY_SUM = ("select sum(value) from requests_cells where is_primary and status = 'ok' "
               "and row = 'new_received' and applicant = 'total'")


def _sql(out, query):
    proc = run_xxgk("sql", query, "--out", str(out), "--csv")
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    return rows[1:]


def _pandas_primary_sum(out):
    reports = pd.read_parquet(out / "reports")
    requests = pd.read_parquet(out / "requests")
    keep = reports.loc[reports["primary"].fillna(False).astype(bool) & (reports["status"] == "ok"), "report_id"]
    cells = requests[requests["report_id"].isin(set(keep)) & (requests["row"] == "new_received")
                     & (requests["applicant"] == "total")]
    return int(cells["value"].sum())


def _primaries(out):
    r = pd.read_parquet(out / "reports").set_index("source_path").sort_index()
    return {p: (bool(v), None if pd.isna(of) else of) for p, v, of in zip(r.index, r["primary"], r["primary_of"])}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from synth.writer import write_corpus

    base = tmp_path_factory.mktemp("sqlcorpus")
    from synth.render import LAYOUTS

    truth = write_corpus(base, 10, seed=21, non_report_rate=0, layouts=LAYOUTS)    # text files, one of them UTF-8
    src = base / "reports"
    # the same body's report of the same year published twice (different bytes)
    first = src / sorted(rel for rel, rec in truth["files"].items()
                         if rel.endswith(".txt") and rec["encoding"] == "utf-8")[0]
    copy = first.with_name("zz_" + first.name)
    copy.write_bytes(first.read_bytes() + b"\n")
    return src, first, copy


def test_sql_counts_and_primary_sums(corpus, tmp_path):
    src, first, copy = corpus
    out = tmp_path / "wh"
    proc = run_xxgk("run", str(src), "--out", str(out), "--no-docs")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (out / "xxgk.duckdb").is_file()
    n = len(pd.read_parquet(out / "reports"))
    assert _sql(out, "select count(*) from reports") == [[str(n)]]
    # a sum over valid primary reports is one line, and equals pandas' sum
    assert int(_sql(out, PRIMARY_SUM)[0][0]) == _pandas_primary_sum(out)
    # the two publications of one report: the path that sorts first is primary
    primaries = _primaries(out)
    rel_first, rel_copy = (str(p.relative_to(src)) for p in (first, copy))
    assert primaries[rel_first][0] is True and primaries[rel_copy][0] is False
    reports = pd.read_parquet(out / "reports").set_index("source_path")
    assert primaries[rel_copy][1] == reports.loc[rel_first, "report_id"]
    # the wide table 3: one row per report, a column per row and applicant
    wide = _sql(out, "select count(*), sum(new_received__total) filter (where is_primary and status = 'ok') "
                     "from requests_wide")
    assert int(wide[0][1]) == _pandas_primary_sum(out)
    labels = dict(_sql(out, "select key, label from labels where \"column\" = 'applicant'"))
    assert labels["natural_person"] == "自然人"
    # the duckdb CLI's way in works as well
    con = duckdb.connect(str(out / "xxgk.duckdb"), read_only=True)
    assert con.sql("select count(*) from requests_cells").fetchall()[0][0] == len(pd.read_parquet(out / "requests"))
    con.close()


def test_incremental_run_settles_primaries_as_a_fresh_run(corpus, tmp_path):
    src, first, copy = corpus
    work = tmp_path / "in"
    shutil.copytree(src, work)
    out = tmp_path / "inc"
    assert run_xxgk("run", str(work), "--out", str(out), "--no-docs").returncode == 0
    # a third publication whose path sorts before both: it becomes primary
    earlier = work / first.relative_to(src).parent / ("a_" + first.name)
    earlier.write_bytes(first.read_bytes() + b"\n\n")
    proc = run_xxgk("run", str(work), "--out", str(out), "--no-docs")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "unchanged" in proc.stdout
    fresh = tmp_path / "fresh"
    assert run_xxgk("run", str(work), "--out", str(fresh), "--no-docs").returncode == 0
    assert _primaries(out) == _primaries(fresh)
    assert _primaries(out)[str(earlier.relative_to(work))][0] is True
    # the catalog follows the new version
    assert _sql(out, "select count(*) from reports") == [[str(len(pd.read_parquet(out / "reports")))]]
    assert int(_sql(out, PRIMARY_SUM)[0][0]) == _pandas_primary_sum(out)


def test_sql_without_a_warehouse_is_one_line(tmp_path):
    proc = run_xxgk("sql", "select 1", "--out", str(tmp_path / "none"))
    assert proc.returncode != 0 and "no warehouse" in proc.stderr and proc.stderr.strip().count("\n") == 0

"""The runs dataset: one row per run that took the lock, written once, and a
row for a run killed outright written by the next run from its marker."""
import json

import pandas as pd
import pytest

from conftest import run_xxgk
from test_nightly import make_input, run_crashing
from transform import runs
from transform.warehouse import Warehouse


def read(out) -> pd.DataFrame:
    return pd.read_parquet(out / "runs").sort_values("started_at").reset_index(drop=True)


def test_completed_runs_and_killed_run_recorded_by_the_next(tmp_path):
    src, out = make_input(tmp_path), tmp_path / "w"
    ok = run_xxgk("run", str(src), "--out", str(out), "--no-docs", timeout=120)
    assert ok.returncode == 0, ok.stderr[-2000:]
    first = read(out)
    assert len(first) == 1
    row = first.iloc[0]
    assert row["outcome"] == "completed" and row["version"] == Warehouse(out).current_version()
    assert (row["files_seen"], row["new"], row["ok"] + row["invalid"] + row["rejected"]) == (3, 3, 3)
    assert row["finished_at"] >= row["started_at"]
    assert set(json.loads(row["stage_seconds"])) >= {"discover", "validate", "write"}
    assert isinstance(json.loads(row["failures"]), dict)

    # killed outright mid-run: no row of its own, its marker stays ...
    killed = run_crashing("before-commit", "run", str(src), "--out", str(out), "--no-docs", "--full")
    assert killed.returncode != 0
    assert len(read(out)) == 1
    assert list((out / ".xxgk").glob("running-*.json"))
    # ... until the next run that takes the lock records it as failed
    again = run_xxgk("run", str(src), "--out", str(out), "--no-docs", "--keep", "1", timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    rows = read(out)
    assert list(rows["outcome"]) == ["completed", "failed", "completed"]
    assert rows["version"].isna().tolist() == [False, True, False]
    assert rows["run_id"].is_unique
    assert not list((out / ".xxgk").glob("running-*.json"))
    assert len(list((out / ".xxgk" / "versions").iterdir())) == 1       # --keep 1
    # readable by DuckDB as it is
    duckdb = pytest.importorskip("duckdb")
    assert duckdb.sql(f"select count(*) from '{out}/runs/*.parquet'").fetchall()[0][0] == 3


def test_killed_after_commit_is_completed_and_refused_run_writes_nothing(tmp_path):
    src, out = make_input(tmp_path), tmp_path / "w"
    killed = run_crashing("after-commit", "run", str(src), "--out", str(out), "--no-docs")
    assert killed.returncode != 0
    with Warehouse(out).lock():
        assert runs.recover_markers(out)
        # a run refused before the lock writes no row
        busy = run_xxgk("run", str(src), "--out", str(out), "--no-docs", timeout=120)
        assert busy.returncode == 1 and "another xxgk run" in busy.stderr
    rows = read(out)
    assert list(rows["outcome"]) == ["completed"]
    assert rows["version"].iloc[0] == Warehouse(out).current_version()


def test_keep_wants_a_positive_count(tmp_path):
    # (--keep 1 at work: test_completed_runs_and_killed_run_recorded_by_the_next)
    bad = run_xxgk("run", str(tmp_path), "--out", str(tmp_path / "w"), "--keep", "0", timeout=60)
    assert bad.returncode == 2 and "--keep" in bad.stderr


def test_quality_drop_against_previous_run(tmp_path):
    from datetime import datetime, timezone

    base = {c: 0 for c in ("files_seen", "new", "changed", "unchanged", "removed")}
    row = {"run_id": "a", "started_at": datetime(2026, 1, 1, tzinfo=timezone.utc),
           "finished_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "version": "000001-x",
           "parser_version": "1", "input": "/in", **base, "ok": 90, "invalid": 10, "rejected": 0,
           "outcome": "completed", "stage_seconds": "{}", "failures": "{}", "message": None}
    runs.write_row(tmp_path, row)
    assert runs.quality_drop(tmp_path, {"ok": 85, "invalid": 15, "rejected": 0}, "b") is None
    message = runs.quality_drop(tmp_path, {"ok": 70, "invalid": 30, "rejected": 0}, "b")
    assert message and "90.0 % to 70.0 %" in message

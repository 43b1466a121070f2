"""`xxgk run` as a user runs it, in a subprocess, on temporary directories."""

import duckdb
import pandas as pd

from conftest import run_xxgk

DATASETS = ["reports", "requests", "review_litigation", "active_disclosure", "sections", "validations"]


def test_run_writes_every_dataset(seeds_warehouse):
    out, proc = seeds_warehouse
    for d in DATASETS:
        frame = pd.read_parquet(out / d)
        assert len(frame) > 0, d
        assert duckdb.sql(f"select count(*) from '{out / d}/*.parquet'").fetchall()[0][0] == len(frame)
    assert (out / "docs" / "index.html").is_file()
    assert "ok 3, invalid 2, rejected 0" in proc.stdout
    assert "requests_balance" in proc.stdout
    assert "Traceback" not in proc.stderr and "CancelledError" not in proc.stderr


def test_missing_input_is_one_line_and_nonzero(tmp_path):
    proc = run_xxgk("run", str(tmp_path / "nope"), "--out", str(tmp_path / "w"))
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr


def test_unwritable_output(tmp_path):
    (tmp_path / "in").mkdir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_xxgk("run", str(tmp_path / "in"), "--out", str(blocker / "w"))
    assert proc.returncode != 0 and "cannot write" in proc.stderr


def test_help_teaches():
    proc = run_xxgk("--help")
    assert proc.returncode == 0
    for word in ("run", "reports", "validations", "Data Docs", "examples"):
        assert word in proc.stdout

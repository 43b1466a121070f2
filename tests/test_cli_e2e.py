"""`xxgk run` as a user runs it, in a subprocess, on temporary directories."""

import re

import duckdb
import pandas as pd

from conftest import ROOT, run_xxgk

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
    # five files run as one batch in the CLI's own process: one worker,
    # busy with the batch for part of the flow
    busy = re.search(r"workers busy with batches: (\d+)% of 1 x ([\d.]+) s", proc.stdout)
    assert busy, proc.stdout[-500:]
    assert 0 < int(busy[1]) <= 100


def test_every_written_part_has_the_declared_schema(seeds_warehouse):
    import pyarrow.parquet as pq

    from transform.schema import check_table

    out, _ = seeds_warehouse
    for d in DATASETS:
        parts = sorted((out / d).glob("*.parquet"))
        assert parts, d
        for part in parts:
            check_table(d, pq.read_schema(part))


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


def test_runs_from_a_directory_with_its_own_flows_package(tmp_path):
    """Prefect projects often have a `flows/` package of their own; run from
    there, the CLI and its temporary server must still find xxgk's."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from conftest import xxgk_env

    project = tmp_path / "project"
    (project / "flows").mkdir(parents=True)
    (project / "flows" / "__init__.py").write_text("raise ImportError('the user project flows package')\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    sample = next((ROOT / "data" / "samples" / "reports").rglob("report_*.txt"))
    shutil.copy(sample, reports / sample.name)
    xxgk = Path(sys.executable).with_name("xxgk")
    proc = subprocess.run([str(xxgk), "run", str(reports), "--out", str(tmp_path / "wh"), "--no-docs"],
                          cwd=project, env=xxgk_env(own_server=True), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1 files seen" in proc.stdout
    assert (tmp_path / "wh" / "reports").is_dir()


def test_duplicate_content_across_batches_is_rejected_and_its_rows_dropped(tmp_path):
    """Two files with the same content in different batches: the second is
    rejected as a duplicate of the first, and its rows, written by its own
    batch task, are taken out again by the flow."""
    import shutil

    sample = next((ROOT / "data" / "samples" / "reports").rglob("report_*.txt"))
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(sample, src / "a.txt")
    shutil.copy(sample, src / "b.txt")
    out = tmp_path / "wh"
    proc = run_xxgk("run", str(src), "--out", str(out), "--no-docs", "--batch-size", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    reports = pd.read_parquet(out / "reports").set_index("source_path")
    assert reports.loc["a.txt", "error"] is None or pd.isna(reports.loc["a.txt", "error"])
    assert reports.loc["b.txt", "error"] == "duplicate of a.txt"
    assert reports.loc["b.txt", "status"] == "rejected"
    rid = reports.loc["a.txt", "report_id"]
    assert reports.loc["b.txt", "report_id"] == rid
    for dataset in ("requests", "review_litigation", "validations"):
        rows = pd.read_parquet(out / dataset)
        single = rows[rows["report_id"] == rid]
        assert len(single) > 0
        # one report's rows, not two: every key appears once
        assert not single.drop(columns=[c for c in ("value", "raw", "cell_error", "details", "success")
                                        if c in single]).duplicated().any(), dataset


def test_first_run_on_a_machine_says_why_its_start_is_slow(tmp_path):
    """A machine's first run creates Prefect's database (~10 s of migrations):
    the run says so instead of looking stuck, and still succeeds.  Later runs
    find the database and say nothing."""
    import shutil

    reports = tmp_path / "reports"
    reports.mkdir()
    for path in sorted((ROOT / "data" / "samples" / "reports").rglob("*.*"))[:2]:
        shutil.copy(path, reports / path.name)
    home = tmp_path / "prefect-home"
    proc = run_xxgk("run", str(reports), "--out", str(tmp_path / "w"), own_server=True,
                    env={"PREFECT_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "first run on this machine" in proc.stderr and str(home / "prefect.db") in proc.stderr
    assert (home / "prefect.db").is_file()
    assert "Traceback" not in proc.stderr
    assert "xxgk: 2 files seen" in proc.stdout

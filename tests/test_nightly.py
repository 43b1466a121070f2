"""Nightly runs: incremental, atomic under SIGKILL and full disks,
idempotent, one writer, and unbreakable by bad files."""
import os
import shutil
import subprocess
import time

import pandas as pd
import pytest

from conftest import ROOT, require_seeds, run_xxgk, xxgk_command, xxgk_env

CRASH_RUN = str(ROOT / "tests" / "crash_run.py")


def run_crashing(point: str, *args: str) -> subprocess.CompletedProcess:
    """`xxgk` with a crash injected at `point` (see tests/crash_run.py)."""
    import sys

    return subprocess.run([sys.executable, CRASH_RUN, point, *args], cwd=ROOT, env=xxgk_env(),
                          capture_output=True, text=True, timeout=600)
from transform.warehouse import DATASETS, Warehouse

SEED_NAMES = ["000_f50582dbfba29884.txt", "002_cdd85b7f6af27b20.txt", "004_7e3cf29f5d278207.txt"]


def make_input(tmp_path, names=SEED_NAMES):
    seeds = require_seeds()
    src = tmp_path / "in"
    src.mkdir()
    for n in names:
        shutil.copy(seeds / n, src / n)
    return src


def snapshot(out) -> dict[str, pd.DataFrame]:
    """Every dataset, rows sorted, as a reader sees it."""
    frames = {}
    for d in DATASETS:
        # which run wrote a row is no part of what the datasets say
        f = pd.read_parquet(out / d).drop(columns=["run_id"], errors="ignore")
        for c in f.columns:
            if isinstance(f[c].dtype, pd.CategoricalDtype):
                f[c] = f[c].astype("string")
        frames[d] = f.sort_values(list(f.columns)).reset_index(drop=True)
    return frames


def assert_same(a, b):
    for d in DATASETS:
        pd.testing.assert_frame_equal(a[d], b[d], check_dtype=False)


def run_ok(src, out, *extra):
    proc = run_xxgk("run", str(src), "--out", str(out), "--no-docs", *extra)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def test_rerun_is_identical_and_does_no_work(tmp_path):
    src, out = make_input(tmp_path), tmp_path / "w"
    run_ok(src, out)
    first = snapshot(out)
    proc = run_ok(src, out)
    assert "new 0, changed 0, unchanged 3, removed 0" in proc.stdout
    assert_same(first, snapshot(out))
    proc = run_ok(src, out, "--full")
    assert "reparsed 3" in proc.stdout
    assert_same(first, snapshot(out))


def test_incremental_add_change_delete(tmp_path):
    seeds = require_seeds()
    src, out = make_input(tmp_path), tmp_path / "w"
    run_ok(src, out)
    # add 003, change 000 (one figure), delete 004
    shutil.copy(seeds / "003_cfbb34af7d24d30b.txt", src / "003.txt")
    text = (src / SEED_NAMES[0]).read_text(encoding="utf-8").replace("\t规范性文件\n\t0", "\t规范性文件\n\t7", 1)
    (src / SEED_NAMES[0]).write_text(text, encoding="utf-8")
    os.utime(src / SEED_NAMES[0], ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    (src / SEED_NAMES[2]).unlink()
    proc = run_ok(src, out)
    assert "new 1, changed 1, unchanged 1, removed 1" in proc.stdout
    after = snapshot(out)
    assert sorted(after["reports"]["source_path"]) == ["000_f50582dbfba29884.txt", "002_cdd85b7f6af27b20.txt", "003.txt"]
    act = after["active_disclosure"]
    rid000 = after["reports"].set_index("source_path").loc["000_f50582dbfba29884.txt", "report_id"]
    changed = act[(act["report_id"] == rid000) & (act["item"] == "normative_documents") & (act["metric"] == "new_made")]
    assert changed["value"].tolist() == [7.0]
    # nothing of the deleted report is left anywhere
    gone = "078ad27f916558e707e9b566e862dc06aad580e7b841d0"
    for d in DATASETS:
        assert not after[d]["report_id"].astype(str).str.startswith(gone).any(), d
    # and the incremental result equals a rebuild from scratch
    fresh = tmp_path / "fresh"
    run_ok(src, fresh)
    a, b = snapshot(out), snapshot(fresh)
    for d in DATASETS:
        cols = [c for c in a[d].columns if c != "mtime_ns"]
        pd.testing.assert_frame_equal(a[d][cols], b[d][cols], check_dtype=False)


@pytest.mark.parametrize("point", ["extract", "validate", "write-requests", "before-commit", "commit", "after-commit"])
def test_sigkill_leaves_previous_warehouse_whole(tmp_path, point):
    seeds = require_seeds()
    src, out = make_input(tmp_path), tmp_path / "w"
    run_ok(src, out)
    before = snapshot(out)
    shutil.copy(seeds / "003_cfbb34af7d24d30b.txt", src / "003.txt")
    proc = run_crashing(point, "run", str(src), "--out", str(out), "--no-docs")
    assert proc.returncode != 0          # killed
    if point == "after-commit":
        # committed before the kill: readers see the new version once repaired,
        # and never a mix; until then the links still show the old one whole
        Warehouse(out).repair()
        assert len(snapshot(out)["reports"]) == 4
    else:
        assert_same(before, snapshot(out))
    proc = run_ok(src, out)               # the next run completes normally
    assert len(snapshot(out)["reports"]) == 4
    assert not list((out / ".xxgk" / "versions").glob("staging-*"))


def test_full_disk_fails_cleanly(tmp_path):
    seeds = require_seeds()
    src, out = make_input(tmp_path), tmp_path / "w"
    run_ok(src, out)
    before = snapshot(out)
    shutil.copy(seeds / "003_cfbb34af7d24d30b.txt", src / "003.txt")
    proc = run_crashing("write-reports:enospc", "run", str(src), "--out", str(out), "--no-docs")
    assert proc.returncode != 0
    assert "No space left on device" in proc.stderr.strip().splitlines()[-1]
    assert_same(before, snapshot(out))
    assert not list((out / ".xxgk" / "versions").glob("staging-*"))


def test_second_writer_stops_at_once_or_waits(tmp_path):
    src, out = make_input(tmp_path, SEED_NAMES[:1]), tmp_path / "w"
    run_ok(src, out)
    wh = Warehouse(out)
    with wh.lock():
        proc = run_xxgk("run", str(src), "--out", str(out), "--no-docs")
        assert proc.returncode != 0 and "another xxgk run is writing" in proc.stderr
        assert proc.stderr.strip().count("\n") == 0
        waiting = subprocess.Popen(xxgk_command("run", str(src), "--out", str(out), "--no-docs", "--wait"),
                                   cwd=ROOT, env=xxgk_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None      # still waiting for the lock
    stdout, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, stderr[-2000:]
    assert "unchanged 1" in stdout


def test_bad_file_zoo(tmp_path):
    seeds = require_seeds()
    src, out = tmp_path / "in", tmp_path / "w"
    src.mkdir()
    shutil.copy(seeds / SEED_NAMES[0], src / "good.txt")
    shutil.copy(seeds / SEED_NAMES[0], src / "same_content.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    (src / "undecodable.txt").write_bytes(b"\xff\xfe\xfd" * 10 + "政府信息公开".encode("utf-8")[:5] + b"\x81\xff" * 50)
    with open(src / "huge.txt", "wb") as f:          # sparse: no real disk used
        f.truncate(100 * 1024 * 1024 + 1)
    os.symlink(src / "nowhere.txt", src / "broken_link.txt")
    os.symlink(src / "loop_b", src / "loop_a")
    os.symlink(src / "loop_a", src / "loop_b")
    os.symlink(src, src / "dir_loop")
    bad_name = os.fsencode(str(src)) + b"/\xff\xfe-report.txt"
    with open(bad_name, "wb") as f:
        f.write((seeds / SEED_NAMES[1]).read_bytes())
    unreadable = src / "secret.txt"
    unreadable.write_text("x")
    unreadable.chmod(0)
    proc = run_ok(src, out)
    reports = pd.read_parquet(out / "reports").set_index("source_path")
    errors = reports["error"].to_dict()
    assert reports.loc["good.txt", "status"] == "ok"
    assert errors["same_content.txt"] == "duplicate of good.txt"
    assert errors["empty.txt"] == "empty file"
    assert "binary" in errors["image.png"]
    assert "undecodable" in errors["undecodable.txt"]
    assert "too large" in errors["huge.txt"]
    assert "broken symlink" in errors["broken_link.txt"]
    assert "symlink loop" in errors["loop_a"] and "symlink loop" in errors["loop_b"]
    assert "directory" in errors["dir_loop"]
    odd = [p for p in reports.index if p.endswith("-report.txt")]
    assert odd == ["\\xff\\xfe-report.txt"] and reports.loc[odd[0], "status"] == "ok"
    if os.geteuid() != 0:
        assert errors["secret.txt"] == "permission denied"
    else:                                   # root reads anything: what it reads is no report
        assert errors["secret.txt"] == "not a government information disclosure annual report"
    assert len(reports) == 12               # exactly one row per file seen
    assert (reports["status"] == "rejected").sum() == 10
    assert proc.returncode == 0


def test_file_changing_while_read(tmp_path, monkeypatch):
    from extract import files

    path = tmp_path / "a.txt"
    path.write_text("x")
    sizes = iter(range(100))
    real_fstat = os.fstat

    def growing_fstat(fd):      # the open file's size grows between the reads of it
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid,
                               next(sizes), st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(files.os, "fstat", growing_fstat)
    record = files.parse_file(files.FileEntry(str(path), "a.txt", 1, 1))
    assert record.error == "file changed while being read"

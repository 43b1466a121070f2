"""Duplicate content: of the readable files with one content (one
report_id), the file whose path sorts first holds the rows, the others are
rejected as its duplicates -- whichever run saw which file first.  An
incremental run therefore equals a fresh run of the same directory on every
dataset (all columns are compared: mtime_ns is the input file's, the same
for both runs)."""
import os
import shutil
import time

import pandas as pd

from conftest import ROOT, run_xxgk
from transform.warehouse import DATASETS

SAMPLES = sorted((ROOT / "data" / "samples" / "reports").rglob("report_*.txt"))


def put(src, rel, sample, stamp=None):
    """Copy a sample report to src/rel, with a fresh mtime (a change is seen
    even where the size stays the same)."""
    path = src / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, path)
    stamp = stamp or time.time_ns()
    os.utime(path, ns=(stamp, stamp))
    return path


def run_ok(src, out, *extra):
    proc = run_xxgk("run", str(src), "--out", str(out), "--no-docs", *extra, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def snapshot(out) -> dict[str, pd.DataFrame]:
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
        assert len(a[d]) == len(b[d]), d
        pd.testing.assert_frame_equal(a[d], b[d], check_dtype=False, obj=d)


def assert_equals_fresh(src, out, tmp_path, name="fresh"):
    incremental = snapshot(out)
    fresh = tmp_path / name
    run_ok(src, fresh, "--full")
    assert_same(incremental, snapshot(fresh))
    return incremental


def reports_by_path(snap):
    return snap["reports"].set_index("source_path")


def assert_holds(snap, holder, copies):
    """`holder` holds its content's rows, once; every copy is its duplicate."""
    reports = reports_by_path(snap)
    rid = reports.loc[holder, "report_id"]
    assert pd.isna(reports.loc[holder, "error"]) and reports.loc[holder, "status"] in ("ok", "invalid")
    assert pd.notna(reports.loc[holder, "template"]) and pd.notna(reports.loc[holder, "year"])
    for copy in copies:
        assert reports.loc[copy, "report_id"] == rid
        assert reports.loc[copy, "error"] == f"duplicate of {holder}"
        assert reports.loc[copy, "status"] == "rejected"
        assert pd.isna(reports.loc[copy, "template"]) and pd.isna(reports.loc[copy, "year"])
    requests = snap["requests"]
    mine = requests[requests["report_id"] == rid]
    assert len(mine) > 0
    assert not mine[["row", "applicant"]].duplicated().any()       # one copy of the rows
    validations = snap["validations"]
    mine = validations[validations["report_id"] == rid]
    assert len(mine) > 0 and not mine["expectation"].duplicated().any()
    return rid


def test_copies_in_one_directory_the_first_path_holds(tmp_path):
    src = tmp_path / "in"
    put(src, "b/x.txt", SAMPLES[0])
    put(src, "a/x.txt", SAMPLES[0])
    put(src, "c.txt", SAMPLES[1])
    out = tmp_path / "w"
    run_ok(src, out)
    snap = snapshot(out)
    assert_holds(snap, "a/x.txt", ["b/x.txt"])
    assert sorted(snap["reports"]["source_path"]) == ["a/x.txt", "b/x.txt", "c.txt"]
    # the same whatever the batches: a/x.txt and b/x.txt in batches of their own
    split = tmp_path / "split"
    run_ok(src, split, "--batch-size", "1")
    assert_same(snap, snapshot(split))


def test_a_new_copy_sorting_first_takes_the_rows_over(tmp_path):
    src, out = tmp_path / "in", tmp_path / "w"
    put(src, "b/copy.txt", SAMPLES[0])
    put(src, "other.txt", SAMPLES[1])
    run_ok(src, out)
    assert pd.isna(reports_by_path(snapshot(out)).loc["b/copy.txt", "error"])
    put(src, "a/copy.txt", SAMPLES[0])                       # night 2
    proc = run_ok(src, out)
    assert "new 1, changed 0, unchanged 2, removed 0" in proc.stdout
    snap = assert_equals_fresh(src, out, tmp_path)
    assert_holds(snap, "a/copy.txt", ["b/copy.txt"])
    # and the night after, with nothing changed, keeps it so
    proc = run_ok(src, out)
    assert "new 0, changed 0," in proc.stdout and "removed 0" in proc.stdout
    assert_same(snap, snapshot(out))


def test_the_next_path_takes_over_when_the_holder_goes(tmp_path):
    src, out = tmp_path / "in", tmp_path / "w"
    for rel in ("a/copy.txt", "b/copy.txt", "c/copy.txt"):
        put(src, rel, SAMPLES[2])
    put(src, "other.txt", SAMPLES[3])
    run_ok(src, out)
    assert_holds(snapshot(out), "a/copy.txt", ["b/copy.txt", "c/copy.txt"])
    (src / "a" / "copy.txt").unlink()
    proc = run_ok(src, out)
    assert "removed 1" in proc.stdout
    snap = assert_equals_fresh(src, out, tmp_path)
    assert_holds(snap, "b/copy.txt", ["c/copy.txt"])
    assert "a/copy.txt" not in set(snap["reports"]["source_path"])


def test_a_night_of_deletes_changes_and_additions_equals_a_fresh_run(tmp_path):
    src, out = tmp_path / "in", tmp_path / "w"
    s = SAMPLES
    put(src, "k/holder.txt", s[0])            # held content 0; its copy below
    put(src, "m/copy0.txt", s[0])
    put(src, "d/gone.txt", s[1])              # holder of content 1, deleted tonight
    put(src, "e/stays1.txt", s[1])
    put(src, "f/changes.txt", s[2])           # holder of content 2, changed tonight
    put(src, "g/copy2.txt", s[2])
    put(src, "h/plain.txt", s[3])             # becomes a copy of content 4 tonight
    put(src, "p/holder4.txt", s[4])
    put(src, "q/untouched.txt", s[5])
    run_ok(src, out)
    night1 = snapshot(out)
    assert_holds(night1, "k/holder.txt", ["m/copy0.txt"])
    assert_holds(night1, "d/gone.txt", ["e/stays1.txt"])

    (src / "d" / "gone.txt").unlink()
    put(src, "f/changes.txt", s[6])
    put(src, "h/plain.txt", s[4])
    put(src, "a/first0.txt", s[0])            # new copy sorting before a carried holder
    put(src, "z/last0.txt", s[0])             # new copy sorting last
    put(src, "b/new7.txt", s[7])              # new content, two new copies
    put(src, "c/new7.txt", s[7])
    # batches of two: copies of one content meet across batches and within one
    proc = run_ok(src, out, "--batch-size", "2")
    assert "new 4, changed 2, unchanged" in proc.stdout and "removed 1" in proc.stdout
    snap = assert_equals_fresh(src, out, tmp_path)
    assert_holds(snap, "a/first0.txt", ["k/holder.txt", "m/copy0.txt", "z/last0.txt"])
    assert_holds(snap, "e/stays1.txt", [])
    assert_holds(snap, "g/copy2.txt", [])
    assert_holds(snap, "f/changes.txt", [])
    assert_holds(snap, "h/plain.txt", ["p/holder4.txt"])
    assert_holds(snap, "b/new7.txt", ["c/new7.txt"])
    assert len(snap["reports"]) == 12
    # every content's rows once, in every dataset
    live = set(snap["reports"].loc[snap["reports"]["error"].isna(), "report_id"])
    assert len(live) == 7
    for d in DATASETS[1:]:
        assert set(snap[d]["report_id"]) <= live, d

"""Ctrl-C and SIGTERM stop a run within seconds with one line: the warehouse
stays whole, no process of the run is left, the runs row says interrupted,
and the next run completes as if nothing had happened.

A run over 200 synthetic reports in batches of 25 on 2 worker processes,
incremental over a warehouse of 100 of them; the signal goes out when the
run's log shows a given line."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_xxgk, xxgk_command, xxgk_env
from test_nightly import assert_same, snapshot
from transform.warehouse import DATASETS, Warehouse

RUN_ARGS = ("--no-docs", "--batch-size", "25", "--workers", "2")
LIMIT = 30.0            # seconds from the signal to the end of the process (target: 10)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """{half: input of 100 reports, all: input of 200 (the 100 and 100 more),
    base: a warehouse of `half`, fresh: a warehouse of `all` from scratch}."""
    from synth.writer import write_corpus

    root = tmp_path_factory.mktemp("interrupts")
    write_corpus(root / "c", 200, seed=11, error_rate=0.1)
    every = sorted((root / "c" / "reports").rglob("*.*"))
    half = root / "half"
    half.mkdir()
    for f in every[:100]:
        shutil.copy2(f, half / f.name)
    all_ = root / "all"
    all_.mkdir()
    for f in every:
        shutil.copy2(f, all_ / f.name)
    for name, src in (("base", half), ("fresh", all_)):
        proc = run_xxgk("run", str(src), "--out", str(root / name), *RUN_ARGS, timeout=180)
        assert proc.returncode == 0, proc.stderr[-2000:]
    return {"half": half, "all": all_, "base": root / "base", "fresh": root / "fresh"}


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(pid: int) -> dict[int, str]:
    """{pid: start time} of every process below `pid`."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))):
            children.setdefault(int(st[1]), []).append(int(entry))
    found, todo = {}, list(children.get(pid, []))
    while todo:
        p = todo.pop()
        if st := _stat(p):
            found[p] = st[19]
        todo.extend(children.get(p, []))
    return found


def alive(procs: dict[int, str]) -> list[int]:
    return [p for p, start in procs.items() if (st := _stat(p)) and st[19] == start and st[0] != "Z"]


def interrupt(src, out, after: str, sig=signal.SIGINT, group=False, second=False, own_server=False):
    """Start `xxgk run`, send `sig` once its output shows `after`; returns
    (process, output after the signal, seconds to its end, processes seen)."""
    proc = subprocess.Popen(xxgk_command("run", str(src), "--out", str(out), *RUN_ARGS), cwd=ROOT,
                            env=xxgk_env(own_server=own_server), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 180
    try:
        for line in proc.stdout:
            seen.update(descendants(proc.pid))
            if after in line or time.monotonic() > deadline:
                break
        assert after in line, f"never saw {after!r}"
        seen.update(descendants(proc.pid))
        sent = time.monotonic()
        (os.killpg if group else os.kill)(proc.pid, sig)
        if second:
            time.sleep(0.3)
            (os.killpg if group else os.kill)(proc.pid, sig)
        rest = proc.stdout.read()
        proc.wait(timeout=LIMIT + 10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc, rest, took, seen


def assert_whole(out, base_version: str) -> str:
    """The warehouse is at the previous version or a complete new one."""
    wh = Warehouse(out)
    vid = wh.current_version()
    frames = {d: pd.read_parquet(out / d) for d in DATASETS}
    ids = set(frames["reports"]["report_id"].dropna())
    assert len(frames["reports"]) == (100 if vid == base_version else 200)
    for d in DATASETS[1:]:
        if "report_id" in frames[d]:
            assert set(frames[d]["report_id"].dropna()) <= ids, d
    return vid


def check(corpus, tmp_path, after, sig=signal.SIGINT, group=False, second=False, own_server=False,
          resume=True):
    out = tmp_path / "w"
    shutil.copytree(corpus["base"], out, symlinks=True)
    base_version = Warehouse(out).current_version()
    proc, rest, took, seen = interrupt(corpus["all"], out, after, sig, group, second, own_server)
    assert took < LIMIT, f"took {took:.1f} s"
    assert proc.returncode == 128 + sig, rest
    # (log lines printed before the signal may still be in the pipe)
    lines = [l for l in rest.splitlines() if l.strip()][-1:]
    assert lines and lines[0].startswith("xxgk: interrupted; "), rest
    assert "Traceback" not in rest and "Error" not in rest and "Interrupt" not in rest, rest
    log = lines[0].rsplit("(log: ", 1)[1].rstrip(")")
    assert Path(log).is_file()
    deadline = time.monotonic() + 10
    while alive(seen) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(seen), f"left running: {alive(seen)} of {seen}"
    vid = assert_whole(out, base_version)
    assert vid in lines[0]
    runs = pd.read_parquet(out / "runs").sort_values("started_at")
    assert len(runs) == len(pd.read_parquet(corpus["base"] / "runs")) + 1     # this run's row
    last = runs.iloc[-1]
    if vid == base_version:
        assert last["outcome"] == "interrupted" and last["message"] == signal.Signals(sig).name
    else:       # it had committed when the signal came
        assert last["outcome"] == "completed" and last["version"] == vid
    if resume:
        again = run_xxgk("run", str(corpus["all"]), "--out", str(out), *RUN_ARGS, timeout=180)
        assert again.returncode == 0, again.stderr[-2000:]
        assert not [p for p in (out / ".xxgk" / "versions").iterdir() if p.name.startswith("staging-")]
        assert_same(snapshot(corpus["fresh"]), snapshot(out))
        assert pd.read_parquet(out / "runs").sort_values("started_at").iloc[-1]["outcome"] == "completed"
    return took


def test_ctrl_c_during_batches(corpus, tmp_path):
    # a terminal's Ctrl-C reaches the whole process group; the run's own Prefect server
    check(corpus, tmp_path, "batch 2/", signal.SIGINT, group=True, own_server=True)


def test_sigterm_during_batches(corpus, tmp_path):
    check(corpus, tmp_path, "batch 3/", signal.SIGTERM, resume=False)


def test_sigterm_during_discovery(corpus, tmp_path):
    # right after discovery, under the lock
    check(corpus, tmp_path, "Task run 'discover", signal.SIGTERM, resume=False)


def test_sigint_just_before_commit(corpus, tmp_path):
    check(corpus, tmp_path, "batch 4/4", signal.SIGINT, resume=True)


def test_second_ctrl_c_exits_at_once(corpus, tmp_path):
    took = check(corpus, tmp_path, "batch 1/", signal.SIGINT, group=True, second=True, resume=False)
    assert took < 5

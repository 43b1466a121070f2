"""`xxgk serve`: bad arguments get one line and register nothing; without
PREFECT_API_URL it starts Prefect's server, its cron fires, a run cancelled
from the API stops like an interrupted one, and `xxgk run` meanwhile records
its run on serve's server."""
import asyncio
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, xxgk_command
from test_interrupts import alive, descendants


def serve_env(home: Path) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    return env


@pytest.mark.parametrize("bad", [
    ["{missing}", "--out", "{out}"],
    ["{input}", "--out", "{out}", "--cron", "61 * * * *"],
    ["{input}", "--out", "{out}", "--cron", "every night"],
    ["{input}", "--out", "/proc/xxgk-cannot-write"],
    ["{input}", "--out", "{out}", "--timezone", "Mars/Olympus"],
])
def test_bad_arguments_get_one_line_and_register_nothing(tmp_path, bad):
    (tmp_path / "in").mkdir()
    home = tmp_path / "prefect-home"
    args = [a.format(missing=tmp_path / "nope", input=tmp_path / "in", out=tmp_path / "w") for a in bad]
    proc = subprocess.run(xxgk_command("serve", *args), cwd=ROOT, env=serve_env(home),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xxgk: error: "), proc.stderr
    # no server started, no database, nothing registered
    assert not (home / "prefect.db").exists() and not (home / "xxgk-server.json").exists()


def _api(url: str):
    import httpx

    return httpx.Client(base_url=url, timeout=10)


def _flow_runs(url: str, **filters) -> list[dict]:
    with _api(url) as api:
        return api.post("/flow_runs/filter", json=filters).json()


def _wait(predicate, limit: float, every: float = 1.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def test_serve_slow_cron_fires_cancel_stops_and_run_joins(tmp_path):
    """~2-3 minutes: a server's first start, a cron of every minute."""
    from synth.writer import write_corpus

    write_corpus(tmp_path / "c", 200, seed=5, error_rate=0.1)
    src, out, home = tmp_path / "c" / "reports", tmp_path / "w", tmp_path / "prefect-home"
    started = time.monotonic()
    serve = subprocess.Popen(xxgk_command("serve", str(src), "--out", str(out), "--cron", "* * * * *",
                                          "--timezone", "UTC", "--no-docs"),
                             cwd=ROOT, env=serve_env(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    try:
        state = _wait(lambda: (home / "xxgk-server.json").is_file()
                      and json.loads((home / "xxgk-server.json").read_text()), 120)
        assert state, "the server did not start"
        url = state["api_url"]

        # 1. the cron fires: a run and its warehouse, without PREFECT_API_URL
        rows = _wait(lambda: (out / "runs").is_dir() and list((out / "runs").glob("*.parquet")), 150 - (time.monotonic() - started))
        assert rows, f"no scheduled run within 150 s of serve's start"
        run = pd.read_parquet(out / "runs").iloc[0]
        assert run["outcome"] == "completed" and run["files_seen"] == 200
        assert len(pd.read_parquet(out / "reports")) == 200
        fr = _wait(lambda: [r for r in _flow_runs(url) if r["id"] == run["run_id"] and r["state_type"] == "COMPLETED"], 20)
        assert fr and fr[0]["deployment_id"], "the run is the deployment's, in serve's server"

        # 2. `xxgk run` meanwhile records its run on serve's server
        other = tmp_path / "w-run"
        proc = subprocess.run(xxgk_command("run", str(src), "--out", str(other), "--no-docs"), cwd=ROOT,
                              env=serve_env(home), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        run_id = pd.read_parquet(other / "runs").iloc[0]["run_id"]
        assert [r for r in _flow_runs(url) if r["id"] == run_id]

        # 3. cancel a run from the API: it stops, says cancelled, is not retried
        cancelled_out = tmp_path / "w-cancel"
        deployment_id = fr[0]["deployment_id"]
        with _api(url) as api:
            created = api.post(f"/deployments/{deployment_id}/create_flow_run",
                               json={"parameters": {"out_dir": str(cancelled_out), "batch_size": 5, "window": 1}}).json()
        markers = _wait(lambda: list((cancelled_out / ".xxgk").glob("running-*.json")), 60, 0.2)
        assert markers, "the run to cancel never took the lock"
        pid = json.loads(markers[0].read_text())["pid"]
        procs = {pid: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19], **descendants(pid)}
        with _api(url) as api:
            api.post(f"/flow_runs/{created['id']}/set_state",
                     json={"state": {"type": "CANCELLING", "message": "test"}, "force": True})
        assert _wait(lambda: not alive(procs), 30, 0.2), f"left running: {alive(procs)}"
        final = _wait(lambda: [r for r in _flow_runs(url) if r["id"] == created["id"]
                               and r["state_type"] == "CANCELLED"], 30)
        assert final, [r["state_type"] for r in _flow_runs(url) if r["id"] == created["id"]]
        row = pd.read_parquet(cancelled_out / "runs").iloc[-1]
        assert row["outcome"] == "cancelled" and row["run_id"] == created["id"]
        time.sleep(3)
        again = [r for r in _flow_runs(url) if r["id"] == created["id"]][0]
        assert again["state_type"] == "CANCELLED" and again["run_count"] <= 1     # no retry
    finally:
        serve_pid = serve.pid
        seen = descendants(serve_pid)
        os.kill(serve_pid, signal.SIGTERM)        # as systemd stops it
        sent = time.monotonic()
        try:
            serve.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(serve_pid, signal.SIGKILL)
            serve.wait()
        stop_took = time.monotonic() - sent
        output = serve.stdout.read()
    assert serve.returncode == 128 + signal.SIGTERM and stop_took < 30, (serve.returncode, stop_took)
    assert "xxgk: serve stopped (SIGTERM)" in output
    assert _wait(lambda: not alive(seen), 15, 0.2), f"left running after serve: {alive(seen)}"
    assert not (home / "xxgk-server.json").exists()
    assert "Prefect UI at http://127.0.0.1:" in output
    assert "xxgk: 200 files seen in" in output          # a served run prints the summary

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

sys.path.insert(0, str(ROOT))


def require_seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"golden seed reports not found at {SEEDS} (they live in ../shared/seeds beside the checkout)")
    return SEEDS


_SERVER: dict = {}


def prefect_api_url() -> str:
    """One Prefect server for the whole test session (each `xxgk run`
    would otherwise start its own, ~8 s apiece)."""
    if "url" not in _SERVER:
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        # generous: on a fresh machine the server's first start migrates a
        # new database, and CI's two cores are busy with the tests
        server.start(timeout=180)
        _SERVER.update(server=server, url=server.api_url)
    return _SERVER["url"]


def pytest_sessionfinish(session, exitstatus):
    if "server" in _SERVER:
        _SERVER["server"].stop()


def xxgk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", *args]


def xxgk_env(env: dict | None = None, own_server: bool = False) -> dict:
    full = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **(env or {})}
    if own_server:
        full.pop("PREFECT_API_URL", None)
    else:
        full["PREFECT_API_URL"] = prefect_api_url()
    return full


def run_xxgk(*args: str, env: dict | None = None, timeout: int = 600, own_server: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    return subprocess.run(xxgk_command(*args), cwd=ROOT, env=xxgk_env(env, own_server),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory):
    """One real `xxgk run` over the five seed reports, shared by the golden tests."""
    seeds = require_seeds()
    out = tmp_path_factory.mktemp("seeds") / "warehouse"
    # its own temporary server, as a user's first run has: the test checks
    # that nothing of the server's start or stop reaches the user
    proc = run_xxgk("run", str(seeds), "--out", str(out), own_server=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc

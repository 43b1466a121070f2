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


def run_xxgk(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    full_env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **(env or {})}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory):
    """One real `xxgk run` over the five seed reports, shared by the golden tests."""
    seeds = require_seeds()
    out = tmp_path_factory.mktemp("seeds") / "warehouse"
    proc = run_xxgk("run", str(seeds), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc

"""Prefect settings the CLI applies to a run on its own temporary server."""
import os
from pathlib import Path

import pytest
from prefect.settings import get_current_settings

from flows import cli


def test_heartbeats_off_only_on_the_runs_own_temporary_server(monkeypatch):
    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None
    # a configured server (PREFECT_API_URL): Prefect's settings as set
    monkeypatch.setattr(cli, "_SERVER", [])
    with cli._settings_for_this_server():
        assert get_current_settings().flows.heartbeat_frequency == default
    # the run's temporary server: nothing outlives the run to read heartbeats
    monkeypatch.setattr(cli, "_SERVER", [object()])
    with cli._settings_for_this_server():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default


def test_collector_paused_for_start_up_imports_is_resumed_by_the_prewarm():
    import gc

    from flows.pipeline import prewarm

    assert gc.isenabled()
    gc.disable()        # as cmd_run does before the run's imports
    try:
        prewarm(None, validator=False).join(timeout=60)
        assert gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_collector_resumed_when_the_prewarm_fails(monkeypatch):
    import gc

    from flows import pipeline

    monkeypatch.setattr(pipeline, "_FLOW_START_MODULES", ("xxgk_no_such_module",))
    gc.disable()
    try:
        pipeline.prewarm(None, validator=False).join(timeout=60)
        assert gc.isenabled()
    finally:
        gc.enable()


def _warm_slowly(ready):
    """A worker initializer that takes a while, then reports like warm_worker."""
    import os
    import time

    time.sleep(1.0)
    ready.put(os.getpid())


def _fail_to_warm(ready):
    raise RuntimeError("this worker cannot start")


def test_started_pool_waits_for_every_worker_to_warm_up():
    from flows.pipeline import _StartedPool

    pool = _StartedPool(max_workers=2, initializer=_warm_slowly).start()
    try:
        warm = pool.wait_warm(limit=60)
        # one report from each worker process, none missed for the other
        assert len(warm) == 2 and len(set(warm)) == 2
        assert all(pid != __import__("os").getpid() for pid in warm)
    finally:
        pool.__exit__(None, None, None)


def test_started_pool_stops_waiting_when_a_worker_dies():
    import time

    from flows.pipeline import _StartedPool

    pool = _StartedPool(max_workers=2, initializer=_fail_to_warm).start()
    try:
        started = time.monotonic()
        assert pool.wait_warm(limit=60) == []
        # returned because the pool broke, not because the limit ran out
        assert time.monotonic() - started < 60
        assert pool._executor._broken
    finally:
        pool.__exit__(None, None, None)


def _collections_loaded() -> tuple[bool, bool]:
    import sys

    from prefect._internal.plugins import collections

    return collections._collections is not None, "prefect_dask" in sys.modules


def test_a_warm_worker_has_imported_the_prefect_collections():
    """Prefect imports the installed collections (prefect-dask: dask and
    distributed) on a process's first block lookup, which is its first task
    run: a worker does it while warming up, not inside the flow."""
    from flows.pipeline import _StartedPool, warm_worker

    pool = _StartedPool(max_workers=1, initializer=warm_worker).start()
    try:
        assert len(pool.wait_warm(limit=120)) == 1
        loaded, dask_imported = pool._executor.submit(_collections_loaded).result(timeout=60)
        assert loaded
        assert dask_imported      # prefect-dask is a test dependency
    finally:
        pool.__exit__(None, None, None)


@pytest.mark.parametrize("env", [
    {},
    {"PREFECT_HOME": "{tmp}/home"},
    {"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///{tmp}/elsewhere.db"},
    {"PREFECT_API_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///{tmp}/older-name.db"},
    {"PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://user:secret@db:5432/prefect"},
])
def test_the_database_file_is_where_prefect_puts_it(env, tmp_path, monkeypatch):
    """The CLI places Prefect's database without importing Prefect (to say
    that a first run creates it); it must agree with Prefect's settings."""
    from prefect.settings import Settings

    from flows.server import prefect_database_file

    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    for name in ("PREFECT_HOME", "PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    url = Settings().server.database.connection_url.get_secret_value()
    expected = Path(url.split(":///", 1)[1]) if url.startswith("sqlite") else None
    assert prefect_database_file() == expected
    if env:
        assert prefect_database_file(env) == expected      # the environment passed in, not the process's
        assert expected != Path("~/.prefect/prefect.db").expanduser()


def test_in_memory_databases_are_no_file():
    from flows.server import prefect_database_file

    assert prefect_database_file({"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///:memory:"}) is None
    assert prefect_database_file({"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///file:x?mode=memory&uri=true"}) is None


def test_a_server_creates_the_database_only_where_there_is_none(tmp_path, monkeypatch):
    from flows.server import missing_prefect_database

    for name in ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert missing_prefect_database() == tmp_path / "prefect.db"
    (tmp_path / "prefect.db").write_bytes(b"")
    assert missing_prefect_database() is None
    # a database that is no local file is never created by a start here
    monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    assert missing_prefect_database() is None


def test_a_run_sends_no_telemetry_unless_the_user_says_otherwise(monkeypatch):
    """Prefect's server analytics and its SDK telemetry (which an interactive
    terminal's first flow run would send) are both off by default."""
    from prefect._internal.analytics.enabled import is_telemetry_enabled

    # a copy of the environment, so that nothing set here outlives the test
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items()
                                        if k not in ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED")})
    monkeypatch.setattr("prefect._internal.analytics.enabled.is_ci_environment", lambda: False)
    assert is_telemetry_enabled()           # Prefect's default, outside CI
    cli._quiet_prefect_env()
    assert not is_telemetry_enabled()
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    # a user's own choice stands
    os.environ["DO_NOT_TRACK"] = "0"
    cli._quiet_prefect_env()
    assert os.environ["DO_NOT_TRACK"] == "0"


def _preloaded_modules() -> tuple[bool, bool]:
    import sys

    return "flows.worker_preload" in sys.modules, "great_expectations" in sys.modules


def test_workers_are_forked_from_a_server_that_imported_their_modules(monkeypatch):
    """A run's workers fork from one forkserver that imported Prefect, GX
    and xxgk once, instead of each spawned worker importing them (~5 s of
    CPU each, while the Prefect server starts on the same cores).
    XXGK_SPAWN_WORKERS=1 spawns them as Prefect does."""
    from flows.pipeline import _StartedPool, warm_worker

    for spawn, preloaded in (("", True), ("1", False)):
        monkeypatch.setenv("XXGK_SPAWN_WORKERS", spawn)
        pool = _StartedPool(max_workers=1, initializer=warm_worker).start()
        try:
            assert len(pool.wait_warm(limit=120)) == 1
            # GX is imported either way (warm_worker builds the context);
            # only a forked worker inherited the preload module
            assert pool._executor.submit(_preloaded_modules).result(timeout=60) == (preloaded, True)
        finally:
            pool.__exit__(None, None, None)


def test_the_workers_preload_starts_no_thread():
    """Forking is only safe from a process with one thread: importing what
    the forkserver preloads must start none (a library that starts a
    thread on import would make the forked workers inherit its locks)."""
    import subprocess
    import sys

    from conftest import ROOT

    probe = subprocess.run(
        [sys.executable, "-c", "import threading, flows.worker_preload; print(threading.active_count())"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.strip() == "1"

"""A temporary Prefect API server for one `xxgk run`, started early.

With no PREFECT_API_URL, Prefect starts a temporary server itself when the
flow begins: its start (mostly importing the server) then comes on top of
importing Prefect, pandas and GX in the CLI.  Here the same server process
(the command Prefect's own ``SubprocessASGIServer`` runs) is launched before
the CLI imports anything heavy, so both start-ups overlap on two cores, and
the CLI never imports ``prefect.server`` itself.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from flows import tuning

# What the temporary server skips.  At start-up a Prefect server registers
# the block types of Prefect and of every installed collection in its
# database, first importing the collections (prefect-dask imports dask and
# distributed) and hashing the registry to see whether anything changed: a
# third of its start.  A run's flow uses no blocks, and a
# long-lived server (`prefect server start`) registers them when it starts.
SERVER_SETTINGS = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
                   "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}

# The settings that place a Prefect server's database, as Prefect reads them
# from the environment (the second is the older name of the first).
_DATABASE_URL_VARS = ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL")


def prefect_database_file(environ: dict | None = None) -> Path | None:
    """The SQLite file a local Prefect server keeps its database in, or None
    when the database is not a local file (PostgreSQL, in memory).

    Read from the environment as Prefect reads it (a connection URL, else
    prefect.db under PREFECT_HOME, ~/.prefect by default), without importing
    Prefect: the CLI asks before anything heavy is imported.  A Prefect
    profile (profiles.toml) that moves the database is not read."""
    environ = os.environ if environ is None else environ
    url = next((environ[v] for v in _DATABASE_URL_VARS if environ.get(v)), None)
    if url is None:
        home = Path(environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
        return home / "prefect.db"
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    if not path or path == ":memory:" or "mode=memory" in url:
        return None
    return Path(path).expanduser()


def missing_prefect_database() -> Path | None:
    """The database file a local Prefect server started now would create
    (its migrations run once per machine), or None when it exists or
    is no local file."""
    database = prefect_database_file()
    return database if database is not None and not database.exists() else None


# Exit status uvicorn uses when its port was taken meanwhile.
_PORT_IN_USE = 3


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryPrefectServer:
    """Start with ``start()`` (returns at once), ``wait_ready()`` before the
    first API call, ``stop()`` at the end.  Its output goes to a temporary
    file: the server's shutdown prints CancelledError tracebacks that say
    nothing to a user, and a failed start shows its last lines instead."""

    def __init__(self, startup_timeout: float = 60.0):
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self._log = None
        # The database file this start creates, if any: its migrations make
        # this start slower, once per machine (a first run's start says so).
        self.new_database: Path | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> "TemporaryPrefectServer":
        spec = importlib.util.find_spec("prefect")      # locates, does not import
        app_dir = Path(spec.origin).parent
        self.port = _free_port()
        self.new_database = missing_prefect_database()
        self._log = tempfile.TemporaryFile(prefix="xxgk-prefect-server-")
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", **tuning.temporary_server_env(),
               "XXGK_PARENT_PID": str(os.getpid()), **SERVER_SETTINGS}
        env.pop("PREFECT_API_URL", None)
        # -P: the working directory is not put on sys.path, where a Prefect
        # project's own `flows` package would hide this one.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "flows.server", "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # its own session: a Ctrl-C at the terminal reaches the run, which
            # records the interrupt on this server and then stops it; the
            # server ends with the run whatever happens (die_with_parent)
            start_new_session=True)
        from flows import interrupts

        interrupts.PROTECTED.add(self.process.pid)
        os.environ["PREFECT_API_URL"] = self.api_url
        # The server serves no UI, and is gone when the run ends: no
        # "View at <link>" lines pointing at it.
        os.environ.setdefault("PREFECT_UI_URL", "")
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == _PORT_IN_USE:
                self.stop()
                self.start()
                continue
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with status {code}: {self._tail()}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        tail = self._tail()
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not start within {self.startup_timeout:.0f} s "
                           f"(set PREFECT_API_URL to use a running server): {tail}")

    def _tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return " / ".join(lines[-3:]) or "no output"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if os.environ.get("PREFECT_API_URL") == self.api_url:
            del os.environ["PREFECT_API_URL"]


def die_with_parent() -> None:
    """Have the kernel send this process SIGTERM when the process that
    started it ends (SIGKILL, OOM killer included): a server started in a
    session of its own would otherwise outlive a killed run."""
    import ctypes
    import signal

    parent = int(os.environ.pop("XXGK_PARENT_PID", "0") or 0) or os.getppid()
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)       # PR_SET_PDEATHSIG
    if os.getppid() != parent:                              # it ended before prctl
        os.kill(os.getpid(), signal.SIGTERM)


def serve() -> None:
    """The server process: uvicorn serving Prefect's app (the command line is
    uvicorn's), with Prefect's server imported first (flows.tuning's
    gc-imports applies to it: the import is on the critical path of every
    run's start)."""
    die_with_parent()
    tuning.pause_gc_for_imports()
    try:
        import prefect.server.api.server  # noqa: F401
    finally:
        tuning.imports_done()
    from uvicorn.main import main

    main(prog_name="uvicorn")


if __name__ == "__main__":
    serve()

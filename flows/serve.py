"""`xxgk serve`: run the nightly deployment on its cron, with or without a
Prefect server of the user's.

With PREFECT_API_URL set, the deployment is served against that server.
Without it, serve starts Prefect's own server (`prefect server start`: API,
UI and the scheduler services that turn a cron into flow runs) on this
machine, on PREFECT_HOME's database (the one `xxgk run` uses), supervises
it, and writes its address to PREFECT_HOME/xxgk-server.json: while serve is
up, `xxgk run` on this machine records its runs there too (one database,
one server; flows.cli.prefect_api).  A temporary server, which Prefect
starts for a flow when no API is configured, runs no scheduler: a cron
served against it never fires.

The flow is served in this process with Prefect's runner (Runner.add_flow):
each run is a process of its own, started from the flow object itself, so
it keeps its task runner and retries (flows.schedule).  A run cancelled
from Prefect stops like an interrupted one: its workers are killed, its
staging version dropped, its runs row says `cancelled`, and it is not
retried (only a failed run is).

This module imports only the standard library at the top: the CLI asks
served_api_url() before anything heavy is imported.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

STATE_FILE = "xxgk-server.json"
DEFAULT_PORT = 4200


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks: with its pid, names one
    process for good (a pid alone is reused)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def served_api_url() -> str | None:
    """The API of a server `xxgk serve` runs on this machine (same
    PREFECT_HOME), if it is up: its state file names its process, and a file
    whose process is gone (or is another process now) is ignored."""
    try:
        state = json.loads((prefect_home() / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    pid, url = state.get("pid"), state.get("api_url")
    if not pid or not url or _process_start(pid) != state.get("pid_start"):
        return None
    return url if healthy(url) else None


def _port_free(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # as uvicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:        # in the server's process, before exec
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)   # PR_SET_PDEATHSIG


class SupervisedPrefectServer:
    """`prefect server start` (API, UI, scheduler) as a child of serve, in a
    session of its own (a Ctrl-C at the terminal is serve's to handle), and
    ended with serve whatever happens (PR_SET_PDEATHSIG)."""

    def __init__(self, port: int | None = None, startup_timeout: float = 180.0):
        self.port = port or (DEFAULT_PORT if _port_free(DEFAULT_PORT) else _free_port())
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.home = prefect_home()
        self.log_path = self.home / "xxgk-server.log"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "SupervisedPrefectServer":
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_HOME": str(self.home)}
        env.pop("PREFECT_API_URL", None)
        with open(self.log_path, "ab") as log:
            # -P: the working directory is not put on sys.path, where a
            # Prefect project's own `flows` package would hide this one
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_die_with_parent)
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Prefect server exited with status {self.process.returncode} "
                                   f"(its log: {self.log_path})")
            if healthy(self.api_url):
                self._write_state()
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the Prefect server did not start within {self.startup_timeout:.0f} s "
                           f"(its log: {self.log_path})")

    def _write_state(self) -> None:
        state = {"api_url": self.api_url, "ui_url": self.ui_url, "pid": self.process.pid,
                 "pid_start": _process_start(self.process.pid), "serve_pid": os.getpid()}
        tmp = self.home / f".{STATE_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.home / STATE_FILE)

    def forget(self) -> None:
        """Remove the state file (if it is still this server's): no `xxgk run`
        starting now should count on this server."""
        state = self.home / STATE_FILE
        with contextlib.suppress(OSError, ValueError):
            if self.process and json.loads(state.read_text()).get("pid") == self.process.pid:
                state.unlink()

    def stop(self) -> None:
        self.forget()
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def check_arguments(args) -> str | None:
    """What is wrong with serve's arguments, in one line, or None: checked
    before anything is started or registered."""
    input_dir, out_dir = Path(args.input), Path(args.out)
    if not input_dir.is_dir():
        return f"input directory {input_dir} does not exist or is not a directory"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".xxgk-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        return f"cannot write to output directory {out_dir}: {exc.strerror or exc}"
    # the schedule as Prefect's API will hold it, validated by Prefect's own schema
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=args.cron)
    except ValueError:
        return f"--cron {args.cron!r} is not a valid cron expression (five fields, e.g. \"0 2 * * *\")"
    try:
        CronSchedule(cron="0 2 * * *", timezone=args.timezone)
    except ValueError:
        return f"--timezone {args.timezone!r} is not a known time zone (e.g. Asia/Shanghai, UTC)"
    return None


def serve_command(args) -> int:
    """`xxgk serve`: check, start (or find) the server, register, serve."""
    from flows.cli import _fail, _quiet_prefect_env

    problem = check_arguments(args)
    if problem:
        return _fail(problem)
    _quiet_prefect_env()
    input_dir, out_dir = str(Path(args.input).resolve()), str(Path(args.out).resolve())
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        url = served_api_url()
        if url:
            os.environ["PREFECT_API_URL"] = url
            print(f"xxgk: using the Prefect server another `xxgk serve` runs: {url}", flush=True)
        else:
            server = SupervisedPrefectServer().start()
            print(f"xxgk: starting a Prefect server (database under {server.home}; log {server.log_path})",
                  flush=True)
            try:
                server.wait_ready()
            except RuntimeError as exc:
                return _fail(str(exc))
            os.environ["PREFECT_API_URL"] = server.api_url
            os.environ.setdefault("PREFECT_UI_URL", server.ui_url)
            print(f"xxgk: Prefect UI at {server.ui_url}", flush=True)
    try:
        return _serve(args, input_dir, out_dir, server)
    finally:
        # a run still going gets SIGTERM (it records itself interrupted),
        # then whatever is left of it, and the server last
        _stop_runs(server)
        if server is not None:
            server.stop()


def _serve(args, input_dir: str, out_dir: str, server: SupervisedPrefectServer | None) -> int:
    import prefect.settings
    from prefect.runner import Runner
    from prefect.schedules import Cron
    from prefect.settings import temporary_settings

    from flows.schedule import DEPLOYMENT_NAME, DESCRIPTION, TAGS, nightly_flow, nightly_parameters

    workers = max(1, args.workers)
    flow = nightly_flow(workers)
    parameters = nightly_parameters(input_dir, out_dir, args.keep,
                                    {"workers": workers, "window": 2 * workers, "build_docs": not args.no_docs})
    print(f"xxgk: serving xxgk-run/{DEPLOYMENT_NAME} on {args.cron!r} ({args.timezone}): "
          f"{input_dir} -> {out_dir}", flush=True)
    # (Prefect was imported while checking the cron, its settings read then)
    with temporary_settings(updates={prefect.settings.PREFECT_API_URL: os.environ["PREFECT_API_URL"]}):
        served = Runner(pause_on_shutdown=False)
        # add_flow, not add_deployment: the runner keeps this flow object
        # and starts each run from it, where a deployment would be loaded
        # again from its entrypoint by `python -m prefect.engine`, without
        # its task runner, retries and summary hook
        served.add_flow(flow, name=DEPLOYMENT_NAME, schedules=[Cron(args.cron, timezone=args.timezone)],
                        parameters=parameters, description=DESCRIPTION, tags=TAGS)
        stopping: list = []

        def on_signal(why: str) -> None:
            if server is not None:
                server.forget()
            stopping.extend(_quiet_shutdown(why))
            _stop_runs(server)

        why = asyncio.run(_serve_until_signal(served, on_signal))
    if why is None:
        return 0
    if server is not None:
        server.stop()
    os.write(stopping[0], f"xxgk: serve stopped ({why}); a run in progress, if any, was interrupted "
                          f"and is recorded so (log: {stopping[1]})\n".encode())
    return 128 + (signal.SIGTERM if why == "SIGTERM" else signal.SIGINT)


async def _serve_until_signal(runner, on_signal) -> str | None:
    """Run Prefect's runner until it ends or SIGINT/SIGTERM comes; returns
    the signal's name.  (The runner's own SIGTERM handler schedules an
    async stop without awaiting it, and serve went on.)"""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(runner.start())
    await asyncio.sleep(0)          # start() has put its handler in; ours replace it
    stop: asyncio.Future = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda s=sig: stop.done() or stop.set_result(signal.Signals(s).name))
    await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    if not stop.done():
        task.result()
        return None
    # the runs first: the runner's task group waits for its run processes
    await asyncio.to_thread(on_signal, stop.result())
    task.cancel()
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(task, 10)
    return stop.result()


def _quiet_shutdown(why: str) -> tuple[int, str]:
    """From now on stderr goes to a log file (what Prefect says while it
    stops); returns the terminal's fd and the log's path."""
    terminal = os.dup(2)
    fd, name = tempfile.mkstemp(prefix=f"xxgk-serve-{time.strftime('%Y%m%dT%H%M%S')}-", suffix=".log")
    os.write(fd, f"xxgk serve: {why}\n".encode())
    os.dup2(fd, 2)
    os.close(fd)
    return terminal, name


def _stop_runs(server: SupervisedPrefectServer | None) -> None:
    """SIGTERM to every process below serve but its server (a run records
    itself interrupted), SIGKILL to what is left after 10 s."""
    from flows import interrupts

    skip = {server.process.pid} if server is not None and server.process is not None else set()
    interrupts.stop_all(grace=10, workers_first=False, skip=skip)

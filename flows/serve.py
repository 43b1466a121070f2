"""`xxgk serve`: run the nightly deployment on its cron, with or without a
Prefect server of the user's.

With PREFECT_API_URL set, the deployment is served against that server.
Without it, serve starts Prefect's own server (`prefect server start`, its
scheduler and UI included) on this machine, on PREFECT_HOME's database (the
one `xxgk run`'s temporary servers use), supervises it, and writes its
address to PREFECT_HOME/xxgk-server.json: while serve is up, `xxgk run` on
this machine records its runs there too (flows.cli.prefect_api).

The flow is served in this process (prefect.serve): each run is a process of
its own started from here (Prefect's runner), which gets the run's flow as
it is, with the task runner that `xxgk run` would pick (ServedTaskRunner).
A run cancelled from Prefect stops like an interrupted one: its workers are
killed, its staging version dropped, its runs row says `cancelled`, and it is
not retried (only a failed run is).
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
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

STATE_FILE = "xxgk-server.json"
DEFAULT_PORT = 4200


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def _process_start(pid: int) -> str | None:
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
    """`prefect server start` (API, UI, scheduler) as a child of serve."""

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
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_die_with_parent)
        from flows import interrupts

        interrupts.PROTECTED.add(self.process.pid)
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
        or other serve starting now should count on this server."""
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
    """What is wrong with serve's arguments, in one line, or None."""
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
    from prefect._internal.schemas.validators import validate_cron_string   # cronsim, as Prefect's Cron

    try:
        validate_cron_string(args.cron)
    except Exception:       # noqa: BLE001
        return f"--cron {args.cron!r} is not a valid cron expression (five fields, e.g. \"0 2 * * *\")"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(args.timezone)
    except Exception:       # noqa: BLE001
        return f"--timezone {args.timezone!r} is not a known time zone (e.g. Asia/Shanghai, UTC)"
    return None


class ScheduleKeeper(threading.Thread):
    """Creates the deployment's next runs on its cron from serve itself, so
    that it runs whether or not the server's scheduler service works (one
    started with --no-services, or Prefect 3.8.8's on SQLAlchemy 2.1, which
    fails to insert scheduled runs).  Each run gets the idempotency key the
    server's scheduler gives the same slot: where both work, one run a slot."""

    def __init__(self, api_url: str, cron: str, timezone: str, name: str = "xxgk-run/nightly",
                 every: float = 15.0, horizon: float = 600.0):
        super().__init__(daemon=True, name="xxgk-schedule-keeper")
        self.api_url, self.cron, self.timezone, self.name = api_url, cron, timezone, name
        self.every, self.horizon = every, horizon
        self.stopped = threading.Event()
        self.created: set[str] = set()

    def fire_times(self, now=None) -> list:
        """The cron's times after `now` within the horizon, at least the next one."""
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        from prefect._vendor.croniter import croniter

        now = now or datetime.now(ZoneInfo(self.timezone))
        it = croniter(self.cron, now)
        times = [it.get_next(datetime)]
        while len(times) < 10:
            t = it.get_next(datetime)
            if t > now + timedelta(seconds=self.horizon):
                break
            times.append(t)
        return times

    def run(self) -> None:
        import prefect.settings
        from prefect.settings import temporary_settings

        with temporary_settings(updates={prefect.settings.PREFECT_API_URL: self.api_url}):
            while not self.stopped.is_set():
                try:
                    self.keep()
                    wait = self.every
                except Exception:       # noqa: BLE001 - not registered yet, server busy: again soon
                    wait = 2.0
                self.stopped.wait(wait)

    TAG = "xxgk-cron"

    def keep(self) -> None:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import (DeploymentFilter, DeploymentFilterId, FlowRunFilter,
                                                    FlowRunFilterState, FlowRunFilterStateType, FlowRunFilterTags)
        from prefect.client.schemas.objects import StateType
        from prefect.states import Scheduled

        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(self.name)
            schedules = [s for s in deployment.schedules if s.active]
            if not self.created:
                # runs an earlier serve scheduled, maybe on another cron or
                # with other parameters: the server drops its own on a new
                # schedule, these are ours to drop
                stale = client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(
                        tags=FlowRunFilterTags(all_=[self.TAG]),
                        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])))
                for run in stale:
                    client.delete_flow_run(run.id)
            if deployment.paused or not schedules:
                return
            for when in self.fire_times():
                key = f"scheduled {deployment.id} {schedules[0].id} {when}"
                if key in self.created:
                    continue
                client.create_flow_run_from_deployment(
                    deployment.id, state=Scheduled(scheduled_time=when, message="Flow run scheduled"),
                    idempotency_key=key, tags=["auto-scheduled", self.TAG, *deployment.tags])
                self.created.add(key)


def fork_flow_runs_from_preloaded_server() -> None:
    """Start each served run's process from a forkserver that imported
    Prefect, pandas, pyarrow, GX and the pipeline once (flows.worker_preload),
    instead of spawning a fresh interpreter that imports them all again
    (several seconds of a 200-file run that `xxgk run` overlaps with its
    server's start).  Prefect's runner asks multiprocessing for the spawn
    context (prefect.flow_engine.run_flow_in_subprocess); it gets the
    forkserver's, as the workers of flows.pipeline._StartedPool do.  The
    forkserver starts now, while serve waits for the first cron time.
    XXGK_SPAWN_WORKERS=1 keeps Prefect's spawn."""
    import multiprocessing
    import multiprocessing.forkserver

    import prefect.flow_engine as engine

    if os.environ.get("XXGK_SPAWN_WORKERS") or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.worker_preload"])

    class _Multiprocessing:
        def __getattr__(self, name):
            return getattr(multiprocessing, name)

        def get_context(self, method=None):
            return context if method == "spawn" else multiprocessing.get_context(method)

    engine.multiprocessing = _Multiprocessing()
    multiprocessing.forkserver.ensure_running()


# Set by serve for the runs it starts (they inherit its environment).
SERVED_ENV = "XXGK_SERVED"


def print_served_summary(summary: dict) -> None:
    """In a served run's process, at its end: the summary `xxgk run` prints."""
    from flows.cli import print_summary

    with contextlib.suppress(Exception):
        print_summary(summary)
        sys.stdout.flush()


def serve_command(args) -> int:
    """`xxgk serve`: check, start (or find) the server, register, serve."""
    from flows.cli import SMALL_RUN, _fail, _quiet_prefect_env

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
        import prefect.settings
        from prefect.settings import temporary_settings

        from prefect.schedules import Cron

        from flows.schedule import DEPLOYMENT_NAME, DESCRIPTION, TAGS, nightly_flow, nightly_parameters
        from flows.served_runner import ServedTaskRunner, count_files

        workers = max(1, args.workers)
        runner = ServedTaskRunner(max_workers=workers, input_dir=input_dir, small_run=SMALL_RUN)
        small = workers <= 1 or count_files(input_dir) <= SMALL_RUN
        flow = nightly_flow(runner)
        parameters = nightly_parameters(input_dir, out_dir, args.keep,
                                        {"workers": 1 if small else workers, "window": 2 * workers,
                                         "build_docs": not args.no_docs})
        os.environ[SERVED_ENV] = "1"
        fork_flow_runs_from_preloaded_server()
        print(f"xxgk: serving xxgk-run/{DEPLOYMENT_NAME} on {args.cron!r} ({args.timezone}): "
              f"{input_dir} -> {out_dir}", flush=True)
        keeper = ScheduleKeeper(os.environ["PREFECT_API_URL"], args.cron, args.timezone)
        keeper.start()
        # (checking the cron string imported Prefect, whose settings were read then)
        with temporary_settings(updates={prefect.settings.PREFECT_API_URL: os.environ["PREFECT_API_URL"]}):
            from prefect.runner import Runner

            served = Runner(pause_on_shutdown=False)
            # add_flow, not add_deployment: the runner keeps this flow object
            # and starts each run from it (run_flow_in_subprocess), where a
            # deployment would be loaded again from its entrypoint by
            # `python -m prefect.engine`, without its task runner and retries
            served.add_flow(flow, name=DEPLOYMENT_NAME, schedules=[Cron(args.cron, timezone=args.timezone)],
                            parameters=parameters, description=DESCRIPTION, tags=TAGS)
            stopping: list = []

            def on_signal(why: str) -> None:
                keeper.stopped.set()
                if server is not None:
                    server.forget()
                stopping.extend(_quiet_shutdown(why))
                _stop_runs(server)

            why = asyncio.run(_serve_until_signal(served, on_signal))
        keeper.stopped.set()
        if why is not None:
            if server is not None:
                server.stop()
                server = None
            os.write(stopping[0], f"xxgk: serve stopped ({why}); a run in progress, if any, was interrupted "
                                  f"and is recorded so (log: {stopping[1]})\n".encode())
            return 128 + (signal.SIGTERM if why == "SIGTERM" else signal.SIGINT)
    finally:
        # a run still going gets SIGTERM (it records itself interrupted), then
        # whatever is left of it, and the server last
        with contextlib.suppress(Exception):
            _stop_runs(server)
        if server is not None:
            server.stop()
    return 0


async def _serve_until_signal(runner, on_signal) -> str | None:
    """Run Prefect's runner until it ends or SIGINT/SIGTERM comes; returns
    the signal's name.  (The runner's own SIGTERM handler calls an async
    stop without awaiting it, and serve went on.)"""
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
    import tempfile

    terminal = os.dup(2)
    fd, name = tempfile.mkstemp(prefix=f"xxgk-serve-{time.strftime('%Y%m%dT%H%M%S')}-", suffix=".log")
    os.write(fd, f"xxgk serve: {why}\n".encode())
    os.dup2(fd, 2)
    os.close(fd)
    return terminal, name


def _stop_runs(server: SupervisedPrefectServer | None) -> None:
    """SIGTERM to every process below serve but its server (the runs record
    themselves interrupted), SIGKILL to what is left after 10 s."""
    from flows import interrupts

    pids = interrupts.descendants(skip={server.process.pid} if server else set())
    interrupts._kill(pids, signal.SIGTERM)      # noqa: SLF001
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(interrupts._alive(p) for p in pids):   # noqa: SLF001
        time.sleep(0.1)
    interrupts._kill([p for p in pids if interrupts._alive(p)], signal.SIGKILL)   # noqa: SLF001

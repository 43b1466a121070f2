"""Ctrl-C and SIGTERM during `xxgk run`: stop within seconds, say so in one line.

The first SIGINT or SIGTERM
  * sends everything the run prints from then on (Prefect's crash report,
    tracebacks) to a log file instead of the terminal,
  * kills the run's worker processes (their batches would otherwise finish
    first; the staging version they write into is dropped anyway),
  * raises ``Interrupted`` (a KeyboardInterrupt) in the main thread: the flow
    aborts its staging version, writes its runs row (interrupted), releases
    the lock, and the CLI prints one line: which version the warehouse is at,
    and where the log is.
A watchdog makes sure the process is gone within ``DEADLINE`` seconds of the
first signal, whatever is stuck (a Prefect server that went away with the
signal, say); a second signal exits at once.  Either way every process the
run started is killed first and the runs row written.

Inside a flow run Prefect's engine swaps its own SIGTERM handler in
(TerminationSignal); the flow's run record (transform.runs.recording) calls
``interrupted_in_flow`` when that arrives, so the same happens.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

# Seconds from the first signal to the process's end, at most.
DEADLINE = 8.0

# Processes stop_workers leaves alone: the Prefect server of this run (it
# records the crash; the CLI stops it afterwards).
PROTECTED: set[int] = set()


class Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# ----------------------------------------------------------------- processes
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int | None = None, skip: set[int] = frozenset()) -> list[int]:
    """Every process below `pid` (default: this one), leaving out the
    subtrees of the processes in `skip`."""
    children = _children_map()
    found, todo = [], list(children.get(pid or os.getpid(), []))
    while todo:
        p = todo.pop()
        if p in skip:
            continue
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _resource_tracker_pid() -> int | None:
    try:
        from multiprocessing import resource_tracker

        return resource_tracker._resource_tracker._pid   # noqa: SLF001
    except Exception:       # noqa: BLE001
        return None


def _kill(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop_workers() -> None:
    """Kill the worker processes of this process's run (and whatever they
    started), now: the Prefect server and the resource tracker stay (the
    tracker ends by itself when this process does)."""
    skip = set(PROTECTED)
    tracker = _resource_tracker_pid()
    if tracker:
        skip.add(tracker)
    _kill(descendants(skip=skip), signal.SIGKILL)


def stop_all(grace: float = 2.0, workers_first: bool = True, skip: set[int] = frozenset()) -> None:
    """Kill every process below this one but the subtrees of `skip`:
    SIGTERM, then SIGKILL for what is left after `grace` seconds (the
    workers at once, with workers_first)."""
    if workers_first:
        stop_workers()
    pids = descendants(skip=skip)
    _kill(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = [p for p in pids if _alive(p)]
    _kill(pids, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def worker_ignores_ctrl_c() -> None:
    """In a worker process: a terminal's Ctrl-C reaches every process of the
    run; a worker that took it would print a KeyboardInterrupt traceback.
    The run kills its workers itself (stop_workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ----------------------------------------------------------------- the guard
class Guard:
    """Installed by `xxgk run` around everything it does (see ``guarded``)."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.signum: int | None = None
        self.log_path: Path | None = None
        self.said = False
        self._terminal = os.dup(2)
        self._resend_expected = False
        self._previous: dict[int, object] = {}
        self.start_version = self._version()

    def _version(self) -> str | None:
        try:
            from transform.warehouse import Warehouse

            return Warehouse(self.out_dir).current_version()
        except Exception:       # noqa: BLE001
            return None

    # -- signals
    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handler)

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            with contextlib.suppress(Exception):
                signal.signal(sig, handler)

    def _handler(self, signum, frame) -> None:
        if self.signum is None:
            self.trigger(signum)
            raise Interrupted(signum)
        if signum == signal.SIGTERM and self._resend_expected:
            # Prefect's engine passing on the SIGTERM it turned into a
            # TerminationSignal, which is already on its way out
            self._resend_expected = False
            return
        self.emergency_exit("second signal")

    def trigger(self, signum: int, resend_expected: bool = False) -> None:
        """The first signal: log file instead of the terminal, watchdog,
        workers killed."""
        if self.signum is not None:
            return
        self.signum = signum
        self._resend_expected = resend_expected
        fd, name = tempfile.mkstemp(prefix=f"xxgk-{time.strftime('%Y%m%dT%H%M%S')}-", suffix=".log")
        self.log_path = Path(name)
        os.write(fd, f"xxgk: {signal.Signals(signum).name} received at {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os.dup2(fd, 2)          # Python's sys.stderr, Prefect's console logs, C-level messages
        os.close(fd)
        threading.Thread(target=self._watchdog, daemon=True, name="xxgk-interrupt-watchdog").start()
        stop_workers()

    def _watchdog(self) -> None:
        time.sleep(DEADLINE)
        self.emergency_exit(f"still running {DEADLINE:.0f} s after the signal")

    # -- the end
    def line(self) -> str:
        now = self._version()
        log = f" (log: {self.log_path})" if self.log_path else ""
        if now is None:
            where = "the warehouse has no version yet"
        elif now == self.start_version:
            where = f"the warehouse is unchanged at version {now}"
        else:
            where = f"the run had committed: the warehouse is at version {now}"
        return f"xxgk: interrupted; {where}{log}"

    def say(self) -> None:
        if self.said:
            return
        self.said = True
        os.write(self._terminal, (self.line() + "\n").encode())

    def finish(self, exc: BaseException) -> int:
        """After the exception reached the CLI: traceback to the log, the
        runs row if the flow did not write it, every child gone, one line."""
        import traceback

        from transform import runs

        with contextlib.suppress(Exception):
            traceback.print_exception(exc, file=sys.stderr)
            sys.stderr.flush()
        runs.close_open("interrupted", signal.Signals(self.signum or signal.SIGINT).name)
        stop_all()
        self.say()
        return 128 + (self.signum or signal.SIGINT)

    def emergency_exit(self, why: str) -> None:
        from transform import runs

        with contextlib.suppress(Exception):
            os.write(2, f"xxgk: exiting at once: {why}\n".encode())
        with contextlib.suppress(Exception):
            runs.close_open("interrupted", f"{signal.Signals(self.signum or signal.SIGINT).name} ({why})")
        with contextlib.suppress(Exception):
            stop_all(grace=0.5)
        with contextlib.suppress(Exception):
            self.say()
        os._exit(128 + (self.signum or signal.SIGINT))


_GUARD: list[Guard] = []


@contextlib.contextmanager
def guarded(out_dir: Path):
    """Signal handling for one `xxgk run` (main thread only)."""
    guard = Guard(out_dir)
    guard.install()
    _GUARD.append(guard)
    try:
        yield guard
    finally:
        _GUARD.remove(guard)
        if guard.signum is None:
            guard.uninstall()
        # once interrupted, the handlers stay: a second signal exits at once


def hook_prefect_sigterm() -> None:
    """While a flow runs, Prefect's engine puts its own SIGTERM handler in
    place of ours (it raises TerminationSignal, and logs a crash report on
    the way out).  Have that handler tell the guard first, so that the
    terminal is already switched to the log file and the workers stopped.
    Called by the CLI once Prefect is imported.  Reaching into Prefect is
    flows.tuning's job (tweak ``prefect-sigterm``, version-gated and
    switchable); without it a SIGTERM during the flow still ends the run
    cleanly, through interrupted_in_flow, only a little later."""
    from flows import tuning

    tuning.wrap_prefect_sigterm_handler(_tell_guard_first)


def _tell_guard_first(signum: int) -> None:
    if _GUARD:
        guard = _GUARD[-1]
        if guard.signum is None:
            guard.trigger(signum, resend_expected=True)
        elif not guard._resend_expected:       # noqa: SLF001 - a second SIGTERM
            guard.emergency_exit("second signal")


def interrupted_in_flow(signum: int | None) -> None:
    """The flow's run record saw an interrupt (Prefect's TerminationSignal
    for SIGTERM, or our Interrupted): the same as the first signal."""
    if _GUARD:
        guard = _GUARD[-1]
        if guard.signum is None and signum:
            # Prefect re-sends SIGTERM to this process once its handler is gone
            guard.trigger(signum, resend_expected=signum == signal.SIGTERM)
            return
    stop_workers()

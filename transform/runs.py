"""The run history: OUTPUT/runs, one small Parquet file per run that took the
warehouse lock, written once and never rewritten.

    OUTPUT/runs/<started>-<run_id>.parquet     one row (schema RUNS_SCHEMA)
    OUTPUT/.xxgk/running-<run_id>.json         a run's marker while it runs

A run writes its marker as soon as it holds the lock, notes the version in it
when it commits, and replaces it by its row when it ends, whatever the ending:
completed (it committed, even if interrupted afterwards), interrupted (SIGINT,
SIGTERM), cancelled (from Prefect) or failed.  A run killed outright (SIGKILL,
the OOM killer) leaves its marker; the next run that takes the lock writes
that run's row from it (`failed`, or `completed` when it had committed).

The rows are written atomically (a hidden temp file, fsync, rename, fsync of
the directory), so pandas, DuckDB and polars read the directory as it is:
``pd.read_parquet(OUTPUT / "runs")``.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RUNS = "runs"
OUTCOMES = ("completed", "interrupted", "cancelled", "failed")
_COUNTS = ("files_seen", "new", "changed", "unchanged", "removed", "ok", "invalid", "rejected")
_TS = pa.timestamp("us", tz="UTC")

RUNS_SCHEMA = pa.schema(
    [("run_id", pa.string()), ("started_at", _TS), ("finished_at", _TS), ("version", pa.string()),
     ("parser_version", pa.string()), ("input", pa.string())]
    + [(c, pa.int64()) for c in _COUNTS]
    + [("outcome", pa.string()), ("stage_seconds", pa.string()), ("failures", pa.string()),
       ("message", pa.string())])

# Records of this process's runs not closed yet (see close_open).
_OPEN: list["RunRecord"] = []
_OPEN_LOCK = threading.Lock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _process_start(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot), which tells
    a live process from a later one that reuses its pid; None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _run_id() -> str:
    try:
        from expectations.validate import current_run_id

        return current_run_id()
    except Exception:       # noqa: BLE001 - no Prefect context: an id of our own
        return str(uuid.uuid4())


@dataclass
class RunRecord:
    root: Path
    run_id: str
    input: str
    started_at: datetime
    start_version: str | None
    version: str | None = None          # set when the run commits
    closed: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def marker(self) -> Path:
        return self.root / ".xxgk" / f"running-{self.run_id}.json"

    def _marker_data(self) -> dict:
        return {"run_id": self.run_id, "pid": os.getpid(), "pid_start": _process_start(os.getpid()),
                "started_at": self.started_at.isoformat(), "input": self.input,
                "start_version": self.start_version, "version": self.version}

    def write_marker(self) -> None:
        _atomic_write(self.marker, json.dumps(self._marker_data()).encode())

    def close(self, outcome: str, summary: dict | None = None, message: str | None = None,
              failures: dict | None = None) -> Path | None:
        """Write this run's row (once) and drop its marker.  A run that
        committed is `completed`, however it ended afterwards."""
        with _OPEN_LOCK:
            if self.closed:
                return None
            self.closed = True
            if self in _OPEN:
                _OPEN.remove(self)
        if self.version is not None and outcome != "completed":
            message = f"{outcome} after committing" + (f": {message}" if message else "")
            outcome = "completed"
        summary = summary or {}
        row = {"run_id": self.run_id, "started_at": self.started_at, "finished_at": _now(),
               "version": self.version, "parser_version": _parser_version(), "input": self.input,
               **{c: summary.get(c) for c in _COUNTS}, "outcome": outcome,
               "stage_seconds": json.dumps(summary.get("stage_seconds") or {}),
               "failures": json.dumps(failures or {}, ensure_ascii=False), "message": message}
        path = write_row(self.root, row)
        self.marker.unlink(missing_ok=True)
        return path


def _parser_version() -> str | None:
    try:
        from transform.frames import PARSER_VERSION

        return str(PARSER_VERSION)
    except Exception:       # noqa: BLE001
        return None


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_row(root: Path, row: dict) -> Path:
    """One run's row as OUTPUT/runs/<started>-<run_id>.parquet, atomically."""
    d = Path(root) / RUNS
    d.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([row], schema=RUNS_SCHEMA)
    name = f"{row['started_at'].strftime('%Y%m%dT%H%M%S%fZ')}-{row['run_id']}.parquet"
    tmp = d / f".{name}.{os.getpid()}.tmp"          # hidden: no reader picks it up
    pq.write_table(table, tmp)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, d / name)
    _fsync_dir(d)
    return d / name


def read_runs(root: str | os.PathLike):
    """The runs dataset as a pandas frame, oldest first (empty if none)."""
    d = Path(root) / RUNS
    if not d.is_dir() or not any(d.glob("*.parquet")):
        return RUNS_SCHEMA.empty_table().to_pandas()
    return pq.read_table(d, schema=RUNS_SCHEMA).to_pandas().sort_values("started_at").reset_index(drop=True)


def recover_markers(root: Path, own: str | None = None) -> list[Path]:
    """Rows for runs that died without writing theirs (SIGKILL, OOM).  Called
    under the warehouse lock: a marker whose process is gone is such a run's
    (a live process past its commit is still writing its own row)."""
    from transform.warehouse import Warehouse

    current = Warehouse(root).current_version()
    dead = []
    for marker in (Path(root) / ".xxgk").glob("running-*.json"):
        try:
            data = json.loads(marker.read_text())
        except (OSError, ValueError):
            continue
        if data.get("run_id") == own:
            continue
        pid = data.get("pid")
        if pid and data.get("pid_start") and _process_start(pid) == data["pid_start"]:
            continue
        dead.append((data["started_at"], marker, data))
    dead.sort(key=lambda d: d[0])
    written = []
    for i, (_, marker, data) in enumerate(dead):
        committed = data.get("version")
        if committed is None and i == len(dead) - 1 and current != data.get("start_version"):
            # killed between its commit and noting it: runs take the lock in
            # turn, so the version committed since it started is its own
            committed = current
        started = datetime.fromisoformat(data["started_at"])
        row = {"run_id": data["run_id"], "started_at": started,
               "finished_at": datetime.fromtimestamp(marker.stat().st_mtime, timezone.utc),
               "version": committed, "parser_version": None, "input": data.get("input"),
               **{c: None for c in _COUNTS}, "outcome": "completed" if committed else "failed",
               "stage_seconds": "{}", "failures": "{}",
               "message": ("the run ended without writing its row (killed?); its marker was found by the next "
                           "run" + ("" if committed else "; nothing was committed"))}
        written.append(write_row(root, row))
        marker.unlink(missing_ok=True)
    return written


def started(warehouse, input_dir: str) -> RunRecord:
    """Under the lock: record the runs that died before, then this one's marker."""
    root = Path(warehouse.root)
    rec = RunRecord(root=root, run_id=_run_id(), input=str(input_dir), started_at=_now(),
                    start_version=warehouse.current_version())
    recover_markers(root, own=rec.run_id)
    rec.write_marker()
    with _OPEN_LOCK:
        _OPEN.append(rec)
    return rec


def _signum(exc: BaseException) -> int | None:
    """The signal behind an interrupt: ours (Interrupted.signum), Prefect's
    TerminationSignal (.signal), or SIGINT for a plain KeyboardInterrupt."""
    import signal as _signal

    for attr in ("signum", "signal"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    return int(_signal.SIGINT) if isinstance(exc, KeyboardInterrupt) else None


def outcome_of(exc: BaseException) -> tuple[str, str]:
    """(outcome, message) for a run that ended by `exc`."""
    try:
        from prefect._internal.control_listener import get_intent

        intent = get_intent()
    except Exception:       # noqa: BLE001
        intent = None
    name = type(exc).__name__
    if intent == "cancel":
        return "cancelled", "cancelled from Prefect"
    signum = _signum(exc)
    if isinstance(exc, KeyboardInterrupt) or name == "TerminationSignal":
        import signal as _signal

        try:
            what = _signal.Signals(signum).name if signum else "SIGINT"
        except (ValueError, TypeError):
            what = str(signum)
        return "interrupted", what
    return "failed", f"{name}: {exc}"[:2000]


@contextmanager
def recording(warehouse, input_dir: str):
    """Used by the flow right after it takes the lock: the run's marker, its
    version once committed, and its row if it ends by an exception."""
    rec = started(warehouse, input_dir)
    try:
        yield rec
    except BaseException as exc:
        outcome, message = outcome_of(exc)
        if outcome != "failed":
            # the workers would otherwise finish their batches first
            from flows.interrupts import interrupted_in_flow

            interrupted_in_flow(_signum(exc))
        _committed(rec, warehouse)
        rec.close(outcome, message=message)
        raise
    _committed(rec, warehouse)


def _committed(rec: RunRecord, warehouse) -> None:
    current = warehouse.current_version()
    if current is not None and current != rec.start_version and rec.version is None:
        rec.version = current
        rec.write_marker()


def failures_per_expectation(warehouse) -> dict[str, int]:
    """{expectation: failing rows} over the committed version."""
    frame = warehouse.read("validations", columns=["expectation", "success"])
    if frame is None or frame.empty:
        return {}
    failed = frame.loc[~frame["success"].astype(bool), "expectation"].astype(str)
    return dict(sorted(Counter(failed).items(), key=lambda kv: (-kv[1], kv[0])))


# How far the share of ok reports may fall against the previous completed
# run (percentage points) before a run says so in Prefect.
OK_SHARE_DROP = 10.0


def quality_drop(root: Path, summary: dict, before: str) -> str | None:
    """A message when this run's share of ok reports fell by more than
    OK_SHARE_DROP points against the last completed run before it."""
    runs = read_runs(root)
    runs = runs[(runs["outcome"] == "completed") & (runs["run_id"] != before) & runs["ok"].notna()]
    if runs.empty:
        return None
    last = runs.iloc[-1]
    total_then = (last["ok"] or 0) + (last["invalid"] or 0) + (last["rejected"] or 0)
    total_now = sum(summary.get(k) or 0 for k in ("ok", "invalid", "rejected"))
    if not total_then or not total_now:
        return None
    then, now = 100.0 * last["ok"] / total_then, 100.0 * summary["ok"] / total_now
    if then - now > OK_SHARE_DROP:
        return (f"share of ok reports fell from {then:.1f} % to {now:.1f} % "
                f"(run {last['run_id']}, version {last['version']})")
    return None


def finished(rec: RunRecord, summary: dict):
    """The flow's last step: the run's row.  Returns what the flow returns:
    the summary, or, when the share of ok reports fell sharply, a Completed
    Prefect state carrying the summary with a message that says so."""
    from transform.warehouse import Warehouse

    drop = quality_drop(rec.root, summary, rec.run_id)
    failures = failures_per_expectation(Warehouse(rec.root))
    rec.version = rec.version or summary.get("version")
    rec.close("completed", summary, message=drop, failures=failures)
    if drop is not None:
        summary["quality_warning"] = drop
    if drop is None:
        return summary
    try:
        from prefect import get_run_logger
        from prefect.states import Completed

        get_run_logger().warning("xxgk: %s", drop)
        _emit_quality_event(rec, summary, drop)
        return Completed(message=f"xxgk: {drop}", data=summary)
    except Exception:       # noqa: BLE001 - outside a flow run
        return summary


QUALITY_EVENT = "xxgk.quality.dropped"


def _emit_quality_event(rec: RunRecord, summary: dict, drop: str) -> None:
    """A Prefect event for automations to trigger on (README: being told)."""
    from prefect.events import emit_event

    emit_event(event=QUALITY_EVENT,
               resource={"prefect.resource.id": f"xxgk.warehouse.{rec.root}", "prefect.resource.name": str(rec.root)},
               related=[{"prefect.resource.id": f"prefect.flow-run.{rec.run_id}", "prefect.resource.role": "flow-run"}],
               payload={"message": drop, "ok": summary.get("ok"), "invalid": summary.get("invalid"),
                        "rejected": summary.get("rejected"), "version": summary.get("version")})


def close_open(outcome: str, message: str | None = None) -> None:
    """Write the rows of this process's runs still open (an interrupt that
    came after the flow's lock block, an emergency exit)."""
    with _OPEN_LOCK:
        records = list(_OPEN)
    for rec in records:
        try:
            rec.close(outcome, message=message)
        except Exception:       # noqa: BLE001 - the next run records it from the marker
            pass

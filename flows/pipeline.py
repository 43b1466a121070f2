"""The xxgk Prefect flow: crawl -> decode -> extract -> transform -> validate -> Parquet.

Orchestration only.  Parsing happens in ``extract``/``transform`` functions,
validation rules live in ``expectations/suites``, storage rules in
``transform.warehouse``.  Files go to tasks in batches; each batch task
parses, builds the batch's frames and validates them with one GX run per
view, so all of that runs in parallel on the task runner's workers (processes
locally, a Dask cluster with --dask).  The flow itself is the single writer:
it drops duplicate content, writes each batch's part files into the staging
version and commits once.
"""
from __future__ import annotations

import contextlib
import gc
import importlib
import os
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner
from prefect.artifacts import create_table_artifact

from extract.files import FileEntry, discover, parse_files
from transform.frames import PARSER_VERSION, as_duplicates, build_frames, empty_frames, held_in, mark_seen_duplicates
from transform.incremental import plan_run
from transform.warehouse import DATASETS, KEEP_VERSIONS, Warehouse, drop_report_rows, fault_point, write_part
from transform import runs

from flows.defaults import split_batches
from flows.collector import deferred_full_collections, imports_done, pause_gc_for_imports
from flows.prefect_tls import share_tls_contexts

# Every process that runs the flow or its tasks imports this module: the
# CLI, the workers (forked or spawned), Dask workers, `xxgk serve`.
share_tls_contexts()

# Data Docs are built inside the first batch task; their time is in "validate".
STAGES = ("discover", "read+extract", "transform", "validate", "write")


@dataclass
class RunSummary:
    input: str
    output: str
    files_seen: int = 0
    ok: int = 0
    invalid: int = 0
    rejected: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    reparsed: int = 0
    version: str | None = None
    top_failures: list[tuple[str, int]] = field(default_factory=list)
    rejected_reasons: list[tuple[str, int]] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    # How busy the workers were: the batches' own time (their stages, summed
    # over workers) against workers x the flow's seconds.  What is missing is
    # start-up of the flow, Prefect's cost per task, and workers waiting at
    # the end for the last batch.
    workers: int = 0
    worker_seconds: float = 0.0
    # The largest peak resident memory of a process that ran batches.
    worker_peak_rss_mb: float = 0.0


_VALIDATOR: dict = {}
_VALIDATOR_LOCK = threading.Lock()


def _validator(docs_dir: str | None):
    """One GX context per worker process, built on first use; it gains the
    run's Data Docs site when the batch that builds the docs asks for it."""
    from expectations.validate import Validator

    with _VALIDATOR_LOCK:
        current = _VALIDATOR.get("v")
        if current is None or (docs_dir and current.docs_dir is None):
            _VALIDATOR["v"] = current = Validator(docs_dir=docs_dir)
            # Everything imported and built so far (GX, Prefect, pandas:
            # millions of objects) lives as long as the process: keep it out
            # of the garbage collector's full passes, which otherwise scanned
            # it again and again while batches allocate (extraction ran 25 %
            # slower in a worker than in a bare interpreter).
            gc.freeze()
        return current


# Modules a flow run imports on first use (~0.4 s here: Prefect's engines,
# its parameter serialiser and flow visualisation, Arrow's dataset reader
# for the warehouse): imported ahead while the Prefect server starts.
_FLOW_START_MODULES = ("prefect.flow_engine", "prefect.task_engine", "prefect.utilities.visualization",
                       "fastapi.encoders", "pyarrow.dataset", "pyarrow.parquet")


def prewarm(docs_dir: str | None, validator: bool) -> threading.Thread:
    """Do in the background, while the Prefect server starts, what the run
    would otherwise do after it: import the flow engine's modules and, for
    runs whose batches run in this process, build this process's GX context
    (importing GX takes seconds)."""
    def work() -> None:
        try:
            for name in _FLOW_START_MODULES:
                importlib.import_module(name)
            if validator:
                _validator(docs_dir)
        finally:
            imports_done()

    thread = threading.Thread(target=work, daemon=True, name="xxgk-prewarm")
    thread.start()
    return thread


def load_installed_collections() -> None:
    """Import the installed Prefect collections (prefect-dask, with dask
    and distributed: ~0.45 s here) now rather than in the first task run.
    Prefect imports them the first time it looks up a block type, which
    every process does when it enters its first task run's context: each
    worker's first batch waited for that import, inside the flow."""
    from prefect.plugins import load_prefect_collections

    load_prefect_collections()


def warm_worker(ready=None) -> None:
    """Process-pool initializer: import GX and the Prefect collections and
    build this worker's context before its first batch arrives, then say so
    on `ready` (a queue)."""
    from flows.interrupts import worker_ignores_ctrl_c

    worker_ignores_ctrl_c()      # the run stops its workers itself (flows.interrupts)
    pause_gc_for_imports()
    try:
        load_installed_collections()
        _validator(None)
    finally:
        imports_done()
        if ready is not None:
            # also when the import failed: the pool is broken then, and
            # the flow should not wait for this worker any longer
            ready.put(os.getpid())


def _ready() -> bool:
    return True


# How long a flow waits for its started workers to warm up before it runs
# anyway (a worker that cannot start fails the batches sent to it).
WORKER_WARM_UP_LIMIT = 120.0


@contextlib.contextmanager
def _forked_from_preloaded_server():
    """Workers forked from one server process that imported their modules.

    Spawned, each worker imported Prefect, pandas and GX itself (~5 s of
    CPU each) while the Prefect server started on the same two cores.  A
    forkserver imports them once (flows.worker_preload, which starts no
    thread: forking is safe) and forks every worker from it: a 20,000-file
    run's start fell from 12.6-13.2 s to 9.1-10.9 s, whole runs alternated
    in one hour, with identical datasets.  Prefect's ProcessPoolTaskRunner
    asks multiprocessing for the spawn context; inside this block it gets
    the forkserver context instead.  XXGK_SPAWN_WORKERS=1 keeps Prefect's
    spawn (as do platforms without forkserver)."""
    import multiprocessing

    import prefect.task_runners as runners

    if os.environ.get("XXGK_SPAWN_WORKERS") or "forkserver" not in multiprocessing.get_all_start_methods():
        yield
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.worker_preload"])

    class _Multiprocessing:
        def __getattr__(self, name):
            return getattr(multiprocessing, name)

        def get_context(self, method=None):
            return context if method == "spawn" else multiprocessing.get_context(method)

    original = runners.multiprocessing
    runners.multiprocessing = _Multiprocessing()
    try:
        yield
    finally:
        runners.multiprocessing = original


class _StartedPool(ProcessPoolTaskRunner):
    """A ProcessPoolTaskRunner entered ahead of its flow, workers starting.

    Each worker reports on a queue once it is warm.  The flow engine enters
    the pool after creating the flow run and before calling the flow, and
    the pool waits there for every worker: their warm-up is start-up, like
    the server's, and a flow that began with cold workers spent its first
    second or two waiting for them (the flow's clock, which `xxgk bench`
    reports as throughput without start-up, counted it as parsing)."""

    def start(self) -> "_StartedPool":
        import multiprocessing

        self._warm_queue = multiprocessing.get_context("spawn").Queue()
        self._initargs = (self._warm_queue,)
        with _forked_from_preloaded_server():
            super().__enter__()
        self._early = True
        # one call per worker: the executor starts a process per pending call
        for _ in range(self._max_workers):
            self._executor.submit(_ready)
        return self

    def wait_warm(self, limit: float = WORKER_WARM_UP_LIMIT) -> list[int]:
        """Block until every worker is warm, the pool broke (a worker died),
        or `limit` seconds passed; returns the process ids that reported."""
        import queue

        deadline = time.monotonic() + limit
        warm: list[int] = []
        while len(warm) < self._max_workers and time.monotonic() < deadline:
            if getattr(self._executor, "_broken", False):
                break
            try:
                warm.append(self._warm_queue.get(timeout=0.2))
            except queue.Empty:
                continue
        return warm

    def __enter__(self):
        if getattr(self, "_early", False):
            self._early = False
            self.wait_warm()
            return self
        return super().__enter__()


class EarlyProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """Prefect's ProcessPoolTaskRunner, whose workers can be started before
    the flow: ``start_workers()`` forks them (see
    _forked_from_preloaded_server) while the Prefect server starts, instead
    of after it.  The flow engine enters a duplicate of its runner: the
    duplicate it gets is the started pool, which the flow then shuts down
    as usual."""

    def __init__(self, max_workers: int):
        super().__init__(max_workers=max_workers, initializer=warm_worker)
        self._started_pool: _StartedPool | None = None

    def start_workers(self) -> None:
        self._started_pool = _StartedPool(max_workers=self._max_workers, initializer=warm_worker).start()

    def duplicate(self):
        pool, self._started_pool = self._started_pool, None
        return pool if pool is not None else super().duplicate()

    def __getstate__(self):
        # the flow (and with it this runner) is pickled into every task call;
        # a started pool holds a multiprocessing queue, which cannot be
        state = self.__dict__.copy()
        state["_started_pool"] = None
        return state

    def discard(self) -> None:
        """Shut down workers started for a flow that never ran."""
        pool, self._started_pool = self._started_pool, None
        if pool is not None:
            pool.__exit__(None, None, None)


@task(name="discover", retries=2, retry_delay_seconds=1)
def discover_files(input_dir: str) -> list[FileEntry]:
    return discover(input_dir)


class FileBatch:
    """A batch's files as one task parameter, opaque to task runners on
    purpose.  Task runners walk lists and dataclasses looking for futures:
    Prefect visited every entry of a plain list, in the flow and again in
    the worker (~0.5 s of CPU per 5,000 files each time), and Dask takes
    Prefect's own ``quote()`` (a named tuple) for something to walk, rebuilding
    the entries as tuples."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[FileEntry]):
        self.entries = entries


# No cache policy: Prefect's default keys each call by hashing its inputs,
# which pickled the batch's thousands of file entries a second time in the
# worker for a cache this flow never reads (results are Parquet parts).
@task(name="process-batch", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def process_batch(batch: FileBatch, staging_dir: str, tag: str, docs_dir: str | None = None) -> dict:
    """Read, decode, extract, build, validate and write one batch of files.

    The batch's part files go straight into the run's staging version (not
    visible until the flow commits); only the batch's reports rows travel
    back, for the flow's duplicate check and summary.  With docs_dir the
    batch's validation results also feed the run's GX Data Docs (the flow
    asks this of its first batch only: Data Docs are built once a run)."""
    with deferred_full_collections():
        # the batch's objects die when _process_batch returns: the
        # collection at the end of the block scans only what survives
        return _process_batch(batch, staging_dir, tag, docs_dir)


def _process_batch(batch: FileBatch, staging_dir: str, tag: str, docs_dir: str | None) -> dict:
    from expectations.validate import statuses

    t0 = time.perf_counter()
    parsed = parse_files(batch.entries)
    fault_point("extract")
    t1 = time.perf_counter()
    frames = build_frames(parsed)
    # Free the parsed reports now, by reference counting.  Validating leaves
    # reference cycles inside GX (pydantic errors it catches, holding their
    # tracebacks), and the frames of those tracebacks reach this one: a local
    # still alive here then outlived the function, until the collection at
    # the batch's end, which had to scan and free ~170,000 objects of a
    # 4,250-report batch (0.22-0.44 s, against 0.06-0.08 s now).
    del parsed
    t2 = time.perf_counter()
    validator = _validator(docs_dir)
    validations = validator.validate(frames, for_docs=docs_dir is not None)
    fault_point("validate")
    frames["reports"]["status"] = statuses(frames["reports"], validations)
    frames["validations"] = validations
    if docs_dir:
        validator.build_docs()
    t3 = time.perf_counter()
    parts = {d: write_part(staging_dir, d, frames[d], tag) for d in DATASETS}
    t4 = time.perf_counter()
    return {"reports": frames["reports"], "parts": {d: str(p) for d, p in parts.items() if p},
            "seconds": {"read+extract": t1 - t0, "transform": t2 - t1, "validate": t3 - t2, "write": t4 - t3},
            "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far.  Workers report it with
    each batch: forked from a forkserver, they are not the CLI's children,
    so the CLI's view of its children's peak does not include them."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bounded(batches: list[list], staging_dir, docs_dir: str | None, window: int):
    """Batch results in submission order, with at most `window` batches in
    flight, so memory stays flat however large the corpus.  Submission order
    makes duplicate resolution the same on every run."""
    pending = deque()
    for i, batch in enumerate(batches):
        pending.append(process_batch.submit(FileBatch(batch), str(staging_dir), f"b{i:06d}",
                                            docs_dir if i == 0 else None))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _resolve_duplicates(result: dict, seen: dict[str, str], carried: set[str], demoted: dict[str, str]) -> None:
    """Settle this batch's duplicates against the carried files and the
    batches before it (see mark_seen_duplicates): reports rows rejected as
    duplicates lose their rows from this batch's parts; carried holders
    that a file of this batch takes over from go into `demoted`."""
    fixed, dup_ids, lost = mark_seen_duplicates(result["reports"], seen, carried)
    demoted.update(lost)
    if fixed is not result["reports"]:
        parts = result["parts"]
        write_part(Path(parts["reports"]).parent.parent, "reports", fixed, Path(parts["reports"]).stem[len("part-"):])
        result["reports"] = fixed
    if dup_ids:
        for dataset, part in result["parts"].items():
            if dataset != "reports":
                drop_report_rows(Path(part), dup_ids)


def _carried_holders(previous, unchanged: dict[str, str]) -> dict[str, str]:
    """The contents the carried files hold: {report_id: path} from their
    previous rows (a run leaves one readable holder per content)."""
    kept = previous[held_in(previous["source_path"], unchanged)]
    seen: dict[str, str] = {}
    for path, rid, err in sorted(zip(kept["source_path"], kept["report_id"], kept["error"]), reverse=True):
        if isinstance(rid, str) and not isinstance(err, str):
            seen[rid] = path            # the path sorting first wins
    return seen


def _as_duplicates_table(holders: dict[str, str]):
    """A carried reports part's rows with the paths in `holders` made
    duplicates of the path each maps to (Staging.carry's fix)."""
    import pyarrow as pa

    def fix(table):
        frame = as_duplicates(table.to_pandas(), holders)
        return pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    return fix


@flow(name="xxgk-run", log_prints=False, validate_parameters=False,
      task_runner=ProcessPoolTaskRunner(max_workers=os.cpu_count() or 1))
def xxgk_run(input_dir: str, out_dir: str, full: bool = False, wait: bool = False,
             batch_size: int | None = None, build_docs: bool = True, window: int = 4,
             workers: int = os.cpu_count() or 1, keep: int = KEEP_VERSIONS) -> dict:
    """batch_size None: as many files per batch as keep `workers` busy to
    the end, at most DEFAULT_BATCH, the Data Docs batch at most DOCS_BATCH
    (see flows.defaults.split_batches)."""
    from expectations.across import refresh_staged
    from expectations.validate import current_run_id, empty_validations

    log = get_run_logger()
    started = time.perf_counter()
    summary = RunSummary(input=str(input_dir), output=str(out_dir))
    stage = Counter({s: 0.0 for s in STAGES})
    warehouse = Warehouse(out_dir, keep=keep)
    with warehouse.lock(wait=wait), runs.recording(warehouse, input_dir) as run:
        t = time.perf_counter()
        entries = discover_files(input_dir)
        stage["discover"] += time.perf_counter() - t
        previous = warehouse.read("reports")
        plan = plan_run(entries, previous, PARSER_VERSION, full)
        summary.files_seen = len(entries)
        summary.new, summary.changed, summary.removed = plan.new, plan.changed, plan.removed
        summary.unchanged, summary.reparsed = plan.unchanged_count, plan.reparsed
        log.info("%d files under %s: %d new, %d changed, %d unchanged, %d removed%s",
                 len(entries), input_dir, plan.new, plan.changed, plan.unchanged_count, plan.removed,
                 f"; reparsing all: {plan.reparse_reason}" if plan.reparse_reason else "")

        staging = warehouse.begin()
        try:
            # Duplicates: of the readable files of one content, the one whose
            # path sorts first holds it, whichever run saw which first.  The
            # carried files' contents come from their previous rows, the
            # parsed files' from their batches (in path order); a carried
            # holder a parsed file takes over from is carried as its
            # duplicate, so the carry waits for the batches.  (Files whose
            # previous row was a duplicate are always parsed again: plan_run.)
            seen = _carried_holders(previous, plan.unchanged) if plan.unchanged else {}
            carried_holders = set(seen.values())
            demoted: dict[str, str] = {}        # carried holder -> its content, now held by a parsed file

            batches = split_batches(plan.to_parse, workers, batch_size, docs=build_docs)
            docs_dir = str(Path(out_dir) / "docs") if build_docs else None
            done_files = 0
            for i, result in enumerate(_bounded(batches, staging.dir, docs_dir, window), 1):
                for k, v in result["seconds"].items():
                    stage[k] += v
                summary.worker_seconds += sum(result["seconds"].values())
                summary.worker_peak_rss_mb = max(summary.worker_peak_rss_mb, result["peak_rss_mb"])
                t = time.perf_counter()
                _resolve_duplicates(result, seen, carried_holders, demoted)
                stage["write"] += time.perf_counter() - t
                done_files += len(result["reports"])
                elapsed = time.perf_counter() - started
                log.info("batch %d/%d: %d/%d files (%.0f files/s)", i, len(batches), done_files,
                         len(plan.to_parse), done_files / max(elapsed, 1e-9))
            if plan.unchanged:
                t = time.perf_counter()
                holders = {path: seen[rid] for path, rid in demoted.items()}
                carried = staging.carry("reports", set(plan.unchanged), id_column="source_path",
                                        fix_ids=set(holders), fix=_as_duplicates_table(holders))
                # a demoted holder's content is held, rows and all, by a parsed file
                carried_ids = set(plan.unchanged.values()) - set(demoted.values())
                for dataset in DATASETS[1:]:
                    staging.carry(dataset, carried_ids)
                stage["write"] += time.perf_counter() - t
                log.info("carried over %d unchanged reports%s", carried,
                         f" ({len(demoted)} now duplicates of a file sorting first)" if demoted else "")
            t = time.perf_counter()
            # prose and cross-year checks over the whole new version, replacing earlier ones
            refresh_staged(staging.dir, current_run_id(), docs_dir)
            stage["validate"] += time.perf_counter() - t
            t = time.perf_counter()
            empty = empty_frames()
            empty["validations"] = empty_validations()
            summary.version = staging.commit(empty)
            stage["write"] += time.perf_counter() - t
        except BaseException:
            staging.abort()
            raise

    # Totals come from the committed warehouse (carried + new rows): the truth.
    reports = warehouse.read("reports", columns=["status", "error_code"])
    summary.rejected_reasons = Counter(reports["error_code"].dropna()).most_common(5)
    all_validations = warehouse.read("validations", columns=["expectation", "success"])
    summary.top_failures = Counter(
        all_validations.loc[~all_validations["success"].astype(bool), "expectation"].astype(str)).most_common(5)
    summary.ok, summary.invalid, summary.rejected = (int((reports["status"] == s).sum()) for s in ("ok", "invalid", "rejected"))
    summary.stage_seconds = {k: round(v, 3) for k, v in stage.items()}
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.workers = workers
    summary.worker_seconds = round(summary.worker_seconds, 3)
    summary.worker_peak_rss_mb = round(summary.worker_peak_rss_mb, 1)
    _publish(summary)
    log.info("done: %d ok, %d invalid, %d rejected -> %s", summary.ok, summary.invalid, summary.rejected, out_dir)
    return runs.finished(run, asdict(summary))      # the runs row


def _publish(summary: RunSummary) -> None:
    rows = [
        {"measure": "files seen", "value": summary.files_seen},
        {"measure": "ok", "value": summary.ok},
        {"measure": "invalid", "value": summary.invalid},
        {"measure": "rejected", "value": summary.rejected},
        {"measure": "new / changed / unchanged / removed",
         "value": f"{summary.new} / {summary.changed} / {summary.unchanged} / {summary.removed}"},
        {"measure": "warehouse version", "value": summary.version},
        {"measure": "output", "value": summary.output},
    ] + [{"measure": f"failing: {name}", "value": n} for name, n in summary.top_failures]
    create_table_artifact(key="xxgk-run-summary", table=rows,
                          description=f"xxgk run over {summary.input}")

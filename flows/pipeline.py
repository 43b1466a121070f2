"""The xxgk Prefect flow: discover -> plan -> batches (read, extract,
build, validate, write parts) -> duplicates -> carry -> commit -> summary.

Orchestration only: each step is a plain function of ``transform`` (batch
work in transform.batch, the run's rules in transform.run, storage in
transform.warehouse), testable without Prefect.  Batches are Prefect tasks,
so they run in parallel on the task runner's workers (processes locally, a
Dask cluster with --dask), show in the UI and are retried; the flow itself
is the single writer of the warehouse and commits once.
"""
from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner

from extract.files import FileEntry, discover
from flows import tuning
from flows.dashboard import publish_dashboard
from flows.defaults import parses_in_flow, split_batches
from transform.batch import BatchResult, run_batch
from transform.frames import PARSER_VERSION
from transform.incremental import plan_run
from transform.run import Duplicates, RunSummary, empty_datasets, plan_message
from transform import runs
from transform.warehouse import KEEP_VERSIONS, Warehouse


def process_pool(workers: int) -> ProcessPoolTaskRunner:
    """Prefect's process pool, each worker prepared by flows.tuning."""
    return ProcessPoolTaskRunner(max_workers=workers, initializer=start_worker)


def start_worker() -> None:
    """A pool worker's initializer: the terminal's Ctrl-C is the run's to
    handle (it stops its workers itself, flows.interrupts), then the
    worker's imports ahead of its first batch."""
    from flows.interrupts import worker_ignores_ctrl_c

    worker_ignores_ctrl_c()
    tuning.start_worker()


@flow(name="xxgk-run", log_prints=False, validate_parameters=False,
      task_runner=process_pool(os.cpu_count() or 1))
def xxgk_run(input_dir: str, out_dir: str, full: bool = False, wait: bool = False,
             batch_size: int | None = None, build_docs: bool = True, window: int = 4,
             workers: int = os.cpu_count() or 1, keep: int = KEEP_VERSIONS) -> dict:
    """batch_size None: as many files per batch as keep `workers` busy to
    the end (see flows.defaults.split_batches)."""
    from expectations.validate import current_run_id

    log = get_run_logger()
    summary = RunSummary(input=str(input_dir), output=str(out_dir), workers=workers)
    warehouse = Warehouse(out_dir, keep=keep)
    # a runs row for every run that takes the lock (transform.runs)
    with warehouse.lock(wait=wait), runs.recording(warehouse, input_dir) as run:
        with summary.timing("discover"):
            entries = discover_files(input_dir)
        previous = warehouse.read("reports")
        plan = plan_run(entries, previous, PARSER_VERSION, full)
        summary.planned(plan, len(entries))
        log.info(plan_message(plan, input_dir, len(entries)))
        with warehouse.begin() as staging:
            duplicates = Duplicates(previous, plan.unchanged)
            in_flow = parses_in_flow(len(plan.to_parse), batch_size)
            if in_flow:
                summary.workers = 1
            batches = split_batches(plan.to_parse, summary.workers, batch_size, docs=build_docs)
            docs_dir = str(Path(out_dir) / "docs") if build_docs else None
            results = (_in_flow(batches, str(staging.dir), docs_dir) if in_flow
                       else _bounded(batches, str(staging.dir), docs_dir, window))
            for i, result in enumerate(results, 1):
                summary.add_batch(result)
                with summary.timing("write"):
                    duplicates.settle(result)
                log.info("batch %d/%d: %d/%d files (%.0f files/s)", i, len(batches), summary.files_done,
                         len(plan.to_parse), summary.files_done / max(summary.elapsed(), 1e-9))
            if plan.unchanged:
                with summary.timing("write"):
                    carried = duplicates.carry_unchanged(staging, plan.unchanged)
                log.info("carried over %d unchanged reports%s", carried, f" ({len(duplicates.demoted)} now "
                         "duplicates of a file sorting first)" if duplicates.demoted else "")
            with summary.timing("write"):
                staging.settle_primaries()      # over the whole version: the cross-year pairs need them
            with summary.timing("validate"):
                # prose and cross-year checks over the whole new version, replacing earlier ones
                across = (check_across(str(staging.dir), current_run_id(), docs_dir) if in_flow else
                          check_across.submit(str(staging.dir), current_run_id(), docs_dir).result())
                log.info("checks across documents: %d findings and agreements", across)
            with summary.timing("write"):
                staging.finish()        # the DuckDB catalog after the commit
                summary.version = staging.commit(empty_datasets())
    summary.finish(warehouse)
    _publish(summary)
    publish_dashboard(out_dir, summary.version)
    log.info("done: %d ok, %d invalid, %d rejected -> %s", summary.ok, summary.invalid, summary.rejected, out_dir)
    return runs.finished(run, summary.as_dict())      # the runs row


@task(name="discover", retries=2, retry_delay_seconds=1)
def discover_files(input_dir: str) -> list[FileEntry]:
    return discover(input_dir)


class FileBatch:
    """A batch's files as one task parameter, opaque to task runners on
    purpose.  Task runners walk lists and dataclasses looking for futures:
    Prefect visited every entry of a plain list, in the flow and again in
    the worker, and Dask takes Prefect's own ``quote()`` (a named tuple)
    for something to walk, rebuilding the entries as tuples."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[FileEntry]):
        self.entries = entries


# No cache policy: Prefect's default keys each call by hashing its inputs,
# which pickled the batch's thousands of file entries a second time in the
# worker for a cache this flow never reads (results are Parquet parts).
@task(name="process-batch", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def process_batch(batch: FileBatch, staging_dir: str, tag: str, docs_dir: str | None = None) -> BatchResult:
    """One batch (transform.batch.run_batch) on a worker; the flow asks its
    first batch only to build the Data Docs (built once a run)."""
    tuning.prepare_validation()
    with tuning.batch_collection():
        return run_batch(batch.entries, staging_dir, tag, docs_dir)


@task(name="check-across-documents", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def check_across(staging_dir: str, run_id: str, docs_dir: str | None) -> int:
    """The expectations across documents over the whole staged version
    (expectations.across.refresh_staged), on a worker like a batch: a
    worker has GX loaded already, the flow's process would import it for
    this alone."""
    from expectations.across import refresh_staged

    tuning.prepare_validation()
    return refresh_staged(staging_dir, run_id, docs_dir)


def _in_flow(batches: list[list], staging_dir: str, docs_dir: str | None):
    """Batch results of a small run, each batch a task run in the flow's
    own process (a task called rather than submitted): visible and retried
    like the others, without starting a worker."""
    for i, batch in enumerate(batches):
        yield process_batch(FileBatch(batch), staging_dir, f"b{i:06d}", docs_dir if i == 0 else None)


def _bounded(batches: list[list], staging_dir: str, docs_dir: str | None, window: int):
    """Batch results in submission order, with at most `window` batches in
    flight, so memory stays flat however large the corpus.  Submission order
    makes duplicate resolution the same on every run."""
    pending = deque()
    for i, batch in enumerate(batches):
        pending.append(process_batch.submit(FileBatch(batch), staging_dir, f"b{i:06d}",
                                            docs_dir if i == 0 else None))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


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

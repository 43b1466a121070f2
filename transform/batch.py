"""One batch of files: parse, build frames, validate, set each report's
status, write the batch's part files.  Plain functions: the flow runs
``run_batch`` inside a Prefect task, tests call it directly.

Each step is a module-level function on purpose: the crash tests replace one
of them (``parse_files``, ``validate_frames``, ``write_part``) with a wrapper
that kills the process after it, without the production path knowing.
"""
from __future__ import annotations

import resource
import threading
import time
from dataclasses import dataclass, field

import pandas as pd

from extract.files import FileEntry, parse_files
from transform.frames import build_frames
from transform.warehouse import DATASETS, write_part

_VALIDATORS: dict = {}
_VALIDATORS_LOCK = threading.Lock()


@dataclass
class BatchResult:
    """What a batch hands back to the flow: its reports rows (for the
    duplicate check and the summary) and where its parts are; the other
    datasets' rows stay in the part files."""
    tag: str
    reports: pd.DataFrame
    parts: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


def shared_validator(docs_dir: str | None = None):
    """One GX context per process, built on first use (building it costs
    more than a small batch); rebuilt once with a Data Docs site when the
    batch that builds the run's docs asks for one."""
    from expectations.validate import Validator

    with _VALIDATORS_LOCK:
        current = _VALIDATORS.get("v")
        if current is None or (docs_dir and current.docs_dir is None):
            _VALIDATORS["v"] = current = Validator(docs_dir=docs_dir)
        return current


def validate_frames(frames: dict[str, pd.DataFrame], docs_dir: str | None) -> pd.DataFrame:
    """The validations rows of a batch's frames; with docs_dir, the run's
    Data Docs are built from them too."""
    validator = shared_validator(docs_dir)
    validations = validator.validate(frames, for_docs=docs_dir is not None)
    if docs_dir:
        validator.build_docs()
    return validations


def set_status(frames: dict[str, pd.DataFrame], validations: pd.DataFrame) -> None:
    """ok / invalid / rejected on the reports rows, and the validations
    dataset beside the others."""
    from expectations.validate import statuses

    frames["reports"]["status"] = statuses(frames["reports"], validations)
    frames["validations"] = validations


def run_batch(entries: list[FileEntry], staging_dir: str, tag: str, docs_dir: str | None = None) -> BatchResult:
    """Read, decode, extract, build, validate and write one batch of files
    into the run's staging version (nothing is visible until the run
    commits).  With docs_dir the batch's results feed the run's Data Docs."""
    t0 = time.perf_counter()
    frames, read_seconds = _parse_and_build(entries)
    t1 = time.perf_counter()
    validations = validate_frames(frames, docs_dir)
    set_status(frames, validations)
    t2 = time.perf_counter()
    parts = {d: write_part(staging_dir, d, frames[d], tag) for d in DATASETS}
    t3 = time.perf_counter()
    seconds = {"read+extract": read_seconds, "transform": t1 - t0 - read_seconds, "validate": t2 - t1,
               "write": t3 - t2}
    return BatchResult(tag=tag, reports=frames["reports"], parts={d: str(p) for d, p in parts.items() if p},
                       seconds=seconds, peak_rss_mb=peak_rss_mb())


def _parse_and_build(entries: list[FileEntry]) -> tuple[dict[str, pd.DataFrame], float]:
    """The batch's frames.  The parsed reports are locals of this function
    only, so they are freed by reference counting when it returns: GX's
    validation leaves reference cycles (caught pydantic errors holding
    their tracebacks) that reach the frames alive while it runs, and a
    parsed batch kept alive by them would wait for a full collection."""
    t = time.perf_counter()
    parsed = parse_files(entries)
    read = time.perf_counter() - t
    return build_frames(parsed), read


def peak_rss_mb() -> float:
    """This process's peak resident memory so far.  Workers report it with
    each batch: the CLI's view of its children's peak misses processes that
    are not its direct children (Dask's, for one)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

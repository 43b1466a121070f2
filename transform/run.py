"""A run's rules outside any orchestrator: which copy of a content holds
it (duplicates), what carries over from the previous version, and the
run's summary.  The flow calls these between its batches; tests call them
without Prefect."""
from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from transform.batch import BatchResult
from transform.frames import as_duplicates, held_in, mark_seen_duplicates
from transform.incremental import Plan
from transform.warehouse import DATASETS, Staging, Warehouse, drop_report_rows, replace_part

# Data Docs are built inside the first batch; their time is in "validate".
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
    # start-up of the flow and of the workers, Prefect's cost per task, and
    # workers waiting at the end for the last batch.
    workers: int = 0
    worker_seconds: float = 0.0
    # The largest peak resident memory of a process that ran batches.
    worker_peak_rss_mb: float = 0.0
    files_done: int = 0

    def __post_init__(self):
        self._started = time.perf_counter()
        self._stages = Counter({s: 0.0 for s in STAGES})

    @contextlib.contextmanager
    def timing(self, stage: str):
        """Time the block into `stage` (the flow's own stages)."""
        t = time.perf_counter()
        try:
            yield
        finally:
            self._stages[stage] += time.perf_counter() - t

    def planned(self, plan: Plan, files_seen: int) -> None:
        self.files_seen = files_seen
        self.new, self.changed, self.removed = plan.new, plan.changed, plan.removed
        self.unchanged, self.reparsed = plan.unchanged_count, plan.reparsed

    def add_batch(self, result: BatchResult) -> None:
        for stage, seconds in result.seconds.items():
            self._stages[stage] += seconds
        self.worker_seconds += sum(result.seconds.values())
        self.worker_peak_rss_mb = max(self.worker_peak_rss_mb, result.peak_rss_mb)
        self.files_done += len(result.reports)

    def elapsed(self) -> float:
        return time.perf_counter() - self._started

    def finish(self, warehouse: Warehouse) -> None:
        """Totals from the committed warehouse (carried and new rows: the
        truth), and the clocks."""
        reports = warehouse.read("reports", columns=["status", "error_code"])
        self.rejected_reasons = Counter(reports["error_code"].dropna()).most_common(5)
        validations = warehouse.read("validations", columns=["expectation", "success"])
        self.top_failures = Counter(
            validations.loc[~validations["success"].astype(bool), "expectation"].astype(str)).most_common(5)
        self.ok, self.invalid, self.rejected = (int((reports["status"] == s).sum()) for s in ("ok", "invalid", "rejected"))
        self.stage_seconds = {k: round(v, 3) for k, v in self._stages.items()}
        self.seconds = round(self.elapsed(), 3)
        self.worker_seconds = round(self.worker_seconds, 3)
        self.worker_peak_rss_mb = round(self.worker_peak_rss_mb, 1)

    def as_dict(self) -> dict:
        """The summary's fields (what `--summary-json` writes)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "files_done"}


def plan_message(plan: Plan, input_dir: str, files_seen: int) -> str:
    return (f"{files_seen} files under {input_dir}: {plan.new} new, {plan.changed} changed, "
            f"{plan.unchanged_count} unchanged, {plan.removed} removed"
            + (f"; reparsing all: {plan.reparse_reason}" if plan.reparse_reason else ""))


class Duplicates:
    """Of the readable files of one content, the one whose path sorts first
    holds it, whichever run saw which first.  The carried files' contents
    come from their previous rows, the parsed files' from their batches (in
    path order); a carried holder a parsed file takes over from is carried
    as its duplicate, so the carry waits for the batches.  (Files whose
    previous row was a duplicate are always parsed again: plan_run.)"""

    def __init__(self, previous: pd.DataFrame | None, unchanged: dict[str, str]):
        self.seen = _carried_holders(previous, unchanged) if unchanged else {}
        self.carried = set(self.seen.values())
        self.demoted: dict[str, str] = {}       # carried holder -> its content, now held by a parsed file

    def settle(self, result: BatchResult) -> None:
        """Settle a batch's duplicates against the carried files and the
        batches before it (see mark_seen_duplicates): reports rows rejected
        as duplicates lose their rows from the batch's other parts."""
        fixed, dup_ids, lost = mark_seen_duplicates(result.reports, self.seen, self.carried)
        self.demoted.update(lost)
        if fixed is not result.reports:
            replace_part(result.parts["reports"], fixed)
            result.reports = fixed
        if dup_ids:
            for dataset, part in result.parts.items():
                if dataset != "reports":
                    drop_report_rows(part, dup_ids)

    def carry_unchanged(self, staging: Staging, unchanged: dict[str, str]) -> int:
        """Carry the unchanged files' rows into the staging version; a
        demoted holder's reports row becomes a duplicate of the parsed file
        now holding its content, which holds its other rows too."""
        holders = {path: self.seen[rid] for path, rid in self.demoted.items()}
        carried = staging.carry("reports", set(unchanged), id_column="source_path",
                                fix_ids=set(holders), fix=_as_duplicates_table(holders))
        carried_ids = set(unchanged.values()) - set(self.demoted.values())
        for dataset in DATASETS[1:]:
            staging.carry(dataset, carried_ids)
        return carried


def _carried_holders(previous: pd.DataFrame, unchanged: dict[str, str]) -> dict[str, str]:
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


def empty_datasets() -> dict[str, pd.DataFrame]:
    """Zero-row frames of every dataset, validations included: what an empty
    dataset of a committed version holds."""
    from expectations.validate import empty_validations
    from transform.frames import empty_frames

    empty = empty_frames()
    empty["validations"] = empty_validations()
    return empty

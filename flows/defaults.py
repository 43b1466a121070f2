"""Defaults shared by the command line and the flow, in a module light
enough for the CLI to import before it starts anything."""
import math

# Files per batch task, at most: big enough to amortise each GX run (its
# suites cost the same CPU a batch whatever the batch's size), small enough
# that a batch's frames stay well under a few hundred MB.
DEFAULT_BATCH = 5000
# The batch whose validation feeds the run's GX Data Docs is at most this
# large: naming every failing row for the docs costs CPU per report.
DOCS_BATCH = 1000
# What building the Data Docs adds to the docs batch, in reports' worth of
# work, measured (docs/performance.md): GX naming every failing row,
# storing the results, rendering the site and compiling its templates
# cost about as much as the batch's own 1,000 reports.
DOCS_EXTRA = 1000
# A run parsing this many files or fewer does its batches in the flow's own
# process: starting worker processes (each imports Prefect and GX) would
# cost more than they save.
SMALL_RUN = 2500


def parses_in_flow(files: int, batch_size: int | None = None) -> bool:
    """Whether a run parsing `files` files does its batches in the flow's
    process rather than on the task runner's workers: when they fit in one
    batch of `batch_size`, or of SMALL_RUN files without one.  The flow
    decides from its plan, so an incremental night with a few changed files
    starts no worker, whatever task runner it was given."""
    return files <= (batch_size or SMALL_RUN)


def batch_size_for(files: int, workers: int, largest: int = DEFAULT_BATCH) -> int:
    """Files per batch for a run parsing `files` files on `workers` workers:
    batches as large as allowed, in a count that keeps every worker busy to
    the end (12,000 files on two workers: four batches of 3,000, not
    5,000 + 5,000 + 2,000 with one worker idle for the last)."""
    workers = max(1, workers)
    if files <= 0:
        return 1
    rounds = math.ceil(files / (workers * largest))
    return math.ceil(files / (rounds * workers))


def split_batches(files: list, workers: int, batch_size: int | None = None, docs: bool = False) -> list[list]:
    """The run's files in batches, in order.  An explicit batch_size is
    kept as given; otherwise batches are sized by batch_size_for.

    When the run builds Data Docs, its first batch (the docs batch) is at
    most DOCS_BATCH files, and the first round pairs it with one batch per
    other worker as long as the docs batch takes (DOCS_BATCH + DOCS_EXTRA
    files), so that every worker finishes the round together; the rest is
    sized for the workers as usual.  Sized like the others, the docs
    batch's worker fell a batch behind and the last batch ran alone, the
    other workers idle."""
    if batch_size:
        return _chunks(files, batch_size)
    if not (docs and len(files) > DOCS_BATCH):
        return _chunks(files, batch_size_for(len(files), workers))
    first_round = [files[:DOCS_BATCH]]
    partner = DOCS_BATCH + DOCS_EXTRA
    start = DOCS_BATCH
    for _ in range(max(1, workers) - 1):
        if start >= len(files):
            break
        first_round.append(files[start:start + partner])
        start += partner
    rest = files[start:]
    return first_round + _chunks(rest, batch_size_for(len(rest), workers))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def workers_busy(summary: dict) -> float:
    """The share of the workers' time in the flow spent on batches (from a
    run summary's figures)."""
    return summary["worker_seconds"] / max(summary["workers"] * summary["seconds"], 1e-9)

"""Defaults shared by the command line and the flow, in a module light
enough for the CLI to import before it starts anything."""
import math

# Files per batch task, at most: big enough to amortise each GX run (its
# suites cost ~0.5 s of CPU a batch whatever the batch's size), small enough
# that a batch's frames stay well under a few hundred MB.
DEFAULT_BATCH = 5000
# The batch whose validation feeds the run's GX Data Docs is at most this
# large: naming every failing row for the docs costs ~1 ms of CPU a report.
DOCS_BATCH = 1000
# A run of this many files or fewer is one batch in the CLI's own process:
# starting worker processes (each imports Prefect and GX) would cost more.
SMALL_RUN = 2500


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
    kept as given; otherwise batches are sized by batch_size_for, and when
    the run builds Data Docs its first batch (the docs batch) is at most
    DOCS_BATCH files, the rest sized for the workers on their own."""
    if batch_size:
        return _chunks(files, batch_size)
    head = files[:DOCS_BATCH] if docs and len(files) > DOCS_BATCH else []
    rest = files[len(head):]
    return ([head] if head else []) + _chunks(rest, batch_size_for(len(rest), workers))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]

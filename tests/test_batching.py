"""How a run's files are cut into batch tasks (flows.defaults)."""
import pytest

from flows.defaults import DEFAULT_BATCH, batch_size_for


@pytest.mark.parametrize("files,workers,size", [
    (20_000, 2, 5_000),      # four batches: two rounds of both workers
    (12_000, 2, 3_000),      # four of 3,000, not 5,000 + 5,000 + 2,000
    (6_000, 2, 3_000),       # one batch per worker
    (100_000, 2, 5_000),
    (2_501, 2, 1_251),
    (7, 4, 2),
    (1, 2, 1),
    (0, 2, 1),
])
def test_batches_keep_every_worker_busy(files, workers, size):
    assert batch_size_for(files, workers) == size


@pytest.mark.parametrize("files", [1, 999, 5_001, 12_345, 99_999, 100_000])
@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_no_more_rounds_than_needed(files, workers):
    size = batch_size_for(files, workers)
    batches = -(-files // size)
    rounds = -(-files // (workers * DEFAULT_BATCH))      # the fewest rounds of full-size batches
    assert size <= DEFAULT_BATCH
    assert batches <= rounds * workers
    # the last batch is not a small leftover that keeps one worker busy alone
    assert batches == 1 or files - (batches - 1) * size >= size - rounds * workers


def test_docs_batch_is_small_and_the_rest_keeps_workers_busy():
    from flows.defaults import DOCS_BATCH, DOCS_EXTRA, split_batches

    files = list(range(20_000))
    batches = split_batches(files, workers=2, docs=True)
    # the docs batch's partner is as long as it (docs cost DOCS_EXTRA
    # reports' work), then two rounds of equal batches
    assert (DOCS_BATCH, DOCS_EXTRA) == (1_000, 1_000)
    assert [len(b) for b in batches] == [1_000, 2_000, 4_250, 4_250, 4_250, 4_250]
    assert [f for b in batches for f in b] == files              # every file once, in order
    # four workers: a partner for each of the three others
    assert [len(b) for b in split_batches(files, workers=4, docs=True)] == [1_000] + [2_000] * 3 + [3_250] * 4
    # one worker: nothing to pair
    assert [len(b) for b in split_batches(files, workers=1, docs=True)] == [1_000] + [4_750] * 4
    # fewer files than a full first round: the partner takes what is left
    assert [len(b) for b in split_batches(files[:2_600], workers=2, docs=True)] == [1_000, 1_600]
    assert [len(b) for b in split_batches(files[:5_000], workers=2, docs=True)] == [1_000, 2_000, 1_000, 1_000]
    assert [len(b) for b in split_batches(files, workers=2)] == [5_000] * 4
    assert [len(b) for b in split_batches(files[:800], workers=2, docs=True)] == [400, 400]
    assert [len(b) for b in split_batches(files[:25], workers=2, batch_size=10, docs=True)] == [10, 10, 5]
    assert split_batches([], workers=2, docs=True) == []

"""The garbage-collector policy of a batch (flows.collector)."""
import gc
import threading
import weakref

from flows.collector import deferred_full_collections


class _Node:
    pass


def test_full_collections_deferred_during_a_batch_and_restored_after():
    before = gc.get_threshold()
    with deferred_full_collections():
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2]
        assert full > 1_000_000
    assert gc.get_threshold() == before


def test_cycles_a_batch_leaves_are_collected_at_its_end():
    with deferred_full_collections():
        node = _Node()
        node.self = node            # a cycle: reference counting cannot free it
        alive = weakref.ref(node)
        del node
        gc.disable()                # no young collection may free it early
    try:
        assert alive() is None      # the collection at the batch's end did
    finally:
        gc.enable()


def test_batches_in_threads_restore_the_threshold_once_the_last_ends():
    before = gc.get_threshold()
    first_in, release = threading.Event(), threading.Event()

    def batch():
        with deferred_full_collections():
            first_in.set()
            release.wait(10)

    thread = threading.Thread(target=batch)
    thread.start()
    first_in.wait(10)
    with deferred_full_collections():
        pass                        # ends while the other batch still runs
    assert gc.get_threshold()[2] > 1_000_000
    release.set()
    thread.join(10)
    assert gc.get_threshold() == before


def test_a_batch_frees_its_parsed_reports_without_the_collector(tmp_path):
    """GX leaves reference cycles whose tracebacks reach the batch's frame:
    the parsed reports must not be a local of that frame while it validates,
    or they live on as cyclic garbage until the batch's final collection."""
    from extract.files import ParsedReport, discover
    from flows.pipeline import FileBatch, _process_batch
    from synth.writer import write_corpus
    from transform.warehouse import DATASETS

    write_corpus(tmp_path / "corpus", 12, seed=3)
    staging = tmp_path / "staging"
    for dataset in DATASETS:
        (staging / dataset).mkdir(parents=True)
    entries = discover(str(tmp_path / "corpus" / "reports"))
    # GX leaves such cycles from the second validation in a process on
    left_after = []
    for tag in ("first", "second"):
        gc.collect()
        gc.disable()
        try:
            result = _process_batch(FileBatch(entries), str(staging), tag, None)
            left_after.append(sum(isinstance(o, ParsedReport) for o in gc.get_objects()))
        finally:
            gc.enable()
        assert len(result["reports"]) == 12
    assert left_after == [0, 0]

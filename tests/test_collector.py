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

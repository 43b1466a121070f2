"""When the cyclic garbage collector runs, in the processes of a run.  Light
enough for the CLI and the server process to import before anything heavy.

Start-up: paused while Prefect, pandas and GX are imported, the imported
objects frozen after.  Batches: full collections deferred to the batch's
end."""
import contextlib
import gc
import threading


def pause_gc_for_imports() -> None:
    """Pause the cyclic garbage collector while a process imports Prefect,
    pandas and GX: the imports create millions of objects and almost no
    garbage, yet the collector scanned them again and again (importing them
    took 13 % longer with it on, measured by alternating runs).  Call
    imports_done() after."""
    gc.disable()


def imports_done() -> None:
    """Resume the collector, with everything imported so far frozen out of
    its passes (it lives as long as the process)."""
    gc.enable()
    gc.freeze()


# Above any count a batch reaches: no automatic full collection.
_NO_FULL_COLLECTIONS = 1 << 30
_batches_lock = threading.Lock()
_batches_running = 0
_threshold_before: tuple[int, int, int] | None = None


@contextlib.contextmanager
def deferred_full_collections():
    """Run a batch without automatic full (oldest-generation) collections,
    then collect once at its end.

    A batch allocates millions of objects that live until it ends.  With
    the start-up objects frozen, the collector's rule for a full pass (new
    survivors above a quarter of the old ones) held again and again, and
    each pass scanned everything the batch had built so far: 0.2-0.35 s of
    a 5,000-report batch, growing batch after batch.  Deferred, collecting
    takes 0.07-0.12 s a batch; the collection at the end frees whatever
    cycles the batch left, so nothing accumulates across batches.  The
    young generations are collected as usual.  Batches running in threads
    of one process share the setting: the last to end restores it."""
    global _batches_running, _threshold_before
    with _batches_lock:
        if _batches_running == 0:
            _threshold_before = gc.get_threshold()
            gc.set_threshold(_threshold_before[0], _threshold_before[1], _NO_FULL_COLLECTIONS)
        _batches_running += 1
    try:
        yield
    finally:
        with _batches_lock:
            _batches_running -= 1
            last = _batches_running == 0
            if last:
                gc.set_threshold(*_threshold_before)
        if last:
            gc.collect()

"""Process start-up helpers, light enough for the CLI and the server process
to import before anything heavy."""
import gc


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

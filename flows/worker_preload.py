"""What a run's worker processes import, imported once by the forkserver
they are forked from (see flows.pipeline._forked_from_preloaded_server).

Imported with the cyclic collector paused and everything frozen after
(flows.collector), as a worker's own imports were: the frozen objects are
also left alone by the collector in every forked worker, so its passes do
not copy the shared pages."""
from flows.collector import imports_done, pause_gc_for_imports

pause_gc_for_imports()
try:
    import flows.pipeline  # noqa: F401  Prefect, pandas, pyarrow, extract, transform
    from expectations.gx_import import import_great_expectations

    import_great_expectations()
    import expectations.custom  # noqa: F401
    import expectations.validate  # noqa: F401
    from flows.pipeline import load_installed_collections

    load_installed_collections()
finally:
    imports_done()

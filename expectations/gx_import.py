"""Import Great Expectations without loading what xxgk's suites never use.

Importing GX imports every core expectation, and one of them
(``expect_column_kl_divergence_to_be_less_than``) imports ``scipy.stats`` and
``altair`` at module level: 2.2 s of the ~5 s GX takes to import on this
machine, paid by the CLI and again by every worker process, for an
expectation no suite here uses.  While GX is imported, those two modules are
imported lazily (the standard library's ``importlib.util.LazyLoader``): the
module objects exist, and run their code on first attribute access, so an
expectation that does use them still works, only later.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading

DEFERRED = frozenset({"scipy.stats", "altair"})
_LOCK = threading.Lock()


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the deferred modules through the other finders and wraps their
    loader in a LazyLoader; every other import is left to the other finders."""

    def __init__(self, names: frozenset[str]):
        self.names = names

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def import_great_expectations():
    """The ``great_expectations`` module, imported once per process with
    DEFERRED loaded lazily."""
    with _LOCK:
        module = sys.modules.get("great_expectations")
        if module is not None:
            return module
        finder = _DeferringFinder(DEFERRED)
        sys.meta_path.insert(0, finder)
        try:
            import great_expectations
        finally:
            sys.meta_path.remove(finder)
        return great_expectations

"""Every process, garbage-collector, import and third-party tweak of xxgk,
in one place.

Nothing else in the project changes how Python, Prefect or Great
Expectations behave: ``extract/``, ``transform/`` and ``expectations/`` are
written against the libraries as documented, and run the same with or
without this module.  What a tweak buys, how it was measured and when to
remove it is written beside it and in docs/performance.md (the register).

Each tweak is gated on the exact version it was written and measured
against (the library's version, or the Python minor version for an
interpreter tweak).  On any other version it is off, with one warning
naming it: the tweak may be wrong there, and the code runs without it.

Switches (environment):

* ``XXGK_NO_TUNING=1``: every tweak off (the run must give the same
  datasets; tests/test_tuning.py checks that).
* ``XXGK_TUNING_OFF=name,name``: those tweaks off, to measure what one
  buys (see docs/performance.md for the method).

Light on purpose: the CLI and the Prefect server process import it before
anything heavy.
"""
from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.abc
import importlib.util
import os
import sys
import threading
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class Tweak:
    name: str
    package: str        # a distribution's name, or "python" (CPython minor version)
    version: str        # the exact version it was measured on
    buys: str


TWEAKS = {t.name: t for t in (
    Tweak("gc-imports", "python", "3.11",
          "the cyclic collector paused while a process imports Prefect, pandas and GX, and what they "
          "built frozen out of later passes"),
    Tweak("gc-batches", "python", "3.11",
          "no automatic collection while a batch runs, one full collection at its end, and what "
          "survives a process's first batch frozen out of later passes"),
    Tweak("gx-lazy-imports", "great-expectations", "1.24.1",
          "scipy.stats and altair imported lazily while GX is imported"),
    Tweak("server-ephemeral", "prefect", "3.8.8",
          "the temporary Prefect server runs as Prefect's own ephemeral server does"),
    Tweak("prefect-sigterm", "prefect", "3.8.8",
          "a SIGTERM during the flow reaches xxgk's interrupt guard before Prefect's handler, so the "
          "terminal switches to the log file and the workers stop at once"),
)}

_warned: set[str] = set()
_versions: dict[str, str | None] = {}


def _installed(package: str) -> str | None:
    if package == "python":
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    if package not in _versions:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _versions[package] = version(package)
        except PackageNotFoundError:
            _versions[package] = None
    return _versions[package]


def enabled(name: str) -> bool:
    """Whether a tweak applies in this process: not switched off, and the
    version it was measured on is the one installed (otherwise it is off,
    with one warning)."""
    tweak = TWEAKS[name]
    if os.environ.get("XXGK_NO_TUNING", "") not in ("", "0"):
        return False
    if name in {n.strip() for n in os.environ.get("XXGK_TUNING_OFF", "").split(",")}:
        return False
    installed = _installed(tweak.package)
    if installed != tweak.version:
        if name not in _warned:
            _warned.add(name)
            warnings.warn(f"xxgk: tuning {name!r} is off: measured on {tweak.package} {tweak.version}, "
                          f"found {installed}", RuntimeWarning, stacklevel=2)
        return False
    return True


# ---------------------------------------------------------------- gc-imports
# Importing Prefect, pandas and GX creates millions of long-lived objects
# and almost no garbage, yet the collector scanned them again and again.
# The frozen objects are left out of every later pass, including those
# during batches.  Remove when CPython's collector stops rescanning old objects
# (the incremental collector of 3.13 was meant to; measure again there).

def pause_gc_for_imports() -> None:
    """Pause the cyclic collector while this process imports; resume with
    imports_done()."""
    if enabled("gc-imports"):
        gc.disable()


def imports_done() -> None:
    """Resume the collector, with everything imported so far frozen out of
    its passes (it lives as long as the process)."""
    if enabled("gc-imports"):
        gc.enable()
        gc.freeze()


# ---------------------------------------------------------------- gc-batches
# A batch builds hundreds of thousands of objects that live until its frames
# are written (the parsed reports, then the frames), and makes little cyclic
# garbage.  The collector's generation-2 passes, triggered again each time
# the batch's live objects grow by a quarter, rescanned all of them: about
# an eighth of a worker's CPU time on 5,000-report batches (measured in one
# process, default collector against this tweak; docs/performance.md,
# register).  One full pass at the end of a batch frees what cycles it made;
# the process's long-lived objects (GX's context, the suites, the imports)
# are frozen after the first batch, so end-of-batch passes skip them.
# Remove when CPython's collector stops rescanning old objects (measure
# again on 3.13's incremental collector).

_batches_done = 0
_batches_lock = threading.Lock()


@contextlib.contextmanager
def batch_collection():
    """Around one batch: the collector paused, one pass at the end."""
    if not enabled("gc-batches"):
        yield
        return
    global _batches_done
    with _batches_lock:
        gc.disable()
    try:
        yield
    finally:
        with _batches_lock:
            gc.enable()
            gc.collect()
            _batches_done += 1
            if _batches_done == 1:
                gc.freeze()


# ------------------------------------------------------------ gx-lazy-imports
# Importing GX imports every core expectation, and one of them
# (expect_column_kl_divergence_to_be_less_than) imports scipy.stats and
# altair at module level: a large part of GX's import, paid by every process
# that validates, for an expectation no suite here uses.  While GX is
# imported those two are loaded lazily (importlib.util.LazyLoader): the
# modules exist and run their code on first attribute access.  Remove when
# GX imports them inside the expectation that needs them.

_LAZY_MODULES = frozenset({"scipy.stats", "altair"})


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the deferred modules through the other finders and wraps
    their loader in a LazyLoader; every other import is left alone."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _LAZY_MODULES:
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


def _import_great_expectations() -> None:
    if "great_expectations" in sys.modules or not enabled("gx-lazy-imports"):
        import great_expectations  # noqa: F401
        return
    finder = _DeferringFinder()
    sys.meta_path.insert(0, finder)
    try:
        import great_expectations  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


_gx_lock = threading.Lock()
_gx_ready = False


def prepare_validation() -> None:
    """Import GX, with the collector paused (gc-imports) and scipy.stats
    and altair deferred (gx-lazy-imports), once per process, before its
    first validation: a task runner's worker when it starts, the CLI's own
    process before its first batch."""
    global _gx_ready
    with _gx_lock:
        if _gx_ready:
            return
        pause_gc_for_imports()
        try:
            _import_great_expectations()
            importlib.import_module("expectations.validate")
        finally:
            imports_done()
        _gx_ready = True


def start_worker() -> None:
    """A process-pool worker's initializer (Prefect's public `initializer`
    argument): its imports, before its first batch."""
    prepare_validation()


# --------------------------------------------------------- server-ephemeral
# The temporary server is started as Prefect's own SubprocessASGIServer
# starts one (uvicorn on Prefect's app factory), without importing
# prefect.server in the CLI.  Prefect tells such a server that it is
# ephemeral and the last in its process through two private environment
# variables; ephemeral, it runs only the services an ephemeral server
# needs.  Remove if Prefect gives these a public setting, or use
# SubprocessASGIServer if importing the server stops costing seconds.

def temporary_server_env() -> dict[str, str]:
    """The private settings Prefect gives its own temporary server."""
    if not enabled("server-ephemeral"):
        return {}
    return {"PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


# ------------------------------------------------------------- prefect-sigterm
# Prefect's flow engine installs its own SIGTERM handler while a flow runs
# (prefect.utilities.engine._prefect_sigterm_handler, looked up by name at
# each use) and it raises TerminationSignal.  Not a speed tweak: without it
# the run still ends cleanly on SIGTERM, but only once Prefect has unwound
# the flow, with its crash report on the terminal.  Remove when Prefect
# offers a public hook for signals during a flow.

def wrap_prefect_sigterm_handler(first) -> None:
    """Have Prefect's SIGTERM handler call first(signum) before its own
    work.  Idempotent."""
    if not enabled("prefect-sigterm"):
        return
    try:
        import prefect.utilities.engine as engine
    except ImportError:
        return
    original = getattr(engine, "_prefect_sigterm_handler", None)
    if original is None or getattr(original, "xxgk_wrapped", False):
        return

    def handler(signum, *args):
        first(signum)
        return original(signum, *args)

    handler.xxgk_wrapped = True
    engine._prefect_sigterm_handler = handler

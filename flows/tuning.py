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
          "no automatic full collection inside a batch, one collection at its end"),
    Tweak("prewarm", "prefect", "3.8.8",
          "the CLI imports the flow engine (and GX, for a run in its own process) while the Prefect "
          "server starts"),
    Tweak("gx-lazy-imports", "great-expectations", "1.24.1",
          "scipy.stats and altair imported lazily while GX is imported"),
    Tweak("gx-no-fingerprints", "great-expectations", "1.24.1",
          "GX does not hash every batch's frame for a batch marker nobody reads"),
    Tweak("gx-configuration-memo", "great-expectations", "1.24.1",
          "Expectation.configuration built once per expectation and batch instead of ~140 times"),
    Tweak("server-ephemeral", "prefect", "3.8.8",
          "the temporary Prefect server runs as Prefect's own ephemeral server does"),
    Tweak("fast-exit", "python", "3.11",
          "the CLI exits without tearing down the interpreter's heap"),
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
# The frozen objects are left out of every later pass, including the passes of
# batches.  Remove when CPython's collector stops rescanning old objects
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
# A batch allocates millions of objects that live until it ends.  The rule
# for a full pass (new survivors above a quarter of the old ones) held again
# and again, and each pass scanned everything the batch had built so far.
# Deferred, one collection at the batch's end frees whatever cycles it left,
# so nothing accumulates across batches; young generations are collected as
# usual.  What survives a process's first batch (its GX context, parse
# caches) is frozen: it lives as long as the process.  Remove with
# gc-imports (3.13's incremental collector).

_NO_FULL_COLLECTIONS = 1 << 30      # above any count a batch reaches
_batches_lock = threading.Lock()
_batches_running = 0
_threshold_before: tuple[int, int, int] | None = None
_frozen_after_first_batch = False


@contextlib.contextmanager
def _deferred_full_collections():
    global _batches_running, _threshold_before, _frozen_after_first_batch
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
            if not _frozen_after_first_batch:
                _frozen_after_first_batch = True
                gc.freeze()


# -------------------------------------------------------- gx-configuration-memo
# In GX 1.24 ``Expectation.configuration`` is a property that rebuilds an
# ExpectationConfiguration from the pydantic model every time it is read,
# and validating one expectation reads it ~140 times.  Inside a batch the
# property returns what the object built on its first read.  Safe because GX
# does not change an expectation object while it validates (it deep-copies
# a configuration before adding to it); the memo holds the objects it
# answered for, so no other object can take their id, and is emptied when
# the batch ends.  Other threads get GX's own property.  Remove when GX
# caches the configuration itself or stops rebuilding it per read.

_memo = threading.local()
_original_configuration = None


def _memoised_configuration(self):
    memo = getattr(_memo, "configurations", None)
    if memo is None:                    # outside a batch, or another thread
        return _original_configuration.fget(self)
    hit = memo.get(id(self))
    if hit is None:
        hit = memo[id(self)] = (self, _original_configuration.fget(self))
    return hit[1]


def _install_configuration_memo() -> None:
    global _original_configuration
    from great_expectations.expectations.expectation import Expectation

    if _original_configuration is None:
        _original_configuration = Expectation.__dict__["configuration"]
        Expectation.configuration = property(_memoised_configuration, doc=_original_configuration.__doc__)


@contextlib.contextmanager
def _configuration_memo_scope():
    outer = getattr(_memo, "configurations", None)
    if outer is None:
        _memo.configurations = {}
    try:
        yield
    finally:
        if outer is None:
            _memo.configurations = None


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


# --------------------------------------------------------- gx-no-fingerprints
# For a pandas batch GX hashes the whole frame (hash_pandas_object, then
# md5, twice per view) only to store the digest as a "batch marker" in the
# result's metadata, which xxgk never reads.  GX skips it for frames of
# HASH_THRESHOLD bytes or more; 0 skips it for every frame.  Results are
# otherwise the same.  Remove when GX makes the marker optional.

def _skip_batch_fingerprints() -> None:
    from great_expectations.execution_engine import pandas_execution_engine as engine

    if hasattr(engine, "HASH_THRESHOLD"):
        engine.HASH_THRESHOLD = 0


_gx_lock = threading.Lock()
_gx_ready = False


def prepare_validation() -> None:
    """Import GX (gx-lazy-imports) and apply the GX tweaks, once per
    process, before its first validation."""
    global _gx_ready
    with _gx_lock:
        if _gx_ready:
            return
        _import_great_expectations()
        if enabled("gx-no-fingerprints"):
            _skip_batch_fingerprints()
        if enabled("gx-configuration-memo"):
            _install_configuration_memo()
        _gx_ready = True


@contextlib.contextmanager
def batch():
    """Around each batch a process runs: its collector policy and its
    memos (each applies only if enabled)."""
    prepare_validation()
    with contextlib.ExitStack() as stack:
        if enabled("gc-batches"):
            stack.enter_context(_deferred_full_collections())
        if enabled("gx-configuration-memo"):
            stack.enter_context(_configuration_memo_scope())
        yield


def start_worker() -> None:
    """A task runner's worker process, before its first batch: its imports
    with the collector paused (gc-imports), GX with its tweaks."""
    pause_gc_for_imports()
    try:
        prepare_validation()
        importlib.import_module("expectations.validate")
    finally:
        imports_done()


# ------------------------------------------------------------------ prewarm
# The CLI waits several seconds for its temporary Prefect server.  Meanwhile
# a thread imports what the flow run imports on first use (Prefect's
# engines, its parameter serialiser and flow visualisation, Arrow's dataset
# reader) and, for a run whose batches run in the CLI's own process, GX and
# the GX context.  The module names are Prefect 3.8's.  Remove if Prefect's
# flow start stops importing these lazily, or if the CLI stops starting a
# server of its own.

_FLOW_START_MODULES = ("prefect.flow_engine", "prefect.task_engine", "prefect.utilities.visualization",
                       "fastapi.encoders", "pyarrow.dataset", "pyarrow.parquet")


def prewarm(build_validator) -> threading.Thread | None:
    """Start the prewarm thread; build_validator (a callable, or None for a
    run whose batches run elsewhere) builds this process's GX context.  The
    collector, paused by pause_gc_for_imports, resumes when it is done."""
    if not enabled("prewarm"):
        imports_done()
        return None

    def work() -> None:
        try:
            for name in _FLOW_START_MODULES:
                importlib.import_module(name)
            if build_validator is not None:
                prepare_validation()
                build_validator()
        finally:
            imports_done()

    thread = threading.Thread(target=work, daemon=True, name="xxgk-prewarm")
    thread.start()
    return thread


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


# ---------------------------------------------------------------- fast-exit
# Freeing the heap of GX, Prefect and pandas module by module at exit took
# about a second of every run.  The exit handlers (temporary directories,
# log flushing) still run, only the teardown after them is skipped.
# Remove if interpreter shutdown gets cheap (measure on each new minor).

def exit_process(code: int) -> None:
    """End the process with `code`."""
    sys.stdout.flush()
    sys.stderr.flush()
    if not enabled("fast-exit"):
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()     # noqa: SLF001 - what sys.exit would run, without the teardown after it
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

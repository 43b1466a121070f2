"""flows.tuning: every tweak is optional (same datasets without), gated on
its version, and the only place that reaches into the libraries."""
import gc
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_xxgk
from flows import tuning
from transform.warehouse import DATASETS

# What only flows/tuning.py may do: assign to an attribute of a Prefect, GX,
# pandas or pyarrow module or class, set Prefect's private settings, call
# CPython's private functions.
_FORBIDDEN = [
    (re.compile(r"^\s*(prefect|great_expectations|gx|pd|pandas|pa|pyarrow|pq|pc|engine|runners|orchestration"
                r"|Expectation|PandasExecutionEngine|ProcessPoolTaskRunner)(\.\w+)+\s*=[^=]", re.M),
     "assignment to a library's attribute"),
    (re.compile(r"setattr\(\s*(prefect|great_expectations|gx|pd|pandas|pa|pyarrow|engine|Expectation)\b"),
     "setattr on a library"),
    (re.compile(r"PREFECT__\w+"), "Prefect's private settings"),
    (re.compile(r"atexit\._\w+|sys\._\w+\(|gc\.(freeze|disable|set_threshold)\("), "private or process-wide CPython calls"),
    (re.compile(r"\b_(initargs|executor|max_workers|broken)\b"), "a task runner's private attributes"),
]
_PACKAGES = ("flows", "extract", "transform", "expectations", "synth")


def test_no_module_but_tuning_reaches_into_the_libraries():
    found = []
    for package in _PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "flows" / "tuning.py":
                continue
            text = path.read_text(encoding="utf-8")
            for pattern, what in _FORBIDDEN:
                for m in pattern.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    found.append(f"{path.relative_to(ROOT)}:{line}: {what}: {m.group(0).strip()}")
    assert found == []


def test_the_grep_sees_what_it_forbids():
    samples = ["engine.HASH_THRESHOLD = 0", "Expectation.configuration = property(f)",
               'env = {"PREFECT__SERVER_FINAL": "1"}', "atexit._run_exitfuncs()", "gc.freeze()",
               "pool._initargs = (q,)"]
    for sample in samples:
        assert any(p.search(sample) for p, _ in _FORBIDDEN), sample
    assert not any(p.search("x == pd.NA") for p, _ in _FORBIDDEN)


def test_a_tweak_is_off_on_another_version_with_one_warning(monkeypatch):
    monkeypatch.setitem(tuning.TWEAKS, "gx-lazy-imports",
                        tuning.Tweak("gx-lazy-imports", "great-expectations", "0.0.1", "test"))
    monkeypatch.setattr(tuning, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not tuning.enabled("gx-lazy-imports")
        assert not tuning.enabled("gx-lazy-imports")
    assert len(caught) == 1 and "gx-lazy-imports" in str(caught[0].message)


def test_switches_turn_tweaks_off(monkeypatch):
    assert tuning.enabled("server-ephemeral")
    monkeypatch.setenv("XXGK_TUNING_OFF", "gx-lazy-imports,server-ephemeral")
    assert not tuning.enabled("server-ephemeral") and tuning.enabled("gc-imports")
    assert tuning.temporary_server_env() == {}
    monkeypatch.delenv("XXGK_TUNING_OFF")
    monkeypatch.setenv("XXGK_NO_TUNING", "1")
    assert not any(tuning.enabled(name) for name in tuning.TWEAKS)


def _datasets(out: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for d in DATASETS:
        # run_id names the run that validated a row: different by design
        f = pd.read_parquet(out / d).drop(columns=["run_id"], errors="ignore")
        for c in f.columns:
            if isinstance(f[c].dtype, pd.CategoricalDtype):
                f[c] = f[c].astype("string")
        frames[d] = f.sort_values(list(f.columns)).reset_index(drop=True)
    return frames


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_run_without_tuning_gives_the_same_datasets(tmp_path, workers):
    """Every column of every dataset (run ids aside, the datasets hold nothing
    that differs between runs), in the CLI's own process and on a process pool."""
    from synth.writer import write_corpus

    write_corpus(tmp_path / "corpus", 60, seed=5)
    src = tmp_path / "corpus" / "reports"
    outs = {}
    for name, env in (("tuned", {}), ("plain", {"XXGK_NO_TUNING": "1"})):
        outs[name] = tmp_path / name
        proc = run_xxgk("run", str(src), "--out", str(outs[name]), "--no-docs", "--workers", workers,
                        "--batch-size", "25", env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
    tuned, plain = _datasets(outs["tuned"]), _datasets(outs["plain"])
    for d in DATASETS:
        assert len(tuned[d]) > 0 or d == "sections", d
        pd.testing.assert_frame_equal(tuned[d], plain[d], check_dtype=True, obj=d)


# ------------------------------------------------------------- each tweak

def test_imports_pause_the_collector_and_freeze_what_they_built(monkeypatch):
    """gc-imports: paused while importing, running again after, what was
    imported kept out of later passes."""
    assert gc.isenabled()
    tuning.pause_gc_for_imports()
    try:
        assert not gc.isenabled()
        frozen_before = gc.get_freeze_count()
        kept = [[] for _ in range(10)]   # noqa: F841  something built meanwhile
        tuning.imports_done()
        assert gc.isenabled() and gc.get_freeze_count() > frozen_before
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_batch_runs_with_the_collector_paused_and_collects_at_its_end(monkeypatch):
    """gc-batches: no automatic pass inside a batch, cyclic garbage of the
    batch freed at its end, what outlives the first batch frozen; switched
    off, the collector is left as it was."""
    import weakref

    class Node:
        pass

    monkeypatch.setattr(tuning, "_batches_done", 0)
    try:
        with tuning.batch_collection():
            assert not gc.isenabled()
            cycle = Node()
            cycle.me = cycle
            alive = weakref.ref(cycle)
            del cycle
        assert gc.isenabled() and alive() is None, "the batch's cycles are freed at its end"
        assert gc.get_freeze_count() > 0, "what outlived the first batch is frozen"
        gc.unfreeze()
        with tuning.batch_collection():
            pass
        assert gc.get_freeze_count() == 0, "only the first batch freezes"
        monkeypatch.setenv("XXGK_TUNING_OFF", "gc-batches")
        with tuning.batch_collection():
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_temporary_server_gets_prefects_ephemeral_settings():
    """server-ephemeral: the settings Prefect's own SubprocessASGIServer
    gives its server (prefect/server/api/server.py), read by create_app."""
    import inspect

    from prefect.server.api import server

    env = tuning.temporary_server_env()
    assert env == {"PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    source = inspect.getsource(server)
    assert all(name in source for name in env)


def test_gx_imported_with_scipy_stats_deferred_still_works():
    """With gx-lazy-imports, scipy.stats is a lazy module after GX's import,
    loaded when something uses it."""
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from flows import tuning; tuning.prepare_validation(); "
         "m = sys.modules.get('scipy.stats'); print(type(m).__name__ if m else None); "
         "print(m.norm.cdf(0) if m else 0.5)"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, probe.stderr[-2000:]
    kind, value = probe.stdout.split()
    assert kind in ("_LazyModule", "None") and float(value) == 0.5

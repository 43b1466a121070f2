"""flows.tuning: every tweak is optional (same datasets without), gated on
its version, and the only place that reaches into the libraries."""
import gc
import re
import threading
import warnings
import weakref
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
    monkeypatch.setitem(tuning.TWEAKS, "gx-no-fingerprints",
                        tuning.Tweak("gx-no-fingerprints", "great-expectations", "0.0.1", "test"))
    monkeypatch.setattr(tuning, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not tuning.enabled("gx-no-fingerprints")
        assert not tuning.enabled("gx-no-fingerprints")
    assert len(caught) == 1 and "gx-no-fingerprints" in str(caught[0].message)


def test_switches_turn_tweaks_off(monkeypatch):
    assert tuning.enabled("gc-batches")
    monkeypatch.setenv("XXGK_TUNING_OFF", "prewarm,gc-batches")
    assert not tuning.enabled("gc-batches") and tuning.enabled("gc-imports")
    monkeypatch.delenv("XXGK_TUNING_OFF")
    monkeypatch.setenv("XXGK_NO_TUNING", "1")
    assert not any(tuning.enabled(name) for name in tuning.TWEAKS)


def _datasets(out: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for d in DATASETS:
        f = pd.read_parquet(out / d)
        for c in f.columns:
            if isinstance(f[c].dtype, pd.CategoricalDtype):
                f[c] = f[c].astype("string")
        frames[d] = f.sort_values(list(f.columns)).reset_index(drop=True)
    return frames


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_run_without_tuning_gives_the_same_datasets(tmp_path, workers):
    """Every column of every dataset (the datasets hold no timings or run
    ids), in the CLI's own process and on a process pool."""
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


# ---------------------------------------------------------------- gc-batches

class _Node:
    pass


def test_full_collections_deferred_during_a_batch_and_restored_after():
    before = gc.get_threshold()
    with tuning._deferred_full_collections():
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 1_000_000
    assert gc.get_threshold() == before


def test_cycles_a_batch_leaves_are_collected_at_its_end():
    with tuning._deferred_full_collections():
        node = _Node()
        node.self = node            # a cycle: reference counting cannot free it
        alive = weakref.ref(node)
        del node
        gc.disable()                # no young collection may free it early
    try:
        assert alive() is None      # the collection at the batch's end did
    finally:
        gc.enable()


def test_a_batch_frees_its_parsed_reports_without_the_collector(tmp_path):
    """GX leaves reference cycles whose tracebacks reach the batch's frames:
    the parsed reports must not be alive while it validates, or they wait
    for a full collection as cyclic garbage."""
    from extract.files import ParsedReport, discover
    from synth.writer import write_corpus
    from transform.batch import run_batch

    write_corpus(tmp_path / "corpus", 12, seed=3)
    staging = tmp_path / "staging"
    for dataset in DATASETS:
        (staging / dataset).mkdir(parents=True)
    entries = discover(str(tmp_path / "corpus" / "reports"))
    left_after = []
    for tag in ("first", "second"):
        gc.collect()
        gc.disable()
        try:
            result = run_batch(entries, str(staging), tag)
            left_after.append(sum(isinstance(o, ParsedReport) for o in gc.get_objects()))
        finally:
            gc.enable()
        assert len(result.reports) == 12
    assert left_after == [0, 0]


def test_the_collector_resumes_after_the_prewarm(monkeypatch):
    monkeypatch.setattr(tuning, "_FLOW_START_MODULES", ("json",))
    tuning.pause_gc_for_imports()
    try:
        thread = tuning.prewarm(None)
        if thread is not None:
            thread.join(60)
        assert gc.isenabled()
    finally:
        gc.enable()


# ------------------------------------------------------------ the GX tweaks

def _validate_samples():
    from expectations.validate import Validator
    from extract.files import discover, parse_files
    from transform.frames import build_frames

    frames = build_frames(parse_files(discover(str(ROOT / "data" / "samples" / "reports"))))
    return Validator().validate(frames)


def test_gx_tweaks_leave_the_validations_as_they_were(monkeypatch):
    """GX's fingerprints skipped and configurations memoised: the same
    validations as GX's own behaviour, fewer configurations built."""
    from great_expectations.execution_engine import pandas_execution_engine as engine
    from great_expectations.expectations.expectation import Expectation

    tuning.prepare_validation()
    if not all(tuning.enabled(n) for n in ("gx-no-fingerprints", "gx-configuration-memo")):
        pytest.skip("GX tweaks off in this environment")
    builds = []
    memoised = Expectation.__dict__["configuration"]
    real = tuning._original_configuration

    counting_real = property(lambda self: builds.append(1) or real.fget(self))
    monkeypatch.setattr(tuning, "_original_configuration", counting_real)
    with tuning._configuration_memo_scope():
        tuned = _validate_samples()
    tuned_builds = len(builds)
    builds.clear()
    monkeypatch.setattr(Expectation, "configuration", counting_real)
    monkeypatch.setattr(engine, "HASH_THRESHOLD", 1e9)     # GX's own default
    plain = _validate_samples()
    assert Expectation.__dict__["configuration"] is counting_real
    monkeypatch.undo()
    assert Expectation.__dict__["configuration"] is memoised
    pd.testing.assert_frame_equal(tuned, plain)
    assert (~tuned["success"]).sum() > 0
    assert 0 < tuned_builds * 5 < len(builds)


def test_configuration_memo_belongs_to_the_batch_thread():
    """A Dask worker may build suites in one thread while another
    validates: only the batch's thread gets memoised configurations."""
    tuning.prepare_validation()
    if not tuning.enabled("gx-configuration-memo"):
        pytest.skip("off in this environment")
    from great_expectations.expectations.core import ExpectColumnValuesToNotBeNull

    expectation = ExpectColumnValuesToNotBeNull(column="value")
    inside, read = threading.Event(), {}

    def other_thread():
        inside.wait(10)
        read["same object twice"] = expectation.configuration is expectation.configuration

    thread = threading.Thread(target=other_thread)
    thread.start()
    with tuning._configuration_memo_scope():
        assert expectation.configuration is expectation.configuration
        inside.set()
        thread.join(10)
    assert read == {"same object twice": False}
    assert expectation.configuration is not expectation.configuration


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

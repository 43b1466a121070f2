"""A batch and a run's rules without Prefect: transform.batch and transform.run."""
import gc
import shutil

import pandas as pd

from conftest import ROOT
from extract.files import ParsedReport, discover
from transform.batch import run_batch
from transform.run import Duplicates, RunSummary, empty_datasets
from transform.warehouse import DATASETS, Warehouse

SAMPLES = ROOT / "data" / "samples" / "reports"


def _staging(tmp_path):
    staging = tmp_path / "staging"
    for dataset in DATASETS:
        (staging / dataset).mkdir(parents=True)
    return staging


def test_a_batch_writes_its_parts_and_returns_its_reports_with_status(tmp_path):
    entries = discover(str(SAMPLES))
    staging = _staging(tmp_path)
    result = run_batch(entries, str(staging), "b000000")
    assert len(result.reports) == len(entries)
    assert set(result.reports["status"]) <= {"ok", "invalid", "rejected"}
    assert (result.reports["status"] == "rejected").eq(result.reports["error"].notna()).all()
    # a part per dataset with rows: the samples' prose states no request figures
    assert set(result.parts) == set(DATASETS) - {"prose_figures"}
    for dataset, part in result.parts.items():
        assert part.endswith(f"{dataset}/part-b000000.parquet")
    validations = pd.read_parquet(result.parts["validations"])
    failed = set(validations.loc[~validations["success"].astype(bool), "report_id"])
    invalid = set(result.reports.loc[result.reports["status"] == "invalid", "report_id"])
    assert invalid == failed - set(result.reports.loc[result.reports["error"].notna(), "report_id"])
    assert set(result.seconds) == {"read+extract", "transform", "validate", "write"}


def test_a_batch_frees_its_parsed_reports_without_the_collector(tmp_path):
    """GX leaves reference cycles whose tracebacks reach the batch's frames:
    the parsed reports must not be alive while it validates, or they wait
    for a full collection as cyclic garbage."""
    from synth.writer import write_corpus

    write_corpus(tmp_path / "corpus", 12, seed=3)
    staging = _staging(tmp_path)
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


def test_a_later_batchs_copy_becomes_a_duplicate_and_loses_its_rows(tmp_path):
    """Two batches holding the same content: the second's copy is rejected
    as a duplicate of the first, in its reports part, and its rows leave
    the batch's other parts."""
    one = next(SAMPLES.rglob("report_*.txt"))
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir(parents=True)
    shutil.copy(one, src / "a" / "x.txt")
    shutil.copy(one, src / "b" / "x.txt")
    first, second = discover(str(src))
    staging = _staging(tmp_path)
    duplicates = Duplicates(None, {})
    results = [run_batch([entry], str(staging), f"b{i:06d}") for i, entry in enumerate((first, second))]
    for result in results:
        duplicates.settle(result)
    held, copy = (pd.read_parquet(r.parts["reports"]) for r in results)
    assert held["error"].isna().all()
    assert copy["error"].iloc[0] == f"duplicate of {first.rel}" and copy["status"].iloc[0] == "rejected"
    rid = held["report_id"].iloc[0]
    assert (pd.read_parquet(results[1].parts["requests"])["report_id"] != rid).all()
    assert (pd.read_parquet(results[0].parts["requests"])["report_id"] == rid).all()


def test_the_summary_counts_what_the_warehouse_committed(tmp_path):
    entries = discover(str(SAMPLES))
    warehouse = Warehouse(tmp_path / "w")
    summary = RunSummary(input=str(SAMPLES), output=str(tmp_path / "w"), workers=1)
    with warehouse.lock(), warehouse.begin() as staging:
        result = run_batch(entries, str(staging.dir), "b000000")
        summary.add_batch(result)
        summary.version = staging.commit(empty_datasets())
    summary.finish(warehouse)
    counts = result.reports["status"].value_counts()
    assert (summary.ok, summary.invalid, summary.rejected) == \
        tuple(int(counts.get(s, 0)) for s in ("ok", "invalid", "rejected"))
    assert summary.files_done == len(entries)
    assert "files_done" not in summary.as_dict() and summary.as_dict()["ok"] == summary.ok
    assert summary.stage_seconds["read+extract"] > 0


def test_a_staging_version_that_raised_leaves_nothing(tmp_path):
    warehouse = Warehouse(tmp_path / "w")
    try:
        with warehouse.lock(), warehouse.begin() as staging:
            staging_dir = staging.dir
            raise RuntimeError("a batch failed")
    except RuntimeError:
        pass
    assert not staging_dir.exists() and warehouse.current_version() is None

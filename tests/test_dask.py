"""The same flow on a Dask LocalCluster (prefect-dask) writes the same datasets."""
import pytest

from conftest import run_xxgk
from test_nightly import assert_same, snapshot

pytest.importorskip("prefect_dask")


def test_dask_local_cluster_matches_default_run(tmp_path):
    from synth.writer import write_corpus

    write_corpus(tmp_path / "corpus", 36, seed=5)
    src = tmp_path / "corpus" / "reports"
    for out, extra in ((tmp_path / "default", []), (tmp_path / "dask", ["--dask", "local", "--workers", "2"])):
        proc = run_xxgk("run", str(src), "--out", str(out), "--no-docs", "--batch-size", "10", *extra)
        assert proc.returncode == 0, proc.stderr[-3000:]
    a, b = snapshot(tmp_path / "default"), snapshot(tmp_path / "dask")
    assert len(a["reports"]) == 36
    assert_same(a, b)

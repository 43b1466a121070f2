"""The checks across documents on a small blind corpus of bodies over
several years (synth.blind.series), through the real command line: rows
for the cases with a known answer, agreement with the truth, and never two
different bodies compared.  docs/cross-document.md has the full-size
measurement; this is its bounded version (48 reports, every format)."""
from synth.blind.score_across import score
from synth.blind.series import generate
from tests.conftest import run_xxgk


def test_cross_document_checks_on_a_blind_series_corpus(tmp_path):
    truth = generate(tmp_path / "corpus", 16, 7)
    assert len(truth["files"]) == 48
    out = tmp_path / "warehouse"
    proc = run_xxgk("run", str(tmp_path / "corpus" / "input"), "--out", str(out), "--no-docs")
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = score(tmp_path / "corpus" / "truth.json", out)
    cross, prose = res["cross_year"], res["prose"]
    # measured: cross_year 26/28 cases with a row (a body printed once as
    # 城关镇人民政府 under a city folder has no key), 26/26 agree; prose 48/48, 48/48
    assert cross["cases"] == 28 and cross["cases_mismatch"] == 8
    assert cross["coverage"] >= 0.9 and cross["agreement_strict"] >= 0.98, cross["wrong"]
    assert prose["cases"] == 48 and prose["cases_contradicts"] == 8
    assert prose["coverage"] >= 0.95 and prose["agreement_strict"] >= 0.98, prose["wrong"]
    assert res["cross_body_comparisons"] == []
    assert res["keys_shared_by_bodies"] == {}
    assert cross["spurious_rows"] == [] and prose["false_findings_on_unstated"] == []

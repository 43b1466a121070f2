"""`xxgk bench` end to end on a small corpus: it runs, prints every figure
and its outcome matches the corpus's truth.  No timing is asserted: a
benchmark prints figures, it is not a timed test."""
import json
import os
import platform
import re
import sys
from collections import Counter

from conftest import run_xxgk

FIGURES = ("reports/s, start-up excluded", "reports/s, start-up included", "fixed overhead, 1-report run",
           "peak RSS (largest process)", "floor (read+decode+regex)", "pipeline / floor",
           "workers busy with batches", "read+extract", "validate")
PDF_FIGURES = ("PDF reports/s, start-up excluded", "ms per page, in the flow", "floor (pypdfium2 open+page text)",
               "PDF pipeline / floor")


def _outcome(stdout: str) -> dict:
    m = re.search(r"outcome: ok (\d+), invalid (\d+), rejected (\d+)", stdout)
    assert m, stdout[-1000:]
    return dict(zip(("ok", "invalid", "rejected"), map(int, m.groups())))


def test_bench_prints_every_figure_with_and_without_data_docs(tmp_path):
    proc = run_xxgk("bench", "--n", "60", "--pdf-n", "6", "--workdir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    text_part, pdf_part = proc.stdout.split("xxgk bench, PDF:")
    assert "60 files (60 requested), " in proc.stdout and "without Data Docs" in proc.stdout
    for figure in FIGURES:
        assert figure in proc.stdout, figure
    # which interpreter ran it: its build moves every figure
    assert f"python {platform.python_version()} at {os.path.realpath(sys._base_executable)}" in proc.stdout
    truth = json.loads((tmp_path / "corpus-60-7" / "truth.json").read_text(encoding="utf-8"))["files"]
    expected = Counter(rec["status"] for rec in truth.values())
    assert _outcome(text_part) == {s: expected[s] for s in ("ok", "invalid", "rejected")}
    # the text corpus holds the text layouts only, as it always did
    assert all(not rel.endswith((".pdf", ".docx")) for rel in truth)
    # the PDF figures, on a corpus of synthesised PDFs, against their floor
    for figure in PDF_FIGURES:
        assert figure in pdf_part, figure
    pdf_truth = json.loads((tmp_path / "corpus-pdf-6-7" / "truth.json").read_text(encoding="utf-8"))["files"]
    assert len(pdf_truth) == 6 and all(rel.endswith(".pdf") for rel in pdf_truth)
    pdf_expected = Counter(rec["status"] for rec in pdf_truth.values())
    assert _outcome(pdf_part) == {s: pdf_expected[s] for s in ("ok", "invalid", "rejected")}
    assert not (tmp_path / "w-full" / "docs").exists()
    # the peak RSS printed covers the processes that ran batches, which
    # report their own peak (forked workers are not the CLI's children)
    summary = json.loads((tmp_path / "w-full.summary.json").read_text())
    printed = int(re.search(r"peak RSS \(largest process\)\s*:\s*(\d+) MB", proc.stdout)[1])
    assert summary["worker_peak_rss_mb"] > 50
    assert printed >= round(summary["worker_peak_rss_mb"]) - 1

    with_docs = run_xxgk("bench", "--n", "60", "--workdir", str(tmp_path), "--docs", "--no-pdf")
    assert with_docs.returncode == 0, with_docs.stderr[-2000:]
    assert "PDF" not in with_docs.stdout
    assert "with Data Docs" in with_docs.stdout and "writing" not in with_docs.stdout   # corpus reused
    assert _outcome(with_docs.stdout) == _outcome(proc.stdout)
    assert (tmp_path / "w-full" / "docs" / "index.html").is_file()

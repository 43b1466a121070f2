"""Generate -> extract -> compare with truth.  The bar: no report is `ok`
with a wrong cell, whatever the layout, noise or encoding."""
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expectations.validate import Validator, statuses
from extract.decode import decode_report
from extract.files import ParsedReport, discover, parse_files
from extract.report import extract_report
from synth.documents import DOCUMENT_LAYOUTS, render_document
from synth.evaluate import evaluate
from synth.model import make_truth
from synth.render import LAYOUTS, render_report
from synth.writer import ENCODINGS, REPORTED, encode, line_endings, write_corpus
from transform.frames import build_frames


@pytest.fixture(scope="module")
def validator():
    return Validator()


@pytest.fixture(scope="module")
def corpus_result(tmp_path_factory, validator):
    out = tmp_path_factory.mktemp("synth")
    truth = write_corpus(out, 240, seed=11)
    frames = build_frames(parse_files(discover(str(out / "reports"))))
    validations = validator.validate(frames)
    frames["reports"]["status"] = statuses(frames["reports"], validations)
    return evaluate(frames, truth), truth


def test_corpus_accuracy(corpus_result):
    result, truth = corpus_result
    overall = next(r for r in result["table"] if r["by"] == "all")
    assert result["silent_errors"] == []
    assert overall["cell_accuracy"] >= 0.999
    assert overall["status_accuracy"] >= 0.99
    layouts = {r["value"] for r in result["table"] if r["by"] == "layout"}
    assert set(LAYOUTS) <= layouts            # every layout was exercised
    assert set(DOCUMENT_LAYOUTS) <= layouts   # DOCX, PDF and portal pages too
    encodings = {r["value"] for r in result["table"] if r["by"] == "encoding"}
    assert {"utf-8", "gb18030", "utf-16"} <= encodings


def test_deliberate_errors_are_caught(corpus_result):
    result, truth = corpus_result
    wrong = {rel for rel, *_ in result["wrong_status"]}
    errors = [rel for rel, rec in truth["files"].items() if rec.get("error_kind")]
    assert len(errors) >= 15
    assert not wrong & set(errors)


# In CI the examples are fixed (a submission must not pass or fail by the
# draw); elsewhere each run draws new ones, to find what is not read yet.
@settings(max_examples=40, deadline=None, derandomize=os.environ.get("CI") == "true",
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS), encoding=st.sampled_from(ENCODINGS),
       ending=st.sampled_from(["lf", "crlf", "cr"]))
def test_no_silent_errors(validator, seed, layout, encoding, ending):
    rng = random.Random(seed)
    truth = make_truth(rng, error_rate=0.3)
    text = render_report(truth, layout, rng)
    raw = encode(line_endings(text, ending if layout != "html" else "lf"), encoding)
    decoded = decode_report(raw)
    assert decoded.encoding == REPORTED[encoding]
    parsed = ParsedReport("r", "x.txt", len(raw), 0, decoded.encoding, None, extract_report(decoded.text))
    frames = build_frames([parsed])
    validations = validator.validate(frames)
    status = statuses(frames["reports"], validations).iloc[0]
    e = parsed.extraction
    assert (e.template, e.year, e.agency) == (truth.template, truth.year, truth.agency)
    if status == "ok":
        req = frames["requests"]
        for row, values in truth.requests.items():
            got = list(req[req["row"] == row].sort_values("applicant")["value"])
            assert [None if v is None or v != v else int(v) for v in got] == values, (row, layout)
        rev = frames["review_litigation"]
        for p, values in truth.review.items():
            got = list(rev[rev["proceeding"] == p].sort_values("outcome")["value"])
            assert [int(v) for v in got] == values
    if truth.expected_failures:
        assert status == "invalid"


@settings(max_examples=24, deadline=None, derandomize=os.environ.get("CI") == "true",
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(DOCUMENT_LAYOUTS))
def test_no_silent_errors_in_documents(validator, seed, layout):
    """DOCX, PDF and portal pages written from the same truth, with the
    shapes real files have (table 4 as three tables, fillers in table 2,
    table 3 split, ragged spans): the same bar."""
    rng = random.Random(seed)
    truth = make_truth(rng, error_rate=0.3)
    data = render_document(truth, layout, rng)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    parsed = _parse_bytes(raw, layout)
    assert parsed.error is None, parsed.error
    frames = build_frames([parsed])
    status = statuses(frames["reports"], validator.validate(frames)).iloc[0]
    e = parsed.extraction
    assert (e.template, e.year, e.agency) == (truth.template, truth.year, truth.agency)
    if status == "ok":
        req = frames["requests"]
        for row, values in truth.requests.items():
            got = list(req[req["row"] == row].sort_values("applicant")["value"])
            assert [None if v is None or v != v else int(v) for v in got] == values, (row, layout)
        rev = frames["review_litigation"]
        for p, values in truth.review.items():
            got = list(rev[rev["proceeding"] == p].sort_values("outcome")["value"])
            assert [int(v) for v in got] == values
    if truth.expected_failures:
        assert status == "invalid"
    else:
        assert status == "ok", e.notes


def _parse_bytes(raw: bytes, layout: str) -> ParsedReport:
    import os
    import tempfile

    from extract.files import FileEntry, parse_file

    with tempfile.NamedTemporaryFile(suffix="." + layout, delete=False) as f:
        f.write(raw)
    try:
        return parse_file(FileEntry(f.name, os.path.basename(f.name), len(raw), 0))
    finally:
        os.unlink(f.name)


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_documents_table3_label_spans_stop_at_a_row_with_its_own_label(template):
    # Word's table 3: the last sub-row's label (「（5）要求行政机关确认…」)
    # is one cell of one row; 「（六）其他处理」 and 「（七）总计」 below
    # have labels of their own.  A sub-row's cell reaching down into them
    # (once drawn here, cut by a page break) is no shape a real file has.
    from synth.documents import grid_to_table
    from synth.render import Style, grid_table3
    for seed in range(20):
        rng = random.Random(seed)
        truth = make_truth(rng, template=template)
        grid = grid_table3(truth, Style(rng, "docx"))
        for ragged in (None, random.Random(seed)):
            table = grid_to_table(grid, 3, ragged=ragged)
            own_label_rows = {c.row for c in table.cells if c.text and c.col in (0, 1)
                              and not c.text.startswith("三、") and c.row >= 3}
            for c in table.cells:
                if c.col == 2 and c.rowspan > 1 and c.text:
                    below = set(range(c.row + 1, c.row + c.rowspan))
                    assert not below & own_label_rows, (seed, c.text, c.row, c.rowspan)


def test_pdf_row_broken_across_pages_reads_whole(validator):
    # Word breaks a row across pages by default: the figures and the first
    # half of a table-3 label end one page, the rest of the label opens the
    # next in a row of empty cells (merged cells going on there empty).
    from synth.documents import PAGE_BREAK, build_document
    checked = 0
    for seed in range(40):
        rng = random.Random(seed)
        truth = make_truth(rng, error_rate=0.0)
        state = rng.getstate()
        doc, shapes = build_document(truth, "pdf", rng)     # what render_document draws
        if not any(getattr(b, "text", None) == PAGE_BREAK for b in doc.body):
            continue
        rng.setstate(state)
        raw = render_document(truth, "pdf", rng)
        parsed = _parse_bytes(raw, "pdf")
        frames = build_frames([parsed])
        assert statuses(frames["reports"], validator.validate(frames)).iloc[0] == "ok", parsed.extraction.notes
        req = frames["requests"]
        for row, values in truth.requests.items():
            got = list(req[req["row"] == row].sort_values("applicant")["value"])
            assert [None if v is None or v != v else int(v) for v in got] == values, (seed, row)
        checked += 1
    assert checked >= 5

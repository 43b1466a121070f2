"""The output contract: the declared schemas (transform/schema.py) against
what is written, against docs/contract.md and against the shared spec; the
rejection codes of reports.error_code; the cell_error_code of the cell
datasets; the notes extraction passes to the frames."""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from expectations.validate import Validator
from extract.files import discover, parse_files
from extract.notes import NOTE_CODES, Note
from transform.frames import build_frames, empty_frames
from transform.schema import (
    ARTICLES, CELL_ERROR_CODES, DATASETS, ERROR_CODES, FILLED_LATER, FORMATS, ITEMS, METRICS, ROW_KEYS, SCHEMAS,
    SchemaError, check_table, empty_frame, to_table,
)
from transform.warehouse import Warehouse, write_part

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "reports"
CONTRACT = ROOT / "docs" / "contract.md"
SPEC = ROOT.parent / "shared" / "spec" / "schema.md"


# ---------------------------------------------------------------- written = declared

def test_every_written_part_has_the_declared_schema(tmp_path):
    """Frames of real extraction (the bundled samples and the seeds, whose
    prose states figures), validated, written by write_part into a version
    that is committed; and the empty parts a commit writes for datasets
    without rows."""
    from expectations.validate import Validator, empty_validations, statuses
    from tests.conftest import require_seeds

    frames = build_frames(parse_files(discover(str(SAMPLES)) + discover(str(require_seeds()))))
    validations = Validator().validate(frames)
    frames["reports"]["status"] = statuses(frames["reports"], validations)
    frames["validations"] = validations
    wh = Warehouse(tmp_path / "wh")
    staging = wh.begin()
    for dataset in DATASETS:
        assert write_part(staging.dir, dataset, frames[dataset], "b000000") is not None, dataset
    empty = empty_frames()
    empty["validations"] = empty_validations()
    staging.commit(empty)
    for dataset in DATASETS:
        parts = sorted((tmp_path / "wh" / dataset).glob("*.parquet"))
        assert parts, dataset
        for part in parts:
            check_table(dataset, pq.read_schema(part))
    # a version of nothing but empty datasets
    staging = Warehouse(tmp_path / "empty").begin()
    staging.commit(empty)
    for dataset in DATASETS:
        (part,) = (tmp_path / "empty" / dataset).glob("*.parquet")
        check_table(dataset, pq.read_schema(part))
        assert pq.read_table(part).num_rows == 0


def test_build_frames_gives_the_declared_columns_and_empty_frames_their_dtypes():
    frames = build_frames(parse_files(discover(str(SAMPLES))))
    empty = empty_frames()
    assert set(empty) == set(DATASETS)
    for dataset, frame in frames.items():
        assert list(frame.columns) == SCHEMAS[dataset].names, dataset
        assert frame.dtypes.astype(str).to_dict() == empty[dataset].dtypes.astype(str).to_dict(), dataset
    for dataset, frame in empty.items():
        check_table(dataset, to_table(dataset, frame))
    check_table("runs", to_table("runs", empty_frame("runs")))


def test_a_frame_that_does_not_match_fails_naming_dataset_and_column(tmp_path):
    frames = build_frames(parse_files(discover(str(SAMPLES))))
    (tmp_path / "requests").mkdir()
    (tmp_path / "reports").mkdir()
    req = frames["requests"]
    with pytest.raises(SchemaError, match=r"requests: column 'cell_error_code' is missing"):
        write_part(tmp_path, "requests", req.drop(columns=["cell_error_code"]), "x")
    with pytest.raises(SchemaError, match=r"requests: column 'surprise' is not declared"):
        write_part(tmp_path, "requests", req.assign(surprise=1), "x")
    with pytest.raises(SchemaError, match=r"requests: column 'value' is double, declared int64"):
        write_part(tmp_path, "requests", req.assign(value=req["value"].astype("float64")), "x")
    with pytest.raises(SchemaError, match=r"requests: column 'row' holds 'no_such_row'"):
        write_part(tmp_path, "requests", req.assign(row=req["row"].cat.add_categories(["no_such_row"])), "x")
    with pytest.raises(SchemaError, match=r"reports: column 'year' is large_string"):
        write_part(tmp_path, "reports", frames["reports"].assign(year=frames["reports"]["year"].astype("string")), "x")
    assert not list(tmp_path.glob("*/*.parquet"))      # nothing was written


def test_columns_a_later_step_fills_are_written_as_nulls_when_absent(tmp_path):
    frames = build_frames(parse_files(discover(str(SAMPLES))))
    validations = Validator().validate(frames)
    (tmp_path / "validations").mkdir()
    later = sorted(FILLED_LATER["validations"])
    today = validations.drop(columns=later)     # a frame of code that does not know them
    part = write_part(tmp_path, "validations", today, "x")
    check_table("validations", pq.read_schema(part))
    back = pd.read_parquet(part)
    assert len(back) == len(validations) > 0
    assert back[later].isna().all().all()
    write_part(tmp_path, "validations", validations.assign(run_id="r1"), "y")
    assert (pd.read_parquet(tmp_path / "validations" / "part-y.parquet")["run_id"] == "r1").all()


def test_vocabularies_come_from_the_templates():
    from extract.templates import ACTIVE_ITEMS, ACTIVE_METRICS, REQUEST_ROW_KEYS, TEMPLATES, active_items

    assert set(ROW_KEYS) == {k for t in TEMPLATES for k in REQUEST_ROW_KEYS[t]}
    assert ARTICLES == ("art20_1", "art20_5", "art20_6", "art20_8", "art20_9")
    assert set(ITEMS) == {i for t in TEMPLATES for _, i in active_items(t)} == {i for _, i, _, _ in ACTIVE_ITEMS}
    assert set(METRICS) == {m for t in TEMPLATES for ms in ACTIVE_METRICS[t].values() for m in ms}


# ---------------------------------------------------------------- docs/contract.md and the shared spec

def _spec_columns(text: str) -> dict[str, set[str]]:
    """dataset -> the column names the spec gives it: its table's first
    column, or the backticked names of its "Columns:" sentence (what is in
    parentheses there is the meaning, not a column)."""
    out: dict[str, set[str]] = {}
    for block in re.split(r"\n### ", text)[1:]:
        m = re.match(r"`(\w+)`", block)
        if not m:
            continue
        columns: set[str] = set()
        for cell in re.findall(r"^\| ([a-z_, ]+) \| (?:string|int|bool|float)", block, re.M):
            columns.update(c.strip() for c in cell.split(","))
        sentence = re.search(r"Columns: (.*?)(?:\n\n|$)", block, re.S)
        if sentence:
            names = sentence.group(1)
            while re.search(r"\([^()]*\)", names):
                names = re.sub(r"\([^()]*\)", "", names)
            names = re.split(r"\.\s", names + " ", maxsplit=1)[0]      # the sentence, not what follows
            columns.update(re.findall(r"`(\w+)`", names))
        out[m.group(1)] = columns
    return out


def _require_spec() -> str:
    if not SPEC.is_file():
        pytest.skip(f"the shared spec is not at {SPEC} (it lives in ../shared/spec beside the checkout)")
    return SPEC.read_text(encoding="utf-8")


def test_every_dataset_and_column_of_the_spec_is_in_the_contract_and_the_schemas():
    spec = _require_spec()
    contract = CONTRACT.read_text(encoding="utf-8")
    columns = _spec_columns(spec)
    assert {"reports", "requests", "review_litigation", "active_disclosure", "validations", "sections"} <= set(columns)
    for dataset, names in columns.items():
        assert f"`{dataset}`" in contract, dataset
        section = contract.split(f"### `{dataset}`", 1)[1].split("\n### ", 1)[0]
        for name in names:
            assert re.search(rf"\b{name}\b", section), (dataset, name)
        assert dataset in SCHEMAS, dataset
        missing = names - set(SCHEMAS[dataset].names)
        assert not missing, (dataset, missing)


def test_the_spec_keys_are_the_vocabularies():
    spec = _require_spec()
    from extract.templates import APPLICANTS, OUTCOMES, PROCEEDINGS

    requests = spec.split("### `requests`", 1)[1].split("\n### ", 1)[0]
    assert tuple(re.findall(r"^\| (\w+) \| ", requests, re.M)[1:]) == ROW_KEYS     # the header row first
    assert set(re.findall(r"`(\w+)`\s+[^\s`·]", requests.split("`applicant`:", 1)[1])) == set(APPLICANTS)
    review = spec.split("### `review_litigation`", 1)[1].split("\n### ", 1)[0]
    assert set(re.findall(r"`(\w+)`\s+[^\s`·]", review.split("`proceeding`:", 1)[1].split("`outcome`:")[0])) == set(PROCEEDINGS)
    assert set(re.findall(r"`(\w+)`\s+[^\s`·]", review.split("`outcome`:", 1)[1])) == set(OUTCOMES)
    active = spec.split("### `active_disclosure`", 1)[1].split("\n### ", 1)[0]
    assert set(re.findall(r"^\| (art20_\d) ", active, re.M)) == set(ARTICLES)
    for key in ITEMS + METRICS:
        assert re.search(rf"\b{key}\b", active), key
    codes = re.search(r"\| error_code \| string \| (.*) \|", spec).group(1)
    assert set(re.findall(r"`(\w+)`", codes)) == set(ERROR_CODES)


def test_the_contract_lists_every_vocabulary():
    contract = CONTRACT.read_text(encoding="utf-8")
    from extract.templates import APPLICANTS, OUTCOMES, PROCEEDINGS

    for key in ROW_KEYS + APPLICANTS + PROCEEDINGS + OUTCOMES + ARTICLES + ITEMS + METRICS:
        assert re.search(rf"\b{key}\b", contract), key
    for code in ERROR_CODES + CELL_ERROR_CODES + NOTE_CODES + FORMATS:
        assert f"`{code}`" in contract, code
    for dataset, schema in SCHEMAS.items():
        section = contract.split(f"### `{dataset}`", 1)[1]
        for name in schema.names:
            assert re.search(rf"\b{name}\b", section), (dataset, name)


# ---------------------------------------------------------------- rejection codes

def _canvas_pdf(draw, **kw) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kw)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not data.startswith(b"\xef\xbb\xbf")


def test_every_rejection_gets_its_code(tmp_path, monkeypatch):
    import extract.files as files

    d = tmp_path / "in"
    d.mkdir()
    report = next(data for data in (p.read_bytes() for p in sorted(SAMPLES.rglob("*.txt")))
                  if data.isascii() is False and _utf8(data))
    expected = {}

    def put(name: str, data: bytes, code: str | None):
        (d / name).write_bytes(data)
        expected[name] = code

    put("a_report.txt", report, None)
    put("b_same_report.txt", report, "duplicate")
    put("empty.txt", b"", "empty")
    put("binary.bin", bytes(range(256)) * 8, "binary")
    put("undecodable.txt", b"\xef\xbb\xbf\xff\xfe\xfa abc", "undecodable")
    put("not_a_report.txt", "购物清单\n牛奶\n鸡蛋\n".encode(), "not_a_report")
    put("truncated.txt", "某区人民政府2020年政府信息公开工作年度报告\n一、总体情况\n本年度……\n".encode(), "truncated")
    put("broken.pdf", b"%PDF-1.4 garbage", "broken_document")
    # a crawler's text of the page, the table cells joined: no figure can be told apart
    put("cells_run_together.txt", ("某区人民政府2023年政府信息公开工作年度报告 一、总体情况……三、收到和处理政府信息公开申请情况"
                                   "一、本年新收政府信息公开申请数量1201000013二、上年结转政府信息公开申请数量0000000"
                                   "（七）总计1201000013").encode(), "broken_document")
    put("scanned.pdf", _canvas_pdf(lambda c: (c.line(72, 700, 300, 700), c.line(72, 600, 72, 700))), "scanned_pdf")
    from reportlab.lib import pdfencrypt
    put("encrypted.pdf", _canvas_pdf(lambda c: c.drawString(72, 700, "hello"),
                                     encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="o")), "encrypted")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 120
    put("legacy.doc", ole + "WordDocument".encode("utf-16-le"), "legacy_doc")
    put("broken.docx", b"PK\x03\x04 word/document.xml but no zip", "broken_document")
    with open(d / "too_large.txt", "wb") as f:      # sparse: no disk used
        f.truncate(files.MAX_BYTES)
    expected["too_large.txt"] = "too_large"
    os.symlink("nowhere", d / "broken_symlink")
    expected["broken_symlink"] = "broken_symlink"
    os.symlink("loop", d / "loop")
    expected["loop"] = "symlink_loop"
    (d / "sub").mkdir()
    (d / "sub" / "zz_report.txt").write_bytes(report + b"\n")
    expected["sub/zz_report.txt"] = None
    os.symlink("sub", d / "symlinked_dir")
    expected["symlinked_dir"] = "symlinked_directory"
    put("zz_extraction_bug.txt", report + "\n解析错误测试\n".encode(), "internal_error")

    real_read = files.read_document

    def flaky(raw: bytes):
        if "解析错误测试".encode() in raw:
            raise RuntimeError("a reader bug")
        return real_read(raw)
    monkeypatch.setattr(files, "read_document", flaky)
    reports = build_frames(parse_files(discover(str(d))))["reports"].set_index("source_path")
    got = {p: (None if pd.isna(c) else c) for p, c in reports["error_code"].items() if p in expected}
    assert got == expected
    rejected = reports[reports["status"] == "rejected"]
    assert rejected["error_code"].notna().all() and rejected["error"].notna().all()
    assert set(rejected["error_code"]) <= set(ERROR_CODES)
    assert reports.loc["b_same_report.txt", "error"] == "duplicate of a_report.txt"


def test_an_unreadable_file_is_permission_denied(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_bytes(b"x")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user whom file modes do not stop (root): permission_denied cannot be made")
        (report,) = parse_files(discover(str(tmp_path)))
    finally:
        locked.chmod(0o644)
    assert (report.error_code, report.error) == ("permission_denied", "permission denied")


# ---------------------------------------------------------------- cell codes and notes

def test_cell_error_codes():
    from extract.report import ReportExtraction
    from extract.files import ParsedReport
    from extract.templates import ACTIVE_METRICS, REQUEST_ROW_KEYS, active_items

    requests = {k: ["1"] * 7 for k in REQUEST_ROW_KEYS["2019"]}
    requests["new_received"] = ["1", "-", "无", "abc", "3万元", "1.5", ""]
    requests["granted"] = [None] * 7
    del requests["carried_over"]
    active = {(a, i): ["1"] * len(ACTIVE_METRICS["2019"][a]) for a, i in active_items("2019")}
    active[("art20_9", "centralized_procurement")] = ["2", "35000"]
    review = {"administrative_review": ["0"] * 5, "litigation_direct": ["0", "/", "0", "0", "0"]}
    e = ReportExtraction("2019", 2020, "某局", "pipe", requests, review, active, {"procurement_amount": "?"}, [],
                         notes=[Note("requests", "granted", "not_placed", "5 cells for 7 columns"),
                                Note("review_litigation", None, "ambiguous_rows", "2 rows of numbers, cannot tell")])
    frames = build_frames([ParsedReport("r", "a.txt", 1, 1, "utf-8", None, e)])
    req = frames["requests"]
    new = req[req["row"] == "new_received"].set_index("applicant")
    assert list(new["cell_error_code"].astype(object).where(new["cell_error_code"].notna(), None)) == \
        [None, "marker", "marker", "unparseable", "count_is_money", "not_whole", None]
    assert new["cell_error"].isna().tolist() == [True, True, True, False, False, False, True]
    assert new.loc["social_welfare_org", "cell_error"] == "not a number: 'abc'"
    granted = req[req["row"] == "granted"]
    assert (granted["cell_error_code"] == "not_placed").all()
    assert (granted["cell_error"] == "not placed: 5 cells for 7 columns").all()
    assert (req[req["row"] == "carried_over"]["cell_error_code"] == "not_found").all()
    rev = frames["review_litigation"]
    assert (rev[rev["proceeding"] == "litigation_after_review"]["cell_error"]
            == "not placed: 2 rows of numbers, cannot tell").all()
    assert rev.loc[(rev["proceeding"] == "litigation_direct") & (rev["outcome"] == "corrected"),
                   "cell_error_code"].item() == "marker"
    act = frames["active_disclosure"]
    amount = act[act["metric"] == "procurement_amount"]
    assert amount["cell_error_code"].item() == "unit_unknown"
    assert frames["reports"]["notes"].item() == \
        "requests.granted: 5 cells for 7 columns; review_litigation: 2 rows of numbers, cannot tell"
    assert set(req["cell_error_code"].cat.categories) == set(CELL_ERROR_CODES)


NOTED_REPORT = """2020年某某局政府信息公开工作年度报告
一、总体情况
本年度工作如下。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
（一）予以公开 | 1 | 2 | 3 | 4 | 5 |
（二）部分公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
（二）部分公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
某种说不清的情形 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
（六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_extraction_notes_are_structured_and_joined_as_text():
    from extract.files import ParsedReport
    from extract.report import extract_report

    parsed = parse_files(discover(str(SAMPLES)))
    noted = ParsedReport("n", "noted.txt", 1, 1, "utf-8", None, extract_report(NOTED_REPORT))
    parsed.append(noted)
    frames = build_frames(parsed)
    notes = dict(zip(frames["reports"]["source_path"], frames["reports"]["notes"]))
    for p in parsed:
        if p.extraction is None:
            continue
        assert all(isinstance(n, Note) and n.code in NOTE_CODES for n in p.extraction.notes), p.source_path
        text = "; ".join(str(n) for n in p.extraction.notes) or None
        assert (notes[p.source_path] if isinstance(notes[p.source_path], str) else None) == text
    # the text is what the readers always wrote
    assert notes["noted.txt"] == ("requests.granted: 5 cells for 7 columns; "
                                  "requests.partially_granted: printed twice with different cells; "
                                  "requests: row with numbers but no known label: 某种说不清的情形 | 1 | 0 | 0 | 0 | 0 | 0 | 1; "
                                  # no table 4 section: the table-4 reader looked at the whole text
                                  "review_litigation: 6 rows of numbers, cannot tell which is which")
    assert [(n.table, n.key, n.code) for n in noted.extraction.notes] == [
        ("requests", "granted", "not_placed"), ("requests", "partially_granted", "printed_twice"),
        ("requests", None, "unknown_label"), ("review_litigation", None, "ambiguous_rows")]
    req = frames["requests"][frames["requests"]["report_id"] == "n"]
    twice = req[req["row"] == "partially_granted"]
    assert (twice["cell_error"] == "not placed: printed twice with different cells").all()
    assert (twice["cell_error_code"] == "not_placed").all()
    n = Note("active_disclosure", ("art20_1", "regulations"), "not_placed", "2 cells for 3 columns")
    assert str(n) == "active_disclosure.art20_1.regulations: 2 cells for 3 columns"
    assert str(replace(n, key="x", table="requests")) == "requests.x: 2 cells for 3 columns"
    assert str(Note("review_litigation", None, "no_figures", "no row of numbers found")) == \
        "review_litigation: no row of numbers found"


def test_extraction_writes_no_note_as_a_string():
    """Notes are Note values: a formatted string appended to notes would
    lose its row (its cells would read "cell not found")."""
    for path in (ROOT / "extract").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"notes\.append\(f?[\"']", text), path
        assert not re.search(r"notes\s*\+?=\s*\[f?[\"']", text), path

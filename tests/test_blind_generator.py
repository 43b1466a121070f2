"""The blind corpus generator (synth/blind): deterministic, consistent truth,
every format present."""
import hashlib
import json
from pathlib import Path

from synth.blind.content import APPLICANTS, OUTCOMES
from synth.blind.generate import generate


def _digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_blind_generator(tmp_path):
    a = generate(tmp_path / "a", 30, 11)
    b = generate(tmp_path / "b", 30, 11)
    assert _digest(tmp_path / "a" / "input") == _digest(tmp_path / "b" / "input")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    files = a["files"]
    assert len(files) == 30
    assert a["format"] == "xxgk-truth/1"
    assert {"text", "markdown", "html", "docx", "pdf"} <= {v["format"] for v in files.values()}
    assert {v["template"] for v in files.values() if v["kind"] == "report"} == {"2019", "2021"}
    for path, t in files.items():
        assert (tmp_path / "a" / "input" / path).is_file()
        if t["status"] != "ok":
            continue
        req, rl = t["requests"], t["review_litigation"]
        for row, cols in req.items():
            assert all(v is not None and v >= 0 for v in cols.values())
            assert cols["total"] == sum(cols[x] for x in APPLICANTS), (path, row)
        for col in APPLICANTS + ["total"]:
            assert req["total_processed"][col] == sum(req[o][col] for o in OUTCOMES[t["template"]])
            assert (req["new_received"][col] + req["carried_over"][col]
                    == req["total_processed"][col] + req["carried_forward"][col])
        for p, v in rl.items():
            assert v["total"] == v["upheld"] + v["corrected"] + v["other"] + v["pending"]
        assert t["active_disclosure"] is not None


def test_old_table3_variant_prints_one_other_row_and_says_so_in_the_truth(monkeypatch):
    # a 2021-template report that prints the 2019 table 3 (（六）其他处理 as
    # one row): its truth holds that row as the sum of the three it stands
    # for, those three as absent (null), and the report as invalid
    import random

    import synth.blind.report
    monkeypatch.setattr(synth.blind.report, "LOST_CELL_SHARE", 0.0)     # this variant alone

    from synth.blind.report import OTHER_SUBROWS, make_report, pick_agency
    from synth.blind.content import build_t3

    class Always(random.Random):
        def random(self):
            return 0.0

    rng = random.Random(5)
    plain = make_report(random.Random(5), pick_agency(random.Random(1)), 2023, "html", False)
    rep = make_report(rng, pick_agency(random.Random(1)), 2023, "html", False, variants=Always())
    assert (rep.status, rep.defect, rep.style.t3_rows_template) == ("invalid", "old_table3", "2019")
    req, before = rep.truth["requests"], plain.truth["requests"]
    for a in before["other_misc"]:
        assert req["other_handling"][a] == sum(before[r][a] for r in OTHER_SUBROWS)
        assert all(req[r][a] is None for r in OTHER_SUBROWS)
    labels = [c.text for row in build_t3("2021", rep.style, rep.cell_text).grid for c in row]
    assert any("其他处理" in t for t in labels) and not any("逾期未按收费通知" in t for t in labels)
    # the same draw without the variant: the plain report, unchanged
    assert plain.style.t3_rows_template is None and plain.status == "ok"


def test_label_typo_variant_prints_a_sub_row_label_with_two_characters_missing(monkeypatch):
    import random

    import synth.blind.report
    monkeypatch.setattr(synth.blind.report, "LOST_CELL_SHARE", 0.0)     # this variant alone

    from synth.blind.content import T3_LABELS, build_t3
    from synth.blind.report import make_report, pick_agency

    class Always(random.Random):
        def random(self):
            return 0.0

    plain = make_report(random.Random(8), pick_agency(random.Random(2)), 2021, "html", False)
    rep = make_report(random.Random(8), pick_agency(random.Random(2)), 2021, "html", False, variants=Always(3))
    ((row, printed),) = rep.style.label_typos.items()
    number, words = T3_LABELS[row][2].split("#", 1)
    got = printed.split("#", 1)[1]
    assert printed.startswith(number + "#") and len(got) == len(words) - 2
    assert any(words[:i] + words[i + 2:] == got for i in range(1, len(words) - 1))
    # the truth is the plain report's: the row is still that row
    assert rep.truth["requests"] == plain.truth["requests"] or rep.defect == "old_table3"
    labels = [c.text for r in build_t3("2021", rep.style, rep.cell_text).grid for c in r]
    assert not any(words in t for t in labels)


def test_lost_cell_variant_prints_a_table3_row_one_cell_short_and_its_truth_null():
    # a converter that lost one figure cell: the row prints six figures,
    # with no trace of which column went, so its truth is null and the
    # report invalid; Word and PDF tables are not drawn so
    import random

    from synth.blind.content import APPLICANT_COLS, build_t3
    from synth.blind.report import make_report, pick_agency

    class Always(random.Random):
        def random(self):
            return 0.0

    rep = make_report(random.Random(4), pick_agency(random.Random(3)), 2020, "markdown", False, variants=Always(9))
    ((row, lost),) = rep.style.lost_cells.items()
    assert lost in APPLICANT_COLS and rep.status == "invalid" and "lost_cell" in rep.defect
    assert all(v is None for v in rep.truth["requests"][row].values())
    grid = build_t3("2019", rep.style, rep.cell_text).grid
    widths = {len([c for c in r if c.role == "fig"]) for r in grid[3:]}
    assert widths == {6, 7}
    docx = make_report(random.Random(4), pick_agency(random.Random(3)), 2020, "docx", False, variants=Always(9))
    assert not docx.style.lost_cells

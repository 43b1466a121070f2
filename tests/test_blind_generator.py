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

"""The blind corpus of bodies over several years (synth.blind.series):
deterministic, consistent tables, a truth that follows from them."""
import hashlib
import json
from pathlib import Path

from synth.blind.content import APPLICANTS, OUTCOMES
from synth.blind.series import generate


def _digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_series_generator(tmp_path):
    a = generate(tmp_path / "a", 12, 3)
    b = generate(tmp_path / "b", 12, 3)
    assert _digest(tmp_path / "a" / "input") == _digest(tmp_path / "b" / "input")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    files, bodies = a["files"], a["bodies"]
    assert len(bodies) == 12
    assert all(len(b["years"]) >= 2 for b in bodies.values())
    # confusable bodies: one county's two bureaus, one bureau in two counties
    assert {"江苏省淮安市淮阴区人民政府办公室", "江苏省淮安市淮安区人民政府办公室", "江苏省淮安市淮阴区民政局"} <= set(bodies)
    expected = {"match": 0, "mismatch": 0, "no_previous": 0}
    for path, t in files.items():
        assert (tmp_path / "a" / "input" / path).is_file()
        req = t["requests"]
        assert t["template"] == ("2019" if t["year"] <= 2020 else "2021")
        for row, cols in req.items():
            assert cols["total"] == sum(cols[x] for x in APPLICANTS), (path, row)
        for col in APPLICANTS + ["total"]:
            assert req["total_processed"][col] == sum(req[o][col] for o in OUTCOMES[t["template"]])
            assert (req["new_received"][col] + req["carried_over"][col]
                    == req["total_processed"][col] + req["carried_forward"][col])
        cy = t["cross_year"]
        expected[cy["expected"]] += 1
        if cy["expected"] == "no_previous":
            assert str(t["year"] - 1) not in bodies[t["body"]]["files"]
            continue
        prev = files[cy["previous"][0]]
        assert prev["body"] == t["body"] and prev["year"] == t["year"] - 1
        differ = sorted(c for c in APPLICANTS + ["total"]
                        if req["carried_over"][c] != prev["requests"]["carried_forward"][c])
        assert differ == cy["columns"]
        assert (cy["seeded"] is None) == (not differ) or cy["seeded"] is not None
        # every stated figure is printed in the prose
        for m, v in t["prose"]["measures"].items():
            if v["outcome"] in ("match", "contradicts"):
                assert v["outcome"] == "match" or v["stated"] != v["table"]
    assert all(expected.values()), expected
    outcomes = {v["outcome"] for t in files.values() for v in t["prose"]["measures"].values()}
    assert outcomes == {"match", "contradicts", "not_stated", "ambiguous"}

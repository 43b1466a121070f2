"""`xxgk inspect`: the grids, row keys and placements of one file, as text."""
import random
from pathlib import Path

import pytest

from flows.cli import main
from synth.model import make_truth
from synth.render import render_report

REAL_PDF = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "input" / "huaian_city_2024.pdf"


def _inspect(capsys, *args) -> list[str]:
    assert main(["inspect", *map(str, args)]) == 0
    return capsys.readouterr().out.splitlines()


def test_generated_html_report(tmp_path, capsys):
    rng = random.Random(5)
    truth = make_truth(rng, template="2021", error_rate=0)
    path = tmp_path / "report.html"
    path.write_text(render_report(truth, "html", rng), encoding="utf-8")
    lines = _inspect(capsys, path)
    assert "format: html, encoding utf-8" in lines
    assert any(l.startswith("grid ") and l.endswith("taken for table 3 (requests)") for l in lines)
    assert "    => row granted (columns by header)" in lines
    granted = truth.requests["granted"][0]
    i = lines.index("    => row granted (columns by header)")
    assert lines[i + 1].startswith(f"       natural_person <- '{granted}' (c")
    assert "null cells: none" in lines


def test_rejection_has_its_code(tmp_path, capsys):
    path = tmp_path / "x.txt"
    path.write_text("关于开展春季植树活动的通知\n各单位：请按时参加。\n", encoding="utf-8")
    lines = _inspect(capsys, path)
    assert any(l.startswith("rejected: ") and l.endswith("[error code not_a_report]") for l in lines)


def test_real_pdf_with_png(tmp_path, capsys):
    if not REAL_PDF.is_file():
        pytest.skip(f"{REAL_PDF} not found")
    lines = _inspect(capsys, REAL_PDF, "--png", tmp_path / "png")
    assert "format: pdf, 6 pages" in lines
    assert "    [r7 c1 rs8] （三）不予公开" in lines
    assert "    => row new_received (columns by header)" in lines
    assert "       natural_person <- '3001' (c3)" in lines
    assert "       fee_amount <- '96171.6' (c1)  unit 万元" in lines
    assert any(l.endswith("taken for table 4 (review and litigation)") for l in lines)
    pngs = sorted((tmp_path / "png").glob("page-*.png"))
    assert [p.name for p in pngs] == ["page-003.png", "page-004.png", "page-005.png"]
    from PIL import Image
    with Image.open(pngs[0]) as image:
        assert image.size == (1190, 1684)       # A4 at scale 2
        red = dict((c, n) for n, c in image.getcolors(1 << 24)).get((220, 30, 30), 0)
    assert red > 1000                           # the cells' boxes are drawn


def test_help_teaches(capsys):
    with pytest.raises(SystemExit):
        main(["inspect", "--help"])
    out = capsys.readouterr().out
    for words in ("[r3 c0 rs8]", "no known label", "error code", "--png"):
        assert words in out

"""Real reports with one printed figure deleted or blanked: no other figure
may move.

Users of other report parsers see rows shifted when a cell goes missing.
Here each mutation of a real file (../shared/seeds, ../shared/real) either
leaves a cell null or leaves it as it was: a figure read from the mutated
file under a key where the original gives another figure is a shift.
Deterministic mutations, 20 a file; skipped where ../shared is absent."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from extract.files import read_document
from extract.report import extract_document

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
# figures alone on their line (cell streams), with or without the tab before them
_LINE_FIGURE_RE = re.compile(r"\t?\d[\d,.]*")
_MD_FIGURE_RE = re.compile(r"\s*\d[\d,.]*\s*")
_HTML_CELL_RE = re.compile(r"<td\b(?:(?!</td>).)*?</td>", re.S)
_HTML_FIGURE_RE = re.compile(r">\s*\d[\d,.]*\s*<")


def _sources() -> list[tuple[str, str]]:
    found = []
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        for path in sorted(seeds.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if sum(1 for line in text.split("\n") if _LINE_FIGURE_RE.fullmatch(line)) > 50:
                found.append((path.name, text))
    for name in ("shanghai_office_2019.html", "shuyang_county_2025.md.txt"):
        path = SHARED / "real" / "input" / name
        if path.is_file():
            found.append((name, path.read_text(encoding="utf-8")))
    return found


def _mutate(name: str, text: str, rng: random.Random, mode: str) -> str:
    """text with one printed figure deleted (its cell gone) or blanked."""
    if name.endswith(".html"):
        cells = [m for m in _HTML_CELL_RE.finditer(text) if _HTML_FIGURE_RE.search(m.group(0))]
        m = rng.choice(cells)
        new = "" if mode == "delete" else _HTML_FIGURE_RE.sub("><", m.group(0), count=1)
        return text[:m.start()] + new + text[m.end():]
    lines = text.split("\n")
    if name.endswith(".md.txt"):
        rows = [i for i, line in enumerate(lines) if line.strip().startswith("|") and re.search(r"\|\s*\d", line)]
        i = rng.choice(rows)
        cells = lines[i].split("|")
        j = rng.choice([j for j in range(1, len(cells) - 1) if _MD_FIGURE_RE.fullmatch(cells[j])])
        if mode == "delete":
            del cells[j]
        else:
            cells[j] = " "
        lines[i] = "|".join(cells)
    else:
        i = rng.choice([i for i, line in enumerate(lines) if _LINE_FIGURE_RE.fullmatch(line)])
        if mode == "delete":
            del lines[i]
        else:
            lines[i] = "\t" if lines[i].startswith("\t") else ""
    return "\n".join(lines)


def _cells(text: str) -> dict:
    e = extract_document(read_document(text.encode("utf-8")))
    out = {}
    for table, cells in (("requests", e.requests), ("review", e.review), ("active", e.active)):
        for key, values in (cells or {}).items():
            for i, v in enumerate(values):
                out[(table, key, i)] = v
    return out


@pytest.mark.parametrize("name,text", _sources() or [pytest.param(None, None, marks=pytest.mark.skip(
    reason=f"no real reports at {SHARED} (../shared beside the checkout)"))])
def test_a_figure_deleted_or_blanked_moves_no_other(name, text):
    base = _cells(text)
    assert sum(1 for v in base.values() if v) > 50       # the file is read at all
    rng = random.Random(name)
    for k in range(20):
        mode = ("delete", "blank")[k % 2]
        mutated = _mutate(name, text, rng, mode)
        got = _cells(mutated)
        moved = {key: (base[key], v) for key, v in got.items()
                 if v and key in base and base[key] and _number(v) != _number(base[key])}
        assert not moved, f"{name}, {mode} #{k}: figures moved {sorted(moved.items())[:4]}"


def _number(raw: str) -> str:
    return re.sub(r"[\s,，]", "", raw)

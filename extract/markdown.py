"""Markdown -> Document: pipe tables as grids, everything else as paragraphs.

A Markdown table is a run of pipe rows whose second row is the `|---|`
separator.  It has no spans: each row's cells fill its columns from the
left, and a row printing fewer cells than its header leaves the positions
it lacks uncovered (the table reader then does not place that row), and
a row printing more widens the grid rather than losing a cell.
"""
from __future__ import annotations

import re

from .document import Cell, Document, Paragraph, Table

_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_HEADING_MARK_RE = re.compile(r"^\s{0,3}#{1,6}\s+")


def looks_like_markdown(text: str) -> bool:
    """At least one pipe table with its separator row."""
    lines = text[:200000].split("\n")
    return any(_SEPARATOR_RE.match(b) and "|" in b and _PIPE_ROW_RE.match(a)
               for a, b in zip(lines, lines[1:]) if "-" in b)


_BR_RE = re.compile(r"<\s*br\s*/?\s*>", re.I)


def _cells(line: str) -> list[str]:
    body = _BR_RE.sub("", line.strip())     # a line break inside a cell: one cell text
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in body.split("|")]


def read_markdown(text: str) -> Document:
    lines = text.split("\n")
    body: list[Paragraph | Table] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (_PIPE_ROW_RE.match(line) and i + 1 < len(lines) and "|" in lines[i + 1]
                and _SEPARATOR_RE.match(lines[i + 1])):
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and _PIPE_ROW_RE.match(lines[i]):
                if not _SEPARATOR_RE.match(lines[i]):
                    rows.append(_cells(lines[i]))
                i += 1
            n_cols = max(map(len, rows))
            cells = [Cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row)]
            body.append(Table(cells, len(rows), n_cols))
            continue
        body.append(Paragraph(_HEADING_MARK_RE.sub("", line)))
        i += 1
    return Document("markdown", body)

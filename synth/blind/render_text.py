"""Blind generator, part 3: plain-text layouts (CMS exports, pipe rows,
Markdown, Word "save as text", pdftotext -layout)."""
from __future__ import annotations

import random
import unicodedata

from .content import Table, expand

NBSP = "\xa0"


def dwidth(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _clean(t: str) -> str:
    return t.replace("\x1f", "")


def _row_texts(M, r, cover_rowspan: str, cover_colspan: bool) -> list:
    """Texts of one grid row in reading order; covered positions give ''
    (or are left out) by the options."""
    out = []
    for pos in M[r]:
        if pos is None:
            out.append("")
            continue
        cell, dr, dc = pos
        if dr == 0 and dc == 0:
            out.append(_clean(cell.text))
        elif dr > 0:
            if dc == 0 and cover_rowspan == "once":
                out.append("")
            elif cover_rowspan == "each":
                out.append("")
        else:  # colspan continuation on the origin row
            if cover_colspan:
                out.append("")
    return out


# ----------------------------------------------------------------------------- one cell per line

def table_cell_per_line(t: Table, rng: random.Random, o: dict) -> list:
    M = expand(t.grid)
    lines = []
    for r in range(len(M)):
        for txt in _row_texts(M, r, o["cover"], False):
            parts = txt.split("\n")
            first = parts[0] if parts[0] else (NBSP if o["nbsp_blank"] else "")
            lines.append("\t" + first)
            for p in parts[1:]:
                if o["wrap_blank"]:
                    lines.append("")
                lines.append(p)
        lines.append("")
    return lines


def table_blank_line(t: Table, rng: random.Random, o: dict) -> list:
    M = expand(t.grid)
    lines = []
    for r in range(len(M)):
        for txt in _row_texts(M, r, o["cover"], False):
            if txt == "":
                txt = NBSP
            elif o["pad_nbsp"] and txt[0].isdigit() and rng.random() < 0.3:
                txt = NBSP + " " + txt
            lines.append(txt)
            lines.append("")
    return lines


# ----------------------------------------------------------------------------- row layouts

def _spill(cells: list, fig_pos: str) -> list:
    """A row whose cells hold line breaks becomes several physical rows:
    fragment i of every wrapped cell on physical row i; single-line cells on
    the first or last physical row."""
    parts = [c.split("\n") for c in cells]
    h = max(len(p) for p in parts)
    if h == 1:
        return [cells]
    rows = [["" for _ in cells] for _ in range(h)]
    for j, p in enumerate(parts):
        if len(p) == 1:
            rows[0 if fig_pos == "first" else h - 1][j] = p[0]
        else:
            for i, frag in enumerate(p):
                rows[i][j] = frag
    return rows


def table_pipe(t: Table, rng: random.Random, o: dict) -> list:
    M = expand(t.grid)
    lines = []
    for r in range(len(M)):
        cells = _row_texts(M, r, "each", True)
        if o["wrap"] == "join":
            cells = [c.replace("\n", "") for c in cells]
        for phys in _spill(cells, o["fig_pos"]):
            s = " | ".join(phys) + " |"
            if o["lead"]:
                s = "| " + s
            lines.append(s)
    return lines


def table_markdown(t: Table, rng: random.Random, o: dict) -> list:
    M = expand(t.grid)
    lines = []
    rows = []
    for r in range(len(M)):
        cells = _row_texts(M, r, "each", True)
        if o["wrap"] == "br":
            cells = [c.replace("\n", "<br>") for c in cells]
            rows.append(cells)
        elif o["wrap"] == "join":
            rows.append([c.replace("\n", "") for c in cells])
        else:
            rows += _spill(cells, o["fig_pos"])
    if t.header_rows == 0 and o["synthetic_header"]:
        rows.insert(0, [" "] * len(rows[0]))
    for i, cells in enumerate(rows):
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + "|".join("---" if not o["align"] else ":---:" for _ in cells) + "|")
    return lines


def table_tab_rows(t: Table, rng: random.Random, o: dict) -> list:
    M = expand(t.grid)
    lines = []
    for r in range(len(M)):
        cells = _row_texts(M, r, "each", True)
        if o["wrap"] == "raw":
            s = "\t".join(cells)
            if o["trailing"]:
                s += "\t"
            lines += s.split("\n")
            continue
        if o["wrap"] == "join":
            cells = [c.replace("\n", " " if rng.random() < 0.5 else "") for c in cells]
        for phys in _spill(cells, o["fig_pos"]):
            s = "\t".join(phys)
            if o["trailing"]:
                s += "\t"
            lines.append(s)
    return lines


# ----------------------------------------------------------------------------- pdftotext -layout

def _wrap_to(text: str, maxw: int) -> list:
    out = []
    pieces = text.split("\n")
    if any(dwidth(p) > maxw for p in pieces):
        pieces = ["".join(pieces)]
    for piece in pieces:
        cur = ""
        for ch in piece:
            if dwidth(cur + ch) > maxw and cur:
                out.append(cur)
                cur = ch
            else:
                cur += ch
        out.append(cur)
    return out


def table_pdftotext(t: Table, rng: random.Random, o: dict) -> tuple[list, int]:
    M = expand(t.grid)
    nr, nc = len(M), len(M[0])
    gap = o["gap"]
    origins = []
    for r in range(nr):
        for c in range(nc):
            pos = M[r][c]
            if pos and pos[1] == 0 and pos[2] == 0:
                origins.append((r, c, pos[0]))
    label_cap = o["label_cap"]
    lines_of = {}
    for r, c, cell in origins:
        txt = _clean(cell.text)
        cap = label_cap if cell.role == "label" else (label_cap if cell.cs > 3 or cell.role == "title" else 12)
        if cell.role == "head" and cell.cs >= 3:
            cap = 60
        lines_of[(r, c)] = _wrap_to(txt, cap) if txt else [""]
    width = [0] * nc
    for r, c, cell in origins:
        if cell.cs == 1:
            width[c] = max(width[c], max(dwidth(x) for x in lines_of[(r, c)]))
    for r, c, cell in origins:
        if cell.cs > 1:
            need = max(dwidth(x) for x in lines_of[(r, c)])
            have = sum(width[c:c + cell.cs]) + gap * (cell.cs - 1)
            if need > have:
                width[c + cell.cs - 1] += need - have
    width = [max(w, 2) for w in width]
    xs = []
    x = o["indent"]
    for w in width:
        xs.append(x)
        x += w + gap
    # row heights
    height = [1] * nr
    for r, c, cell in origins:
        if cell.rs == 1:
            height[r] = max(height[r], len(lines_of[(r, c)]))
    for r, c, cell in origins:
        if cell.rs > 1:
            have = sum(height[r:r + cell.rs])
            need = len(lines_of[(r, c)])
            if need > have:
                height[r + cell.rs - 1] += need - have
    gapl = o["row_gap"]
    start = []
    y = 0
    for r in range(nr):
        start.append(y)
        y += height[r] + gapl
    total = y
    canvas = [[] for _ in range(total)]
    for r, c, cell in origins:
        L = lines_of[(r, c)]
        y0 = start[r]
        H = sum(height[r:r + cell.rs]) + gapl * (cell.rs - 1)
        if cell.rs > 1:
            top = y0 + max(0, (H - len(L)) // 2)
        elif len(L) == 1 and H > 1 and cell.role == "fig":
            top = y0 + {"first": 0, "last": H - 1, "middle": (H - 1) // 2}[o["fig_pos"]]
        elif len(L) < H and cell.role == "head":
            top = y0 + (H - len(L)) // 2
        else:
            top = y0
        w = sum(width[c:c + cell.cs]) + gap * (cell.cs - 1)
        for i, line in enumerate(L):
            if not line:
                continue
            lw = dwidth(line)
            if cell.role == "fig":
                xx = xs[c] + (w - lw if o["fig_align"] == "right" else (w - lw) // 2)
            elif cell.role in ("head", "title") or (cell.rs > 1 and o["center_groups"]):
                xx = xs[c] + max(0, (w - lw) // 2)
            else:
                xx = xs[c]
            canvas[top + i].append((xx, line))
    out = []
    for items in canvas:
        s = ""
        for xx, txt in sorted(items):
            cur = dwidth(s)
            s += " " * (xx - cur) if xx > cur else (" " if s else "")
            s += txt
        out.append(s.rstrip())
    hdr = start[t.header_rows] if t.header_rows and t.header_rows < nr else 0
    return out, hdr


# ----------------------------------------------------------------------------- documents

def _para_lines(text: str, layout: str, o: dict) -> list:
    if layout == "pdftotext":
        lines = _wrap_to(text, o["para_width"])
        return [("    " if i == 0 else "") + l for i, l in enumerate(lines)]
    if layout == "cell_per_line" and o.get("indent_para"):
        return ["　　" + text]
    return [text]


def render_text(rep, rng: random.Random) -> tuple[str, dict]:
    layout = rep.layout
    o = {
        "cover": rng.choice(["once", "once", "none", "each"]),
        "nbsp_blank": rng.random() < 0.3,
        "wrap_blank": rng.random() < 0.4,
        "pad_nbsp": rng.random() < 0.3,
        "wrap": rng.choice({"pipe": ["spill", "join"], "markdown": ["br", "spill", "join"],
                            "tab_rows": ["raw", "spill", "join"]}.get(layout, ["spill"])),
        "fig_pos": rng.choice(["first", "last"] + (["middle"] if layout == "pdftotext" else [])),
        "lead": rng.random() < 0.4,
        "synthetic_header": True,
        "align": rng.random() < 0.3,
        "trailing": rng.random() < 0.5,
        "gap": rng.choice([2, 3, 4]),
        "label_cap": rng.choice([16, 20, 24, 28]),
        "indent": rng.choice([0, 2, 4]),
        "row_gap": rng.choice([0, 0, 1]),
        "fig_align": rng.choice(["right", "center"]),
        "center_groups": rng.random() < 0.6,
        "para_width": rng.choice([70, 80, 84]),
        "page_len": rng.randint(38, 56),
        "repeat_header": rng.random() < 0.6,
        "page_no": rng.choice(["- {n} -", "{n}", "第 {n} 页", "— {n} —"]),
        "indent_para": rng.random() < 0.3,
        "crlf": rng.random() < 0.2,
    }
    lines: list = []            # (text, table_header_lines or None)
    fn = {"cell_per_line": table_cell_per_line, "blank_line": table_blank_line, "pipe": table_pipe,
          "markdown": table_markdown, "tab_rows": table_tab_rows}.get(layout)

    def add(txt, hdr=None):
        lines.append((txt, hdr))

    for kind, val in rep.blocks:
        if kind == "title":
            if layout == "markdown":
                add("# " + val)
            elif layout == "pdftotext":
                add(" " * max(0, (o["para_width"] - dwidth(val)) // 2) + val)
            else:
                add(val)
            add("")
        elif kind == "subtitle":
            add(" " * 30 + val if layout == "pdftotext" else val)
            add("")
        elif kind == "heading":
            add(("## " + val) if layout == "markdown" else (("    " if rng.random() < 0.3 else "") + val))
            if layout != "pdftotext" or rng.random() < 0.5:
                add("")
        elif kind in ("para", "sign"):
            if kind == "sign" and layout == "pdftotext":
                add(" " * 50 + val)
                continue
            for l in _para_lines(val, layout, o):
                add(l)
            if layout != "pdftotext":
                add("")
        elif kind == "table":
            t = val
            if t.heading:
                add(("### " + t.heading) if layout == "markdown" else t.heading)
                if layout in ("markdown", "blank_line"):
                    add("")
            if layout == "pdftotext":
                tl, hdr = table_pdftotext(t, rng, o)
                hl = tl[:hdr] if (hdr and o["repeat_header"] and t.name == "requests") else None
                for l in tl:
                    add(l, hl)
                add("")
            else:
                for l in fn(t, rng, o):
                    add(l)
                add("")
    if layout == "pdftotext":
        out, n, page = [], 0, 1
        for txt, hl in lines:
            out.append(txt)
            n += 1
            if n >= o["page_len"]:
                out += ["", " " * 38 + o["page_no"].format(n=page), "\f"]
                page += 1
                n = 0
                if hl:
                    out += hl
                    n += len(hl)
        out += ["", " " * 38 + o["page_no"].format(n=page), "\f"]
        text = "\n".join(out)
    else:
        text = "\n".join(t for t, _ in lines)
    if o["crlf"] and layout != "pdftotext":
        text = text.replace("\n", "\r\n")
    return text, o

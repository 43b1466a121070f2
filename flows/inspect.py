"""`xxgk inspect FILE`: why is this cell null?  A plain-text view of what the
readers made of one file: format and encoding (or the rejection and its
code), every table found as a grid, which of tables 2/3/4 each was taken
for, each row's label match and each figure's placement.  The decisions come
from extract.explain; this module only formats them (and, with --png, draws
the detected cells over the PDF's pages).
"""
from __future__ import annotations

from pathlib import Path

# extract.explain is imported where used: the CLI builds this command's
# help on every start, `xxgk run` included

DESCRIPTION = """\
Show what xxgk reads in one report file, to answer "why is this cell null?"
or "why was this file rejected?".  Prints, in plain text:

  * the format (text, html, markdown, docx, pdf) and encoding, or the
    reason the file was rejected with its error code (docs/contract.md);
  * the report's template, year, agency and the layout its tables were read in;
  * every table found as a grid, row by row, each cell with its position and
    spans: [r3 c0 rs8] （三）不予公开 is a cell starting at grid row 3,
    column 0, spanning 8 rows (cs: columns);
  * which of tables 2, 3 and 4 each grid was taken for (or none);
  * under each row, the reader's decision: a header row, the row key its
    labels matched (or 'no known label'), and each figure placed under
    its column key with the grid column it came from and, for money, the
    unit read from the header; or the note saying why it was not placed;
  * the cells extracted per table, the extraction's notes, and every cell
    left null.

Text files whose tables were flattened to lines have no grids: their rows are
read by the text layouts, and only the extracted cells and notes are shown.
"""

EPILOG = """\
examples:
  xxgk inspect data/samples/reports/jiangsu/2021/report_000003.txt
  xxgk inspect report.pdf --png /tmp/pages      # pages with their detected cells boxed
  xxgk inspect report.docx | grep -n 'no known label'
"""


def _cell(row: int, col: int, rowspan: int, colspan: int, text: str) -> str:
    spans = (f" rs{rowspan}" if rowspan > 1 else "") + (f" cs{colspan}" if colspan > 1 else "")
    return f"[r{row} c{col}{spans}] " + text.replace("\n", "⏎")


def _decision(d: dict) -> list[str]:
    from extract.explain import key_name
    role = d["role"]
    if role == "header":
        return ["    = header row" + (f" (names {key_name(d['key'])})" if d.get("key") else "")]
    if role == "continuation":
        return [f"    = continues the label of row {key_name(d['key'])} above"]
    if d.get("key") is None and not d.get("placed"):
        why = d.get("note") or "no known label"
        labels = " | ".join(d["labels"])[:80]
        return [f"    => {'no known label' if why == 'no known label' else why}"
                + (f" (labels: {labels})" if labels else "")]
    how = {"header": "columns by header", "position": "columns by position"}.get(d.get("how"), "")
    head = f"    => row {key_name(d['key'])}" if d.get("key") is not None else "    => row"
    lines = [head + (f" ({how})" if how else "")]
    units = d.get("units") or {}
    for name, col, value in d.get("placed", []):
        unit = f"  unit {units[name] or 'none printed'}" if name in units else ""
        where = f"c{col}" if col is not None else "merged"
        lines.append(f"       {key_name(name)} <- {value!r} ({where}){unit}")
    if d.get("note"):
        lines.append(f"       not placed: {d['note']}")
    return lines


def format_explanation(path: str, ex) -> str:
    """An extract.explain.Explanation as the text `xxgk inspect` prints."""
    from extract.explain import KIND_NAMES, key_name
    out = [f"xxgk inspect: {path} ({ex.size} bytes)"]
    if ex.format:
        fmt = f"format: {ex.format}"
        if ex.encoding:
            fmt += f", encoding {ex.encoding}"
        if ex.pages:
            fmt += f", {ex.pages} page{'s' if ex.pages != 1 else ''}"
        out.append(fmt)
    if ex.error:
        out.append(f"rejected: {ex.error} [error code {ex.error_code}]")
    e = ex.extraction
    if e is not None:
        out.append(f"report: template {e.template}, year {e.year}, agency {e.agency}, tables read as {e.layout}")
        units = ", ".join(f"{k} {v}" for k, v in e.money_units.items())
        if units:
            out.append(f"money units: {units}")
    if ex.format and not ex.grids and ex.error_code not in ("scanned_pdf", "encrypted", "broken_document"):
        out.append("no grids: the tables are read from text lines by the text layouts")
    elif ex.grids:
        out.append(f"grids: {len(ex.grids)}")
    for g in ex.grids:
        where = f"page {g.page + 1}, " if g.page is not None else ""
        out.append("")
        out.append(f"grid {g.index + 1} of {len(ex.grids)} ({where}{g.n_rows} rows x {g.n_cols} cols): "
                   + (f"taken for {KIND_NAMES[g.kind]}" if g.kind else "none of tables 2/3/4"))
        by_row: dict[int, list] = {}
        for cell in g.cells:
            by_row.setdefault(cell[0], []).append(cell)
        for r in range(g.n_rows):
            out.append(f"  row {r}:")
            out.extend("    " + _cell(*c) for c in by_row.get(r, []))
            for d in g.decisions.get(r, []):
                out.extend(_decision(d))
    if e is not None:
        out.append("")
        out.append("extracted:")
        for name, cells in (("table 2", e.active), ("table 3", e.requests), ("table 4", e.review)):
            if cells is None:
                out.append(f"  {name}: not found")
                continue
            for key, values in cells.items():
                out.append(f"  {name} {key_name(key)}: " + " | ".join("NULL" if v is None else repr(v) for v in values))
        out.append("notes:" if e.notes else "notes: none")
        out.extend(f"  {n}" for n in e.notes)
        out.append(f"null cells: {len(ex.null_cells)}" if ex.null_cells else "null cells: none")
        out.extend(f"  {n}" for n in ex.null_cells)
    return "\n".join(out)


def draw_pages(raw: bytes, ex, out_dir: Path, scale: float = 2.0) -> list[Path]:
    """Each PDF page holding a detected table as a PNG, the cells' boxes drawn."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    boxes: dict[int, list] = {}
    for g in ex.grids:
        for box in g.boxes:
            boxes.setdefault(box[0], []).append(box[1:])
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    pdf = pdfium.PdfDocument(raw)
    try:
        for index in sorted(boxes):
            page = pdf[index]
            try:
                image = page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
            draw = ImageDraw.Draw(image)
            for x0, top, x1, bottom in boxes[index]:
                draw.rectangle([x0 * scale + 1, top * scale + 1, x1 * scale - 1, bottom * scale - 1],
                               outline=(220, 30, 30), width=2)
            path = out_dir / f"page-{index + 1:03d}.png"
            image.save(path)
            written.append(path)
    finally:
        pdf.close()
    return written


def inspect(path: str, png: str | None = None) -> int:
    from extract.explain import explain_bytes

    raw = Path(path).read_bytes()
    ex = explain_bytes(raw)
    try:
        print(format_explanation(path, ex), flush=True)
    except BrokenPipeError:          # `xxgk inspect FILE | head`
        import os
        import sys
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if png:
        if ex.format != "pdf" or not ex.grids:
            print(f"--png: no PDF page with a table to draw ({ex.format or 'not a document'})")
        else:
            for p in draw_pages(raw, ex, Path(png)):
                print(f"wrote {p}")
    return 0

"""Raw extracted cells -> canonical tidy frames (schema.md), per batch.

Columns are built as plain lists for a whole batch and turned into one
DataFrame per dataset: no per-report DataFrames.  Every cell the template
expects is emitted for every table that was found, so a missing or unplaced
cell is a row with ``raw`` null and a ``cell_error`` -- visible to analysts and
to the expectation suites -- rather than a silently absent row.
"""
from __future__ import annotations

import pandas as pd

from extract.normalise import CellError, parse_count, parse_money_wan
from extract.files import ParsedReport
from extract.templates import (
    ACTIVE_METRICS, APPLICANTS, MONEY_METRICS, OUTCOMES, PROCEEDINGS, REQUEST_ROW_KEYS, REQUEST_ROWS,
    active_items,
)

PARSER_VERSION = "0.1.0"

ROW_KEYS = tuple(r.key for r in REQUEST_ROWS)
ARTICLES = ("art20_1", "art20_5", "art20_6", "art20_8", "art20_9")
ITEMS = tuple(dict.fromkeys(i for t in ("2019", "2021") for _, i in active_items(t)))
METRICS = tuple(dict.fromkeys(m for t in ACTIVE_METRICS.values() for ms in t.values() for m in ms))
STATUSES = ("ok", "invalid", "rejected")


def _category(values, categories) -> pd.Categorical:
    return pd.Categorical(values, categories=list(categories))


def _count(raw: str | None, missing_reason: str) -> tuple[int | None, str | None]:
    if raw is None:
        return None, missing_reason
    try:
        return parse_count(raw), None
    except CellError as exc:
        return None, str(exc)


def _missing_reason(notes: dict, key: str) -> str:
    return notes.get(key, "cell not found")


def build_frames(batch: list[ParsedReport]) -> dict[str, pd.DataFrame]:
    """The five datasets for one batch.  ``status`` is left null: the
    expectation suites decide it (see expectations.validate)."""
    rep = {k: [] for k in ("report_id", "source_path", "encoding", "template", "year", "agency",
                          "status", "error", "layout", "size", "mtime_ns", "notes", "tables_found",
                          "parser_version")}
    req = {k: [] for k in ("report_id", "year", "row", "applicant", "value", "raw", "cell_error")}
    rev = {k: [] for k in ("report_id", "year", "proceeding", "outcome", "value", "raw", "cell_error")}
    act = {k: [] for k in ("report_id", "year", "article", "item", "metric", "value", "raw", "cell_error")}
    sec = {k: [] for k in ("report_id", "number", "title", "text")}

    first_path: dict[str, str] = {}
    for p in batch:
        if p.report_id is not None and p.extraction is not None:
            if p.report_id in first_path:
                p.extraction, p.error = None, f"duplicate of {first_path[p.report_id]}"
            else:
                first_path[p.report_id] = p.source_path
        e = p.extraction
        rep["report_id"].append(p.report_id)
        rep["source_path"].append(p.source_path)
        rep["encoding"].append(p.encoding)
        rep["size"].append(p.size)
        rep["mtime_ns"].append(p.mtime_ns)
        rep["parser_version"].append(PARSER_VERSION)
        rep["status"].append("rejected" if e is None else None)
        rep["error"].append(p.error if e is None else None)
        if e is None:
            for k in ("template", "year", "agency", "layout", "notes", "tables_found"):
                rep[k].append(None)
            continue
        rep["template"].append(e.template)
        rep["year"].append(e.year)
        rep["agency"].append(e.agency)
        rep["layout"].append(e.layout)
        rep["notes"].append("; ".join(e.notes) or None)
        rep["tables_found"].append(sum(t is not None for t in (e.active, e.requests, e.review)))
        rid, year = p.report_id, e.year
        notes = _row_notes(e.notes)

        if e.requests is not None:
            keys = REQUEST_ROW_KEYS.get(e.template) or tuple(k for k in ROW_KEYS if k in e.requests)
            for row in keys:
                cells = e.requests.get(row) or [None] * len(APPLICANTS)
                reason = _missing_reason(notes, f"requests.{row}")
                for applicant, raw in zip(APPLICANTS, cells):
                    _append_cell(req, rid, year, (("row", row), ("applicant", applicant)), raw, *_count(raw, reason))

        if e.review is not None:
            for proceeding in PROCEEDINGS:
                cells = e.review.get(proceeding) or [None] * len(OUTCOMES)
                reason = _missing_reason(notes, f"review_litigation.{proceeding}") if proceeding in e.review \
                    else notes.get("review_litigation", "cell not found")
                for outcome, raw in zip(OUTCOMES, cells):
                    _append_cell(rev, rid, year, (("proceeding", proceeding), ("outcome", outcome)), raw,
                                 *_count(raw, reason))

        if e.active is not None:
            template = e.template
            items = active_items(template) if template else list(e.active)
            for article, item in items:
                metrics = ACTIVE_METRICS[template][article] if template else ()
                cells = e.active.get((article, item)) or [None] * len(metrics)
                reason = _missing_reason(notes, f"active_disclosure.{article}.{item}")
                for metric, raw in zip(metrics, cells):
                    _append_cell(act, rid, year, (("article", article), ("item", item), ("metric", metric)), raw,
                                 *_active_value(metric, raw, reason, e.money_units))

        for number, title, text in e.sections:
            sec["report_id"].append(rid); sec["number"].append(number)
            sec["title"].append(title); sec["text"].append(text)

    return {
        "reports": _reports_frame(rep),
        "requests": _cells_frame(req, {"row": ROW_KEYS, "applicant": APPLICANTS}, "Int64"),
        "review_litigation": _cells_frame(rev, {"proceeding": PROCEEDINGS, "outcome": OUTCOMES}, "Int64"),
        "active_disclosure": _cells_frame(act, {"article": ARTICLES, "item": ITEMS, "metric": METRICS}, "float64"),
        "sections": pd.DataFrame({
            "report_id": pd.array(sec["report_id"], dtype="string"),
            "number": pd.array(sec["number"], dtype="Int64"),
            "title": pd.array(sec["title"], dtype="string"),
            "text": pd.array(sec["text"], dtype="string"),
        }),
    }


def _append_cell(cols: dict, rid: str, year, keys, raw, value, err) -> None:
    cols["report_id"].append(rid)
    cols["year"].append(year)
    for name, key in keys:
        cols[name].append(key)
    cols["value"].append(value)
    cols["raw"].append(raw)
    cols["cell_error"].append(err)


def _row_notes(notes: list[str]) -> dict[str, str]:
    """'requests.new_received: 5 cells for 7 columns' -> {key: 'not placed: …'}."""
    out = {}
    for note in notes:
        key, _, why = note.partition(": ")
        if why:
            out.setdefault(key, f"not placed: {why}")
    return out


def _active_value(metric: str, raw: str | None, reason: str, money_units: dict) -> tuple[float | None, str | None]:
    if raw is None:
        return None, reason
    try:
        if metric in MONEY_METRICS:
            return parse_money_wan(raw, money_units.get(metric, "万元")), None
        value = parse_count(raw)
        return (None if value is None else float(value)), None
    except CellError as exc:
        return None, str(exc)


def _reports_frame(rep: dict) -> pd.DataFrame:
    string_cols = ("report_id", "source_path", "encoding", "template", "agency", "status", "error",
                   "layout", "notes", "parser_version")
    frame = {}
    for k, v in rep.items():
        if k in string_cols:
            frame[k] = pd.array(v, dtype="string")
        elif k in ("year", "size", "mtime_ns", "tables_found"):
            frame[k] = pd.array(v, dtype="Int64")
    return pd.DataFrame(frame)[list(rep)]


def _cells_frame(cols: dict, categories: dict, value_dtype: str) -> pd.DataFrame:
    frame = {
        "report_id": pd.array(cols["report_id"], dtype="string"),
        "year": pd.array(cols["year"], dtype="Int64"),
    }
    for k, cats in categories.items():
        frame[k] = _category(cols[k], cats)
    frame["value"] = pd.array(cols["value"], dtype=value_dtype) if value_dtype == "Int64" \
        else pd.array([float("nan") if v is None else v for v in cols["value"]], dtype="float64")
    frame["raw"] = pd.array(cols["raw"], dtype="string")
    frame["cell_error"] = pd.array(cols["cell_error"], dtype="string")
    return pd.DataFrame(frame)


def drop_seen_duplicates(frames: dict[str, pd.DataFrame], seen: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Reject reports whose content an earlier batch (or a carried-over file)
    already holds, dropping their rows; record the rest in ``seen``."""
    reports = frames["reports"]
    live = reports["error"].isna() & reports["report_id"].notna()
    dup = live & reports["report_id"].isin(list(seen))
    if dup.any():
        reports = reports.copy()
        reports.loc[dup, "error"] = ["duplicate of " + seen[r] for r in reports.loc[dup, "report_id"]]
        reports.loc[dup, "status"] = "rejected"
        dup_ids = set(reports.loc[dup, "report_id"])
        frames = {k: (v if k == "reports" else v[~v["report_id"].isin(dup_ids)].reset_index(drop=True))
                  for k, v in frames.items()}
        frames["reports"] = reports
    for rid, path in zip(reports.loc[live & ~dup, "report_id"], reports.loc[live & ~dup, "source_path"]):
        seen[rid] = path
    return frames


def empty_frames() -> dict[str, pd.DataFrame]:
    """Zero-row frames with every dataset's columns and dtypes."""
    return build_frames([])

"""Compare what xxgk extracted with a synth corpus's truth.

cell accuracy: cells whose value equals the truth (null = null) / truth cells;
status accuracy: reports whose status equals the truth's;
silent errors: reports marked ok with any cell unlike the truth -- the one
number that must stay at zero.
"""
from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd

from extract.templates import APPLICANTS, OUTCOMES


def _same(a, b) -> bool:
    a_null = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    b_null = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if a_null or b_null:
        return a_null and b_null
    return abs(float(a) - float(b)) < 1e-6


def _cells_by_report(frames: dict[str, pd.DataFrame]) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(dict)
    req = frames["requests"]
    for rid, row, app, v in zip(req["report_id"], req["row"], req["applicant"], req["value"]):
        out[rid][("requests", row, app)] = v
    rev = frames["review_litigation"]
    for rid, p, o, v in zip(rev["report_id"], rev["proceeding"], rev["outcome"], rev["value"]):
        out[rid][("review_litigation", p, o)] = v
    act = frames["active_disclosure"]
    for rid, a, i, m, v in zip(act["report_id"], act["article"], act["item"], act["metric"], act["value"]):
        out[rid][("active_disclosure", f"{a}|{i}", m)] = v
    return out


def truth_cells(rec: dict) -> dict:
    from extract.templates import ACTIVE_METRICS

    cells = {}
    # a row's cells as a list in key order (xxgk synth) or by key (hand-typed truth)
    for row, values in (rec.get("requests") or {}).items():
        for app in APPLICANTS:
            cells[("requests", row, app)] = values.get(app) if isinstance(values, dict) else values[APPLICANTS.index(app)]
    for p, values in (rec.get("review_litigation") or {}).items():
        for o in OUTCOMES:
            cells[("review_litigation", p, o)] = values.get(o) if isinstance(values, dict) else values[OUTCOMES.index(o)]
    active = rec.get("active_disclosure") or {}
    for ai, values in active.items():
        if isinstance(values, dict):        # {article: {item: {metric: value}}}
            for item, metrics in values.items():
                for m, v in metrics.items():
                    cells[("active_disclosure", f"{ai}|{item}", m)] = v
            continue
        article = ai.split("|")[0]
        for m, v in zip(ACTIVE_METRICS[rec["template"]][article], values):
            cells[("active_disclosure", ai, m)] = v
    return cells


def _eq(got, want) -> bool:
    """Equal, with pandas' missing values equal to None."""
    if got is None or got is pd.NA or (isinstance(got, float) and got != got):
        return want is None
    return want is not None and got == want


def evaluate(frames: dict[str, pd.DataFrame], truth: dict) -> dict:
    reports = frames["reports"].set_index("source_path")
    got_cells = _cells_by_report(frames)
    groups: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(int))
    silent, wrong_status, wrong_cells = [], [], []
    for rel, rec in truth["files"].items():
        rep = reports.loc[rel]
        status = rep["status"]
        keys = [("all", "all"), ("layout", str(rec.get("layout"))), ("encoding", str(rec.get("encoding"))),
                ("template", str(rec.get("template")))]
        ok_status = status == rec["status"]
        for k in keys:
            g = groups[k]
            g["reports"] += 1
            g["status_ok"] += ok_status
        if not ok_status:
            wrong_status.append((rel, rec["status"], status, rep.get("notes")))
        if rec["kind"] != "report":
            continue
        if not _eq(rep["encoding"], rec["encoding"]):
            for k in keys:
                groups[k]["encoding_wrong"] += 1
        agencies = [rec.get("agency")] + list(rec.get("agency_alternatives") or [])
        agency_ok = any(_eq(rep["agency"], a) for a in agencies)
        meta_ok = _eq(rep["template"], rec["template"]) and _eq(rep["year"], rec["year"]) and agency_ok
        has_body = "agency_key" in rec         # truths written before reports had keys have none
        key_ok = has_body and _eq(rep.get("agency_key"), rec["agency_key"])
        region_ok = has_body and all(_eq(rep.get(c), rec.get(c)) for c in ("province", "city", "county"))
        want = truth_cells(rec)
        got = got_cells.get(rep["report_id"], {})
        bad = [c for c, v in want.items() if not _same(got.get(c), v)]
        for k in keys:
            g = groups[k]
            g["cells"] += len(want)
            g["cells_ok"] += len(want) - len(bad)
            g["meta_ok"] += meta_ok
            g["agency_ok"] += agency_ok
            g["body_reports"] += has_body
            g["key_ok"] += key_ok
            g["region_ok"] += region_ok
            g["meta_reports"] += 1
            for table in ("requests", "review_litigation", "active_disclosure"):
                mine = [c for c in want if c[0] == table]
                g[f"{table}_cells"] += len(mine)
                g[f"{table}_ok"] += len(mine) - sum(1 for c in bad if c[0] == table)
        if bad:
            wrong_cells.append((rel, bad[:5], len(bad)))
            if status == "ok":
                silent.append((rel, bad[:5]))
    table = []
    for (dim, name), g in sorted(groups.items()):
        table.append({
            "by": dim, "value": name, "reports": g["reports"],
            "cell_accuracy": round(g["cells_ok"] / g["cells"], 5) if g["cells"] else None,
            "status_accuracy": round(g["status_ok"] / g["reports"], 4),
            "metadata_accuracy": round(g["meta_ok"] / g["meta_reports"], 4) if g["meta_reports"] else None,
            "agency_accuracy": round(g["agency_ok"] / g["meta_reports"], 4) if g["meta_reports"] else None,
            "agency_key_accuracy": round(g["key_ok"] / g["body_reports"], 4) if g["body_reports"] else None,
            "region_accuracy": round(g["region_ok"] / g["body_reports"], 4) if g["body_reports"] else None,
            **{f"{t}_accuracy": round(g[f"{t}_ok"] / g[f"{t}_cells"], 5) if g[f"{t}_cells"] else None
               for t in ("requests", "review_litigation", "active_disclosure")},
        })
    return {"table": table, "silent_errors": silent, "wrong_status": wrong_status, "wrong_cells": wrong_cells}


def format_table(result: dict) -> str:
    lines = [f"{'by':9} {'value':12} {'reports':>7} {'cells':>8} {'status':>7} {'meta':>6}"]
    for r in result["table"]:
        cell = f"{r['cell_accuracy']:.4%}" if r["cell_accuracy"] is not None else "-"
        meta = f"{r['metadata_accuracy']:.1%}" if r["metadata_accuracy"] is not None else "-"
        lines.append(f"{r['by']:9} {r['value']:12} {r['reports']:>7} {cell:>8} {r['status_accuracy']:>7.2%} {meta:>6}")
    lines.append(f"silent errors (ok with a wrong cell): {len(result['silent_errors'])}")
    return "\n".join(lines)

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
    for row, values in rec["requests"].items():
        for app, v in zip(APPLICANTS, values):
            cells[("requests", row, app)] = v
    for p, values in rec["review_litigation"].items():
        for o, v in zip(OUTCOMES, values):
            cells[("review_litigation", p, o)] = v
    for ai, values in rec["active_disclosure"].items():
        article = ai.split("|")[0]
        for m, v in zip(ACTIVE_METRICS[rec["template"]][article], values):
            cells[("active_disclosure", ai, m)] = v
    return cells


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
        if rep["encoding"] != rec["encoding"]:
            for k in keys:
                groups[k]["encoding_wrong"] += 1
        meta_ok = rep["template"] == rec["template"] and rep["year"] == rec["year"] and rep["agency"] == rec["agency"]
        want = truth_cells(rec)
        got = got_cells.get(rep["report_id"], {})
        bad = [c for c, v in want.items() if not _same(got.get(c), v)]
        for k in keys:
            g = groups[k]
            g["cells"] += len(want)
            g["cells_ok"] += len(want) - len(bad)
            g["meta_ok"] += meta_ok
            g["meta_reports"] += 1
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

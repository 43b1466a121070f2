"""Score a warehouse against a blind truth.json:
`python -m synth.blind.score DIR/truth.json WAREHOUSE [--json]`.

A cell is right when the warehouse value equals the truth (null = null;
money within 1e-6 relative).  A truth cell absent from the warehouse is
wrong.  Reports the accuracy of cells per table, of status, agency, year
and template, overall and per format / layout / template, and the SILENT
ERRORS: reports the warehouse marks ok with any wrong cell.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

TABLES = {"requests": ("row", "applicant"), "review_litigation": ("proceeding", "outcome"),
          "active_disclosure": ("article", "item", "metric")}
MONEY = {"procurement_amount", "fee_amount"}


def _read(wh: Path, name: str):
    import pandas as pd
    p = wh / name
    if not p.exists():
        return pd.DataFrame()
    try:
        return pd.read_parquet(p)
    except Exception as e:           # noqa: BLE001
        print(f"warning: cannot read {p}: {e}", file=sys.stderr)
        return pd.DataFrame()


def _isnull(v) -> bool:
    if v is None:
        return True
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return True
    except Exception:                # noqa: BLE001
        pass
    try:
        return isinstance(v, float) and math.isnan(v)
    except Exception:                # noqa: BLE001
        return False


def _clean(v):
    if _isnull(v):
        return None
    if hasattr(v, "item"):
        try:
            v = v.item()
        except Exception:            # noqa: BLE001
            pass
    return v


def same(truth, got, money: bool) -> bool:
    if truth is None or got is None:
        return truth is None and got is None
    try:
        t, g = float(truth), float(got)
    except (TypeError, ValueError):
        return False
    if money:
        return abs(t - g) <= 1e-6 * max(1.0, abs(t))
    return abs(t - g) < 1e-9


def truth_cells(entry: dict) -> dict:
    out = {}
    for tname, keys in TABLES.items():
        tab = entry.get(tname)
        if not tab:
            continue
        if len(keys) == 2:
            for a, cols in tab.items():
                for b, v in cols.items():
                    out[(tname, a, b)] = v
        else:
            for a, items in tab.items():
                for b, ms in items.items():
                    for c, v in ms.items():
                        out[(tname, a, b, c)] = v
    return out


def warehouse_cells(frames: dict) -> dict:
    """report_id -> {cell key: value}"""
    out: dict = defaultdict(dict)
    for tname, keys in TABLES.items():
        df = frames.get(tname)
        if df is None or df.empty or "report_id" not in df.columns or "value" not in df.columns:
            continue
        if any(k not in df.columns for k in keys):
            continue
        cols = ["report_id", *keys, "value"]
        for row in df[cols].itertuples(index=False, name=None):
            rid = row[0]
            key = (tname, *[str(x) for x in row[1:-1]])
            out[rid][key] = _clean(row[-1])
    return out


class Acc:
    def __init__(self):
        self.n = 0
        self.ok = 0

    def add(self, good: bool):
        self.n += 1
        self.ok += bool(good)

    def rate(self):
        return None if self.n == 0 else self.ok / self.n

    def as_dict(self):
        return {"right": self.ok, "total": self.n, "accuracy": self.rate()}


def score(truth_path: Path, wh: Path) -> dict:
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    files = truth["files"]
    reports = _read(wh, "reports")
    frames = {t: _read(wh, t) for t in TABLES}
    wcells = warehouse_cells(frames)
    by_path = {}
    if not reports.empty and "source_path" in reports.columns:
        for rec in reports.to_dict("records"):
            by_path[str(rec["source_path"]).replace("\\", "/")] = {k: _clean(v) for k, v in rec.items()}
    groups: dict = defaultdict(lambda: defaultdict(Acc))   # group -> metric -> Acc
    silent, missing_files, status_confusion = [], [], defaultdict(int)
    per_file = {}
    for path, t in sorted(files.items()):
        w = by_path.get(path)
        gkeys = ["overall", f"format={t.get('format')}", f"layout={t.get('layout')}",
                 f"template={t.get('template')}", f"kind={t.get('kind')}"]
        accs = [groups[g] for g in gkeys]

        def add(metric, good):
            for a in accs:
                a[metric].add(good)
        if w is None:
            missing_files.append(path)
        wstatus = w.get("status") if w else None
        add("status", wstatus == t.get("status"))
        status_confusion[(t.get("status"), wstatus)] += 1
        if t.get("kind") != "report":
            per_file[path] = {"status": [t.get("status"), wstatus]}
            continue
        agencies = {t.get("agency")} | set(t.get("agency_alternatives") or [])
        add("agency", bool(w) and w.get("agency") in agencies)
        wy = w.get("year") if w else None
        add("year", wy is not None and int(wy) == int(t["year"]))
        add("template", bool(w) and str(w.get("template")) == str(t.get("template")))
        rid = w.get("report_id") if w else None
        got = wcells.get(rid, {}) if rid is not None else {}
        wrong = []
        for key, tv in truth_cells(t).items():
            gv = got.get(key, "<absent>")
            good = gv != "<absent>" and same(tv, gv, key[-1] in MONEY)
            add(f"cells:{key[0]}", good)
            add("cells:all", good)
            if not good:
                wrong.append({"cell": "/".join(key), "truth": tv, "got": None if gv == "<absent>" else gv,
                              "absent": gv == "<absent>"})
        per_file[path] = {"status": [t.get("status"), wstatus], "wrong_cells": len(wrong)}
        if wstatus == "ok" and wrong:
            silent.append({"path": path, "layout": t.get("layout"), "format": t.get("format"),
                           "truth_status": t.get("status"), "defect": t.get("defect"),
                           "wrong": wrong})
    res = {
        "truth": str(truth_path), "warehouse": str(wh),
        "files_in_truth": len(files), "files_in_warehouse": len(by_path),
        "missing_from_warehouse": missing_files,
        "groups": {g: {m: a.as_dict() for m, a in sorted(ms.items())} for g, ms in sorted(groups.items())},
        "status_confusion": [{"truth": k[0], "warehouse": k[1], "n": v} for k, v in sorted(
            status_confusion.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))],
        "silent_errors": silent,
        "per_file": per_file,
    }
    return res


def _fmt(a: dict) -> str:
    if not a or a["total"] == 0:
        return "      -      "
    return f"{100 * a['accuracy']:6.2f}% ({a['right']}/{a['total']})"


def print_report(res: dict) -> None:
    print(f"truth: {res['truth']}  warehouse: {res['warehouse']}")
    print(f"files in truth {res['files_in_truth']}, in warehouse {res['files_in_warehouse']}, "
          f"missing {len(res['missing_from_warehouse'])}")
    metrics = ["status", "agency", "year", "template", "cells:all", "cells:requests", "cells:review_litigation",
               "cells:active_disclosure"]
    print(f"{'group':24s} " + " ".join(f"{m:>24s}" for m in metrics))
    order = sorted(res["groups"], key=lambda g: (g != "overall", g.split("=")[0], g))
    for g in order:
        ms = res["groups"][g]
        print(f"{g:24s} " + " ".join(f"{_fmt(ms.get(m)):>24s}" for m in metrics))
    print("\nstatus (truth -> warehouse):")
    for c in res["status_confusion"]:
        print(f"  {str(c['truth']):8s} -> {str(c['warehouse']):8s} {c['n']}")
    print(f"\nSILENT ERRORS (warehouse ok, some cell wrong): {len(res['silent_errors'])}")
    for s in res["silent_errors"]:
        cells = ", ".join(f"{w['cell']}={w['got']!r} (truth {w['truth']!r})" for w in s["wrong"][:8])
        more = f" … +{len(s['wrong']) - 8}" if len(s["wrong"]) > 8 else ""
        print(f"  [{s['layout']}] {s['path']} (truth {s['truth_status']}): {cells}{more}")
    if res["missing_from_warehouse"]:
        print(f"\nnot in warehouse: {len(res['missing_from_warehouse'])}")
        for p in res["missing_from_warehouse"][:20]:
            print("  " + p)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synth.blind.score")
    ap.add_argument("truth")
    ap.add_argument("warehouse")
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    a = ap.parse_args(argv)
    res = score(Path(a.truth), Path(a.warehouse))
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    else:
        print_report(res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

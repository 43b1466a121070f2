"""Score the checks across documents of a warehouse against a
synth.blind.series truth: `python -m synth.blind.score_across DIR/truth.json WAREHOUSE [--json]`.

carried_over_matches_previous_year: a case is a body and year whose body
also reported the year before (expected match, or mismatch with the
columns that differ); the copies of one report (a page and a PDF) are one
case.  prose_matches_tables: a case is a report whose prose states at
least one measure plainly (expected success unless a stated figure
contradicts its table).

- coverage: the share of cases with a validations row of the expectation;
- agreement: among the cases with a row, the share whose row says what
  the truth says.  Strict agreement also wants a failing row to name
  exactly the differing columns (cross_year) or contradicted measures
  (prose), and the previous year's report to be the same body's;
- cross-body comparisons: rows that compared two different bodies (read
  from the details of a failing row, else from the agency_key and primary
  report of the year before, which is what the check compares);
- spurious rows: cross_year rows where the body has no report of the year
  before, failing prose rows on reports that state nothing plainly.
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

CROSS = "carried_over_matches_previous_year"
PROSE = "prose_matches_tables"
_CROSS_DETAIL = re.compile(r"(\w+): carried_over (\S+) in (\d+) \((.*?)\), carried_forward (\S+) in (\d+) \((.*?)\)"
                           r"(?=; |$)")
_PROSE_DETAIL = re.compile(r"the prose states (\w+) = ")


def _read(wh: Path, name: str):
    import pandas as pd
    p = wh / name
    if not p.exists():
        return pd.DataFrame()
    return pd.read_parquet(p)


def _rate(num: int, den: int):
    return None if den == 0 else num / den


def score(truth_path: Path, wh: Path) -> dict:
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    files = truth["files"]
    reports = _read(wh, "reports")
    validations = _read(wh, "validations")
    rep_of_path = {}
    path_of_rid = {}
    for rec in reports.to_dict("records"):
        path = str(rec["source_path"]).replace("\\", "/")
        rep_of_path[path] = rec
        if rec.get("error") is None or str(rec.get("error")) in ("None", "nan", "<NA>"):
            path_of_rid.setdefault(rec["report_id"], path)
    rows = defaultdict(dict)          # report_id -> expectation -> (success, details)
    for rec in validations.to_dict("records"):
        if rec["expectation"] in (CROSS, PROSE):
            d = rec.get("details")
            rows[rec["report_id"]][str(rec["expectation"])] = (bool(rec["success"]), None if d is None or
                                                               str(d) in ("<NA>", "nan") else str(d))

    def row_of(path: str, expectation: str):
        rec = rep_of_path.get(path)
        if rec is None:
            return None
        return rows.get(rec["report_id"], {}).get(expectation)

    # the primary report of each (agency_key, year): what a passing cross_year row compared
    primary = {}
    for rec in reports.to_dict("records"):
        key, year = rec.get("agency_key"), rec.get("year")
        if key is None or str(key) in ("<NA>", "nan") or year is None or str(year) in ("<NA>", "nan"):
            continue
        if bool(rec.get("primary")) and (rec.get("error") is None or str(rec.get("error")) in ("None", "<NA>", "nan")):
            primary.setdefault((str(key), int(year)), []).append(str(rec["source_path"]))
    body_of = {p: t["body"] for p, t in files.items()}
    year_of = {p: t["year"] for p, t in files.items()}

    # ---------------------------------------------------------------- cross_year
    cases = defaultdict(list)          # (body, year) -> paths
    for p, t in files.items():
        cases[(t["body"], t["year"])].append(p)
    cy = Counter()
    cy_wrong, cross_body, spurious = [], [], []
    for (body, year), paths in sorted(cases.items()):
        expect = files[paths[0]]["cross_year"]
        got = [(p, row_of(p, CROSS)) for p in paths]
        got = [(p, r) for p, r in got if r is not None]
        # which reports were compared
        for p, (ok, details) in got:
            compared = set()
            if details:
                compared = {m.group(7) for m in _CROSS_DETAIL.finditer(details)}
            else:
                rec = rep_of_path[p]
                key = rec.get("agency_key")
                if key is not None and str(key) not in ("<NA>", "nan"):
                    compared = set(primary.get((str(key), int(rec["year"]) - 1), []))
            others = sorted(c for c in compared if body_of.get(c) != body or year_of.get(c) != year - 1)
            if others:
                cross_body.append({"report": p, "body": body, "year": year,
                                   "compared_with": [{"path": c, "body": body_of.get(c), "year": year_of.get(c)}
                                                     for c in others]})
        if expect["expected"] == "no_previous":
            cy["no_previous"] += 1
            if got:
                spurious.append({"report": got[0][0], "body": body, "year": year, "success": got[0][1][0]})
            continue
        cy["cases"] += 1
        cy[f"cases_{expect['expected']}"] += 1
        if not got:
            cy_wrong.append({"kind": "no_row", "body": body, "year": year, "paths": paths,
                             "expected": expect["expected"], "columns": expect["columns"]})
            continue
        cy["covered"] += 1
        p, (ok, details) = got[0]
        want_ok = expect["expected"] == "match"
        cols = sorted({m.group(1) for m in _CROSS_DETAIL.finditer(details or "")})
        truncated = "more" in (details or "")
        same_body = not any(c["report"] in [q for q, _ in got] for c in cross_body)
        if ok == want_ok:
            cy["agree"] += 1
            if ok or ((cols == expect["columns"] or (truncated and set(cols) <= set(expect["columns"])))
                      and same_body):
                cy["agree_strict"] += 1
            else:
                cy_wrong.append({"kind": "columns", "report": p, "expected": expect["columns"], "got": cols})
        else:
            cy_wrong.append({"kind": "outcome", "report": p, "expected": expect["expected"],
                             "columns": expect["columns"], "seeded": expect.get("seeded"), "details": details})

    # ---------------------------------------------------------------- prose
    pr = Counter()
    pr_wrong, pr_false = [], []
    measure_counts = Counter()
    for p, t in sorted(files.items()):
        ms = t["prose"]["measures"]
        stated = {m for m, v in ms.items() if v["outcome"] in ("match", "contradicts")}
        contra = {m for m, v in ms.items() if v["outcome"] == "contradicts"}
        r = row_of(p, PROSE)
        flagged = set(_PROSE_DETAIL.findall(r[1] or "")) if r else set()
        for m in flagged:
            measure_counts[f"flagged_{ms[m]['outcome']}" if m in ms else "flagged_unknown"] += 1
        if not stated:
            pr["nothing_stated"] += 1
            if r is not None and not r[0]:
                pr_false.append({"report": p, "details": r[1],
                                 "truth": {m: v["outcome"] for m, v in ms.items() if v["outcome"] != "not_stated"}})
            continue
        pr["cases"] += 1
        pr["cases_contradicts" if contra else "cases_match"] += 1
        for m in contra:
            measure_counts["contradicted"] += 1
            measure_counts["contradicted_flagged"] += m in flagged
        if r is None:
            pr_wrong.append({"kind": "no_row", "report": p, "layout": t["layout"],
                             "stated": sorted(stated), "sentences": t["prose"]["sentences"]})
            continue
        pr["covered"] += 1
        ok, details = r
        if ok == (not contra):
            pr["agree"] += 1
            if ok or flagged == contra or ("more" in details and contra <= flagged):
                pr["agree_strict"] += 1
            else:
                pr_wrong.append({"kind": "measures", "report": p, "contradicted": sorted(contra),
                                 "flagged": sorted(flagged), "details": details})
        else:
            pr_wrong.append({"kind": "outcome", "report": p, "layout": t["layout"], "contradicted": sorted(contra),
                             "flagged": sorted(flagged), "details": details,
                             "truth": {m: v for m, v in ms.items() if v["outcome"] != "not_stated"},
                             "sentences": t["prose"]["sentences"]})

    # ---------------------------------------------------------------- bodies and keys
    keys_of_body = defaultdict(set)
    bodies_of_key = defaultdict(set)
    no_key = []
    for p, t in files.items():
        rec = rep_of_path.get(p)
        key = rec.get("agency_key") if rec else None
        if key is None or str(key) in ("<NA>", "nan"):
            no_key.append(p)
            continue
        keys_of_body[t["body"]].add(str(key))
        bodies_of_key[str(key)].add(t["body"])
    status = Counter(str(rep_of_path[p]["status"]) if p in rep_of_path else "missing" for p in files)
    res = {
        "truth": str(truth_path), "warehouse": str(wh), "seed": truth.get("seed"),
        "reports": len(files), "bodies": len(truth.get("bodies", {})), "status": dict(status),
        "cross_year": {
            "cases": cy["cases"], "cases_match": cy["cases_match"], "cases_mismatch": cy["cases_mismatch"],
            "covered": cy["covered"], "coverage": _rate(cy["covered"], cy["cases"]),
            "agree": cy["agree"], "agreement": _rate(cy["agree"], cy["covered"]),
            "agree_strict": cy["agree_strict"], "agreement_strict": _rate(cy["agree_strict"], cy["covered"]),
            "no_previous": cy["no_previous"], "spurious_rows": spurious, "wrong": cy_wrong,
        },
        "prose": {
            "cases": pr["cases"], "cases_match": pr["cases_match"], "cases_contradicts": pr["cases_contradicts"],
            "covered": pr["covered"], "coverage": _rate(pr["covered"], pr["cases"]),
            "agree": pr["agree"], "agreement": _rate(pr["agree"], pr["covered"]),
            "agree_strict": pr["agree_strict"], "agreement_strict": _rate(pr["agree_strict"], pr["covered"]),
            "nothing_stated": pr["nothing_stated"], "false_findings_on_unstated": pr_false,
            "measures": dict(measure_counts), "wrong": pr_wrong,
        },
        "cross_body_comparisons": cross_body,
        "keys_shared_by_bodies": {k: sorted(v) for k, v in bodies_of_key.items() if len(v) > 1},
        "bodies_split_over_keys": {b: sorted(v) for b, v in keys_of_body.items() if len(v) > 1},
        "reports_without_key": sorted(no_key),
    }
    return res


def _pct(x) -> str:
    return "   -   " if x is None else f"{100 * x:6.2f}%"


def print_report(res: dict, verbose: bool = False) -> None:
    print(f"truth {res['truth']} (seed {res['seed']}): {res['reports']} reports of {res['bodies']} bodies; "
          f"status {res['status']}")
    print(f"{'expectation':38s} {'cases':>6s} {'covered':>8s} {'coverage':>9s} {'agree':>6s} {'agreement':>9s} "
          f"{'strict':>9s}")
    for name, r in ((CROSS, res["cross_year"]), (PROSE, res["prose"])):
        print(f"{name:38s} {r['cases']:6d} {r['covered']:8d} {_pct(r['coverage']):>9s} {r['agree']:6d} "
              f"{_pct(r['agreement']):>9s} {_pct(r['agreement_strict']):>9s}")
    c, p = res["cross_year"], res["prose"]
    print(f"cross_year: {c['cases_match']} match, {c['cases_mismatch']} mismatch; {c['no_previous']} without a "
          f"previous year, {len(c['spurious_rows'])} of them with a row")
    print(f"prose: {p['cases_match']} reports consistent, {p['cases_contradicts']} contradicting; "
          f"{p['nothing_stated']} state nothing plainly, {len(p['false_findings_on_unstated'])} of them with a finding; "
          f"measures {p['measures']}")
    print(f"cross-body comparisons: {len(res['cross_body_comparisons'])}; keys shared by bodies: "
          f"{len(res['keys_shared_by_bodies'])}; bodies split over keys: {len(res['bodies_split_over_keys'])}; "
          f"reports without key: {len(res['reports_without_key'])}")
    if verbose:
        for k in ("cross_body_comparisons", "keys_shared_by_bodies", "bodies_split_over_keys", "reports_without_key"):
            if res[k]:
                print(f"\n{k}:")
                items = res[k].items() if isinstance(res[k], dict) else res[k]
                for it in list(items)[:30]:
                    print("  ", it)
        for name, r in (("cross_year", c), ("prose", p)):
            if r["wrong"]:
                print(f"\n{name} disagreements and gaps:")
                for w in r["wrong"][:60]:
                    print("  ", json.dumps(w, ensure_ascii=False)[:700])
        for name, items in (("spurious cross_year rows", c["spurious_rows"]),
                            ("prose findings on reports stating nothing", p["false_findings_on_unstated"])):
            if items:
                print(f"\n{name}:")
                for w in items[:30]:
                    print("  ", json.dumps(w, ensure_ascii=False)[:700])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synth.blind.score_across")
    ap.add_argument("truth")
    ap.add_argument("warehouse")
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every gap and disagreement")
    a = ap.parse_args(argv)
    res = score(Path(a.truth), Path(a.warehouse))
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    else:
        print_report(res, a.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

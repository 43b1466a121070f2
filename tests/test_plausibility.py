"""Plausibility bounds (suites/plausibility.json, table2_figures_plausible,
counts_plausible; docs/plausibility.md): every bound passes on the five seeds
and the three real reports, and a money cell (or the relevant count) read
10,000 times too big makes the report ``invalid`` with details naming it."""
import json
from pathlib import Path

import pandas as pd
import pytest

from expectations.validate import Validator, load_suite_specs, statuses
from expectations.views import PLAUSIBILITY_METRICS, SUBJECT_COLUMNS, build_views
from extract.templates import (
    ACTIVE_METRICS, APPLICANTS, MONEY_METRICS, OUTCOMES, PROCEEDINGS, REQUEST_OUTCOME_ROWS, REQUEST_ROW_KEYS,
    TEMPLATES, active_items,
)
from transform.frames import ARTICLES, ITEMS, METRICS, ROW_KEYS, empty_frames

SEEDS = Path("/work/shared/seeds")
TRUTH = Path("/work/shared/real/truth.json")
BOUNDS = ("procurement_per_item_plausible", "procurement_total_plausible", "fee_amount_plausible",
          "table2_figures_plausible", "counts_plausible")
SEED_002, SEED_004 = "002_cdd85b7f6af27b20.txt", "004_7e3cf29f5d278207.txt"


@pytest.fixture(scope="module")
def validator():
    return Validator()


# ---------------------------------------------------------------- the frames

def _cells(rid, year, keys, rows, value_dtype):
    """One dataset's canonical rows: rows of (key values, value)."""
    frame = {"report_id": [rid] * len(rows), "year": [year] * len(rows)}
    for i, (k, cats) in enumerate(keys):
        frame[k] = pd.Categorical([r[0][i] for r in rows], categories=list(cats))
    values = [r[1] for r in rows]
    frame["value"] = pd.array(values, dtype=value_dtype)
    frame["raw"] = pd.array([None if v is None else (str(int(v)) if float(v).is_integer() else str(v))
                             for v in values], dtype="string")
    frame["cell_error"] = pd.array([None] * len(rows), dtype="string")
    frame = pd.DataFrame(frame)
    frame["report_id"] = frame["report_id"].astype("string")
    frame["year"] = frame["year"].astype("Int64")
    return frame


def truth_frames() -> dict[str, pd.DataFrame]:
    """The canonical frames of the real reports, built from the hand-typed truth."""
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))["files"]
    base = empty_frames()
    reports, req, rev, act = [], [], [], []
    for name, t in truth.items():
        rid, year = name.split(".")[0], t["year"]
        reports.append({"report_id": rid, "source_path": name, "template": t["template"], "year": year,
                        "agency": t["agency"], "tables_found": 3, "parser_version": "truth"})
        req.append(_cells(rid, year, (("row", ROW_KEYS), ("applicant", APPLICANTS)),
                          [((r, a), t["requests"][r][a]) for r in REQUEST_ROW_KEYS[t["template"]]
                           for a in APPLICANTS], "Int64"))
        rev.append(_cells(rid, year, (("proceeding", PROCEEDINGS), ("outcome", OUTCOMES)),
                          [((p, o), t["review_litigation"][p][o]) for p in PROCEEDINGS for o in OUTCOMES],
                          "Int64"))
        act.append(_cells(rid, year, (("article", ARTICLES), ("item", ITEMS), ("metric", METRICS)),
                          [((a, i, m), t["active_disclosure"][a][i][m]) for a, i in active_items(t["template"])
                           for m in ACTIVE_METRICS[t["template"]][a]], "float64"))
    rep = pd.DataFrame(reports).reindex(columns=base["reports"].columns)
    return {
        "reports": rep.astype(base["reports"].dtypes.to_dict()),
        "requests": pd.concat(req, ignore_index=True),
        "review_litigation": pd.concat(rev, ignore_index=True),
        "active_disclosure": pd.concat(act, ignore_index=True),
        "sections": base["sections"],
    }


def seed_frames() -> dict[str, pd.DataFrame]:
    from extract.files import discover, parse_files
    from transform.frames import build_frames

    frames = build_frames(parse_files(discover(str(SEEDS))))
    # name the seeds by file, as the truth reports are
    names = dict(zip(frames["reports"]["report_id"], frames["reports"]["source_path"].map(lambda p: Path(p).name)))
    for f in frames.values():
        if "report_id" in f.columns:
            f["report_id"] = f["report_id"].map(names).astype("string")
    return frames


@pytest.fixture(scope="module")
def real():
    return truth_frames()


@pytest.fixture(scope="module")
def seeds():
    return seed_frames()


def times_10000(frames, dataset, rid, **keys):
    """The frames with one cell of one report read 10,000 times too big
    (its raw too, as a report printing 元 where 万元 is meant would)."""
    out = {k: v.copy() for k, v in frames.items()}
    f = out[dataset]
    at = f["report_id"] == rid
    for k, v in keys.items():
        at &= f[k] == v
    assert at.sum() == 1, (dataset, rid, keys)
    old = f.loc[at, "value"].iloc[0]
    assert old and not pd.isna(old), "a zero or blank cell read 10,000 times too big is still itself"
    f.loc[at, "value"] = old * 10000
    f.loc[at, "raw"] = f"{old * 10000:.10g}"
    return out, float(old * 10000)


def results(validator, frames):
    validations = validator.validate(frames)
    by = {(r, e): (s, d) for r, e, s, d in zip(validations["report_id"], validations["expectation"].astype(str),
                                               validations["success"], validations["details"])}
    return validations, by


# ---------------------------------------------------------------- the bounds pass on real reports

def test_every_bound_passes_on_the_seeds_and_the_real_reports(validator, real, seeds):
    for frames, reports in ((real, ("huaian_city_2024", "shanghai_office_2019", "shuyang_county_2025")),
                            (seeds, tuple(sorted(p.name for p in SEEDS.glob("*.txt"))))):
        _, by = results(validator, frames)
        for rid in reports:
            evaluated = {e for (r, e) in by if r == rid and e in BOUNDS}
            template = frames["reports"].set_index("report_id").loc[rid, "template"]
            expected = {"table2_figures_plausible", "counts_plausible",
                        *(("procurement_per_item_plausible", "procurement_total_plausible") if template == "2019"
                          else ("fee_amount_plausible",))}
            assert evaluated == expected, (rid, evaluated)
            for e in evaluated:
                assert by[(rid, e)][0], (rid, e, by[(rid, e)][1])


def test_the_real_reports_keep_their_expected_status(validator, real):
    """Truth: huaian and shuyang ok, shanghai invalid (blank cells), and no
    plausibility bound is why."""
    validations, by = results(validator, real)
    status = dict(zip(real["reports"]["report_id"], statuses(real["reports"], validations)))
    assert status == {"huaian_city_2024": "ok", "shuyang_county_2025": "ok", "shanghai_office_2019": "invalid"}
    assert not [k for k, (s, _) in by.items() if k[1] in BOUNDS and not s]


# ---------------------------------------------------------------- ×10,000 fails

# (frames, report, dataset, cell keys, the bounds it must fail, text its details must hold)
MISREADS = [
    # money: 2019 procurement
    ("seeds", SEED_002, "active_disclosure", {"metric": "procurement_amount"},
     {"procurement_per_item_plausible": "art20_9 procurement: 788,741,100 万元 over 518 items = "
                                        "1,522,666.2 万元 per item, above 30,000",
      "procurement_total_plausible": "art20_9 procurement: 788,741,100 万元 in total, above 20,000,000",
      "table2_figures_plausible": "active_disclosure.art20_9.centralized_procurement.procurement_amount: "
                                  "value = 788741100.0"}),
    ("seeds", SEED_004, "active_disclosure", {"metric": "procurement_amount"},
     {"procurement_per_item_plausible": "art20_9 procurement: 2,303,700 万元 over 22 items = "
                                        "104,713.6 万元 per item, above 30,000"}),
    ("real", "shanghai_office_2019", "active_disclosure", {"metric": "procurement_amount"},
     {"procurement_per_item_plausible": "art20_9 procurement: 251,000 万元 over 6 items = "
                                        "41,833.3 万元 per item, above 30,000"}),
    # money: 2021 fees
    ("real", "huaian_city_2024", "active_disclosure", {"metric": "fee_amount"},
     {"fee_amount_plausible": "art20_8 fees: 961,716,000 万元, above 5,000,000",
      "table2_figures_plausible": "active_disclosure.art20_8.administrative_fees.fee_amount: value = 961716000.0"}),
    ("real", "shuyang_county_2025", "active_disclosure", {"metric": "fee_amount"},
     {"fee_amount_plausible": "art20_8 fees: 40,682,080 万元, above 5,000,000"}),
    # counts: table 3's new requests, table 2's decisions
    ("real", "huaian_city_2024", "requests", {"row": "new_received", "applicant": "total"},
     {"counts_plausible": "requests.new_received.total: value = 31190000.0"}),
    ("real", "shuyang_county_2025", "requests", {"row": "new_received", "applicant": "total"},
     {"counts_plausible": "requests.new_received.total: value = 7130000.0"}),
    ("real", "shanghai_office_2019", "requests", {"row": "new_received", "applicant": "total"},
     {"counts_plausible": "requests.new_received.total: value = 8590000.0"}),
    ("real", "huaian_city_2024", "active_disclosure", {"item": "administrative_penalty", "metric": "decisions"},
     {"table2_figures_plausible": "active_disclosure.art20_6.administrative_penalty.decisions: "
                                  "value = 39857580000.0"}),
    ("real", "shuyang_county_2025", "active_disclosure", {"item": "administrative_penalty", "metric": "decisions"},
     {"table2_figures_plausible": "active_disclosure.art20_6.administrative_penalty.decisions: "
                                  "value = 6939570000.0"}),
    ("seeds", SEED_002, "active_disclosure", {"item": "administrative_licensing", "metric": "decisions"},
     {"table2_figures_plausible": "active_disclosure.art20_5.administrative_licensing.decisions: "
                                  "value = 229900000.0"}),
]


@pytest.mark.parametrize("source, rid, dataset, keys, fails", MISREADS,
                         ids=[f"{m[1].split('_')[0]}-{'.'.join(m[3].values())}" for m in MISREADS])
def test_a_cell_read_10000_times_too_big_makes_the_report_invalid(validator, real, seeds, source, rid, dataset,
                                                                  keys, fails):
    frames = real if source == "real" else seeds
    before_validations, before = results(validator, frames)
    for e in fails:
        assert before[(rid, e)][0], (rid, e)
    misread, _ = times_10000(frames, dataset, rid, **keys)
    validations, after = results(validator, misread)
    for e, text in fails.items():
        success, details = after[(rid, e)]
        assert not success, (rid, e)
        assert text in details, details
    status = dict(zip(misread["reports"]["report_id"], statuses(misread["reports"], validations)))
    assert status[rid] == "invalid"
    # the other reports of the batch are judged as before
    others = before_validations[before_validations["report_id"] != rid].reset_index(drop=True)
    assert others.equals(validations[validations["report_id"] != rid].reset_index(drop=True))


def test_every_report_with_a_money_cell_is_invalid_when_it_is_misread(validator, real, seeds):
    """Every non-zero money cell of the seeds and real reports, read 10,000
    times too big, makes its report invalid through a plausibility bound."""
    misread_cells = 0
    for frames in (real, seeds):
        a = frames["active_disclosure"]
        money = a[a["metric"].isin(MONEY_METRICS) & (a["value"].fillna(0) != 0)]
        for rid, metric in zip(money["report_id"], money["metric"].astype(str)):
            misread, _ = times_10000(frames, "active_disclosure", rid, metric=metric)
            _, after = results(validator, misread)
            failed = {e for (r, e), (s, _) in after.items() if r == rid and e in BOUNDS and not s}
            assert failed, (rid, metric)
            misread_cells += 1
    assert misread_cells == 5       # 002 and 004's procurement, Shanghai's, huaian's and shuyang's fees


def test_zero_items_with_an_amount_count_as_one_item(validator, seeds):
    frames = {k: v.copy() for k, v in seeds.items()}
    a = frames["active_disclosure"]
    at = (a["report_id"] == SEED_004) & (a["metric"] == "procurement_items")
    a.loc[at, "value"] = 0.0
    view = build_views(frames)["plausibility"].set_index("report_id")
    assert view.loc[SEED_004, "procurement_amount_per_item"] == pytest.approx(230.37)
    _, by = results(validator, frames)
    assert by[(SEED_004, "procurement_per_item_plausible")][0]
    at = (a["report_id"] == SEED_004) & (a["metric"] == "procurement_amount")
    a.loc[at, "value"] = 2303700.0
    _, by = results(validator, frames)
    assert by[(SEED_004, "procurement_per_item_plausible")] == \
        (False, "art20_9 procurement: 2,303,700 万元 over 0 items = 2,303,700.0 万元 per item, above 30,000")


def test_docs_run_words_plausibility_failures_as_the_fast_run(validator, real, tmp_path):
    misread, _ = times_10000(real, "active_disclosure", "shanghai_office_2019", metric="procurement_amount")
    misread, _ = times_10000(misread, "active_disclosure", "huaian_city_2024", metric="fee_amount")
    fast = validator.validate(misread)
    named = Validator(docs_dir=tmp_path / "docs").validate(misread, for_docs=True)
    assert fast.equals(named)
    assert {"procurement_per_item_plausible", "fee_amount_plausible"} <= \
        set(fast.loc[~fast["success"].astype(bool), "expectation"].astype(str))


# ---------------------------------------------------------------- suites agree with the templates

def _row_template(kwargs):
    cond = kwargs.get("row_condition")
    if cond and cond["column"]["name"] == "template":
        assert cond["operator"] == "==" and cond["parameter"] in TEMPLATES
        return (cond["parameter"],)
    return TEMPLATES


def _columns(kwargs):
    return [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + \
        list(kwargs.get("column_list") or []) + list(kwargs.get("left") or []) + list(kwargs.get("right") or [])


def test_suites_columns_agree_with_the_templates(real):
    views = build_views(real)      # both templates; an empty view lacks its derived columns
    specs = load_suite_specs()
    assert set(specs) == set(views) == set(SUBJECT_COLUMNS)
    for name, spec in specs.items():
        for e in spec["expectations"]:
            kwargs = e["kwargs"]
            cols = _columns(kwargs)
            templates = _row_template(kwargs)
            for c in cols:
                assert c in views[name].columns, (name, e["meta"]["name"], c)
            cond = kwargs.get("row_condition")
            if cond:
                assert cond["column"]["name"] in views[name].columns, (name, cond)
            if name == "requests_columns":
                for t in templates:
                    assert set(cols) <= set(REQUEST_ROW_KEYS[t]), (e["meta"]["name"], t)
            elif name in ("requests_rows",):
                assert set(cols) <= set(APPLICANTS)
            elif name == "review_rows":
                assert set(cols) <= set(OUTCOMES)
            elif name == "plausibility":
                # a metric the row condition's template has, or a column the view derives from them
                for t in templates:
                    metrics = {m for ms in ACTIVE_METRICS[t].values() for m in ms}
                    for c in cols:
                        assert c in metrics or c == "procurement_amount_per_item", (e["meta"]["name"], t, c)
                if "details" in e["meta"]:
                    import string

                    fields = {f for _, f, _, _ in string.Formatter().parse(e["meta"]["details"]) if f}
                    assert fields <= set(SUBJECT_COLUMNS[name]) | set(cols) | set(kwargs), fields
    # the balances are the templates' own sums
    by_name = {e["meta"]["name"]: e["kwargs"] for spec in specs.values() for e in spec["expectations"]}
    assert by_name["requests_row_totals"]["left"] == [a for a in APPLICANTS if a != "total"]
    assert by_name["requests_row_totals"]["right"] == ["total"]
    assert by_name["review_litigation_totals"]["left"] == [o for o in OUTCOMES if o != "total"]
    assert by_name["review_litigation_totals"]["right"] == ["total"]
    assert by_name["requests_balance"]["left"] == ["new_received", "carried_over"]
    assert by_name["requests_balance"]["right"] == ["total_processed", "carried_forward"]
    # what the views take from the datasets is declared in the schema
    from transform.schema import SCHEMAS
    for name in ("counts", "table2"):
        for e in specs[name]["expectations"]:
            for c in _columns(e["kwargs"]):
                assert c in SCHEMAS["requests"].names and c in SCHEMAS["active_disclosure"].names, (name, c)
    for e in specs["reports"]["expectations"]:
        for c in _columns(e["kwargs"]):
            assert c in SCHEMAS["reports"].names or c.startswith("template_"), c
    # the outcome rows a template's 总计 sums are the template's outcome rows, no more, no fewer
    for e in specs["requests_columns"]["expectations"]:
        if e["meta"]["name"] == "requests_total_processed":
            (t,) = _row_template(e["kwargs"])
            assert tuple(e["kwargs"]["left"]) == REQUEST_OUTCOME_ROWS[t]
    # the plausibility view's metrics are each one cell of table 2
    for m in PLAUSIBILITY_METRICS:
        owners = {(t, a) for t in TEMPLATES for a, ms in ACTIVE_METRICS[t].items() if m in ms}
        assert len({a for _, a in owners}) == 1, (m, owners)
    assert {"procurement_amount", "fee_amount"} == set(MONEY_METRICS)


def test_every_bound_is_documented():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "plausibility.md").read_text(encoding="utf-8")
    for spec in load_suite_specs().values():
        for e in spec["expectations"]:
            if e["meta"]["name"] in BOUNDS:
                assert e["meta"]["name"] in doc
                assert f"{e['kwargs']['max_value']:,}" in doc, e["meta"]["name"]

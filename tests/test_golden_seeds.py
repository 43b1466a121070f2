"""Golden tests on the five real reports in ../shared/seeds.

Every expected value below was read off the files by hand, cell by cell.
"""
import pandas as pd
import pytest

from conftest import require_seeds
from extract.files import discover, parse_files
from transform.frames import build_frames

ROWS = ["new_received", "carried_over", "granted", "partially_granted", "denied_state_secret",
        "denied_prohibited_by_law", "denied_three_securities", "denied_third_party_rights",
        "denied_internal_affairs", "denied_process_information", "denied_enforcement_files",
        "denied_administrative_query", "unable_not_held", "unable_needs_creation", "unable_unclear",
        "not_processed_petition", "not_processed_repeated", "not_processed_publication",
        "not_processed_excessive", "not_processed_confirmation", "other_handling", "total_processed",
        "carried_forward"]
ZERO7 = [0] * 7
NULL7 = [None] * 7


def table3(**nonzero):
    return {row: nonzero.get(row, ZERO7) for row in ROWS}


def table2(**nonzero):
    base = {
        ("art20_1", "regulations"): [0, 0, 0],
        ("art20_1", "normative_documents"): [0, 0, 0],
        ("art20_5", "administrative_licensing"): [0, 0, 0],
        ("art20_5", "other_administrative_services"): [0, 0, 0],
        ("art20_6", "administrative_penalty"): [0, 0, 0],
        ("art20_6", "administrative_coercion"): [0, 0, 0],
        ("art20_8", "administrative_fees"): [0, 0],
        ("art20_9", "centralized_procurement"): [0, 0],
    }
    base.update({tuple(k.split("__")): v for k, v in nonzero.items()})
    return base


ZERO_T4 = {"administrative_review": [0] * 5, "litigation_direct": [0] * 5, "litigation_after_review": [0] * 5}

GOLDEN = {
    "000_f50582dbfba29884.txt": dict(
        agency="区维稳信访工作办公室", year=2020, template="2019", encoding="utf-8", status="ok",
        failing=set(), t2=table2(), t3=table3(), t4=ZERO_T4),
    "001_933a5e646555734d.txt": dict(
        # No title line: the report never names its issuing body plainly.
        agency=None, year=2020, template="2019", encoding="utf-8", status="invalid",
        failing={"cells_readable", "counts_present"},
        # 行政事业性收费: 1, then an NBSP-only cell: blank, so null (never 0).
        t2=table2(art20_8__administrative_fees=[1, None]),
        # Rows printed with 5, 3 and 6 cells for 7 columns: nothing placed.
        t3=table3(new_received=NULL7, carried_over=NULL7, denied_state_secret=NULL7),
        t4=ZERO_T4),
    "002_cdd85b7f6af27b20.txt": dict(
        agency="淮阴区人民政府办公室", year=2020, template="2019", encoding="utf-8", status="ok",
        failing=set(),
        t2=table2(art20_1__normative_documents=[1, 1, 42],
                  art20_5__administrative_licensing=[172, 8, 22990],
                  art20_5__other_administrative_services=[585, -21, 22605],
                  art20_6__administrative_penalty=[4416, 45, 4642],
                  art20_6__administrative_coercion=[233, 3, 1373],
                  art20_8__administrative_fees=[19, -1],
                  art20_9__centralized_procurement=[518, 78874.11]),
        t3=table3(new_received=[17, 1, 0, 0, 0, 0, 18], granted=[5, 1, 0, 0, 0, 0, 6],
                  partially_granted=[1, 0, 0, 0, 0, 0, 1], denied_internal_affairs=[2, 0, 0, 0, 0, 0, 2],
                  unable_not_held=[6, 0, 0, 0, 0, 0, 6], other_handling=[3, 0, 0, 0, 0, 0, 3],
                  total_processed=[17, 1, 0, 0, 0, 0, 18]),
        t4=ZERO_T4),
    "003_cfbb34af7d24d30b.txt": dict(
        agency="前进区政府办", year=2020, template="2019", encoding="utf-8", status="invalid",
        failing={"requests_total_processed", "requests_balance"},
        t2=table2(),
        # （七）总计 printed as all 0 although the outcome rows sum to 4.
        t3=table3(new_received=[4, 0, 0, 0, 0, 0, 4], granted=[3, 0, 0, 0, 0, 0, 3],
                  denied_internal_affairs=[1, 0, 0, 0, 0, 0, 1]),
        t4=ZERO_T4),
    "004_7e3cf29f5d278207.txt": dict(
        # The prose mentions 2022 (行政复议2件); the title says 2020.
        agency="拱墅区政府办公室", year=2020, template="2019", encoding="utf-8", status="ok",
        failing=set(),
        t2=table2(art20_1__normative_documents=[10, 10, 106], art20_9__centralized_procurement=[22, 230.37]),
        t3=table3(new_received=[36, 5, 0, 0, 0, 0, 41], granted=[4, 1, 0, 0, 0, 0, 5],
                  partially_granted=[2, 0, 0, 0, 0, 0, 2], denied_internal_affairs=[2, 0, 0, 0, 0, 0, 2],
                  denied_administrative_query=[3, 0, 0, 0, 0, 0, 3], unable_not_held=[20, 4, 0, 0, 0, 0, 24],
                  not_processed_petition=[1, 0, 0, 0, 0, 0, 1], other_handling=[4, 0, 0, 0, 0, 0, 4],
                  total_processed=[36, 5, 0, 0, 0, 0, 41]),
        t4={"administrative_review": [0, 0, 0, 2, 2], "litigation_direct": [1, 0, 0, 0, 1],
            "litigation_after_review": [0] * 5}),
}
APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
METRICS = {"art20_1": ["new_made", "new_published", "total_published"],
           "art20_5": ["prior_year_items", "change", "decisions"],
           "art20_6": ["prior_year_items", "change", "decisions"],
           "art20_8": ["prior_year_items", "change"],
           "art20_9": ["procurement_items", "procurement_amount"]}


@pytest.fixture(scope="module")
def frames():
    seeds = require_seeds()
    parsed = parse_files(discover(str(seeds)))
    f = build_frames(parsed)
    ids = dict(zip(f["reports"]["source_path"], f["reports"]["report_id"]))
    return f, ids


def _values(series):
    return [None if pd.isna(v) else v for v in series]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_metadata(frames, name):
    f, _ = frames
    row = f["reports"].set_index("source_path").loc[name]
    g = GOLDEN[name]
    assert (None if pd.isna(row["agency"]) else row["agency"]) == g["agency"]
    assert row["year"] == g["year"]
    assert row["template"] == g["template"]
    assert row["encoding"] == g["encoding"]
    assert row["tables_found"] == 3


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_table3_every_cell(frames, name):
    f, ids = frames
    req = f["requests"][f["requests"]["report_id"] == ids[name]]
    assert len(req) == len(ROWS) * 7
    for row, expected in GOLDEN[name]["t3"].items():
        cells = req[req["row"] == row].set_index("applicant").loc[APPLICANTS]
        assert _values(cells["value"]) == expected, (name, row)
        if expected == NULL7:
            assert cells["raw"].isna().all() and cells["cell_error"].str.startswith("not placed").all()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_table4_every_cell(frames, name):
    f, ids = frames
    rev = f["review_litigation"][f["review_litigation"]["report_id"] == ids[name]]
    assert len(rev) == 15
    for proceeding, expected in GOLDEN[name]["t4"].items():
        cells = rev[rev["proceeding"] == proceeding].set_index("outcome").loc[OUTCOMES]
        assert _values(cells["value"]) == expected, (name, proceeding)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_table2_every_cell(frames, name):
    f, ids = frames
    act = f["active_disclosure"][f["active_disclosure"]["report_id"] == ids[name]]
    assert len(act) == 22
    for (article, item), expected in GOLDEN[name]["t2"].items():
        cells = act[(act["article"] == article) & (act["item"] == item)].set_index("metric").loc[METRICS[article]]
        assert _values(cells["value"]) == expected, (name, article, item)


def test_raw_text_is_kept(frames):
    f, ids = frames
    act = f["active_disclosure"]
    r002 = act[act["report_id"] == ids["002_cdd85b7f6af27b20.txt"]].set_index(["item", "metric"])
    assert r002.loc[("centralized_procurement", "procurement_amount"), "raw"] == "78874.11万元"
    assert r002.loc[("administrative_licensing", "change"), "raw"] == "+8"
    r004 = act[act["report_id"] == ids["004_7e3cf29f5d278207.txt"]].set_index(["item", "metric"])
    assert r004.loc[("centralized_procurement", "procurement_amount"), "raw"] == "230.37万"
    r001 = act[act["report_id"] == ids["001_933a5e646555734d.txt"]].set_index(["item", "metric"])
    assert r001.loc[("administrative_fees", "change"), "raw"] == ""


def test_sections(frames):
    f, ids = frames
    sec = f["sections"]
    for name, rid in ids.items():
        s = sec[sec["report_id"] == rid]
        assert list(s["number"]) == [1, 2, 3, 4, 5, 6], name
    s000 = sec[sec["report_id"] == ids["000_f50582dbfba29884.txt"]].set_index("number")
    assert s000.loc[5, "title"] == "五、存在的主要问题及改进情况"
    assert s000.loc[6, "text"] == "无。"
    assert s000.loc[3, "text"] == ""           # the table is taken out
    assert s000.loc[1, "text"].startswith("2020年，区维稳信访办认真贯彻落实")
    s001 = sec[sec["report_id"] == ids["001_933a5e646555734d.txt"]].set_index("number")
    assert s001.loc[5, "title"] == "五、政府信息公开工作存在的主要问题及整改情况"


def test_pipeline_statuses_and_failures(seeds_warehouse):
    out, proc = seeds_warehouse
    reports = pd.read_parquet(out / "reports")
    validations = pd.read_parquet(out / "validations")
    assert len(reports) == 5
    for name, g in GOLDEN.items():
        row = reports[reports["source_path"] == name].iloc[0]
        assert row["status"] == g["status"], name
        v = validations[(validations["report_id"] == row["report_id"]) & (validations["scope"] == "report")]
        failing = set(v.loc[~v["success"], "expectation"].astype(str))
        assert failing == g["failing"], name
        assert len(v) >= 10          # every expectation was evaluated, not only failures
    r003 = reports[reports["source_path"] == "003_cfbb34af7d24d30b.txt"]["report_id"].iloc[0]
    details = validations[(validations["report_id"] == r003) & (validations["expectation"] == "requests_total_processed")]["details"].iloc[0]
    assert "natural_person" in details and "off by -4" in details


def test_pipeline_prose_findings(seeds_warehouse):
    """003's prose says no request was refused (不予公开政府信息的情况未发生);
    its table 3 counts one: a prose finding, beside its own failures."""
    out, _ = seeds_warehouse
    reports = pd.read_parquet(out / "reports")
    validations = pd.read_parquet(out / "validations")
    prose = validations[validations["scope"] == "prose"]
    paths = dict(zip(reports["report_id"], reports["source_path"]))
    failing = {paths[r]: d for r, d in zip(prose.loc[~prose["success"], "report_id"], prose.loc[~prose["success"], "details"])}
    assert list(failing) == ["003_cfbb34af7d24d30b.txt"]
    assert "denied = 0, the tables 1" in failing["003_cfbb34af7d24d30b.txt"]
    assert validations["run_id"].notna().all() and validations["run_id"].nunique() == 1

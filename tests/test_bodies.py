"""Who reported: agency_key and region (transform.bodies.identify), and the
primary report of a body and year (assign_primaries, settle_primaries)."""
import random

import pandas as pd
import pyarrow.parquet as pq
import pytest

from expectations.validate import empty_validations
from transform.bodies import Body, assign_primaries, completeness, identify, settle_primaries

HUAIYIN = "江苏省淮安市淮阴区人民政府办公室"


@pytest.mark.parametrize("agency", ["淮阴区人民政府办公室", "淮安市淮阴区人民政府办公室", "淮阴区政府办公室",
                                    "淮阴区政府办", "江苏省淮安市淮阴区人民政府办公室"])
def test_one_body_however_it_is_named(agency):
    assert identify(agency) == Body(HUAIYIN, "江苏省", "淮安市", "淮阴区")


@pytest.mark.parametrize("agency, key", [
    ("淮安区人民政府办公室", "江苏省淮安市淮安区人民政府办公室"),     # another district of the same city
    ("淮阴区民政局", "江苏省淮安市淮阴区民政局"),                     # another body of the same district
    ("淮安市人民政府办公室", "江苏省淮安市人民政府办公室"),            # the city's office
    ("淮阴区人民政府", "江苏省淮安市淮阴区人民政府"),
    ("淮阴区政府", "江苏省淮安市淮阴区人民政府"),
])
def test_other_bodies_are_other_keys(agency, key):
    assert identify(agency).agency_key == key
    assert key != HUAIYIN


def test_the_prose_names_the_place_more_fully():
    text = "本报告由沈阳市和平区人民政府办公室根据《中华人民共和国政府信息公开条例》编制。"
    assert identify("和平区政府办", text) == Body("辽宁省沈阳市和平区人民政府办公室", "辽宁省", "沈阳市", "和平区")
    # the prose naming the city's own office says nothing of the district
    other = "根据沈阳市人民政府办公室要求，……"
    assert identify("和平区政府办", other).agency_key == "和平区人民政府办公室"


def test_an_ambiguous_county_keeps_what_is_certain():
    # 和平区 is a district of 天津市 and of 沈阳市
    assert identify("和平区人民政府") == Body("和平区人民政府", None, None, None)
    # the path names the city: certain
    assert identify("和平区人民政府", "", "天津市/2020/a.txt") == Body("天津市和平区人民政府", "天津市", "天津市", "和平区")
    assert identify("和平区人民政府", "", "liaoning/2020/a.txt") == Body(
        "辽宁省沈阳市和平区人民政府", "辽宁省", "沈阳市", "和平区")
    # 鼓楼区: two in 江苏省 (南京市, 徐州市), others elsewhere
    assert identify("鼓楼区财政局", "", "jiangsu/a.txt") == Body("江苏省鼓楼区财政局", "江苏省", None, None)


def test_region_from_the_path_only_where_the_text_names_none():
    path = "江苏省/淮安市/淮阴区/2020/report.txt"
    # the text names no place: the path's region, no key (no name to key)
    assert identify("高新区教育局", "", path) == Body(None, "江苏省", "淮安市", "淮阴区")
    # a bare level that the folder's place fits ("the district's office")
    assert identify("区维稳信访工作办公室", "", path) == Body(
        "江苏省淮安市淮阴区维稳信访工作办公室", "江苏省", "淮安市", "淮阴区")
    # no place anywhere: no key, no region
    assert identify("区维稳信访工作办公室", "", "reports/2020/a.txt") == Body()
    assert identify("区维稳信访工作办公室") == Body()
    # the text names the place: the path only agrees
    assert identify("淮阴区人民政府办公室", "", path) == Body(HUAIYIN, "江苏省", "淮安市", "淮阴区")
    assert identify("淮阴区人民政府办公室", "", "jiangsu/2020/a.txt") == Body(HUAIYIN, "江苏省", "淮安市", "淮阴区")


def test_text_and_path_in_conflict_give_no_region_and_the_texts_key():
    assert identify("淮阴区人民政府办公室", "", "hunan/2020/a.txt") == Body(HUAIYIN, None, None, None)
    assert identify("淮阴区人民政府办公室", "", "浙江省/杭州市/a.txt") == Body(HUAIYIN, None, None, None)
    text = "本报告由沈阳市和平区人民政府编制"
    assert identify("和平区人民政府", text, "天津市/a.txt") == Body("辽宁省沈阳市和平区人民政府", None, None, None)


def test_no_agency_or_unsure_gives_no_key():
    assert identify(None, "", "江苏省/a.txt") == Body()
    assert identify("市场监督管理局").agency_key is None        # 市场 is no bare level
    assert identify("南京市淮阴区人民政府").agency_key is None      # names that do not fit together


def test_municipalities_and_county_level_cities():
    assert identify("北京市朝阳区人民政府") == Body("北京市朝阳区人民政府", "北京市", "北京市", "朝阳区")
    assert identify("朝阳区政府", "", "北京市/a.txt").agency_key == "北京市朝阳区人民政府"
    assert identify("汾阳市人民政府办公室") == Body("山西省吕梁市汾阳市人民政府办公室", "山西省", "吕梁市", "汾阳市")
    assert identify("江苏省人民政府办公厅") == Body("江苏省人民政府办公厅", "江苏省", None, None)


def test_a_known_misprint_names_the_official_place():
    assert identify("沐阳县人民政府") == Body("江苏省宿迁市沭阳县人民政府", "江苏省", "宿迁市", "沭阳县")


# ------------------------------------------------------------------ primaries

def _reports(rows):
    frame = pd.DataFrame(rows, columns=["report_id", "source_path", "agency_key", "year", "status", "cells_found",
                                        "tables_found"])
    for c in ("report_id", "source_path", "agency_key", "status"):
        frame[c] = frame[c].astype("string")
    for c in ("year", "cells_found", "tables_found"):
        frame[c] = frame[c].astype("Int64")
    return frame


def _primaries(frame):
    got = assign_primaries(frame, completeness(frame))
    return {rid: (bool(p), None if pd.isna(of) else of)
            for rid, p, of in zip(frame["report_id"], got["primary"], got["primary_of"])}


def test_the_more_complete_report_is_primary():
    frame = _reports([
        ("a", "b/page.html", "K", 2020, "invalid", 150, 3),
        ("b", "a/report.pdf", "K", 2020, "ok", 120, 2),
        ("c", "a/2021.pdf", "K", 2021, "ok", 120, 3),       # another year: primary of its own
        ("d", "x.txt", None, 2020, "ok", 200, 3),           # no key: never primary
        ("e", "0.txt", "K", 2020, "rejected", None, None),  # rejected: never primary
    ])
    assert _primaries(frame) == {"a": (True, None), "b": (False, "a"), "c": (True, None), "d": (False, None),
                                 "e": (False, None)}


def test_ties_go_to_ok_then_the_path_that_sorts_first():
    frame = _reports([
        ("a", "b.txt", "K", 2020, "ok", 150, 3),
        ("b", "a.txt", "K", 2020, "invalid", 150, 3),
        ("c", "c.txt", "K", 2020, "ok", 150, 3),
    ])
    assert _primaries(frame) == {"a": (True, None), "b": (False, "a"), "c": (False, "a")}
    # Python str order: "Z" < "a", "江" after both
    frame = _reports([("x", "江苏/a.txt", "K", 2020, "ok", 1, 3), ("y", "a/b.txt", "K", 2020, "ok", 1, 3),
                      ("z", "Z/b.txt", "K", 2020, "ok", 1, 3)])
    assert _primaries(frame)["z"] == (True, None)


def test_primaries_do_not_depend_on_row_order():
    rng = random.Random(3)
    rows = [(f"r{i}", f"{rng.choice('abc')}/{i}.txt", rng.choice(["K1", "K2", None]), rng.choice([2020, 2021]),
             rng.choice(["ok", "invalid", "rejected"]), rng.choice([100, 150, 198]), 3) for i in range(60)]
    expected = _primaries(_reports(rows))
    for _ in range(5):
        rng.shuffle(rows)
        assert _primaries(_reports(rows)) == expected


def test_incremental_warehouse_primaries_equal_a_fresh_one(tmp_path):
    """settle_primaries over a staging version holding carried rows and new
    ones gives what it gives over a version written fresh."""
    from transform.warehouse import Warehouse, write_part
    from transform.frames import empty_frames

    def frame(rows):
        f = empty_frames()["reports"]
        new = _reports(rows)
        out = pd.concat([f, new], ignore_index=True)
        return out[f.columns]

    old = [("a", "b/page.html", "K", 2020, "ok", 120, 3), ("c", "c.txt", "K2", 2020, "ok", 10, 3)]
    new = [("b", "a/report.pdf", "K", 2020, "ok", 150, 3)]

    def commit(wh, parts, carry=None):
        staging = wh.begin()
        if carry:
            staging.carry("reports", carry)
        for i, rows in enumerate(parts):
            write_part(staging.dir, "reports", frame(rows), f"b{i}")
        settle_primaries(staging.dir)
        return staging.commit(empty_frames() | {"validations": empty_validations()})

    incremental = Warehouse(tmp_path / "inc")
    with incremental.lock():
        commit(incremental, [old])
        first = incremental.read("reports").set_index("report_id")
        assert bool(first.loc["a", "primary"]) and bool(first.loc["c", "primary"])
        old_version = incremental.dataset_dir("reports")
        commit(incremental, [new], carry={"a", "c"})
    fresh = Warehouse(tmp_path / "fresh")
    with fresh.lock():
        commit(fresh, [old + new])

    def primaries(wh):
        r = wh.read("reports").set_index("report_id").sort_index()
        return r[["primary", "primary_of"]].astype(object).where(r[["primary", "primary_of"]].notna(), None)

    assert primaries(incremental).to_dict() == primaries(fresh).to_dict()
    got = primaries(incremental).to_dict("index")
    assert got["b"] == {"primary": True, "primary_of": None}
    assert got["a"] == {"primary": False, "primary_of": "b"}
    # the previous version's part (hard-linked into the new one) is left as it was
    kept = pq.read_table(old_version).to_pandas().set_index("report_id")
    assert bool(kept.loc["a", "primary"])


def test_synth_corpus_paths_agree_with_their_reports(tmp_path):
    """`xxgk synth` files each report under its body's region; the few it
    files under another province on purpose have no region in truth.  Every
    report's key and region read as its truth says."""
    from extract.files import discover, parse_files
    from synth.evaluate import _eq
    from synth.writer import write_corpus
    from transform.frames import build_frames

    truth = write_corpus(tmp_path, 120, seed=8, conflict_rate=0.1)
    reports = build_frames(parse_files(discover(str(tmp_path / "reports"))))["reports"].set_index("source_path")
    records = {rel: rec for rel, rec in truth["files"].items() if rec["kind"] == "report"}
    conflicts = [rel for rel, rec in records.items() if rec.get("path_conflict")]
    assert 3 <= len(conflicts) < len(records) / 2
    for rel, rec in records.items():
        got = reports.loc[rel]
        assert rec["agency_key"] and _eq(got["agency_key"], rec["agency_key"]), rel
        for column in ("province", "city", "county"):
            assert _eq(got[column], rec[column]), (rel, column)
        if not rec.get("path_conflict"):
            assert rel.startswith("/".join(dict.fromkeys(filter(None, (rec["province"], rec["city"], rec["county"]))))), rel


def test_a_town_named_alone_takes_its_county_from_the_folders():
    from transform.bodies import identify as ident
    path = "江苏省/淮安市/涟水县/2021/t1.txt"
    assert ident("城关镇人民政府", "", path).agency_key == "江苏省淮安市涟水县城关镇人民政府"
    assert ident("涟水县城关镇人民政府", "", path).agency_key == "江苏省淮安市涟水县城关镇人民政府"
    assert ident("城南街道办事处", "", path).agency_key == "江苏省淮安市涟水县城南街道办事处"
    # folders naming the city only: which county's 城关镇 is not known
    assert ident("城关镇人民政府", "", "江苏省/淮安市/2021/t1.txt").agency_key is None
    # a bureau named without its place stays without a key (the city's or the county's?)
    assert ident("民政局", "", path).agency_key is None


def test_key_is_certain_when_it_names_one_place():
    from transform.bodies import key_is_certain
    assert key_is_certain("江苏省淮安市淮阴区人民政府办公室")
    assert key_is_certain("江苏省淮安市民政局")
    assert key_is_certain("江苏省淮安市涟水县城关镇人民政府")
    assert not key_is_certain("和平区人民政府")            # 天津市's or 沈阳市's
    assert not key_is_certain("江苏省鼓楼区财政局")         # 南京市's or 徐州市's
    assert not key_is_certain(None)

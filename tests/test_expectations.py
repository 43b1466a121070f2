"""The suites and the custom expectation, on small frames built by hand."""
import pytest

from expectations.validate import Validator, load_suite_specs, statuses
from extract.files import ParsedReport
from extract.report import extract_report
from transform.frames import build_frames

ROWS19 = [
    ("一、本年新收政府信息公开申请数量", [5, 0, 0, 0, 0, 0, 5]),
    ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
    ("（一）予以公开", [3, 0, 0, 0, 0, 0, 3]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [1, 0, 0, 0, 0, 0, 1]),
    ("1.属于国家秘密", [0] * 7), ("2.其他法律行政法规禁止公开", [0] * 7), ("3.危及“三安全一稳定”", [0] * 7),
    ("4.保护第三方合法权益", [0] * 7), ("5.属于三类内部事务信息", [0] * 7), ("6.属于四类过程性信息", [0] * 7),
    ("7.属于行政执法案卷", [0] * 7), ("8.属于行政查询事项", [0] * 7),
    ("1.本机关不掌握相关政府信息", [1, 0, 0, 0, 0, 0, 1]), ("2.没有现成信息需要另行制作", [0] * 7),
    ("3.补正后申请内容仍不明确", [0] * 7), ("1.信访举报投诉类申请", [0] * 7), ("2.重复申请", [0] * 7),
    ("3.要求提供公开出版物", [0] * 7), ("4.无正当理由大量反复申请", [0] * 7),
    ("5.要求行政机关确认或重新出具已获取信息", [0] * 7), ("（六）其他处理", [0] * 7),
    ("（七）总计", [5, 0, 0, 0, 0, 0, 5]), ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
]


def report_text(rows=ROWS19, review=(0, 0, 0, 0, 0) * 3, year=2020):
    t3 = "\n".join(f"{label} | " + " | ".join(map(str, v)) + " |" for label, v in rows)
    t4 = " | ".join(map(str, review))
    return f"""{year}年测试局政府信息公开工作年度报告
一、总体情况
概述。
二、主动公开政府信息情况
第二十条第（一）项 | | |
信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
规章 | 0 | 0 | 0 |
规范性文件 | 1 | 1 | 5 |
第二十条第（五）项 | | |
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
行政许可 | 3 | -1 | 9 |
其他对外管理服务事项 | 0 | 0 | 0 |
第二十条第（六）项 | | |
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
行政处罚 | 0 | 0 | 0 |
行政强制 | 0 | 0 | 0 |
第二十条第（八）项 | | |
信息内容 | 上一年项目数量 | 本年增/减 |
行政事业性收费 | 0 | 0 |
第二十条第（九）项 | | |
信息内容 | 采购项目数量 | 采购总金额 |
政府集中采购 | 2 | 3.5万元 |
三、收到和处理政府信息公开申请情况
{t3}
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼 |
{t4} |
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
无。
"""


@pytest.fixture(scope="module")
def validator():
    return Validator()


def run(validator, texts):
    batch = [ParsedReport(f"r{i}", f"{i}.txt", 1, 1, "utf-8", None, extract_report(t)) for i, t in enumerate(texts)]
    frames = build_frames(batch)
    validations = validator.validate(frames)
    return frames, validations, statuses(frames["reports"], validations)


def failing(validations, rid):
    v = validations[validations["report_id"] == rid]
    return set(v.loc[~v["success"], "expectation"].astype(str))


def test_a_clean_report_passes_everything(validator):
    _, validations, status = run(validator, [report_text()])
    assert list(status) == ["ok"]
    assert failing(validations, "r0") == set()
    assert set(validations["expectation"].astype(str)) == {
        "template_recognised", "year_known", "tables_complete", "template_matches_year", "cells_readable",
        "counts_present", "counts_non_negative", "requests_row_totals", "requests_total_processed",
        "requests_balance", "review_litigation_totals", "counts_plausible", "table2_figures_plausible",
        "procurement_per_item_plausible", "procurement_total_plausible"}


def _with_row(label, values):
    return [(lab, values if lab == label else v) for lab, v in ROWS19]


def test_custom_balance_fails_on_a_broken_frame(validator):
    # 勾稽关系 broken: 5 + 1 != 5 + 2 in natural_person and total
    _, validations, status = run(validator, [report_text(_with_row("四、结转下年度继续办理", [2, 0, 0, 0, 0, 0, 2]))])
    assert status.iloc[0] == "invalid"
    assert failing(validations, "r0") == {"requests_balance"}
    details = validations.set_index("expectation").loc["requests_balance", "details"]
    assert "natural_person" in details and "off by +1" in details


def test_row_total_and_outcome_sum(validator):
    rows = _with_row("（一）予以公开", [3, 1, 0, 0, 0, 0, 3])   # total column wrong, outcomes too
    _, validations, _ = run(validator, [report_text(rows)])
    assert failing(validations, "r0") == {"requests_row_totals", "requests_total_processed"}


def test_review_totals_and_negative_counts(validator):
    _, validations, _ = run(validator, [report_text(review=(1, 0, 0, 0, 2) + (0,) * 10),
                                        report_text(_with_row("2.重复申请", [-1, 0, 0, 0, 0, 0, -1]))])
    assert failing(validations, "r0") == {"review_litigation_totals"}
    assert "counts_non_negative" in failing(validations, "r1")


def test_template_must_match_year(validator):
    _, validations, _ = run(validator, [report_text(year=2022)])
    assert failing(validations, "r0") == {"template_matches_year"}


def test_one_checkpoint_run_judges_each_report_separately(validator):
    good, bad = report_text(), report_text(_with_row("（七）总计", [4, 0, 0, 0, 0, 0, 4]))
    _, validations, status = run(validator, [good, bad, good.replace("测试局", "另一局")])
    assert list(status) == ["ok", "invalid", "ok"]


def test_every_suite_names_its_expectations():
    for name, spec in load_suite_specs().items():
        for e in spec["expectations"]:
            assert e["meta"]["name"] and e["meta"]["notes"], (name, e["type"])


def test_docs_run_and_fast_run_give_the_same_validations(validator, tmp_path):
    """The Data Docs batch runs Checkpoints with named failing rows; every
    other batch asks GX for row positions and looks the rows up itself.
    Both must write the same validations, details included."""
    texts = [report_text(_with_row("四、结转下年度继续办理", [2, 0, 0, 0, 0, 0, 2])),
             report_text(review=(1, 0, 0, 0, 2) + (0,) * 10),
             report_text(_with_row("2.重复申请", [-1, 0, 0, 0, 0, 0, -1])),
             report_text(_with_row("（一）予以公开", [3, "", 0, 0, 0, 0, 3])),
             report_text(year=2022), report_text()]
    batch = [ParsedReport(f"r{i}", f"{i}.txt", 1, 1, "utf-8", None, extract_report(t)) for i, t in enumerate(texts)]
    frames = build_frames(batch)
    fast = validator.validate(frames)
    named = Validator(docs_dir=tmp_path / "docs").validate(frames, for_docs=True)
    assert fast.equals(named)
    assert (~fast["success"]).sum() >= 6
    details = dict(zip(fast["report_id"] + "/" + fast["expectation"].astype(str), fast["details"]))
    assert details["r1/review_litigation_totals"] == \
        "administrative_review: upheld+corrected+other+pending = 1, total = 2 (off by +1)"
    assert details["r2/counts_non_negative"] == \
        "requests.not_processed_repeated.natural_person: value = -1.0 (raw '-1'); " \
        "requests.not_processed_repeated.total: value = -1.0 (raw '-1')"
    assert details["r3/counts_present"] == "requests.granted.commercial_enterprise: value = null (raw '')"


def test_building_a_context_logs_nothing_below_error(caplog):
    """A run's terminal shows no GX chatter: GX logged each ephemeral
    context's temporary docs directory at INFO from a logger with its own level."""
    import logging

    Validator()     # GX imported (what it logs while importing, the root logger's level filters)
    with caplog.at_level(logging.DEBUG):
        Validator()
    noise = [r.getMessage() for r in caplog.records if r.name.startswith("great_expectations") and r.levelno < logging.ERROR]
    assert noise == []


def test_views_from_report_ids_encoded_once_equal_views_encoding_each_column():
    """build_views encodes each table's report ids once and shares them
    between views; the views must be those each view builds on its own."""
    import pandas as pd

    from expectations.views import build_views, cells_view, requests_columns_view, requests_rows_view, \
        review_rows_view
    from extract.files import discover, parse_files
    from pathlib import Path

    samples = Path(__file__).resolve().parent.parent / "data" / "samples" / "reports"
    frames = build_frames(parse_files(discover(str(samples))))
    assert frames["requests"]["report_id"].nunique() > 10
    # a report whose table 4 was found but not its table 3: the shared
    # encodings are merged, its id must come last in the counts view
    requests = frames["requests"]
    frames["requests"] = requests[requests["report_id"] != requests["report_id"].iloc[0]].reset_index(drop=True)
    views = build_views(frames)
    alone = {
        "counts": cells_view(frames, ("requests", "review_litigation")),
        "table2": cells_view(frames, ("active_disclosure",)),
        "requests_rows": requests_rows_view(frames["requests"]),
        "requests_columns": requests_columns_view(frames["requests"], frames["reports"]),
        "review_rows": review_rows_view(frames["review_litigation"]),
    }
    for name, view in alone.items():
        for c in ("report_id", "template", "row", "applicant", "proceeding"):
            if c in view.columns and not isinstance(view[c].dtype, pd.CategoricalDtype):
                view[c] = view[c].astype("category")
        pd.testing.assert_frame_equal(views[name], view.reset_index(drop=True), check_exact=True)


def test_the_reports_a_view_holds_in_category_order_without_unused_or_missing_ones():
    import pandas as pd

    from expectations.validate import _present

    reports = pd.Series(pd.Categorical(["r2", None, "r1", "r2", "r4"], categories=["r1", "r2", "r3", "r4"]))
    assert _present(reports) == ["r1", "r2", "r4"]
    assert _present(reports.iloc[:0]) == []
    assert _present(pd.Series(["r2", None, "r1", "r2"], dtype="string")) == ["r2", "r1"]

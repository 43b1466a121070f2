"""OUTPUT/xxgk.duckdb: a DuckDB catalog over the warehouse's current version.

One view per dataset over OUTPUT/<dataset>/*.parquet (the dataset
directories are links that each commit moves to the new version, so the
views stay valid from one run to the next), views of the cells with their
report's body, region, year, status and primary flag (requests_cells,
review_cells, active_cells), a wide table 3 (requests_wide: one row per
report, one column per row and applicant, e.g. new_received__natural_person),
and a table `labels` of every key's Chinese label.  Written after each
commit to a temporary file, then renamed over the old one.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from extract.templates import ACTIVE_METRICS, APPLICANTS, OUTCOMES, PROCEEDINGS, REQUEST_ROWS, active_items

CATALOG = "xxgk.duckdb"
# The datasets, and runs where a warehouse keeps them.
VIEW_DATASETS = ("reports", "requests", "review_litigation", "active_disclosure", "sections", "prose_figures",
                 "validations", "runs")
# What a cells view carries of its report.  `primary` is an SQL keyword:
# is_primary (in reports too) says the same without quotes.
REPORT_COLUMNS = ("agency", "agency_key", "province", "city", "county", "template", "status",
                  '"primary"', "is_primary", "primary_of", "source_path")

# The labels of ../shared/spec/schema.md.
APPLICANT_LABELS = {
    "natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他", "total": "总计",
}
REQUEST_ROW_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三、（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "（三）不予公开 1.属于国家秘密",
    "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied_three_securities": "3.危及“三安全一稳定”",
    "denied_third_party_rights": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_information": "6.属于四类过程性信息",
    "denied_enforcement_files": "7.属于行政执法案卷",
    "denied_administrative_query": "8.属于行政查询事项",
    "unable_not_held": "（四）无法提供 1.本机关不掌握相关政府信息",
    "unable_needs_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "not_processed_petition": "（五）不予处理 1.信访举报投诉类申请",
    "not_processed_repeated": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_excessive": "4.无正当理由大量反复申请",
    "not_processed_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_handling": "（六）其他处理",
    "other_no_correction": "（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
PROCEEDING_LABELS = {"administrative_review": "行政复议", "litigation_direct": "未经复议直接起诉",
                     "litigation_after_review": "复议后起诉"}
OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                  "total": "总计"}
ARTICLE_LABELS = {"art20_1": "第二十条第（一）项", "art20_5": "第二十条第（五）项", "art20_6": "第二十条第（六）项",
                  "art20_8": "第二十条第（八）项", "art20_9": "第二十条第（九）项"}
ITEM_LABELS = {
    "regulations": "规章", "normative_documents": "规范性文件 / 行政规范性文件",
    "administrative_licensing": "行政许可", "other_administrative_services": "其他对外管理服务事项",
    "administrative_penalty": "行政处罚", "administrative_coercion": "行政强制",
    "administrative_fees": "行政事业性收费", "centralized_procurement": "政府集中采购",
}
METRIC_LABELS = {
    "new_made": "本年新制作数量", "new_published": "本年新公开数量", "total_published": "对外公开总数量",
    "prior_year_items": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
    "procurement_items": "采购项目数量", "procurement_amount": "采购总金额（万元）",
    "issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
    "fee_amount": "本年收费金额（单位：万元）",
}


def label_rows() -> list[tuple[str, str, str, str, str]]:
    """(dataset, column, key, label, templates) for every key of the contract."""
    rows = []
    for spec in REQUEST_ROWS:
        rows.append(("requests", "row", spec.key, REQUEST_ROW_LABELS[spec.key], ",".join(spec.templates)))
    rows += [("requests", "applicant", k, APPLICANT_LABELS[k], "2019,2021") for k in APPLICANTS]
    rows += [("review_litigation", "proceeding", k, PROCEEDING_LABELS[k], "2019,2021") for k in PROCEEDINGS]
    rows += [("review_litigation", "outcome", k, OUTCOME_LABELS[k], "2019,2021") for k in OUTCOMES]

    def templates_of(pred) -> str:
        return ",".join(t for t in ("2019", "2021") if pred(t))

    for article, label in ARTICLE_LABELS.items():
        rows.append(("active_disclosure", "article", article, label,
                     templates_of(lambda t: article in ACTIVE_METRICS[t])))
    for item, label in ITEM_LABELS.items():
        rows.append(("active_disclosure", "item", item, label,
                     templates_of(lambda t: any(i == item for _, i in active_items(t)))))
    for metric, label in METRIC_LABELS.items():
        if metric == "decisions":
            label = "处理决定数量 / 本年处理决定数量"
        rows.append(("active_disclosure", "metric", metric, label,
                     templates_of(lambda t: any(metric in ms for ms in ACTIVE_METRICS[t].values()))))
    return rows


def wide_columns() -> list[tuple[str, str, str]]:
    """(column name, row, applicant) of the wide table 3."""
    return [(f"{spec.key}__{a}", spec.key, a) for spec in REQUEST_ROWS for a in APPLICANTS]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def catalog_sql(root: Path, datasets: list[str]) -> list[str]:
    """The statements that build the catalog over the datasets under root."""
    sql = []
    for d in datasets:
        extra = ', "primary" as is_primary' if d == "reports" else ""
        sql.append(f"create or replace view {d} as select *{extra} "
                   f"from read_parquet({_quote(root / d / '*.parquet')})")
    report_cols = ", ".join(f"r.{c}" for c in REPORT_COLUMNS)
    for view, dataset in (("requests_cells", "requests"), ("review_cells", "review_litigation"),
                          ("active_cells", "active_disclosure")):
        if dataset in datasets and "reports" in datasets:
            sql.append(f"create or replace view {view} as select c.*, {report_cols} "
                       f"from {dataset} c join reports r using (report_id)")
    if "requests" in datasets and "reports" in datasets:
        cells = ",\n  ".join(f"max(value) filter (where row = '{row}' and applicant = '{a}') as {name}"
                             for name, row, a in wide_columns())
        sql.append(f"create or replace view requests_wide as\n"
                   f"with wide as (select report_id,\n  {cells}\nfrom requests group by report_id)\n"
                   f"select r.report_id, r.year, {report_cols}, wide.* exclude (report_id)\n"
                   f"from wide join reports r using (report_id)")
    sql.append("create or replace table labels (dataset varchar, \"column\" varchar, key varchar, "
               "label varchar, templates varchar)")
    return sql


def write_catalog(root: str | os.PathLike, version: str | None = None) -> Path:
    """Write OUTPUT/xxgk.duckdb for the warehouse at root (a temporary file
    renamed over the old one: a reader sees the old catalog or the new)."""
    import duckdb

    root = Path(root).resolve()
    datasets = [d for d in VIEW_DATASETS if (root / d).is_dir() and any((root / d).glob("*.parquet"))]
    target = root / CATALOG
    tmp = root / f".{CATALOG}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        con = duckdb.connect(str(tmp))
        try:
            for statement in catalog_sql(root, datasets):
                con.execute(statement)
            con.executemany("insert into labels values (?, ?, ?, ?, ?)", label_rows())
            con.execute("create or replace table xxgk_catalog (version varchar, datasets varchar)")
            con.execute("insert into xxgk_catalog values (?, ?)", [version, ",".join(datasets)])
            con.execute("checkpoint")
        finally:
            con.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def catalog_version(root: str | os.PathLike) -> str | None:
    """The warehouse version the catalog was written for (None: no catalog)."""
    import duckdb

    path = Path(root) / CATALOG
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("select version from xxgk_catalog").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    return row[0] if row else None

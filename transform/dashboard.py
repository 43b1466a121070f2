"""The data-quality dashboard: one self-contained HTML page (plus a page per
report it points at) written from the committed warehouse.

    OUTPUT/dashboard/index.html
    OUTPUT/dashboard/reports/<report_id>.html

Pure: it reads the committed datasets (the version ``.xxgk/current`` names,
pinned for the whole build) and writes files; it knows nothing of Prefect.
Charts are Vega-Lite specs made with Altair and rendered here to inline SVG
by vl-convert (no JavaScript, no CDN: the page works offline, opened from
disk).  Every chart has its numbers beside it in a plain HTML table, which
is what people and tests read.  Columns the contract adds later
(``agency_key``, ``scope``, the ``runs`` dataset ...) are used where present
and otherwise replaced by a short "not available yet" note.
"""
from __future__ import annotations

import html
import os
import time
import uuid
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from transform.warehouse import META, Warehouse

DASHBOARD_DIR = "dashboard"
STATUSES = ("ok", "invalid", "rejected")
STATUS_COLOURS = ("#4c9a2a", "#e3a21a", "#c0392b")
TOP_EXPECTATIONS = 10
TREND_EXPECTATIONS = 5
TOP_BODIES = 20
MAX_LISTED = 300          # rows of a listing table before "and N more"
MAX_DETAIL_PAGES = 5000   # report pages written per build
NOT_YET = "not available yet"

APPLICANT_LABELS = {
    "natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他", "total": "总计",
}
PROCEEDING_LABELS = {"administrative_review": "行政复议", "litigation_direct": "未经复议直接起诉",
                     "litigation_after_review": "复议后起诉"}
OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                  "total": "总计"}


# ------------------------------------------------------------------ reading
class _Snapshot:
    """The datasets of one committed version, read once each."""

    def __init__(self, out_dir: Path):
        self.root = Path(out_dir)
        self.wh = Warehouse(self.root)
        self.version = self.wh.current_version()
        self._cache: dict = {}

    def _dir(self, dataset: str) -> Path | None:
        d = self.wh.dataset_dir(dataset, self.version) if self.version else None
        if d is not None and d.is_dir():
            return d
        return None

    def columns(self, dataset: str) -> list[str]:
        path = self._dir(dataset) or self._outside(dataset)
        if path is None:
            return []
        try:
            return list(pq.read_schema(next(iter(sorted(path.glob("*.parquet"))))).names)
        except StopIteration:
            return []

    def _outside(self, dataset: str) -> Path | None:
        """A dataset kept outside the versions (``runs`` is kept across
        versions): OUTPUT/<dataset> or OUTPUT/.xxgk/<dataset>."""
        for cand in (self.root / dataset, self.root / META / dataset):
            if cand.is_dir() and any(cand.glob("*.parquet")):
                return cand
        return None

    def read(self, dataset: str, columns: list[str] | None = None, filters=None) -> pd.DataFrame | None:
        key = (dataset, tuple(columns or ()), repr(filters))
        if key in self._cache:
            return self._cache[key]
        path = self._dir(dataset) or (self._outside(dataset) if dataset == "runs" else None)
        if path is None:
            frame = None
        else:
            have = set(self.columns(dataset))
            cols = [c for c in columns if c in have] if columns else None
            frame = pq.read_table(path, columns=cols, filters=filters).to_pandas()
            for c in frame.columns:   # categoricals -> plain strings for grouping and display
                if isinstance(frame[c].dtype, pd.CategoricalDtype):
                    frame[c] = frame[c].astype("string")
        self._cache[key] = frame
        return frame


# ------------------------------------------------------------------ html bits
def _e(value) -> str:
    if type(value) is str:      # the common case first: no pd.isna on every string
        return html.escape(value)
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def _table(frame: pd.DataFrame, table_id: str, caption: str | None = None,
           raw_html: frozenset = frozenset()) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for col, v in zip(frame.columns, rec):
            body = v if col in raw_html else _e(_fmt(v))
            num = " class=\"num\"" if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
            cells.append(f"<td{num}>{body}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (f'<table class="numbers" id="{table_id}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _rows_table(columns: list[str], rows: list[tuple], table_id: str) -> str:
    """_table for rows already in hand (a DataFrame per report page is slow)."""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="numbers" id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _fmt(v):
    if isinstance(v, float):
        # every digit the data holds (money in 万元 has two decimals): no rounding
        return "" if pd.isna(v) else (f"{v:.6f}".rstrip("0").rstrip(".") or "0")
    return v


def _pct(v) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):.1%}"


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _pair(chart: str, table: str) -> str:
    return f'<div class="pair"><figure class="chart">{chart}</figure><div class="tablebox">{table}</div></div>'


# ------------------------------------------------------------------ charts
def _vl_version() -> str | None:
    try:
        import altair as alt
        import vl_convert as vlc
    except ImportError:
        return None
    want = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    have = list(vlc.get_vegalite_versions())
    return want if want in have else have[-1]


_VL: dict = {}


def _svg(chart) -> str:
    """An Altair chart as inline SVG (vl-convert, offline); a note instead
    when the renderer is missing or fails, so the numbers still show."""
    if "v" not in _VL:
        _VL["v"] = _vl_version()
    if _VL["v"] is None:
        return _note("chart not rendered: altair / vl-convert-python not installed")
    try:
        import vl_convert as vlc

        spec = chart.configure(font="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif",
                               background="white").to_dict()
        svg = vlc.vegalite_to_svg(spec, vl_version=_VL["v"])
    except Exception as exc:   # a chart is never worth losing the page
        return _note(f"chart not rendered: {type(exc).__name__}: {exc}")
    return svg[svg.find("<svg"):]


def _int_axis(top) -> "alt.Axis":
    """An axis of counts: whole-number ticks only (below 8, every one)."""
    import altair as alt

    top = int(top) if top is not None and not pd.isna(top) else 0
    if top < 8:
        return alt.Axis(format="d", values=list(range(0, top + 1)))
    return alt.Axis(format="d", tickMinStep=1)


def _status_colour():
    import altair as alt
    return alt.Color("status:N", scale=alt.Scale(domain=list(STATUSES), range=list(STATUS_COLOURS)),
                     sort=list(STATUSES), legend=alt.Legend(orient="top", title=None))


# ------------------------------------------------------------------ sections
def _status_by(reports: pd.DataFrame, column: str) -> tuple[str, pd.DataFrame]:
    import altair as alt

    keys = reports[column].astype("string").fillna("(none)") if column in reports else None
    if keys is None:
        return _note(f"{column}: {NOT_YET}"), pd.DataFrame()
    counts = (pd.crosstab(keys, reports["status"].astype("string"))
              .reindex(columns=list(STATUSES), fill_value=0))
    counts["total"] = counts.sum(axis=1)
    counts = counts.reset_index().rename(columns={"row_0": column, column: column})
    counts.columns = [column, *STATUSES, "total"]
    long = counts.melt(id_vars=[column], value_vars=list(STATUSES), var_name="status", value_name="reports")
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X(f"{column}:N", title=column, sort=list(counts[column]),
                axis=alt.Axis(labelAngle=0 if column in ("year", "template") else -40)),
        y=alt.Y("reports:Q", title="reports", stack="zero", axis=_int_axis(counts["total"].max())),
        color=_status_colour(),
        order=alt.Order("status_order:Q"),
    ).transform_calculate(
        status_order="indexof(['ok','invalid','rejected'], datum.status)"
    ).properties(width=max(150, 30 * len(counts)), height=180, title=f"status by {column}")
    return _svg(chart), counts


def _section_status(reports: pd.DataFrame) -> str:
    parts = []
    for column in ("year", "template", "format", "layout"):
        chart, counts = _status_by(reports, column)
        if counts.empty:
            parts.append(chart)
            continue
        parts.append(_pair(chart, _table(counts, f"status-by-{column}")))
    return _sec("status", "Status by year, template, format and layout",
                '<div class="grid2">' + "".join(parts) + "</div>")


def _sec(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{_e(title)}</h2>{body}</section>'


def _failed(snap: _Snapshot) -> pd.DataFrame:
    cols = ["report_id", "expectation", "success", "details", "scope"]
    v = snap.read("validations", columns=cols, filters=[("success", "=", False)])
    if v is None:
        return pd.DataFrame(columns=cols)
    return v


def _evaluated(snap: _Snapshot) -> pd.DataFrame:
    v = snap.read("validations", columns=["report_id", "expectation", "scope"])
    return v if v is not None else pd.DataFrame(columns=["report_id", "expectation"])


def _section_expectations(snap, reports, failed, pages) -> str:
    import altair as alt

    if failed.empty:
        return _sec("expectations", "Most-failed expectations", _note("no expectation failed"))
    evaluated = _evaluated(snap).groupby("expectation")["report_id"].nunique()
    by = failed.groupby("expectation")
    top = pd.DataFrame({"failing reports": by["report_id"].nunique()})
    if "scope" in failed:
        top["scope"] = by["scope"].first()
    top["evaluated"] = evaluated.reindex(top.index).fillna(0).astype(int)
    top["share failing"] = top["failing reports"] / top["evaluated"].where(top["evaluated"] > 0)
    top = top.sort_values(["failing reports"], ascending=False, kind="stable").head(TOP_EXPECTATIONS)
    examples = {}
    for name in top.index:
        ids = list(dict.fromkeys(failed.loc[failed["expectation"] == name, "report_id"]))[:3]
        examples[name] = " ".join(_report_link(r, pages, short=True) for r in ids)
    top = top.reset_index()
    top["share failing"] = top["share failing"].map(_pct)
    top["examples"] = top["expectation"].map(examples)
    order = ["expectation", *(["scope"] if "scope" in top else []), "failing reports", "evaluated",
             "share failing", "examples"]
    top = top[order]
    bar = alt.Chart(top).mark_bar(color="#c0392b").encode(
        y=alt.Y("expectation:N", sort="-x", title=None),
        x=alt.X("failing reports:Q", title="failing reports", axis=_int_axis(top["failing reports"].max())),
    ).properties(width=320, height=22 * len(top), title="most-failed expectations")
    body = _pair(_svg(bar), _table(top, "top-expectations", raw_html=frozenset({"examples"})))

    # trend over report years, for the most-failed few
    names = list(top["expectation"].head(TREND_EXPECTATIONS))
    years = reports.drop_duplicates("report_id").set_index("report_id")["year"]
    trend = failed[failed["expectation"].isin(names)].drop_duplicates(["report_id", "expectation"]).copy()
    trend["year"] = trend["report_id"].map(years).astype("string").fillna("(none)")
    all_years = sorted(str(y) for y in reports["year"].dropna().unique())
    pivot = pd.crosstab(trend["expectation"], trend["year"]).reindex(names).fillna(0).astype(int)
    pivot = pivot.reindex(columns=all_years + [c for c in pivot.columns if c not in all_years], fill_value=0)
    long = pivot.reset_index().melt(id_vars="expectation", var_name="year", value_name="failing reports")
    line = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title="report year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("failing reports:Q", axis=_int_axis(long["failing reports"].max())),
        color=alt.Color("expectation:N", sort=names, legend=alt.Legend(orient="bottom", columns=1)),
    ).properties(width=380, height=200, title="failing reports per report year")
    pivot.columns = [str(c) for c in pivot.columns]
    body += _pair(_svg(line), _table(pivot.reset_index(), "expectation-trend"))
    return _sec("expectations", "Most-failed expectations, and their trend over report years", body)


def _section_bodies(reports, failed) -> str:
    import altair as alt

    have_key = "agency_key" in reports
    r = reports.drop_duplicates("report_id")
    body_of = r["agency_key"].astype("string") if have_key else r["agency"].astype("string")
    if have_key:
        body_of = body_of.fillna(r["agency"].astype("string").map(lambda a: f"{a} (agency as printed)"
                                                                  if isinstance(a, str) else a))
    r = r.assign(body=body_of.fillna("(unknown)"))
    per_report = failed.groupby("report_id").size()
    r = r.assign(findings=r["report_id"].map(per_report).fillna(0).astype(int))
    r = r.assign(is_invalid=(r["status"].astype("string") == "invalid").fillna(False).astype(int))
    by_body = r.groupby("body")
    agg = by_body.agg(reports=("report_id", "size"), findings=("findings", "sum"), invalid=("is_invalid", "sum"))
    for col in ("province", "city", "county"):
        if col in r:
            agg[col] = by_body[col].first()     # the first printed, nulls skipped
    agg = agg[agg["findings"] > 0].sort_values(["findings", "reports"], ascending=False, kind="stable")
    notes = "" if have_key else _note(f"agency_key: {NOT_YET}; bodies are grouped by agency as printed")
    if "province" not in reports:
        notes += _note(f"province / city / county: {NOT_YET}")
    if agg.empty:
        return _sec("bodies", "Bodies with the most findings", notes + _note("no findings"))
    top = agg.head(TOP_BODIES).reset_index().rename(columns={"body": "agency_key" if have_key else "agency"})
    name_col = top.columns[0]
    chart = alt.Chart(top).mark_bar(color="#8e44ad").encode(
        y=alt.Y(f"{name_col}:N", sort="-x", title=None), x=alt.X("findings:Q", title="failed expectations",
                                                          axis=_int_axis(top["findings"].max())),
    ).properties(width=300, height=20 * len(top), title="bodies with the most findings")
    return _sec("bodies", "Bodies with the most findings", notes + _pair(_svg(chart), _table(top, "top-bodies")))


def _section_across(reports, failed, pages, scope_known: bool) -> str:
    import altair as alt

    title = "Carry-over and prose disagreements"
    if not scope_known:
        return _sec("across", title, _note(f"validations.scope: {NOT_YET} (cross_year and prose findings "
                                            "appear here once the validations carry it)"))
    across = failed[failed["scope"].isin(["cross_year", "prose"])]
    if across.empty:
        return _sec("across", title, _note("no cross_year or prose finding"))
    info = reports.drop_duplicates("report_id").set_index("report_id")
    rows = across.assign(
        year=across["report_id"].map(info["year"]),
        agency=across["report_id"].map(info["agency"]),
        source_path=across["report_id"].map(info["source_path"]),
    ).sort_values(["scope", "expectation", "year", "source_path"], kind="stable")
    counts = pd.crosstab([rows["scope"], rows["expectation"]], rows["year"].astype("string").fillna("(none)"))
    counts["total"] = counts.sum(axis=1)
    counts.columns = [str(c) for c in counts.columns]
    long = rows.assign(year=rows["year"].astype("string").fillna("(none)")).groupby(
        ["scope", "year"]).size().rename("findings").reset_index()
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("year:O", title="report year", axis=alt.Axis(labelAngle=0)), y=alt.Y("findings:Q", axis=_int_axis(long.groupby("year")["findings"].sum().max())),
        color=alt.Color("scope:N", scale=alt.Scale(domain=["cross_year", "prose"], range=["#2980b9", "#16a085"])),
    ).properties(width=260, height=180, title="disagreements by report year")
    more = len(rows) - MAX_LISTED
    shown = rows.head(MAX_LISTED)
    listing = pd.DataFrame({
        "scope": shown["scope"], "expectation": shown["expectation"],
        "report": [_report_link(r, pages, label=p) for r, p in zip(shown["report_id"], shown["source_path"])],
        "agency": shown["agency"], "year": shown["year"], "details": shown["details"],
    })
    body = _pair(_svg(chart), _table(counts.reset_index(), "across-counts"))
    body += _table(listing, "across-list", raw_html=frozenset({"report"}))
    if more > 0:
        body += _note(f"and {more} more")
    return _sec("across", title, body)


def _section_rejections(reports, pages) -> str:
    import altair as alt

    rej = reports[reports["status"] == "rejected"]
    if rej.empty:
        return _sec("rejections", "Rejection reasons", _note("no report rejected"))
    code = rej["error_code"].astype("string").fillna("(no code)") if "error_code" in rej else \
        pd.Series("(no code)", index=rej.index)
    counts = code.value_counts().rename_axis("error_code").rename("rejected").reset_index()
    example = rej.assign(code=code).groupby("code").first()
    counts["example"] = [_report_link(example.loc[c, "report_id"], pages, label=example.loc[c, "source_path"])
                         for c in counts["error_code"]]
    chart = alt.Chart(counts).mark_bar(color="#c0392b").encode(
        y=alt.Y("error_code:N", sort="-x", title=None), x=alt.X("rejected:Q", title="rejected files", axis=_int_axis(counts["rejected"].max())),
    ).properties(width=300, height=22 * len(counts), title="rejection reasons")
    return _sec("rejections", "Rejection reasons by error_code",
                _pair(_svg(chart), _table(counts, "rejections", raw_html=frozenset({"example"}))))


def _section_runs(snap) -> str:
    import altair as alt

    title = "Quality over time (runs)"
    runs = snap.read("runs")
    if runs is None or runs.empty:
        return _sec("runs", title, _note(f"runs dataset: {NOT_YET}"))
    need = {"ok", "invalid", "rejected"}
    if not need <= set(runs.columns):
        return _sec("runs", title, _note(f"runs.ok / invalid / rejected: {NOT_YET}"))
    when = "started_at" if "started_at" in runs else ("finished_at" if "finished_at" in runs else None)
    runs = runs.sort_values(when, kind="stable") if when else runs
    total = runs[["ok", "invalid", "rejected"]].sum(axis=1)
    shown = pd.DataFrame({
        c: runs[c] for c in ("run_id", "started_at", "finished_at", "version", "outcome") if c in runs
    })
    for c in ("ok", "invalid", "rejected"):
        shown[c] = runs[c].astype("Int64")
    shown["share ok"] = (runs["ok"] / total.where(total > 0)).astype(float)
    shown = shown.reset_index(drop=True)
    plot = pd.DataFrame({"run": range(1, len(shown) + 1), "share ok": shown["share ok"]})
    shown["share ok"] = shown["share ok"].map(_pct)
    if when:
        plot["when"] = pd.to_datetime(runs[when].reset_index(drop=True), utc=True).dt.strftime("%Y-%m-%d %H:%M")
    chart = alt.Chart(plot).mark_line(point=True, color="#4c9a2a").encode(
        x=alt.X("run:O", title="run (in order)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share ok:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
    ).properties(width=380, height=180, title="share of ok reports per run")
    for c in ("started_at", "finished_at"):
        if c in shown:
            shown[c] = pd.to_datetime(shown[c], utc=True).dt.strftime("%Y-%m-%d %H:%M:%S")
    listing = shown.iloc[::-1].head(MAX_LISTED)
    return _sec("runs", title, _pair(_svg(chart), _table(listing, "runs")))


# ------------------------------------------------------------------ report pages
class _PageLinks:
    """The reports that may have a page, and those the index links to.
    Only linked pages are written: a page nobody can reach from the index
    costs a file per report of a large warehouse for nothing."""

    def __init__(self, allowed: list[str]):
        self.allowed = set(allowed)
        self.linked: dict[str, None] = {}

    def link(self, report_id) -> bool:
        if report_id in self.allowed:
            self.linked.setdefault(report_id)
            return True
        return False


def _report_link(report_id, pages: _PageLinks, label=None, short=False) -> str:
    text = _e(label) if label is not None and not pd.isna(label) else _e(str(report_id)[:12] if short else report_id)
    if pages.link(report_id):
        return f'<a href="reports/{_e(report_id)}.html">{text}</a>'
    return text


def _page_ids(reports: pd.DataFrame, failed: pd.DataFrame) -> list[str]:
    """Reports that may get a page (when the index links to them), most
    wanted first: those with a finding across documents, then invalid, then
    rejected ones."""
    ids: dict[str, None] = {}
    if "scope" in failed:
        for r in failed.loc[failed["scope"].isin(["cross_year", "prose"]), "report_id"]:
            ids.setdefault(r)
    for r in failed["report_id"]:
        ids.setdefault(r)
    for r in reports.loc[reports["status"] == "rejected", "report_id"].dropna():
        ids.setdefault(r)
    return [r for r in ids if isinstance(r, str)][:MAX_DETAIL_PAGES]


def _first(*values):
    for v in values:
        if v is not None and not pd.isna(v):
            return v
    return None


def _cell(value, raw, error) -> str:
    """One table cell; figures need no escaping, the raw text and the
    error do."""
    shown = "" if value is None else html.escape(value) if isinstance(value, str) else _fmt(value)
    title = f' title="raw: {html.escape(raw)}"' if raw else ""
    if error:
        return f'<td class="num err"{title}>{shown}<span class="cell-error">{html.escape(error)}</span></td>'
    return f'<td class="num"{title}>{shown}</td>'


_EMPTY_CELL = _cell(None, None, None)


def _grid(cells: dict[tuple, str] | None, row_order: list, col_order: list[str],
          row_label, col_label, table_id: str) -> str:
    """A table of cells given as {(row, column): cell html}: rows in
    row_order (then any others as they come), columns likewise."""
    if not cells:
        return _note("no cells extracted")
    seen_rows = list(dict.fromkeys(r for r, _ in cells))
    seen_cols = list(dict.fromkeys(c for _, c in cells))
    rank = {k: i for i, k in enumerate(row_order)}
    first = {r: i for i, r in enumerate(seen_rows)}
    rows = sorted(seen_rows, key=lambda r: (rank.get(r, len(rank)), first[r]))
    known = set(seen_cols)
    cols = [c for c in col_order if c in known] + [c for c in seen_cols if c not in set(col_order)]
    head = "<th></th>" + "".join(f"<th>{_e(col_label(c))}</th>" for c in cols)
    get = cells.get
    body = [f"<tr><th>{_e(row_label(r))}</th>{''.join(get((r, c), _EMPTY_CELL) for c in cols)}</tr>"
            for r in rows]
    return f'<table class="cells" id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _cells_by_report(frame: pd.DataFrame | None, row_cols: list[str], col: str) -> dict[str, dict[tuple, str]]:
    """{report_id: {(row, column): cell html}}, built in one pass over the
    dataset (pages are many; pandas per page is slow)."""
    if frame is None or frame.empty:
        return {}
    n = len(frame)
    rows = (frame[row_cols[0]].tolist() if len(row_cols) == 1
            else list(zip(*(frame[c].tolist() for c in row_cols))))
    values = frame["value"].astype(object).where(frame["value"].notna(), None).tolist()
    raws = frame["raw"].tolist() if "raw" in frame else [None] * n
    errors = frame["cell_error"].tolist() if "cell_error" in frame else [None] * n
    out: dict[str, dict[tuple, str]] = {}
    for rid, r, c, v, raw, err in zip(frame["report_id"].tolist(), rows, frame[col].tolist(), values, raws, errors):
        out.setdefault(rid, {})[(r, c)] = _cell(v, raw if isinstance(raw, str) else None,
                                                err if isinstance(err, str) else None)
    return out


PAGE_SIGNATURES = ".signatures.json"
# Part of every page's signature: change it when a report page's layout
# changes, so that every page is written again.
PAGE_FORMAT = 2


def _write_report_pages(snap: _Snapshot, reports: pd.DataFrame, ids: list[str], out: Path) -> None:
    """A page per report in `ids`.  A page is written again only when what
    it shows changed: its signature (the report's rows in `reports`, its
    failed expectations, its parser version, PAGE_FORMAT; the cells follow
    from the report's bytes and the parser) is kept in
    reports/.signatures.json.  A nightly run that changes a few reports
    rewrites a few pages, not the thousands a large warehouse has."""
    import hashlib
    import json

    from extract.templates import ACTIVE_ITEMS, ACTIVE_METRICS, OUTCOMES, PROCEEDINGS, REQUEST_ROWS

    pages = out / "reports"
    pages.mkdir(parents=True, exist_ok=True)
    wanted = set(ids)
    keep = {f"{r}.html" for r in ids}
    for old in pages.glob("*.html"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    try:
        signatures = json.loads((pages / PAGE_SIGNATURES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        signatures = {}
    signatures = {rid: sig for rid, sig in signatures.items() if rid in wanted}
    if not ids:
        _write(pages / PAGE_SIGNATURES, "{}")
        return
    flt = [("report_id", "in", sorted(wanted))]
    val = snap.read("validations", filters=flt + [("success", "=", False)])
    val_cols = [c for c in ("expectation", "scope", "details") if val is not None and c in val]
    fails_by: dict[str, list[tuple]] = {}
    if val is not None:
        for rid, *rest in zip(val["report_id"].tolist(), *(val[c].tolist() for c in val_cols)):
            fails_by.setdefault(rid, []).append(tuple(rest))

    meta_cols = [c for c in ("source_path", "status", "error_code", "error", "format", "layout", "encoding",
                             "template", "year", "agency", "agency_key", "province", "city", "county", "primary",
                             "notes") if c in reports]
    sig_cols = meta_cols + [c for c in ("parser_version",) if c in reports]
    rows_of = reports.loc[reports["report_id"].isin(wanted), list(dict.fromkeys(["report_id", *sig_cols]))]
    groups: dict[str, list[dict]] = {}
    for rec in rows_of.to_dict("records"):
        groups.setdefault(rec["report_id"], []).append(rec)
    todo: dict[str, str] = {}
    for rid, group in groups.items():
        # the holder of the content first (duplicates share its id)
        group.sort(key=lambda g: (g.get("status") == "rejected", str(g.get("source_path"))))
        shown = repr(([[str(g.get(c)) for c in sig_cols] for g in group],
                      sorted(map(repr, fails_by.get(rid, []))), val_cols, PAGE_FORMAT))
        signature = hashlib.sha256(shown.encode("utf-8")).hexdigest()[:32]
        if signatures.get(rid) != signature or not (pages / f"{rid}.html").is_file():
            todo[rid] = signature
    if todo:
        # Pages are written in place (a temporary file and a rename per page
        # cost three times as much on thousands of pages); the signatures go
        # first, so a build cut short rewrites every page next time.
        (pages / PAGE_SIGNATURES).unlink(missing_ok=True)
        flt = [("report_id", "in", sorted(todo))]
        req = _cells_by_report(snap.read("requests", filters=flt), ["row"], "applicant")
        rev = _cells_by_report(snap.read("review_litigation", filters=flt), ["proceeding"], "outcome")
        act = _cells_by_report(snap.read("active_disclosure", filters=flt), ["article", "item"], "metric")
    row_label = {r.key: r.canonical for r in REQUEST_ROWS}
    row_order = [r.key for r in REQUEST_ROWS]
    item_order = [(a, i) for a, i, *_ in ACTIVE_ITEMS]
    metric_order = list(dict.fromkeys(m for t in ACTIVE_METRICS.values() for ms in t.values() for m in ms))
    for rid, signature in todo.items():
        group = groups[rid]
        main = group[0]
        meta = "".join(f"<tr><th>{_e(c)}</th><td>{_e(main[c])}</td></tr>" for c in meta_cols)
        if len(group) > 1:
            meta += ("<tr><th>same content</th><td>" + "<br>".join(_e(g.get("source_path")) for g in group[1:])
                     + "</td></tr>")
        fails = fails_by.get(rid)
        if fails:
            fails_html = _rows_table(val_cols, sorted(fails, key=lambda f: str(f[0])), "failed")
        else:
            fails_html = _note("no failed expectation")
        t3 = _grid(req.get(rid), row_order, list(APPLICANT_LABELS),
                   lambda r: f"{r} {row_label.get(r, '')}".strip(),
                   lambda c: f"{c} {APPLICANT_LABELS.get(c, '')}".strip(), "table3")
        t4 = _grid(rev.get(rid), list(PROCEEDINGS), list(OUTCOMES),
                   lambda r: f"{r} {PROCEEDING_LABELS.get(r, '')}".strip(),
                   lambda c: f"{c} {OUTCOME_LABELS.get(c, '')}".strip(), "table4")
        t2 = _grid(act.get(rid), item_order, metric_order, lambda r: f"{r[0]} {r[1]}", str, "table2")
        body = (f'<p><a href="../index.html">← dashboard</a></p>'
                f'<h1>{_e(_first(main.get("agency"), main.get("source_path")))} {_e(main.get("year"))}</h1>'
                f'<table class="meta" id="meta"><tbody><tr><th>report_id</th><td>{_e(rid)}</td></tr>{meta}'
                f"</tbody></table>"
                f"<h2>Failed expectations</h2>{fails_html}"
                f"<h2>Table 2 主动公开政府信息情况</h2>{t2}"
                f"<h2>Table 3 收到和处理政府信息公开申请情况</h2>{t3}"
                f"<h2>Table 4 行政复议、行政诉讼情况</h2>{t4}")
        # a report's page names no warehouse version: it stays valid for
        # every version whose rows for the report are the same
        (pages / f"{rid}.html").write_text(_page(f"xxgk report {rid[:12]}", body, None), encoding="utf-8")
        signatures[rid] = signature
    _write(pages / PAGE_SIGNATURES, json.dumps(signatures, sort_keys=True))


# ------------------------------------------------------------------ page
CSS = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.5em;margin:.2em 0} h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.meta-line{color:#555;font-size:.9em}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(600px,1fr));column-gap:1em}
.grid2 .pair{flex-wrap:nowrap}
.pair{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start;margin:.8em 0}
figure.chart{margin:0} .tablebox{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.85em;margin:.4em 0}
th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top} thead th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums} caption{text-align:left;font-weight:bold}
.note{color:#777;font-style:italic;margin:.3em 0}
#totals td{font-size:1.4em;font-weight:bold;padding:4px 14px}
td.err{background:#fdecea} .cell-error{display:block;color:#c0392b;font-size:.8em;text-align:left}
table.cells th{text-align:left;font-weight:normal} table.meta th{text-align:left}
nav a{margin-right:1em}
"""


def _page(title: str, body: str, version: str | None) -> str:
    stamp = f'<meta name="xxgk-version" content="{_e(version)}">' if version is not None else ""
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'{stamp}<style>{CSS}</style></head><body>{body}</body></html>')


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build_dashboard(out_dir: str | os.PathLike) -> Path:
    """Write OUTPUT/dashboard/index.html (and the report pages it links to)
    from the committed version of the warehouse at out_dir; returns the
    index's path."""
    snap = _Snapshot(Path(out_dir))
    out = snap.root / DASHBOARD_DIR
    out.mkdir(parents=True, exist_ok=True)
    generated = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    head = (f"<h1>xxgk data quality</h1><p class=\"meta-line\">warehouse <code>{_e(snap.root.resolve())}</code>, "
            f"version <code id=\"version\">{_e(snap.version)}</code>, built {_e(generated)}</p>")
    if snap.version is None:
        _write(out / "index.html", _page("xxgk data quality", head + _note("no committed version yet"), None))
        return out / "index.html"

    reports = snap.read("reports")
    for col in ("status", "source_path", "agency"):
        if col not in reports:
            reports[col] = pd.Series(pd.NA, index=reports.index, dtype="string")
    failed = _failed(snap)
    scope_known = "scope" in snap.columns("validations")
    ids = _page_ids(reports, failed)
    pages = _PageLinks(ids)

    totals = pd.DataFrame([{"reports": len(reports),
                            **{s: int((reports["status"] == s).sum()) for s in STATUSES}}])
    share = totals.loc[0, "ok"] / totals.loc[0, "reports"] if len(reports) else float("nan")
    nav = "".join(f'<a href="#{s}">{t}</a>' for s, t in (
        ("status", "status"), ("expectations", "expectations"), ("bodies", "bodies"),
        ("across", "carry-over & prose"), ("rejections", "rejections"), ("runs", "runs")))
    summary = (_table(totals, "totals") +
               f'<p class="meta-line">share ok: <span id="share-ok">{_e(_pct(share))}</span>'
               f"{'' if 'primary' in reports else ' · reports.primary: ' + NOT_YET}</p>")
    body = "".join([
        head, f"<nav>{nav}</nav>", summary,
        _section_status(reports),
        _section_expectations(snap, reports, failed, pages),
        _section_bodies(reports, failed),
        _section_across(reports, failed, pages, scope_known),
        _section_rejections(reports, pages),
        _section_runs(snap),
    ])
    _write_report_pages(snap, reports, list(pages.linked), out)
    index = out / "index.html"
    _write(index, _page("xxgk data quality", body, snap.version))
    return index

"""Expectations across documents, evaluated over the whole warehouse.

- ``prose_matches_tables`` (scope ``prose``): the figures a report's prose
  states (extract.prose, read into the prose_figures dataset when the
  report is parsed) against its tables 3 and 4.
- ``carried_over_matches_previous_year`` (scope ``cross_year``): table 3's
  carried_over of a body's report of year N against carried_forward of its
  report of year N-1, per applicant column.

The views are pure pandas; the rules are in suites/across/*.json, run by the
same Validator as the per-report suites: one GX validation per view, never
per report.  ``validate_across`` is called once per run on the complete new
version (``refresh_staged``), so an incremental run that adds last year's
report re-checks this year's.  Its rows replace the earlier prose and
cross_year rows; a failure never makes a report invalid (validate.statuses).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from transform.bodies import key_is_certain

PROSE_COLUMNS = ("report_id", "source_path", "measure", "stated", "table", "residual", "hint", "sentence")
CROSS_COLUMNS = ("report_id", "source_path", "year", "applicant", "carried_over", "previous_report_id",
                 "previous_source_path", "previous_year", "previous_carried_forward", "residual")
ACROSS_SUBJECTS = {
    "prose": ["source_path", "measure", "stated", "table", "hint", "sentence"],
    "cross_year": ["source_path", "year", "applicant", "carried_over", "previous_source_path",
                   "previous_year", "previous_carried_forward"],
}
# table 3 rows and table 4 proceedings each measure stands for (summed)
_REQUEST_MEASURES = {
    "new_received": ("new_received",),
    # 受理: the new requests, or the new and carried-over ones (both readings pass)
    "accepted": ("new_received",),
    "carried_over": ("carried_over",),
    "granted": ("granted",),
    "partially_granted": ("partially_granted",),
    "granted_or_partial": ("granted", "partially_granted"),
    "denied": ("denied_state_secret", "denied_prohibited_by_law", "denied_three_securities",
               "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
               "denied_enforcement_files", "denied_administrative_query"),
}
_REVIEW_MEASURES = {
    "administrative_review": ("administrative_review",),
    "litigation": ("litigation_direct", "litigation_after_review"),
}


def _extracted(reports: pd.DataFrame) -> pd.DataFrame:
    """The reports whose tables are in the warehouse (not rejected)."""
    keep = reports["report_id"].notna()
    if "error" in reports.columns:
        keep &= reports["error"].isna()
    return reports[keep].drop_duplicates("report_id")


def _among(column: pd.Series, values: pd.Series) -> np.ndarray:
    """column.isin(values) as a boolean array, by Arrow's is_in: pandas'
    isin walks a string column's values one Python object at a time, which
    took seconds over a version's hundreds of thousands of cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = pa.array(values.astype("string")).unique()
    return pc.is_in(pa.array(column.astype("string")), value_set=value_set).to_numpy(zero_copy_only=False)


def _primary(reports: pd.DataFrame) -> pd.DataFrame:
    if "primary" not in reports.columns:
        return reports
    return reports[reports["primary"].astype("boolean").fillna(False).astype(bool)]


def table_measures(requests: pd.DataFrame, review: pd.DataFrame) -> pd.DataFrame:
    """report_id, measure, table: each measure's figure in the tables (the
    total column; parts summed, blanks skipped, null when all are blank or
    one could not be read).
    A total that its own row contradicts (table 3: not the sum of the six
    applicant columns; table 4: not upheld + corrected + other + pending)
    was misread or misprinted, which the report's own suites say: a measure
    that needs it is null here, so the prose is not held against it."""
    out = []
    for frame, key, column, measures, n_parts in ((requests, "row", "applicant", _REQUEST_MEASURES, 6),
                                                  (review, "proceeding", "outcome", _REVIEW_MEASURES, 4)):
        if frame is None or frame.empty:
            continue
        # report ids as integer codes: strings a million times over are slow
        codes, ids = pd.factorize(frame["report_id"].astype("string"))
        cells = pd.DataFrame({"rid": codes,
                              "key": frame[key].astype("category"),
                              "is_total": (frame[column].astype("category") == "total").to_numpy(bool),
                              "value": frame["value"].to_numpy(dtype="float64", na_value=np.nan),
                              "unread": (frame["value"].isna() & frame["cell_error"].notna()).to_numpy(bool)
                              if "cell_error" in frame.columns else False})
        totals = cells[cells["is_total"]].drop(columns="is_total")
        parts = cells[~cells["is_total"]].groupby(["rid", "key"], observed=True)["value"].agg(["sum", "count"])
        totals = totals.join(parts, on=["rid", "key"])
        # a row whose parts are all figures and do not add up to its total
        totals["broken"] = (totals["count"] == n_parts) & \
            totals["value"].notna() & (totals["sum"] != totals["value"])
        for measure, keys in measures.items():
            part = totals[totals["key"].isin(keys)]
            grouped = part.groupby("rid")
            summed = grouped["value"].sum(min_count=1)
            # a total printed blank is skipped; one that could not be read
            # makes the measure unknown (予以公开 206 beside 部分公开 unread is
            # no figure for 予以公开和部分公开)
            unknown = grouped["broken"].any() | grouped["unread"].any()
            summed[unknown.reindex(summed.index).fillna(False).astype(bool).to_numpy()] = np.nan
            out.append(pd.DataFrame({"report_id": np.asarray(ids, dtype=object)[summed.index.to_numpy()],
                                     "measure": measure, "table": summed.to_numpy()}))
    if not out:
        return pd.DataFrame({"report_id": [], "measure": [], "table": []})
    return pd.concat(out, ignore_index=True)


def prose_statements(reports: pd.DataFrame, figures: pd.DataFrame | None) -> pd.DataFrame:
    """report_id, measure, stated, sentence: what each extracted report's
    prose states (the prose_figures dataset, read from the prose when the
    report was parsed)."""
    columns = ["report_id", "measure", "stated", "sentence"]
    if figures is None or figures.empty:
        return pd.DataFrame({c: [] for c in columns})
    held = figures[_among(figures["report_id"], _extracted(reports)["report_id"])]
    return held[columns].astype({"measure": "str"}).reset_index(drop=True)


def prose_view(reports: pd.DataFrame, requests: pd.DataFrame, review: pd.DataFrame,
               figures: pd.DataFrame | None) -> pd.DataFrame:
    """One row per stated figure whose table figure is known: stated, table,
    residual = stated - table.  A statement whose table cell is blank is not
    compared (the counts suite already reports the blank)."""
    stated = prose_statements(reports, figures)
    # only the reports whose prose states a figure need their tables' measures
    stating = stated["report_id"]
    requests, review = (None if f is None else f[_among(f["report_id"], stating)]
                        for f in (requests, review))
    measures = table_measures(requests, review)
    view = stated.merge(measures, on=["report_id", "measure"], how="inner")
    view = view[view["table"].notna()].reset_index(drop=True)
    paths = dict(zip(_extracted(reports)["report_id"], _extracted(reports)["source_path"]))
    view["source_path"] = view["report_id"].map(paths)
    view["stated"] = view["stated"].astype("float64")
    view["residual"] = view["stated"] - view["table"]
    accepted = (view["measure"] == "accepted").to_numpy()
    if accepted.any():
        carried = _carried_over(measures)
        with_carried = view["table"] + view["report_id"].map(carried).astype("float64")
        view.loc[accepted & (view["stated"] == with_carried).to_numpy(), "residual"] = 0.0
    view["hint"] = _hints(view, measures)
    return view[list(PROSE_COLUMNS)].astype({"report_id": "string", "source_path": "string",
                                             "measure": "string", "hint": "string", "sentence": "string"})


def _carried_over(measures: pd.DataFrame) -> pd.Series:
    """report_id -> table 3's carried_over total (from table_measures)."""
    table = measures[measures["measure"] == "carried_over"]
    return pd.Series(table["table"].to_numpy(dtype="float64"), index=table["report_id"].to_numpy())


def _hints(view: pd.DataFrame, measures: pd.DataFrame) -> list[str]:
    """A word on a known reading of a mismatch: a 受理 figure that counts the
    carried-over requests too (new_received + carried_over)."""
    if view.empty:
        return []
    table = measures.pivot_table(index="report_id", columns="measure",
                                                       values="table", aggfunc="first")
    hints = []
    for rid, measure, stated, value in zip(view["report_id"], view["measure"], view["stated"], view["table"]):
        hint = ""
        if measure == "new_received" and stated != value and rid in table.index and "carried_over" in table:
            carried = table.at[rid, "carried_over"]
            if not pd.isna(carried) and stated == value + carried:
                hint = f" (new_received {value:g} + carried_over {carried:g})"
        elif measure == "accepted" and stated != value and rid in table.index and "carried_over" in table:
            carried = table.at[rid, "carried_over"]
            if not pd.isna(carried):
                hint = f" (new_received {value:g}, or {value + carried:g} with carried_over {carried:g})"
        hints.append(hint)
    return hints


def cross_year_view(reports: pd.DataFrame, requests: pd.DataFrame) -> pd.DataFrame:
    """One row per applicant column of a (primary) report of year N whose
    body's (primary) report of year N-1 is in the warehouse, both figures known."""
    empty = pd.DataFrame({c: [] for c in CROSS_COLUMNS})
    if "agency_key" not in reports.columns or requests is None or requests.empty:
        return empty
    extracted = _primary(_extracted(reports))
    extracted = extracted[extracted["agency_key"].notna() & extracted["year"].notna()]
    # a key that several places' bodies may share (和平区人民政府: 天津市's or
    # 沈阳市's) does not make two reports one body's
    certain = extracted["agency_key"].astype(str).map(key_is_certain).astype(bool)
    extracted = extracted[certain.to_numpy()]
    # one report per body and year; a body with two for a year (and no
    # primary to choose) is not compared that year
    counts = extracted.groupby(["agency_key", "year"])["report_id"].transform("size")
    extracted = extracted[counts == 1][["report_id", "source_path", "agency_key", "year"]]
    extracted = extracted.astype({"year": "int64", "report_id": str, "agency_key": str})
    if extracted.empty:
        return empty
    pairs = extracted.merge(extracted.assign(year=extracted["year"] + 1), on=["agency_key", "year"],
                            suffixes=("", "_prev"))
    if pairs.empty:
        return empty
    cells = requests[requests["row"].astype("category").isin(("carried_over", "carried_forward")).to_numpy(bool)]
    cells = pd.DataFrame({"report_id": cells["report_id"].astype(str).to_numpy(),
                          "row": cells["row"].astype(str).to_numpy(),
                          "applicant": cells["applicant"].astype(str).to_numpy(),
                          "value": cells["value"].to_numpy(dtype="float64", na_value=np.nan)})
    over = cells[cells["row"] == "carried_over"].drop(columns="row").rename(columns={"value": "carried_over"})
    forward = cells[cells["row"] == "carried_forward"].drop(columns="row").rename(
        columns={"value": "previous_carried_forward", "report_id": "previous_report_id"})
    view = (pairs.rename(columns={"report_id_prev": "previous_report_id", "source_path_prev": "previous_source_path"})
            .merge(over, on="report_id").merge(forward, on=["previous_report_id", "applicant"]))
    view = view[view["carried_over"].notna() & view["previous_carried_forward"].notna()]
    view["previous_year"] = view["year"] - 1
    view["residual"] = view["carried_over"] - view["previous_carried_forward"]
    view = view.sort_values(["report_id", "applicant"]).reset_index(drop=True)
    return view[list(CROSS_COLUMNS)].astype({"report_id": "string", "source_path": "string",
                                             "previous_report_id": "string", "previous_source_path": "string",
                                             "applicant": "string"})


def across_views(reports, requests, review, figures) -> dict[str, pd.DataFrame]:
    return {"prose": prose_view(reports, requests, review, figures),
            "cross_year": cross_year_view(reports, requests)}


_VALIDATORS: dict = {}


def _validator(scope: str, docs_dir: str | None = None):
    from .validate import ACROSS_SUITES_DIR, Validator

    key = (scope, docs_dir)
    if key not in _VALIDATORS:
        name = {"prose": "prose", "cross_year": "cross_year"}[scope]
        validator = Validator(docs_dir=Path(docs_dir) / scope if docs_dir else None,
                              suites_dir=ACROSS_SUITES_DIR, scope=scope,
                              subjects=ACROSS_SUBJECTS)
        # one suite per scope: the validator keeps only its own
        for other in [s for s in validator.specs if s != name]:
            del validator.specs[other]
        _VALIDATORS[key] = validator
    return _VALIDATORS[key]


def validate_across(reports: pd.DataFrame, requests: pd.DataFrame, review: pd.DataFrame,
                    figures: pd.DataFrame | None, run_id: str | None = None,
                    docs_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The validations rows of the expectations across documents over these
    frames (the whole warehouse): one GX validation per view."""
    from .validate import _validations_frame, current_run_id

    run_id = run_id or current_run_id()
    views = across_views(reports, requests, review, figures)
    frames = []
    for scope, view in views.items():
        validator = _validator(scope, str(docs_dir) if docs_dir else None)
        frames.append(validator.validate_views({scope: view}, for_docs=docs_dir is not None, run_id=run_id))
        if docs_dir is not None:
            validator.build_docs()
    frames = [f for f in frames if not f.empty] or [_validations_frame([], "prose", run_id)]
    return pd.concat(frames, ignore_index=True).sort_values(["report_id", "expectation"], ignore_index=True)


_READ = {
    "reports": None,
    "requests": ["report_id", "row", "applicant", "value", "cell_error"],
    "review_litigation": ["report_id", "proceeding", "outcome", "value", "cell_error"],
    "prose_figures": ["report_id", "measure", "stated", "sentence"],
}
_ROWS = {"requests": ("row", sorted({r for rs in _REQUEST_MEASURES.values() for r in rs} | {"carried_forward"}))}


def _read_staged(staging_dir: Path, dataset: str) -> pd.DataFrame | None:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    d = staging_dir / dataset
    if not any(d.glob("*.parquet")):
        return None
    data = ds.dataset(sorted(str(p) for p in d.glob("*.parquet")), format="parquet")
    columns = [c for c in (_READ[dataset] or data.schema.names) if c in data.schema.names]
    if dataset == "reports":
        columns = [c for c in ("report_id", "source_path", "year", "error", "agency_key", "primary")
                   if c in data.schema.names]
    where = None
    if dataset in _ROWS:
        column, values = _ROWS[dataset]
        where = pc.is_in(pc.field(column).cast("string"), value_set=__import__("pyarrow").array(values))
    return data.to_table(columns=columns, filter=where).to_pandas()


def refresh_staged(staging_dir: str | os.PathLike, run_id: str | None = None,
                   docs_dir: str | os.PathLike | None = None) -> int:
    """Evaluate the expectations across documents on a staged version (all
    of it: this run's batches and the carried reports) and make its
    validations hold these rows in place of earlier prose/cross_year rows.
    Carried validations parts are hard links into the previous version:
    a part that must change is written beside and renamed over its link,
    never rewritten in place.  Returns the number of rows written."""
    import uuid

    import pyarrow as pa
    import pyarrow.parquet as pq

    from .validate import SCOPES

    staging_dir = Path(staging_dir)
    frames = {d: _read_staged(staging_dir, d) for d in _READ}
    if frames["reports"] is None:
        return 0
    rows = validate_across(frames["reports"], frames["requests"], frames["review_litigation"],
                           frames["prose_figures"], run_id=run_id, docs_dir=docs_dir)
    validations = staging_dir / "validations"
    for part in sorted(validations.glob("*.parquet")):
        table = pq.read_table(part)
        names = table.schema.names
        frame = None
        if "scope" in names:
            scope = table.column("scope").to_pandas().astype("string")
            if scope.isna().any() or (scope != "report").any():
                frame = table.to_pandas()
                frame = frame[frame["scope"].astype("string").fillna("report").eq("report").to_numpy()]
        else:       # written before validations had a scope: the report's own rows
            frame = table.to_pandas()
        if frame is None:
            continue
        frame = frame.assign(scope=pd.Categorical(["report"] * len(frame), categories=SCOPES))
        if "run_id" not in frame.columns:
            frame["run_id"] = pd.array([None] * len(frame), dtype="string")
        tmp = part.with_name(f".{part.name}.{uuid.uuid4().hex[:8]}")
        pq.write_table(pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False), tmp,
                       compression="zstd")
        os.replace(tmp, part)
    if not rows.empty:
        pq.write_table(pa.Table.from_pandas(rows, preserve_index=False),
                       validations / "part-across.parquet", compression="zstd")
    return len(rows)

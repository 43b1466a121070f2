"""The canonical frames reshaped into the views the suites are written for.

Pure pandas, no GX: a view only rearranges cells (wide per table row, wide per
applicant, one row per cell); every rule about the numbers is in suites/*.json.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from extract.templates import SIGNED_METRICS, TEMPLATE_YEARS


def report_view(reports: pd.DataFrame) -> pd.DataFrame:
    extracted = reports[reports["status"].isna()].reset_index(drop=True)
    first = extracted["template"].map(lambda t: TEMPLATE_YEARS.get(t, (None, None))[0])
    last = extracted["template"].map(lambda t: TEMPLATE_YEARS.get(t, (None, None))[1])
    return pd.DataFrame({
        "report_id": extracted["report_id"],
        "template": extracted["template"],
        "year": extracted["year"],
        "tables_found": extracted["tables_found"],
        "template_first_year": pd.array(first, dtype="Int64"),
        "template_last_year": pd.array(last, dtype="Int64"),
    })


_CELL_KEYS = (("requests", ("row", "applicant")),
              ("review_litigation", ("proceeding", "outcome")),
              ("active_disclosure", ("article", "item", "metric")))
_CELLS_COLUMNS = ("report_id", "cell", "value", "raw", "cell_error", "signed")


def _cell_codes(dataset: str, f: pd.DataFrame, keys) -> tuple[np.ndarray, list[str]]:
    """Codes into 'requests.new_received.natural_person'-style names, built
    from the key columns' category codes (no per-row string work)."""
    cats = [list(f[k].cat.categories) for k in keys]
    codes = np.zeros(len(f), dtype=np.int64)
    for k, c in zip(keys, cats):
        codes = codes * len(c) + f[k].cat.codes.to_numpy()
    return codes, [".".join((dataset,) + p) for p in itertools.product(*cats)]


def encode_strings(columns: list[pd.Series]) -> pd.Categorical:
    """The string columns, concatenated, as one Categorical (categories in
    order of appearance).  Arrow dictionary-encodes in C; pandas' astype
    ("category") of a string column hashes it through Python objects."""
    arrays = [pa.array(c.array) for c in columns]
    encoded = pc.dictionary_encode(pa.chunked_array(arrays, type=pa.large_string()).combine_chunks())
    categories = pd.Index(pd.arrays.ArrowStringArray(encoded.dictionary))
    return pd.Categorical.from_codes(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                                     categories=categories)


def cells_view(frames: dict[str, pd.DataFrame], datasets: tuple[str, ...],
               report_ids: dict[str, pd.Categorical] | None = None) -> pd.DataFrame:
    """One row per cell of the given datasets, named for people
    ('requests.new_received.natural_person').  report_ids: each dataset's
    report_id column already encoded (encode_strings), when the caller has it."""
    parts = [(dataset, keys, frames[dataset]) for dataset, keys in _CELL_KEYS
             if dataset in datasets and not frames[dataset].empty]
    if not parts:
        return pd.DataFrame({c: [] for c in _CELLS_COLUMNS})
    # Categories, not strings: GX filters and takes rows of these frames many
    # times per expectation, and a string column costs 10x an integer code.
    names: list[str] = []
    codes = []
    for dataset, keys, f in parts:
        c, n = _cell_codes(dataset, f, keys)
        codes.append(c + len(names))
        names.extend(n)
    tables = [f for _, _, f in parts]
    return pd.DataFrame({
        "report_id": _report_ids([d for d, _, _ in parts], tables, report_ids),
        "cell": pd.Categorical.from_codes(np.concatenate(codes), categories=names),
        "value": np.concatenate([f["value"].to_numpy(dtype="float64", na_value=np.nan) for f in tables]),
        "raw": encode_strings([f["raw"] for f in tables]),
        "cell_error": encode_strings([f["cell_error"] for f in tables]),
        "signed": np.concatenate([f["metric"].isin(SIGNED_METRICS).to_numpy() if "metric" in f
                                  else np.zeros(len(f), bool) for f in tables]),
    })


def _report_ids(datasets: list[str], tables: list[pd.DataFrame],
                report_ids: dict[str, pd.Categorical] | None) -> pd.Categorical:
    """The tables' report_id columns, concatenated, as one Categorical, from
    their encodings when given (categories in order of appearance either
    way: union_categoricals appends each one's new categories in order)."""
    if not report_ids:
        return encode_strings([f["report_id"] for f in tables])
    encoded = [report_ids[d] for d in datasets]
    return encoded[0] if len(encoded) == 1 else union_categoricals(encoded)


def _wide(frame: pd.DataFrame, index: list[str], columns: str,
          first_index: pd.Categorical | None = None) -> pd.DataFrame:
    """One row per (report, index value), one float column per category of
    `columns` (every category, so each column a suite names exists even when
    no report of the batch prints it).  Built from category codes with numpy:
    pandas' pivot of nullable columns cost a quarter of validation time."""
    names = [str(c) for c in frame[columns].cat.categories]
    if frame.empty:
        return pd.DataFrame(columns=index + names)
    reports = first_index if first_index is not None else encode_strings([frame[index[0]]])
    report_codes, report_ids = reports.codes, reports.categories
    key = frame[index[1]]
    n_keys = len(key.cat.categories)
    pair = report_codes.astype(np.int64) * n_keys + key.cat.codes.to_numpy()
    pairs, slot = np.unique(pair, return_inverse=True)
    values = np.full((len(pairs), len(names)), np.nan)
    values[slot, frame[columns].cat.codes.to_numpy()] = frame["value"].to_numpy(dtype="float64", na_value=np.nan)
    wide = pd.DataFrame(values, columns=names)
    wide.insert(0, index[0], pd.Categorical.from_codes(pairs // n_keys, categories=report_ids))
    wide.insert(1, index[1], pd.Categorical.from_codes(pairs % n_keys, dtype=key.dtype))
    return wide


def requests_rows_view(requests: pd.DataFrame, report_ids: pd.Categorical | None = None) -> pd.DataFrame:
    return _wide(requests, ["report_id", "row"], "applicant", report_ids)


def requests_columns_view(requests: pd.DataFrame, reports: pd.DataFrame,
                          report_ids: pd.Categorical | None = None) -> pd.DataFrame:
    wide = _wide(requests, ["report_id", "applicant"], "row", report_ids)
    if wide.empty:
        return wide
    extracted = reports[reports["status"].isna()].drop_duplicates("report_id")
    template = extracted.set_index("report_id")["template"]
    wide.insert(2, "template", wide["report_id"].map(template).astype("string"))
    return wide


def review_rows_view(review: pd.DataFrame, report_ids: pd.Categorical | None = None) -> pd.DataFrame:
    return _wide(review, ["report_id", "proceeding"], "outcome", report_ids)


# The table-2 cells the per-report plausibility view lays side by side (each
# a metric of extract.templates.ACTIVE_METRICS, unique to one article/item).
PLAUSIBILITY_METRICS = ("procurement_items", "procurement_amount", "fee_amount")


def plausibility_view(active: pd.DataFrame, reports: pd.DataFrame,
                      report_ids: pd.Categorical | None = None) -> pd.DataFrame:
    """One row per report with a table 2: its template, the money cells and
    the counts they are judged against, and ``procurement_amount_per_item``
    = procurement_amount / procurement_items, items counted as at least one
    (a blank or 0 item count with an amount is judged as a single item).
    Only arithmetic; the bounds are in suites/plausibility.json."""
    columns = ["report_id", "template", *PLAUSIBILITY_METRICS, "procurement_amount_per_item"]
    if active.empty:
        return pd.DataFrame({c: [] for c in columns})
    ids = report_ids if report_ids is not None else encode_strings([active["report_id"]])
    report_codes = np.asarray(ids.codes, dtype=np.int64)
    present, slot = np.unique(report_codes, return_inverse=True)
    values = np.full((len(present), len(PLAUSIBILITY_METRICS)), np.nan)
    metric = active["metric"]
    for j, name in enumerate(PLAUSIBILITY_METRICS):
        if name in metric.cat.categories:
            rows = (metric.cat.codes.to_numpy() == metric.cat.categories.get_loc(name))
            values[slot[rows], j] = active["value"].to_numpy(dtype="float64", na_value=np.nan)[rows]
    view = pd.DataFrame(values, columns=list(PLAUSIBILITY_METRICS))
    view.insert(0, "report_id", pd.Categorical.from_codes(present, categories=ids.categories))
    extracted = reports[reports["status"].isna()].drop_duplicates("report_id")
    template = extracted.set_index("report_id")["template"]
    view.insert(1, "template", view["report_id"].map(template).astype("string"))
    items = view["procurement_items"].fillna(0).clip(lower=1)
    view["procurement_amount_per_item"] = view["procurement_amount"] / items
    return view


def build_views(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """suite name -> the frame it validates (index reset: GX pair/multicolumn
    expectations misbehave on a non-default index)."""
    # Each table's report ids dictionary-encoded once: table 3's feed three
    # views, and it has ~175 cells a report.
    ids = {d: encode_strings([frames[d]["report_id"]])
           for d in ("requests", "review_litigation", "active_disclosure") if not frames[d].empty}
    views = {
        "reports": report_view(frames["reports"]),
        # tables 3 and 4 apart from table 2: their rules differ (every cell
        # must hold a figure), and a row condition over the big frame costs
        # more than the check itself
        "counts": cells_view(frames, ("requests", "review_litigation"), ids),
        "table2": cells_view(frames, ("active_disclosure",), ids),
        "requests_rows": requests_rows_view(frames["requests"], ids.get("requests")),
        "requests_columns": requests_columns_view(frames["requests"], frames["reports"], ids.get("requests")),
        "review_rows": review_rows_view(frames["review_litigation"], ids.get("review_litigation")),
        "plausibility": plausibility_view(frames["active_disclosure"], frames["reports"],
                                          ids.get("active_disclosure")),
    }
    for view in views.values():
        for c in ("report_id", "template", "row", "applicant", "proceeding"):
            if c in view.columns and not isinstance(view[c].dtype, pd.CategoricalDtype):
                view[c] = view[c].astype("category")
    return {k: v.reset_index(drop=True) for k, v in views.items()}


# Columns that name what failed, besides report_id, per view.
SUBJECT_COLUMNS = {
    "reports": [],
    "counts": ["cell", "raw"],
    "table2": ["cell", "raw"],
    "requests_rows": ["row"],
    "requests_columns": ["applicant"],
    "review_rows": ["proceeding"],
    # the figures a plausibility failure is said with (suites' meta "details")
    "plausibility": ["procurement_items", "procurement_amount", "fee_amount"],
}

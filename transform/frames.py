"""Raw extracted cells -> canonical tidy frames (docs/contract.md), per batch.

Columns are built as plain lists for a whole batch and turned into one
DataFrame per dataset: no per-report DataFrames.  Every cell the template
expects is emitted for every table that was found, so a missing or unplaced
cell is a row with ``raw`` null and a ``cell_error`` -- visible to analysts and
to the expectation suites -- rather than a silently absent row.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from extract.normalise import CellError, is_empty, is_plain_figure, parse_count, parse_money_wan
from extract.files import ParsedReport
from extract.notes import Note
from extract.prose import report_statements
from transform.bodies import identify, region_text
from extract.templates import (
    ACTIVE_METRICS, APPLICANTS, MONEY_METRICS, OUTCOMES, PROCEEDINGS, REQUEST_ROW_KEYS, active_items,
)
from transform.schema import (  # noqa: F401  (ARTICLES ... STATUSES: the vocabularies, imported from here too)
    ARTICLES, CELL_ERROR_CODES, DATASETS, FILLED_LATER, ITEMS, MARKER, METRICS, NOT_FOUND, NOT_PLACED, PROSE_MEASURES,
    ROW_KEYS, SCHEMAS, STATUSES, VOCABULARIES, empty_frame, with_schema_columns,
)

PARSER_VERSION = "0.6.41"   # bumped whenever extraction (or a dataset's columns) changes: every report is parsed again

# cell_error_code as category codes (-1: null)
_CODE = {c: i for i, c in enumerate(CELL_ERROR_CODES)}
_NO_CODE = -1
_MARKER_CELL = (None, None, _CODE[MARKER])
_NOT_FOUND = "cell not found"
DUPLICATE_OF = "duplicate of "
# What a rejected report's row leaves null (a duplicate's too: its content
# is described once, by the row of the file that holds it).
DUPLICATE_NULLS = ("template", "year", "agency", "layout", "notes", "tables_found",
                   "agency_key", "province", "city", "county", "cells_found")


@lru_cache(maxsize=1 << 16)
def _read_count(raw: str) -> tuple[int | None, str | None, int]:
    """(value, cell_error, cell_error_code's category code) of a printed
    count cell; memoised, as cells repeat endlessly ("0", "1", ...)."""
    if is_plain_figure(raw) and len(raw) <= 15:
        # parse_count would read the same (15 digits are exact in a float)
        return int(raw), None, _NO_CODE
    try:
        value = parse_count(raw)
    except CellError as exc:
        return None, str(exc), _CODE[exc.code]
    if value is None and not is_empty(raw):
        return _MARKER_CELL        # a printed 「-」「/」「无」: no figure, no error
    return value, None, _NO_CODE


def _counts(cells, missing: tuple) -> list[tuple]:
    """(value, cell_error, code) of each cell of a row; an unplaced cell
    (None) is `missing`: null with the reason it was not placed."""
    if None not in cells:
        return list(map(_read_count, cells))
    return [missing if raw is None else _read_count(raw) for raw in cells]


_REQUEST_ROW_SETS = {t: frozenset(keys) for t, keys in REQUEST_ROW_KEYS.items()}


def _missing(notes: dict, key: str) -> tuple[None, str, int]:
    """An unplaced cell of the row `key` names (a Note.name): null, with
    the reason its row's note gives, else "cell not found"."""
    note = notes.get(key)
    if note is None:
        return None, _NOT_FOUND, _CODE[NOT_FOUND]
    return None, f"not placed: {note.message}", _CODE[NOT_PLACED]


def _add_counts(table: "_CellColumns", report: int, row_key: str, row_names: tuple[str, ...],
                column_key: str, column_names: tuple[str, ...], rows: list, missing_of) -> None:
    """A table of counts (tables 3 and 4): one row of cells per row name.
    When every row has a cell per column, the whole table is stored in one
    step, its cells read through one map when all were placed; an unplaced
    cell (None) is missing_of(row name) (see _missing)."""
    if all(len(cells) == len(column_names) for cells in rows):
        flat = [c for cells in rows for c in cells]
        if None not in flat:        # the usual table: every cell placed
            parsed = list(map(_read_count, flat))
        else:
            parsed = [v for name, cells in zip(row_names, rows) for v in _counts(cells, missing_of(name))]
        table.add_grid(report, row_key, row_names, column_key, column_names, flat, parsed)
        return
    for name, cells in zip(row_names, rows):
        table.add_row(report, {row_key: name}, column_key, column_names, cells, _counts(cells, missing_of(name)))


class _CellColumns:
    """One cells dataset of a batch as plain columns: reports by position,
    keys by category code; strings only for what was printed."""

    def __init__(self, categories: dict[str, tuple]):
        self.categories = categories
        self.codes = {k: {v: i for i, v in enumerate(cats)} for k, cats in categories.items()}
        self.report: list[int] = []
        self.keys: dict[str, list[int]] = {k: [] for k in categories}
        self.raw: list[str | None] = []
        self.value: list = []
        self.error: list[str | None] = []
        self.error_code: list[int] = []     # CELL_ERROR_CODES positions, -1 for null
        # memo: a varying key's codes along a row; a grid's row and column codes
        self._key_codes: dict[tuple, list[int] | tuple[list[int], list[int]]] = {}

    def add_row(self, report: int, fixed: dict[str, str], varying: str, varying_values, raws, parsed) -> None:
        """One printed table row: the `fixed` keys are the row's, `varying`
        runs along the row's cells; parsed holds (value, error) per cell."""
        self.add_rows(report, [(fixed, varying, varying_values, raws, parsed)])

    def add_rows(self, report: int, rows) -> None:
        """A report's rows, (fixed, varying, varying values, raws, parsed)
        each as add_row takes them, stored in one step."""
        codes: dict[str, list[int]] = {k: [] for k in self.categories}
        raws_all: list = []
        parsed_all: list = []
        for fixed, varying, varying_values, raws, parsed in rows:
            n = min(len(varying_values), len(raws))      # zip's rule: surplus cells are not cells of this row
            if n == 0:
                continue
            for k, v in fixed.items():
                codes[k].extend([self.codes[k][v]] * n)
            codes[varying].extend(self._codes_along(varying, tuple(varying_values[:n])))
            raws_all.extend(raws[:n])
            parsed_all.extend(parsed[:n])
        if any(len(c) != len(raws_all) for c in codes.values()):
            raise ValueError("add_rows: every row must name every key")   # columns would misalign
        if raws_all:
            self._append(report, codes, raws_all, parsed_all)

    def add_grid(self, report: int, row_key: str, row_names: tuple[str, ...], column_key: str,
                 column_names: tuple[str, ...], cells: list, parsed: list) -> None:
        """A whole table of len(row_names) rows of one cell per column name,
        cells and parsed (value, error) flat in row-major order: add_row for
        every row in one step."""
        if cells:
            row_codes, column_codes = self._grid_codes(row_key, row_names, column_key, column_names)
            self._append(report, {row_key: row_codes, column_key: column_codes}, cells, parsed)

    def add_table(self, report: int, rows: tuple, raws: list, parsed: list) -> None:
        """A whole table whose rows are known in advance: rows holds, per row,
        (its fixed keys as (key, value) pairs, the varying key, its values),
        and raws/parsed hold every row's cells in order, as many per row as it
        has values.  The key codes are worked out once per distinct rows."""
        codes = self._key_codes.get(rows)
        if codes is None:
            codes = {k: [] for k in self.categories}
            for fixed, varying, names in rows:
                for k, v in fixed:
                    codes[k].extend([self.codes[k][v]] * len(names))
                codes[varying].extend(self._codes_along(varying, tuple(names)))
            self._key_codes[rows] = codes
        if raws:
            self._append(report, codes, raws, parsed)

    def _append(self, report: int, codes: dict[str, list[int]], raws, parsed) -> None:
        self.report.extend([report] * len(raws))
        for k, c in codes.items():
            self.keys[k].extend(c)
        self.raw.extend(raws)
        values, errors, codes = zip(*parsed)
        self.value.extend(values)
        self.error.extend(errors)
        self.error_code.extend(codes)

    def _grid_codes(self, row_key: str, row_names: tuple, column_key: str, column_names: tuple):
        cached = self._key_codes.get((row_key, row_names, column_key, column_names))
        if cached is None:
            rows = [self.codes[row_key][r] for r in row_names]
            columns = [self.codes[column_key][c] for c in column_names]
            cached = self._key_codes[(row_key, row_names, column_key, column_names)] = (
                [r for r in rows for _ in columns], columns * len(rows))
        return cached

    def _codes_along(self, key: str, names: tuple[str, ...]) -> list[int]:
        """The category codes of a row's varying key (the same few tuples
        every report: APPLICANTS, OUTCOMES, a template's metrics)."""
        codes = self._key_codes.get((key, names))
        if codes is None:
            codes = self._key_codes[(key, names)] = [self.codes[key][v] for v in names]
        return codes

    def frame(self, report_ids: pa.Array, years: pa.Array, value_dtype: str) -> pd.DataFrame:
        position = pa.array(self.report, type=pa.int64())
        frame = {
            "report_id": string_array(report_ids.take(position)),
            "year": int64_array(years.take(position)),
        }
        for k, cats in self.categories.items():
            frame[k] = pd.Categorical.from_codes(np.asarray(self.keys[k], dtype=np.int64), categories=list(cats))
        if value_dtype == "Int64":
            frame["value"] = int64_array(pa.array(self.value, type=pa.int64()))
        else:
            frame["value"] = pa.array(self.value, type=pa.float64()).to_numpy(zero_copy_only=False, writable=True)
        frame["raw"] = string_array(pa.array(self.raw, type=pa.large_string()))
        frame["cell_error"] = string_array(pa.array(self.error, type=pa.large_string()))
        frame["cell_error_code"] = pd.Categorical.from_codes(np.asarray(self.error_code, dtype=np.int64),
                                                             categories=list(CELL_ERROR_CODES))
        return pd.DataFrame(frame)


# Columns go through Arrow, which converts Python lists in C: pandas'
# own pd.array(list, dtype=...) checks every element in Python (3x slower
# for strings, 7x for nullable integers).  The dtypes are the same.
def string_array(values: pa.Array) -> pd.api.extensions.ExtensionArray:
    """A pandas "string" array (pyarrow storage) over an Arrow string array."""
    return pd.arrays.ArrowStringArray(values.cast(pa.large_string()))


def int64_array(values: pa.Array) -> pd.api.extensions.ExtensionArray:
    """A pandas "Int64" array over an Arrow int64 array, nulls masked."""
    return pd.arrays.IntegerArray(values.fill_null(0).to_numpy(zero_copy_only=False, writable=True),
                                  values.is_null().to_numpy(zero_copy_only=False, writable=True))


def build_frames(batch: list[ParsedReport]) -> dict[str, pd.DataFrame]:
    """The five datasets for one batch.  ``status`` is left null: the
    expectation suites decide it (see expectations.validate)."""
    rep = {k: [] for k in _REPORT_COLUMNS}
    req = _CellColumns(_key_columns("requests"))
    rev = _CellColumns(_key_columns("review_litigation"))
    act = _CellColumns(_key_columns("active_disclosure"))
    sec = {k: [] for k in ("report_id", "number", "title", "text")}
    fig = {k: [] for k in ("report_id", "measure", "stated", "sentence")}

    first_path: dict[str, str] = {}
    for position, p in enumerate(batch):
        e, error, error_code = p.extraction, p.error, p.error_code     # p itself is left as it came
        if p.report_id is not None and e is not None:
            if p.report_id in first_path:
                e, error, error_code = None, DUPLICATE_OF + first_path[p.report_id], "duplicate"
            else:
                first_path[p.report_id] = p.source_path
        rep["report_id"].append(p.report_id)
        rep["source_path"].append(p.source_path)
        rep["encoding"].append(p.encoding)
        rep["size"].append(p.size)
        rep["mtime_ns"].append(p.mtime_ns)
        rep["parser_version"].append(PARSER_VERSION)
        rep["status"].append("rejected" if e is None else None)
        rep["error"].append(error if e is None else None)
        rep["error_code"].append(error_code if e is None else None)
        rep["format"].append(p.format)
        # primaries are settled over the whole warehouse (transform.bodies.settle_primaries)
        rep["primary"].append(None)
        rep["primary_of"].append(None)
        if e is None:
            for k in DUPLICATE_NULLS:       # the body's region columns too
                rep[k].append(None)
            continue
        rep["template"].append(e.template)
        rep["year"].append(e.year)
        rep["agency"].append(e.agency)
        _add_body(rep, identify(e.agency, region_text(e.head, e.sections), p.source_path))
        rep["layout"].append(e.layout)
        rep["notes"].append("; ".join(map(str, e.notes)) or None)
        rep["tables_found"].append(sum(t is not None for t in (e.active, e.requests, e.review)))
        notes = _row_notes(e.notes)

        if e.requests is not None:
            keys = REQUEST_ROW_KEYS.get(e.template)
            if keys is None or not e.requests.keys() <= _REQUEST_ROW_SETS[e.template]:
                # no template, or a row of the other one printed (a mixed
                # template, see extract.report.detect_template): kept, in order
                keys = tuple(k for k in ROW_KEYS if k in (keys or ()) or k in e.requests)
            # table 3 is most of a report's cells
            _add_counts(req, position, "row", keys, "applicant", APPLICANTS,
                        [e.requests.get(row) or _NONE_ROW[len(APPLICANTS)] for row in keys],
                        lambda row: _missing(notes, f"requests.{row}"))

        if e.review is not None:
            review = e.review
            _add_counts(rev, position, "proceeding", PROCEEDINGS, "outcome", OUTCOMES,
                        [review.get(p) or _NONE_ROW[len(OUTCOMES)] for p in PROCEEDINGS],
                        lambda p: _missing(notes, f"review_litigation.{p}" if p in review else "review_litigation"))

        if e.active is not None and e.template:
            # without a template no row has metrics to name its cells: none stored
            _add_active(act, position, e.template, e.active, e.money_units, notes)

        for number, title, text in e.sections:
            sec["report_id"].append(p.report_id); sec["number"].append(number)
            sec["title"].append(title); sec["text"].append(text)
        for st in report_statements([(number, text) for number, _, text in e.sections], e.year):
            fig["report_id"].append(p.report_id); fig["measure"].append(st.measure)
            fig["stated"].append(st.value); fig["sentence"].append(st.sentence)

    report_ids = pa.array(rep["report_id"], type=pa.string())
    years = pa.array(rep["year"], type=pa.int64())
    requests = req.frame(report_ids, years, "Int64")
    review = rev.frame(report_ids, years, "Int64")
    active = act.frame(report_ids, years, "float64")
    filled = sum((_filled_per_report(t, f, len(batch)) for t, f in ((req, requests), (rev, review), (act, active))),
                 np.zeros(len(batch), dtype=np.int64))
    rep["cells_found"] = [None if t is None else int(n) for t, n in zip(rep["tables_found"], filled)]
    return {
        "reports": _reports_frame(rep),
        "requests": requests,
        "review_litigation": review,
        "active_disclosure": active,
        "sections": pd.DataFrame({
            "report_id": string_array(pa.array(sec["report_id"], type=pa.large_string())),
            "number": int64_array(pa.array(sec["number"], type=pa.int64())),
            "title": string_array(pa.array(sec["title"], type=pa.large_string())),
            "text": string_array(pa.array(sec["text"], type=pa.large_string())),
        }),
        "prose_figures": pd.DataFrame({
            "report_id": string_array(pa.array(fig["report_id"], type=pa.large_string())),
            "measure": pd.Categorical(fig["measure"], categories=pd.Index(PROSE_MEASURES, dtype="str")),
            "stated": int64_array(pa.array(fig["stated"], type=pa.int64())),
            "sentence": string_array(pa.array(fig["sentence"], type=pa.large_string())),
        }),
    }


_NONE_ROW = {n: [None] * n for n in range(0, 64)}


def _add_body(rep: dict, body) -> None:
    rep["agency_key"].append(body.agency_key)
    rep["province"].append(body.province)
    rep["city"].append(body.city)
    rep["county"].append(body.county)


def _filled_per_report(table: "_CellColumns", frame: pd.DataFrame, n: int) -> np.ndarray:
    """How many of each report's cells hold a figure."""
    if not len(frame):
        return np.zeros(n, dtype=np.int64)
    position = np.asarray(table.report, dtype=np.int64)
    return np.bincount(position[frame["value"].notna().to_numpy(dtype=bool)], minlength=n)


def _key_columns(dataset: str) -> dict[str, tuple[str, ...]]:
    """A cells dataset's key columns and their vocabularies, in the schema's order."""
    names = SCHEMAS[dataset].names
    keys = [c for c in names[names.index("year") + 1:names.index("value")]]
    return {k: VOCABULARIES[dataset][k] for k in keys}


def _row_notes(notes: list[Note]) -> dict[str, Note]:
    """The first note on each row (or table), by its name: 'requests.new_received',
    'active_disclosure.art20_1.regulations', 'review_litigation'."""
    out = {}
    for note in notes:
        if note.message:
            out.setdefault(note.name, note)
    return out


def _add_active(table: "_CellColumns", report: int, template: str, active: dict, money_units: dict,
                notes: dict) -> None:
    """A report's table 2: the template fixes its rows (items) and each
    row's cells (its article's metrics), so the whole table is stored in one
    step, with key codes worked out once per template."""
    shape = _active_shape(template)
    raws: list = []
    parsed: list = []
    ragged = False
    for fixed, _, metrics in shape:
        (_, article), (_, item) = fixed
        cells = active.get((article, item)) or _NONE_ROW[len(metrics)]
        ragged = ragged or len(cells) != len(metrics)
        units = _money_units(metrics, money_units) if money_units else _default_money_units(metrics)
        if None not in cells:
            parsed.append(list(map(_read_active, cells, units)))
        else:
            missing = _missing(notes, f"active_disclosure.{article}.{item}")
            parsed.append([missing if raw is None else _read_active(raw, unit)
                           for raw, unit in zip(cells, units)])
        raws.append(cells)
    if not ragged:
        table.add_table(report, shape, [c for cells in raws for c in cells], [v for row in parsed for v in row])
    else:       # a row with more or fewer cells than metrics: zip's rule, row by row
        table.add_rows(report, [(dict(fixed), varying, metrics, cells, row)
                                for (fixed, varying, metrics), cells, row in zip(shape, raws, parsed)])


@lru_cache(maxsize=8)
def _active_shape(template: str) -> tuple:
    """Table 2's rows in a template: ((("article", a), ("item", i)), "metric", the article's metrics) each."""
    return tuple(((("article", article), ("item", item)), "metric", ACTIVE_METRICS[template][article])
                 for article, item in active_items(template))


def _money_units(metrics: tuple[str, ...], money_units: dict) -> tuple[str | None, ...]:
    """Each metric's money unit: the one its column prints (money_units),
    else 万元; None for counts."""
    return tuple(money_units.get(m, "万元") if m in MONEY_METRICS else None for m in metrics)


@lru_cache(maxsize=64)
def _default_money_units(metrics: tuple[str, ...]) -> tuple[str | None, ...]:
    """_money_units of a report whose columns print no unit of their own (most)."""
    return _money_units(metrics, {})


@lru_cache(maxsize=1 << 16)
def _read_active(raw: str, money_unit: str | None) -> tuple[float | None, str | None, int]:
    """(value, cell_error, code) of a printed table-2 cell: money in 万元 (a
    bare figure in money_unit), a count as a float; memoised like _read_count."""
    try:
        if money_unit is not None:
            value = parse_money_wan(raw, money_unit)
        else:
            value = parse_count(raw)
            value = None if value is None else float(value)
    except CellError as exc:
        return None, str(exc), _CODE[exc.code]
    if value is None and not is_empty(raw):
        return _MARKER_CELL
    return value, None, _NO_CODE


# The reports columns build_frames fills (the schema's, but those a later step fills).
_REPORT_COLUMNS = tuple(c for c in SCHEMAS["reports"].names if c not in FILLED_LATER["reports"])


def _reports_frame(rep: dict) -> pd.DataFrame:
    schema = SCHEMAS["reports"]
    frame = {}
    for k, v in rep.items():
        type_ = schema.field(k).type
        if type_ == pa.large_string():
            frame[k] = string_array(pa.array(v, type=pa.large_string()))
        elif type_ == pa.int64():
            frame[k] = int64_array(pa.array(v, type=pa.int64()))
        elif type_ == pa.bool_():
            frame[k] = pd.array(v, dtype="boolean")
        else:
            raise TypeError(f"reports.{k}: build_frames has no column builder for {type_}")
    return with_schema_columns("reports", pd.DataFrame(frame))


def is_duplicate_error(error) -> bool:
    return isinstance(error, str) and error.startswith(DUPLICATE_OF)


def as_duplicates(reports: pd.DataFrame, holders: dict[str, str]) -> pd.DataFrame:
    """The reports rows whose source_path is in ``holders`` turned into
    duplicates of the path it gives: rejected, ``duplicate of <path>``,
    nothing of the content (DUPLICATE_NULLS), as build_frames writes them."""
    mask = held_in(reports["source_path"], holders)
    if not mask.any():
        return reports
    reports = reports.copy()
    reports.loc[mask, "error"] = [DUPLICATE_OF + holders[p] for p in reports.loc[mask, "source_path"]]
    reports.loc[mask, "status"] = "rejected"
    if "error_code" in reports:
        reports.loc[mask, "error_code"] = "duplicate"
    for column in DUPLICATE_NULLS:
        reports.loc[mask, column] = None
    return reports


def mark_seen_duplicates(reports: pd.DataFrame, seen: dict[str, str], carried: set[str] | frozenset = frozenset()
                         ) -> tuple[pd.DataFrame, set[str], dict[str, str]]:
    """Settle a batch's duplicates against what the run holds so far.

    ``seen`` maps each content (report_id) to the path holding it: carried
    files (whose paths are in ``carried``) and the batches before this one,
    which come in path order.  The holder of a content is its readable file
    whose path sorts first: a live row whose content is held by a path
    sorting first becomes its duplicate; one whose content a carried path
    sorting after it held takes the content over (the carried holder is
    returned, to be carried as a duplicate).  Copies build_frames marked
    within the batch are pointed at the final holder.  Returns the fixed
    reports rows, the report_ids whose rows this batch must drop (their
    content is held elsewhere), and the carried holders that lost their
    content ({path: report_id}).  ``seen`` is updated."""
    fixed: dict[str, str] = {}
    drop: set[str] = set()
    demoted: dict[str, str] = {}
    for rid, path, error in zip(reports["report_id"], reports["source_path"], reports["error"]):
        if not isinstance(rid, str):
            continue
        holder = seen.get(rid)
        if not isinstance(error, str):              # extracted, and first of its content in the batch
            if holder is None:
                seen[rid] = path
            elif path < holder and holder in carried:
                demoted[holder] = rid
                seen[rid] = path
            else:
                fixed[path] = holder
                drop.add(rid)
        elif is_duplicate_error(error) and holder is not None and error != DUPLICATE_OF + holder:
            fixed[path] = holder                    # its batch's first copy is not the holder
    return as_duplicates(reports, fixed), drop, demoted


def held_in(values: pd.Series, container) -> pd.Series:
    """values.isin(container) for a large dict or set: one hash lookup per
    value.  Series.isin(list(container)) hashes the whole container again
    on every call, which made resolving a
    batch's duplicates grow with the run."""
    return pd.Series([v in container if isinstance(v, str) else False for v in values],
                     index=values.index, dtype=bool)


def empty_frames() -> dict[str, pd.DataFrame]:
    """Zero-row frames with every dataset's declared columns and dtypes
    (transform/schema.py); validations' expectation categories are the
    suites' (expectations.validate.empty_validations)."""
    return {dataset: empty_frame(dataset) for dataset in DATASETS}

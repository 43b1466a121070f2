"""The output contract in code: every dataset's Arrow schema and the key
vocabularies (docs/contract.md says the same in words).

The vocabularies are derived from extract/templates.py, which holds the two
national templates, so a key can only be added in one place.  build_frames
and empty_frames (transform/frames.py) build their frames from these
declarations, and write_part (transform/warehouse.py) writes a frame only
through ``to_table``, which fails with a SchemaError naming the dataset and
the column when the frame does not match.

Types are what the Parquet files hold: strings as ``large_string``, key
columns as dictionaries (pandas categoricals), nullable integers as
``int64``.  Every field is nullable in Arrow terms (pandas writes them so);
which columns may hold nulls is said in docs/contract.md.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from extract.normalise import COUNT_IS_MONEY, NOT_MONEY, NOT_WHOLE, UNIT_UNKNOWN, UNPARSEABLE
from extract.notes import NOTE_CODES  # noqa: F401  (the notes' vocabulary)
from extract.prose import MEASURES as PROSE_MEASURES
from extract.templates import ACTIVE_ITEMS, ACTIVE_METRICS, APPLICANTS, OUTCOMES, PROCEEDINGS, REQUEST_ROWS, TEMPLATES

# ---------------------------------------------------------------- vocabularies

ROW_KEYS = tuple(r.key for r in REQUEST_ROWS)                               # requests.row
# requests.applicant: APPLICANTS; review_litigation.proceeding / .outcome: PROCEEDINGS / OUTCOMES
ARTICLES = tuple(dict.fromkeys(article for article, _, _, _ in ACTIVE_ITEMS))  # active_disclosure.article
ITEMS = tuple(dict.fromkeys(item for _, item, _, _ in ACTIVE_ITEMS))           # active_disclosure.item
METRICS = tuple(dict.fromkeys(m for t in TEMPLATES for metrics in ACTIVE_METRICS[t].values() for m in metrics))

STATUSES = ("ok", "invalid", "rejected")
FORMATS = ("text", "html", "markdown", "docx", "pdf")
SCOPES = ("report", "cross_year", "prose")

# reports.error_code: why a file was rejected.
ERROR_CODES = (
    "empty", "binary", "undecodable", "not_a_report", "truncated", "duplicate", "too_large", "unreadable",
    "permission_denied", "broken_symlink", "symlink_loop", "symlinked_directory", "changed_while_read",
    "internal_error", "scanned_pdf", "encrypted", "broken_document", "legacy_doc",
)

# cell_error_code of the cell datasets: why a value is null although a cell
# was expected or something was printed there.
NOT_FOUND = "not_found"      # the table was found but this cell was not
NOT_PLACED = "not_placed"    # its row was found, its figures could not be put in columns without doubt
MARKER = "marker"            # a printed 「-」「/」「无」...: no figure (cell_error stays null)
CELL_ERROR_CODES = (NOT_FOUND, NOT_PLACED, UNPARSEABLE, COUNT_IS_MONEY, NOT_WHOLE, UNIT_UNKNOWN, NOT_MONEY, MARKER)

# reports.notes is the human text of extract.notes.Note values, whose codes
# are NOTE_CODES (imported above for the docs and tests that list them).

# ---------------------------------------------------------------- types

STRING = pa.large_string()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
KEY = pa.dictionary(pa.int8(), pa.string())     # a column of one vocabulary (a pandas categorical)


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, type_) for name, type_ in fields])


_CELL_TAIL = (("value", None), ("raw", STRING), ("cell_error", STRING), ("cell_error_code", KEY))


def _cells(keys: tuple[str, ...], value: pa.DataType) -> pa.Schema:
    return _schema(("report_id", STRING), ("year", INT), *((k, KEY) for k in keys),
                   *((name, value if t is None else t) for name, t in _CELL_TAIL))


SCHEMAS: dict[str, pa.Schema] = {
    "reports": _schema(
        ("report_id", STRING), ("source_path", STRING), ("encoding", STRING), ("template", STRING),
        ("year", INT), ("agency", STRING), ("status", STRING), ("error", STRING), ("error_code", STRING),
        ("format", STRING),
        # beyond the contract: how the file was read
        ("layout", STRING), ("size", INT), ("mtime_ns", INT), ("notes", STRING), ("tables_found", INT),
        ("parser_version", STRING),
        # who reported (transform.bodies); primary/primary_of are settled over
        # the whole warehouse before each commit; cells_found: how many of
        # the report's cells hold a figure (the completeness primaries compare)
        ("agency_key", STRING), ("province", STRING), ("city", STRING), ("county", STRING), ("primary", BOOL),
        ("primary_of", STRING), ("cells_found", INT),
    ),
    "requests": _cells(("row", "applicant"), INT),
    "review_litigation": _cells(("proceeding", "outcome"), INT),
    "active_disclosure": _cells(("article", "item", "metric"), FLOAT),
    "sections": _schema(("report_id", STRING), ("number", INT), ("title", STRING), ("text", STRING)),
    # the figures the prose states in so many words (extract.prose), read
    # once when the report is parsed: the prose check over the whole
    # warehouse compares them with the tables without reading the prose again
    "prose_figures": _schema(("report_id", STRING), ("measure", KEY), ("stated", INT), ("sentence", STRING)),
    "validations": _schema(
        ("report_id", STRING), ("expectation", KEY), ("success", BOOL), ("details", STRING),
        # scope: which document(s) the expectation looked at (SCOPES);
        # run_id: the run that evaluated the row
        ("scope", KEY), ("run_id", STRING),
    ),
    # The run log: one row per run, kept across versions and never
    # rewritten, so not one of the versioned DATASETS below.  Declared for
    # the flow step that writes it (through to_table("runs", ...)).
    "runs": _schema(
        ("run_id", STRING), ("started_at", pa.timestamp("us", tz="UTC")), ("finished_at", pa.timestamp("us", tz="UTC")),
        ("version", STRING), ("parser_version", STRING), ("input", STRING),
        ("files_seen", INT), ("new", INT), ("changed", INT), ("unchanged", INT), ("removed", INT),
        ("ok", INT), ("invalid", INT), ("rejected", INT), ("outcome", STRING), ("stage_seconds", STRING),
    ),
}
# The datasets of a warehouse version (OUTPUT/<dataset>/part-*.parquet).
DATASETS = tuple(d for d in SCHEMAS if d != "runs")

# Columns a frame may lack: written as nulls (the steps that fill them are
# added beside today's code, which does not know them yet).
FILLED_LATER: dict[str, frozenset[str]] = {
    "reports": frozenset(),
    "validations": frozenset({"scope", "run_id"}),
}

# The categories of every key column (validations.expectation: the suites'
# names, owned by expectations/validate.py, so not fixed here).
VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "requests": {"row": ROW_KEYS, "applicant": APPLICANTS, "cell_error_code": CELL_ERROR_CODES},
    "review_litigation": {"proceeding": PROCEEDINGS, "outcome": OUTCOMES, "cell_error_code": CELL_ERROR_CODES},
    "active_disclosure": {"article": ARTICLES, "item": ITEMS, "metric": METRICS, "cell_error_code": CELL_ERROR_CODES},
    "validations": {"scope": SCOPES},
    "prose_figures": {"measure": PROSE_MEASURES},
}


class SchemaError(ValueError):
    """A frame that does not match its dataset's declared schema."""


# ---------------------------------------------------------------- frames

_PANDAS_DTYPES = {STRING: "string", INT: "Int64", FLOAT: "float64", BOOL: "boolean",
                  pa.timestamp("us", tz="UTC"): "datetime64[us, UTC]"}


def null_column(dataset: str, column: str, n: int):
    """n nulls of a column's declared type, as pandas holds it."""
    type_ = SCHEMAS[dataset].field(column).type
    if type_ == KEY:
        categories = pd.Index(list(VOCABULARIES.get(dataset, {}).get(column, ())), dtype="str")
        return pd.Categorical([None] * n, categories=categories)
    return pd.array([None] * n, dtype=_PANDAS_DTYPES[type_])


def empty_frame(dataset: str) -> pd.DataFrame:
    """A zero-row frame with every declared column in its pandas dtype."""
    return pd.DataFrame({c: null_column(dataset, c, 0) for c in SCHEMAS[dataset].names})


def with_schema_columns(dataset: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the columns a later step fills (FILLED_LATER) added as
    nulls where absent, in the declared order; other differences are left
    for to_table to report."""
    names = SCHEMAS[dataset].names
    later = FILLED_LATER.get(dataset, frozenset())
    absent = [c for c in names if c not in frame.columns and c in later]
    if absent:
        frame = frame.assign(**{c: null_column(dataset, c, len(frame)) for c in absent})
    if list(frame.columns) != names and set(frame.columns) == set(names):
        frame = frame[names]
    return frame


def to_table(dataset: str, frame: pd.DataFrame) -> pa.Table:
    """The Arrow table written for a frame of a dataset.  Raises SchemaError
    naming the dataset and the column when a declared column is missing
    (other than FILLED_LATER ones, written as nulls), a column is not
    declared, a column's type differs, or a key column's categories are not
    its vocabulary's."""
    if dataset not in SCHEMAS:
        raise SchemaError(f"{dataset}: no such dataset (declared: {', '.join(DATASETS)})")
    schema = SCHEMAS[dataset]
    frame = with_schema_columns(dataset, frame)
    missing = [c for c in schema.names if c not in frame.columns]
    if missing:
        raise SchemaError(f"{dataset}: column {missing[0]!r} is missing (declared in transform/schema.py)")
    extra = [c for c in frame.columns if c not in schema.names]
    if extra:
        raise SchemaError(f"{dataset}: column {extra[0]!r} is not declared (transform/schema.py)")
    for column, vocabulary in VOCABULARIES.get(dataset, {}).items():
        dtype = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) and not set(dtype.categories) <= set(vocabulary):
            unknown = sorted(set(dtype.categories) - set(vocabulary))
            raise SchemaError(f"{dataset}: column {column!r} holds {unknown[0]!r}, not in its vocabulary")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, (field, declared) in enumerate(zip(table.schema, schema)):
        if field.type == declared.type:
            continue
        if field.type == pa.null():     # a column of nulls only (e.g. an object column of None)
            table = table.set_column(i, declared.name, pa.nulls(table.num_rows, declared.type))
            continue
        if _same_key_column(field.type, declared.type):
            # pandas gives a categorical's values as large_string (or null
            # when it has no categories); Parquet reads dictionary values
            # back as string, so they are written as the declared string
            table = table.set_column(i, declared.name, table.column(i).cast(declared.type))
            continue
        raise SchemaError(f"{dataset}: column {declared.name!r} is {field.type}, declared {declared.type}")
    return table


def _same_key_column(actual: pa.DataType, declared: pa.DataType) -> bool:
    return (pa.types.is_dictionary(actual) and pa.types.is_dictionary(declared)
            and actual.index_type == declared.index_type
            and actual.value_type in (pa.string(), pa.large_string(), pa.null()))


def check_table(dataset: str, table: pa.Table | pa.Schema) -> None:
    """SchemaError unless a written table (or its schema) is the declared one."""
    schema = table if isinstance(table, pa.Schema) else table.schema
    declared = SCHEMAS[dataset]
    if schema.names != declared.names:
        raise SchemaError(f"{dataset}: columns {schema.names}, declared {declared.names}")
    for field, want in zip(schema, declared):
        if field.type != want.type:
            raise SchemaError(f"{dataset}: column {want.name!r} is {field.type}, declared {want.type}")

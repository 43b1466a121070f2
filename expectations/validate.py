"""Run the suites over a batch's views and turn GX results into the
``validations`` dataset and each report's ``status``.

One GX context per run; one Checkpoint per view, run once per batch on the
whole batch's frame (never per report); Data Docs built once at the end.
"""
from __future__ import annotations

import json
import logging
import os
import string
from pathlib import Path

import numpy as np
import pandas as pd

from .views import SUBJECT_COLUMNS, build_views

SUITES_DIR = Path(__file__).with_name("suites")
# Expectations across documents (expectations.across): a report's prose
# against its tables, a report against the same body's report of the year
# before.  Their failures are findings, never a report's status.
ACROSS_SUITES_DIR = SUITES_DIR / "across"
from transform.schema import SCOPES  # noqa: E402  (one vocabulary, declared with the datasets)
MAX_DETAILS = 5
log = logging.getLogger("xxgk.validate")


def load_suite_specs(directory: Path = SUITES_DIR) -> dict[str, dict]:
    """suite name -> its JSON (the files are the source of truth)."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))}


def expectation_names() -> list[str]:
    """Every expectation's stable name, the per-report suites' and those across documents."""
    return sorted({e["meta"]["name"] for d in (SUITES_DIR, ACROSS_SUITES_DIR)
                   for s in load_suite_specs(d).values() for e in s["expectations"]})


def across_expectation_names() -> set[str]:
    return {e["meta"]["name"] for s in load_suite_specs(ACROSS_SUITES_DIR).values() for e in s["expectations"]}


_RUN_ID: dict[str, str] = {}


def current_run_id() -> str:
    """The run's id: the Prefect flow run's (also inside its task runs, in
    any worker), else one uuid per process."""
    try:
        from prefect.runtime import flow_run

        rid = flow_run.id
    except Exception:       # no Prefect, or no run context: a run of its own
        rid = None
    if rid:
        return str(rid)
    import uuid

    return _RUN_ID.setdefault("id", str(uuid.uuid4()))


def quiet_gx_logging() -> None:
    """GX's warnings and errors only.  Some GX modules set their own logger's
    level (the context's config module logs each ephemeral context's
    temporary docs directory at INFO, which reached every run's terminal),
    so those are lowered too, not only the package's logger."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("great_expectations.") and isinstance(logger, logging.Logger) \
                and logger.level != logging.NOTSET and logger.level < logging.ERROR:
            logger.setLevel(logging.ERROR)


class Validator:
    """Holds the GX context, suites and checkpoints for one run."""

    def __init__(self, docs_dir: str | os.PathLike | None = None, suites_dir: Path = SUITES_DIR,
                 subjects: dict[str, list[str]] | None = None, scope: str = "report"):
        """suites_dir: the suites this context runs (one per view);
        subjects: view name -> the columns besides report_id that name a
        failing row; scope: the validations rows' scope."""
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from . import custom  # noqa: F401  registers expect_column_sums_to_balance

        quiet_gx_logging()
        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.docs_dir = Path(docs_dir) if docs_dir else None
        self.subjects = SUBJECT_COLUMNS if subjects is None else subjects
        self.scope = scope
        if self.docs_dir is not None:
            self.context.add_data_docs_site(
                site_name="xxgk",
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                      "base_directory": str(self.docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        source = self.context.data_sources.add_pandas("xxgk")
        self.specs = load_suite_specs(suites_dir)
        self.checkpoints = {}
        self.batches = {}
        self.suites = {}
        for name, spec in self.specs.items():
            asset = source.add_dataframe_asset(name)
            batch = asset.add_batch_definition_whole_dataframe(f"{name}_batch")
            suite = self.context.suites.add(gx.ExpectationSuite(
                name=name, expectations=[self._expectation(e) for e in spec["expectations"]],
                notes=spec.get("notes")))
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite))
            # Data Docs: COMPLETE with report_id, the report's source_path
            # (and what failed) as index columns, so the docs name every
            # failing row and its file.
            named = {"result_format": "COMPLETE",
                     "unexpected_index_column_names": list(dict.fromkeys(
                         ["report_id", "source_path", *self.subjects[name]]))}
            self.checkpoints[name] = self.context.checkpoints.add(gx.Checkpoint(
                name=name, validation_definitions=[definition], result_format=named))
            self.batches[name], self.suites[name] = batch, suite

    def _expectation(self, spec: dict):
        from great_expectations.expectations.registry import get_expectation_impl

        return get_expectation_impl(spec["type"])(**spec["kwargs"], meta=spec.get("meta"))

    def validate(self, frames: dict[str, pd.DataFrame], for_docs: bool = False,
                 run_id: str | None = None) -> pd.DataFrame:
        """The validations rows for every extracted report of the batch.

        for_docs runs each view's Checkpoint, which stores the results for
        Data Docs; otherwise the suite runs on the batch directly: same
        expectations, same results, without keeping every batch's results in
        memory (a long run would grow with the corpus) or paying their
        serialisation."""
        views = build_views(frames)
        if for_docs:
            paths = _source_paths(frames["reports"])
            for view in views.values():
                if "source_path" not in view.columns and not view.empty:
                    view["source_path"] = view["report_id"].map(paths).astype("string")
        return self.validate_views(views, for_docs, run_id)

    def validate_views(self, views: dict[str, pd.DataFrame], for_docs: bool = False,
                       run_id: str | None = None) -> pd.DataFrame:
        """The validations rows of views already built (suite name -> frame)."""
        parts = [part for name in self.specs for part in self._validate_view(name, views[name], for_docs)]
        return _validations_frame(parts, self.scope, run_id or current_run_id())

    def _validate_view(self, name: str, view: pd.DataFrame, for_docs: bool) -> list[tuple]:
        """One suite on its view: (expectation, evaluated reports, failures) per expectation."""
        if view.empty:
            return []
        if for_docs:
            run = next(iter(self.checkpoints[name].run(batch_parameters={"dataframe": view}).run_results.values()))
        else:
            batch = self.batches[name].get_batch(batch_parameters={"dataframe": view})
            # Row positions only: GX fetches named index columns cell by
            # cell (df.at per failing row and column: most of the
            # validation of a batch with a few hundred failures); the rows are
            # looked up below in one vectorised step instead.
            run = batch.validate(self.suites[name], result_format={"result_format": "COMPLETE"})
        parts = []
        every_report = None     # the view's reports, found once for its expectations without a condition
        for er, espec in zip(run.results, self.specs[name]["expectations"]):
            if every_report is None and not espec["kwargs"].get("row_condition"):
                every_report = _present(view["report_id"])
            parts.append(self._collect(er, espec, view, ["report_id", *self.subjects[name]], every_report))
        return parts

    def _collect(self, er, espec: dict, view: pd.DataFrame, subject: list[str],
                 every_report: list[str] | None) -> tuple:
        """(expectation, the reports it evaluated, failing report -> details);
        every_report: the view's distinct reports (those an expectation
        without a row condition evaluates)."""
        name = espec["meta"]["name"]
        kwargs = espec["kwargs"]
        if er.exception_info and er.exception_info.get("raised_exception"):
            raise RuntimeError(f"expectation {name} raised: {er.exception_info.get('exception_message')}")
        if kwargs.get("row_condition"):
            reports = view["report_id"]
            evaluated = _present(reports[condition_mask(view, kwargs["row_condition"])])
        else:
            evaluated = every_report
        failures: dict[str, list[str]] = {}
        columns = name_columns(subject, kwargs)
        for entry in failing_rows(er.result.get("unexpected_index_list") or [], view, columns):
            # a docs run names rows by source_path too: details say the same either way
            entry = {c: entry[c] for c in columns if c in entry}
            failures.setdefault(entry["report_id"], []).append(describe(entry, kwargs, espec["meta"].get("details")))
        return name, evaluated, failures

    def build_docs(self) -> None:
        if self.docs_dir is not None:
            from .docs_offline import make_offline

            self.context.build_data_docs(site_names=["xxgk"])
            make_offline(self.docs_dir)     # pages that load nothing from the network


def _present(reports: pd.Series) -> list[str]:
    """The distinct report ids of a view's column (categorical or not)."""
    if isinstance(reports.dtype, pd.CategoricalDtype):
        # which codes occur, by counting them: np.unique sorted all the
        # view's codes (table 2's cells) for each expectation
        codes = reports.cat.codes.to_numpy()
        present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(reports.cat.categories)))
        return list(reports.cat.categories.take(present))
    return list(reports.dropna().unique())


def _source_paths(reports: pd.DataFrame) -> dict:
    """report_id -> the path of the file that holds it (a rejected
    duplicate's row names the same id: the holder's row wins)."""
    held = reports[reports["report_id"].notna()].sort_values("error", na_position="first", kind="stable")
    return dict(zip(held["report_id"][::-1], held["source_path"][::-1]))


def _validations_frame(parts: list[tuple], scope: str = "report", run_id: str | None = None) -> pd.DataFrame:
    """One row per (report, expectation) evaluated, sorted by both: a
    report fails an expectation when any of its rows did (expectations of
    one name in several suites count as one)."""
    merged: dict[str, tuple[dict, dict]] = {}
    for name, evaluated, failures in parts:
        seen, failed = merged.setdefault(name, ({}, {}))
        seen.update(dict.fromkeys(evaluated))
        seen.update(dict.fromkeys(failures))
        for rid, details in failures.items():
            failed.setdefault(rid, []).extend(details)
    order = expectation_names()
    report_ids, names, success, details = [], [], [], []
    for name, (seen, failed) in merged.items():
        report_ids.extend(seen)
        names.append(np.full(len(seen), order.index(name)))
        success.extend(rid not in failed for rid in seen)
        details.extend(_join_details(failed[rid]) if rid in failed else None for rid in seen)
    frame = pd.DataFrame({
        "report_id": pd.array(report_ids, dtype="string"),
        "expectation": pd.Categorical.from_codes(np.concatenate(names) if names else np.array([], dtype=int),
                                                 categories=order),
        "success": pd.array(success, dtype="boolean"),
        "details": pd.array(details, dtype="string"),
        "scope": pd.Categorical([scope] * len(report_ids), categories=SCOPES),
        "run_id": pd.array([run_id] * len(report_ids), dtype="string"),
    })
    return frame.sort_values(["report_id", "expectation"], ignore_index=True)


def _join_details(details: list[str]) -> str | None:
    if not details:
        return None
    more = f"; … {len(details) - MAX_DETAILS} more" if len(details) > MAX_DETAILS else ""
    return "; ".join(details[:MAX_DETAILS]) + more


def name_columns(subject: list[str], kwargs: dict) -> list[str]:
    """The columns GX puts in a named unexpected row: the index columns, then
    the expectation's own columns."""
    domain = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    return list(dict.fromkeys(subject + domain + list(kwargs.get("column_list") or [])))


def failing_rows(unexpected: list, view: pd.DataFrame, columns: list[str]) -> list[dict]:
    """GX's unexpected rows as dicts of column -> value, whether GX named them
    (a Checkpoint run for Data Docs) or gave row positions."""
    if not unexpected or isinstance(unexpected[0], dict):
        return unexpected
    rows = view.loc[list(unexpected), columns]
    return [{c: (None if v is pd.NA else v) for c, v in rec.items()} for rec in rows.to_dict("records")]


def condition_mask(view: pd.DataFrame, condition: dict) -> pd.Series:
    """Which rows a suite's row_condition (GX's JSON comparison form) selects,
    so reports outside it are not reported as evaluated."""
    if condition.get("type") != "comparison" or condition.get("operator") not in ("==", "!="):
        raise ValueError(f"unsupported row_condition in suite: {condition}")
    column = view[condition["column"]["name"]]
    mask = (column == condition["parameter"]).fillna(False).astype(bool)
    return mask if condition["operator"] == "==" else ~mask


def describe(entry: dict, kwargs: dict, template: str | None = None) -> str:
    """One failing row, said so a person can check it against the report.
    template: the expectation's own wording (its meta "details"), a format
    string over the row's named columns and the expectation's kwargs."""
    if template:
        return _DETAILS.fill(template, {**kwargs, **entry})
    subject = [str(v) for k, v in entry.items() if k in ("row", "applicant", "proceeding", "cell")]
    where = "/".join(subject)
    if "left" in kwargs:
        lhs = sum(_num(entry.get(c)) for c in kwargs["left"])
        rhs = sum(_num(entry.get(c)) for c in kwargs["right"])
        text = f"{'+'.join(kwargs['left']) if len(kwargs['left']) <= 4 else 'sum of ' + str(len(kwargs['left'])) + ' rows'} = {lhs:g}, " \
               f"{'+'.join(kwargs['right'])} = {rhs:g} (off by {rhs - lhs:+g})"
    elif "column" in kwargs:
        col = kwargs["column"]
        value = entry.get(col)
        text = f"{col} = {'null' if _missing(value) else value}"
        if "raw" in entry and col != "raw":
            raw = entry["raw"]
            text += " (nothing placed)" if _missing(raw) else f" (raw {raw!r})"
    else:
        text = ", ".join(f"{k}={v}" for k, v in entry.items() if k != "report_id")
    return f"{where}: {text}" if where else text


class _DetailsFormatter(string.Formatter):
    """Numbers as people write them: thousands separated, no exponent, no
    trailing zeros ("2,303,700", "230.37"); null as "null".  An explicit
    format spec ("{x:,.1f}") is Python's."""

    def __init__(self):
        self._parsed: dict[str, list] = {}

    def fill(self, template: str, values: dict) -> str:
        """format(template, **values) with the template parsed once: a
        version's checks describe thousands of rows with a few templates,
        and string.Formatter parses its template again on every call.
        Plain fields only ({name}, {name:spec}, {name!r}), as the suites' are."""
        parts = self._parsed.get(template)
        if parts is None:
            parts = self._parsed[template] = list(self.parse(template))
        out = []
        for literal, field, spec, conversion in parts:
            out.append(literal)
            if field is not None:
                value = self.convert_field(self.get_field(field, (), values)[0], conversion)
                out.append(self.format_field(value, spec or ""))
        return "".join(out)

    def format_field(self, value, format_spec):
        if _missing(value):
            return "null"
        if not format_spec and isinstance(value, (int, float, np.integer, np.floating)) \
                and not isinstance(value, bool):
            v = float(value)
            if np.isinf(v):
                return "infinite"
            text = f"{v:,.4f}".rstrip("0").rstrip(".")
            return "0" if text == "-0" else text
        return super().format_field(value, format_spec)


_DETAILS = _DetailsFormatter()


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _num(v) -> float:
    return float(v) if v is not None and not pd.isna(v) else float("nan")


def statuses(reports: pd.DataFrame, validations: pd.DataFrame) -> pd.Series:
    """ok / invalid / rejected per reports row.  Only the report's own
    expectations (scope ``report``) decide: a finding across documents
    (prose against tables, the year before) never makes a report invalid."""
    own = ~validations["expectation"].astype(str).isin(across_expectation_names())
    if "scope" in validations.columns:
        own &= validations["scope"].astype("string").fillna("report").eq("report").to_numpy()
    failing = own & ~validations["success"].astype(bool)
    failed = set(validations.loc[failing, "report_id"])
    rejected = reports["error"].notna()
    status = pd.Series("ok", index=reports.index, dtype="string")
    status[reports["report_id"].isin(failed)] = "invalid"
    status[rejected] = "rejected"
    return status


def empty_validations() -> pd.DataFrame:
    return pd.DataFrame({
        "report_id": pd.array([], dtype="string"),
        "expectation": pd.Categorical([], categories=expectation_names()),
        "success": pd.array([], dtype="boolean"),
        "details": pd.array([], dtype="string"),
        "scope": pd.Categorical([], categories=SCOPES),
        "run_id": pd.array([], dtype="string"),
    })

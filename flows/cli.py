"""xxgk command line: `xxgk run`, `xxgk synth`, `xxgk bench`, `xxgk serve`, `xxgk inspect`, `xxgk sql`."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = PROJECT_ROOT / "data" / "samples" / "reports"
DEFAULT_OUTPUT = Path("data") / "warehouse"
from flows import tuning
from flows.defaults import DEFAULT_BATCH, workers_busy

KEEP_VERSIONS = 2       # transform.warehouse.KEEP_VERSIONS, without importing pandas here


def _keep_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--keep wants a whole number of versions, at least 1 (got {text!r})")
    return n

DESCRIPTION = """\
xxgk turns Chinese government information disclosure annual reports
(政府信息公开工作年度报告) into validated Parquet datasets.

It crawls a directory of report files as they are published (PDF with a text
layer, DOCX, portal HTML pages, Markdown, and text in any of the layouts
converters produce, UTF-8/GB18030/UTF-16; the format is read from the bytes,
not the file name), extracts tables 2, 3 and 4 and the prose sections, checks
every accounting invariant with Great Expectations, and writes the datasets
reports, requests, review_litigation, active_disclosure, sections,
prose_figures, validations and runs under OUTPUT (one directory of Parquet
files each; pandas, polars and DuckDB read them as they are; OUTPUT/xxgk.duckdb
has views over them).  GX Data Docs for the run land in OUTPUT/docs/index.html
and a data-quality dashboard in OUTPUT/dashboard/index.html.

A report is `ok` when every expectation passed, `invalid` when one failed
(the validations dataset says which and why), `rejected` when nothing could be
extracted (reports.error says why).  Runs are incremental: unchanged files are
not parsed again unless the parser changed or --full is given.
"""

EPILOG = """\
examples:
  xxgk run                                  # bundled samples -> data/warehouse
  xxgk run /srv/reports --out /srv/warehouse
  xxgk run /srv/reports --out /srv/warehouse --full     # rebuild everything
  python -c "import pandas as pd; print(pd.read_parquet('data/warehouse/reports'))"
  duckdb -c "select status, count(*) from 'data/warehouse/reports/*.parquet' group by 1"
  xxgk sql "select province, count(*) from reports where is_primary group by 1"
"""


def _quiet_prefect_env() -> None:
    # No telemetry (this may run without network), and no ephemeral-server
    # noise in a user's terminal.  The server's analytics and the SDK's are
    # separate: in an interactive terminal the SDK sends "first flow run"
    # events unless DO_NOT_TRACK is set.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="extract, validate and write the warehouse",
                         description="Crawl INPUT recursively and write the warehouse at OUTPUT.",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    run.add_argument("input", nargs="?", default=str(DEFAULT_INPUT),
                     help=f"directory of report files, crawled recursively (default: the bundled samples, {DEFAULT_INPUT})")
    run.add_argument("--out", "-o", default=str(DEFAULT_OUTPUT),
                     help="warehouse directory (default: data/warehouse)")
    run.add_argument("--full", action="store_true", help="reparse every file, not only new and changed ones")
    run.add_argument("--wait", action="store_true",
                     help="if another run holds the warehouse, wait for it instead of stopping")
    run.add_argument("--batch-size", type=int, default=None,
                     help="files per batch task (default: as many as keep every worker busy, at most "
                          f"{DEFAULT_BATCH}): bigger batches amortise each GX run")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                     help="parallel worker processes for parsing and validation (default: one per core); "
                          "with --dask, the cluster's worker count: batches are sized to keep that many busy")
    run.add_argument("--dask", metavar="ADDRESS", default=None,
                     help="run the batch tasks on a Dask cluster through prefect-dask: a scheduler address "
                          "(tcp://host:8786) or 'local' for a LocalCluster on this machine")
    run.add_argument("--no-docs", action="store_true", help="skip building GX Data Docs")
    run.add_argument("--summary-json", metavar="FILE", help="also write the run summary as JSON to FILE")
    run.add_argument("--keep", type=_keep_count, default=KEEP_VERSIONS, metavar="N",
                     help=f"warehouse versions to keep, the new one included (default {KEEP_VERSIONS}); "
                          "older ones are deleted when a run commits")

    synth = sub.add_parser(
        "synth", help="write a corpus of realistic synthetic reports with their truth",
        description="Write N report files under OUT/reports across both templates, eight text layouts "
                    "(tab-indented cells, blank-separated cells, pipe rows, Markdown, tab rows, HTML, "
                    "pdftotext -layout, Word text) and three document layouts (DOCX, PDF, a portal page "
                    "around Word's HTML; about a quarter of the files are DOCX or PDF), with the table "
                    "shapes real files have (table 4 as three small tables, fillers in table 2, table 3 "
                    "split over pages or by a 续表 line, ragged spans), wording and number noise and six "
                    "encodings, a fraction with deliberate accounting errors and a few non-reports; and "
                    "OUT/truth.json with every expected value and status (layout names the layout; "
                    "encoding is null for DOCX and PDF).")
    synth.add_argument("--out", "-o", required=True, help="directory to write (OUT/reports, OUT/truth.json)")
    synth.add_argument("--n", type=int, default=200, help="number of files (default 200)")
    synth.add_argument("--seed", type=int, default=0, help="random seed: the same seed writes the same corpus")
    synth.add_argument("--error-rate", type=float, default=0.1,
                       help="fraction of reports given a deliberate error (default 0.1)")

    bench = sub.add_parser(
        "bench", help="time the real pipeline on a synthetic corpus against a read+decode floor",
        description="Write (once) N synthetic reports, run `xxgk run` on them as a user would, and print "
                    "reports/s with and without start-up, seconds per stage, the fixed overhead of a "
                    "one-report run, peak RSS, and the ratio to a floor measured on the same files: "
                    "read, decode, one regex pass over the numbers (text layouts only).  Then the same "
                    "for a corpus of synthesised PDFs: PDF reports/s, milliseconds per page, and the "
                    "ratio to opening each PDF with pypdfium2 and taking every page's text (--no-pdf "
                    "skips it).")
    bench.add_argument("--n", type=int, default=20000, help="reports in the corpus (default 20000)")
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--workdir", help="where the corpus and warehouses go (default: a new temp dir); "
                                         "an existing corpus there is reused")
    bench.add_argument("--workers", type=int, default=None, help="passed to xxgk run")
    bench.add_argument("--pdf-n", type=int, default=300,
                       help="synthesised PDF reports for the PDF figures (default 300): PDF reports/s without "
                            "start-up, milliseconds per page, and the ratio to a floor on the same files "
                            "(pypdfium2: open each PDF, take every page's text, one core)")
    bench.add_argument("--no-pdf", action="store_true", help="skip the PDF figures")
    bench.add_argument("--served", type=int, default=0, metavar="N",
                       help="also time a run of `xxgk serve`'s deployment against `xxgk run` on N synthetic "
                            "files (three alternated pairs, the server's start aside; e.g. --served 200)")
    bench.add_argument("--docs", action="store_true",
                       help="build GX Data Docs, as a default `xxgk run` does (skipped by default, so that "
                            "figures compare with earlier benchmarks)")

    serve = sub.add_parser(
        "serve", help="register the nightly deployment and run it on its schedule (blocks)",
        description="Register the Prefect deployment xxgk-run/nightly with a cron schedule and serve "
                    "it: on each cron time the incremental pipeline runs over INPUT into OUTPUT and prints "
                    "the summary `xxgk run` prints.  With PREFECT_API_URL set, against that Prefect "
                    "server; without it, serve starts Prefect's own server on this machine (its "
                    "scheduler fires the cron; UI at the address it prints) and keeps it up while it "
                    "serves; `xxgk run` on this machine then records its runs there too.  Arguments are "
                    "checked before anything is registered.  Ctrl-C or SIGTERM stops serve, a run in "
                    "progress, and the server.")
    serve.add_argument("input", help="directory of report files")
    serve.add_argument("--out", "-o", default=str(DEFAULT_OUTPUT), help="warehouse directory")
    serve.add_argument("--cron", default="0 2 * * *",
                       help='cron schedule, five fields (default "0 2 * * *", 02:00 nightly)')
    serve.add_argument("--timezone", default="Asia/Shanghai", help="timezone of the schedule (IANA name)")
    serve.add_argument("--keep", type=_keep_count, default=KEEP_VERSIONS, metavar="N",
                       help=f"warehouse versions to keep, the new one included (default {KEEP_VERSIONS})")
    serve.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="worker processes per run (default: CPU count)")
    serve.add_argument("--no-docs", action="store_true", help="skip building GX Data Docs")

    sql = sub.add_parser(
        "sql", help="query the warehouse with DuckDB (OUTPUT/xxgk.duckdb)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run QUERY on OUTPUT/xxgk.duckdb and print the result; without QUERY, read "
                    "statements (ended by ;) from standard input, a prompt in a terminal.  Views: one per "
                    "dataset (reports, requests, ...), requests_cells / review_cells / active_cells (each cell "
                    "with its report's agency, agency_key, province, city, county, year, status and "
                    "is_primary), requests_wide (table 3, one row per report, a column per row and applicant, "
                    "e.g. new_received__natural_person), and the table labels (each key's Chinese label).",
        epilog="examples:\n"
               "  xxgk sql \"select status, count(*) from reports group by 1\"\n"
               "  xxgk sql \"select sum(value) from requests_cells where is_primary and status = 'ok' "
               "and row = 'new_received' and applicant = 'total'\"\n"
               "  xxgk sql \"select province, year, sum(new_received__total) from requests_wide "
               "where is_primary group by all order by all\"")
    sql.add_argument("query", nargs="?", help="an SQL statement (default: read statements from standard input)")
    sql.add_argument("--out", "-o", default=str(DEFAULT_OUTPUT), help="warehouse directory (default: data/warehouse)")
    sql.add_argument("--csv", action="store_true", help="print results as CSV (with a header row)")
    sql.add_argument("--max-rows", type=int, default=200, help="rows shown in a table (default 200; --csv prints all)")

    evaluate = sub.add_parser("evaluate", help="compare a warehouse with a synth corpus's truth",
                              description="Cell, status and metadata accuracy per layout, encoding and "
                                          "template, and the count of silent errors (ok with a wrong cell).")
    evaluate.add_argument("truth", help="truth.json written by xxgk synth")
    evaluate.add_argument("--warehouse", "-w", default=str(DEFAULT_OUTPUT), help="warehouse directory")
    from flows.inspect import DESCRIPTION as INSPECT_DESCRIPTION, EPILOG as INSPECT_EPILOG

    inspect = sub.add_parser("inspect", help="show how one file is read: grids, row labels, cell placement",
                             description=INSPECT_DESCRIPTION, epilog=INSPECT_EPILOG,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    inspect.add_argument("file", help="one report file (text, HTML, Markdown, DOCX or PDF)")
    inspect.add_argument("--png", metavar="DIR",
                         help="PDF only: write each page holding a table to DIR as a PNG, with the detected "
                              "cells' boxes drawn in red (needs pillow)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "run":
        return cmd_run(args)
    if args.command == "synth":
        return cmd_synth(args)
    if args.command == "evaluate":
        return cmd_evaluate(args)
    if args.command == "sql":
        return cmd_sql(args)
    if args.command == "serve":
        from flows.serve import serve_command

        return serve_command(args)
    if args.command == "inspect":
        from flows.inspect import inspect

        if not Path(args.file).is_file():
            return _fail(f"{args.file} is not a file")
        return inspect(args.file, args.png)
    if args.command == "bench":
        from flows.bench import bench

        extra = ["--workers", str(args.workers)] if args.workers else []
        return bench(args.n, args.workdir, args.seed, extra if args.docs else [*extra, "--no-docs"],
                     pdf_n=0 if args.no_pdf else args.pdf_n, served_n=args.served)
    parser.error(f"unknown command {args.command}")
    return 2


def _fail(message: str) -> int:
    print(f"xxgk: error: {message}", file=sys.stderr)
    return 1


def cmd_run(args) -> int:
    input_dir = Path(args.input)
    out_dir = Path(args.out)
    if not input_dir.is_dir():
        return _fail(f"input directory {input_dir} does not exist or is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".xxgk-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        return _fail(f"cannot write to output directory {out_dir}: {exc.strerror or exc}")

    _quiet_prefect_env()
    from flows.interrupts import guarded

    # Ctrl-C / SIGTERM: one line, no traceback, no process left (flows.interrupts).
    # The collector stays paused while the flow's modules are imported
    # (flows.tuning, gc-imports).
    with guarded(out_dir) as guard:
        tuning.pause_gc_for_imports()
        try:
            return _run_with_api(args, input_dir, out_dir)
        except BaseException as exc:
            if guard.signum is None:
                raise
            return guard.finish(exc)
        finally:
            tuning.imports_done()       # if the run stopped before its imports


def _run_with_api(args, input_dir: Path, out_dir: Path) -> int:
    with prefect_api():
        from transform.warehouse import Warehouse, WarehouseBusy

        if not args.wait:
            # Fail fast, before any worker starts; the flow takes the lock
            # for real (a run started by a deployment has no CLI in front).
            try:
                with Warehouse(out_dir).lock():
                    pass
            except WarehouseBusy as exc:
                return _fail(str(exc))
        batch_size = args.batch_size      # None: the flow sizes batches to its workers
        try:
            runner = task_runner(args)
        except ImportError as exc:
            return _fail(f"--dask needs prefect-dask: pip install -e '.[dask]' ({exc})")
        return _run_flow(args, input_dir, out_dir, runner, batch_size)


def _run_flow(args, input_dir: Path, out_dir: Path, runner, batch_size: int | None) -> int:
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.pipeline import xxgk_run
    from transform.warehouse import WarehouseBusy

    tuning.imports_done()
    in_process = isinstance(runner, ThreadPoolTaskRunner)
    if _SERVER:
        try:
            _SERVER[0].wait_ready()
        except RuntimeError as exc:
            return _fail(str(exc))
    from flows.interrupts import hook_prefect_sigterm

    hook_prefect_sigterm()      # SIGTERM during the flow: as outside it (flows.interrupts)
    try:
        with _settings_for_this_server():
            summary = xxgk_run.with_options(task_runner=runner)(
                str(input_dir.resolve()), str(out_dir.resolve()), full=args.full, wait=args.wait,
                batch_size=batch_size, build_docs=not args.no_docs, window=2 * max(1, args.workers),
                workers=1 if in_process else max(1, args.workers),
                keep=getattr(args, "keep", KEEP_VERSIONS))
    except WarehouseBusy as exc:
        return _fail(str(exc))
    print_summary(summary)
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


def _settings_for_this_server():
    """Prefect settings for a flow run on the run's own temporary server.

    Flow run heartbeats let a server notice a crashed run; a temporary server
    lives exactly as long as the run, so nothing would ever read them, and
    ending the flow waited up to a second for the heartbeat thread to stop.
    On a configured server (PREFECT_API_URL) Prefect's settings apply as set."""
    if not _SERVER:
        return contextlib.nullcontext()
    import prefect.settings
    from prefect.settings import temporary_settings

    return temporary_settings(updates={prefect.settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def task_runner(args):
    """Processes for parsing (the GIL makes threads useless for it), Dask
    when asked, one thread with --workers 1.  A run whose files fit in one
    batch parses them in the flow's own process whatever the runner
    (flows.defaults.parses_in_flow): no worker starts for it."""
    from prefect.task_runners import ThreadPoolTaskRunner

    if args.dask:
        from prefect_dask import DaskTaskRunner

        if args.dask == "local":
            return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, args.workers), "threads_per_worker": 1,
                                                  "processes": True, "dashboard_address": None})
        return DaskTaskRunner(address=args.dask)
    if args.workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    from flows.pipeline import process_pool

    return process_pool(args.workers)


_SERVER: list = []


@contextlib.contextmanager
def prefect_api():
    """The Prefect API for this run.  With no PREFECT_API_URL configured,
    the server `xxgk serve` keeps up on this machine, if any (one database,
    one server); otherwise start one temporary local server now, before anything heavy is imported
    (its start-up overlaps ours), and point every process at it: worker
    processes would otherwise each start a temporary server of their own."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from flows.serve import served_api_url

    served = served_api_url()       # the server `xxgk serve` keeps up on this machine
    if served:
        os.environ["PREFECT_API_URL"] = served
        try:
            yield
        finally:
            del os.environ["PREFECT_API_URL"]
        return
    from flows.server import TemporaryPrefectServer

    server = TemporaryPrefectServer().start()
    if server.new_database is not None:
        # otherwise a first run looks stuck while the migrations run
        print("xxgk: first run on this machine: Prefect is creating its local database "
              f"({server.new_database}), so this start takes several seconds longer, once", file=sys.stderr, flush=True)
    _SERVER.append(server)
    try:
        yield
    finally:
        _SERVER.remove(server)
        if "prefect" in sys.modules:
            # Ship queued logs and events while the server is up (as
            # Prefect's own test harness does); otherwise the log worker
            # retries against a stopped server for a minute at exit.
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            for worker in (APILogWorker, EventsWorker):
                with contextlib.suppress(Exception):
                    worker.drain_all(timeout=10)
        server.stop()


def cmd_synth(args) -> int:
    from synth.writer import write_corpus

    truth = write_corpus(args.out, args.n, seed=args.seed, error_rate=args.error_rate)
    statuses = {}
    for rec in truth["files"].values():
        statuses[rec["status"]] = statuses.get(rec["status"], 0) + 1
    print(f"xxgk: wrote {args.n} files to {Path(args.out) / 'reports'} and their truth to "
          f"{Path(args.out) / 'truth.json'} (expected: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + ")")
    return 0


def cmd_evaluate(args) -> int:
    from synth.evaluate import evaluate, format_table
    from transform.warehouse import DATASETS, Warehouse

    wh = Warehouse(args.warehouse)
    if wh.current_version() is None:
        return _fail(f"no warehouse at {args.warehouse}")
    frames = {d: wh.read(d) for d in DATASETS}
    truth = json.loads(Path(args.truth).read_text(encoding="utf-8"))
    result = evaluate(frames, truth)
    print(format_table(result))
    return 0


def cmd_sql(args) -> int:
    """`xxgk sql`: a query on the warehouse's DuckDB catalog, or a prompt."""
    import duckdb

    from transform.catalog import CATALOG, catalog_version, write_catalog
    from transform.warehouse import Warehouse

    out = Path(args.out)
    version = Warehouse(out).current_version()
    if version is None:
        return _fail(f"no warehouse at {out} (run `xxgk run` first)")
    if catalog_version(out) != version:
        write_catalog(out, version)     # a warehouse written before the catalog existed, or moved
    con = duckdb.connect(str(out / CATALOG), read_only=True)
    try:
        if args.query is not None:
            try:
                _print_result(con.sql(args.query), args)
            except duckdb.Error as exc:
                return _fail(str(exc).strip().splitlines()[0])
            return 0
        return _sql_prompt(con, args)
    finally:
        con.close()


def _print_result(relation, args) -> None:
    if relation is None:            # a statement with no result
        return
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(relation.columns)
        for row in relation.fetchall():
            writer.writerow(["" if v is None else v for v in row])
        return
    relation.show(max_rows=args.max_rows, max_width=10_000)


def _sql_prompt(con, args) -> int:
    """Statements from standard input, each run when a line ends with ;
    (a prompt when standard input is a terminal)."""
    import duckdb

    interactive = sys.stdin.isatty()
    if interactive:
        print("xxgk sql: statements end with ;  .tables lists the views, .quit (or Ctrl-D) leaves")
    buffer: list[str] = []
    failed = 0
    while True:
        if interactive:
            print("xxgk> " if not buffer else "  ..> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit"):
            break
        if not buffer and stripped == ".tables":
            stripped = "select table_name, table_type from information_schema.tables order by 1;"
        if stripped:
            buffer.append(stripped)
        if buffer and buffer[-1].endswith(";"):
            statement, buffer = "\n".join(buffer), []
            try:
                _print_result(con.sql(statement), args)
            except duckdb.Error as exc:
                failed += 1
                print(f"xxgk: error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
    if buffer:
        try:
            _print_result(con.sql("\n".join(buffer)), args)
        except duckdb.Error as exc:
            failed += 1
            print(f"xxgk: error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
    return 1 if failed and not interactive else 0


def print_summary(s: dict) -> None:
    print()
    print(f"xxgk: {s['files_seen']} files seen in {s['input']}")
    print(f"  new {s['new']}, changed {s['changed']}, unchanged {s['unchanged']}, removed {s['removed']}"
          + (f", reparsed {s['reparsed']}" if s["reparsed"] else ""))
    print(f"  ok {s['ok']}, invalid {s['invalid']}, rejected {s['rejected']}")
    if s["top_failures"]:
        print("  most frequent failing expectations:")
        for name, n in s["top_failures"]:
            print(f"    {name}: {n} reports")
    if s["rejected_reasons"]:
        print("  most frequent reasons for rejection:")
        for reason, n in s["rejected_reasons"]:
            print(f"    {reason}: {n}")
    docs = Path(s["output"]) / "docs" / "index.html"
    print(f"  warehouse: {s['output']} (version {s['version']})"
          + (f", Data Docs: {docs}" if docs.is_file() else ""))
    if s.get("quality_warning"):
        print(f"  warning: {s['quality_warning']}")
    stages = ", ".join(f"{k} {v:.1f}" for k, v in s["stage_seconds"].items() if v)
    print(f"  {s['seconds']:.1f} s in the flow ({stages}; parse stages summed over workers)")
    if s.get("worker_seconds"):
        print(f"  workers busy with batches: {workers_busy(s):.0%} of {s['workers']} x {s['seconds']:.1f} s")


def console_main() -> None:
    """The `xxgk` command."""
    sys.exit(main())


if __name__ == "__main__":
    console_main()

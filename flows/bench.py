"""`xxgk bench`: the real pipeline end to end on a synth corpus, against a floor.

Prints figures; asserts nothing.  The pipeline runs as a user runs it (a
subprocess of `xxgk run`), so start-up, the Prefect server and worker
processes are all in the wall time; the flow's own clock gives the time
without start-up.  The floor, measured on the same files in the same run:
read every file, decode it, one regular-expression pass over its numbers.

The text corpus holds the text layouts only (as it always did), so its
figures keep their meaning.  A second corpus of synthesised PDFs (the synth
PDF layout) gives the PDF figures: reports/s without start-up, milliseconds
per page, against a floor measured on the same files on one core: open each
PDF with pypdfium2 and take the text of every page.
"""
from __future__ import annotations

import codecs
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_NUMBERS = re.compile(r"[+\-]?\d[\d,.]*")


def floor(root: Path) -> tuple[float, int, int]:
    """Seconds to read, decode and scan every file once, on one core."""
    t = time.perf_counter()
    files = numbers = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            raw = Path(dirpath, name).read_bytes()
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                text = raw.decode("utf-16", errors="replace")
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("gb18030", errors="replace")
            numbers += len(_NUMBERS.findall(text))
            files += 1
    return time.perf_counter() - t, files, numbers


def pdf_floor(root: Path) -> tuple[float, int, int]:
    """Seconds to open every PDF with pypdfium2 and take the text of each
    of its pages, on one core; and the files and pages."""
    import pypdfium2 as pdfium

    t = time.perf_counter()
    files = pages = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            pdf = pdfium.PdfDocument(Path(dirpath, name).read_bytes())
            try:
                for index in range(len(pdf)):
                    page = pdf[index]
                    text_page = page.get_textpage()
                    text_page.get_text_range()
                    text_page.close()
                    page.close()
                    pages += 1
            finally:
                pdf.close()
            files += 1
    return time.perf_counter() - t, files, pages


def interpreter() -> str:
    """The interpreter the pipeline runs on: the venv's base executable,
    symlinks resolved (a venv's own python is a link to it)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def warm_page_cache(root: Path) -> None:
    """Read every file once, untimed, so that the floor reads them from
    the page cache, as the pipeline runs after it do.  On a cold cache the
    floor also timed the disk, which made the pipeline / floor ratio look
    better than it was."""
    for dirpath, _, names in os.walk(root):
        for name in names:
            Path(dirpath, name).read_bytes()


def _run(input_dir: Path, out: Path, extra: list[str]) -> tuple[float, dict, int]:
    summary_file = out.parent / f"{out.name}.summary.json"
    cmd = [sys.executable, "-m", "flows.cli", "run", str(input_dir), "--out", str(out),
           "--summary-json", str(summary_file), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"xxgk run failed: {proc.stderr.strip().splitlines()[-1:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, json.loads(summary_file.read_text()), max(peak_kb, before)


def bench(n: int, workdir: str | None, seed: int, extra: list[str], pdf_n: int = 0, served_n: int = 0) -> int:
    """pdf_n: PDF reports in the PDF corpus (0: no PDF figures); served_n:
    files for the served-run figures (0: none)."""
    from synth.render import LAYOUTS
    from synth.writer import write_corpus

    from flows.defaults import workers_busy
    from flows.server import missing_prefect_database

    base = Path(workdir or tempfile.mkdtemp(prefix="xxgk-bench-"))
    corpus = base / f"corpus-{n}-{seed}"
    if not (corpus / "truth.json").is_file():
        print(f"writing {n} synthetic reports to {corpus} ...", flush=True)
        write_corpus(corpus, n, seed=seed, layouts=LAYOUTS)
    reports = corpus / "reports"
    single = base / "single"
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))["files"]
    # the one-report run reads a report that validates, not a rejected file
    first = next(reports / rel for rel, rec in sorted(truth.items()) if rec.get("status") == "ok")
    if not (single / first.name).is_file():
        shutil.rmtree(single, ignore_errors=True)
        single.mkdir(parents=True)
        shutil.copy(first, single / first.name)

    for out in (base / "w-single", base / "w-full"):
        shutil.rmtree(out, ignore_errors=True)
    warm_page_cache(reports)
    floor_s, files, _ = floor(reports)
    first_use = None
    if not os.environ.get("PREFECT_API_URL") and missing_prefect_database() is not None:
        # A run's fixed overhead is what every run pays: the first run on a
        # machine also creates Prefect's database (migrations, once).
        first_use, _, _ = _run(single, base / "w-single", extra)
        shutil.rmtree(base / "w-single")
    one_wall, _, _ = _run(single, base / "w-single", extra)
    wall, summary, peak_kb = _run(reports, base / "w-full", extra)
    flow_s = summary["seconds"]

    docs = "without" if "--no-docs" in extra else "with"
    print(f"\nxxgk bench: {files} files ({n} requested), {os.cpu_count()} cores, {docs} Data Docs")
    # the interpreter's build moves every figure (a PGO/LTO build runs the
    # flow faster than a default pyenv build; docs/performance.md)
    print(f"  python {platform.python_version()} at {interpreter()}")
    print(f"  reports/s, start-up excluded : {files / flow_s:8.0f}   ({flow_s:.1f} s in the flow)")
    print(f"  reports/s, start-up included : {files / wall:8.0f}   ({wall:.1f} s wall)")
    print(f"  fixed overhead, 1-report run : {one_wall:8.1f} s")
    if first_use is not None:
        print(f"  first run on this machine    : {first_use:8.1f} s   (Prefect created its database, once)")
    # the CLI's children do not include workers forked from a forkserver:
    # they report their own peak with each batch
    peak_mb = max(peak_kb / 1024, summary.get("worker_peak_rss_mb", 0.0))
    print(f"  peak RSS (largest process)   : {peak_mb:8.0f} MB")
    print(f"  floor (read+decode+regex)    : {floor_s:8.2f} s = {files / floor_s:.0f} files/s on one core")
    print(f"  pipeline / floor             : {flow_s / floor_s:8.1f}")
    if summary.get("worker_seconds"):
        print(f"  workers busy with batches    : {workers_busy(summary):8.0%}   "
              f"({summary['workers']} workers; the rest: flow start, Prefect per task, waiting at the end)")
    print("  seconds per stage (summed over workers where parallel):")
    for stage, s in summary["stage_seconds"].items():
        print(f"    {stage:14} {s:8.2f}")
    print(f"  outcome: ok {summary['ok']}, invalid {summary['invalid']}, rejected {summary['rejected']}")
    print(f"  corpus kept at {corpus} (reuse it with --workdir {base})")
    if pdf_n > 0:
        bench_pdf(base, pdf_n, seed, extra)
    if served_n > 0:
        bench_served(base, served_n, seed)
    return 0


def bench_pdf(base: Path, n: int, seed: int, extra: list[str]) -> None:
    """The PDF figures: `xxgk run` on a corpus of n synthesised PDF reports
    against opening them and taking every page's text (pdf_floor)."""
    from synth.writer import write_corpus

    corpus = base / f"corpus-pdf-{n}-{seed}"
    if not (corpus / "truth.json").is_file():
        print(f"writing {n} synthetic PDF reports to {corpus} ...", flush=True)
        write_corpus(corpus, n, seed=seed, layouts=("pdf",), non_report_rate=0.0)
    reports = corpus / "reports"
    out = base / "w-pdf"
    shutil.rmtree(out, ignore_errors=True)
    warm_page_cache(reports)
    floor_s, files, pages = pdf_floor(reports)
    wall, summary, _ = _run(reports, out, extra)
    flow_s = summary["seconds"]
    parse_s = summary["stage_seconds"].get("read+extract", 0.0)
    print(f"\nxxgk bench, PDF: {files} synthesised PDF reports, {pages} pages ({pages / max(files, 1):.1f} a report)")
    print(f"  PDF reports/s, start-up excluded : {files / flow_s:8.1f}   ({flow_s:.1f} s in the flow, "
          f"{wall:.1f} s wall)")
    print(f"  ms per page, in the flow         : {flow_s * 1000 / pages:8.1f}")
    if parse_s:
        print(f"  ms per page, read+extract        : {parse_s * 1000 / pages:8.1f}   (summed over workers)")
    print(f"  floor (pypdfium2 open+page text) : {floor_s:8.2f} s = {pages / floor_s:.0f} pages/s on one core "
          f"({floor_s * 1000 / pages:.2f} ms a page)")
    print(f"  PDF pipeline / floor             : {flow_s / floor_s:8.1f}")
    print(f"  outcome: ok {summary['ok']}, invalid {summary['invalid']}, rejected {summary['rejected']}")
    print(f"  corpus kept at {corpus}")


def bench_served(base: Path, n: int, seed: int, pairs: int = 3) -> None:
    """A served run against `xxgk run` on the same n files, the server's
    start aside: `xxgk serve` (with its own Prefect server, in a Prefect
    home of its own) serves the deployment, then, alternately, a run of
    the deployment into a new warehouse (timed from its Pending state to
    its Completed state in Prefect's state history: the run process's start
    and imports included) and `xxgk run` into a new warehouse against
    serve's server (wall time)."""
    import signal
    import statistics
    from datetime import datetime

    import httpx

    from synth.writer import write_corpus

    corpus = base / f"corpus-served-{n}-{seed}"
    if not (corpus / "truth.json").is_file():
        write_corpus(corpus, n, seed=seed)
    reports, home = corpus / "reports", base / "served-prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    xxgk = [sys.executable, "-m", "flows.cli"]
    for old in base.glob("w-served-*"):
        shutil.rmtree(old, ignore_errors=True)
    serve = subprocess.Popen([*xxgk, "serve", str(reports), "--out", str(base / "w-served-0"),
                              "--cron", "0 3 1 1 *", "--timezone", "UTC"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    served, direct = [], []
    try:
        deadline = time.monotonic() + 300
        deployment = None
        while deployment is None and time.monotonic() < deadline:
            state = home / "xxgk-server.json"
            if state.is_file():
                api = httpx.Client(base_url=json.loads(state.read_text())["api_url"], timeout=10)
                found = api.get("/deployments/name/xxgk-run/nightly")
                deployment = found.json() if found.status_code == 200 else None
            time.sleep(0.5)
        if deployment is None:
            raise RuntimeError("xxgk serve did not register its deployment within 300 s")
        for i in range(pairs):
            created = api.post(f"/deployments/{deployment['id']}/create_flow_run",
                               json={"parameters": {"out_dir": str(base / f"w-served-s{i}")}}).json()
            while api.get(f"/flow_runs/{created['id']}").json()["state_type"] not in (
                    "COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                time.sleep(0.2)
            times = {s["type"]: datetime.fromisoformat(s["timestamp"])
                     for s in api.get("/flow_run_states/", params={"flow_run_id": created["id"]}).json()}
            if "COMPLETED" not in times:
                raise RuntimeError(f"the served run ended {sorted(times)}")
            served.append((times["COMPLETED"] - times["PENDING"]).total_seconds())
            started = time.monotonic()
            subprocess.run([*xxgk, "run", str(reports), "--out", str(base / f"w-served-d{i}")], env=env,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            direct.append(time.monotonic() - started)
    finally:
        os.kill(serve.pid, signal.SIGTERM)
        serve.wait(60)
    print(f"\nxxgk bench, served: {n} files, {pairs} alternated pairs, the server's start aside")
    for i, (s, d) in enumerate(zip(served, direct)):
        print(f"  pair {i + 1}: served run {s:6.2f} s, xxgk run {d:6.2f} s")
    ratio = statistics.median(served) / statistics.median(direct)
    print(f"  median: served {statistics.median(served):.2f} s, xxgk run {statistics.median(direct):.2f} s, "
          f"served / run {ratio:.2f}")

"""The nightly deployment: the flow, its parameters and its schedule, as
`xxgk serve` registers them (flows.serve) and as `prefect deploy`-style
registration would (nightly_deployment)."""
from __future__ import annotations

import os

from prefect.schedules import Cron
from prefect.task_runners import ThreadPoolTaskRunner

from flows.pipeline import process_pool, xxgk_run

DEPLOYMENT_NAME = "nightly"
DESCRIPTION = "xxgk: incremental nightly run over the report directory"
TAGS = ["xxgk"]


def print_run_summary(flow, flow_run, state) -> None:
    """A completed served run prints the summary `xxgk run` prints, in the
    run's own process, whose output is serve's."""
    from flows.cli import print_summary

    print_summary(state.result())


def nightly_flow(workers: int = os.cpu_count() or 1):
    """The flow as served, with Prefect's stock task runners.  Transient
    failures are retried: the batch tasks retry themselves, and the flow
    run is retried once (it resumes from the last committed version).  An
    interrupted or cancelled run (Crashed, Cancelled) is not retried: only
    a Failed one is.  A night with few changed files parses them in the
    flow's process (flows.defaults.parses_in_flow): no worker starts."""
    runner = process_pool(workers) if workers > 1 else ThreadPoolTaskRunner(max_workers=1)
    return xxgk_run.with_options(retries=1, retry_delay_seconds=300, task_runner=runner,
                                 on_completion=[print_run_summary])


def nightly_parameters(input_dir: str, out_dir: str, keep: int | None = None, extra: dict | None = None) -> dict:
    params = {"input_dir": input_dir, "out_dir": out_dir, "wait": True, **(extra or {})}
    if keep is not None:
        params["keep"] = keep
    return params


def nightly_deployment(input_dir: str, out_dir: str, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai",
                       keep: int | None = None, workers: int = os.cpu_count() or 1):
    """The same flow, schedule and parameters as a deployment object (its
    entrypoint is flows/pipeline.py:xxgk_run), for registration by hand."""
    return nightly_flow(workers).to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=nightly_parameters(input_dir, out_dir, keep, {"workers": workers}),
        description=DESCRIPTION,
        tags=TAGS,
    )

"""The nightly deployment: `xxgk serve` registers it and runs it on its cron."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.pipeline import xxgk_run

DEPLOYMENT_NAME = "nightly"
DESCRIPTION = "xxgk: incremental nightly run over the report directory"
TAGS = ["xxgk"]


def nightly_flow(task_runner=None):
    """The flow as served.  Transient failures are retried: the batch tasks
    retry themselves, and the flow run is retried once (it resumes from the
    last committed version).  An interrupted or cancelled run (Crashed,
    Cancelled) is not retried: only a Failed one is."""
    options = {"retries": 1, "retry_delay_seconds": 300}
    if task_runner is not None:
        options["task_runner"] = task_runner
    return xxgk_run.with_options(**options)


def nightly_parameters(input_dir: str, out_dir: str, keep: int | None = None, extra: dict | None = None) -> dict:
    params = {"input_dir": input_dir, "out_dir": out_dir, "wait": True, **(extra or {})}
    if keep is not None:
        params["keep"] = keep
    return params


def nightly_deployment(input_dir: str, out_dir: str, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai",
                       keep: int | None = None, task_runner=None, parameters: dict | None = None):
    """A deployment that runs the incremental pipeline every night, for
    `prefect deploy`-style registration (`xxgk serve` registers the same
    flow, schedule and parameters with its runner: flows.serve)."""
    # its entrypoint is flows/pipeline.py:xxgk_run
    return nightly_flow(task_runner).to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=nightly_parameters(input_dir, out_dir, keep, parameters),
        description=DESCRIPTION,
        tags=TAGS,
    )

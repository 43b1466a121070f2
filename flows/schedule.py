"""The nightly deployment: `xxgk serve` registers it and runs it on its cron."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.pipeline import xxgk_run

DEPLOYMENT_NAME = "nightly"


def nightly_deployment(input_dir: str, out_dir: str, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai",
                       keep: int | None = None, task_runner=None, parameters: dict | None = None,
                       on_completion=None):
    """A deployment that runs the incremental pipeline every night.  Transient
    failures are retried: the batch tasks retry themselves, and the flow
    run is retried once (it resumes from the last committed version).  An
    interrupted or cancelled run (Crashed, Cancelled) is not retried."""
    # Served runs get this flow object as it is (prefect.serve runs it in a
    # process of its own); its entrypoint is flows/pipeline.py:xxgk_run.
    options = {"retries": 1, "retry_delay_seconds": 300}
    if task_runner is not None:
        options["task_runner"] = task_runner
    if on_completion:
        options["on_completion"] = on_completion
    flow = xxgk_run.with_options(**options)
    params = {"input_dir": input_dir, "out_dir": out_dir, "wait": True, **(parameters or {})}
    if keep is not None:
        params["keep"] = keep
    return flow.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=params,
        description="xxgk: incremental nightly run over the report directory",
        tags=["xxgk"],
    )

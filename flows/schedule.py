"""The nightly deployment: `xxgk serve` registers it and runs it on its cron."""
from __future__ import annotations

from prefect.schedules import Cron

from flows.pipeline import xxgk_run

DEPLOYMENT_NAME = "nightly"


def nightly_deployment(input_dir: str, out_dir: str, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai"):
    """A deployment that runs the incremental pipeline every night.  Transient
    failures are retried: the batch tasks retry themselves, and the flow
    run is retried once (it resumes from the last committed version)."""
    # Served runs load the flow by its entrypoint (flows/pipeline.py:xxgk_run),
    # whose default task runner is the process pool.
    flow = xxgk_run.with_options(retries=1, retry_delay_seconds=300)
    return flow.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"input_dir": input_dir, "out_dir": out_dir, "wait": True},
        description="xxgk: incremental nightly run over the report directory",
        tags=["xxgk"],
    )

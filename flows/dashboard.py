"""The run's last step: the data-quality dashboard of the version it
committed (transform.dashboard), and a Prefect markdown artifact linking to
it.  A dashboard that cannot be built is a warning, never a failed run: the
warehouse is already committed."""
from __future__ import annotations

import logging
from pathlib import Path

ARTIFACT_KEY = "xxgk-dashboard"


def _logger():
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is not None:
        from prefect import get_run_logger
        return get_run_logger()
    return logging.getLogger("xxgk.dashboard")


def publish_dashboard(out_dir: str, version: str | None) -> Path | None:
    """Build OUTPUT/dashboard/index.html; inside a flow run also publish the
    artifact `xxgk-dashboard` pointing at it.  Returns the page, or None
    when it could not be built."""
    log = _logger()
    try:
        from transform.dashboard import build_dashboard

        index = build_dashboard(out_dir).resolve()
    except Exception as exc:  # the data is committed; the page is a view of it
        log.warning("dashboard not built: %s: %s", type(exc).__name__, exc)
        return None
    log.info("dashboard: %s", index)
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is not None:
        try:
            from prefect.artifacts import create_markdown_artifact

            create_markdown_artifact(
                key=ARTIFACT_KEY,
                markdown=(f"## xxgk data quality\n\n[Open the dashboard]({index.as_uri()}) "
                          f"(warehouse version `{version}`)\n\n`{index}`\n"),
                description=f"xxgk data-quality dashboard, warehouse version {version}")
        except Exception as exc:
            log.warning("dashboard artifact not published: %s: %s", type(exc).__name__, exc)
    return index

"""The task runner of served runs (flows.serve), in a module of its own:
it imports the pipeline, which `xxgk run` must not import before its
server starts (flows.serve is imported early by the CLI)."""
from __future__ import annotations

import os

from flows.pipeline import EarlyProcessPoolTaskRunner, _StartedPool, warm_worker


def count_files(input_dir: str) -> int:
    return sum(len(names) for _, _, names in os.walk(input_dir))


class ServedTaskRunner(EarlyProcessPoolTaskRunner):
    """Picks, in the run's own process, the task runner `xxgk run` would:
    one thread for a run of a batch or less, else worker processes forked
    from a preloaded forkserver and warm before the flow starts
    (flows.pipeline._StartedPool)."""

    def __init__(self, max_workers: int, input_dir: str = "", small_run: int = 0):
        super().__init__(max_workers=max_workers)
        self.input_dir, self.small_run = input_dir, small_run

    def duplicate(self):
        from prefect.task_runners import ThreadPoolTaskRunner

        if self._max_workers <= 1 or count_files(self.input_dir) <= self.small_run:
            return ThreadPoolTaskRunner(max_workers=1)
        return _StartedPool(max_workers=self._max_workers, initializer=warm_worker).start()

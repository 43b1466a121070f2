"""`xxgk` with a crash injected: ``python tests/crash_run.py POINT xxgk-args...``.

The crash tests' seam, kept out of the production path: before running the
command line, this wraps one plain function of the pipeline so that the
process dies with SIGKILL right after it (no cleanup runs), or, for
``write-reports:enospc``, raises the error a full disk gives.  The runs the
tests use are small, so their batches run in this very process.

Points: extract (after the batch parsed its files), validate (after it
validated), write-<dataset> (after that part was written), before-commit
(the staging version synced), commit (the new pointer written, not yet
renamed over the old), after-commit (renamed and synced, links not yet
repointed).
"""
import errno
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import transform.batch as batch  # noqa: E402
import transform.warehouse as warehouse  # noqa: E402


def kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def after(module, name: str, when=lambda *a, **k: True, action=kill) -> None:
    """Replace module.name with a wrapper that runs `action` after a call
    for which `when(args)` holds."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            action()
        return result
    setattr(module, name, wrapper)


def enospc() -> None:
    raise OSError(errno.ENOSPC, "No space left on device (injected)")


def inject(point: str) -> None:
    name, _, mode = point.partition(":")
    action = enospc if mode == "enospc" else kill
    if name == "extract":
        after(batch, "parse_files", action=action)
    elif name == "validate":
        after(batch, "validate_frames", action=action)
    elif name.startswith("write-"):
        dataset = name[len("write-"):]
        after(batch, "write_part", when=lambda _dir, d, *a, **k: d == dataset, action=action)
    elif name == "before-commit":
        after(warehouse, "_fsync_tree", action=action)
    elif name == "commit":
        after(warehouse, "_fsync_file", when=lambda path: Path(path).name.startswith("current."), action=action)
    elif name == "after-commit":
        after(warehouse, "_fsync_dir", when=lambda path: Path(path).name == warehouse.META, action=action)
    else:
        raise SystemExit(f"unknown crash point {point}")


if __name__ == "__main__":
    inject(sys.argv[1])
    from flows.cli import main

    sys.exit(main(sys.argv[2:]))

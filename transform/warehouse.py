"""Frames -> the Parquet warehouse, written so that no reader and no crash
ever sees a half-written dataset.

Layout under OUTPUT::

    reports/ requests/ ...            symlinks -> .xxgk/versions/<vid>/<dataset>
    docs/                             GX Data Docs of the last run
    .xxgk/current                     the committed version id (the commit point)
    .xxgk/versions/<vid>/<dataset>/part-*.parquet
    .xxgk/lock                        held (flock) by the one writer

A run writes a complete new version beside the current one, fsyncs it, then
replaces ``.xxgk/current`` atomically (os.replace): that rename is the commit.
The dataset symlinks are then repointed, each atomically; a crash between the
two steps is repaired by the next run (``repair``).  Parts of reports that did
not change are carried over by hard link when a part is unchanged, else by
filtering it, so an incremental run costs what changed.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import DATASETS, to_table
META = ".xxgk"
KEEP_VERSIONS = 2           # the default of `xxgk run --keep`


class WarehouseBusy(RuntimeError):
    pass


class Warehouse:
    def __init__(self, root: str | os.PathLike, keep: int = KEEP_VERSIONS):
        """keep: how many committed versions a commit leaves (at least 1:
        the one it commits; the one before stays readable to a reader that
        opened it while the run wrote)."""
        self.root = Path(root)
        self.meta = self.root / META
        self.keep = max(1, int(keep))

    # ------------------------------------------------------------ locking
    @contextmanager
    def lock(self, wait: bool = False):
        self.meta.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.meta / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
            try:
                fcntl.flock(fd, flags)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
                    raise WarehouseBusy(f"another xxgk run is writing {self.root} ({holder or 'pid unknown'}); "
                                        "use --wait to queue behind it") from None
                raise
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
            self.repair()
            yield self
        finally:
            os.close(fd)

    # ------------------------------------------------------------ versions
    def current_version(self) -> str | None:
        try:
            vid = (self.meta / "current").read_text().strip()
        except FileNotFoundError:
            return None
        return vid if (self.meta / "versions" / vid).is_dir() else None

    def dataset_dir(self, dataset: str, vid: str | None = None) -> Path | None:
        vid = vid or self.current_version()
        return None if vid is None else self.meta / "versions" / vid / dataset

    def repair(self) -> None:
        """Finish what a killed run left: point every dataset at the committed
        version and drop staging directories nobody will commit."""
        vid = self.current_version()
        if vid is not None:
            self._point_links(vid)
        versions = self.meta / "versions"
        if versions.is_dir():
            for d in versions.iterdir():
                # staging dirs and versions renamed but never committed
                if d.name.startswith("staging-") or (vid is not None and d.name > vid):
                    shutil.rmtree(d, ignore_errors=True)
        for tmp in self.meta.glob("current.*"):
            tmp.unlink(missing_ok=True)

    def _point_links(self, vid: str) -> None:
        for dataset in DATASETS:
            link = self.root / dataset
            target = Path(META) / "versions" / vid / dataset
            if link.is_symlink() and os.readlink(link) == str(target):
                continue
            if link.exists() and not link.is_symlink():
                raise RuntimeError(f"{link} is a real directory, not written by xxgk; refusing to replace it")
            tmp = self.root / f".{dataset}.link-{uuid.uuid4().hex[:8]}"
            os.symlink(target, tmp)
            os.replace(tmp, link)

    def read(self, dataset: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        d = self.dataset_dir(dataset)
        if d is None or not d.is_dir():
            return None
        return pq.read_table(d, columns=columns).to_pandas()

    def begin(self) -> "Staging":
        return Staging(self)


class Staging:
    """A version being written.  Nothing is visible until commit()."""

    def __init__(self, warehouse: Warehouse):
        self.wh = warehouse
        # A sequence number first, so versions sort in commit order.
        current = warehouse.current_version()
        seq = int(current.split("-")[0]) + 1 if current and current.split("-")[0].isdigit() else 1
        self.vid = f"{seq:06d}-{time.strftime('%Y%m%dT%H%M%S')}"
        self.dir = warehouse.meta / "versions" / f"staging-{self.vid}"
        for dataset in DATASETS:
            (self.dir / dataset).mkdir(parents=True, exist_ok=True)
        self.parts = {d: 0 for d in DATASETS}
        self.after_commit = []      # callables of the committed version id, run after the commit

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """A block that raised leaves nothing behind: the version is dropped."""
        if exc_type is not None:
            self.abort()

    def _next_part(self, dataset: str, tag: str) -> Path:
        n = self.parts[dataset]
        self.parts[dataset] += 1
        return self.dir / dataset / f"part-{tag}-{n:05d}.parquet"

    def carry(self, dataset: str, keep_ids: set[str], id_column: str = "report_id",
              fix_ids: set[str] | None = None, fix=None) -> int:
        """Bring the current version's rows whose report is in keep_ids.
        A part holding rows whose id is in fix_ids is carried as
        fix(its kept rows) (a table of the same schema) instead."""
        old = self.wh.dataset_dir(dataset)
        if old is None or not old.is_dir() or not keep_ids:
            return 0
        keep = pa.array(sorted(keep_ids), type=pa.string())
        to_fix = pa.array(sorted(fix_ids), type=pa.string()) if fix_ids and fix is not None else None
        kept = 0
        for part in sorted(old.glob("*.parquet")):
            table = pq.read_table(part)
            mask = pc.is_in(table[id_column].cast(pa.string()), value_set=keep)
            n = pc.sum(mask).as_py() or 0
            if n == 0:
                continue
            target = self._next_part(dataset, "old")
            fixing = to_fix is not None and pc.any(pc.is_in(table[id_column].cast(pa.string()), value_set=to_fix)).as_py()
            if fixing:
                pq.write_table(fix(table.filter(mask)), target, compression="zstd")
            elif n == table.num_rows:
                os.link(part, target)      # unchanged part: no copy
            else:
                pq.write_table(table.filter(mask), target, compression="zstd")
            kept += n
        return kept

    def commit(self, empty_frames: dict[str, pd.DataFrame]) -> str:
        for dataset in DATASETS:
            d = self.dir / dataset
            if not any(d.glob("*.parquet")):
                # An empty dataset is still a readable dataset with its columns.
                pq.write_table(to_table(dataset, empty_frames[dataset]), d / "part-empty-00000.parquet")
        _fsync_tree(self.dir)
        final = self.wh.meta / "versions" / self.vid
        os.rename(self.dir, final)
        tmp = self.wh.meta / f"current.{self.vid}"
        tmp.write_text(self.vid + "\n")
        _fsync_file(tmp)
        os.replace(tmp, self.wh.meta / "current")   # <- the commit point
        _fsync_dir(self.wh.meta)
        self.wh._point_links(self.vid)
        self._prune()
        for hook in self.after_commit:
            try:
                hook(self.vid)
            except Exception as exc:        # the version is committed: what follows it must not undo the run
                logging.getLogger("xxgk").warning("after commit of %s: %s: %s", self.vid, type(exc).__name__, exc)
        return self.vid

    def settle_primaries(self) -> None:
        """The primary reports over the whole version (carried rows and new
        alike).  Anything that reads `primary` from the staged version (the
        checks across documents do) runs after this."""
        from transform.bodies import settle_primaries

        settle_primaries(self.dir)

    def finish(self) -> None:
        """What a run does once every part of the version is written: the
        DuckDB catalog (OUTPUT/xxgk.duckdb) is written once the version is
        committed."""
        from transform.catalog import write_catalog

        self.after_commit.append(lambda vid: write_catalog(self.wh.root, vid))

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def _prune(self) -> None:
        """Keep the committed version and the `keep` - 1 before it (a reader
        that opened an old one keeps reading it; unlinked files stay readable)."""
        versions = sorted(p for p in (self.wh.meta / "versions").iterdir()
                          if not p.name.startswith("staging-") and p.name <= self.vid)
        for old in versions[:-self.wh.keep]:
            shutil.rmtree(old, ignore_errors=True)


def write_part(staging_dir: str | os.PathLike, dataset: str, frame: pd.DataFrame, tag: str) -> Path | None:
    """One batch's rows of one dataset as a part file of a staging version.
    Batch tasks call this from their worker: no frame travels back to the
    flow.  Returns None for an empty frame (no file).  The frame must match
    the dataset's declared schema (transform/schema.py): a SchemaError
    names the dataset and the column otherwise."""
    table = to_table(dataset, frame)    # checked even when empty: a wrong frame fails on every batch
    if frame.empty:
        return None
    path = Path(staging_dir) / dataset / f"part-{tag}.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def replace_part(part: str | os.PathLike, frame: pd.DataFrame) -> None:
    """Rewrite a part file with new rows (a batch's reports rows whose
    duplicates were settled after the batch wrote them)."""
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), part, compression="zstd")


def drop_report_rows(part: str | os.PathLike, report_ids: set[str]) -> None:
    """Rewrite a part without the rows of some reports (a duplicate found
    after its batch was written)."""
    table = pq.read_table(part)
    keep = pc.invert(pc.is_in(table["report_id"].cast(pa.string()), value_set=pa.array(sorted(report_ids), pa.string())))
    pq.write_table(table.filter(keep), part, compression="zstd")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for f in files:
            _fsync_file(Path(dirpath) / f)
        _fsync_dir(Path(dirpath))

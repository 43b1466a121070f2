"""What a run must do, given what the warehouse already holds."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from extract.files import FileEntry


@dataclass(slots=True)
class Plan:
    to_parse: list[FileEntry] = field(default_factory=list)
    unchanged: dict[str, str] = field(default_factory=dict)   # source_path -> report_id (None-safe)
    new: int = 0
    changed: int = 0
    reparsed: int = 0        # unchanged files parsed again (--full, new parser)
    removed: int = 0
    reparse_reason: str | None = None

    @property
    def unchanged_count(self) -> int:
        return len(self.unchanged)


def plan_run(entries: list[FileEntry], previous: pd.DataFrame | None, parser_version: str, full: bool) -> Plan:
    """Split discovered files into those to parse and those whose rows carry over.

    A file is unchanged when its path, size and mtime match the manifest (the
    previous ``reports`` rows) and it was parsed by this parser version and
    was readable then; the sha256 is not recomputed for it.  Everything is
    reparsed when --full is given or the parser version changed."""
    plan = Plan()
    if previous is None or previous.empty:
        plan.to_parse = list(entries)
        plan.new = len(entries)
        return plan
    prev = {row.source_path: row for row in previous.itertuples(index=False)}
    versions = set(previous["parser_version"].dropna())
    if full:
        plan.reparse_reason = "--full"
    elif versions != {parser_version}:
        plan.reparse_reason = f"parser version changed ({', '.join(sorted(versions))} -> {parser_version})"
    for e in entries:
        old = prev.pop(e.rel, None)
        if old is None:
            plan.new += 1
            plan.to_parse.append(e)
            continue
        same = old.size == e.size and old.mtime_ns == e.mtime_ns and not pd.isna(old.report_id)
        # A duplicate's rows live under another path, which may have gone or
        # changed: parsed again, it takes them over when it must (the flow
        # decides which copy holds a content; see mark_seen_duplicates).
        duplicate = isinstance(old.error, str) and old.error.startswith("duplicate of")
        if not same:
            plan.changed += 1
            plan.to_parse.append(e)
        elif plan.reparse_reason is not None or duplicate:
            plan.reparsed += 1
            plan.to_parse.append(e)
        else:
            plan.unchanged[e.rel] = old.report_id
    plan.removed = len(prev)
    return plan

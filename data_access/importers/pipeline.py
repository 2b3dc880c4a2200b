"""The end every import shares: thresholds, the dry run, and one all-or-nothing write.

An import refuses (ImportRejected, target unchanged) when
- more than `max_skip_share` of a source's records would be skipped (unless `accept_skips`);
- it would remove more than `max_removal_share` of the randomized subjects, visits or AEs the
  target holds now (a cut export looks like that; unless `accept_removals`).
A dry run computes everything, prints what would change against the target, and writes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_access.engine import writable_engine
from data_access.importers.reconcile import (
    DEFAULT_MAX_SKIP_SHARE,
    Change,
    Reconciliation,
    changes,
    removal_share,
)
from data_access.validate import Problem

Progress = Callable[[str, int, int], None]


class ImportRejected(Exception):
    """The input has errors or would lose too much: nothing was written."""

    def __init__(
        self, problems: list[Problem], reconciliation: Reconciliation | None = None
    ) -> None:
        self.problems = problems
        self.reconciliation = reconciliation
        errors = [p for p in problems if p.error]
        super().__init__(f"{len(errors)} error(s); nothing was imported")


@dataclass(frozen=True)
class ImportOptions:
    """How strict an import is, and whether it writes at all."""

    dry_run: bool = False
    accept_skips: bool = False
    max_skip_share: float = DEFAULT_MAX_SKIP_SHARE
    accept_removals: bool = False
    max_removal_share: float = DEFAULT_MAX_SKIP_SHARE


@dataclass
class ImportReport:
    """What an import wrote (or, dry, would write), noticed and changed."""

    rows: dict[str, int]
    problems: list[Problem]
    reconciliation: Reconciliation = field(default_factory=Reconciliation)
    changes: tuple[Change, ...] = ()
    written: bool = True


def stderr_progress(table: str, done: int, total: int) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = width * done // total if total else width
    sys.stderr.write(f"\r{table:<16} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def write_tables(
    url: str,
    tables: dict[str, pd.DataFrame],
    meta: dict[str, str],
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the trial tables with these, in one transaction (all or nothing)."""
    from data_access.demo import write_trial

    engine = writable_engine(url)
    try:
        write_trial(engine, tables, meta, progress=progress)
    finally:
        engine.dispose()
    return {name: len(df) for name, df in tables.items()}


def current_tables(url: str) -> dict[str, pd.DataFrame]:
    """The target's subjects, visits and AEs now; empty when there is no trial database yet."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from data_access.queries import TrialDb
    from data_access.queries.rows import table_rows
    from data_access.schema import adverse_events, assessments, subjects

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:" or not Path(path).exists():
            return {}
    from data_access.engine import read_connection

    db = TrialDb(url, timeout_ms=60_000, row_cap=100_000_000)
    with read_connection(url, db.timeout_ms) as conn:
        names = set(inspect(conn).get_table_names())
    if not {"subjects", "assessments", "adverse_events"} <= names:
        return {}
    return {t.name: table_rows(db, t) for t in (subjects, assessments, adverse_events)}


def finish(
    url: str,
    tables: dict[str, pd.DataFrame],
    meta: dict[str, str],
    problems: list[Problem],
    recon: Reconciliation,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Apply the thresholds, compare with the target, and write unless this is a dry run."""
    refusals = []
    over = recon.over_threshold(options.max_skip_share)
    if over and not options.accept_skips:
        refusals += [
            Problem(
                line.split(":")[0],
                None,
                None,
                line.split(": ", 1)[1] + ": rerun with --accept-skips to import anyway",
            )
            for line in over
        ]
    old = current_tables(url)
    found = changes(old, tables) if old else changes({}, tables)
    if old and not options.accept_removals:
        for kind, share in removal_share(found, old).items():
            if share > options.max_removal_share:
                refusals.append(
                    Problem(
                        url,
                        None,
                        None,
                        f"the import would remove {share:.1%} of the {kind.replace('_', ' ')} "
                        f"the database holds now (more than {options.max_removal_share:.1%}): "
                        "is the export complete? Rerun with --accept-removals if it is",
                    )
                )
    rows = {name: len(df) for name, df in tables.items()}
    if refusals and not options.dry_run:
        raise ImportRejected([*problems, *refusals], recon)
    if options.dry_run:
        return ImportReport(rows, [*problems, *refusals], recon, found, written=False)
    rows = write_tables(url, tables, meta, progress)
    return ImportReport(rows, problems, recon, found, written=True)

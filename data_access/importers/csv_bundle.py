"""CSV bundle import and export: one CSV per contract table, headers as in SCHEMA.md."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_access.engine import writable_engine
from data_access.queries import TrialDb
from data_access.queries.rows import table_rows
from data_access.schema import CONTRACT_TABLES, trial_meta
from data_access.validate import Problem, validate_bundle

Progress = Callable[[str, int, int], None]


class ImportRejected(Exception):
    """The input has errors: nothing was written. `problems` says what and where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.error]
        super().__init__(f"{len(errors)} error(s); nothing was imported")


@dataclass
class ImportReport:
    """What an import wrote and what it noticed."""

    rows: dict[str, int]
    problems: list[Problem]


def stderr_progress(table: str, done: int, total: int) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = width * done // total if total else width
    sys.stderr.write(f"\r{table:<16} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def read_csv_bundle(folder: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read every <table>.csv present in a folder as text (no type guessing)."""
    base = Path(folder)
    if not base.is_dir():
        raise ImportRejected([Problem(str(base), None, None, "is not a folder")])
    raw: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    for table in (*CONTRACT_TABLES, trial_meta):
        file = base / f"{table.name}.csv"
        names[table.name] = str(file)
        if not file.exists():
            continue
        try:
            raw[table.name] = pd.read_csv(
                file, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
            )
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            problems.append(Problem(str(file), None, None, f"cannot be read as CSV: {exc}"))
    if problems:
        raise ImportRejected(problems)
    return raw, names


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


def import_csv(
    folder: str | Path,
    url: str,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate a CSV bundle and, only if it has no error, load it into the database."""
    raw, names = read_csv_bundle(folder)
    checked = validate_bundle(raw, names)
    if checked.errors:
        raise ImportRejected(checked.problems)
    meta = {}
    if len(checked.tables["trial_meta"]):
        meta = dict(
            zip(
                checked.tables["trial_meta"]["key"],
                checked.tables["trial_meta"]["value"],
                strict=True,
            )
        )
    if as_of is not None:
        meta["as_of"] = as_of.isoformat()
    meta.setdefault("as_of", dt.date.today().isoformat())
    meta["source"] = f"csv {Path(folder).resolve()}"
    meta["loaded_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    tables = {t.name: checked.tables[t.name] for t in CONTRACT_TABLES}
    rows = write_tables(url, tables, meta, progress)
    return ImportReport(rows, checked.problems)


def export_csv(url: str, folder: str | Path) -> dict[str, int]:
    """Write every contract table (and trial_meta) as CSV, dates ISO, booleans true/false."""
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    db = TrialDb(url, timeout_ms=60_000, row_cap=10_000_000)
    counts = {}
    for table in (*CONTRACT_TABLES, trial_meta):
        df = table_rows(db, table)
        for col in table.columns:
            series = df[col.name]
            if str(series.dtype).startswith("datetime64"):
                df[col.name] = series.dt.strftime("%Y-%m-%d")
            elif str(series.dtype) == "boolean":
                df[col.name] = series.map({True: "true", False: "false"})
        df.to_csv(base / f"{table.name}.csv", index=False)
        counts[table.name] = len(df)
    return counts

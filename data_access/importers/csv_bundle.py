"""CSV bundle import and export: one CSV per contract table, headers as in SCHEMA.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from data_access.importers.pipeline import (
    ImportOptions,
    ImportRejected,
    ImportReport,
    Progress,
    finish,
    stderr_progress,
    write_tables,
)
from data_access.importers.reconcile import Reconciliation
from data_access.queries import TrialDb
from data_access.queries.rows import table_rows
from data_access.schema import CONTRACT_TABLES, trial_meta
from data_access.validate import Problem, validate_bundle

__all__ = [
    "ImportOptions",
    "ImportRejected",
    "ImportReport",
    "export_csv",
    "import_csv",
    "read_csv_bundle",
    "stderr_progress",
    "write_tables",
]


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
        found = _unreadable(file)
        if found:
            problems.append(found)
            continue
        try:
            raw[table.name] = pd.read_csv(
                file, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
            )
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            problems.append(Problem(str(file), None, None, f"cannot be read as CSV: {exc}"))
    if problems:
        raise ImportRejected(problems)
    return raw, names


def _unreadable(file: Path) -> Problem | None:
    """An empty file, or one with NUL bytes (a CSV reader would cut the value at the NUL).

    Named by file and line; the line counts data rows as the other messages do (the header
    is line 0).
    """
    data = file.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        return Problem(
            str(file), None, None, "the file is empty: it needs at least its header line"
        )
    at = data.find(b"\x00")
    if at >= 0:
        line = data.count(b"\n", 0, at)
        return Problem(
            str(file),
            line,
            None,
            f"holds a NUL byte (byte {at + 1}): a text export never does; the file is damaged "
            "or not a CSV",
        )
    return None


def import_csv(
    folder: str | Path,
    url: str,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Validate a CSV bundle and, only if it has no error, load it into the database.

    A CSV bundle is the contract itself: a row that does not fit is an error (the import is
    refused), never a skip, so the reconciliation shows read = imported per file.
    """
    raw, names = read_csv_bundle(folder)
    recon = Reconciliation()
    for name, df in raw.items():
        recon.read(f"{name}.csv", len(df))
    checked = validate_bundle(raw, names)
    if checked.errors:
        raise ImportRejected(checked.problems, recon)
    for name in raw:
        recon.imported(f"{name}.csv", len(checked.tables[name]))
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
    return finish(url, tables, meta, checked.problems, recon, options or ImportOptions(), progress)


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

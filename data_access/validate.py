"""Structural checks of tables on their way into the trial database (file, row, column named).

Errors (missing table or column, a value of the wrong type, a missing required value, a
duplicate key, a row whose subject or center does not exist) stop an import. Warnings (extra
columns, missing optional columns) are reported and the import goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Boolean, Date, Float, Integer, Table

from data_access.schema import CONTRACT_TABLES, centers, subjects, trial_meta

REQUIRED_TABLES = ("centers", "subjects")
TRUE = {"true", "t", "1", "yes", "y"}
FALSE = {"false", "f", "0", "no", "n"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    row: int | None  # 1-based data row (the header is row 0), None for the whole file
    column: str | None
    message: str
    error: bool = True

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{'error' if self.error else 'warning'}: {where}: {self.message}"


@dataclass
class Validated:
    """Typed tables ready to write, and every problem found on the way."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop an import."""
        return [p for p in self.problems if p.error]


def _convert(value: str, col_type: object) -> object:
    if isinstance(col_type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(col_type, Boolean):
        low = value.strip().lower()
        if low in TRUE:
            return True
        if low in FALSE:
            return False
        raise ValueError
    if isinstance(col_type, Integer):
        number = float(value)
        if not number.is_integer():
            raise ValueError
        return int(number)
    if isinstance(col_type, Float):
        return float(value)
    return value


def _type_name(col_type: object) -> str:
    if isinstance(col_type, Date):
        return "an ISO date (YYYY-MM-DD)"
    if isinstance(col_type, Boolean):
        return "true or false"
    if isinstance(col_type, Integer):
        return "a whole number"
    if isinstance(col_type, Float):
        return "a number"
    return "text"


def _typed(table: Table, raw: pd.DataFrame, file: str, out: Validated) -> pd.DataFrame:
    columns = [c.name for c in table.columns]
    for extra in [c for c in raw.columns if c not in columns]:
        out.problems.append(
            Problem(file, None, extra, "column not in the contract: ignored", error=False)
        )
    data: dict[str, list[object]] = {}
    for col in table.columns:
        if col.name not in raw.columns:
            if not col.nullable:
                out.problems.append(Problem(file, None, col.name, "required column is missing"))
            else:
                out.problems.append(
                    Problem(
                        file, None, col.name, "optional column is missing: left empty", error=False
                    )
                )
            data[col.name] = [None] * len(raw)
            continue
        values: list[object] = []
        for i, text in enumerate(raw[col.name].tolist(), start=1):
            if (
                text is None
                or (isinstance(text, float) and pd.isna(text))
                or str(text).strip() == ""
            ):
                if not col.nullable:
                    out.problems.append(Problem(file, i, col.name, "required value is empty"))
                values.append(None)
                continue
            try:
                values.append(_convert(str(text).strip(), col.type))
            except ValueError:
                out.problems.append(
                    Problem(file, i, col.name, f"{text!r} is not {_type_name(col.type)}")
                )
                values.append(None)
        data[col.name] = values
    return pd.DataFrame(data, columns=columns)


def validate_bundle(raw: Mapping[str, pd.DataFrame], file_names: Mapping[str, str]) -> Validated:
    """Type and check raw text tables (one per contract table) before anything is written."""
    out = Validated()
    for name in REQUIRED_TABLES:
        if name not in raw:
            out.problems.append(
                Problem(
                    file_names.get(name, f"{name}.csv"),
                    None,
                    None,
                    f"the {name} table is required but missing",
                )
            )
    for table in (*CONTRACT_TABLES, trial_meta):
        file = file_names.get(table.name, f"{table.name}.csv")
        if table.name not in raw:
            out.tables[table.name] = pd.DataFrame(columns=[c.name for c in table.columns])
            continue
        out.tables[table.name] = _typed(table, raw[table.name], file, out)

    # Duplicate keys.
    for table in (*CONTRACT_TABLES, trial_meta):
        df = out.tables[table.name]
        keys = [c.name for c in table.primary_key.columns]
        if df.empty or any(k not in df.columns for k in keys):
            continue
        dup = df.duplicated(subset=keys, keep="first")
        for i in df.index[dup]:
            value = ", ".join(str(df.at[i, k]) for k in keys)
            out.problems.append(
                Problem(
                    file_names.get(table.name, f"{table.name}.csv"),
                    i + 1,
                    ", ".join(keys),
                    f"duplicate key ({value})",
                )
            )

    # Orphans: every subject_id must be a subject, every subject's center a center.
    known_centers = set(out.tables["centers"]["center_id"].dropna())
    sub = out.tables["subjects"]
    for i, c in zip(sub.index, sub["center_id"], strict=True):
        if c is not None and c not in known_centers:
            out.problems.append(
                Problem(
                    file_names.get("subjects", "subjects.csv"),
                    i + 1,
                    "center_id",
                    f"center {c!r} is not in the centers table",
                )
            )
    known_subjects = set(sub["subject_id"].dropna())
    for table in CONTRACT_TABLES:
        if table in (centers, subjects) or "subject_id" not in table.c:
            continue
        df = out.tables[table.name]
        for i, s in zip(df.index, df["subject_id"], strict=True):
            if s is not None and s not in known_subjects:
                out.problems.append(
                    Problem(
                        file_names.get(table.name, f"{table.name}.csv"),
                        i + 1,
                        "subject_id",
                        f"subject {s!r} is not in the subjects table",
                    )
                )
    return out

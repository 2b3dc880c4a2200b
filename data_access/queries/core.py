"""How every question is asked: bounded execution, typed frames, date arithmetic per dialect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Date, Integer, Select, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from data_access.engine import read_connection
from data_access.schema import trial_meta


@dataclass(frozen=True)
class TrialDb:
    """Where the trial database is and how long a query may take."""

    url: str
    timeout_ms: int = 5000
    row_cap: int = 200_000


def has_column(db: TrialDb, table: str, column: str) -> bool:
    """Whether the database has a column.

    Columns this dashboard added to the contract are optional: a database written to the
    shared contract, or by an older version, lacks them.
    """
    from sqlalchemy import inspect

    with read_connection(db.url, db.timeout_ms) as conn:
        return column in {c["name"] for c in inspect(conn).get_columns(table)}


class RowCapExceeded(RuntimeError):
    """A query returned more rows than the dashboard is willing to hold."""


def frame(
    db: TrialDb,
    stmt: Select[Any],
    *,
    dates: Sequence[str] = (),
    ints: Sequence[str] = (),
    floats: Sequence[str] = (),
    bools: Sequence[str] = (),
) -> pd.DataFrame:
    """Run a SELECT and type its columns the same way on every backend."""
    with read_connection(db.url, db.timeout_ms) as conn:
        result = conn.execute(stmt)
        columns = list(result.keys())
        rows = result.fetchmany(db.row_cap + 1)
    if len(rows) > db.row_cap:
        raise RowCapExceeded(f"A query returned more than {db.row_cap} rows; narrow the filters.")
    df = pd.DataFrame(rows, columns=columns)
    for col in dates:
        # SQLite hands back ISO text, PostgreSQL date objects: parse both explicitly.
        df[col] = pd.to_datetime(df[col].astype("string"), format="ISO8601", errors="coerce")
    for col in ints:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in floats:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in bools:
        df[col] = df[col].astype("boolean")
    for col in df.columns:
        if col not in (*dates, *ints, *floats, *bools):
            df[col] = df[col].astype("string")
    return df


Record = dict[str, Any]


def _to_date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def records(
    db: TrialDb,
    stmt: Select[Any],
    *,
    dates: Sequence[str] = (),
    ints: Sequence[str] = (),
    floats: Sequence[str] = (),
) -> list[Record]:
    """Run a SELECT of an aggregate and return its rows as dicts, typed alike on every backend.

    Aggregates are small: plain Python rows are cheaper to build and walk than DataFrames.
    Dates become `datetime.date` (SQLite hands back ISO text), numbers int or float
    (PostgreSQL hands back Decimal for some sums), None stays None.
    """
    with read_connection(db.url, db.timeout_ms) as conn:
        result = conn.execute(stmt)
        columns = list(result.keys())
        rows = result.fetchmany(db.row_cap + 1)
    if len(rows) > db.row_cap:
        raise RowCapExceeded(f"A query returned more than {db.row_cap} rows; narrow the filters.")
    out = [dict(zip(columns, r, strict=True)) for r in rows]
    for col in dates:
        for rec in out:
            rec[col] = _to_date(rec[col])
    for col in ints:
        for rec in out:
            if rec[col] is not None:
                rec[col] = int(rec[col])
    for col in floats:
        for rec in out:
            if rec[col] is not None:
                rec[col] = float(rec[col])
    return out


def scalar(db: TrialDb, stmt: Select[Any]) -> Any:
    """The single value of a one-row, one-column SELECT (None when no row)."""
    with read_connection(db.url, db.timeout_ms) as conn:
        return conn.execute(stmt).scalar_one_or_none()


def trial_as_of(db: TrialDb) -> dt.date | None:
    """The date the data describe, as recorded by the loader (None when not recorded)."""
    value = scalar(db, select(trial_meta.c.value).where(trial_meta.c.key == "as_of"))
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class days_between(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """Whole days from the second date to the first (later minus earlier), on any backend."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


class day_number(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """A date as a whole day number (differences of two are days between), on any backend.

    Cheaper than date arithmetic when many comparisons share one date: compute the number
    once, compare integers.
    """

    type = Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(julianday({compiler.process(day, **kw)}) AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_pg(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"({compiler.process(day, **kw)} - DATE '1970-01-01')"


class add_days(FunctionElement[dt.date]):  # noqa: N801 - reads like the SQL function it is
    """A date plus a whole number of days (which may be a column), on any backend."""

    type = Date()
    inherit_cache = True
    name = "add_days"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, printf('%+d days', {compiler.process(n, **kw)}))"


@compiles(add_days, "postgresql")
def _add_days_pg(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = list(element.clauses)
    return f"({compiler.process(day, **kw)} + CAST({compiler.process(n, **kw)} AS INTEGER))"


class month_start(FunctionElement[dt.date]):  # noqa: N801 - reads like the SQL function it is
    """The first day of a date's calendar month, on any backend."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_pg(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(day, **kw)}) AS DATE)"


def in_list(column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """Column IN (values), with an expanding bound parameter (one cached statement)."""
    return column.in_(list(values))

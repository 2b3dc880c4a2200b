"""Row-level questions: whole tables (the CSV export) and one subject's SBRT course."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Boolean, Date, Float, Integer, Table, select

from data_access.queries.core import Record, TrialDb, records
from data_access.queries.core import frame as _frame
from data_access.schema import (
    centers,
    sbrt_courses,
    subjects,
)


def _typed_columns(table: Table) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"dates": [], "ints": [], "floats": [], "bools": []}
    for col in table.columns:
        if isinstance(col.type, Date):
            kinds["dates"].append(col.name)
        elif isinstance(col.type, Boolean):
            kinds["bools"].append(col.name)
        elif isinstance(col.type, Integer):
            kinds["ints"].append(col.name)
        elif isinstance(col.type, Float):
            kinds["floats"].append(col.name)
    return kinds


def table_rows(
    db: TrialDb, table: Table, center_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every row of a contract table, typed; restricted to subjects of some centers if given.

    Rows whose subject does not exist are kept only when no center restriction applies (the
    structural checks need to see them).
    """
    from sqlalchemy import inspect, literal

    from data_access.engine import read_connection

    with read_connection(db.url, db.timeout_ms) as conn:
        present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    # A column the database lacks (one this dashboard added; an older database) reads as empty.
    stmt = select(*(c if c.name in present else literal(None).label(c.name) for c in table.columns))
    if center_codes is not None:
        if table is subjects:
            stmt = stmt.where(subjects.c.center_id.in_(center_codes))
        elif table is not centers and "subject_id" in table.c:
            stmt = stmt.join(subjects, table.c.subject_id == subjects.c.subject_id).where(
                subjects.c.center_id.in_(center_codes)
            )
    keys = [c for c in table.primary_key.columns]
    return _frame(db, stmt.order_by(*keys), **_typed_columns(table))


def sbrt_courses_of(db: TrialDb, subject_ids: Sequence[str], as_of: dt.date) -> list[Record]:
    """SBRT courses of some subjects that had started by the date."""
    c = sbrt_courses.c
    stmt = select(c.subject_id, c.started_on, c.completed_on).where(
        c.subject_id.in_(list(subject_ids)), c.started_on <= as_of
    )
    return records(db, stmt, dates=["started_on", "completed_on"])

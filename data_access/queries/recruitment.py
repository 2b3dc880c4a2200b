"""Recruitment aggregates over the protocol's centers, as of a date (filters apply afterwards)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case, func, select

from data_access.queries.core import Record, TrialDb, records
from data_access.schema import centers, subjects


def recruitment_counts(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Per center and arm as randomized by the date (None: not randomized by then).

    Columns center_id, arm, screened, eligible, randomized. Subjects screened after the date
    are not counted; one randomized later counts as screened, not randomized.
    """
    s = subjects.c
    randomized = s.randomized_on <= as_of
    arm = case((randomized, s.arm), else_=None).label("arm")
    stmt = (
        select(
            s.center_id,
            arm,
            func.count().label("screened"),
            func.sum(case((s.eligible, 1), else_=0)).label("eligible"),
            func.sum(case((randomized, 1), else_=0)).label("randomized"),
        )
        .where(s.center_id.in_(list(center_codes)), s.screened_on <= as_of)
        .group_by(s.center_id, arm)
    )
    return records(db, stmt, ints=["screened", "eligible", "randomized"])


def randomizations_by_day(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Number randomized per center, arm (as randomized) and day, up to the date."""
    s = subjects.c
    stmt = (
        select(s.center_id, s.arm, s.randomized_on, func.count().label("n"))
        .where(
            s.center_id.in_(list(center_codes)),
            s.screened_on <= as_of,
            s.randomized_on <= as_of,
        )
        .group_by(s.center_id, s.arm, s.randomized_on)
        .order_by(s.randomized_on)
    )
    return records(db, stmt, dates=["randomized_on"], ints=["n"])


def screen_failures(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Screen failures per center and recorded reason, up to the date."""
    s = subjects.c
    reason = func.coalesce(s.screen_failure_reason, "not recorded")
    stmt = (
        select(s.center_id, reason.label("reason"), func.count().label("n"))
        .where(
            s.center_id.in_(list(center_codes)),
            s.screened_on <= as_of,
            s.eligible.is_(False),
        )
        .group_by(s.center_id, reason)
    )
    return records(db, stmt, ints=["n"])


def first_screening(db: TrialDb, center_codes: Sequence[str]) -> dt.date | None:
    """The trial's first screening date (any center of the protocol), None when nobody yet."""
    s = subjects.c
    stmt = select(func.min(s.screened_on).label("first")).where(s.center_id.in_(list(center_codes)))
    rows = records(db, stmt, dates=["first"])
    return rows[0]["first"] if rows else None


def activations(db: TrialDb) -> dict[str, dt.date | None]:
    """Center code -> activation (site initiation) date, for every center in the database."""
    rows = records(db, select(centers.c.center_id, centers.c.activated_on), dates=["activated_on"])
    return {str(r["center_id"]): r["activated_on"] for r in rows}

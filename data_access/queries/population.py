"""Who counts where: randomized subjects as of a date, the arm as treated, pending delivery.

As randomized (ICH E9, intention to treat): `subjects.arm`. As treated (the safety population):
`subjects.actual_arm` where the data give it; otherwise, when the protocol has a delivery
check (SBRT), a subject who started it counts in its arm, and a subject of that arm who never
got it within the allowed time counts in the arm without it; everybody else as randomized.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlalchemy.sql import Select

from data_access.schema import sbrt_courses, subjects


@dataclass(frozen=True)
class ArmRule:
    """What the protocol says about treatment delivery (plain values: no protocol import)."""

    day_zero: str = "procedure_on"
    sbrt_arm: str | None = None
    without_arm: str | None = None
    missing_after_days: int = 0


def day_zero_column(rule: ArmRule) -> ColumnElement[Any]:
    """The subjects column that is day 0 of follow-up."""
    return subjects.c[rule.day_zero]


def randomized_by(as_of: dt.date) -> ColumnElement[bool]:
    """Randomized on or before the date (and screened by then)."""
    s = subjects.c
    return and_(s.randomized_on <= as_of, s.screened_on <= as_of)


def with_sbrt(stmt: Select[Any]) -> Select[Any]:
    """Left-join each subject's SBRT course (at most one: the table's key is the subject)."""
    return stmt.join_from(
        subjects, sbrt_courses, sbrt_courses.c.subject_id == subjects.c.subject_id, isouter=True
    )


def sbrt_started(as_of: dt.date) -> ColumnElement[bool]:
    """The subject's SBRT course started by the date (needs `with_sbrt`)."""
    return sbrt_courses.c.started_on <= as_of


def treated_arm(rule: ArmRule, as_of: dt.date) -> ColumnElement[Any]:
    """The arm as treated (needs `with_sbrt` when the rule has a delivery check)."""
    s = subjects.c
    if rule.sbrt_arm is None:
        return func.coalesce(s.actual_arm, s.arm)
    cutoff = as_of - dt.timedelta(days=rule.missing_after_days)
    never = and_(
        s.arm == rule.sbrt_arm,
        ~func.coalesce(sbrt_started(as_of), False),
        day_zero_column(rule) < cutoff,
    )
    derived = case(
        (sbrt_started(as_of), literal(rule.sbrt_arm)),
        (never, literal(rule.without_arm) if rule.without_arm else s.arm),
        else_=s.arm,
    )
    return func.coalesce(s.actual_arm, derived)


def delivery_pending(rule: ArmRule, as_of: dt.date) -> ColumnElement[bool]:
    """In the delivery arm, not started yet, still within the allowed time (needs `with_sbrt`)."""
    if rule.sbrt_arm is None:
        return literal(False)
    s = subjects.c
    cutoff = as_of - dt.timedelta(days=rule.missing_after_days)
    return and_(
        s.actual_arm.is_(None),
        s.arm == rule.sbrt_arm,
        ~func.coalesce(sbrt_started(as_of), False),
        or_(day_zero_column(rule).is_(None), day_zero_column(rule) >= cutoff),
    )

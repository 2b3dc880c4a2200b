"""Randomization aggregates: baseline characteristics, CONSORT flow, treatment delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Text, case, cast, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from data_access.queries.core import Record, TrialDb, days_between, records
from data_access.queries.population import (
    ArmRule,
    day_zero_column,
    delivery_pending,
    randomized_by,
    sbrt_started,
    treated_arm,
    with_sbrt,
)
from data_access.schema import assessments, sbrt_courses, subjects

# Baseline variables of Table 1: numeric ones are summarised, text ones counted by level.
NUMERIC_BASELINE = ("age_years", "baseline_nrs", "baseline_pafi", "baseline_omed_mg")
TEXT_BASELINE = ("sex", "primary_tumor", "treated_levels")


def baseline_histograms(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Value counts of each baseline variable per center and arm (randomized subjects).

    Columns variable, center_id, arm, number (numeric variables), text (text variables), n;
    a missing value is its own row (number and text both NULL). Days from baseline imaging to
    randomization count as the numeric variable `imaging_days`.
    """
    s = subjects.c
    where = [s.center_id.in_(list(center_codes)), randomized_by(as_of)]

    def part(name: str, number: ColumnElement[Any] | None, text: ColumnElement[Any] | None) -> Any:
        num = cast(number, Float) if number is not None else cast(literal(None), Float)
        txt = cast(text, Text) if text is not None else cast(literal(None), Text)
        return (
            select(
                literal(name).label("variable"),
                s.center_id,
                s.arm,
                num.label("number"),
                txt.label("text"),
                func.count().label("n"),
            )
            .where(*where)
            .group_by(s.center_id, s.arm, num, txt)
        )

    parts = [part(v, s[v], None) for v in NUMERIC_BASELINE]
    parts.append(part("imaging_days", days_between(s.randomized_on, s.baseline_imaging_on), None))
    parts += [part(v, None, s[v]) for v in TEXT_BASELINE]
    stmt = union_all(*parts)
    return records(db, select(stmt.subquery()), floats=["number"], ints=["n"])


def consort_counts(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Randomized subjects per center, arm, arm as treated, pending delivery and off-study reason.

    `off_reason` is the recorded reason of those off study by the date (None: still on study;
    'other' when left without a reason).
    """
    s = subjects.c
    off = case(
        (s.off_study_on <= as_of, func.coalesce(s.off_study_reason, "other")), else_=None
    ).label("off_reason")
    treated = treated_arm(rule, as_of).label("treated_arm")
    pending = case((delivery_pending(rule, as_of), 1), else_=0).label("pending")
    stmt = with_sbrt(
        select(s.center_id, s.arm, treated, pending, off, func.count().label("n"))
    ).where(s.center_id.in_(list(center_codes)), randomized_by(as_of))
    stmt = stmt.group_by(s.center_id, s.arm, treated, pending, off)
    return records(db, stmt, ints=["pending", "n"])


def visits_done(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Randomized subjects with an assessment of each visit by the date, per center and arm."""
    s, a = subjects.c, assessments.c
    stmt = (
        select(s.center_id, s.arm, a.visit_code, func.count(func.distinct(a.subject_id)).label("n"))
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(s.center_id.in_(list(center_codes)), randomized_by(as_of), a.assessed_on <= as_of)
        .group_by(s.center_id, s.arm, a.visit_code)
    )
    return records(db, stmt, ints=["n"])


def delivery_counts(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """SBRT courses started by the date, per center, arm, scheme, start day and completion.

    Columns center_id, arm, total_dose_gy, fractions, start_day (days from day 0; None without
    a day 0), completed (by the date, 0/1), n.
    """
    s, c = subjects.c, sbrt_courses.c
    start_day = days_between(c.started_on, day_zero_column(rule)).label("start_day")
    completed = case((c.completed_on <= as_of, 1), else_=0).label("completed")
    stmt = (
        select(
            s.center_id,
            s.arm,
            c.total_dose_gy,
            c.fractions,
            start_day,
            completed,
            func.count().label("n"),
        )
        .join_from(sbrt_courses, subjects, c.subject_id == s.subject_id)
        .where(s.center_id.in_(list(center_codes)), randomized_by(as_of), c.started_on <= as_of)
        .group_by(s.center_id, s.arm, c.total_dose_gy, c.fractions, start_day, completed)
    )
    return records(
        db, stmt, floats=["total_dose_gy"], ints=["fractions", "start_day", "completed", "n"]
    )


def delivery_missing(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Per center: subjects of the delivery arm without it past the allowed time (and pending)."""
    if rule.sbrt_arm is None:
        return []
    s = subjects.c
    cutoff = as_of - dt.timedelta(days=rule.missing_after_days)
    no_course = ~func.coalesce(sbrt_started(as_of), False)
    missing = case((no_course & (day_zero_column(rule) < cutoff), 1), else_=0)
    pending = case((delivery_pending(rule, as_of), 1), else_=0)
    stmt = (
        with_sbrt(
            select(
                s.center_id,
                func.sum(missing).label("missing"),
                func.sum(pending).label("pending"),
            )
        )
        .where(s.center_id.in_(list(center_codes)), randomized_by(as_of), s.arm == rule.sbrt_arm)
        .group_by(s.center_id)
    )
    return records(db, stmt, ints=["missing", "pending"])

"""The visit engine in SQL: every randomized subject × scheduled visit, its window and state.

States as of a date D (PROTOCOL.md), checked in this order:
- no_day_zero: the subject has no day-0 date, so no visit can be scheduled;
- done_early / done_late / done: an assessment dated on or before D exists (the earliest one
  counts; more are duplicates), outside / inside the window;
- not_expected: the subject left the study (on or before D) before the window opened;
- missed: no assessment, and the window closed before D or the subject left during it;
- due: the window is open at D;
- upcoming: the window opens after D.
What happens after D is not known at D: a later off-study date or assessment does not count.
The same engine serves the counts (GROUP BY), the worklist and the swimmer plot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, select, true, union_all
from sqlalchemy.sql import Select, Subquery

from data_access.queries.core import (
    Record,
    TrialDb,
    add_days,
    day_number,
    month_start,
    records,
)
from data_access.queries.population import ArmRule, day_zero_column, randomized_by
from data_access.schema import assessments, subjects


@dataclass(frozen=True)
class PlannedVisit:
    """A scheduled visit as the engine needs it (plain values: no protocol import)."""

    code: str
    order: int
    day: int
    before: int
    after: int


def _plan(visits: Sequence[PlannedVisit]) -> Subquery:
    parts = [
        select(
            literal(v.code).label("visit_code"),
            literal(v.order, Integer).label("visit_order"),
            literal(v.day, Integer).label("visit_day"),
            literal(v.day - v.before, Integer).label("opens_day"),
            literal(v.day + v.after, Integer).label("closes_day"),
        )
        for v in visits
    ]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("plan")


def visit_states(
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
    arms: Sequence[str] | None = None,
) -> Subquery:
    """One row per randomized subject (of these centers) and scheduled visit, with its state.

    The state is decided on whole day numbers counted from day 0 (each subject's dates turned
    into numbers once), not on dates added up row by row: a comparison of integers per rule.
    The window's dates are there for the listings that show them.
    """
    s, a = subjects.c, assessments.c
    plan = _plan(visits)
    day0 = day_zero_column(rule)
    off = case((s.off_study_on <= as_of, s.off_study_on), else_=None)
    where = [s.center_id.in_(list(center_codes)), randomized_by(as_of)]
    if arms is not None:
        where.append(s.arm.in_(list(arms)))
    subj = (
        select(
            s.subject_id,
            s.center_id,
            s.arm,
            s.randomized_on,
            s.off_study_reason,
            day0.label("day0"),
            off.label("off_study_on"),
            day_number(day0).label("d0"),
            (day_number(off) - day_number(day0)).label("off_rel"),
            (day_number(literal(as_of)) - day_number(day0)).label("now_rel"),
        )
        .where(*where)
        .subquery("subj")
    )
    seen = (
        select(
            a.subject_id,
            a.visit_code,
            func.min(a.assessed_on).label("assessed_on"),
            day_number(func.min(a.assessed_on)).label("seen_n"),
            func.count().label("records"),
        )
        .where(a.assessed_on <= as_of)
        .group_by(a.subject_id, a.visit_code)
        .subquery("seen")
    )
    j = subj.c
    seen_rel = seen.c.seen_n - j.d0
    state = case(
        (j.d0.is_(None), "no_day_zero"),
        (seen_rel < plan.c.opens_day, "done_early"),
        (seen_rel > plan.c.closes_day, "done_late"),
        (seen.c.assessed_on.is_not(None), "done"),
        (j.off_rel < plan.c.opens_day, "not_expected"),
        ((plan.c.closes_day < j.now_rel) | j.off_rel.is_not(None), "missed"),
        (plan.c.opens_day <= j.now_rel, "due"),
        else_="upcoming",
    )
    stmt = (
        select(
            j.subject_id,
            j.center_id,
            j.arm,
            j.randomized_on,
            j.day0,
            j.off_study_on,
            j.off_study_reason,
            plan.c.visit_code,
            plan.c.visit_order,
            add_days(j.day0, plan.c.visit_day).label("target_on"),
            add_days(j.day0, plan.c.opens_day).label("opens_on"),
            add_days(j.day0, plan.c.closes_day).label("closes_on"),
            seen.c.assessed_on,
            (func.coalesce(seen.c.records, 1) - 1).label("duplicates"),
            state.label("state"),
            # Days from the target day to the data date (negative: the target is ahead).
            (j.now_rel - plan.c.visit_day).label("past_target"),
            plan.c.closes_day,
        )
        .select_from(subj.join(plan, true()))
        .join(
            seen,
            and_(seen.c.subject_id == j.subject_id, seen.c.visit_code == plan.c.visit_code),
            isouter=True,
        )
    )
    return stmt.subquery("visit_states")


def overdue_days(states: Subquery, as_of: dt.date) -> Any:
    """Days past the target date of a due or missed visit (0 otherwise)."""
    late = states.c.past_target
    return case(
        (states.c.state.in_(("due", "missed")) & (late > 0), late),
        else_=0,
    )


def state_counts(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
) -> list[Record]:
    """Visits per center, arm, visit and state (as of the date).

    Also whether overdue, duplicated, and whether the subject has left the study.
    """
    st = visit_states(center_codes, as_of, rule, visits)
    overdue = case((overdue_days(st, as_of) > 0, 1), else_=0).label("overdue")
    dup = case((st.c.duplicates > 0, 1), else_=0).label("duplicated")
    left = case((st.c.off_study_on.is_not(None), 1), else_=0).label("left")
    stmt = select(
        st.c.center_id,
        st.c.arm,
        st.c.visit_code,
        st.c.state,
        overdue,
        dup,
        left,
        func.count().label("n"),
        func.count(func.distinct(st.c.subject_id)).label("subjects"),
    ).group_by(st.c.center_id, st.c.arm, st.c.visit_code, st.c.state, overdue, dup, left)
    return records(db, stmt, ints=["overdue", "duplicated", "left", "n", "subjects"])


def missed_by_month(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
) -> list[Record]:
    """Missed visits per center, arm and calendar month in which the window closed."""
    st = visit_states(center_codes, as_of, rule, visits)
    month = month_start(st.c.closes_on).label("month")
    stmt = (
        select(st.c.center_id, st.c.arm, month, func.count().label("n"))
        .where(st.c.state == "missed")
        .group_by(st.c.center_id, st.c.arm, month)
    )
    return records(db, stmt, dates=["month"], ints=["n"])


def state_and_missed_counts(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
) -> tuple[list[Record], list[Record]]:
    """state_counts and missed_by_month from one pass of the visit engine (half the SQL).

    Grouped by month of the window's close as well; the two results are sums of those rows
    (a subject's visit closes in one month, so distinct subjects add up across months).
    `left` (1/0): the subject has left the study by the data date.
    """
    st = visit_states(center_codes, as_of, rule, visits)
    overdue = case((overdue_days(st, as_of) > 0, 1), else_=0).label("overdue")
    dup = case((st.c.duplicates > 0, 1), else_=0).label("duplicated")
    month = case((st.c.state == "missed", month_start(st.c.closes_on)), else_=None).label("month")
    left = case((st.c.off_study_on.is_not(None), 1), else_=0).label("left")
    stmt = select(
        st.c.center_id,
        st.c.arm,
        st.c.visit_code,
        st.c.state,
        overdue,
        dup,
        left,
        month,
        func.count().label("n"),
        func.count(func.distinct(st.c.subject_id)).label("subjects"),
    ).group_by(st.c.center_id, st.c.arm, st.c.visit_code, st.c.state, overdue, dup, left, month)
    rows = records(
        db, stmt, dates=["month"], ints=["overdue", "duplicated", "left", "n", "subjects"]
    )
    keys = ("center_id", "arm", "visit_code", "state", "overdue", "duplicated", "left")
    states: dict[tuple[Any, ...], dict[str, Any]] = {}
    missed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        k = tuple(r[c] for c in keys)
        got = states.setdefault(k, {**{c: r[c] for c in keys}, "n": 0, "subjects": 0})
        got["n"] += r["n"]
        got["subjects"] += r["subjects"]
        if r["state"] == "missed":
            mk = (r["center_id"], r["arm"], r["month"])
            m = missed.setdefault(
                mk, {"center_id": r["center_id"], "arm": r["arm"], "month": r["month"], "n": 0}
            )
            m["n"] += r["n"]
    return list(states.values()), list(missed.values())


def worklist_select(
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
    arms: Sequence[str] | None = None,
) -> Select[Any]:
    """What a coordinator must act on, in the order to act on it.

    Visits due now (most overdue first), then missed visits (most recently missed first, while
    a late entry or a reason can still be chased), then subjects without a day-0 date. Only
    subjects still on study: a visit of someone who died or left cannot be recovered (it stays
    missed in the compliance counts). `days_overdue` is signed: negative while the target day
    is still ahead.
    """
    st = visit_states(center_codes, as_of, rule, visits, arms)
    overdue = case((st.c.state.in_(("due", "missed")), st.c.past_target), else_=0)
    priority = case((st.c.state == "due", 0), (st.c.state == "missed", 1), else_=2)
    return select(
        st.c.subject_id,
        st.c.center_id,
        st.c.arm,
        st.c.visit_code,
        st.c.opens_on,
        st.c.target_on,
        st.c.closes_on,
        st.c.state,
        overdue.label("days_overdue"),
        priority.label("priority"),
        case((st.c.state == "due", -overdue), else_=overdue).label("urgency"),
        st.c.visit_order,
    ).where(st.c.state.in_(("due", "missed", "no_day_zero")), st.c.off_study_on.is_(None))


WORKLIST_ORDER = ("priority", "urgency", "center_id", "subject_id", "visit_order")


def swimmer_rows(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
    limit: int,
    arms: Sequence[str] | None = None,
) -> list[Record]:
    """Visit rows of the `limit` most recently randomized subjects (with a day 0) in scope."""
    s = subjects.c
    where = [
        s.center_id.in_(list(center_codes)),
        randomized_by(as_of),
        day_zero_column(rule).is_not(None),
    ]
    if arms is not None:
        where.append(s.arm.in_(list(arms)))
    recent = (
        select(s.subject_id)
        .where(*where)
        .order_by(s.randomized_on.desc(), s.subject_id)
        .limit(limit)
        .subquery("recent")
    )
    st = visit_states(center_codes, as_of, rule, visits, arms)
    stmt = (
        select(st)
        .where(st.c.subject_id.in_(select(recent.c.subject_id)))
        .order_by(st.c.center_id, st.c.randomized_on, st.c.subject_id, st.c.visit_order)
    )
    return records(
        db,
        stmt,
        dates=[
            "randomized_on",
            "day0",
            "off_study_on",
            "target_on",
            "opens_on",
            "closes_on",
            "assessed_on",
        ],
        ints=["visit_order", "duplicates"],
    )


def worklist_item(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
    subject_id: str,
    visit_code: str,
) -> Record | None:
    """One row of the worklist of these centers now, or None if it is not on it.

    Its center, state and days past the target day (negative while the target is ahead).
    """
    w = worklist_select(center_codes, as_of, rule, visits).subquery()
    stmt = (
        select(w.c.center_id, w.c.state, w.c.days_overdue)
        .where(w.c.subject_id == subject_id, w.c.visit_code == visit_code)
        .limit(1)
    )
    rows = records(db, stmt)
    return rows[0] if rows else None

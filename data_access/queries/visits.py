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

from data_access.queries.core import Record, TrialDb, add_days, days_between, month_start, records
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
    """One row per randomized subject (of these centers) and scheduled visit, with its state."""
    s, a = subjects.c, assessments.c
    plan = _plan(visits)
    seen = (
        select(
            a.subject_id,
            a.visit_code,
            func.min(a.assessed_on).label("assessed_on"),
            func.count().label("records"),
        )
        .where(a.assessed_on <= as_of)
        .group_by(a.subject_id, a.visit_code)
        .subquery("seen")
    )
    day0 = day_zero_column(rule)
    target = add_days(day0, plan.c.visit_day)
    opens = add_days(day0, plan.c.opens_day)
    closes = add_days(day0, plan.c.closes_day)
    off = case((s.off_study_on <= as_of, s.off_study_on), else_=None)
    state = case(
        (day0.is_(None), "no_day_zero"),
        (seen.c.assessed_on < opens, "done_early"),
        (seen.c.assessed_on > closes, "done_late"),
        (seen.c.assessed_on.is_not(None), "done"),
        (off < opens, "not_expected"),
        ((closes < as_of) | off.is_not(None), "missed"),
        (opens <= as_of, "due"),
        else_="upcoming",
    )
    where = [s.center_id.in_(list(center_codes)), randomized_by(as_of)]
    if arms is not None:
        where.append(s.arm.in_(list(arms)))
    stmt = (
        select(
            s.subject_id,
            s.center_id,
            s.arm,
            s.randomized_on,
            day0.label("day0"),
            off.label("off_study_on"),
            s.off_study_reason,
            plan.c.visit_code,
            plan.c.visit_order,
            target.label("target_on"),
            opens.label("opens_on"),
            closes.label("closes_on"),
            seen.c.assessed_on,
            (func.coalesce(seen.c.records, 1) - 1).label("duplicates"),
            state.label("state"),
        )
        .select_from(subjects.join(plan, true()))
        .join(
            seen,
            and_(seen.c.subject_id == s.subject_id, seen.c.visit_code == plan.c.visit_code),
            isouter=True,
        )
        .where(*where)
    )
    return stmt.subquery("visit_states")


def overdue_days(states: Subquery, as_of: dt.date) -> Any:
    """Days past the target date of a due or missed visit (0 otherwise)."""
    late = days_between(literal(as_of), states.c.target_on)
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
    """Visits per center, arm, visit and state (as of the date), with overdue and duplicates."""
    st = visit_states(center_codes, as_of, rule, visits)
    overdue = case((overdue_days(st, as_of) > 0, 1), else_=0).label("overdue")
    dup = case((st.c.duplicates > 0, 1), else_=0).label("duplicated")
    stmt = select(
        st.c.center_id,
        st.c.arm,
        st.c.visit_code,
        st.c.state,
        overdue,
        dup,
        func.count().label("n"),
        func.count(func.distinct(st.c.subject_id)).label("subjects"),
    ).group_by(st.c.center_id, st.c.arm, st.c.visit_code, st.c.state, overdue, dup)
    return records(db, stmt, ints=["overdue", "duplicated", "n", "subjects"])


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
    """
    st = visit_states(center_codes, as_of, rule, visits)
    overdue = case((overdue_days(st, as_of) > 0, 1), else_=0).label("overdue")
    dup = case((st.c.duplicates > 0, 1), else_=0).label("duplicated")
    month = case((st.c.state == "missed", month_start(st.c.closes_on)), else_=None).label("month")
    stmt = select(
        st.c.center_id,
        st.c.arm,
        st.c.visit_code,
        st.c.state,
        overdue,
        dup,
        month,
        func.count().label("n"),
        func.count(func.distinct(st.c.subject_id)).label("subjects"),
    ).group_by(st.c.center_id, st.c.arm, st.c.visit_code, st.c.state, overdue, dup, month)
    rows = records(db, stmt, dates=["month"], ints=["overdue", "duplicated", "n", "subjects"])
    keys = ("center_id", "arm", "visit_code", "state", "overdue", "duplicated")
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
    a late entry or a reason can still be chased), then subjects without a day-0 date.
    """
    st = visit_states(center_codes, as_of, rule, visits, arms)
    overdue = overdue_days(st, as_of)
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
    ).where(st.c.state.in_(("due", "missed", "no_day_zero")))


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


def worklist_center(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
    subject_id: str,
    visit_code: str,
) -> str | None:
    """The center of one row of the worklist of these centers now, or None if it is not on it."""
    w = worklist_select(center_codes, as_of, rule, visits).subquery()
    stmt = (
        select(w.c.center_id)
        .where(w.c.subject_id == subject_id, w.c.visit_code == visit_code)
        .limit(1)
    )
    rows = records(db, stmt)
    return str(rows[0]["center_id"]) if rows else None

"""Safety aggregates, counted per subject (not event) and arm as treated.

An adverse event counts once it is known by the data date (reported, else its onset) and is
treatment-emergent (the optional `emergent` column not false: an event flagged as beginning
before the study treatment is listed, and counted apart, but in no table, rate or lag).
Grades outside 1-5 cannot be graded: such events count in "any" only. Fatal = grade 5 or
outcome fatal. Seriousness (ICH E2A) is separate from severity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.sql import ColumnElement, Select

from data_access.queries.core import Record, TrialDb, days_between, has_column, records
from data_access.queries.population import (
    ArmRule,
    day_zero_column,
    randomized_by,
    treated_arm,
    with_sbrt,
)
from data_access.schema import adverse_events, subjects


def _valid_grade() -> ColumnElement[Any]:
    g = adverse_events.c.grade
    return case((and_(g >= 1, g <= 5), g), else_=None)


def known_by(as_of: dt.date) -> ColumnElement[bool]:
    """The event was in the database by the date (reported, else its onset)."""
    e = adverse_events.c
    return func.coalesce(e.reported_on, e.onset_on) <= as_of


def emergent(db: TrialDb) -> ColumnElement[bool]:
    """The event is treatment-emergent: `emergent` true or not recorded.

    A database without the (added, optional) column has only emergent events.
    """
    if not has_column(db, "adverse_events", "emergent"):
        return true()
    return adverse_events.c.emergent.is_not(False)


def _subject_arms(
    center_codes: Sequence[str], as_of: dt.date, rule: ArmRule, arms: Sequence[str] | None = None
) -> Any:
    """Randomized subjects of these centers with their arm as treated (a subquery)."""
    s = subjects.c
    treated = treated_arm(rule, as_of).label("arm")
    stmt = with_sbrt(select(s.subject_id, s.center_id, treated, s[rule.day_zero].label("day0")))
    stmt = stmt.where(s.center_id.in_(list(center_codes)), randomized_by(as_of))
    if arms is not None:
        stmt = stmt.where(treated.in_(list(arms)))
    return stmt.subquery("treated")


def denominators(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Randomized subjects per center and arm as treated; `given` counts recorded actual arms."""
    sub = _subject_arms(center_codes, as_of, rule)
    s = subjects.c
    given = select(s.subject_id).where(s.actual_arm.is_not(None)).subquery("given")
    stmt = (
        select(
            sub.c.center_id,
            sub.c.arm,
            func.count().label("n"),
            func.count(given.c.subject_id).label("given"),
        )
        .join(given, given.c.subject_id == sub.c.subject_id, isouter=True)
        .group_by(sub.c.center_id, sub.c.arm)
    )
    return records(db, stmt, ints=["n", "given"])


def grade_scales(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Events known by the data date per grade scale: `ctcae` (or not said) and `severity`.

    Without the (added, optional) grade_scale column every grade is a CTCAE grade.
    """
    if not has_column(db, "adverse_events", "grade_scale"):
        return []
    a, s = adverse_events.c, subjects.c
    scale = func.coalesce(a.grade_scale, literal("ctcae")).label("scale")
    n: Any = func.count().label("n")
    stmt = (
        select(scale, n)
        .select_from(adverse_events.join(subjects, a.subject_id == s.subject_id))
        .where(s.center_id.in_(list(center_codes)), known_by(as_of), emergent(db))
        .group_by(scale)
    )
    return records(db, stmt, ints=["n"])


def subject_overview(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Per center and arm: subjects with any AE, worst grade >= 3, an SAE, a fatal AE; events."""
    e = adverse_events.c
    sub = _subject_arms(center_codes, as_of, rule)
    fatal = case((or_(e.grade == 5, e.outcome == "fatal"), 1), else_=0)
    per_subject = (
        select(
            sub.c.center_id,
            sub.c.arm,
            func.max(_valid_grade()).label("worst"),
            func.max(case((e.serious, 1), else_=0)).label("serious"),
            func.max(fatal).label("fatal"),
            func.count().label("events"),
            func.sum(case((_valid_grade().is_(None), 1), else_=0)).label("ungraded"),
        )
        .join_from(adverse_events, sub, e.subject_id == sub.c.subject_id)
        .where(known_by(as_of), emergent(db))
        .group_by(e.subject_id, sub.c.center_id, sub.c.arm)
        .subquery("per_subject")
    )
    p = per_subject.c
    stmt = select(
        p.center_id,
        p.arm,
        func.count().label("any_ae"),
        func.sum(case((p.worst >= 3, 1), else_=0)).label("grade3plus"),
        func.sum(p.serious).label("serious"),
        func.sum(p.fatal).label("fatal"),
        func.sum(p.events).label("events"),
        func.sum(p.ungraded).label("ungraded_events"),
    ).group_by(p.center_id, p.arm)
    return records(
        db,
        stmt,
        ints=["any_ae", "grade3plus", "serious", "fatal", "events", "ungraded_events"],
    )


def worst_by_term(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Subjects per center, arm, term and worst grade for that term (None: no valid grade).

    Each subject counts once per term, at the worst valid grade of its events of that term.
    The term's system organ class is the first one recorded for it (alphabetically).
    """
    e = adverse_events.c
    sub = _subject_arms(center_codes, as_of, rule)
    per_subject = (
        select(
            sub.c.center_id,
            sub.c.arm,
            e.term,
            func.min(e.soc).label("soc"),
            func.max(_valid_grade()).label("worst"),
        )
        .join_from(adverse_events, sub, e.subject_id == sub.c.subject_id)
        .where(known_by(as_of), emergent(db))
        .group_by(e.subject_id, sub.c.center_id, sub.c.arm, e.term)
        .subquery("per_subject_term")
    )
    p = per_subject.c
    stmt = select(
        p.center_id, p.arm, p.term, func.min(p.soc).label("soc"), p.worst, func.count().label("n")
    ).group_by(p.center_id, p.arm, p.term, p.worst)
    return records(db, stmt, ints=["worst", "n"])


def _interest_map(categories: Sequence[tuple[str, Sequence[str]]]) -> Any:
    """(term in lower case, category) pairs as a subquery: one scan serves every category."""
    parts = [
        select(literal(term.lower()).label("term"), literal(name).label("category"))
        for name, terms in categories
        for term in dict.fromkeys(terms)
    ]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("interest")


def _interest_events(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    categories: Sequence[tuple[str, Sequence[str]]],
) -> Any:
    """The events whose term is of interest, with subject, center, arm, grade and onset day.

    One scan of the events (filtered by the terms) before the small category map is joined:
    joining the map first made SQLite scan every subject once per term.
    """
    e = adverse_events.c
    sub = _subject_arms(center_codes, as_of, rule)
    terms = sorted({t.lower() for _, ts in categories for t in ts})
    day = case((sub.c.day0.is_not(None), days_between(e.onset_on, sub.c.day0)), else_=None)
    return (
        select(
            e.subject_id,
            sub.c.center_id,
            sub.c.arm,
            func.lower(e.term).label("term"),
            _valid_grade().label("grade"),
            day.label("day"),
        )
        .join_from(adverse_events, sub, e.subject_id == sub.c.subject_id)
        .where(known_by(as_of), emergent(db), func.lower(e.term).in_(terms))
        # Materialized (SQLite and PostgreSQL): computed once, before the map is joined.
        .cte("interest_events")
        .prefix_with("MATERIALIZED")
    )


def events_of_interest(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    categories: Sequence[tuple[str, Sequence[str]]],
) -> list[Record]:
    """Per category of interest, center and arm: subjects, subjects with grade >= 3, events."""
    if not any(terms for _, terms in categories):
        return []
    ev = _interest_events(db, center_codes, as_of, rule, categories)
    mapping = _interest_map(categories)
    per_subject = (
        select(
            mapping.c.category,
            ev.c.center_id,
            ev.c.arm,
            func.max(ev.c.grade).label("worst"),
            func.count().label("events"),
        )
        .join_from(ev, mapping, mapping.c.term == ev.c.term)
        .group_by(mapping.c.category, ev.c.subject_id, ev.c.center_id, ev.c.arm)
        .subquery("per_subject")
    )
    p = per_subject.c
    stmt = select(
        p.category,
        p.center_id,
        p.arm,
        func.count().label("subjects"),
        func.sum(case((p.worst >= 3, 1), else_=0)).label("grade3plus"),
        func.sum(p.events).label("events"),
    ).group_by(p.category, p.center_id, p.arm)
    return records(db, stmt, ints=["subjects", "grade3plus", "events"])


def onset_days(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    categories: Sequence[tuple[str, Sequence[str]]],
) -> list[Record]:
    """Events of interest per category, center, arm and day of onset after day 0."""
    if not any(terms for _, terms in categories):
        return []
    ev = _interest_events(db, center_codes, as_of, rule, categories)
    mapping = _interest_map(categories)
    stmt = (
        select(mapping.c.category, ev.c.center_id, ev.c.arm, ev.c.day, func.count().label("n"))
        .join_from(ev, mapping, mapping.c.term == ev.c.term)
        .where(ev.c.day.is_not(None))
        .group_by(mapping.c.category, ev.c.center_id, ev.c.arm, ev.c.day)
    )
    return records(db, stmt, ints=["day", "n"])


def reporting_lags(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Events per center, arm and days from onset to report (None: no report date).

    `last_report` is the latest report date in the group; `before_day0` (1/0) marks events
    that began before the subject's day 0 (history recorded as an AE): their "lag" is the
    time to screening, not to reporting, and the page keeps them apart. `emergent` (1/0):
    every event known by the date is here, those flagged not treatment-emergent with 0, so
    that the page can count them (they are in no other aggregate).
    """
    e = adverse_events.c
    sub = _subject_arms(center_codes, as_of, rule)
    lag = days_between(e.reported_on, e.onset_on).label("lag")
    before = case((e.onset_on < sub.c.day0, 1), else_=0).label("before_day0")
    flag = case((emergent(db), 1), else_=0).label("emergent")
    stmt = (
        select(
            sub.c.center_id,
            sub.c.arm,
            lag,
            before,
            flag,
            func.count().label("n"),
            func.max(e.reported_on).label("last_report"),
        )
        .join_from(adverse_events, sub, e.subject_id == sub.c.subject_id)
        .where(known_by(as_of))
        .group_by(sub.c.center_id, sub.c.arm, lag, before, flag)
    )
    return records(db, stmt, dates=["last_report"], ints=["lag", "n", "before_day0", "emergent"])


def ae_listing_select(
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    arms: Sequence[str] | None,
    flagged: bool = False,
) -> Select[Any]:
    """Every adverse event of the scope, one row each, for the server-side listing.

    `flagged`: the database has the `emergent` column; `emergent` says `before_treatment`
    for an event flagged not treatment-emergent (listed, in no count), else `emergent`.
    """
    e = adverse_events.c
    sub = _subject_arms(center_codes, as_of, rule, arms)
    kind = (
        case((e.emergent.is_(False), "before_treatment"), else_="emergent")
        if flagged
        else literal("emergent")
    )
    return (
        select(
            e.ae_id,
            e.subject_id,
            sub.c.center_id,
            sub.c.arm,
            e.term,
            e.soc,
            e.grade,
            case((e.serious, "sae"), else_="non_serious").label("serious"),
            e.attribution,
            e.onset_on,
            days_between(e.onset_on, sub.c.day0).label("day"),
            e.resolved_on,
            e.outcome,
            days_between(e.reported_on, e.onset_on).label("lag"),
            kind.label("emergent"),
        )
        .join_from(adverse_events, sub, e.subject_id == sub.c.subject_id)
        .where(known_by(as_of))
    )


AE_ORDER = ("-onset_on", "-ae_id")  # newest first: what a monitor chases


def subject_events(
    db: TrialDb, subject_id: str, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """One subject's events known by the date, if the subject is in these centers."""
    e = adverse_events.c
    sub = _subject_arms(center_codes, as_of, rule)
    stmt = (
        select(
            e.term,
            e.grade,
            e.serious,
            e.onset_on,
            e.resolved_on,
            e.outcome,
            sub.c.day0,
        )
        .join_from(adverse_events, sub, e.subject_id == sub.c.subject_id)
        .where(known_by(as_of), e.subject_id == subject_id)
        .order_by(e.onset_on, e.ae_id)
    )
    return records(db, stmt, dates=["onset_on", "resolved_on", "day0"], ints=["grade"])


def subject_day0(
    db: TrialDb, subject_id: str, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """The subject's day 0 (one row when the subject is randomized in these centers)."""
    s = subjects.c
    stmt = select(day_zero_column(rule).label("day0")).where(
        s.subject_id == subject_id, s.center_id.in_(list(center_codes)), randomized_by(as_of)
    )
    return records(db, stmt, dates=["day0"])

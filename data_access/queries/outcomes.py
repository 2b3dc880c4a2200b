"""Outcome aggregates: value counts, pain responses, NRS change sums, MDA, progression times.

Value counts cover pain, analgesics (OMED) and function.

Counts are per center, arm as randomized and visit, so that any selection of centers and arms
adds them up. Scores outside 0-10 are data errors: left out of every count here and counted
apart (`out_of_range`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement

from data_access.queries.core import Record, TrialDb, days_between, records
from data_access.queries.population import ArmRule, day_zero_column, randomized_by
from data_access.schema import assessments, imaging, subjects

MDA = ("CR", "PR", "SD", "PD", "NE")


def _in_range(col: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(col >= 0, col <= 10)


def value_counts(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, visit_codes: Sequence[str]
) -> list[Record]:
    """Counts of each NRS, PAFI and OMED value per center, arm and visit ('baseline' too).

    Columns measure, center_id, arm, visit_code, value, n. NRS and PAFI outside 0-10 and
    negative OMED are left out (see out_of_range).
    """
    s, a = subjects.c, assessments.c
    rand = randomized_by(as_of)
    centers = s.center_id.in_(list(center_codes))
    parts: list[Any] = []
    for measure, col, base, valid in (
        ("nrs", a.nrs, s.baseline_nrs, _in_range),
        ("pafi", a.pafi, s.baseline_pafi, _in_range),
        ("omed", a.omed_mg, s.baseline_omed_mg, lambda c: c >= 0),
    ):
        value = cast(col, Float).label("value")
        parts.append(
            select(
                literal(measure).label("measure"),
                s.center_id,
                s.arm,
                a.visit_code,
                value,
                func.count().label("n"),
            )
            .join_from(assessments, subjects, a.subject_id == s.subject_id)
            .where(
                centers,
                rand,
                a.assessed_on <= as_of,
                a.visit_code.in_(list(visit_codes)),
                col.is_not(None),
                valid(col),
            )
            .group_by(s.center_id, s.arm, a.visit_code, value)
        )
        base_value = cast(base, Float).label("value")
        parts.append(
            select(
                literal(measure).label("measure"),
                s.center_id,
                s.arm,
                literal("baseline").label("visit_code"),
                base_value,
                func.count().label("n"),
            )
            .where(centers, rand, base.is_not(None), valid(base))
            .group_by(s.center_id, s.arm, base_value)
        )
    stmt = select(union_all(*parts).subquery())
    return records(db, stmt, floats=["value"], ints=["n"])


def out_of_range(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, visit_codes: Sequence[str]
) -> list[Record]:
    """Per center and arm: NRS and PAFI values outside 0-10 (visits and baseline)."""
    s, a = subjects.c, assessments.c
    rand = randomized_by(as_of)
    centers = s.center_id.in_(list(center_codes))

    def bad(col: ColumnElement[Any]) -> Any:
        return case((and_(col.is_not(None), ~_in_range(col)), 1), else_=0)

    visits = (
        select(s.center_id, s.arm, func.sum(bad(a.nrs) + bad(a.pafi)).label("n"))
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(centers, rand, a.assessed_on <= as_of, a.visit_code.in_(list(visit_codes)))
        .group_by(s.center_id, s.arm)
    )
    base = (
        select(s.center_id, s.arm, func.sum(bad(s.baseline_nrs) + bad(s.baseline_pafi)).label("n"))
        .where(centers, rand)
        .group_by(s.center_id, s.arm)
    )
    return records(db, select(union_all(visits, base).subquery()), ints=["n"])


def pain_response_case() -> ColumnElement[Any]:
    """The International Consensus pain response of an assessment row, in SQL.

    Checked in PROTOCOL.md's order; NULL when the NRS or its baseline is missing or out of
    range. Without OMED (at baseline or the visit) the response uses NRS alone ('nrs_only').
    """
    s, a = subjects.c, assessments.c
    b, n = s.baseline_nrs, a.nrs
    big_o, o = s.baseline_omed_mg, a.omed_mg
    no_increase = o <= big_o
    down_25 = and_(big_o > 0, o <= 0.75 * big_o)
    up_25 = case((big_o > 0, o >= 1.25 * big_o), else_=o > 0)
    stable = case((big_o == 0, o == 0), else_=and_(o > 0.75 * big_o, o < 1.25 * big_o))
    return case(
        (~and_(n.is_not(None), b.is_not(None), _in_range(n), _in_range(b)), None),
        (
            big_o.is_(None) | o.is_(None),
            case(
                (n == 0, "complete"),
                (b - n >= 2, "partial"),
                (n - b >= 2, "progression"),
                else_="indeterminate",
            ),
        ),
        (and_(n == 0, no_increase), "complete"),
        (((b - n >= 2) & no_increase) | (down_25 & (n <= b)), "partial"),
        (((n - b >= 2) & stable) | (up_25 & (b <= n) & (n <= b + 1)), "progression"),
        else_="indeterminate",
    )


def pain_responses(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, visit_codes: Sequence[str]
) -> list[Record]:
    """Assessable pain responses per center, arm, visit, category and NRS-only flag."""
    s, a = subjects.c, assessments.c
    category = pain_response_case().label("category")
    nrs_only = case((s.baseline_omed_mg.is_(None) | a.omed_mg.is_(None), 1), else_=0).label(
        "nrs_only"
    )
    stmt = (
        select(s.center_id, s.arm, a.visit_code, category, nrs_only, func.count().label("n"))
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(
            s.center_id.in_(list(center_codes)),
            randomized_by(as_of),
            a.assessed_on <= as_of,
            a.visit_code.in_(list(visit_codes)),
        )
        .group_by(s.center_id, s.arm, a.visit_code, category, nrs_only)
    )
    return [r for r in records(db, stmt, ints=["nrs_only", "n"]) if r["category"] is not None]


def nrs_change_sums(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, visit_codes: Sequence[str]
) -> list[Record]:
    """n, sum and sum of squares of NRS change from baseline per center, arm and visit."""
    s, a = subjects.c, assessments.c
    change = cast(a.nrs - s.baseline_nrs, Float)
    stmt = (
        select(
            s.center_id,
            s.arm,
            a.visit_code,
            func.count().label("n"),
            func.sum(change).label("total"),
            func.sum(change * change).label("squares"),
        )
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(
            s.center_id.in_(list(center_codes)),
            randomized_by(as_of),
            a.assessed_on <= as_of,
            a.visit_code.in_(list(visit_codes)),
            a.nrs.is_not(None),
            s.baseline_nrs.is_not(None),
            _in_range(a.nrs),
            _in_range(s.baseline_nrs),
        )
        .group_by(s.center_id, s.arm, a.visit_code)
    )
    return records(db, stmt, ints=["n"], floats=["total", "squares"])


def nrs_rows_of(
    db: TrialDb, subject_ids: Sequence[str], as_of: dt.date, visit_codes: Sequence[str]
) -> list[Record]:
    """NRS of some subjects at each visit and at baseline (for sampled individual lines)."""
    s, a = subjects.c, assessments.c
    visits = (
        select(s.subject_id, s.arm, a.visit_code, a.nrs.label("nrs"))
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(
            s.subject_id.in_(list(subject_ids)),
            a.assessed_on <= as_of,
            a.visit_code.in_(list(visit_codes)),
            _in_range(a.nrs),
        )
    )
    base = select(
        s.subject_id, s.arm, literal("baseline").label("visit_code"), s.baseline_nrs.label("nrs")
    ).where(s.subject_id.in_(list(subject_ids)), _in_range(s.baseline_nrs))
    return records(db, select(union_all(visits, base).subquery()), ints=["nrs"])


def sampled_ids(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, arms: Sequence[str], k: int
) -> list[str]:
    """At most k randomized subjects of each arm of these centers, evenly spread by id.

    Chosen in the database (a window over each arm ordered by subject id): the n-th subject
    is taken when floor(n * k / count) steps up, which takes exactly k of them, the same ones
    on every request, without reading every id into Python.
    """
    s = subjects.c
    rn = func.row_number().over(partition_by=s.arm, order_by=s.subject_id).label("rn")
    cnt = func.count().over(partition_by=s.arm).label("cnt")
    ranked = (
        select(s.subject_id, rn, cnt)
        .where(s.center_id.in_(list(center_codes)), randomized_by(as_of), s.arm.in_(list(arms)))
        .subquery("ranked")
    )
    r = ranked.c
    step_up = (r.rn * k) // r.cnt > ((r.rn - 1) * k) // r.cnt  # floor division
    stmt = select(r.subject_id).where(or_(r.cnt <= k, step_up)).order_by(r.subject_id)
    return [str(row["subject_id"]) for row in records(db, stmt)]


def mda_counts(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, visit_codes: Sequence[str]
) -> list[Record]:
    """MD Anderson responses per center, arm, imaging visit and category ('other': unknown)."""
    s, i = subjects.c, imaging.c
    category = case((i.mda_response.in_(MDA), i.mda_response), else_="other").label("category")
    stmt = (
        select(s.center_id, s.arm, i.visit_code, category, func.count().label("n"))
        .join_from(imaging, subjects, i.subject_id == s.subject_id)
        .where(
            s.center_id.in_(list(center_codes)),
            randomized_by(as_of),
            i.imaged_on <= as_of,
            i.visit_code.in_(list(visit_codes)),
        )
        .group_by(s.center_id, s.arm, i.visit_code, category)
    )
    return records(db, stmt, ints=["n"])


def progression_times(
    db: TrialDb, center_codes: Sequence[str], as_of: dt.date, rule: ArmRule
) -> list[Record]:
    """Times to local progression, counted per center, arm, day and event (1: PD, 0: censored).

    Per subject with a day 0 and an evaluable image (CR, PR, SD or PD) on or after day 0: the
    day of the first PD, else the day of the last evaluable image (censored there, deaths and
    withdrawals without PD included: a competing risk the curve does not model).
    """
    s, i = subjects.c, imaging.c
    day = days_between(i.imaged_on, day_zero_column(rule))
    per_subject = (
        select(
            s.center_id,
            s.arm,
            func.max(day).label("last_day"),
            func.min(case((i.mda_response == "PD", day), else_=None)).label("pd_day"),
        )
        .join_from(imaging, subjects, i.subject_id == s.subject_id)
        .where(
            s.center_id.in_(list(center_codes)),
            randomized_by(as_of),
            i.imaged_on <= as_of,
            i.mda_response.in_(("CR", "PR", "SD", "PD")),
            day_zero_column(rule).is_not(None),
            day >= 0,
        )
        .group_by(s.subject_id, s.center_id, s.arm)
        .subquery("per_subject")
    )
    days = func.coalesce(per_subject.c.pd_day, per_subject.c.last_day).label("days")
    event = case((per_subject.c.pd_day.is_not(None), 1), else_=0).label("event")
    stmt = select(
        per_subject.c.center_id, per_subject.c.arm, days, event, func.count().label("n")
    ).group_by(per_subject.c.center_id, per_subject.c.arm, days, event)
    return records(db, stmt, ints=["days", "event", "n"])

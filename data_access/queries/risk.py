"""Per-center counts for the key risk indicators: time on study and the events counted on it.

One row per center with randomized subjects: the subjects, their days on study (from
randomization to the day they left, or the data date), those who discontinued (withdrew, lost
to follow-up or left for another reason; deaths and completions are not discontinuations),
and the treatment-emergent adverse events known by the data date (all, serious, grade 3 to 5),
each counted once per event. Deviations and visits come from their own pages' queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from data_access.queries.core import Record, TrialDb, days_between, records
from data_access.queries.population import randomized_by
from data_access.queries.safety import emergent, known_by
from data_access.schema import adverse_events, deviations, subjects

DISCONTINUED = ("withdrew", "lost_to_follow_up", "other")


def center_exposure(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Per center: subjects, patient_days, discontinued, ae, sae, grade3 and major.

    `major`: major deviations recorded by the date, of randomized subjects; `major_subjects`:
    the subjects with at least one.
    """
    s, e, d = subjects.c, adverse_events.c, deviations.c
    left = and_(s.off_study_on.is_not(None), s.off_study_on <= as_of)
    end = case((left, s.off_study_on), else_=literal(as_of))
    days = days_between(end, s.randomized_on)
    per_subject = (
        select(
            s.subject_id,
            s.center_id,
            case((days > 0, days), else_=0).label("days"),
            case((and_(left, s.off_study_reason.in_(DISCONTINUED)), 1), else_=0).label("gone"),
        )
        .where(s.center_id.in_(list(center_codes)), randomized_by(as_of))
        .subquery()
    )
    events = (
        select(
            e.subject_id,
            func.count().label("ae"),
            func.sum(case((e.serious.is_(True), 1), else_=0)).label("sae"),
            func.sum(case((and_(e.grade >= 3, e.grade <= 5), 1), else_=0)).label("grade3"),
        )
        .where(known_by(as_of), emergent(db))
        .group_by(e.subject_id)
        .subquery()
    )
    majors = (
        select(d.subject_id, func.count().label("major"))
        .where(d.major.is_(True), d.occurred_on <= as_of)
        .group_by(d.subject_id)
        .subquery()
    )
    p = per_subject.c
    zero: Any = literal(0)
    stmt = (
        select(
            p.center_id,
            func.count().label("subjects"),
            func.sum(p.days).label("patient_days"),
            func.sum(p.gone).label("discontinued"),
            func.sum(func.coalesce(events.c.ae, zero)).label("ae"),
            func.sum(func.coalesce(events.c.sae, zero)).label("sae"),
            func.sum(func.coalesce(events.c.grade3, zero)).label("grade3"),
            func.sum(func.coalesce(majors.c.major, zero)).label("major"),
            func.sum(case((majors.c.major > 0, 1), else_=0)).label("major_subjects"),
        )
        .join_from(per_subject, events, events.c.subject_id == p.subject_id, isouter=True)
        .join(majors, majors.c.subject_id == p.subject_id, isouter=True)
        .group_by(p.center_id)
        .order_by(p.center_id)
    )
    ints = ["subjects", "patient_days", "discontinued", "ae", "sae", "grade3", "major"]
    ints.append("major_subjects")
    rows = records(db, stmt, ints=ints)
    for r in rows:
        for k in ints:
            r[k] = int(r[k] or 0)
    return rows


__all__ = ["DISCONTINUED", "center_exposure"]

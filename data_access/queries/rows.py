"""Row-level questions (subjects, assessments, events) for listings and per-subject views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Boolean, Date, Float, Integer, Table, case, func, select

from data_access.queries.core import Record, TrialDb, records
from data_access.queries.core import frame as _frame
from data_access.schema import (
    adverse_events,
    assessments,
    centers,
    imaging,
    sbrt_courses,
    subjects,
)
from data_access.scope import Scope, subject_conditions


def center_list(db: TrialDb) -> pd.DataFrame:
    """Every center in the database with its activation date."""
    stmt = select(centers.c.center_id, centers.c.name, centers.c.activated_on).order_by(
        centers.c.center_id
    )
    return _frame(db, stmt, dates=["activated_on"])


def recruitment_counts(db: TrialDb, scope: Scope, arm_codes: Sequence[str]) -> pd.DataFrame:
    """Per center: screened, eligible, randomized by the as-of date, and randomized per arm."""
    rand = subjects.c.randomized_on <= scope.as_of
    cols = [
        subjects.c.center_id,
        func.count().label("screened"),
        func.sum(case((subjects.c.eligible, 1), else_=0)).label("eligible"),
        func.sum(case((rand, 1), else_=0)).label("randomized"),
    ]
    cols += [
        func.sum(case((rand & (subjects.c.arm == code), 1), else_=0)).label(f"arm_{code}")
        for code in arm_codes
    ]
    stmt = (
        select(*cols)
        .where(subject_conditions(scope, subjects))
        .group_by(subjects.c.center_id)
        .order_by(subjects.c.center_id)
    )
    counts = ["screened", "eligible", "randomized", *(f"arm_{c}" for c in arm_codes)]
    return _frame(db, stmt, ints=counts)


def randomizations_by_day(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Number randomized per center, arm and day, up to the as-of date."""
    stmt = (
        select(
            subjects.c.center_id,
            subjects.c.arm,
            subjects.c.randomized_on,
            func.count().label("n"),
        )
        .where(subject_conditions(scope, subjects), subjects.c.randomized_on <= scope.as_of)
        .group_by(subjects.c.center_id, subjects.c.arm, subjects.c.randomized_on)
        .order_by(subjects.c.randomized_on)
    )
    return _frame(db, stmt, dates=["randomized_on"], ints=["n"])


def screen_failures(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Screen failures per center and reason, up to the as-of date."""
    reason = func.coalesce(subjects.c.screen_failure_reason, "not recorded")
    stmt = (
        select(subjects.c.center_id, reason.label("reason"), func.count().label("n"))
        .where(subject_conditions(scope, subjects), subjects.c.eligible.is_(False))
        .group_by(subjects.c.center_id, reason)
        .order_by(subjects.c.center_id, reason)
    )
    return _frame(db, stmt, ints=["n"])


def randomized_subjects(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Subjects randomized by the as-of date, with day-0 candidates and off-study facts."""
    s = subjects.c
    stmt = (
        select(
            s.subject_id,
            s.center_id,
            s.arm,
            s.randomized_on,
            s.procedure_on,
            s.off_study_on,
            s.off_study_reason,
        )
        .where(subject_conditions(scope, subjects), s.randomized_on <= scope.as_of)
        .order_by(s.center_id, s.subject_id)
    )
    return _frame(db, stmt, dates=["randomized_on", "procedure_on", "off_study_on"])


def visit_assessments(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Dates of the follow-up assessments of randomized subjects in scope, up to the as-of date."""
    a = assessments.c
    stmt = (
        select(a.subject_id, a.visit_code, a.assessed_on)
        .join_from(assessments, subjects, a.subject_id == subjects.c.subject_id)
        .where(
            subject_conditions(scope, subjects),
            subjects.c.randomized_on <= scope.as_of,
            a.assessed_on <= scope.as_of,
        )
    )
    return _frame(db, stmt, dates=["assessed_on"])


def sbrt_courses_in_scope(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """SBRT courses of randomized subjects in scope that had started by the as-of date."""
    c = sbrt_courses.c
    stmt = (
        select(c.subject_id, c.started_on, c.completed_on, c.fractions, c.total_dose_gy)
        .join_from(sbrt_courses, subjects, c.subject_id == subjects.c.subject_id)
        .where(
            subject_conditions(scope, subjects),
            subjects.c.randomized_on <= scope.as_of,
            c.started_on <= scope.as_of,
        )
    )
    return _frame(
        db,
        stmt,
        dates=["started_on", "completed_on"],
        ints=["fractions"],
        floats=["total_dose_gy"],
    )


def screened_subjects(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Every screened subject in scope with screening outcome, baseline and off-study facts."""
    s = subjects.c
    stmt = (
        select(
            s.subject_id,
            s.center_id,
            s.eligible,
            s.screen_failure_reason,
            s.sex,
            s.age_years,
            s.primary_tumor,
            s.baseline_nrs,
            s.baseline_pafi,
            s.baseline_omed_mg,
            s.baseline_imaging_on,
            s.treated_levels,
            s.procedure_on,
            s.randomized_on,
            s.arm,
            s.off_study_on,
            s.off_study_reason,
        )
        .where(subject_conditions(scope, subjects))
        .order_by(s.center_id, s.subject_id)
    )
    return _frame(
        db,
        stmt,
        dates=["baseline_imaging_on", "procedure_on", "randomized_on", "off_study_on"],
        ints=["age_years", "baseline_nrs", "baseline_pafi"],
        floats=["baseline_omed_mg"],
        bools=["eligible"],
    )


def outcome_assessments(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Follow-up NRS, PAFI and OMED of randomized subjects in scope, with their baselines."""
    a, s = assessments.c, subjects.c
    stmt = (
        select(
            a.subject_id,
            s.center_id,
            s.arm,
            a.visit_code,
            a.assessed_on,
            a.nrs,
            a.pafi,
            a.omed_mg,
            s.baseline_nrs,
            s.baseline_pafi,
            s.baseline_omed_mg,
        )
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(
            subject_conditions(scope, subjects),
            s.randomized_on <= scope.as_of,
            a.assessed_on <= scope.as_of,
        )
    )
    return _frame(
        db,
        stmt,
        dates=["assessed_on"],
        ints=["nrs", "pafi", "baseline_nrs", "baseline_pafi"],
        floats=["omed_mg", "baseline_omed_mg"],
    )


def imaging_results(db: TrialDb, scope: Scope) -> pd.DataFrame:
    """Follow-up MDA responses of randomized subjects in scope, with their day-0 candidates."""
    i, s = imaging.c, subjects.c
    stmt = (
        select(
            i.subject_id,
            s.center_id,
            s.arm,
            i.visit_code,
            i.imaged_on,
            i.modality,
            i.mda_response,
            s.procedure_on,
            s.randomized_on,
        )
        .join_from(imaging, subjects, i.subject_id == s.subject_id)
        .where(
            subject_conditions(scope, subjects),
            s.randomized_on <= scope.as_of,
            i.imaged_on <= scope.as_of,
        )
    )
    return _frame(db, stmt, dates=["imaged_on", "procedure_on", "randomized_on"])


def adverse_event_rows(db: TrialDb, scope: Scope, subject_id: str | None = None) -> pd.DataFrame:
    """AEs of randomized subjects in scope known by the as-of date (reported, else onset)."""
    e, s = adverse_events.c, subjects.c
    known = func.coalesce(e.reported_on, e.onset_on)
    stmt = (
        select(
            e.ae_id,
            e.subject_id,
            s.center_id,
            s.arm,
            e.term,
            e.soc,
            e.grade,
            e.serious,
            e.attribution,
            e.onset_on,
            e.resolved_on,
            e.outcome,
            e.reported_on,
            s.procedure_on,
        )
        .join_from(adverse_events, subjects, e.subject_id == s.subject_id)
        .where(
            subject_conditions(scope, subjects),
            s.randomized_on <= scope.as_of,
            known <= scope.as_of,
        )
        .order_by(e.onset_on, e.ae_id)
    )
    if subject_id is not None:
        stmt = stmt.where(e.subject_id == subject_id)
    return _frame(
        db,
        stmt,
        dates=["onset_on", "resolved_on", "reported_on", "procedure_on"],
        ints=["ae_id", "grade"],
        bools=["serious"],
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
    stmt = select(*table.columns)
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

"""The data-quality checks as SQL: one SELECT per check, all of them as one union.

Every finding names the subject, its center, the check, the table and field, the value found
(with its kind, so a page can word it in any language), the date of the record (for the trend)
and a stable key (check + subject + table.field + record) that keeps its identity across data
cuts. The rules come from the protocol as plain values (`CheckRules`), so this module knows SQL,
not the trial. Findings never stop anything: they are listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, literal, or_, select, tuple_, union_all
from sqlalchemy.sql import ColumnElement, Select, Subquery

from data_access.queries.core import Record, TrialDb, days_between, month_start, records
from data_access.schema import (
    adverse_events,
    assessments,
    deviations,
    imaging,
    sbrt_courses,
    subjects,
)


@dataclass(frozen=True)
class CheckRules:
    """What the protocol says the checks compare against (None or empty: not checked)."""

    center_codes: tuple[str, ...]
    arm_codes: tuple[str, ...]
    visit_codes: tuple[str, ...]
    day_zero: str = "procedure_on"
    min_baseline_nrs: int | None = None
    levels_outside: tuple[str, ...] = ()  # treated_levels values with a level out of bounds
    levels_too_many: tuple[str, ...] = ()  # treated_levels values with too many levels
    max_imaging_days: int | None = None
    sbrt_arm: str | None = None
    allowed_schemes: tuple[tuple[float, int], ...] = ()
    late_start_day: int = 0
    missing_after_days: int = 0
    measures: tuple[str, ...] = field(default=("nrs", "omed", "pafi", "imaging"))
    # the database has adverse_events.emergent: an event flagged not treatment-emergent (a
    # condition that began before the treatment) may begin before screening
    emergent_flag: bool = False


def _text(col: Any) -> Any:
    return cast(col, Text)


def _finding(
    category: str,
    check: str,
    table: str,
    field_name: str,
    subject_id: Any,
    center_id: Any,
    value: Any,
    value_kind: str,
    record_on: Any,
    record: Any,
    key_field: str | None = None,
) -> list[Any]:
    # key_field keeps a finding's key (and so its review history) when the field
    # it names is corrected later
    key = (
        literal(f"{check}:")
        + func.coalesce(_text(subject_id), "")
        + literal(f":{table}.{key_field or field_name}:")
        + func.coalesce(_text(record), "")
    )
    return [
        _text(subject_id).label("subject_id"),
        _text(center_id).label("center_id"),
        literal(category).label("category"),
        literal(check).label("check"),
        literal(table).label("table_name"),
        literal(field_name).label("field"),
        _text(value).label("value"),
        literal(value_kind).label("value_kind"),
        record_on.label("record_on"),
        key.label("key"),
    ]


def _subject_checks(rules: CheckRules, as_of: dt.date) -> list[Select[Any]]:
    s = subjects.c
    rand = s.randomized_on.is_not(None)
    out: list[Select[Any]] = []

    def add(
        category: str, check: str, fld: str, value: Any, kind: str, when: Any, cond: Any
    ) -> None:
        cols = _finding(
            category,
            check,
            "subjects",
            fld,
            s.subject_id,
            s.center_id,
            value,
            kind,
            when,
            literal(""),
        )
        out.append(select(*cols).where(cond))

    if rules.min_baseline_nrs is not None and "nrs" in rules.measures:
        add(
            "eligibility",
            "baseline_nrs_low",
            "baseline_nrs",
            s.baseline_nrs,
            "number",
            s.randomized_on,
            and_(rand, s.baseline_nrs < rules.min_baseline_nrs),
        )
    if rules.levels_outside:
        add(
            "eligibility",
            "level_outside",
            "treated_levels",
            s.treated_levels,
            "text",
            s.randomized_on,
            and_(rand, s.treated_levels.in_(list(rules.levels_outside))),
        )
    if rules.levels_too_many:
        add(
            "eligibility",
            "too_many_levels",
            "treated_levels",
            s.treated_levels,
            "text",
            s.randomized_on,
            and_(rand, s.treated_levels.in_(list(rules.levels_too_many))),
        )
    if rules.max_imaging_days is not None:
        gap = days_between(s.randomized_on, s.baseline_imaging_on)
        add(
            "eligibility",
            "imaging_too_early",
            "baseline_imaging_on",
            gap,
            "days",
            s.randomized_on,
            and_(rand, gap > rules.max_imaging_days),
        )
        add(
            "eligibility",
            "imaging_after_enrollment",
            "baseline_imaging_on",
            s.baseline_imaging_on,
            "date",
            s.randomized_on,
            and_(rand, gap < 0),
        )
        add(
            "eligibility",
            "no_imaging",
            "baseline_imaging_on",
            literal(None),
            "text",
            s.randomized_on,
            and_(rand, s.baseline_imaging_on.is_(None)),
        )
    add(
        "eligibility",
        "ineligible_randomized",
        "eligible",
        literal("false"),
        "boolean",
        s.randomized_on,
        and_(rand, s.eligible.is_(False)),
    )
    for fld, lo, hi, measure in (
        ("baseline_nrs", 0, 10, "nrs"),
        ("baseline_pafi", 0, 10, "pafi"),
        ("age_years", 18, 100, None),
    ):
        if measure is None or measure in rules.measures:
            col = s[fld]
            check = f"{fld.removeprefix('baseline_')}_out_of_range"
            add(
                "range",
                check,
                fld,
                col,
                "number",
                s.screened_on,
                and_(col.is_not(None), or_(col < lo, col > hi)),
            )
    if "omed" in rules.measures:
        add(
            "range",
            "omed_negative",
            "baseline_omed_mg",
            s.baseline_omed_mg,
            "number",
            s.screened_on,
            s.baseline_omed_mg < 0,
        )
    for fld in (
        "consented_on",
        "baseline_imaging_on",
        "procedure_on",
        "randomized_on",
        "off_study_on",
    ):
        col = s[fld]
        add("dates", "future_date", fld, col, "date", col, col > as_of)
        if fld != "baseline_imaging_on":
            add("dates", "before_screening", fld, col, "date", col, col < s.screened_on)
    day0 = s[rules.day_zero]
    if rules.day_zero != "randomized_on":
        add(
            "dates",
            "randomized_without_day_zero",
            rules.day_zero,
            literal(None),
            "text",
            s.randomized_on,
            and_(rand, day0.is_(None)),
        )
        add(
            "dates",
            "randomized_before_day_zero",
            "randomized_on",
            s.randomized_on,
            "date",
            s.randomized_on,
            and_(rand, s.randomized_on < day0),
        )
    add(
        "dates",
        "off_study_before_randomization",
        "off_study_on",
        s.off_study_on,
        "date",
        s.off_study_on,
        and_(rand, s.off_study_on < s.randomized_on),
    )
    return out


def _record_checks(rules: CheckRules, as_of: dt.date) -> list[Select[Any]]:
    s, a, i, e = subjects.c, assessments.c, imaging.c, adverse_events.c
    out: list[Select[Any]] = []
    died = case((s.off_study_reason == "died", s.off_study_on), else_=None)

    def add(
        table: Any,
        category: str,
        check: str,
        tname: str,
        fld: str,
        value: Any,
        kind: str,
        when: Any,
        record: Any,
        cond: Any,
    ) -> None:
        cols = _finding(
            category, check, tname, fld, table.c.subject_id, s.center_id, value, kind, when, record
        )
        out.append(
            select(*cols).join_from(table, subjects, table.c.subject_id == s.subject_id).where(cond)
        )

    for fld, measure in (("nrs", "nrs"), ("pafi", "pafi")):
        if measure in rules.measures:
            col = a[fld]
            add(
                assessments,
                "range",
                f"{fld}_out_of_range",
                "assessments",
                fld,
                col,
                "number",
                a.assessed_on,
                a.visit_code,
                and_(col.is_not(None), or_(col < 0, col > 10)),
            )
    if "omed" in rules.measures:
        add(
            assessments,
            "range",
            "omed_negative",
            "assessments",
            "omed_mg",
            a.omed_mg,
            "number",
            a.assessed_on,
            a.visit_code,
            a.omed_mg < 0,
        )
    add(
        adverse_events,
        "range",
        "grade_out_of_range",
        "adverse_events",
        "grade",
        e.grade,
        "number",
        e.onset_on,
        e.ae_id,
        or_(e.grade < 1, e.grade > 5),
    )
    add(
        imaging,
        "range",
        "unknown_mda",
        "imaging",
        "mda_response",
        i.mda_response,
        "text",
        i.imaged_on,
        i.visit_code,
        ~i.mda_response.in_(("CR", "PR", "SD", "PD", "NE")),
    )
    for table, tname, fields, record in (
        (assessments, "assessments", ("assessed_on",), a.visit_code),
        (imaging, "imaging", ("imaged_on",), i.visit_code),
        (adverse_events, "adverse_events", ("onset_on", "resolved_on", "reported_on"), e.ae_id),
        (sbrt_courses, "sbrt_courses", ("started_on", "completed_on"), literal("")),
    ):
        for fld in fields:
            col = table.c[fld]
            add(table, "dates", "future_date", tname, fld, col, "date", col, record, col > as_of)
            early = col < s.screened_on
            if table is adverse_events and fld == "onset_on" and rules.emergent_flag:
                early = and_(early, e.emergent.is_not(False))
            add(
                table,
                "dates",
                "before_screening",
                tname,
                fld,
                col,
                "date",
                col,
                record,
                early,
            )
    for table, tname, fld, record in (
        (assessments, "assessments", "assessed_on", a.visit_code),
        (imaging, "imaging", "imaged_on", i.visit_code),
    ):
        col = table.c[fld]
        add(table, "dates", "visit_after_death", tname, fld, col, "date", col, record, col > died)
    add(
        adverse_events,
        "safety",
        "event_after_death",
        "adverse_events",
        "onset_on",
        e.onset_on,
        "date",
        e.onset_on,
        e.ae_id,
        e.onset_on > died,
    )
    # Deaths and fatal events must tell the same story (fatal: grade 5 or outcome fatal, as
    # the safety page counts it; known by the data date; a death is off study "died").
    fatal = and_(
        or_(e.grade == 5, e.outcome == "fatal"),
        func.coalesce(e.reported_on, e.onset_on) <= as_of,
    )
    dead = and_(s.off_study_reason == "died", s.off_study_on <= as_of)
    alive = or_(
        s.off_study_reason.is_(None),
        s.off_study_reason != "died",
        s.off_study_on.is_(None),
        s.off_study_on > as_of,
    )
    add(
        adverse_events,
        "safety",
        "fatal_ae_without_death",
        "adverse_events",
        "outcome",
        func.coalesce(e.outcome, _text(e.grade)),
        "text",
        e.onset_on,
        e.ae_id,
        and_(fatal, alive),
    )
    add(
        adverse_events,
        "safety",
        "fatal_ae_not_serious",
        "adverse_events",
        "serious",
        literal("false"),
        "boolean",
        e.onset_on,
        e.ae_id,
        and_(fatal, e.serious.is_(False)),
    )
    with_fatal = select(e.subject_id).where(fatal)
    out.append(
        select(
            *_finding(
                "safety",
                "death_without_fatal_ae",
                "subjects",
                "off_study_reason",
                s.subject_id,
                s.center_id,
                s.off_study_reason,
                "off_reason",
                s.off_study_on,
                literal(""),
            )
        ).where(dead, ~s.subject_id.in_(with_fatal))
    )
    add(
        adverse_events,
        "dates",
        "resolved_before_onset",
        "adverse_events",
        "resolved_on",
        e.resolved_on,
        "date",
        e.onset_on,
        e.ae_id,
        e.resolved_on < e.onset_on,
    )
    return out


def _delivery_checks(rules: CheckRules, as_of: dt.date) -> list[Select[Any]]:
    if rules.sbrt_arm is None:
        return []
    s, c = subjects.c, sbrt_courses.c
    rand = and_(s.randomized_on.is_not(None), s.randomized_on <= as_of)
    scheme = _text(c.total_dose_gy) + literal("|") + _text(c.fractions)
    started = c.started_on <= as_of
    out: list[Select[Any]] = []

    def course(check: str, value: Any, kind: str, cond: Any, fld: str = "started_on") -> None:
        cols = _finding(
            "sbrt",
            check,
            "sbrt_courses",
            fld,
            c.subject_id,
            s.center_id,
            value,
            kind,
            s.randomized_on,
            literal(""),
            key_field="started_on",
        )
        out.append(
            select(*cols)
            .join_from(sbrt_courses, subjects, c.subject_id == s.subject_id)
            .where(rand, started, cond)
        )

    other = or_(s.arm.is_(None), s.arm != rules.sbrt_arm)
    course("sbrt_in_other_arm", scheme, "scheme", other)
    allowed = [(float(d), int(f)) for d, f in rules.allowed_schemes]
    if allowed:
        course(
            "scheme_not_allowed",
            scheme,
            "scheme",
            and_(~other, ~tuple_(c.total_dose_gy, c.fractions).in_(allowed)),
            fld="total_dose_gy",
        )
    day0 = s[rules.day_zero]
    start_day = days_between(c.started_on, day0)
    course("late_start", start_day, "day", and_(~other, start_day > rules.late_start_day))
    cutoff = as_of - dt.timedelta(days=rules.missing_after_days)
    cols = _finding(
        "sbrt",
        "no_sbrt",
        "sbrt_courses",
        "started_on",
        s.subject_id,
        s.center_id,
        days_between(literal(as_of), day0),
        "day",
        s.randomized_on,
        literal(""),
    )
    out.append(
        select(*cols)
        .join_from(subjects, sbrt_courses, c.subject_id == s.subject_id, isouter=True)
        .where(
            rand,
            s.arm == rules.sbrt_arm,
            or_(c.subject_id.is_(None), c.started_on > as_of),
            day0 < cutoff,
        )
    )
    return out


def _structure_checks(rules: CheckRules) -> list[Select[Any]]:
    s, a, i, e = subjects.c, assessments.c, imaging.c, adverse_events.c
    out: list[Select[Any]] = []
    out.append(
        select(
            *_finding(
                "structure",
                "unknown_center",
                "subjects",
                "center_id",
                s.subject_id,
                s.center_id,
                s.center_id,
                "text",
                s.screened_on,
                literal(""),
            )
        ).where(~s.center_id.in_(list(rules.center_codes)))
    )
    out.append(
        select(
            *_finding(
                "structure",
                "unknown_arm",
                "subjects",
                "arm",
                s.subject_id,
                s.center_id,
                s.arm,
                "text",
                s.randomized_on,
                literal(""),
            )
        ).where(s.arm.is_not(None), ~s.arm.in_(list(rules.arm_codes)))
    )
    for table, tname, when in (
        (assessments, "assessments", a.assessed_on),
        (imaging, "imaging", i.imaged_on),
    ):
        out.append(
            select(
                *_finding(
                    "structure",
                    "unknown_visit",
                    tname,
                    "visit_code",
                    table.c.subject_id,
                    s.center_id,
                    table.c.visit_code,
                    "text",
                    when,
                    table.c.visit_code,
                )
            )
            .join_from(table, subjects, table.c.subject_id == s.subject_id, isouter=True)
            .where(~table.c.visit_code.in_(list(rules.visit_codes)))
        )
    for table, tname, when, record in (
        (assessments, "assessments", a.assessed_on, a.visit_code),
        (imaging, "imaging", i.imaged_on, i.visit_code),
        (adverse_events, "adverse_events", e.onset_on, e.ae_id),
    ):
        out.append(
            select(
                *_finding(
                    "structure",
                    "orphan_row",
                    tname,
                    "subject_id",
                    table.c.subject_id,
                    literal(None),
                    table.c.subject_id,
                    "text",
                    when,
                    record,
                )
            )
            .join_from(table, subjects, table.c.subject_id == s.subject_id, isouter=True)
            .where(s.subject_id.is_(None))
        )
    return out


def findings(rules: CheckRules, as_of: dt.date) -> Subquery:
    """Every finding of every check, as one subquery (columns: see `_finding`)."""
    parts = [
        *_subject_checks(rules, as_of),
        *_record_checks(rules, as_of),
        *_delivery_checks(rules, as_of),
        *_structure_checks(rules),
    ]
    return union_all(*parts).subquery("findings")


def finding_counts(db: TrialDb, rules: CheckRules, as_of: dt.date) -> list[Record]:
    """Findings per center (None: no center), category, check and month of the record."""
    f = findings(rules, as_of)
    month = month_start(f.c.record_on).label("month")
    stmt = select(f.c.center_id, f.c.category, f.c.check, month, func.count().label("n")).group_by(
        f.c.center_id, f.c.category, f.c.check, month
    )
    return records(db, stmt, dates=["month"], ints=["n"])


def finding_keys(db: TrialDb, rules: CheckRules, as_of: dt.date) -> list[Record]:
    """Every finding's key, center, check and the month of its record.

    The one evaluation of the checks per data version: the counts of the data-quality page
    (`counts_of_keys`), the work list and the data cuts (what is new, what was resolved) all
    read these rows.
    """
    f = findings(rules, as_of)
    month = month_start(f.c.record_on).label("month")
    stmt = select(f.c.key, f.c.center_id, f.c.category, f.c.check, f.c.subject_id, month)
    return records(db, stmt, dates=["month"])


def counts_of_keys(rows: Sequence[Record]) -> list[Record]:
    """Findings per center, category, check and month, from finding_keys' rows.

    The same rows finding_counts gives, without evaluating the checks again.
    """
    tally: dict[tuple[Any, ...], int] = {}
    for r in rows:
        key = (r["center_id"], r["category"], r["check"], r["month"])
        tally[key] = tally.get(key, 0) + 1
    return [
        {"center_id": c, "category": cat, "check": chk, "month": m, "n": n}
        for (c, cat, chk, m), n in tally.items()
    ]


def findings_select(
    rules: CheckRules, as_of: dt.date, center_codes: Sequence[str], with_structure: bool
) -> Select[Any]:
    """The findings of some centers, for the listing (structure findings only when asked)."""
    f = findings(rules, as_of)
    cond: ColumnElement[bool] = f.c.center_id.in_(list(center_codes))
    if with_structure:
        cond = or_(cond, f.c.category == "structure")
    else:
        cond = and_(cond, f.c.category != "structure")
    return select(
        f.c.subject_id,
        f.c.center_id,
        f.c.category,
        f.c.check,
        f.c.table_name,
        f.c.field,
        f.c.value,
        f.c.value_kind,
        f.c.record_on,
        f.c.key,
    ).where(cond)


FINDINGS_ORDER = ("category", "check", "subject_id", "key")


def treated_level_values(db: TrialDb) -> list[str]:
    """Every distinct treated_levels text of randomized subjects (classified by the caller)."""
    s = subjects.c
    stmt = select(s.treated_levels).where(s.treated_levels.is_not(None)).distinct()
    return [str(r["treated_levels"]) for r in records(db, stmt)]


def deviation_counts(db: TrialDb, center_codes: Sequence[str], as_of: dt.date) -> list[Record]:
    """Protocol deviations recorded by the sites per center: all and major."""
    d, s = deviations.c, subjects.c
    stmt = (
        select(
            s.center_id,
            func.count().label("recorded"),
            func.sum(case((d.major, 1), else_=0)).label("major"),
        )
        .join_from(deviations, subjects, d.subject_id == s.subject_id)
        .where(s.center_id.in_(list(center_codes)), d.occurred_on <= as_of)
        .group_by(s.center_id)
    )
    return records(db, stmt, ints=["recorded", "major"])


def deviations_select(center_codes: Sequence[str], as_of: dt.date) -> Select[Any]:
    """The recorded deviations of some centers, for the listing."""
    d, s = deviations.c, subjects.c
    return (
        select(
            d.deviation_id,
            d.subject_id,
            s.center_id,
            d.occurred_on,
            d.category,
            case((d.major, "yes"), else_="no").label("major"),
            d.description,
        )
        .join_from(deviations, subjects, d.subject_id == s.subject_id)
        .where(s.center_id.in_(list(center_codes)), d.occurred_on <= as_of)
    )


DEVIATIONS_ORDER = ("-occurred_on", "deviation_id")


def in_scope(
    found: Sequence[Record], center_codes: Sequence[str], with_structure: bool
) -> list[Record]:
    """The rows of `finding_keys` a view of these centers lists (the rule of `findings_select`)."""
    codes = set(center_codes)
    return [
        r
        for r in found
        if (r["center_id"] in codes and r["category"] != "structure")
        or (with_structure and (r["center_id"] in codes or r["category"] == "structure"))
    ]

"""Clinical plausibility checks (PROTOCOL.md's list) -> findings a monitor works through.

Findings never stop anything: they are listed. Each finding names the subject, the check, the
table and field, the value found and the date of the record (for the trend). The SBRT checks
reuse the treatment-delivery departures of the randomization page, so both pages agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from dashboard.metrics.randomization import sbrt_delivery
from dashboard.protocol import VERTEBRAL_LEVELS, Protocol

FINDING_COLUMNS = [
    "subject_id",
    "center_id",
    "category",
    "check",
    "table",
    "field",
    "value",
    "record_on",
]
CATEGORIES = ("eligibility", "range", "dates", "sbrt", "structure")


def _rows(
    df: pd.DataFrame,
    category: str,
    check: str,
    table: str,
    field: str,
    value: Iterable[Any] | None = None,
    when: str | None = None,
) -> list[dict[str, Any]]:
    if df.empty:
        return []
    values = list(value) if value is not None else list(df[field])
    dates = list(df[when]) if when else [pd.NaT] * len(df)
    centers = df["center_id"] if "center_id" in df.columns else [None] * len(df)
    return [
        {
            "subject_id": s,
            "center_id": c,
            "category": category,
            "check": check,
            "table": table,
            "field": field,
            "value": None
            if v is None or pd.isna(v)
            else str(v.date() if isinstance(v, pd.Timestamp) else v),
            "record_on": d,
        }
        for s, c, v, d in zip(df["subject_id"], centers, values, dates, strict=True)
    ]


def _levels(text: Any) -> list[str]:
    if text is None or pd.isna(text):
        return []
    return [p.strip().upper() for p in str(text).split(",") if p.strip()]


def plausibility_findings(
    subjects: pd.DataFrame,
    assessments: pd.DataFrame,
    imaging: pd.DataFrame,
    adverse_events: pd.DataFrame,
    sbrt: pd.DataFrame,
    protocol: Protocol,
    as_of: dt.date,
) -> pd.DataFrame:
    """Every plausibility finding for the given rows (all centers given, dates up to any day)."""
    d = pd.Timestamp(as_of)
    el = protocol.eligibility
    s = subjects
    rand = s[s["randomized_on"].notna()]
    out: list[dict[str, Any]] = []

    # Eligibility (randomized subjects).
    low = rand[rand["baseline_nrs"].notna() & (rand["baseline_nrs"] < el.min_baseline_nrs)]
    out += _rows(
        low, "eligibility", "baseline_nrs_low", "subjects", "baseline_nrs", when="randomized_on"
    )
    lo, hi = VERTEBRAL_LEVELS.index(el.highest_level), VERTEBRAL_LEVELS.index(el.lowest_level)
    levels = rand["treated_levels"].map(_levels)
    outside = levels.map(
        lambda ls: any(
            lv not in VERTEBRAL_LEVELS or not lo <= VERTEBRAL_LEVELS.index(lv) <= hi for lv in ls
        )
    )
    out += _rows(
        rand[outside],
        "eligibility",
        "level_outside",
        "subjects",
        "treated_levels",
        when="randomized_on",
    )
    many = levels.map(len) > el.max_treated_levels
    out += _rows(
        rand[many],
        "eligibility",
        "too_many_levels",
        "subjects",
        "treated_levels",
        when="randomized_on",
    )
    gap = (rand["randomized_on"] - rand["baseline_imaging_on"]).dt.days
    early = rand[gap > el.max_imaging_days_before_enrollment]
    out += _rows(
        early,
        "eligibility",
        "imaging_too_early",
        "subjects",
        "baseline_imaging_on",
        value=[f"{g} days" for g in gap[early.index]],
        when="randomized_on",
    )
    out += _rows(
        rand[gap < 0],
        "eligibility",
        "imaging_after_enrollment",
        "subjects",
        "baseline_imaging_on",
        when="randomized_on",
    )
    out += _rows(
        rand[rand["baseline_imaging_on"].isna()],
        "eligibility",
        "no_imaging",
        "subjects",
        "baseline_imaging_on",
        when="randomized_on",
    )
    inel = rand[~rand["eligible"].fillna(True).astype(bool)]
    out += _rows(
        inel, "eligibility", "ineligible_randomized", "subjects", "eligible", when="randomized_on"
    )

    # Ranges.
    for table, frame, field, lo_v, hi_v, when in (
        ("subjects", s, "baseline_nrs", 0, 10, "screened_on"),
        ("subjects", s, "baseline_pafi", 0, 10, "screened_on"),
        ("assessments", assessments, "nrs", 0, 10, "assessed_on"),
        ("assessments", assessments, "pafi", 0, 10, "assessed_on"),
        ("adverse_events", adverse_events, "grade", 1, 5, "onset_on"),
        ("subjects", s, "age_years", 18, 100, "screened_on"),
    ):
        v = frame[field]
        bad = frame[v.notna() & ((v < lo_v) | (v > hi_v))]
        check = f"{field.removeprefix('baseline_')}_out_of_range"
        out += _rows(bad, "range", check, table, field, when=when)
    for table, frame, field, when in (
        ("subjects", s, "baseline_omed_mg", "screened_on"),
        ("assessments", assessments, "omed_mg", "assessed_on"),
    ):
        out += _rows(frame[frame[field] < 0], "range", "omed_negative", table, field, when=when)
    bad_mda = imaging[~imaging["mda_response"].isin(("CR", "PR", "SD", "PD", "NE"))]
    out += _rows(bad_mda, "range", "unknown_mda", "imaging", "mda_response", when="imaged_on")

    # Dates.
    screened = s.set_index("subject_id")["screened_on"]
    for table, frame, fields in (
        (
            "subjects",
            s,
            (
                "consented_on",
                "baseline_imaging_on",
                "procedure_on",
                "randomized_on",
                "off_study_on",
            ),
        ),
        ("assessments", assessments, ("assessed_on",)),
        ("imaging", imaging, ("imaged_on",)),
        ("adverse_events", adverse_events, ("onset_on", "resolved_on", "reported_on")),
        ("sbrt_courses", sbrt, ("started_on", "completed_on")),
    ):
        for field in fields:
            future = frame[frame[field] > d]
            out += _rows(future, "dates", "future_date", table, field, when=field)
            if field in ("baseline_imaging_on",):
                continue
            before = frame[frame[field] < frame["subject_id"].map(screened)]
            out += _rows(before, "dates", "before_screening", table, field, when=field)
    out += _rows(
        rand[rand["procedure_on"].isna()],
        "dates",
        "randomized_without_procedure",
        "subjects",
        "procedure_on",
        when="randomized_on",
    )
    before_proc = rand[rand["randomized_on"] < rand["procedure_on"]]
    out += _rows(
        before_proc,
        "dates",
        "randomized_before_procedure",
        "subjects",
        "randomized_on",
        when="randomized_on",
    )
    off_early = rand[rand["off_study_on"] < rand["randomized_on"]]
    out += _rows(
        off_early,
        "dates",
        "off_study_before_randomization",
        "subjects",
        "off_study_on",
        when="off_study_on",
    )
    died = s[s["off_study_reason"] == "died"].set_index("subject_id")["off_study_on"]
    for table, frame, field in (
        ("assessments", assessments, "assessed_on"),
        ("imaging", imaging, "imaged_on"),
    ):
        after = frame[frame[field] > frame["subject_id"].map(died)]
        out += _rows(after, "dates", "visit_after_death", table, field, when=field)
    ae_after = adverse_events[adverse_events["onset_on"] > adverse_events["subject_id"].map(died)]
    out += _rows(
        ae_after, "dates", "event_after_death", "adverse_events", "onset_on", when="onset_on"
    )
    resolved = adverse_events[adverse_events["resolved_on"] < adverse_events["onset_on"]]
    out += _rows(
        resolved, "dates", "resolved_before_onset", "adverse_events", "resolved_on", when="onset_on"
    )

    # SBRT: the departures of the randomization page, checked as of the data date.
    delivery = sbrt_delivery(
        rand,
        sbrt,
        protocol.arm_codes[1],
        protocol.sbrt.allowed_schemes,
        protocol.sbrt.late_start_day,
        protocol.sbrt.missing_after_days,
        as_of,
        protocol.day_zero,
    )
    dep = delivery.departures.merge(
        rand[["subject_id", "randomized_on"]], on="subject_id", how="left"
    )
    for r in dep.itertuples():
        out.append(
            {
                "subject_id": r.subject_id,
                "center_id": r.center_id,
                "category": "sbrt",
                "check": r.problem,
                "table": "sbrt_courses",
                "field": "started_on",
                "value": r.detail,
                "record_on": r.randomized_on,
            }
        )

    df = pd.DataFrame(out, columns=FINDING_COLUMNS)
    df["record_on"] = pd.to_datetime(df["record_on"])
    return df.sort_values(["category", "check", "subject_id"]).reset_index(drop=True)


def structure_findings(
    subjects: pd.DataFrame,
    assessments: pd.DataFrame,
    imaging: pd.DataFrame,
    adverse_events: pd.DataFrame,
    protocol: Protocol,
) -> pd.DataFrame:
    """Codes the protocol does not know and rows whose subject does not exist."""
    out: list[dict[str, Any]] = []
    known = set(subjects["subject_id"])
    out += _rows(
        subjects[~subjects["center_id"].isin(protocol.center_codes)],
        "structure",
        "unknown_center",
        "subjects",
        "center_id",
        when="screened_on",
    )
    arms = subjects[subjects["arm"].notna() & ~subjects["arm"].isin(protocol.arm_codes)]
    out += _rows(arms, "structure", "unknown_arm", "subjects", "arm", when="randomized_on")
    for table, frame, when in (
        ("assessments", assessments, "assessed_on"),
        ("imaging", imaging, "imaged_on"),
    ):
        odd = frame[~frame["visit_code"].isin(protocol.visit_codes)]
        out += _rows(
            odd.assign(center_id=None), "structure", "unknown_visit", table, "visit_code", when=when
        )
    for table, frame, when in (
        ("assessments", assessments, "assessed_on"),
        ("imaging", imaging, "imaged_on"),
        ("adverse_events", adverse_events, "onset_on"),
    ):
        orphans = frame[~frame["subject_id"].isin(known)]
        out += _rows(
            orphans.assign(center_id=None),
            "structure",
            "orphan_row",
            table,
            "subject_id",
            when=when,
        )
    df = pd.DataFrame(out, columns=FINDING_COLUMNS)
    df["record_on"] = pd.to_datetime(df["record_on"])
    return df


def counts_by_center(findings: pd.DataFrame, centers: Iterable[str]) -> pd.DataFrame:
    """Findings per center and category (every category a column, zeros kept)."""
    table = (
        pd.crosstab(findings["center_id"], findings["category"])
        if len(findings)
        else pd.DataFrame()
    )
    table = table.reindex(index=list(centers), columns=list(CATEGORIES), fill_value=0)
    table.index.name = "center_id"
    table.columns.name = None
    return table.reset_index()


def trend(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per month of the record they concern, per category."""
    dated = findings.dropna(subset=["record_on"])
    if dated.empty:
        return pd.DataFrame(columns=["month", "category", "n"])
    month = dated["record_on"].dt.to_period("M").dt.to_timestamp()
    return dated.assign(month=month).groupby(["month", "category"]).size().rename("n").reset_index()

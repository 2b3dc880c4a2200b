"""Randomization arithmetic: arm balance, baseline table by arm, CONSORT flow, SBRT delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.protocol import VERTEBRAL_LEVELS

SURPRISE_P = 0.05


def arm_balance(
    counts: pd.DataFrame, arm_codes: Sequence[str], max_block_imbalance: int
) -> pd.DataFrame:
    """Per center and overall: arm counts, difference, ratio, the block check and binomial p.

    `counts` has center_id and arm_<code> columns. Permuted blocks bound each stratum's
    difference by `max_block_imbalance`; overall (several strata) the bound is that times the
    number of centers. The exact two-sided binomial test asks whether a split this uneven is
    surprising under 1:1 allocation.
    """
    a, b = (f"arm_{code}" for code in arm_codes)
    rows = []
    frame = counts[["center_id", a, b]].copy()
    total = pd.DataFrame([{"center_id": "ALL", a: frame[a].sum(), b: frame[b].sum()}])
    for r in pd.concat([frame, total], ignore_index=True).itertuples(index=False):
        center, na, nb = r[0], int(r[1]), int(r[2])
        n = na + nb
        bound = max_block_imbalance * (len(frame) if center == "ALL" else 1)
        p = float(stats.binomtest(na, n, 0.5).pvalue) if n else 1.0
        rows.append(
            {
                "center_id": center,
                arm_codes[0]: na,
                arm_codes[1]: nb,
                "n": n,
                "difference": na - nb,
                "ratio": (na / nb) if nb else (np.inf if na else np.nan),
                "bound": bound,
                "exceeds_blocks": abs(na - nb) > bound,
                "p_value": p,
                "surprising": p < SURPRISE_P,
            }
        )
    return pd.DataFrame(rows)


def nrs_band(nrs: float | None) -> str:
    """PROTOCOL.md severity bands: 0 none, 1-3 mild, 4-6 moderate, 7-10 severe."""
    if nrs is None or pd.isna(nrs):
        return "missing"
    if nrs < 0 or nrs > 10:
        return "out_of_range"
    return "none" if nrs == 0 else "mild" if nrs <= 3 else "moderate" if nrs <= 6 else "severe"


def level_region(levels: str | None) -> str:
    """thoracic, lumbar, thoracolumbar (both), other (outside T/L), or missing."""
    if levels is None or pd.isna(levels) or not str(levels).strip():
        return "missing"
    parts = [p.strip().upper() for p in str(levels).split(",") if p.strip()]
    kinds = {p[0] for p in parts if p in VERTEBRAL_LEVELS}
    if not kinds or kinds - {"T", "L"} or len(kinds) != len({p[0] for p in parts}):
        return "other"
    return "thoracolumbar" if kinds == {"T", "L"} else "thoracic" if kinds == {"T"} else "lumbar"


def level_count(levels: str | None) -> str:
    """'1', '2', '3+' treated levels, or missing."""
    if levels is None or pd.isna(levels) or not str(levels).strip():
        return "missing"
    n = len([p for p in str(levels).split(",") if p.strip()])
    return str(n) if n <= 2 else "3+"


@dataclass(frozen=True)
class TableRow:
    """One line of Table 1: a variable heading or a statistic, with one cell per column."""

    variable: str
    statistic: str  # e.g. "mean_sd", "median_iqr", "missing", or a category code
    cells: dict[str, str]
    heading: bool = False


def _continuous(values: pd.Series, digits: int = 1) -> dict[str, str]:
    v = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    if v.empty:
        return {"mean_sd": "–", "median_iqr": "–"}
    sd = v.std(ddof=1) if len(v) > 1 else float("nan")
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    sd_text = "–" if np.isnan(sd) else f"{sd:.{digits}f}"
    return {
        "mean_sd": f"{v.mean():.{digits}f} ({sd_text})",
        "median_iqr": f"{med:.{digits}f} [{q1:.{digits}f}–{q3:.{digits}f}]",
    }


def _pct(k: int, n: int) -> str:
    return f"{k} ({k / n:.0%})" if n else "0"


def table_one(
    subjects: pd.DataFrame,
    arm_codes: Sequence[str],
    categories: dict[str, Sequence[str]],
) -> tuple[list[TableRow], dict[str, int]]:
    """Baseline characteristics by arm and in total.

    Continuous variables: mean (SD), median [IQR] and the number missing. Categorical: n (%) of
    the column's subjects, the denominators being the column sizes (missing values are a row
    of their own, never dropped). `categories` fixes the order of each categorical's levels.
    """
    df = subjects.copy()
    df["nrs_band"] = df["baseline_nrs"].map(nrs_band)
    df["levels_n"] = df["treated_levels"].map(level_count)
    df["region"] = df["treated_levels"].map(level_region)
    df["imaging_days"] = (df["randomized_on"] - df["baseline_imaging_on"]).dt.days
    df["sex"] = df["sex"].fillna("missing")
    df["primary_tumor"] = df["primary_tumor"].fillna("missing")
    columns = {code: df[df["arm"] == code] for code in arm_codes}
    columns["total"] = df
    sizes = {k: len(v) for k, v in columns.items()}
    rows: list[TableRow] = []

    def continuous(var: str, col: str, digits: int = 1) -> None:
        rows.append(TableRow(var, "", {}, heading=True))
        per = {k: _continuous(v[col], digits) for k, v in columns.items()}
        for stat in ("mean_sd", "median_iqr"):
            rows.append(TableRow(var, stat, {k: per[k][stat] for k in columns}))
        rows.append(
            TableRow(var, "missing", {k: str(int(v[col].isna().sum())) for k, v in columns.items()})
        )

    def categorical(var: str, col: str) -> None:
        rows.append(TableRow(var, "", {}, heading=True))
        levels = list(categories.get(var, []))
        present = [x for x in pd.unique(df[col].dropna()) if x not in levels and x != "missing"]
        for level in [*levels, *sorted(map(str, present)), "missing"]:
            cells = {k: _pct(int((v[col] == level).sum()), sizes[k]) for k, v in columns.items()}
            if level == "missing" and all(
                int((v[col] == level).sum()) == 0 for v in columns.values()
            ):
                cells = {k: "0" for k in columns}
            rows.append(TableRow(var, str(level), cells))

    continuous("age", "age_years")
    categorical("sex", "sex")
    categorical("primary_tumor", "primary_tumor")
    continuous("baseline_nrs", "baseline_nrs")
    categorical("nrs_band", "nrs_band")
    continuous("baseline_pafi", "baseline_pafi")
    continuous("baseline_omed", "baseline_omed_mg")
    categorical("levels_n", "levels_n")
    categorical("region", "region")
    continuous("imaging_days", "imaging_days", digits=0)
    return rows, sizes


@dataclass(frozen=True)
class ArmFlow:
    """The CONSORT boxes below allocation for one arm."""

    allocated: int
    received: int
    not_received: int
    pending: int
    off_study: dict[str, int] = field(default_factory=dict)
    with_m3: int = 0
    with_m12: int = 0


@dataclass(frozen=True)
class ConsortFlow:
    """CONSORT counts for the current filter."""

    assessed: int
    excluded: int
    excluded_reasons: dict[str, int]
    randomized: int
    arms: dict[str, ArmFlow]


def consort_flow(
    screened: pd.DataFrame,
    sbrt: pd.DataFrame,
    assessments: pd.DataFrame,
    arm_codes: Sequence[str],
    sbrt_arm: str,
    as_of: dt.date,
    sbrt_due_days: int,
    day_zero: str = "procedure_on",
) -> ConsortFlow:
    """The flow from screening to follow-up, as of a date.

    `screened`: every screened subject in scope (subject_id, eligible, screen_failure_reason,
    randomized_on, arm, the day-0 column, off_study_on, off_study_reason). Received allocated
    treatment: SBRT started (SBRT arm) or no SBRT (other arm). A subject of the SBRT arm without
    SBRT whose day 0 is less than `sbrt_due_days` before the as-of date is still pending.
    """
    d = pd.Timestamp(as_of)
    rand = screened["randomized_on"].notna() & (screened["randomized_on"] <= d)
    excluded = screened[~rand]
    reasons = (
        excluded["screen_failure_reason"]
        .where(~excluded["eligible"].astype(bool), "eligible, not randomized")
        .fillna("not recorded")
        .value_counts()
    )
    randomized = screened[rand]
    with_sbrt = set(sbrt["subject_id"])
    arms: dict[str, ArmFlow] = {}
    for code in arm_codes:
        mine = randomized[randomized["arm"] == code]
        got_sbrt = mine["subject_id"].isin(with_sbrt)
        if code == sbrt_arm:
            day0 = mine[day_zero]
            pending = ~got_sbrt & (day0.isna() | ((d - day0).dt.days < sbrt_due_days))
            received, not_received = int(got_sbrt.sum()), int((~got_sbrt & ~pending).sum())
            n_pending = int(pending.sum())
        else:
            received, not_received, n_pending = int((~got_sbrt).sum()), int(got_sbrt.sum()), 0
        left = mine[mine["off_study_on"].notna() & (mine["off_study_on"] <= d)]
        off = left["off_study_reason"].fillna("other")
        off = off[off != "completed"].value_counts()
        seen = assessments[assessments["subject_id"].isin(mine["subject_id"])]
        arms[code] = ArmFlow(
            allocated=len(mine),
            received=received,
            not_received=not_received,
            pending=n_pending,
            off_study={str(k): int(v) for k, v in off.items()},
            with_m3=int(seen[seen["visit_code"] == "M3"]["subject_id"].nunique()),
            with_m12=int(seen[seen["visit_code"] == "M12"]["subject_id"].nunique()),
        )
    return ConsortFlow(
        assessed=len(screened),
        excluded=len(excluded),
        excluded_reasons={str(k): int(v) for k, v in reasons.items()},
        randomized=len(randomized),
        arms=arms,
    )


def scheme_label(dose: float, fractions: int, allowed: Sequence[tuple[float, int]]) -> str:
    """'30 Gy / 5' for an allowed scheme, 'other' otherwise."""
    if (float(dose), int(fractions)) in {(float(a), int(b)) for a, b in allowed}:
        return f"{dose:g} Gy / {int(fractions)}"
    return "other"


@dataclass(frozen=True)
class Delivery:
    """SBRT delivery for the current filter."""

    sbrt_arm_n: int
    started: int
    completed: int
    schemes: pd.DataFrame  # center_id, scheme, n
    start_days: pd.DataFrame  # subject_id, center_id, days, late
    departures: pd.DataFrame  # subject_id, center_id, arm, problem, detail
    other_arm_with_sbrt: int


def sbrt_delivery(
    randomized: pd.DataFrame,
    sbrt: pd.DataFrame,
    sbrt_arm: str,
    allowed: Sequence[tuple[float, int]],
    late_start_day: int,
    missing_after_days: int,
    as_of: dt.date,
    day_zero: str = "procedure_on",
) -> Delivery:
    """Who started and completed SBRT, with which scheme, how soon; and every departure."""
    d = pd.Timestamp(as_of)
    # The subject's center, arm and day 0 come from the subjects; drop copies the caller joined.
    own = [c for c in ("center_id", "arm", day_zero) if c in sbrt.columns]
    courses = sbrt.drop(columns=own).merge(
        randomized[["subject_id", "center_id", "arm", day_zero]], on="subject_id"
    )
    arm_sbrt = randomized[randomized["arm"] == sbrt_arm]
    in_arm = courses[courses["arm"] == sbrt_arm]
    completed = in_arm["completed_on"].notna() & (in_arm["completed_on"] <= d)
    schemes = (
        in_arm.assign(
            scheme=[
                scheme_label(a, b, allowed)
                for a, b in zip(in_arm["total_dose_gy"], in_arm["fractions"], strict=True)
            ]
        )
        .groupby(["center_id", "scheme"], as_index=False)
        .size()
        .rename(columns={"size": "n"})
    )
    days = (in_arm["started_on"] - in_arm[day_zero]).dt.days
    start_days = pd.DataFrame(
        {
            "subject_id": in_arm["subject_id"],
            "center_id": in_arm["center_id"],
            "days": days,
            "late": days > late_start_day,
        }
    ).dropna(subset=["days"])
    departures: list[dict[str, Any]] = []
    for r in courses.itertuples():
        if pd.isna(r.arm) or r.arm != sbrt_arm:  # no arm recorded counts as not the SBRT arm
            departures.append(
                {
                    "subject_id": r.subject_id,
                    "center_id": r.center_id,
                    "arm": r.arm,
                    "problem": "sbrt_in_other_arm",
                    "detail": f"{r.total_dose_gy:g} Gy / {r.fractions}",
                }
            )
            continue
        if scheme_label(r.total_dose_gy, r.fractions, allowed) == "other":
            departures.append(
                {
                    "subject_id": r.subject_id,
                    "center_id": r.center_id,
                    "arm": r.arm,
                    "problem": "scheme_not_allowed",
                    "detail": f"{r.total_dose_gy:g} Gy / {r.fractions}",
                }
            )
        day0 = getattr(r, day_zero)
        if pd.notna(day0) and (r.started_on - day0).days > late_start_day:
            departures.append(
                {
                    "subject_id": r.subject_id,
                    "center_id": r.center_id,
                    "arm": r.arm,
                    "problem": "late_start",
                    "detail": f"day {(r.started_on - day0).days}",
                }
            )
    started_ids = set(in_arm["subject_id"])
    for r in arm_sbrt.itertuples():
        day0 = getattr(r, day_zero)
        if (
            r.subject_id not in started_ids
            and pd.notna(day0)
            and (d - day0).days > missing_after_days
        ):
            departures.append(
                {
                    "subject_id": r.subject_id,
                    "center_id": r.center_id,
                    "arm": r.arm,
                    "problem": "no_sbrt",
                    "detail": f"day {(d - day0).days}",
                }
            )
    return Delivery(
        sbrt_arm_n=len(arm_sbrt),
        started=int(in_arm["subject_id"].nunique()),
        completed=int(completed.sum()),
        schemes=schemes,
        start_days=start_days,
        departures=pd.DataFrame(
            departures, columns=["subject_id", "center_id", "arm", "problem", "detail"]
        ),
        other_arm_with_sbrt=int((courses["arm"] != sbrt_arm).sum()),
    )

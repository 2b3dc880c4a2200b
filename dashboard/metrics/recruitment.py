"""Recruitment arithmetic: enrollment against targets and plan, accrual per month, screening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.metrics.accrual import (
    PooledForecast,
    RatePosterior,
    TargetForecast,
    count_fan,
    pooled_forecast,
    rate_posterior,
    time_to_target,
)
from dashboard.protocol import Center

# A center within this share of its planned enrollment counts as on track.
ON_TRACK_SHARE = 0.9


def planned_enrollment(center: Center, on: dt.date) -> float:
    """Subjects the plan expects randomized by a date: linear from first to last planned day."""
    span = (center.planned_last_enrollment - center.planned_first_enrollment).days
    elapsed = (on - center.planned_first_enrollment).days
    share = min(max(elapsed / span, 0.0), 1.0)
    return center.target * share


def plan_status(randomized: int, planned: float) -> str:
    """`not_started`, `on_track` (at least 90% of plan) or `behind`."""
    if planned <= 0:
        return "on_track" if randomized > 0 else "not_started"
    return "on_track" if randomized >= ON_TRACK_SHARE * planned else "behind"


def enrollment_table(
    counts: pd.DataFrame, centers: Sequence[Center], arm_codes: Sequence[str], as_of: dt.date
) -> pd.DataFrame:
    """One row per center in scope (zeros where nothing happened yet) with plan and status.

    `counts` has columns center_id, screened, eligible, randomized and arm_<code> per arm.
    """
    count_cols = ["screened", "eligible", "randomized", *(f"arm_{a}" for a in arm_codes)]
    by_center = counts.set_index("center_id") if len(counts) else pd.DataFrame()
    rows = []
    for c in centers:
        got = {
            col: int(by_center.at[c.code, col])
            if c.code in by_center.index and pd.notna(by_center.at[c.code, col])
            else 0
            for col in count_cols
        }
        planned = planned_enrollment(c, as_of)
        rows.append(
            {
                "center_id": c.code,
                "target": c.target,
                **got,
                "screen_failed": got["screened"] - got["eligible"],
                "pct_target": got["randomized"] / c.target,
                "planned": planned,
                "vs_plan": got["randomized"] - planned,
                "status": plan_status(got["randomized"], planned),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "center_id",
            "target",
            *count_cols,
            "screen_failed",
            "pct_target",
            "planned",
            "vs_plan",
            "status",
        ],
    )


def enrollment_overall(table: pd.DataFrame) -> dict[str, float | int]:
    """Totals over the centers of an enrollment table."""
    keys = [
        c
        for c in table.columns
        if c in ("target", "screened", "eligible", "randomized", "screen_failed")
        or c.startswith("arm_")
    ]
    out: dict[str, float | int] = {k: int(table[k].sum()) for k in keys}
    target = out.get("target", 0)
    out["pct_target"] = out["randomized"] / target if target else 0.0
    out["planned"] = float(table["planned"].sum())
    out["vs_plan"] = out["randomized"] - out["planned"]
    out["screen_fail_share"] = out["screen_failed"] / out["screened"] if out["screened"] else 0.0
    return out


def cumulative_enrollment(by_day: pd.DataFrame, group: str | None = "center_id") -> pd.DataFrame:
    """Cumulative randomized count per day (and per group), from per-day counts.

    Returns columns date, [group], cumulative; one row per day on which someone was randomized.
    """
    if by_day.empty:
        cols = ["date", group, "cumulative"] if group else ["date", "cumulative"]
        return pd.DataFrame(columns=cols)
    keys = ["randomized_on", group] if group else ["randomized_on"]
    daily = by_day.groupby(keys, as_index=False)["n"].sum().sort_values(keys)
    if group:
        daily["cumulative"] = daily.groupby(group)["n"].cumsum()
    else:
        daily["cumulative"] = daily["n"].cumsum()
    daily = daily.rename(columns={"randomized_on": "date"})
    return daily.drop(columns="n").reset_index(drop=True)


def monthly_accrual(by_day: pd.DataFrame, first_month: dt.date, as_of: dt.date) -> pd.DataFrame:
    """Randomized per calendar month and center, every month from first_month to as_of (zeros kept).

    Returns columns month (first day of month, Timestamp), center_id, n.
    """
    months = pd.period_range(pd.Timestamp(first_month), pd.Timestamp(as_of), freq="M")
    centers = sorted(by_day["center_id"].unique()) if len(by_day) else []
    if not centers or len(months) == 0:
        return pd.DataFrame(columns=["month", "center_id", "n"])
    grid = pd.MultiIndex.from_product([months, centers], names=["period", "center_id"])
    df = by_day.assign(period=by_day["randomized_on"].dt.to_period("M"))
    counts = df.groupby(["period", "center_id"])["n"].sum().reindex(grid, fill_value=0)
    out = counts.reset_index()
    out["month"] = out["period"].dt.to_timestamp()
    return out[["month", "center_id", "n"]].astype({"n": "int64"})


def randomized_in_month(by_day: pd.DataFrame, as_of: dt.date) -> int:
    """How many were randomized in the calendar month of the as-of date, up to it."""
    if by_day.empty:
        return 0
    start = pd.Timestamp(as_of.replace(day=1))
    mask = (by_day["randomized_on"] >= start) & (by_day["randomized_on"] <= pd.Timestamp(as_of))
    return int(by_day.loc[mask, "n"].sum())


def screen_failure_reasons(failures: pd.DataFrame) -> pd.DataFrame:
    """Screen failures per reason over the centers given, most frequent first."""
    if failures.empty:
        return pd.DataFrame(columns=["reason", "n"])
    out = failures.groupby("reason", as_index=False)["n"].sum()
    return out.sort_values(["n", "reason"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class CenterExposure:
    """How long a center has been recruiting by the as-of date, and from when."""

    center_id: str
    start: dt.date
    days: int


def center_exposure(
    center: Center, activated_on: dt.date | None, first_randomized: dt.date | None, as_of: dt.date
) -> CenterExposure:
    """Recruiting time from activation (else first randomization, else the planned start)."""
    start = activated_on or first_randomized or center.planned_first_enrollment
    if first_randomized is not None and first_randomized < start:
        start = first_randomized
    return CenterExposure(center.code, start, max((as_of - start).days, 0))


def plan_curve(centers: Sequence[Center], until: dt.date | None = None) -> pd.DataFrame:
    """The planned cumulative enrollment of a set of centers (sum of their linear plans).

    Returns columns date, planned at every breakpoint (each center's planned first and last day),
    cut at `until` when given.
    """
    if not centers:
        return pd.DataFrame(columns=["date", "planned"])
    days = sorted(
        {c.planned_first_enrollment for c in centers} | {c.planned_last_enrollment for c in centers}
    )
    if until is not None:
        days = [d for d in days if d <= until] + ([until] if until not in days else [])
        days = sorted(set(days))
    return pd.DataFrame(
        {
            "date": [pd.Timestamp(d) for d in days],
            "planned": [sum(planned_enrollment(c, d) for c in centers) for d in days],
        }
    )


@dataclass(frozen=True)
class CenterForecast:
    """A center's accrual forecast with its fan."""

    center_id: str
    rate_per_month: float | None
    target: TargetForecast
    fan: pd.DataFrame


@dataclass(frozen=True)
class RecruitmentReport:
    """Everything the recruitment page and the summary show, computed once."""

    as_of: dt.date
    table: pd.DataFrame
    overall: dict[str, float | int]
    cumulative: pd.DataFrame  # date, cumulative (all centers in scope)
    cumulative_by_center: pd.DataFrame  # date, center_id, cumulative
    monthly: pd.DataFrame
    failure_reasons: pd.DataFrame
    this_month: int
    plan: pd.DataFrame  # date, planned (all centers in scope)
    center_forecasts: dict[str, CenterForecast]
    forecast: PooledForecast
    interval: float


def recruitment_report(
    counts: pd.DataFrame,
    by_day: pd.DataFrame,
    failures: pd.DataFrame,
    activations: pd.DataFrame,
    centers: Sequence[Center],
    arm_codes: Sequence[str],
    as_of: dt.date,
    prior_weight: float,
    interval: float,
) -> RecruitmentReport:
    """Combine the query results into the recruitment report for the centers in scope."""
    table = enrollment_table(counts, centers, arm_codes, as_of)
    overall = enrollment_overall(table)
    activated = {
        str(r.center_id): (r.activated_on.date() if pd.notna(r.activated_on) else None)
        for r in activations.itertuples()
    }
    first_rand = by_day.groupby("center_id")["randomized_on"].min() if len(by_day) else pd.Series()
    forecasts: dict[str, CenterForecast] = {}
    posteriors: list[RatePosterior] = []
    horizon_end = as_of
    for c in centers:
        row = table.loc[table["center_id"] == c.code].iloc[0]
        n = int(row["randomized"])
        first = first_rand.get(c.code)
        exposure = center_exposure(
            c, activated.get(c.code), first.date() if first is not None else None, as_of
        )
        planned_days = (c.planned_last_enrollment - c.planned_first_enrollment).days
        post = rate_posterior(n, exposure.days, c.target, planned_days, prior_weight)
        # Recruitment cannot start before the later of the data date and the planned start.
        start = max(as_of, c.planned_first_enrollment) if exposure.days == 0 else as_of
        target = time_to_target(post, n, c.target, start, interval)
        until = target.high or (start + dt.timedelta(days=180))
        horizon_end = max(horizon_end, until)
        fan = count_fan(post, n, start, until, interval)
        forecasts[c.code] = CenterForecast(
            c.code, post.mean_per_month if post else None, target, fan
        )
        if post is not None:
            posteriors.append(post)
    total_target = sum(c.target for c in centers)
    pooled = pooled_forecast(posteriors, int(overall["randomized"]), total_target, as_of, interval)
    first_month = (
        min(
            [c.planned_first_enrollment for c in centers]
            + ([first_rand.min().date()] if len(first_rand) else [])
        )
        if centers
        else as_of
    )
    return RecruitmentReport(
        as_of=as_of,
        table=table,
        overall=overall,
        cumulative=cumulative_enrollment(by_day, group=None),
        cumulative_by_center=cumulative_enrollment(by_day, group="center_id"),
        monthly=monthly_accrual(by_day, first_month, as_of),
        failure_reasons=screen_failure_reasons(failures),
        this_month=randomized_in_month(by_day, as_of),
        plan=plan_curve(centers),
        center_forecasts=forecasts,
        forecast=pooled,
        interval=interval,
    )

"""Local control: MD Anderson responses per arm and visit, DCR with exact CI, time to first PD.

DCR = (CR + PR + SD) / evaluable, evaluable = CR + PR + SD + PD (NE excluded), per arm and
imaging visit, with a Clopper-Pearson 95% CI. Time to local progression: from day 0 to the first
imaging read as PD; subjects without PD are censored at their last evaluable image (deaths and
withdrawals without PD are censored there too: a competing risk the curve does not model).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.metrics.outcomes import exact_ci

MDA = ("CR", "PR", "SD", "PD", "NE")


def mda_counts(imaging: pd.DataFrame, visits: Sequence[str]) -> pd.DataFrame:
    """Counts of each MDA category per arm and visit; unknown codes are counted as 'other'."""
    df = imaging.assign(
        category=imaging["mda_response"].where(imaging["mda_response"].isin(MDA), "other")
    )
    table = pd.crosstab([df["arm"], df["visit_code"]], df["category"])
    table = table.reindex(columns=[*MDA, "other"], fill_value=0).reset_index()
    table.columns.name = None
    order = {v: i for i, v in enumerate(visits)}
    table = table[table["visit_code"].isin(order)]
    return table.sort_values(
        ["arm", "visit_code"], key=lambda s: s.map(order) if s.name == "visit_code" else s
    ).reset_index(drop=True)


def dcr_table(counts: pd.DataFrame) -> pd.DataFrame:
    """DCR per arm and visit with evaluable n and exact CI, from mda_counts output."""
    out = counts[["arm", "visit_code"]].copy()
    out["controlled"] = counts["CR"] + counts["PR"] + counts["SD"]
    out["evaluable"] = out["controlled"] + counts["PD"]
    out["not_evaluable"] = counts["NE"]
    out["dcr"] = (out["controlled"] / out["evaluable"]).where(out["evaluable"] > 0)
    cis = [exact_ci(k, n) for k, n in zip(out["controlled"], out["evaluable"], strict=True)]
    out["ci_low"] = [lo for lo, _ in cis]
    out["ci_high"] = [hi for _, hi in cis]
    return out


def time_to_progression(imaging: pd.DataFrame, subjects: pd.DataFrame) -> pd.DataFrame:
    """Per randomized subject with a day 0 and an evaluable image: days to first PD or censoring.

    `imaging`: subject_id, imaged_on, mda_response. `subjects`: subject_id, arm, day0.
    """
    img = imaging[imaging["mda_response"].isin(("CR", "PR", "SD", "PD"))]
    img = img.drop(columns=[c for c in ("arm", "day0") if c in img.columns])
    img = img.merge(subjects[["subject_id", "arm", "day0"]], on="subject_id")
    img = img.dropna(subset=["day0", "imaged_on"])
    img = img.assign(day=(img["imaged_on"] - img["day0"]).dt.days)
    img = img[img["day"] >= 0]
    if img.empty:
        return pd.DataFrame(columns=["subject_id", "arm", "days", "event"])
    keys = ["subject_id", "arm"]
    last = img.groupby(keys)["day"].max()
    first_pd = img[img["mda_response"] == "PD"].groupby(keys)["day"].min()
    out = pd.DataFrame({"last": last}).join(first_pd.rename("pd"), how="left")
    out["event"] = out["pd"].notna().astype(int)
    out["days"] = out["pd"].fillna(out["last"]).astype(int)
    return out.reset_index()[["subject_id", "arm", "days", "event"]]


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve with its 95% CI and numbers at risk at chosen times."""

    arm: str
    curve: pd.DataFrame  # days, survival, ci_low, ci_high
    at_risk: dict[int, int]
    events: int
    n: int
    median_days: float


def kaplan_meier(ttp: pd.DataFrame, arm: str, risk_times: Sequence[int]) -> KaplanMeier | None:
    """Kaplan-Meier estimate of freedom from local progression for one arm (lifelines)."""
    from lifelines import KaplanMeierFitter

    mine = ttp[ttp["arm"] == arm]
    if mine.empty:
        return None
    kmf = KaplanMeierFitter(alpha=0.05)
    kmf.fit(mine["days"], event_observed=mine["event"], label=arm)
    sf = kmf.survival_function_
    ci = kmf.confidence_interval_survival_function_
    curve = pd.DataFrame(
        {
            "days": sf.index.to_numpy(dtype=float),
            "survival": sf.iloc[:, 0].to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
        }
    )
    days = mine["days"].to_numpy()
    at_risk = {int(t): int((days >= t).sum()) for t in risk_times}
    median = float(kmf.median_survival_time_)
    return KaplanMeier(
        arm,
        curve,
        at_risk,
        int(mine["event"].sum()),
        len(mine),
        median if math.isfinite(median) else math.nan,
    )

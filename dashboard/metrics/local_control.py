"""The local control page model: MD Anderson responses, DCR with exact CI, time to first PD.

DCR = (CR + PR + SD) / evaluable, evaluable = CR + PR + SD + PD (NE excluded), per arm and
imaging visit, with a Clopper-Pearson 95% CI. Time to local progression: from day 0 to the first
imaging read as PD; subjects without PD are censored at their last evaluable image (deaths and
withdrawals without PD are censored there too: a competing risk the curve does not model).
The Kaplan-Meier estimate is computed from the counts of events and censorings per day, with
the log(-log) ("exponential Greenwood") 95% interval, as lifelines and most software give it.
Counts are as randomized.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from dashboard.metrics.intervals import proportion
from dashboard.metrics.model import Proportion, Record, ScopeInfo
from dashboard.protocol import Protocol, months_to_days

MDA = ("CR", "PR", "SD", "PD", "NE")
CATEGORIES = (*MDA, "other")
Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Dcr:
    """Disease control at one imaging visit: the counts behind the rate and its interval."""

    counts: dict[str, int]
    evaluable: int
    controlled: int
    not_evaluable: int
    rate: Proportion


@dataclass(frozen=True)
class KmStep:
    """The Kaplan-Meier estimate from a day on (until the next step), with its 95% band."""

    day: int
    survival: float
    low: float | None
    high: float | None
    at_risk: int
    events: int
    censored: int


@dataclass(frozen=True)
class KaplanMeier:
    """Freedom from local progression for one arm."""

    steps: tuple[KmStep, ...]
    subjects: int
    events: int
    censored_days: tuple[int, ...]
    median_days: int | None
    at_risk: dict[int, int]
    last_day: int


@dataclass(frozen=True)
class LocalControlModel:
    """Everything the local control page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    arms: tuple[str, ...]
    visits: tuple[str, ...]
    headline_visit: str | None
    images: int
    dcr: dict[str, dict[str, Dcr]]
    km: dict[str, KaplanMeier]
    km_subjects: int
    risk_days: tuple[int, ...]
    risk_months: tuple[int, ...]
    method: str = "kaplan_meier_log_log"


def kaplan_meier(
    counts: Sequence[tuple[int, int, int]], risk_days: Sequence[int]
) -> KaplanMeier | None:
    """Product-limit estimate from (day, event, n) counts; None without subjects.

    At each day with an event or a censoring: n at risk (time >= day), d events; S drops by
    the factor 1 - d / n. Var(log S) by Greenwood; the band is exp(-exp(log(-log S) ± z σ))
    with σ² = Σ d / (n (n - d)) / (log S)². The curve ends at the last observed day: it never
    drops at a censoring.
    """
    per_day: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for day, event, n in counts:
        per_day[int(day)][1 if event else 0] += int(n)
    total = sum(c + e for c, e in per_day.values())
    if total == 0:
        return None
    at_risk = total
    survival = 1.0
    greenwood = 0.0
    steps = [KmStep(0, 1.0, 1.0, 1.0, total, 0, 0)]
    censored_days = []
    for day in sorted(per_day):
        censored, events = per_day[day]
        if events:
            survival *= 1 - events / at_risk
            if at_risk > events:
                greenwood += events / (at_risk * (at_risk - events))
            else:
                greenwood = math.inf
        low: float | None
        high: float | None
        if survival >= 1.0:
            low, high = 1.0, 1.0
        elif survival <= 0.0 or not math.isfinite(greenwood):
            low, high = (0.0, 0.0) if survival <= 0.0 else (None, None)
        else:
            sigma = math.sqrt(greenwood) / abs(math.log(survival))
            centre = math.log(-math.log(survival))
            low = math.exp(-math.exp(centre + Z95 * sigma))
            high = math.exp(-math.exp(centre - Z95 * sigma))
        if censored:
            censored_days.append(day)
        if day == 0 and steps and steps[0].day == 0:
            steps[0] = KmStep(0, survival, low, high, at_risk, events, censored)
        else:
            steps.append(KmStep(day, survival, low, high, at_risk, events, censored))
        at_risk -= censored + events
    times = sorted(per_day)
    median = next((s.day for s in steps if s.survival <= 0.5), None)
    return KaplanMeier(
        steps=tuple(steps),
        subjects=total,
        events=sum(e for _, e in per_day.values()),
        censored_days=tuple(censored_days),
        median_days=median,
        at_risk={int(t): sum(c + e for d, (c, e) in per_day.items() if d >= t) for t in risk_days},
        last_day=times[-1],
    )


def local_control_model(
    mda: Sequence[Record],
    times: Sequence[Record],
    protocol: Protocol,
    scope: ScopeInfo,
) -> LocalControlModel:
    """The local control page model for a scope (centers and arms)."""
    keep, arms = set(scope.centers), [a for a in protocol.arm_codes if a in scope.arms]
    visits = protocol.visits_collecting("imaging")
    mda = [r for r in mda if r["center_id"] in keep and r["arm"] in arms]
    times = [r for r in times if r["center_id"] in keep and r["arm"] in arms]
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {c: 0 for c in CATEGORIES})
    for r in mda:
        tally[(r["arm"], r["visit_code"])][r["category"]] += r["n"]
    dcr: dict[str, dict[str, Dcr]] = {}
    for a in arms:
        dcr[a] = {}
        for v in visits:
            c = tally.get((a, v))
            if c is None:
                continue
            controlled = c["CR"] + c["PR"] + c["SD"]
            evaluable = controlled + c["PD"]
            dcr[a][v] = Dcr(
                dict(c), evaluable, controlled, c["NE"], proportion(controlled, evaluable)
            )
    risk_days = tuple(months_to_days(m) for m in protocol.km_risk_months)
    km = {}
    for a in arms:
        fit = kaplan_meier(
            [(r["days"], r["event"], r["n"]) for r in times if r["arm"] == a], risk_days
        )
        if fit is not None:
            km[a] = fit
    return LocalControlModel(
        scope=scope,
        population="as_randomized",
        as_of=scope.as_of,
        arms=tuple(arms),
        visits=visits,
        headline_visit=protocol.headline_visit("imaging"),
        images=sum(r["n"] for r in mda),
        dcr=dcr,
        km=km,
        km_subjects=sum(fit.subjects for fit in km.values()),
        risk_days=risk_days,
        risk_months=protocol.km_risk_months,
    )

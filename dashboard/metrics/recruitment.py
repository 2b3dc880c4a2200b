"""The recruitment page model: enrollment against targets and plan, accrual, screening, forecast.

Counts are as randomized (ICH E9): every randomized subject counts, whatever arm they were
treated in. The arm filter does not apply here (screening comes before allocation); the model
says so and the page shows it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from dashboard.metrics.accrual import (
    CLOSED,
    REACHED,
    STALLED,
    CenterAccrual,
    FanPoint,
    TargetForecast,
    pooled_forecast,
    rate_posterior,
)
from dashboard.metrics.model import Record, ScopeInfo
from dashboard.protocol import Center, Protocol

# A center within this share of its planned enrollment counts as on track.
ON_TRACK_SHARE = 0.9
# Small multiples drawn at most; beyond, the largest targets are drawn and the rest named.
MAX_PANELS = 12


@dataclass(frozen=True)
class DatePoint:
    """A value on a date (a step of a cumulative curve, a point of a plan line)."""

    date: dt.date
    value: float


@dataclass(frozen=True)
class Enrollment:
    """Enrollment of a center, or of all centers in scope, against target and plan."""

    target: int
    screened: int
    eligible: int
    screen_failed: int
    randomized: int
    by_arm: dict[str, int]
    pct_target: float
    planned_by_now: float
    vs_plan: float
    # randomized / planned by now (None before the plan expects anyone): the status rule's input
    plan_share: float | None
    status: str  # reached, closed, on_track, behind, not_started (plan_status)
    rate_per_month: float | None
    forecast: TargetForecast


@dataclass(frozen=True)
class Overall(Enrollment):
    """The totals over the centers in scope."""

    screen_fail_share: float | None = None
    randomized_this_month: int = 0


@dataclass(frozen=True)
class ReasonCount:
    """Screen failures for one recorded reason."""

    reason: str
    n: int


@dataclass(frozen=True)
class Monthly:
    """Randomized per calendar month and center (zeros kept), months as first days."""

    months: tuple[dt.date, ...]
    by_center: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class Enrolment:
    """Whether enrolment is open: closed on a date the protocol gives, or taken as closed.

    Taken as closed when nobody in the trial was randomized for the protocol's idle days
    (`declared` False); `last_randomized` is the trial's last randomization, any center.
    """

    closed_on: dt.date | None
    declared: bool
    last_randomized: dt.date | None
    idle_days: int

    @property
    def closed(self) -> bool:
        """True once enrolment has closed."""
        return self.closed_on is not None


@dataclass(frozen=True)
class RecruitmentModel:
    """Everything the recruitment page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    overall: Overall
    by_center: dict[str, Enrollment]
    cumulative: tuple[DatePoint, ...]
    cumulative_by_center: dict[str, tuple[DatePoint, ...]]
    plan: tuple[DatePoint, ...]
    plan_by_center: dict[str, tuple[DatePoint, ...]]
    fan: tuple[FanPoint, ...]
    fan_by_center: dict[str, tuple[FanPoint, ...]]
    monthly: Monthly
    failure_reasons: tuple[ReasonCount, ...]
    failures_total: int
    panel_centers: tuple[str, ...]
    enrolment: Enrolment
    forecast_method: str = "poisson_gamma_negative_binomial"


def planned_enrollment(center: Center, on: dt.date) -> float:
    """Subjects the plan expects randomized by a date: linear from first to last planned day."""
    span = (center.planned_last_enrollment - center.planned_first_enrollment).days
    elapsed = (on - center.planned_first_enrollment).days
    share = min(max(elapsed / span, 0.0), 1.0)
    return center.target * share


def plan_status(
    randomized: int,
    planned: float,
    target: int,
    closed: bool = False,
    on_track_share: float = ON_TRACK_SHARE,
) -> str:
    """`reached`, `closed`, `on_track`, `behind` or `not_started`, by one rule.

    In this order. Reached: the target is randomized. Closed: enrolment has closed short of
    it. Before the plan expects anyone: on track once someone is randomized, else not
    started. Otherwise on track at `on_track_share` (the protocol's, 90% by default) of the
    plan by now or more, behind below it. So a total a few subjects under the plan may be on
    track: the status and the signed difference from the plan read the same two numbers.
    """
    if randomized >= target:
        return "reached"
    if closed:
        return "closed"
    if planned <= 0:
        return "on_track" if randomized > 0 else "not_started"
    return "on_track" if randomized >= on_track_share * planned else "behind"


def plan_curve(centers: Sequence[Center], until: dt.date | None = None) -> tuple[DatePoint, ...]:
    """The planned cumulative enrollment of a set of centers (sum of their linear plans).

    Points at every breakpoint (each center's planned first and last day), cut at `until`.
    """
    if not centers:
        return ()
    days = sorted(
        {c.planned_first_enrollment for c in centers} | {c.planned_last_enrollment for c in centers}
    )
    if until is not None:
        days = sorted({d for d in days if d <= until} | {until})
    return tuple(DatePoint(d, sum(planned_enrollment(c, d) for c in centers)) for d in days)


def center_start(
    center: Center, activated_on: dt.date | None, first_randomized: dt.date | None
) -> dt.date:
    """When a center started recruiting: activation, else first randomization, else the plan.

    A randomization before the recorded activation wins (the data are right about that).
    """
    start = activated_on or first_randomized or center.planned_first_enrollment
    if first_randomized is not None and first_randomized < start:
        start = first_randomized
    return start


def cumulative_steps(by_day: Sequence[Record], as_of: dt.date) -> tuple[DatePoint, ...]:
    """Cumulative randomized count on each day someone was randomized, held to the data date.

    `by_day`: rows with randomized_on and n.
    """
    per_day: dict[dt.date, int] = defaultdict(int)
    for r in by_day:
        per_day[r["randomized_on"]] += r["n"]
    if not per_day:
        return ()
    points, total = [], 0
    for day in sorted(per_day):
        total += per_day[day]
        points.append(DatePoint(day, float(total)))
    if points[-1].date < as_of:
        points.append(DatePoint(as_of, float(total)))
    return tuple(points)


def month_starts(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """First days of every calendar month from first's month to last's month."""
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(months)


def monthly_accrual(
    by_day: Sequence[Record], centers: Sequence[str], first_month: dt.date, as_of: dt.date
) -> Monthly:
    """Randomized per calendar month and center, every month from first_month to as_of."""
    months = month_starts(first_month, as_of)
    index = {m: i for i, m in enumerate(months)}
    counts = {c: [0] * len(months) for c in centers}
    for r in by_day:
        i = index.get(r["randomized_on"].replace(day=1))
        if i is not None and r["center_id"] in counts:
            counts[r["center_id"]][i] += r["n"]
    return Monthly(months, {c: tuple(v) for c, v in counts.items()})


def enrolment_state(
    protocol: Protocol, last_randomized: dt.date | None, as_of: dt.date
) -> Enrolment:
    """Whether enrolment has closed, as of a date.

    Closed on the protocol's date once it has passed; else taken as closed on the last
    randomization when nobody was randomized in the protocol's idle days since.
    """
    declared = protocol.enrolment_closed_on
    if declared is not None and declared <= as_of:
        return Enrolment(declared, True, last_randomized, protocol.idle_days)
    idle = last_randomized is not None and (as_of - last_randomized).days >= protocol.idle_days
    return Enrolment(last_randomized if idle else None, False, last_randomized, protocol.idle_days)


def reached_on(steps: Sequence[DatePoint], target: int) -> dt.date | None:
    """The day a cumulative count first reached the target (None: not reached)."""
    return next((p.date for p in steps if p.value >= target), None)


def center_forecast(
    accrual: CenterAccrual,
    enrolment: Enrolment,
    started: dt.date,
    steps: Sequence[DatePoint],
    as_of: dt.date,
    protocol: Protocol,
) -> tuple[TargetForecast, tuple[FanPoint, ...]]:
    """A center's forecast and fan, knowing where the trial is (`steps`: its cumulative count).

    Reached: the day it was, no fan. Enrolment closed: no forecast. A recruiting center with
    nobody randomized for the idle days (since its last randomization, else since it started):
    stalled, no forecast. Else the closed-form forecast (no dates beyond the horizon).
    """
    interval = protocol.forecast_interval
    if accrual.randomized >= accrual.target:
        return TargetForecast.without_dates(
            REACHED, interval, reached_on(steps, accrual.target)
        ), ()
    if enrolment.closed:
        return TargetForecast.without_dates(CLOSED, interval, enrolment.closed_on), ()
    # The last randomization (the last rise of the steps; the final step holds at the date).
    rises = [
        p.date
        for p, q in zip(steps, (None, *steps), strict=False)
        if q is None or p.value > q.value
    ]
    since = rises[-1] if rises else started
    if (as_of - since).days >= protocol.idle_days:
        return TargetForecast.without_dates(STALLED, interval, since), ()
    return pooled_forecast([accrual], as_of, interval, protocol.forecast_horizon_days)


def _enrollment(
    counts: Mapping[str, int],
    by_arm: dict[str, int],
    target: int,
    planned: float,
    rate: float | None,
    forecast: TargetForecast,
    closed: bool,
    on_track_share: float,
) -> dict[str, object]:
    randomized = counts["randomized"]
    return {
        "target": target,
        "screened": counts["screened"],
        "eligible": counts["eligible"],
        "screen_failed": counts["screened"] - counts["eligible"],
        "randomized": randomized,
        "by_arm": by_arm,
        "pct_target": randomized / target if target else 0.0,
        "planned_by_now": planned,
        "vs_plan": randomized - planned,
        "plan_share": randomized / planned if planned > 0 else None,
        "status": plan_status(randomized, planned, target, closed, on_track_share),
        "rate_per_month": rate,
        "forecast": forecast,
    }


def recruitment_model(
    counts: Sequence[Record],
    by_day: Sequence[Record],
    failures: Sequence[Record],
    activations: Mapping[str, dt.date | None],
    protocol: Protocol,
    scope: ScopeInfo,
) -> RecruitmentModel:
    """The recruitment page model for the centers in scope.

    `counts`: center_id, arm (None for not randomized), screened, eligible, randomized (all
    centers, as of the data date). `by_day`: center_id, arm, randomized_on, n. `failures`:
    center_id, reason, n. `activations`: center code -> activation date.
    """
    as_of = scope.as_of
    # Where the trial is (every center: a site's view of an open trial is not "closed").
    enrolment = enrolment_state(
        protocol, max((r["randomized_on"] for r in by_day), default=None), as_of
    )
    centers = [protocol.center(c) for c in scope.centers]
    codes = [c.code for c in centers]
    keep = set(codes)
    counts = [r for r in counts if r["center_id"] in keep]
    by_day = [r for r in by_day if r["center_id"] in keep]
    failures = [r for r in failures if r["center_id"] in keep]
    arm_codes = protocol.arm_codes

    per_center: dict[str, dict[str, int]] = {
        c: {"screened": 0, "eligible": 0, "randomized": 0} for c in codes
    }
    per_arm: dict[tuple[str, str], int] = defaultdict(int)
    for r in counts:
        for k in ("screened", "eligible", "randomized"):
            per_center[r["center_id"]][k] += r[k] or 0
        if r["arm"] is not None:
            per_arm[(r["center_id"], r["arm"])] += r["randomized"] or 0
    first_rand: dict[str, dt.date] = {}
    for r in by_day:
        c, day = r["center_id"], r["randomized_on"]
        if c not in first_rand or day < first_rand[c]:
            first_rand[c] = day
    steps_by_center = {
        c: cumulative_steps([r for r in by_day if r["center_id"] == c], as_of) for c in codes
    }

    by_center: dict[str, Enrollment] = {}
    accruals: list[CenterAccrual] = []
    fans: dict[str, tuple[FanPoint, ...]] = {}
    for c in centers:
        got = per_center[c.code]
        arms = {a: per_arm[(c.code, a)] for a in arm_codes}
        started = center_start(c, activations.get(c.code), first_rand.get(c.code))
        exposure = max((as_of - started).days, 0)
        planned_days = (c.planned_last_enrollment - c.planned_first_enrollment).days
        post = rate_posterior(
            got["randomized"], exposure, c.target, planned_days, protocol.prior_weight
        )
        # A center not recruiting yet starts at the later of the data date and its plan.
        start = max(as_of, c.planned_first_enrollment) if exposure == 0 else as_of
        accrual = CenterAccrual(post, got["randomized"], c.target, start)
        accruals.append(accrual)
        forecast, fan = center_forecast(
            accrual, enrolment, started, steps_by_center[c.code], as_of, protocol
        )
        fans[c.code] = fan
        by_center[c.code] = Enrollment(
            **_enrollment(  # type: ignore[arg-type]
                got,
                arms,
                c.target,
                planned_enrollment(c, as_of),
                post.mean_per_month if post else None,
                forecast,
                enrolment.closed,
                protocol.on_track_share,
            )
        )

    if len(centers) == 1:
        # One center: the headline is that center's forecast, the very same object.
        forecast, fan = by_center[codes[0]].forecast, fans[codes[0]]
    elif enrolment.closed and sum(a.randomized for a in accruals) < sum(a.target for a in accruals):
        forecast = TargetForecast.without_dates(
            CLOSED, protocol.forecast_interval, enrolment.closed_on
        )
        fan = ()
    else:
        forecast, fan = pooled_forecast(
            accruals, as_of, protocol.forecast_interval, protocol.forecast_horizon_days
        )
    cumulative = cumulative_steps(by_day, as_of)
    if forecast.status == REACHED and len(centers) > 1:
        forecast = replace(forecast, since=reached_on(cumulative, sum(a.target for a in accruals)))
    totals = {
        k: sum(getattr(by_center[c], k) for c in codes)
        for k in ("screened", "eligible", "randomized")
    }
    total_arms = {a: sum(by_center[c].by_arm[a] for c in codes) for a in arm_codes}
    rates = [x for c in codes if (x := by_center[c].rate_per_month) is not None]
    month_start = as_of.replace(day=1)
    this_month = sum(r["n"] for r in by_day if month_start <= r["randomized_on"] <= as_of)
    overall = Overall(
        **_enrollment(  # type: ignore[arg-type]
            totals,
            total_arms,
            sum(c.target for c in centers),
            sum(by_center[c].planned_by_now for c in codes),
            sum(rates) if rates else None,
            forecast,
            enrolment.closed,
            protocol.on_track_share,
        ),
        screen_fail_share=(totals["screened"] - totals["eligible"]) / totals["screened"]
        if totals["screened"]
        else None,
        randomized_this_month=this_month,
    )
    reasons: dict[str, int] = defaultdict(int)
    for r in failures:
        reasons[str(r["reason"])] += r["n"]
    first_month = min(
        [c.planned_first_enrollment for c in centers] + list(first_rand.values()), default=as_of
    )
    panels = sorted(codes, key=lambda c: (-protocol.center(c).target, codes.index(c)))
    return RecruitmentModel(
        scope=scope,
        population="screened",
        as_of=as_of,
        overall=overall,
        by_center=by_center,
        cumulative=cumulative,
        cumulative_by_center=steps_by_center,
        plan=plan_curve(centers),
        plan_by_center={c.code: plan_curve([c]) for c in centers},
        fan=fan,
        fan_by_center=fans,
        monthly=monthly_accrual(by_day, codes, first_month, as_of),
        failure_reasons=tuple(
            ReasonCount(k, v) for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        failures_total=sum(reasons.values()),
        panel_centers=tuple(c for c in codes if c in panels[:MAX_PANELS]),
        enrolment=enrolment,
    )

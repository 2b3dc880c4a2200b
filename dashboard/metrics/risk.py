"""Central monitoring: key risk indicators (KRIs) per center and quality tolerance limits (QTLs).

ICH E6(R3) asks sponsors to monitor centrally: indicators per center compared with the other
centers, and study-level limits declared in advance. The scoring follows gsm (Gilead's "good
statistical monitoring" R package) and Spiegelhalter (2005, Funnel plots for comparing
institutional performance):

- rate (events per time on study, or per subject): the trial's rate θ = Σx / Σt over the centers;
  a center's z = (x/t − θ) / √(φ·θ/t).
- proportion: θ = Σx / Σn; z = (x/n − θ) / √(φ·θ(1−θ)/n).
- φ, the over-dispersion: the mean of the centers' unadjusted z² (gsm's normal approximation),
  never below 1 (Spiegelhalter: no adjustment when the centers vary less than chance would
  have them). Funnel limits at a denominator t: θ ± k·√(φ·var(t)).
- exact, when the trial has fewer centers with data than `min_centers` (φ cannot be estimated
  from a handful of centers): the center's count against a Poisson (rates) or binomial
  (proportions) distribution at the trial's value; its tail probability is turned into the z
  with the same tail under the normal curve, so both methods share the thresholds.
- identity (medians of days): the value against fixed thresholds, as gsm's identity method.

Flags: |z| at or beyond `amber` is amber, beyond `red` red (gsm's defaults 2 and 3: about 95.4%
and 99.7% two-sided), on the side(s) the indicator watches: an AE rate too low (under-reporting)
as much as too high; a missed-visit share only when high.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from dashboard.metrics.model import ScopeInfo

DAYS_PER_MONTH = 365.25 / 12
PER_100_MONTHS = 100 * DAYS_PER_MONTH  # events per patient-day -> per 100 patient-months
FLAGS = ("green", "amber", "red")
RANK = {"none": -1, "green": 0, "amber": 1, "red": 2}


@dataclass(frozen=True)
class KriSpec:
    """How one indicator is counted and scored."""

    code: str
    kind: str  # rate, proportion or identity
    direction: str  # both: too low is a signal too; high: only too high
    scale: float = 1.0  # shown value = numerator / denominator * scale


KRIS: dict[str, KriSpec] = {
    k.code: k
    for k in (
        KriSpec("ae_rate", "rate", "both", PER_100_MONTHS),
        KriSpec("sae_rate", "rate", "both", PER_100_MONTHS),
        KriSpec("grade3_rate", "rate", "both", PER_100_MONTHS),
        KriSpec("missed_visits", "proportion", "high"),
        KriSpec("out_of_window", "proportion", "high"),
        KriSpec("major_deviations", "rate", "high"),
        KriSpec("discontinued", "proportion", "high"),
        KriSpec("screen_failures", "proportion", "high"),
        KriSpec("ae_lag", "identity", "high"),
        KriSpec("open_findings", "rate", "high"),
        KriSpec("finding_age", "identity", "high"),
    )
}


@dataclass(frozen=True)
class Count:
    """One center's (or the trial's) numerator and denominator of an indicator.

    For the identity indicators `value` is the median itself and `denominator` the number of
    events or findings behind it.
    """

    numerator: float
    denominator: float
    value: float | None = None


@dataclass(frozen=True)
class Cell:
    """A center's indicator: its value (scaled), the counts behind it, its z and flag."""

    value: float | None
    numerator: float
    denominator: float
    z: float | None
    flag: str  # green, amber, red; none when there is nothing to score


@dataclass(frozen=True)
class Funnel:
    """A funnel plot: the trial's value and the amber and red limits along the denominator."""

    method: str  # normal, exact, identity
    trial: float | None
    phi: float | None
    denominators: tuple[float, ...]
    amber_low: tuple[float | None, ...]
    amber_high: tuple[float | None, ...]
    red_low: tuple[float | None, ...]
    red_high: tuple[float | None, ...]


@dataclass(frozen=True)
class QtlStatus:
    """A quality tolerance limit: the study's value against its limit."""

    measure: str
    numerator: int
    denominator: int
    value: float | None
    limit: float
    exceeded: bool
    # The first data cut (by its data date) at which it was exceeded, if a kept cut says so;
    # "now" when only the current data exceed it.
    first_exceeded: str | None


@dataclass(frozen=True)
class TrendPoint:
    """Flags of each center at one data cut (from the cut's kept summary)."""

    cut: str
    as_of: dt.date
    red: dict[str, int]
    amber: dict[str, int]
    kept: bool = True  # the cut kept a risk summary (cuts from before this page did not)


@dataclass(frozen=True)
class NewFlag:
    """An indicator of a center whose flag is worse than at the compared cut."""

    center: str
    kri: str
    then: str
    now: str


@dataclass(frozen=True)
class RiskModel:
    """Everything the Center risk page shows."""

    scope: ScopeInfo
    as_of: dt.date
    kris: tuple[str, ...]
    method: str  # normal or exact (the rates and proportions), as chosen for this trial
    amber: float
    red: float
    centers: tuple[str, ...]  # the rows shown (the view's centers)
    by_center: dict[str, dict[str, Cell]]
    trial: dict[str, Cell]  # the trial's value of each indicator (every center)
    # The other centers pooled, for a view that shows some centers only (a site's own).
    rest: dict[str, Cell]
    funnels: dict[str, Funnel]
    flagged: dict[str, dict[str, int]]  # center -> {"red": n, "amber": n}
    qtls: dict[str, QtlStatus]
    trend: tuple[TrendPoint, ...] = ()
    compared_with: str | None = None  # the cut "newly flagged" compares with
    newly_flagged: tuple[NewFlag, ...] = ()
    identity_thresholds: dict[str, tuple[float, float]] = field(default_factory=dict)


# --- scoring ----------------------------------------------------------------------------------


def tail_z(tail: float) -> float:
    """The z whose upper normal tail is `tail` (0.5 -> 0, 0.0228 -> 2.0)."""
    tail = min(max(tail, 1e-300), 1.0)
    return float(-stats.norm.ppf(tail))


def _normal(
    kind: str, counts: Mapping[str, Count], theta: float
) -> tuple[dict[str, float | None], float]:
    """Over-dispersion-adjusted z per center and φ (gsm's normal approximation)."""
    raw: dict[str, float | None] = {}
    for c, n in counts.items():
        var = _variance(kind, theta, n.denominator)
        if n.denominator <= 0 or var <= 0:
            raw[c] = None if n.denominator <= 0 else 0.0
            continue
        raw[c] = (n.numerator / n.denominator - theta) / math.sqrt(var)
    scored = [z for z in raw.values() if z is not None]
    phi = max(1.0, sum(z * z for z in scored) / len(scored)) if scored else 1.0
    return {c: (None if z is None else z / math.sqrt(phi)) for c, z in raw.items()}, phi


def _variance(kind: str, theta: float, n: float) -> float:
    if n <= 0:
        return 0.0
    return theta / n if kind == "rate" else theta * (1 - theta) / n


def _exact_z(kind: str, x: float, n: float, theta: float) -> float | None:
    """The normal-equivalent z of a count under Poisson(θn) or Binomial(n, θ)."""
    if n <= 0:
        return None
    if theta <= 0 or (kind == "proportion" and theta >= 1):
        return 0.0
    k = round(x)
    dist = stats.poisson(theta * n) if kind == "rate" else stats.binom(round(n), theta)
    if x / n > theta:
        return tail_z(float(dist.sf(k - 1)))  # P(X >= x)
    if x / n < theta:
        return -tail_z(float(dist.cdf(k)))  # P(X <= x)
    return 0.0


def flag_of(z: float | None, direction: str, amber: float, red: float) -> str:
    """green, amber or red for a z, on the side(s) the indicator watches."""
    if z is None:
        return "none"
    size = abs(z) if direction == "both" else z
    return "red" if size >= red else "amber" if size >= amber else "green"


def identity_flag(value: float | None, amber: float, red: float) -> str:
    if value is None:
        return "none"
    return "red" if value >= red else "amber" if value >= amber else "green"


def _limits(
    kind: str, method: str, theta: float, phi: float, grid: Sequence[float], k: float
) -> list[tuple[float | None, float | None]]:
    """Lower and upper limit of the value along the denominators for |z| = k (unscaled)."""
    if method == "normal":
        out: list[tuple[float | None, float | None]] = []
        for n in grid:
            half = k * math.sqrt(phi * _variance(kind, theta, n))
            hi = theta + half
            out.append((max(0.0, theta - half), min(1.0, hi) if kind == "proportion" else hi))
        return out
    tail = float(stats.norm.sf(k))
    sizes = np.asarray(grid, dtype=float)
    if kind == "proportion":
        sizes = np.maximum(np.round(sizes), 1.0)
        dist: Any = stats.binom(sizes, theta)
    else:
        dist = stats.poisson(theta * sizes)
    # Counts at or beyond these are flagged: P(X >= hi) < tail, P(X <= lo) < tail.
    hi_counts = dist.isf(tail) + 1
    lo_counts = dist.ppf(tail) - 1
    return [
        (float(lo) / n if lo >= 0 else None, float(hi) / n)
        for lo, hi, n in zip(lo_counts, hi_counts, sizes, strict=True)
    ]


def score(
    spec: KriSpec,
    counts: Mapping[str, Count],
    method: str,
    amber: float,
    red: float,
    thresholds: tuple[float, float] | None = None,
    trial_value: float | None = None,
) -> tuple[dict[str, Cell], Cell, Funnel]:
    """Every center's cell, the trial's, and the funnel of one indicator."""
    if spec.kind == "identity":
        lo, hi = thresholds or (math.inf, math.inf)
        cells = {
            c: Cell(n.value, n.numerator, n.denominator, None, identity_flag(n.value, lo, hi))
            for c, n in counts.items()
        }
        total = sum(n.denominator for n in counts.values())
        trial = Cell(trial_value, 0, total, None, identity_flag(trial_value, lo, hi))
        funnel = Funnel("identity", trial_value, None, (), (), (), (), ())
        return cells, trial, funnel
    x = sum(n.numerator for n in counts.values())
    t = sum(n.denominator for n in counts.values())
    theta = x / t if t > 0 else 0.0
    if method == "normal":
        zs, phi = _normal(spec.kind, counts, theta)
    else:
        zs = {c: _exact_z(spec.kind, n.numerator, n.denominator, theta) for c, n in counts.items()}
        phi = 1.0
    cells = {
        c: Cell(
            n.numerator / n.denominator * spec.scale if n.denominator > 0 else None,
            n.numerator,
            n.denominator,
            zs[c],
            flag_of(zs[c], spec.direction, amber, red),
        )
        for c, n in counts.items()
    }
    trial = Cell(theta * spec.scale if t > 0 else None, x, t, None, "none")
    sizes = [n.denominator for n in counts.values() if n.denominator > 0]
    grid = _grid(min(sizes, default=0.0), max(sizes, default=0.0))
    lines: dict[float, list[tuple[float | None, float | None]]] = {amber: [], red: []}
    for k in (amber, red):
        lines[k] = _limits(spec.kind, method, theta, phi, grid, k)

    def scaled(v: float | None) -> float | None:
        return None if v is None else v * spec.scale

    funnel = Funnel(
        method,
        trial.value,
        phi if method == "normal" else None,
        tuple(grid),
        tuple(scaled(lo) if spec.direction == "both" else None for lo, _ in lines[amber]),
        tuple(scaled(hi) for _, hi in lines[amber]),
        tuple(scaled(lo) if spec.direction == "both" else None for lo, _ in lines[red]),
        tuple(scaled(hi) for _, hi in lines[red]),
    )
    return cells, trial, funnel


def _grid(smallest: float, top: float, points: int = 40) -> list[float]:
    """Denominators along a funnel: from half the smallest center's to past the largest's."""
    if top <= 0:
        return []
    hi = top * 1.1
    lo = max(1.0, min(smallest / 2, hi / 4))
    ratio = (hi / lo) ** (1 / (points - 1))
    return [round(lo * ratio**i, 3) for i in range(points)]


def choose_method(method: str, centers_with_data: int, min_centers: int) -> str:
    """Normal or exact: 'auto' takes the normal approximation from `min_centers` centers."""
    if method in ("normal", "exact"):
        return method
    return "normal" if centers_with_data >= min_centers else "exact"


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskInputs:
    """Per center counts of every indicator (all centers of the trial) and the trial's medians."""

    counts: dict[str, dict[str, Count]]  # kri -> center -> count
    medians: dict[str, float | None]  # identity kri -> the trial's value
    qtl_counts: dict[str, tuple[int, int]]  # measure -> (numerator, denominator)


def risk_model(
    inputs: RiskInputs,
    rules: Any,
    scope: ScopeInfo,
    every_center: Sequence[str],
    history: Sequence[tuple[str, dt.date, Mapping[str, Any] | None]] = (),
    compare: tuple[str, Mapping[str, Any] | None] | None = None,
) -> RiskModel:
    """Score every indicator over all the trial's centers; show the view's centers.

    `history`: (name, data date, kept `risk` summary or None) of each earlier data cut, oldest
    first; `compare`: the cut "newly flagged" compares with (the last meeting) and its summary.
    """
    shown = tuple(c for c in every_center if c in scope.centers)
    kris = tuple(k for k in rules.kris if k in inputs.counts)
    rated = [k for k in kris if KRIS[k].kind != "identity"]
    with_data = max(
        (sum(1 for n in inputs.counts[k].values() if n.denominator > 0) for k in rated),
        default=0,
    )
    method = choose_method(rules.method, with_data, rules.min_centers)
    thresholds = {"ae_lag": tuple(rules.lag_days), "finding_age": tuple(rules.finding_age_days)}
    cells: dict[str, dict[str, Cell]] = {c: {} for c in every_center}
    trial: dict[str, Cell] = {}
    rest: dict[str, Cell] = {}
    funnels: dict[str, Funnel] = {}
    for k in kris:
        spec = KRIS[k]
        per, whole, funnel = score(
            spec,
            inputs.counts[k],
            method,
            rules.amber,
            rules.red,
            thresholds.get(k),
            inputs.medians.get(k),
        )
        for c, cell in per.items():
            cells.setdefault(c, {})[k] = cell
        trial[k], funnels[k] = whole, funnel
        others = [n for c, n in inputs.counts[k].items() if c not in shown]
        if spec.kind != "identity" and others and shown:
            x = sum(n.numerator for n in others)
            t = sum(n.denominator for n in others)
            rest[k] = Cell(x / t * spec.scale if t > 0 else None, x, t, None, "none")
    flagged = {
        c: {f: sum(1 for cell in cells[c].values() if cell.flag == f) for f in ("red", "amber")}
        for c in every_center
    }
    trend = tuple(_trend_point(name, day, kept, every_center) for name, day, kept in history)
    newly: list[NewFlag] = []
    compared = None
    if compare is not None:
        compared, kept = compare
        before = (kept or {}).get("by_center", {})
        for c in shown:
            for k in kris:
                now = cells[c][k].flag
                then = before.get(c, {}).get(k, {}).get("flag", "none")
                if RANK[now] > max(RANK.get(then, -1), 0):
                    newly.append(NewFlag(c, k, then, now))
    qtls = {
        q.measure: _qtl(q.measure, q.limit, inputs.qtl_counts.get(q.measure, (0, 0)), history)
        for q in rules.qtls
    }
    return RiskModel(
        scope=scope,
        as_of=scope.as_of,
        kris=kris,
        method=method,
        amber=rules.amber,
        red=rules.red,
        centers=shown,
        by_center={c: cells[c] for c in shown},
        trial=trial,
        rest=rest if len(shown) < len(every_center) else {},
        funnels=funnels,
        flagged={c: flagged[c] for c in shown},
        qtls=qtls,
        trend=trend,
        compared_with=compared,
        newly_flagged=tuple(sorted(newly, key=lambda f: (-RANK[f.now], f.center, f.kri))),
        identity_thresholds={k: v for k, v in thresholds.items() if k in kris},
    )


def _trend_point(
    name: str, day: dt.date, kept: Mapping[str, Any] | None, centers: Sequence[str]
) -> TrendPoint:
    by_center = (kept or {}).get("by_center", {})

    def count(c: str, flag: str) -> int:
        return sum(1 for v in by_center.get(c, {}).values() if v.get("flag") == flag)

    red = {c: count(c, "red") for c in centers}
    amber = {c: count(c, "amber") for c in centers}
    return TrendPoint(name, day, red, amber, kept is not None and "by_center" in kept)


def _qtl(
    measure: str,
    limit: float,
    counts: tuple[int, int],
    history: Sequence[tuple[str, dt.date, Mapping[str, Any] | None]],
) -> QtlStatus:
    x, n = counts
    value = x / n if n else None
    exceeded = value is not None and value > limit
    first = None
    for name, _day, kept in history:
        before = (kept or {}).get("qtls", {}).get(measure)
        if before and before.get("exceeded"):
            first = name
            break
    if first is None and exceeded:
        first = "now"
    return QtlStatus(measure, x, n, value, limit, exceeded, first)

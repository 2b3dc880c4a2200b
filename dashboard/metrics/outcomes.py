"""The pain & function page model: NRS, pain response, OMED and PAFI per arm and visit.

Pain response (Chow et al. 2012), relative to baseline NRS b and baseline OMED B, at a visit with
NRS n and OMED o (PROTOCOL.md):
- complete: n = 0 and no increase in OMED (o <= B);
- partial: b - n >= 2 with no increase in OMED, or OMED down by >= 25% (o <= 0.75 B) with no
  increase in NRS (n <= b);
- progression: n - b >= 2 with stable OMED (within 25% either way; B = 0 stays 0), or OMED up by
  >= 25% (o >= 1.25 B; from B = 0 any increase) with NRS stable or at most 1 above (b <= n <= b+1);
- indeterminate: anything else. Checked in that order (in SQL: data_access/queries/outcomes.py).
Where OMED is missing (at baseline or the visit) the response uses NRS alone and is flagged.
Counts are as randomized. Interval methods: see metrics/intervals.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.metrics.intervals import (
    bounded_mean,
    median_with_ci,
    proportion,
    quantiles,
    welch_difference,
)
from dashboard.metrics.model import Estimate, Proportion, Record, ScopeInfo
from dashboard.metrics.randomization import nrs_band
from dashboard.protocol import Protocol

RESPONSES = ("complete", "partial", "indeterminate", "progression")
BANDS = ("none", "mild", "moderate", "severe")
INDIVIDUAL_SAMPLE = 40  # individual trajectories drawn per arm at most
BASELINE = "baseline"


def pain_response(
    b: float | None, n: float | None, big_o: float | None, o: float | None
) -> tuple[str | None, bool]:
    """(category, nrs_only) for one subject and visit; (None, False) when NRS is missing.

    The same rules as the SQL the page uses; tests check one against the other.
    """
    b, n, big_o, o = (None if x is None or x != x else x for x in (b, n, big_o, o))
    if b is None or n is None:
        return None, False
    if big_o is None or o is None:
        if n == 0:
            return "complete", True
        if b - n >= 2:
            return "partial", True
        if n - b >= 2:
            return "progression", True
        return "indeterminate", True
    no_increase = o <= big_o
    down_25 = big_o > 0 and o <= 0.75 * big_o
    up_25 = o >= 1.25 * big_o if big_o > 0 else o > 0
    stable = (o == 0) if big_o == 0 else (0.75 * big_o < o < 1.25 * big_o)
    if n == 0 and no_increase:
        return "complete", False
    if (b - n >= 2 and no_increase) or (down_25 and n <= b):
        return "partial", False
    if (n - b >= 2 and stable) or (up_25 and b <= n <= b + 1):
        return "progression", False
    return "indeterminate", False


@dataclass(frozen=True)
class BoxStats:
    """A distribution drawn as a box: quartiles, whiskers at the extremes, mean and n."""

    n: int
    low: float
    q1: float
    median: float
    q3: float
    high: float
    mean: float


@dataclass(frozen=True)
class Responses:
    """Pain response categories at a visit; responders = complete + partial."""

    n: int
    complete: int
    partial: int
    indeterminate: int
    progression: int
    nrs_only: int
    responders: Proportion


@dataclass(frozen=True)
class ChangeDifference:
    """Mean NRS change from baseline in two arms and their difference (Welch interval)."""

    n_reference: int
    n_arm: int
    mean_reference: float | None
    mean_arm: float | None
    difference: Estimate


@dataclass(frozen=True)
class Trajectory:
    """One sampled subject's NRS over weeks since day 0 (no identifier kept)."""

    arm: str
    weeks: tuple[float, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class PainModel:
    """Everything the pain & function page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    collects: dict[str, bool]
    arms: tuple[str, ...]
    visit_weeks: dict[str, float]
    headline_visit: str | None
    randomized: dict[str, int]
    randomized_total: int
    nrs: dict[str, dict[str, Estimate]]
    nrs_box: dict[str, dict[str, BoxStats]]
    bands: dict[str, dict[str, dict[str, int]]]
    responses: dict[str, dict[str, Responses]]
    reference_arm: str
    change: dict[str, dict[str, ChangeDifference]]
    omed: dict[str, dict[str, Estimate]]
    pafi: dict[str, dict[str, Estimate]]
    pafi_box: dict[str, dict[str, BoxStats]]
    individual: tuple[Trajectory, ...]
    excluded_out_of_range: int
    nrs_only: int


def box_stats(values: Sequence[float], counts: Sequence[int]) -> BoxStats | None:
    """Box statistics of value counts (None when empty)."""
    n = int(sum(counts))
    if n == 0:
        return None
    q1, med, q3 = quantiles(values, counts, (0.25, 0.5, 0.75))
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts, dtype=float)
    present = c > 0
    return BoxStats(
        n,
        float(v[present].min()),
        q1,
        med,
        q3,
        float(v[present].max()),
        float((v * c).sum() / n),
    )


def _histograms(rows: Sequence[Record], measure: str) -> dict[tuple[str, str], dict[float, int]]:
    out: dict[tuple[str, str], dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if r["measure"] == measure:
            out[(r["arm"], r["visit_code"])][r["value"]] += r["n"]
    return out


def trajectories(rows: Sequence[Record], weeks: dict[str, float]) -> tuple[Trajectory, ...]:
    """Sampled subjects' NRS lines (subject ids dropped: only the shape is shown)."""
    by_subject: dict[str, list[Record]] = defaultdict(list)
    for r in rows:
        by_subject[r["subject_id"]].append(r)
    out = []
    for sid in sorted(by_subject):
        points = sorted(
            (
                (weeks[r["visit_code"]], float(r["nrs"]))
                for r in by_subject[sid]
                if r["visit_code"] in weeks
            ),
        )
        if points:
            out.append(
                Trajectory(
                    by_subject[sid][0]["arm"],
                    tuple(w for w, _ in points),
                    tuple(v for _, v in points),
                )
            )
    return tuple(out)


def pain_model(
    values: Sequence[Record],
    responses: Sequence[Record],
    change: Sequence[Record],
    out_of_range: Sequence[Record],
    randomized: Sequence[Record],  # recruitment counts: center_id, arm, randomized
    individual: tuple[Trajectory, ...],
    protocol: Protocol,
    scope: ScopeInfo,
) -> PainModel:
    """The pain & function page model for a scope (centers and arms)."""
    keep, arms = set(scope.centers), [a for a in protocol.arm_codes if a in scope.arms]

    def mine(rows: Sequence[Record]) -> list[Record]:
        return [r for r in rows if r["center_id"] in keep and r["arm"] in arms]

    values, responses, change = mine(values), mine(responses), mine(change)
    visits = list(protocol.visit_codes)
    weeks = {BASELINE: 0.0, **{v.code: v.day / 7 for v in protocol.visits}}
    nrs_visits = [BASELINE, *protocol.visits_collecting("nrs")]
    pafi_visits = [BASELINE, *protocol.visits_collecting("pafi")]
    omed_visits = [BASELINE, *protocol.visits_collecting("omed")]

    def estimates(measure: str, order: Sequence[str], fn: object) -> dict[str, dict[str, Estimate]]:
        hist = _histograms(values, measure)
        out: dict[str, dict[str, Estimate]] = {}
        for a in arms:
            out[a] = {}
            for v in order:
                h = hist.get((a, v))
                if h:
                    out[a][v] = fn(list(h), list(h.values()))  # type: ignore[operator]
        return out

    def boxes(measure: str, order: Sequence[str]) -> dict[str, dict[str, BoxStats]]:
        hist = _histograms(values, measure)
        out: dict[str, dict[str, BoxStats]] = {}
        for a in arms:
            out[a] = {}
            for v in order:
                h = hist.get((a, v))
                stats = box_stats(list(h), list(h.values())) if h else None
                if stats is not None:
                    out[a][v] = stats
        return out

    nrs_hist = _histograms(values, "nrs")
    bands: dict[str, dict[str, dict[str, int]]] = {}
    for a in arms:
        bands[a] = {}
        for v in nrs_visits:
            h = nrs_hist.get((a, v))
            if h:
                tally = {b: 0 for b in BANDS}
                for value, n in h.items():
                    tally[nrs_band(value)] += n
                bands[a][v] = tally

    per: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in responses:
        per[(r["arm"], r["visit_code"])][r["category"]] += r["n"]
        per[(r["arm"], r["visit_code"])]["nrs_only"] += r["n"] if r["nrs_only"] else 0
    response_model: dict[str, dict[str, Responses]] = {}
    for a in arms:
        response_model[a] = {}
        for v in visits:
            c = per.get((a, v))
            if not c:
                continue
            n = sum(c[k] for k in RESPONSES)
            response_model[a][v] = Responses(
                n=n,
                complete=c["complete"],
                partial=c["partial"],
                indeterminate=c["indeterminate"],
                progression=c["progression"],
                nrs_only=c["nrs_only"],
                responders=proportion(c["complete"] + c["partial"], n),
            )

    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for r in change:
        acc = sums[(r["arm"], r["visit_code"])]
        acc[0] += r["n"]
        acc[1] += r["total"] or 0.0
        acc[2] += r["squares"] or 0.0
    reference = protocol.arm_codes[0]
    differences: dict[str, dict[str, ChangeDifference]] = {}
    for a in arms:
        if a == reference or reference not in arms:
            continue
        differences[a] = {}
        for v in visits:
            ref, arm = sums.get((reference, v)), sums.get((a, v))
            if not ref or not arm or not ref[0] or not arm[0]:
                continue
            differences[a][v] = ChangeDifference(
                n_reference=int(ref[0]),
                n_arm=int(arm[0]),
                mean_reference=ref[1] / ref[0],
                mean_arm=arm[1] / arm[0],
                difference=welch_difference(
                    int(ref[0]), ref[1], ref[2], int(arm[0]), arm[1], arm[2]
                ),
            )
    nrs = estimates("nrs", nrs_visits, bounded_mean)
    randomized_by_arm = {a: 0 for a in arms}
    for r in randomized:
        if r["center_id"] in keep and r["arm"] in randomized_by_arm:
            randomized_by_arm[r["arm"]] += r["randomized"]
    return PainModel(
        scope=scope,
        population="as_randomized",
        as_of=scope.as_of,
        collects={m: protocol.collects(m) for m in ("nrs", "omed", "pafi")},
        arms=tuple(arms),
        visit_weeks=weeks,
        headline_visit=protocol.headline_visit("nrs"),
        randomized=randomized_by_arm,
        randomized_total=sum(randomized_by_arm.values()),
        nrs=nrs,
        nrs_box=boxes("nrs", nrs_visits),
        bands=bands,
        responses=response_model,
        reference_arm=reference,
        change=differences,
        omed=estimates("omed", omed_visits, median_with_ci),
        pafi=estimates("pafi", pafi_visits, bounded_mean),
        pafi_box=boxes("pafi", pafi_visits),
        individual=individual,
        excluded_out_of_range=sum(
            r["n"] or 0 for r in out_of_range if r["center_id"] in keep and r["arm"] in arms
        ),
        nrs_only=sum(x.nrs_only for per_arm in response_model.values() for x in per_arm.values()),
    )

"""The randomization page model: arm balance, Table 1 by arm, CONSORT flow, treatment delivery.

Counts are as randomized. Balance is judged per center (the stratum) against what the
protocol's permuted blocks allow, for any number of arms and any ratio (Protocol.pair_bound),
and overall by an exact binomial test (two arms) or, for more arms, a chi-square goodness-of-fit
test of the planned ratio, exact (multinomial) when an expected count is below 5.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import gammaln

from dashboard.metrics.intervals import moments, proportion, quantiles
from dashboard.metrics.model import Proportion, Record, ScopeInfo
from dashboard.metrics.recruitment import DatePoint, cumulative_steps
from dashboard.protocol import VERTEBRAL_LEVELS, Protocol

SURPRISE_P = 0.05
POOLED = "pooled"
NRS_BANDS = ("none", "mild", "moderate", "severe", "out_of_range")
TUMORS = ("lung", "breast", "prostate", "kidney", "liver", "thyroid", "other")
CATEGORY_ORDER: dict[str, tuple[str, ...]] = {
    "sex": ("F", "M"),
    "primary_tumor": TUMORS,
    "nrs_band": NRS_BANDS,
    "levels_n": ("1", "2", "3+"),
    "region": ("thoracic", "lumbar", "thoracolumbar", "other"),
}


@dataclass(frozen=True)
class Balance:
    """Arm counts of a center (or the centers in scope together) and how balanced they are.

    `difference` is the largest weighted difference n_a * r_b - n_b * r_a over pairs of arms
    (for 1:1, simply n_a - n_b), `pair` the arms it is between (a, b): for two arms in protocol
    order, so the sign says which arm leads; beyond two, the leading arm first (never negative),
    `bound` what permuted blocks allow for that pair (summed over centers for a pooled row).
    """

    counts: dict[str, int]
    n: int
    difference: int
    pair: tuple[str, str]
    bound: int
    exceeds_blocks: bool
    p_value: float | None
    test: str
    surprising: bool


@dataclass(frozen=True)
class Summary:
    """A continuous baseline variable in one column of Table 1."""

    n: int
    missing: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class Count:
    """k of the column's n subjects, and that share."""

    k: int
    n: int
    share: float | None = None


@dataclass(frozen=True)
class TableVariable:
    """One variable of Table 1: summaries (continuous) or counts per level (categorical)."""

    variable: str
    kind: str  # continuous or categorical
    digits: int
    summaries: dict[str, Summary]
    levels: tuple[str, ...]
    counts: dict[str, dict[str, Count]]  # level -> column -> count


@dataclass(frozen=True)
class TableOne:
    """Baseline characteristics by arm (as randomized) and in total."""

    columns: tuple[str, ...]  # arm codes, then "total"
    sizes: dict[str, int]
    variables: tuple[TableVariable, ...]


@dataclass(frozen=True)
class ArmFlow:
    """The CONSORT boxes below allocation for one arm."""

    allocated: int
    received: int
    not_received: int
    pending: int
    left: int
    off_study: dict[str, int]
    visits_done: dict[str, int]
    # Did not receive the allocated treatment, by the arm treated as ("none": not treated).
    not_received_as: dict[str, int] = field(default_factory=dict)
    # Analysed (as randomized) at the analysis visit: an assessment on record; the others by
    # reason (left before the visit, missed it, not yet due, no day 0).
    analysed: int = 0
    not_analysed: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Consort:
    """CONSORT counts for the centers in scope."""

    assessed: int
    excluded: int
    excluded_reasons: dict[str, int]
    randomized: int
    allocated: dict[str, int]
    arms: dict[str, ArmFlow]
    followed_visits: tuple[str, ...]
    analysis_visit: str | None = None


@dataclass(frozen=True)
class SchemeCount:
    """Subjects of the delivery arm treated with one scheme at one center."""

    center_id: str
    scheme: str  # "30 Gy / 5" for an allowed scheme, "other" for anything else
    n: int


@dataclass(frozen=True)
class DayCount:
    """Subjects who started on a day after day 0 (late: after the protocol's limit)."""

    day: int
    n: int
    late: bool


@dataclass(frozen=True)
class Delivery:
    """Treatment delivery (SBRT) for the centers in scope."""

    arm: str
    arm_n: int
    started: Proportion
    completed: int
    pending: int
    schemes: tuple[SchemeCount, ...]
    start_days: dict[str, tuple[DayCount, ...]]
    start_summary: dict[str, Summary]
    departures: dict[str, int]
    departures_total: int
    planned_start_day: int
    late_start_day: int


@dataclass(frozen=True)
class RandomizationModel:
    """Everything the randomization page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    randomized: int
    by_center: dict[str, dict[str, int]]
    balance: dict[str, Balance]
    largest_difference: str | None
    beyond_bounds: tuple[str, ...]
    cumulative_by_arm: dict[str, tuple[DatePoint, ...]]
    table_one: TableOne
    consort: Consort
    delivery: Delivery | None
    # True for a role without allocation details: every arm as one, no balance, no delivery.
    concealed: bool = False


def _blank(text: Any) -> bool:
    return text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip()


def nrs_band(nrs: float | None) -> str:
    """PROTOCOL.md severity bands: 0 none, 1-3 mild, 4-6 moderate, 7-10 severe."""
    if nrs is None or (isinstance(nrs, float) and math.isnan(nrs)):
        return "missing"
    if nrs < 0 or nrs > 10:
        return "out_of_range"
    return "none" if nrs == 0 else "mild" if nrs <= 3 else "moderate" if nrs <= 6 else "severe"


def level_region(levels: str | None) -> str:
    """thoracic, lumbar, thoracolumbar (both), other (outside T/L), or missing."""
    if _blank(levels):
        return "missing"
    parts = [p.strip().upper() for p in str(levels).split(",") if p.strip()]
    kinds = {p[0] for p in parts if p in VERTEBRAL_LEVELS}
    if not kinds or kinds - {"T", "L"} or len(kinds) != len({p[0] for p in parts}):
        return "other"
    return "thoracolumbar" if kinds == {"T", "L"} else "thoracic" if kinds == {"T"} else "lumbar"


def level_count(levels: str | None) -> str:
    """'1', '2', '3+' treated levels, or missing."""
    if _blank(levels):
        return "missing"
    n = len([p for p in str(levels).split(",") if p.strip()])
    return str(n) if n <= 2 else "3+"


def scheme_label(dose: float, fractions: int, allowed: Sequence[tuple[float, int]]) -> str:
    """'30 Gy / 5' for an allowed scheme, 'other' otherwise."""
    if (float(dose), int(fractions)) in {(float(a), int(b)) for a, b in allowed}:
        return f"{dose:g} Gy / {int(fractions)}"
    return "other"


# The chi-square approximation needs every expected count at least this large.
CHI_SQUARE_MIN_EXPECTED = 5


@functools.lru_cache(maxsize=16)
def _splits(n: int, k: int) -> np.ndarray:
    """Every way to split n subjects into k arms, one row each (n + k - 1 choose k - 1 rows)."""
    if k == 1:
        return np.array([[n]], dtype=np.int64)
    blocks = []
    for first in range(n + 1):
        rest = _splits(n - first, k - 1)
        blocks.append(np.column_stack([np.full(len(rest), first, dtype=np.int64), rest]))
    return np.vstack(blocks)


def multinomial_exact_p(observed: Sequence[int], probs: Sequence[float]) -> float:
    """Exact multinomial goodness-of-fit p for small n.

    The probability, under `probs`, of every split of n as likely as the observed one or less
    (all splits enumerated).
    """
    n, k = sum(observed), len(observed)
    splits = _splits(n, k)
    log_p = np.log(np.asarray(probs, dtype=float))
    logpmf = gammaln(n + 1) - gammaln(splits + 1).sum(axis=1) + splits @ log_p
    obs = gammaln(n + 1) - gammaln(np.asarray(observed) + 1).sum() + np.asarray(observed) @ log_p
    return float(min(1.0, np.exp(logpmf[logpmf <= obs + 1e-9]).sum()))


def balance_of(counts: Mapping[str, int], protocol: Protocol, strata: int = 1) -> Balance:
    """Balance of one set of arm counts; `strata` centers add their block bounds."""
    arms = protocol.arm_codes
    n = sum(counts.values())
    best: tuple[float, int, tuple[str, str], int] | None = None
    for a, b in itertools.combinations(arms, 2):
        ra, rb = protocol.arm(a).ratio, protocol.arm(b).ratio
        diff = counts[a] * rb - counts[b] * ra
        bound = protocol.pair_bound(a, b) * strata
        score = abs(diff) / bound if bound else float(abs(diff))
        if best is None or score > best[0]:
            best = (score, diff, (a, b), bound)
    assert best is not None  # two arms at least
    _, diff, pair, bound = best
    if len(arms) > 2 and diff < 0:
        # Beyond two arms there is no natural sign: name the pair with the larger arm first.
        diff, pair = -diff, (pair[1], pair[0])
    ratio = protocol.ratio
    if n == 0:
        p_value, test = None, "none"
    elif len(arms) == 2:
        p_value = float(stats.binomtest(counts[arms[0]], n, ratio[0] / sum(ratio)).pvalue)
        test = "binomial_exact"
    else:
        expected = [n * r / sum(ratio) for r in ratio]
        observed = [counts[a] for a in arms]
        if min(expected) < CHI_SQUARE_MIN_EXPECTED:
            p_value = multinomial_exact_p(observed, [r / sum(ratio) for r in ratio])
            test = "multinomial_exact"
        else:
            p_value = float(stats.chisquare(observed, expected).pvalue)
            test = "chi_square"
    exceeds = any(
        abs(counts[a] * protocol.arm(b).ratio - counts[b] * protocol.arm(a).ratio)
        > protocol.pair_bound(a, b) * strata
        for a, b in itertools.combinations(arms, 2)
    )
    return Balance(
        counts=dict(counts),
        n=n,
        difference=int(diff),
        pair=pair,
        bound=int(bound),
        exceeds_blocks=exceeds,
        p_value=p_value,
        test=test,
        surprising=p_value is not None and p_value < SURPRISE_P,
    )


def share_of(k: int, n: int) -> float | None:
    """K / n, None when there is no denominator."""
    return k / n if n else None


def summarise(pairs: Sequence[tuple[float | None, int]]) -> Summary:
    """Summary of (value, count) pairs; None values are the missing ones."""
    values = [float(v) for v, _ in pairs if v is not None]
    counts = [int(c) for v, c in pairs if v is not None]
    missing = sum(int(c) for v, c in pairs if v is None)
    n, mean, sd = moments(values, counts)
    if n == 0:
        return Summary(0, missing, None, None, None, None, None)
    q1, med, q3 = quantiles(values, counts, (0.25, 0.5, 0.75))
    return Summary(n, missing, mean, sd if n > 1 else None, med, q1, q3)


def table_one(hist: Sequence[Record], protocol: Protocol) -> TableOne:
    """Baseline characteristics by arm and in total, from value counts.

    `hist`: rows variable, arm, number, text, n (one per value, missing values included).
    Continuous: n, mean (SD), median [IQR] and the number missing. Categorical: n (%) of the
    column's subjects, missing values counted as a level of their own (never dropped).
    Variables without a single value in the data are left out.
    """
    arms = list(protocol.arm_codes)
    columns = (*arms, "total")
    by_var: dict[str, list[Record]] = defaultdict(list)
    for r in hist:
        if r["arm"] in arms:
            by_var[r["variable"]].append(r)
    sizes = {c: 0 for c in columns}
    for r in by_var["age_years"]:
        sizes[r["arm"]] += r["n"]
        sizes["total"] += r["n"]
    variables: list[TableVariable] = []

    def column_rows(source: str, column: str) -> list[Record]:
        rows = by_var[source]
        return rows if column == "total" else [r for r in rows if r["arm"] == column]

    def continuous(var: str, source: str, digits: int = 1) -> None:
        if not any(r["number"] is not None for r in by_var[source]):
            return
        summaries = {
            c: summarise([(r["number"], r["n"]) for r in column_rows(source, c)]) for c in columns
        }
        variables.append(TableVariable(var, "continuous", digits, summaries, (), {}))

    def categorical(
        var: str, source: str, mapper: Callable[[Any], str], numeric: bool = False
    ) -> None:
        field = "number" if numeric else "text"
        if not any(r[field] is not None for r in by_var[source]):
            return
        tallies: dict[str, dict[str, int]] = {c: defaultdict(int) for c in columns}
        for c in columns:
            for r in column_rows(source, c):
                level = "missing" if r[field] is None else mapper(r[field])
                tallies[c][level] += r["n"]
        order = list(CATEGORY_ORDER.get(var, ()))
        seen = sorted({k for t in tallies.values() for k in t} - set(order) - {"missing"})
        levels = [*order, *seen]
        if any(tallies[c]["missing"] for c in columns):
            levels.append("missing")
        counts = {
            level: {
                c: Count(tallies[c][level], sizes[c], share_of(tallies[c][level], sizes[c]))
                for c in columns
            }
            for level in levels
        }
        variables.append(TableVariable(var, "categorical", 0, {}, tuple(levels), counts))

    continuous("age", "age_years")
    categorical("sex", "sex", lambda v: str(v).upper())
    categorical("primary_tumor", "primary_tumor", lambda v: str(v).lower())
    continuous("baseline_nrs", "baseline_nrs")
    categorical("nrs_band", "baseline_nrs", nrs_band, numeric=True)
    continuous("baseline_pafi", "baseline_pafi")
    continuous("baseline_omed", "baseline_omed_mg")
    categorical("levels_n", "treated_levels", level_count)
    categorical("region", "treated_levels", level_region)
    continuous("imaging_days", "imaging_days", digits=0)
    return TableOne(columns, sizes, tuple(variables))


ANALYSED_STATES = ("done", "done_early", "done_late")
NOT_ANALYSED = {
    "not_expected": "left_before",
    "missed": "missed",
    "due": "not_yet",
    "upcoming": "not_yet",
    "no_day_zero": "no_day_zero",
}


def analysis_visit(protocol: Protocol) -> str | None:
    """The visit CONSORT's "analysed" box counts at.

    The headline visit of the main measure, else the first visit from about three months,
    else the last.
    """
    for measure in ("nrs", "imaging", "pafi"):
        visit = protocol.headline_visit(measure)
        if visit is not None:
            return visit
    later = [v.code for v in protocol.visits if v.day >= 84]
    return later[0] if later else (protocol.visits[-1].code if protocol.visits else None)


def consort(
    counts: Sequence[Record],
    consort_rows: Sequence[Record],
    failures: Sequence[Record],
    visits_done: Sequence[Record],
    protocol: Protocol,
    visit_states: Sequence[Record] = (),
) -> Consort:
    """The flow from screening to follow-up for the centers given (already sliced).

    `visit_states`: the visit engine's counts (center, arm, visit, state, n), for the analysed
    box at the analysis visit.
    """
    target = analysis_visit(protocol)
    arms = protocol.arm_codes
    screened = sum(r["screened"] for r in counts)
    randomized = sum(r["randomized"] for r in counts)
    reasons: dict[str, int] = defaultdict(int)
    for r in failures:
        reasons[str(r["reason"])] += r["n"]
    waiting = sum(r["eligible"] for r in counts if r["arm"] is None)
    if waiting:
        reasons["eligible, not randomized"] += waiting
    flows: dict[str, ArmFlow] = {}
    for arm in arms:
        mine = [r for r in consort_rows if r["arm"] == arm]
        allocated = sum(r["n"] for r in mine)
        pending = sum(r["n"] for r in mine if r["pending"])
        not_received = sum(r["n"] for r in mine if r["treated_arm"] != arm)
        off: dict[str, int] = defaultdict(int)
        for r in mine:
            if r["off_reason"] is not None and r["off_reason"] != "completed":
                off[str(r["off_reason"])] += r["n"]
        done: dict[str, int] = defaultdict(int)
        for r in visits_done:
            if r["arm"] == arm:
                done[r["visit_code"]] += r["n"]
        received_as: dict[str, int] = defaultdict(int)
        for r in mine:
            if r["treated_arm"] != arm:
                received_as[str(r["treated_arm"] or "none")] += r["n"]
        analysed = 0
        not_analysed: dict[str, int] = defaultdict(int)
        for r in visit_states:
            if r["arm"] != arm or r["visit_code"] != target:
                continue
            if r["state"] in ANALYSED_STATES:
                analysed += r["n"]
            elif r["state"] in NOT_ANALYSED:
                not_analysed[NOT_ANALYSED[r["state"]]] += r["n"]
        flows[arm] = ArmFlow(
            allocated=allocated,
            received=allocated - not_received - pending,
            not_received=not_received,
            pending=pending,
            left=sum(off.values()),
            off_study=dict(sorted(off.items())),
            visits_done={v: done[v] for v in protocol.visit_codes},
            not_received_as=dict(sorted(received_as.items())),
            analysed=analysed,
            not_analysed={
                k: not_analysed[k] for k in dict.fromkeys(NOT_ANALYSED.values()) if not_analysed[k]
            },
        )
    return Consort(
        assessed=screened,
        excluded=screened - randomized,
        excluded_reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        randomized=randomized,
        allocated={a: flows[a].allocated for a in arms},
        arms=flows,
        followed_visits=_followed_visits(protocol),
        analysis_visit=target if visit_states else None,
    )


def _followed_visits(protocol: Protocol) -> tuple[str, ...]:
    """The visits the CONSORT follow-up boxes count: the headline visit and the last one."""
    codes = protocol.visit_codes
    if not codes:
        return ()
    headline = protocol.headline_visit("nrs") or protocol.headline_visit("imaging")
    if headline is None:
        days = {v.code: v.day for v in protocol.visits}
        later = [c for c in codes if days[c] >= 84]
        headline = later[0] if later else codes[0]
    return tuple(dict.fromkeys([headline, codes[-1]]))


def delivery(
    courses: Sequence[Record],
    missing: Sequence[Record],
    consort_rows: Sequence[Record],
    protocol: Protocol,
) -> Delivery | None:
    """Who started and completed SBRT, with which scheme, how soon; and every departure."""
    sb = protocol.sbrt
    if sb is None:
        return None
    arm_n = sum(r["n"] for r in consort_rows if r["arm"] == sb.arm)
    in_arm = [r for r in courses if r["arm"] == sb.arm]
    other = [r for r in courses if r["arm"] != sb.arm]
    schemes: dict[tuple[str, str], int] = defaultdict(int)
    not_allowed = 0
    per_day: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in in_arm:
        label = scheme_label(r["total_dose_gy"], r["fractions"], sb.allowed_schemes)
        schemes[(r["center_id"], label)] += r["n"]
        not_allowed += r["n"] if label == "other" else 0
        if r["start_day"] is not None:
            per_day[r["center_id"]][r["start_day"]] += r["n"]
    days = {
        c: tuple(DayCount(d, n, d > sb.late_start_day) for d, n in sorted(v.items()))
        for c, v in sorted(per_day.items())
    }
    departures = {
        "sbrt_in_other_arm": sum(r["n"] for r in other),
        "scheme_not_allowed": not_allowed,
        "late_start": sum(d.n for v in days.values() for d in v if d.late),
        "no_sbrt": sum(r["missing"] or 0 for r in missing),
    }
    started = sum(r["n"] for r in in_arm)
    return Delivery(
        arm=sb.arm,
        arm_n=arm_n,
        started=proportion(started, arm_n),
        completed=sum(r["n"] for r in in_arm if r["completed"]),
        pending=sum(r["pending"] or 0 for r in missing),
        schemes=tuple(SchemeCount(c, s, n) for (c, s), n in sorted(schemes.items())),
        start_days=days,
        start_summary={c: summarise([(d.day, d.n) for d in v]) for c, v in days.items()},
        departures=departures,
        departures_total=sum(departures.values()),
        planned_start_day=sb.planned_start_day,
        late_start_day=sb.late_start_day,
    )


def randomization_model(
    counts: Sequence[Record],
    by_day: Sequence[Record],
    failures: Sequence[Record],
    histograms: Sequence[Record],
    consort_rows: Sequence[Record],
    visits_done: Sequence[Record],
    courses: Sequence[Record],
    missing: Sequence[Record],
    protocol: Protocol,
    scope: ScopeInfo,
    conceal: bool = False,
    visit_states: Sequence[Record] = (),
) -> RandomizationModel:
    """The randomization page model for the centers in scope (every arm: as randomized).

    `conceal`: no balance between arms (per center or pooled), no delivery by arm.
    """
    codes = list(scope.centers)
    keep = set(codes)

    def mine(rows: Sequence[Record]) -> list[Record]:
        return [r for r in rows if r["center_id"] in keep]

    counts, by_day, failures = mine(counts), mine(by_day), mine(failures)
    histograms, consort_rows, visits_done = mine(histograms), mine(consort_rows), mine(visits_done)
    courses, missing = mine(courses), mine(missing)
    arms = protocol.arm_codes
    by_center = {c: {a: 0 for a in arms} for c in codes}
    for r in counts:
        if r["arm"] in arms:
            by_center[r["center_id"]][r["arm"]] += r["randomized"]
    balance = {} if conceal else {c: balance_of(by_center[c], protocol) for c in codes}
    if scope.pooled and not conceal:
        total = {a: sum(by_center[c][a] for c in codes) for a in arms}
        balance[POOLED] = balance_of(total, protocol, strata=len(codes))
    scored = [
        (abs(balance[c].difference) / balance[c].bound if balance[c].bound else 0, c)
        for c in codes
        if c in balance and balance[c].n
    ]
    largest = max(scored, key=lambda x: (x[0], -codes.index(x[1])))[1] if scored else None
    return RandomizationModel(
        scope=scope,
        population="as_randomized",
        as_of=scope.as_of,
        randomized=sum(r["randomized"] for r in counts),
        by_center=by_center,
        balance=balance,
        largest_difference=largest,
        beyond_bounds=tuple(c for c in codes if c in balance and balance[c].exceeds_blocks),
        cumulative_by_arm={
            a: cumulative_steps([r for r in by_day if r["arm"] == a], scope.as_of) for a in arms
        },
        table_one=table_one(histograms, protocol),
        consort=consort(counts, consort_rows, failures, visits_done, protocol, mine(visit_states)),
        delivery=None if conceal else delivery(courses, missing, consort_rows, protocol),
        concealed=conceal,
    )

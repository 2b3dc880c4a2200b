"""The safety page model: subjects with adverse events by arm as treated, term and worst grade.

Also events of interest, center rates and reporting lag.

Grade (CTCAE 1-5) and seriousness (ICH E2A) are separate and stay separate. Incidence counts
subjects, not events: a subject with three events of one term counts once, at the worst grade.
Denominators are the randomized subjects of the arm as treated (or of the center). Events whose
grade is outside 1-5 cannot be graded: they count in "any" only and are reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.metrics.intervals import proportion, quantiles
from dashboard.metrics.model import Proportion, Record, ScopeInfo
from dashboard.protocol import Protocol

GRADES = (1, 2, 3, 4, 5)
MAX_CENTER_ROWS = 20
# The incidence table shows the commonest terms (all of them up to this many); every term is
# one click away in a grid, in the CSV and in `summary --json`.
COMMON_TERMS = 20


@dataclass(frozen=True)
class ArmSafety:
    """Subjects of an arm with any AE, a worst grade >= 3, an SAE and a fatal AE."""

    subjects: int
    any_ae: int
    grade3plus: int
    serious: int
    fatal: int
    events: int
    any_ae_share: Proportion
    grade3plus_share: Proportion
    serious_share: Proportion
    fatal_share: Proportion


@dataclass(frozen=True)
class TermCount:
    """Subjects of an arm with a term: any grade, worst grade 3-5, and by worst grade."""

    any: int
    grade3plus: int
    worst: dict[str, int]
    ungraded: int
    any_share: float | None = None
    grade3plus_share: float | None = None


@dataclass(frozen=True)
class InterestCount:
    """Subjects of an arm with an event of a category of interest."""

    subjects: int
    denominator: int
    grade3plus: int
    events: int
    share: Proportion


@dataclass(frozen=True)
class CenterRates:
    """A center's (or the pooled) share of subjects with any AE and with an SAE."""

    subjects: int
    any_ae: Proportion
    serious: Proportion


@dataclass(frozen=True)
class Lag:
    """Days from onset to report at a center, and days since its last report."""

    events: int
    median: float | None
    q1: float | None
    q3: float | None
    max: int | None
    no_report_date: int
    days_since_last_report: int | None
    histogram: dict[str, int]
    # Events that began before day 0 (history recorded as AEs): not in the lag figures.
    before_day0: int = 0


@dataclass(frozen=True)
class SafetyModel:
    """Everything the safety page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    arms: tuple[str, ...]
    by_arm: dict[str, ArmSafety]
    total: ArmSafety
    by_term: dict[str, dict[str, TermCount]]
    term_soc: dict[str, str | None]
    # The terms the incidence table shows first: the commonest by subjects (every arm of the
    # view together), in by_term's order (system organ class, then frequency).
    common_terms: tuple[str, ...]
    interest: dict[str, dict[str, InterestCount]]
    # Events of interest per category and arm by day of onset from day 0 (day >= 0 only).
    onset: dict[str, dict[str, dict[str, int]]]
    by_center: dict[str, CenterRates]
    pooled: CenterRates | None
    rate_centers: tuple[str, ...]
    lag: dict[str, Lag]
    events: int
    ungradable_events: int
    grade_scale: str = "ctcae"
    # Events that began before the subject's day 0 (history recorded as AEs): counted in the
    # tables, left out of the reporting lag; those of interest left out of the onset figure.
    before_day0_events: int = 0
    onset_before_day0: int = 0
    # Events flagged not treatment-emergent (adverse_events.emergent false), per arm of the
    # view: listed as 'before treatment', in no table, rate or lag.
    not_emergent: dict[str, int] = field(default_factory=dict)

    @property
    def not_emergent_events(self) -> int:
        """Events flagged not treatment-emergent, every arm of the view together."""
        return sum(self.not_emergent.values())

    @property
    def grades(self) -> tuple[int, ...]:
        """The levels of the scale the events were recorded on.

        Severity has three (mild, moderate, severe); CTCAE grades run 1-5.
        """
        return GRADES[:3] if self.grade_scale == "severity" else GRADES


def _scale_of(scales: Sequence[Record]) -> str:
    used = {r["scale"] for r in scales if r["n"]}
    if used == {"severity"}:
        return "severity"
    return "mixed" if "severity" in used else "ctcae"


def _arm_safety(n: int, row: dict[str, int]) -> ArmSafety:
    return ArmSafety(
        subjects=n,
        any_ae=row["any_ae"],
        grade3plus=row["grade3plus"],
        serious=row["serious"],
        fatal=row["fatal"],
        events=row["events"],
        any_ae_share=proportion(row["any_ae"], n),
        grade3plus_share=proportion(row["grade3plus"], n),
        serious_share=proportion(row["serious"], n),
        fatal_share=proportion(row["fatal"], n),
    )


def reporting_lag(rows: Sequence[Record], as_of: dt.date) -> Lag:
    """Reporting lag of the events that began on or after day 0; the others counted apart.

    Events flagged not treatment-emergent are in no lag (counted in the model, not here).
    """
    rows = [r for r in rows if r.get("emergent", 1)]
    last = max((r["last_report"] for r in rows if r["last_report"] is not None), default=None)
    before = sum(r["n"] for r in rows if r.get("before_day0"))
    rows = [r for r in rows if not r.get("before_day0")]
    dated = [(r["lag"], r["n"]) for r in rows if r["lag"] is not None]
    values = [float(v) for v, _ in dated]
    counts = [n for _, n in dated]
    q1 = med = q3 = None
    if dated:
        q1, med, q3 = quantiles(values, counts, (0.25, 0.5, 0.75))
    hist: dict[str, int] = defaultdict(int)
    for v, n in dated:
        hist[str(v)] += n
    return Lag(
        events=sum(r["n"] for r in rows),
        median=med,
        q1=q1,
        q3=q3,
        max=int(max(values)) if values else None,
        no_report_date=sum(r["n"] for r in rows if r["lag"] is None),
        days_since_last_report=(as_of - last).days if last else None,
        histogram=dict(sorted(hist.items(), key=lambda kv: float(kv[0]))),
        before_day0=before,
    )


def safety_model(
    denominators: Sequence[Record],
    overview: Sequence[Record],
    terms: Sequence[Record],
    interest: Sequence[Record],
    onset: Sequence[Record],
    lags: Sequence[Record],
    protocol: Protocol,
    scope: ScopeInfo,
    scales: Sequence[Record] = (),
) -> SafetyModel:
    """The safety page model for a scope (centers and arms as treated).

    `grade_scale` is the trial's, not the view's: `ctcae`, `severity` (the source recorded only
    mild / moderate / severe, counted as 1 / 2 / 3) or `mixed`.
    """
    keep, arms = set(scope.centers), [a for a in protocol.arm_codes if a in scope.arms]

    def mine(rows: Sequence[Record]) -> list[Record]:
        return [r for r in rows if r["center_id"] in keep and r["arm"] in arms]

    # The population is a property of the trial's data, not of the view: as treated when the
    # protocol derives the treated arm or any subject has one recorded, whatever the centers.
    recorded = sum(r["given"] for r in denominators)
    denominators, overview, terms = mine(denominators), mine(overview), mine(terms)
    interest, onset, lags = mine(interest), mine(onset), mine(lags)
    n_arm = {a: 0 for a in arms}
    n_center = {c: 0 for c in scope.centers}
    for r in denominators:
        n_arm[r["arm"]] += r["n"]
        n_center[r["center_id"]] += r["n"]
    keys = ("any_ae", "grade3plus", "serious", "fatal", "events")
    per_arm = {a: dict.fromkeys(keys, 0) for a in arms}
    per_center = {c: dict.fromkeys(keys, 0) for c in scope.centers}
    ungradable = 0
    for r in overview:
        for k in keys:
            per_arm[r["arm"]][k] += r[k] or 0
            per_center[r["center_id"]][k] += r[k] or 0
        ungradable += r["ungraded_events"] or 0
    by_arm = {a: _arm_safety(n_arm[a], per_arm[a]) for a in arms}
    total = _arm_safety(sum(n_arm.values()), {k: sum(per_arm[a][k] for a in arms) for k in keys})

    by_term: dict[str, dict[str, TermCount]] = {}
    soc: dict[str, str | None] = {}
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in terms:
        worst = r["worst"]
        tally[(r["term"], r["arm"])]["none" if worst is None else str(worst)] += r["n"]
        if r["soc"] is not None and (soc.get(r["term"]) is None or r["soc"] < str(soc[r["term"]])):
            soc[r["term"]] = r["soc"]
        soc.setdefault(r["term"], None)
    for term in sorted({t for t, _ in tally}):
        by_term[term] = {}
        for a in arms:
            c = tally.get((term, a), {})
            worst = {str(g): c.get(str(g), 0) for g in GRADES}
            ungraded = c.get("none", 0)
            any_n = sum(worst.values()) + ungraded
            g3 = worst["3"] + worst["4"] + worst["5"]
            by_term[term][a] = TermCount(
                any=any_n,
                grade3plus=g3,
                worst=worst,
                ungraded=ungraded,
                any_share=any_n / n_arm[a] if n_arm[a] else None,
                grade3plus_share=g3 / n_arm[a] if n_arm[a] else None,
            )
    # Most frequent terms first within each system organ class.
    order = sorted(
        by_term,
        key=lambda t: (soc.get(t) or "~", -sum(x.any for x in by_term[t].values()), t),
    )
    by_term = {t: by_term[t] for t in order}
    ranked = sorted(by_term, key=lambda t: (-sum(x.any for x in by_term[t].values()), t))
    common = set(ranked[:COMMON_TERMS])

    interest_model: dict[str, dict[str, InterestCount]] = {}
    got: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in interest:
        for k in ("subjects", "grade3plus", "events"):
            got[(r["category"], r["arm"])][k] += r[k] or 0
    for name, _terms in protocol.events_of_interest:
        interest_model[name] = {}
        for a in arms:
            found = got.get((name, a), {})
            subjects = found.get("subjects", 0)
            interest_model[name][a] = InterestCount(
                subjects=subjects,
                denominator=n_arm[a],
                grade3plus=found.get("grade3plus", 0),
                events=found.get("events", 0),
                share=proportion(subjects, n_arm[a]),
            )
    onset_model: dict[str, dict[str, dict[str, int]]] = {
        name: {a: {} for a in arms} for name, _ in protocol.events_of_interest
    }
    onset_before = 0
    for r in onset:
        if r["day"] is None or r["category"] not in onset_model:
            continue
        if r["day"] < 0:
            onset_before += r["n"]
            continue
        cell = onset_model[r["category"]][r["arm"]]
        cell[str(r["day"])] = cell.get(str(r["day"]), 0) + r["n"]
    for cat in onset_model.values():
        for a in cat:
            cat[a] = dict(sorted(cat[a].items(), key=lambda kv: int(kv[0])))

    by_center = {
        c: CenterRates(
            n_center[c],
            proportion(per_center[c]["any_ae"], n_center[c]),
            proportion(per_center[c]["serious"], n_center[c]),
        )
        for c in scope.centers
    }
    pooled = (
        CenterRates(total.subjects, total.any_ae_share, total.serious_share)
        if scope.pooled
        else None
    )
    codes = list(scope.centers)
    rate_centers = tuple(
        c
        for c in codes
        if c in sorted(codes, key=lambda c: (-n_center[c], codes.index(c)))[:MAX_CENTER_ROWS]
    )
    lag_rows: dict[str, list[Record]] = defaultdict(list)
    for r in lags:
        lag_rows[r["center_id"]].append(r)
    return SafetyModel(
        scope=scope,
        population="as_treated" if protocol.sbrt is not None or recorded else "as_randomized",
        grade_scale=_scale_of(scales),
        as_of=scope.as_of,
        arms=tuple(arms),
        by_arm=by_arm,
        total=total,
        by_term=by_term,
        term_soc=soc,
        common_terms=tuple(t for t in by_term if t in common),
        interest=interest_model,
        onset=onset_model,
        by_center=by_center,
        pooled=pooled,
        rate_centers=rate_centers,
        lag={c: reporting_lag(lag_rows.get(c, []), scope.as_of) for c in codes},
        events=total.events,
        ungradable_events=ungradable,
        before_day0_events=sum(
            r["n"] for r in lags if r.get("before_day0") and r.get("emergent", 1)
        ),
        onset_before_day0=onset_before,
        not_emergent={
            a: sum(r["n"] for r in lags if r["arm"] == a and not r.get("emergent", 1)) for a in arms
        },
    )

"""The visits page model: visit states and compliance by center, visit and arm; the swimmer.

States come from the SQL visit engine (data_access/queries/visits.py, PROTOCOL.md's words).
Compliance = done (any timing) / (done + missed); visits not expected (the subject left before
the window opened) leave the denominator. Counts are as randomized.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboard.metrics.model import SMALL_N, Record, ScopeInfo
from dashboard.metrics.recruitment import Monthly, month_starts
from dashboard.protocol import Protocol

DONE_STATES = ("done", "done_early", "done_late")
STATES = (
    "done",
    "done_early",
    "done_late",
    "missed",
    "due",
    "upcoming",
    "not_expected",
    "no_day_zero",
)
MAX_HEATMAP_CENTERS = 12


@dataclass(frozen=True)
class StateCounts:
    """Visits in each state, with compliance = done / (done + missed) (None when both are 0)."""

    done: int
    done_on_time: int
    done_early: int
    done_late: int
    missed: int
    # Missed visits of subjects who have since left the study (died, withdrew, lost): they
    # count as missed (the window opened while on study) but no worklist chases them.
    missed_left: int
    due: int
    due_overdue: int
    upcoming: int
    not_expected: int
    no_day_zero: int
    expected: int
    compliance: float | None
    small_n: bool


@dataclass(frozen=True)
class SwimmerVisit:
    """One scheduled visit on a subject's line: its day from day 0 and its state."""

    visit_code: str
    day: int
    state: str


@dataclass(frozen=True)
class SwimmerSubject:
    """One subject's follow-up line from day 0 to leaving or the data date."""

    subject_id: str
    center_id: str
    arm: str | None
    end_day: int
    off_reason: str | None
    sbrt_days: tuple[int, int] | None
    visits: tuple[SwimmerVisit, ...]


@dataclass(frozen=True)
class Swimmer:
    """The swimmer plot: the most recently randomized subjects of the scope."""

    subjects: tuple[SwimmerSubject, ...]
    total: int


@dataclass(frozen=True)
class VisitsModel:
    """Everything the visits page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    randomized: int
    overall: StateCounts
    by_center: dict[str, StateCounts]
    by_visit: dict[str, StateCounts]
    by_arm: dict[str, StateCounts]
    by_center_visit: dict[str, dict[str, StateCounts]]
    missed_by_month: Monthly
    no_day_zero_subjects: int
    duplicated_visits: int
    worklist_rows: int
    heatmap_centers: tuple[str, ...]
    swimmer: Swimmer | None


def counts_of(rows: Iterable[Record]) -> StateCounts:
    """State counts of visit rows (state, overdue, n)."""
    tally: dict[str, int] = defaultdict(int)
    overdue = left = 0
    for r in rows:
        tally[r["state"]] += r["n"]
        if r["state"] == "due" and r["overdue"]:
            overdue += r["n"]
        if r["state"] == "missed" and r.get("left"):
            left += r["n"]
    done = sum(tally[s] for s in DONE_STATES)
    expected = done + tally["missed"]
    return StateCounts(
        done=done,
        done_on_time=tally["done"],
        done_early=tally["done_early"],
        done_late=tally["done_late"],
        missed=tally["missed"],
        missed_left=left,
        due=tally["due"],
        due_overdue=overdue,
        upcoming=tally["upcoming"],
        not_expected=tally["not_expected"],
        no_day_zero=tally["no_day_zero"],
        expected=expected,
        compliance=done / expected if expected else None,
        small_n=expected < SMALL_N,
    )


def swimmer(rows: Sequence[Record], sbrt: Sequence[Record], as_of: dt.date) -> Swimmer:
    """Swimmer lines from the engine's visit rows of some subjects and their SBRT courses."""
    courses = {r["subject_id"]: r for r in sbrt}
    by_subject: dict[str, list[Record]] = defaultdict(list)
    for r in rows:
        by_subject[r["subject_id"]].append(r)
    out = []
    for sid, visits in by_subject.items():
        first = visits[0]
        day0 = first["day0"]
        end = first["off_study_on"] or as_of
        course = courses.get(sid)
        sbrt_days = None
        if course is not None:
            start = (course["started_on"] - day0).days
            stop = ((course["completed_on"] or course["started_on"]) - day0).days
            sbrt_days = (start, max(stop, start + 1))
        out.append(
            SwimmerSubject(
                subject_id=sid,
                center_id=first["center_id"],
                arm=first["arm"],
                end_day=(end - day0).days,
                off_reason=first["off_study_reason"] if first["off_study_on"] else None,
                sbrt_days=sbrt_days,
                visits=tuple(
                    SwimmerVisit(
                        v["visit_code"],
                        ((v["assessed_on"] or v["target_on"]) - day0).days,
                        v["state"],
                    )
                    for v in visits
                    if v["state"] != "not_expected"
                ),
            )
        )
    return Swimmer(tuple(out), len(out))


def visits_model(
    counts: Sequence[Record],
    missed_months: Sequence[Record],
    swimmer_model: Swimmer | None,
    protocol: Protocol,
    scope: ScopeInfo,
) -> VisitsModel:
    """The visits page model for a scope (centers and arms), from the engine's counts."""
    keep, arms = set(scope.centers), set(scope.arms)
    rows = [r for r in counts if r["center_id"] in keep and r["arm"] in arms]
    months = [r for r in missed_months if r["center_id"] in keep and r["arm"] in arms]
    codes = list(scope.centers)
    by_center = {c: counts_of(r for r in rows if r["center_id"] == c) for c in codes}
    first = min((r["month"] for r in months), default=scope.as_of.replace(day=1))
    month_list = month_starts(first, scope.as_of)
    index = {m: i for i, m in enumerate(month_list)}
    per_center = {c: [0] * len(month_list) for c in codes}
    for r in months:
        if r["month"] in index:
            per_center[r["center_id"]][index[r["month"]]] += r["n"]
    # With many centers the heatmap shows those with the lowest compliance (the rest: table).
    ranked = sorted(
        codes,
        key=lambda c: (
            by_center[c].compliance if by_center[c].compliance is not None else 2.0,
            codes.index(c),
        ),
    )
    heat = [c for c in codes if c in ranked[:MAX_HEATMAP_CENTERS]]
    subjects_per_visit = len(protocol.visits) or 1
    no_day0 = sum(r["subjects"] for r in rows if r["state"] == "no_day_zero") // subjects_per_visit
    randomized = sum(r["n"] for r in rows) // subjects_per_visit
    overall = counts_of(rows)
    if swimmer_model is not None:
        # Of the subjects who can be drawn (those with a day 0), how many the plot shows.
        swimmer_model = Swimmer(swimmer_model.subjects, randomized - no_day0)
    return VisitsModel(
        scope=scope,
        population="as_randomized",
        as_of=scope.as_of,
        randomized=randomized,
        overall=overall,
        by_center=by_center,
        by_visit={
            v: counts_of(r for r in rows if r["visit_code"] == v) for v in protocol.visit_codes
        },
        by_arm={a: counts_of(r for r in rows if r["arm"] == a) for a in scope.arms},
        by_center_visit={
            c: {
                v: counts_of(r for r in rows if r["center_id"] == c and r["visit_code"] == v)
                for v in protocol.visit_codes
            }
            for c in codes
        },
        missed_by_month=Monthly(month_list, {c: tuple(v) for c, v in per_center.items()}),
        no_day_zero_subjects=no_day0,
        duplicated_visits=sum(r["n"] for r in rows if r["duplicated"]),
        # The worklist lists the due, missed and unschedulable visits of subjects on study.
        worklist_rows=sum(
            r["n"]
            for r in rows
            if r["state"] in ("due", "missed", "no_day_zero") and not r.get("left")
        ),
        heatmap_centers=tuple(heat),
        swimmer=swimmer_model,
    )

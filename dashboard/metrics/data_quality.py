"""The data-quality page model: findings of the protocol's checks by center, category and month.

The checks themselves are SQL (data_access/queries/checks.py); here are the rules the protocol
gives them (`check_rules`), which treated levels break the eligibility rules, and the counts a
page shows. Structure findings (unknown codes, orphan rows) are about the whole database: they
are counted only when the scope covers every center and the user may see every center.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboard.metrics.model import Record, ScopeInfo
from dashboard.metrics.recruitment import month_starts
from dashboard.protocol import VERTEBRAL_LEVELS, Protocol

CATEGORIES = ("eligibility", "range", "dates", "safety", "sbrt", "structure")
MAX_CENTER_BARS = 12


@dataclass(frozen=True)
class Trend:
    """Findings per month of the record they concern, per category.

    Months run from the trial's first screening to the data date; findings about records
    dated before the first screening (a date typed wrong, or history) are counted in `before`,
    those dated after the data date in `after`: neither stretches the axis.
    """

    months: tuple[dt.date, ...]
    by_category: dict[str, tuple[int, ...]]
    before: int = 0
    after: int = 0


@dataclass(frozen=True)
class DataQualityModel:
    """Everything the data-quality page shows."""

    scope: ScopeInfo
    population: str
    as_of: dt.date
    categories: tuple[str, ...]
    structure_checked: bool
    total: int
    by_category: dict[str, int]
    by_center: dict[str, dict[str, int]]
    by_check: dict[str, int]
    trend: Trend
    undated: int
    deviations: dict[str, int]
    deviations_by_center: dict[str, dict[str, int]]
    bar_centers: tuple[str, ...]


def _levels(text: str) -> list[str]:
    return [p.strip().upper() for p in str(text).split(",") if p.strip()]


def classify_levels(values: Iterable[str], protocol: Protocol) -> tuple[list[str], list[str]]:
    """Which treated_levels texts have a level outside the bounds, and which too many levels."""
    el = protocol.eligibility
    outside, too_many = [], []
    bounds = None
    if el.highest_level and el.lowest_level:
        bounds = VERTEBRAL_LEVELS.index(el.highest_level), VERTEBRAL_LEVELS.index(el.lowest_level)
    for text in values:
        levels = _levels(text)
        if bounds is not None and any(
            lv not in VERTEBRAL_LEVELS or not bounds[0] <= VERTEBRAL_LEVELS.index(lv) <= bounds[1]
            for lv in levels
        ):
            outside.append(text)
        if el.max_treated_levels is not None and len(levels) > el.max_treated_levels:
            too_many.append(text)
    return outside, too_many


def data_quality_model(
    counts: Sequence[Record],
    deviations: Sequence[Record],
    protocol: Protocol,
    scope: ScopeInfo,
    first_screening: dt.date | None = None,
) -> DataQualityModel:
    """The data-quality page model for a scope (centers; arms do not apply to findings)."""
    structure = scope.all_centers
    categories = tuple(
        c
        for c in CATEGORIES
        if (c != "sbrt" or protocol.sbrt is not None) and (c != "structure" or structure)
    )
    keep = set(scope.centers)
    rows = [
        r
        for r in counts
        if r["category"] in categories
        and (r["center_id"] in keep or (r["category"] == "structure" and structure))
    ]
    codes = list(scope.centers)
    by_center = {c: dict.fromkeys(categories, 0) for c in codes}
    by_category = dict.fromkeys(categories, 0)
    by_check: dict[str, int] = defaultdict(int)
    per_month: dict[tuple[str, dt.date], int] = defaultdict(int)
    undated = 0
    for r in rows:
        by_category[r["category"]] += r["n"]
        by_check[r["check"]] += r["n"]
        if r["center_id"] in by_center:
            by_center[r["center_id"]][r["category"]] += r["n"]
        if r["month"] is None:
            undated += r["n"]
        else:
            per_month[(r["category"], r["month"])] += r["n"]
    months: tuple[dt.date, ...] = ()
    if per_month:
        first = min(m for _, m in per_month)
        if first_screening is not None:
            first = max(first, first_screening.replace(day=1))
        months = month_starts(first, max(scope.as_of.replace(day=1), first))
    trend = Trend(
        months,
        {c: tuple(per_month.get((c, m), 0) for m in months) for c in categories},
        before=sum(n for (_, m), n in per_month.items() if months and m < months[0]),
        after=sum(n for (_, m), n in per_month.items() if months and m > months[-1]),
    )

    dev_by_center = {c: {"recorded": 0, "major": 0} for c in codes}
    for r in deviations:
        if r["center_id"] in dev_by_center:
            dev_by_center[r["center_id"]]["recorded"] += r["recorded"]
            dev_by_center[r["center_id"]]["major"] += r["major"] or 0
    ranked = sorted(codes, key=lambda c: (-sum(by_center[c].values()), codes.index(c)))
    return DataQualityModel(
        scope=scope,
        population="all_records",
        as_of=scope.as_of,
        categories=categories,
        structure_checked=structure,
        total=sum(by_category.values()),
        by_category=by_category,
        by_center=by_center,
        by_check=dict(sorted(by_check.items())),
        trend=trend,
        undated=undated,
        deviations={
            "recorded": sum(d["recorded"] for d in dev_by_center.values()),
            "major": sum(d["major"] for d in dev_by_center.values()),
        },
        deviations_by_center=dev_by_center,
        bar_centers=tuple(c for c in codes if c in ranked[:MAX_CENTER_BARS]),
    )

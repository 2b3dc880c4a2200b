"""The protocol's own numbers and names that definitions and labels quote.

("NRS < 4", "T5–L5", "1:1 in blocks of 2, 4"): no text hard-codes one trial.
"""

from __future__ import annotations

import itertools
from typing import Any

from dashboard.i18n import pct, t
from dashboard.protocol import Protocol


def protocol_terms(protocol: Protocol, lang: str) -> dict[str, Any]:
    """Values every definition and check label may quote from the protocol file."""
    el, sb = protocol.eligibility, protocol.sbrt
    arms = protocol.arm_codes
    pairs = list(itertools.combinations(arms, 2))
    return {
        "windows": ", ".join(
            f"{v.code} −{v.window_before}/+{v.window_after}"
            if v.window_before != v.window_after
            else f"{v.code} ±{v.window_before}"
            for v in protocol.visits
        ),
        "day0": t(f"day0.{protocol.day_zero}", lang),
        "ratio": ":".join(str(r) for r in protocol.ratio),
        "blocks": ", ".join(str(b) for b in protocol.block_sizes),
        "bound": max((protocol.pair_bound(a, b) for a, b in pairs), default=0),
        "arms": ", ".join(a.name(lang) for a in protocol.arms),
        "min_nrs": el.min_baseline_nrs if el.min_baseline_nrs is not None else "–",
        "levels": f"{el.highest_level}–{el.lowest_level}" if el.highest_level else "–",
        "max_levels": el.max_treated_levels if el.max_treated_levels is not None else "–",
        "imaging_days": el.max_imaging_days_before_enrollment
        if el.max_imaging_days_before_enrollment is not None
        else "–",
        "sbrt_arm": protocol.arm_label(sb.arm, lang) if sb else "–",
        "planned_day": sb.planned_start_day if sb else "–",
        "late_day": sb.late_start_day if sb else "–",
        "missing_days": sb.missing_after_days if sb else "–",
        "idle_days": protocol.idle_days,
        "on_track_pct": pct(protocol.on_track_share),
        "horizon_years": round(protocol.forecast_horizon_days / 365.25),
        "closed_on": protocol.enrolment_closed_on.isoformat()
        if protocol.enrolment_closed_on
        else "–",
        "checks": findings_checks(protocol, lang),
        "range_checks": range_checks(protocol, lang),
    }


def _join(parts: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(parts)


def range_checks(protocol: Protocol, lang: str) -> str:
    """The value ranges checked: only for the measures the protocol collects."""
    parts = [t(f"checks.range.{m}", lang) for m in ("nrs", "pafi", "omed", "imaging")]
    kept = [
        p
        for m, p in zip(("nrs", "pafi", "omed", "imaging"), parts, strict=True)
        if protocol.collects(m)
    ]
    return _join([*kept, t("checks.range.grade", lang), t("checks.range.age", lang)], lang)


def findings_checks(protocol: Protocol, lang: str) -> str:
    """What the data-quality checks of this protocol look at, rule by rule."""
    el, sb = protocol.eligibility, protocol.sbrt
    rules = [t("checks.elig.not_eligible", lang)]
    if el.min_baseline_nrs is not None:
        rules.append(t("checks.elig.nrs", lang, min_nrs=el.min_baseline_nrs))
    if el.highest_level:
        rules.append(t("checks.elig.levels", lang, levels=f"{el.highest_level}–{el.lowest_level}"))
    if el.max_treated_levels is not None:
        rules.append(t("checks.elig.max_levels", lang, max_levels=el.max_treated_levels))
    if el.max_imaging_days_before_enrollment is not None:
        rules.append(
            t("checks.elig.imaging", lang, imaging_days=el.max_imaging_days_before_enrollment)
        )
    parts = [
        t("checks.eligibility", lang, rules=_join(rules, lang)),
        t("checks.ranges", lang, ranges=range_checks(protocol, lang)),
        t("checks.dates", lang),
        t("checks.safety", lang),
    ]
    if sb is not None:
        parts.append(
            t(
                "checks.sbrt",
                lang,
                sbrt_arm=protocol.arm_label(sb.arm, lang),
                late_day=sb.late_start_day,
                missing_days=sb.missing_after_days,
            )
        )
    parts.append(t("checks.structure", lang))
    return ("；" if lang == "zh" else "; ").join(parts)

"""The protocol's own numbers and names that definitions and labels quote.

("NRS < 4", "T5–L5", "1:1 in blocks of 2, 4"): no text hard-codes one trial.
"""

from __future__ import annotations

import itertools
from typing import Any

from dashboard.i18n import t
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
    }

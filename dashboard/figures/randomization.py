"""Randomization figures from the page model: balance, cumulative by arm, SBRT delivery."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard.figures.theme import (
    Figure,
    axis,
    bar_marker,
    base_layout,
    category_axis,
    figure,
    font_size,
    isos,
    month_format,
    note,
    vline,
)
from dashboard.i18n import signed, t, tn
from dashboard.metrics.randomization import Balance, RandomizationModel
from dashboard.palette import MUTED, SCHEME_GREYS, TEXT, WARN, readable_text
from dashboard.protocol import Protocol


def difference_text(b: Balance, protocol: Protocol, lang: str, pair: bool = True) -> str:
    """'+2' for two arms (first arm minus second); '3 (Placebo – High dose)' beyond two."""
    if len(protocol.arms) == 2:
        return signed(b.difference)
    if not pair:
        return str(b.difference)
    a, c = (protocol.arm_label(x, lang) for x in b.pair)
    return f"{b.difference} ({a} – {c})"


def balance_bars(
    model: RandomizationModel,
    rows: Sequence[str],
    labels: Sequence[str],
    protocol: Protocol,
    lang: str,
    present: bool,
) -> Figure:
    """Randomized per arm for each center (and the pooled row), the difference written beside."""
    size = font_size(present)
    data: list[dict[str, Any]] = []
    top = max((model.balance[r].counts[a] for r in rows for a in protocol.arm_codes), default=1)
    for arm in protocol.arms:
        counts = [model.balance[r].counts[arm.code] for r in rows]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": list(labels),
                "x": counts,
                "name": arm.name(lang),
                "marker": {"color": arm.colour},
                "text": [str(c) for c in counts],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textangle": 0,
                "textfont": {"color": readable_text(arm.colour), "size": size - 1},
                "hovertemplate": "%{y}: %{x}<extra>%{fullData.name}</extra>",
            }
        )
    notes = []
    for r in rows:
        b = model.balance[r]
        flag = " ⚠" if b.exceeds_blocks or b.surprising else ""
        notes.append(f"{t('rnd.diff', lang)} {difference_text(b, protocol, lang, False)}{flag}")
    data.append(
        {
            "type": "scatter",
            "mode": "text",
            "y": list(labels),
            "x": [top * 1.03] * len(rows),
            "text": notes,
            "textposition": "middle right",
            "showlegend": False,
            "hoverinfo": "skip",
            "textfont": {"color": TEXT, "size": size},
        }
    )
    per_row = (22 if present else 16) * len(protocol.arms) + 18
    layout = base_layout(present, height=120 + per_row * len(rows) + 2 * size)
    layout.update(
        barmode="group",
        bargap=0.25,
        xaxis=axis(t("rnd.axis.randomized", lang), range=[0, top * 1.5 + 1]),
        yaxis=category_axis(labels, reverse=True, gridcolor="rgba(0,0,0,0)"),
    )
    return figure(data, layout)


def cumulative_by_arm(
    model: RandomizationModel, protocol: Protocol, lang: str, present: bool
) -> Figure:
    """Cumulative randomized per arm over time: drift between arms shows as diverging lines."""
    data = []
    for i, arm in enumerate(protocol.arms):
        points = model.cumulative_by_arm.get(arm.code, ())
        if not points:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": isos(p.date for p in points),
                "y": [p.value for p in points],
                "name": arm.name(lang),
                "line": {
                    "color": arm.colour,
                    "width": 3,
                    "dash": ("solid", "dash", "dot")[i % 3],
                    "shape": "hv",
                },
            }
        )
    peak = max((p.value for pts in model.cumulative_by_arm.values() for p in pts), default=0)
    layout = base_layout(present, height=380 if present else 340)
    layout.update(
        xaxis=axis(t("rec.axis.date", lang), type="date", tickformat=month_format(lang)),
        yaxis=axis(
            t("rec.axis.cumulative", lang),
            rangemode="tozero",
            # Counts: whole-number ticks even when there are only a few subjects.
            **({"dtick": 1} if peak <= 5 else {}),
        ),
        hovermode="x unified",
    )
    return figure(data, layout)


def scheme_bars(
    model: RandomizationModel, centers: Sequence[str], protocol: Protocol, lang: str, present: bool
) -> Figure:
    """SBRT schemes used per center (SBRT arm); 'other' (not allowed) is hatched, dark red."""
    assert model.delivery is not None and protocol.sbrt is not None
    size = font_size(present)
    allowed = [f"{d:g} Gy / {f}" for d, f in protocol.sbrt.allowed_schemes]
    counts = {(s.center_id, s.scheme): s.n for s in model.delivery.schemes}
    data = []
    for i, scheme in enumerate([*allowed, "other"]):
        values = [counts.get((c, scheme), 0) for c in centers]
        if not any(values):
            continue
        other = scheme == "other"
        colour = WARN if other else SCHEME_GREYS[i % len(SCHEME_GREYS)]
        data.append(
            {
                "type": "bar",
                "x": list(centers),
                "y": values,
                "name": t("rnd.scheme.other", lang) if other else scheme,
                "marker": bar_marker(
                    colour, "x" if other else "", line={"color": TEXT, "width": 0.5}
                ),
                "text": [str(v) if v else "" for v in values],
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "middle",
                "textfont": {"color": readable_text(colour), "size": size - 1},
            }
        )
    layout = base_layout(present, height=380 if present else 340)
    layout.update(
        barmode="stack",
        xaxis=category_axis(centers),
        yaxis=axis(t("rnd.axis.subjects_sbrt", lang), rangemode="tozero"),
        uniformtext={"minsize": size - 4, "mode": "hide"},
    )
    return figure(data, layout)


def start_days(
    model: RandomizationModel, centers: Sequence[str], protocol: Protocol, lang: str, present: bool
) -> Figure:
    """Days from day 0 to SBRT start per center: one dot per start day (size: subjects)."""
    d = model.delivery
    assert d is not None
    size = font_size(present)
    shown = [c for c in centers if c in d.start_days]
    data: list[dict[str, Any]] = []
    for i, code in enumerate(shown):
        days = d.start_days[code]
        s = d.start_summary[code]
        if s.q1 is not None and s.q3 is not None:
            # The interquartile range and median as a bar: drawn from precomputed statistics.
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": [s.q1, s.q3],
                    "y": [i, i],
                    "line": {"color": protocol.center_colour(code), "width": 10},
                    "opacity": 0.35,
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [x.day for x in days],
                "y": [i] * len(days),
                "marker": {
                    "color": [WARN if x.late else protocol.center_colour(code) for x in days],
                    "symbol": ["x" if x.late else "circle" for x in days],
                    "size": [6 + 3 * min(x.n, 9) ** 0.5 * 2 for x in days],
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": [
                    t(
                        "rnd.hover.start_day",
                        lang,
                        day=t("fmt.day_n", lang, n=x.day),
                        subjects=tn("n.subjects", x.n, lang),
                    )
                    for x in days
                ],
                "hovertemplate": code + ": %{customdata}<extra></extra>",
                "showlegend": False,
            }
        )
    shapes, annotations = [], []
    # The planned day's label left of its line, the late limit's right of it: never on each other.
    for x, colour, dash, text, side in (
        (
            d.planned_start_day,
            MUTED,
            "dash",
            t("rnd.planned_day", lang, day=d.planned_start_day),
            "right",
        ),
        (d.late_start_day, WARN, "dot", t("rnd.late_day", lang, day=d.late_start_day), "left"),
    ):
        shapes.append(vline(x, colour, 1.5, dash))
        annotations.append(
            note(text, x, 1, size - 2, colour=colour, yref="paper", yanchor="bottom", xanchor=side)
        )
    layout = base_layout(
        present, height=150 + (60 if present else 46) * max(len(shown), 1), legend=False
    )
    layout.update(
        xaxis=axis(t("rnd.axis.days_to_sbrt", lang), rangemode="tozero"),
        yaxis=axis(
            None,
            tickvals=list(range(len(shown))),
            ticktext=shown,
            autorange="reversed",
            showgrid=False,
            range=[len(shown) - 0.5, -0.5],
        ),
        shapes=shapes,
        annotations=annotations,
    )
    layout["margin"]["t"] = 16 + size
    return figure(data, layout)

"""Safety figures from the page model: overview, events to watch, center rates, lag, onset.

And one subject's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dashboard.figures.theme import (
    Figure,
    axis,
    axis_name,
    axis_ref,
    base_layout,
    category_axis,
    figure,
    font_size,
    note,
    panel_grid,
    vline,
)
from dashboard.i18n import pct, t, tn, variant
from dashboard.metrics.model import Proportion
from dashboard.metrics.safety import SafetyModel
from dashboard.palette import GRADE_COLOURS, MUTED, TEXT, WARN
from dashboard.protocol import Protocol

METRICS = ("any_ae", "grade3plus", "serious", "fatal")
SYMBOLS = ("circle", "diamond", "square", "triangle-up", "star", "hexagon")


def _above(p: Proportion) -> float:
    return p.high - p.value if p.high is not None and p.value is not None else 0.0


def _below(p: Proportion) -> float:
    return p.value - p.low if p.low is not None and p.value is not None else 0.0


def _share_text(p: Proportion) -> str:
    return f"{p.k}/{p.n} ({pct(p.value)})" if p.n else "0"


def overview(model: SafetyModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """Share of subjects with any AE, grade >= 3, an SAE, a fatal AE, per arm as treated."""
    size = font_size(present)
    names = [t(variant(f"saf.metric.{m}", model.grade_scale), lang) for m in METRICS]
    data = []
    for arm in protocol.arms:
        a = model.by_arm.get(arm.code)
        if a is None:
            continue
        shares = [getattr(a, f"{m}_share") for m in METRICS]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [s.value or 0 for s in shares],
                "name": arm.name(lang),
                "marker": {"color": arm.colour},
                "text": [_share_text(s) for s in shares],
                "textposition": "outside",
                "cliponaxis": False,
                "textfont": {"color": TEXT, "size": size - 1},
                "hovertemplate": "%{y}: %{text}<extra>%{fullData.name}</extra>",
            }
        )
    per = (26 if present else 18) * max(len(model.arms), 1)
    layout = base_layout(present, height=120 + 4 * (per + 14))
    layout.update(
        barmode="group",
        bargap=0.25,
        xaxis=axis(
            t("saf.axis.share", lang),
            tickformat=".0%",
            range=[0, 1],
            tickvals=[0, 0.25, 0.5, 0.75, 1],
        ),
        yaxis=category_axis(names, reverse=True, gridcolor="rgba(0,0,0,0)"),
    )
    layout["margin"]["r"] = 130 if present else 100
    return figure(data, layout)


def interest(model: SafetyModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """Share of subjects with each event of interest, per arm (n/N and grade >= 3 on the bars)."""
    size = font_size(present)
    cats = list(model.interest)
    names = [protocol.interest_label(c, lang) for c in cats]
    data = []
    top = 0.0
    for arm in protocol.arms:
        if arm.code not in model.arms:
            continue
        counts = [model.interest[c][arm.code] for c in cats]
        top = max([top, *(c.share.value or 0 for c in counts)])
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [c.share.value or 0 for c in counts],
                "name": arm.name(lang),
                "marker": {"color": arm.colour},
                "text": [
                    f"{c.subjects}/{c.denominator}"
                    + (
                        " · "
                        + t(variant("saf.interest.g3", model.grade_scale), lang, n=c.grade3plus)
                        if c.grade3plus
                        else ""
                    )
                    for c in counts
                ],
                "textposition": "outside",
                "cliponaxis": False,
                "textfont": {"color": TEXT, "size": size - 1},
                "hovertemplate": "%{y}: %{text}<extra>%{fullData.name}</extra>",
            }
        )
    per = (22 if present else 16) * max(len(model.arms), 1)
    layout = base_layout(present, height=110 + len(cats) * (per + 14))
    upper = min(1.0, max(top * 1.15, 0.1))
    layout.update(
        barmode="group",
        bargap=0.25,
        xaxis=axis(t("saf.axis.share", lang), tickformat=".0%", range=[0, upper]),
        yaxis=category_axis(names, reverse=True, gridcolor="rgba(0,0,0,0)"),
    )
    layout["margin"]["r"] = 150 if present else 120
    return figure(data, layout)


def center_rates(
    model: SafetyModel, protocol: Protocol, pooled_label: str, lang: str, present: bool
) -> Figure:
    """Per center (and pooled): share with any AE and with an SAE, exact 95% CI; two panels."""
    size = font_size(present)
    rows = list(model.rate_centers)
    labels = list(rows)
    rates = [model.by_center[c] for c in rows]
    if model.pooled is not None:
        labels.append(pooled_label)
        rates.append(model.pooled)
    colours = [protocol.center_colour(c) for c in rows] + ([TEXT] if model.pooled else [])
    symbols = ["circle"] * len(rows) + (["diamond"] if model.pooled else [])
    domains = panel_grid(2, 2, gap_x=0.08)
    data = []
    annotations = []
    layout = base_layout(present, height=120 + (42 if present else 34) * len(labels), legend=False)
    for i, key in enumerate(("any_ae", "serious")):
        xa, ya = axis_ref("xaxis", i), axis_ref("yaxis", i)
        values: list[Proportion] = [getattr(r, key) for r in rates]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [p.value for p in values],
                "y": labels,
                "marker": {
                    "color": colours,
                    "size": 12,
                    "symbol": symbols,
                    "line": {"color": "white", "width": 1},
                },
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [_above(p) for p in values],
                    "arrayminus": [_below(p) for p in values],
                    "color": MUTED,
                },
                "text": [_share_text(p) for p in values],
                "hovertemplate": "%{y}: %{text}<extra></extra>",
                "xaxis": xa,
                "yaxis": ya,
            }
        )
        x_dom, _ = domains[i]
        layout[axis_name("xaxis", i)] = axis(
            None,
            domain=x_dom,
            anchor=ya,
            tickformat=".0%",
            range=[0, 1.02],
            tickvals=[0, 0.25, 0.5, 0.75, 1],
        )
        layout[axis_name("yaxis", i)] = category_axis(
            labels,
            reverse=True,
            anchor=xa,
            showticklabels=i == 0,
            matches="y" if i else None,
        )
        annotations.append(
            note(
                f"<b>{t(variant(f'saf.metric.{key}', model.grade_scale), lang)}</b>",
                sum(x_dom) / 2,
                1,
                size - 1,
                xref="paper",
                yref="paper",
                yanchor="bottom",
            )
        )
    layout["annotations"] = annotations
    layout["margin"]["t"] = 16 + size + 6
    return figure(data, layout)


def lag(model: SafetyModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """Days from onset to report per center (box from quartiles, dots per lag).

    The row label says how long ago the center last reported.
    """
    size = font_size(present)
    rows = [c for c in model.rate_centers if c in model.lag]
    labels = []
    data: list[dict[str, Any]] = []
    for c in rows:
        g = model.lag[c]
        since = (
            t("saf.last_report", lang, days=tn("fmt.days_ago", g.days_since_last_report, lang))
            if g.days_since_last_report is not None
            else t("saf.never_reported", lang)
        )
        labels.append(f"{c} · {since}")
    for c, name in zip(rows, labels, strict=True):
        g = model.lag[c]
        colour = protocol.center_colour(c)
        if g.q1 is not None and g.median is not None and g.q3 is not None:
            data.append(
                {
                    "type": "box",
                    "orientation": "h",
                    "y": [name],
                    "q1": [g.q1],
                    "median": [g.median],
                    "q3": [g.q3],
                    "lowerfence": [min(float(k) for k in g.histogram)],
                    "upperfence": [float(g.max or 0)],
                    "name": c,
                    "line": {"color": colour},
                    "fillcolor": "rgba(0,0,0,0)",
                    "boxpoints": False,
                    "showlegend": False,
                }
            )
        days = list(g.histogram.items())
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [float(d) for d, _ in days],
                "y": [name] * len(days),
                "marker": {
                    "color": colour,
                    "size": [5 + 2 * min(n, 8) for _, n in days],
                    "opacity": 0.7,
                },
                "customdata": [
                    t(
                        "saf.hover.lag",
                        lang,
                        days=tn("n.days", int(d), lang),
                        events=tn("n.events", n, lang),
                    )
                    for d, n in days
                ],
                "hovertemplate": "%{customdata}<extra>" + c + "</extra>",
                "showlegend": False,
            }
        )
    layout = base_layout(
        present, height=120 + (52 if present else 42) * max(len(rows), 1), legend=False
    )
    layout.update(
        xaxis=axis(t("saf.axis.lag", lang), rangemode="tozero"),
        yaxis=category_axis(labels, reverse=True, tickfont={"size": size - 1}),
    )
    return figure(data, layout)


def onset(model: SafetyModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """Days from day 0 to onset of each event of interest, dots sized by the number of events."""
    cats = list(model.onset)
    data = []
    arms = [a for a in protocol.arms if a.code in model.arms]
    for k, arm in enumerate(arms):
        xs, ys, ns = [], [], []
        for i, cat in enumerate(cats):
            offset = (k - (len(arms) - 1) / 2) * 0.25
            for day, n in model.onset[cat].get(arm.code, {}).items():
                xs.append(int(day))
                ys.append(i + offset)
                ns.append(n)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": xs,
                "y": ys,
                "name": arm.name(lang),
                "marker": {
                    "color": arm.colour,
                    "size": [7 + 3 * min(n, 6) for n in ns],
                    "symbol": SYMBOLS[k % len(SYMBOLS)],
                    "opacity": 0.8,
                },
                "customdata": [
                    t(
                        "saf.hover.onset",
                        lang,
                        day=t("fmt.day_n", lang, n=x),
                        events=tn("n.events", n, lang),
                    )
                    for x, n in zip(xs, ns, strict=True)
                ],
                "hovertemplate": "%{customdata}<extra>%{fullData.name}</extra>",
            }
        )
    layout = base_layout(present, height=150 + (56 if present else 44) * max(len(cats), 1))
    layout.update(
        xaxis=axis(t("saf.axis.onset", lang), rangemode="tozero"),
        yaxis=axis(
            None,
            tickvals=list(range(len(cats))),
            ticktext=[protocol.interest_label(c, lang) for c in cats],
            range=[len(cats) - 0.5, -0.5],
            showgrid=False,
        ),
    )
    return figure(data, layout)


def subject_timeline(
    events: Sequence[dict[str, Any]],
    day0: dt.date | None,
    sbrt: Sequence[tuple[int, int]],
    as_of: dt.date,
    subject_id: str,
    lang: str,
    present: bool,
) -> Figure:
    """One subject's AEs from onset to resolution, by grade, against day 0 and SBRT.

    Ongoing events run to the data date; serious ones are starred.
    """
    size = font_size(present)
    ref = day0 or (min(e["onset_on"] for e in events) if events else as_of)
    data: list[dict[str, Any]] = []
    shapes = [vline(0, TEXT, 2)]
    annotations = [
        note(
            t("saf.procedure", lang),
            0,
            1,
            size - 2,
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            xshift=4,
        )
    ]
    for start, stop in sbrt:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": start,
                "x1": max(stop, start + 1),
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(230,159,0,0.18)",
                "line": {"width": 0},
            }
        )
        annotations.append(
            note(
                t("vis.legend.sbrt", lang),
                start,
                0,
                size - 2,
                yref="paper",
                yanchor="top",
                xanchor="left",
            )
        )
    names = []
    for i, e in enumerate(events):
        start = (e["onset_on"] - ref).days
        fatal = e["grade"] == 5 or e["outcome"] == "fatal"
        end_on = e["onset_on"] if fatal else (e["resolved_on"] or as_of)
        end = (end_on - ref).days
        grade = e["grade"] if e["grade"] in GRADE_COLOURS else 0
        y = f"{e['term']} ({i + 1})"
        names.append(y)
        tag = f"G{grade}" + (" SAE" if e["serious"] else "")
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [start, max(end, start + 0.5)],
                "y": [y, y],
                "line": {"color": GRADE_COLOURS.get(grade, "#ffffff"), "width": 14},
                "showlegend": False,
                "hovertemplate": f"{e['term']}: {tag}<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [start],
                "y": [y],
                "marker": {
                    "symbol": "star" if e["serious"] else "circle",
                    "size": 14 if e["serious"] else 8,
                    "color": WARN if e["serious"] else TEXT,
                },
                "text": [tag],
                "textposition": "middle left",
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    layout = base_layout(present, height=140 + 40 * max(len(events), 2), legend=False)
    layout.update(
        xaxis=axis(t("saf.axis.days", lang)),
        yaxis=category_axis(names, reverse=True, showgrid=False),
        shapes=shapes,
        annotations=annotations,
    )
    layout["margin"]["t"] = 16 + size
    return figure(data, layout)

"""Recruitment figures from the page model: targets, cumulative curves with forecast, accrual."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard.figures.theme import (
    COLUMN_WIDTH,
    Figure,
    axis,
    axis_name,
    axis_ref,
    base_layout,
    category_axis,
    figure,
    font_size,
    hline,
    iso,
    isos,
    month_format,
    note,
    panel_grid,
    text_width,
    vline,
)
from dashboard.i18n import pct, t
from dashboard.metrics.accrual import FanPoint
from dashboard.metrics.recruitment import DatePoint, RecruitmentModel
from dashboard.palette import BAND, MUTED, TEXT
from dashboard.protocol import Protocol

PANEL_COLUMNS = 3


def enrollment_vs_target(
    model: RecruitmentModel, protocol: Protocol, lang: str, total_label: str, present: bool
) -> Figure:
    """Horizontal bullets: share of target randomized per center (stacked by arm) and in total."""
    codes = list(model.panel_centers)
    rows = [model.by_center[c] for c in codes]
    names = list(codes)
    if model.scope.pooled:
        rows.append(model.overall)
        names.append(total_label)
    size = font_size(present)
    data: list[dict[str, Any]] = []
    for arm in protocol.arms:
        counts = [r.by_arm.get(arm.code, 0) for r in rows]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [c / r.target if r.target else 0 for c, r in zip(counts, rows, strict=True)],
                "name": arm.name(lang),
                "marker": {"color": arm.colour},
                "customdata": counts,
                "hovertemplate": "%{y}: %{customdata}<extra>%{fullData.name}</extra>",
                "width": 0.5,
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "y": names,
            "x": [r.planned_by_now / r.target if r.target else 0 for r in rows],
            "name": t("rec.legend.planned_now", lang),
            "marker": {
                "symbol": "diamond",
                "size": size - 1,
                "color": TEXT,
                "line": {"color": "white", "width": 1.5},
            },
            "hovertemplate": "%{y}: %{x:.0%}<extra>%{fullData.name}</extra>",
        }
    )
    # "53 / 60 (88%)" as the tick labels of a right-hand axis over the same rows: Plotly makes
    # room for tick labels (automargin), never cuts them, whatever the font and card width.
    labels = [f"{r.randomized} / {r.target} ({pct(r.pct_target)})" for r in rows]
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "y": names,
            "x": [0] * len(rows),
            "yaxis": "y2",
            "marker": {"opacity": 0, "color": TEXT},  # holds the label axis; never seen
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    longest = max(
        [r.randomized / r.target for r in rows if r.target]
        + [r.planned_by_now / r.target for r in rows if r.target]
        + [1.0]
    )
    layout = base_layout(present, height=110 + (40 if present else 30) * len(rows) + 2 * size)
    layout.update(
        barmode="stack",
        bargap=0.35,
        xaxis=axis(
            None,
            range=[0, longest * 1.06],
            tickvals=[0, 0.5, 1.0],
            ticktext=["0%", "50%", f"100% = {t('rec.legend.target', lang)}"],
        ),
        # Both row axes categorical over the same names on one explicit range (top row first),
        # so the labels meet their bars whatever the codes look like ("701").
        yaxis=category_axis(names, range=[len(rows) - 0.5, -0.5], gridcolor="rgba(0,0,0,0)"),
        yaxis2={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": names,
            "overlaying": "y",
            "side": "right",
            "range": [len(rows) - 0.5, -0.5],
            "tickmode": "array",
            "tickvals": names,
            "ticktext": labels,
            "tickfont": {"color": TEXT, "size": size},
            "showgrid": False,
            "zeroline": False,
            "showline": False,
            "ticks": "",
            "automargin": True,
            "fixedrange": True,
        },
        shapes=[vline(1.0, TEXT, 1.5)],
    )
    return figure(data, layout)


def _band(fan: Sequence[FanPoint], name: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": isos([p.date for p in fan] + [p.date for p in reversed(fan)]),
        "y": [p.high for p in fan] + [p.low for p in reversed(fan)],
        "mode": "lines",
        "fill": "toself",
        "fillcolor": BAND,
        "line": {"width": 0},
        "name": name,
        "hoverinfo": "skip",
        "legendgroup": "band",
        **kw,
    }


def _steps(points: Sequence[DatePoint], line: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """A cumulative count as a step line (plotly.js knows `line.shape`, not `line_shape`)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "x": isos(p.date for p in points),
        "y": [p.value for p in points],
        "line": {**line, "shape": "hv"},
        **kw,
    }


def cumulative_vs_plan(model: RecruitmentModel, lang: str, present: bool) -> Figure:
    """The centers in scope: observed steps, plan, target, forecast median and band."""
    data: list[dict[str, Any]] = []
    if model.fan:
        data.append(
            _band(
                model.fan,
                t("rec.legend.forecast_band", lang, pct=pct(model.overall.forecast.interval)),
            )
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": isos(p.date for p in model.fan),
                "y": [p.median for p in model.fan],
                "name": t("rec.legend.forecast", lang),
                "line": {"color": TEXT, "dash": "dot", "width": 2},
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": isos(p.date for p in model.plan),
            "y": [p.value for p in model.plan],
            "name": t("rec.legend.plan", lang),
            "line": {"color": MUTED, "dash": "dash", "width": 2},
        }
    )
    if model.cumulative:
        data.append(
            _steps(
                model.cumulative,
                name=t("rec.legend.observed", lang),
                line={"color": TEXT, "width": 3},
            )
        )
    target = model.overall.target
    size = font_size(present)
    layout = base_layout(present, height=440 if present else 400)
    layout.update(
        xaxis=axis(t("rec.axis.date", lang), type="date", tickformat=month_format(lang)),
        yaxis=axis(t("rec.axis.cumulative", lang), rangemode="tozero"),
        hovermode="x unified",
        shapes=[
            hline(target, TEXT),
            vline(iso(model.as_of), MUTED, dash="dot"),
        ],
        annotations=[
            note(
                f"{t('rec.legend.target', lang)} {target}",
                0,
                target,
                size - 1,
                xref="paper",
                xanchor="left",
                yanchor="bottom",
            )
        ],
    )
    return figure(data, layout, COLUMN_WIDTH[12])


def cumulative_by_center(
    model: RecruitmentModel, protocol: Protocol, lang: str, present: bool
) -> Figure:
    """Small multiples (wrapping) of the drawn centers: steps, own plan, fan and target."""
    codes = list(model.panel_centers)
    cols = 2 if present else PANEL_COLUMNS
    rows = -(-len(codes) // cols)
    size = font_size(present)
    height = 60 + rows * (300 if present else 250)
    # The gap between rows holds the panel's title and the x tick labels above it: a fixed
    # number of px, whatever the number of rows (a fraction would squash many rows).
    domains = panel_grid(len(codes), cols, gap_x=0.07, gap_y=(3 * size + 30) / height)
    data: list[dict[str, Any]] = []
    layout = base_layout(present, height=height)
    # The y title only where it fits along a panel (the card's title says what is counted).
    panel_height = (height - 60) / rows - (3 * size + 30)
    title = t("rec.axis.cumulative", lang)
    y_title = title if text_width(title, size) < panel_height else None
    shapes, annotations = [], []
    for i, code in enumerate(codes):
        xa, ya = axis_ref("xaxis", i), axis_ref("yaxis", i)
        first = i == 0
        fan = model.fan_by_center.get(code, ())
        if fan:
            data.append(
                _band(
                    fan,
                    t("rec.legend.forecast_band", lang, pct=pct(model.overall.forecast.interval)),
                    xaxis=xa,
                    yaxis=ya,
                    showlegend=first,
                )
            )
        plan = model.plan_by_center[code]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": isos(p.date for p in plan),
                "y": [p.value for p in plan],
                "line": {"color": MUTED, "dash": "dash", "width": 1.5},
                "name": t("rec.legend.plan", lang),
                "legendgroup": "plan",
                "showlegend": first,
                "xaxis": xa,
                "yaxis": ya,
            }
        )
        steps = model.cumulative_by_center.get(code, ())
        if steps:
            data.append(
                _steps(
                    steps,
                    line={
                        "color": protocol.center_colour(code),
                        "dash": protocol.center_line_dash(code),
                        "width": 2.5,
                    },
                    name=code,
                    xaxis=xa,
                    yaxis=ya,
                    showlegend=False,
                )
            )
        target = model.by_center[code].target
        shapes.append(hline(target, TEXT, xref=f"{xa} domain", yref=ya))
        x_dom, y_dom = domains[i]
        layout[axis_name("xaxis", i)] = axis(
            None, domain=x_dom, anchor=ya, type="date", nticks=4, tickformat=month_format(lang)
        )
        layout[axis_name("yaxis", i)] = axis(
            y_title if i % cols == 0 else None,
            domain=y_dom,
            anchor=xa,
            rangemode="tozero",
        )
        annotations.append(
            note(
                f"<b>{code}</b> · {t('rec.legend.target', lang)} {target}",
                x_dom[0],
                y_dom[1],
                size - 1,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="bottom",
            )
        )
    layout["margin"]["t"] = 16 + size + 8
    layout.update(shapes=shapes, annotations=annotations, grid=None)
    return figure(data, layout, COLUMN_WIDTH[12])


def screen_failure_bars(
    model: RecruitmentModel, protocol: Protocol, lang: str, present: bool
) -> Figure:
    """Horizontal bars of screen failures by reason, counts written beside the bars."""
    reasons = model.failure_reasons
    size = font_size(present)
    peak = max((r.n for r in reasons), default=1)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [protocol.reason_label(r.reason, lang) for r in reasons],
            "x": [r.n for r in reasons],
            "marker": {"color": MUTED},
            "text": [str(r.n) for r in reasons],
            "textposition": "outside",
            "cliponaxis": False,
            "textfont": {"size": size, "color": TEXT},
            "showlegend": False,
            "hovertemplate": "%{y}: %{x}<extra></extra>",
        }
    ]
    layout = base_layout(present, height=90 + (44 if present else 34) * len(reasons), legend=False)
    layout.update(
        xaxis=axis(
            t("rec.axis.subjects", lang),
            range=[0, peak * 1.2 + 0.5],
            **({"dtick": 1} if peak <= 5 else {}),
        ),
        yaxis=category_axis(
            [protocol.reason_label(r.reason, lang) for r in reasons],
            reverse=True,
            gridcolor="rgba(0,0,0,0)",
        ),
    )
    return figure(data, layout)

"""Recruitment figures: enrollment vs target, cumulative curves with forecast, accrual, failures."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.theme import (
    BAND,
    GRID,
    MUTED,
    PLAN,
    TARGET,
    TEXT,
    base_layout,
    center_colour,
    center_dash,
    monthly_by_center,
)
from dashboard.i18n import t
from dashboard.metrics.recruitment import CenterForecast, RecruitmentReport
from dashboard.protocol import Arm


def enrollment_vs_target(
    report: RecruitmentReport,
    arms: Sequence[Arm],
    lang: str,
    subtitle: str,
    overall_label: str,
    present: bool = False,
) -> go.Figure:
    """Horizontal bullets: share of target randomized per center (stacked by arm) and overall."""
    table = report.table
    # A total row only when it adds something (more than one center shown).
    total = [report.overall] if len(table) > 1 else []
    rows = [*table["center_id"].tolist(), *([overall_label] if total else [])]
    targets = [*table["target"].tolist(), *(o["target"] for o in total)]
    planned = [*table["planned"].tolist(), *(o["planned"] for o in total)]
    randomized = [*table["randomized"].tolist(), *(o["randomized"] for o in total)]
    fig = go.Figure(
        layout=base_layout(
            t("rec.fig.by_center", lang),
            f"{t('rec.fig.by_center_sub', lang)}<br>{subtitle}",
            height=340 if not present else 400,
            present=present,
        )
    )
    for arm in arms:
        counts = [*table[f"arm_{arm.code}"].tolist(), *(o[f"arm_{arm.code}"] for o in total)]
        fig.add_bar(
            y=rows,
            x=[c / tg if tg else 0 for c, tg in zip(counts, targets, strict=True)],
            orientation="h",
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour},
            customdata=counts,
            hovertemplate="%{y}: %{customdata}<extra>%{fullData.name}</extra>",
            width=0.5,
        )
    fig.add_scatter(
        y=rows,
        x=[p / tg if tg else 0 for p, tg in zip(planned, targets, strict=True)],
        mode="markers",
        name=t("rec.legend.planned_now", lang),
        marker={
            "symbol": "diamond",
            "size": 13,
            "color": TEXT,
            "line": {"color": "white", "width": 1.5},
        },
        hovertemplate="%{y}: %{x:.0%}<extra>%{fullData.name}</extra>",
    )
    labels = [
        f"{n} / {tg} ({n / tg:.0%})" if tg else f"{n}"
        for n, tg in zip(randomized, targets, strict=True)
    ]
    fig.add_scatter(
        y=rows,
        x=[1.02] * len(rows),
        mode="text",
        text=labels,
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
        textfont={"color": TEXT},
    )
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.add_vline(x=1.0, line={"color": TARGET, "width": 1.5})
    fig.update_xaxes(
        range=[0, 1.45],
        tickvals=[0, 0.5, 1.0],
        ticktext=["0%", "50%", f"100% = {t('rec.legend.target', lang)}"],
        gridcolor=GRID,
        title=None,
    )
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    return fig


def _band(
    fig: go.Figure,
    fan: pd.DataFrame,
    name: str,
    row: int | None = None,
    col: int | None = None,
    showlegend: bool = True,
) -> None:
    kw = {"row": row, "col": col} if row else {}
    fig.add_scatter(
        x=list(fan["date"]) + list(fan["date"][::-1]),
        y=list(fan["high"]) + list(fan["low"][::-1]),
        fill="toself",
        fillcolor=BAND,
        line={"width": 0},
        name=name,
        hoverinfo="skip",
        showlegend=showlegend,
        legendgroup="band",
        **kw,
    )


def cumulative_vs_plan(
    report: RecruitmentReport,
    target: int,
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """All centers in scope: observed cumulative steps, plan, target, forecast median and band."""
    fig = go.Figure(
        layout=base_layout(t("rec.fig.cumulative", lang), subtitle, height=420, present=present)
    )
    fan = report.forecast.fan
    if len(fan):
        _band(fig, fan, t("rec.legend.forecast_band", lang, pct=report.interval))
        fig.add_scatter(
            x=fan["date"],
            y=fan["median"],
            mode="lines",
            name=t("rec.legend.forecast", lang),
            line={"color": TEXT, "dash": "dot", "width": 2},
        )
    plan = report.plan
    fig.add_scatter(
        x=plan["date"],
        y=plan["planned"],
        mode="lines",
        name=t("rec.legend.plan", lang),
        line={"color": PLAN, "dash": "dash", "width": 2},
    )
    cum = report.cumulative
    if len(cum):
        x = [*cum["date"], pd.Timestamp(report.as_of)]
        y = [*cum["cumulative"], cum["cumulative"].iloc[-1]]
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines",
            line_shape="hv",
            name=t("rec.legend.observed", lang),
            line={"color": TEXT, "width": 3},
        )
    fig.add_hline(
        y=target,
        line={"color": TARGET, "width": 1},
        annotation_text=f"{t('rec.legend.target', lang)} {target}",
        annotation_position="top left",
    )
    fig.add_vline(
        x=pd.Timestamp(report.as_of).timestamp() * 1000,
        line={"color": MUTED, "width": 1, "dash": "dot"},
    )
    fig.update_xaxes(title=t("rec.axis.date", lang))
    fig.update_yaxes(title=t("rec.axis.cumulative", lang), rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return fig


def cumulative_by_center(
    report: RecruitmentReport,
    plans: dict[str, pd.DataFrame],
    targets: dict[str, int],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """One panel per center: observed steps, its own plan line and its forecast band."""
    codes = list(report.table["center_id"])
    fig = make_subplots(
        rows=1,
        cols=max(len(codes), 1),
        shared_yaxes=False,
        horizontal_spacing=0.07,
        figure=go.Figure(
            layout=base_layout(
                t("rec.fig.cumulative_center", lang), subtitle, height=360, present=present
            )
        ),
    )
    cum = report.cumulative_by_center
    for i, code in enumerate(codes, start=1):
        fc: CenterForecast = report.center_forecasts[code]
        first = i == 1
        if len(fc.fan):
            _band(
                fig,
                fc.fan,
                t("rec.legend.forecast_band", lang, pct=report.interval),
                row=1,
                col=i,
                showlegend=first,
            )
        plan = plans[code]
        fig.add_scatter(
            x=plan["date"],
            y=plan["planned"],
            mode="lines",
            line={"color": PLAN, "dash": "dash", "width": 1.5},
            name=t("rec.legend.plan", lang),
            legendgroup="plan",
            showlegend=first,
            row=1,
            col=i,
        )
        mine = cum[cum["center_id"] == code]
        if len(mine):
            fig.add_scatter(
                x=[*mine["date"], pd.Timestamp(report.as_of)],
                y=[*mine["cumulative"], mine["cumulative"].iloc[-1]],
                mode="lines",
                line_shape="hv",
                line={"color": center_colour(i - 1), "dash": center_dash(i - 1), "width": 2.5},
                name=code,
                row=1,
                col=i,
            )
        fig.add_hline(y=targets[code], line={"color": TARGET, "width": 1}, row=1, col=i)
        # Panel label inside the panel (subplot titles would collide with the subtitle).
        fig.add_annotation(
            text=f"<b>{code}</b> · {t('rec.legend.target', lang)} {targets[code]}",
            xref=f"x{i} domain" if i > 1 else "x domain",
            yref=f"y{i} domain" if i > 1 else "y domain",
            x=0.03,
            y=0.97,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
        )
    fig.update_yaxes(rangemode="tozero", gridcolor=GRID)
    fig.update_yaxes(title=t("rec.axis.cumulative", lang), row=1, col=1)
    fig.update_xaxes(gridcolor=GRID, nticks=4)
    return fig


def monthly_accrual_bars(
    monthly: pd.DataFrame,
    center_order: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Stacked bars of randomized per month, one neutral colour per center."""
    return monthly_by_center(
        monthly,
        center_order,
        t("rec.fig.monthly", lang),
        subtitle,
        t("rec.axis.month", lang),
        t("rec.axis.randomized", lang),
        present,
    )


def screen_failure_bars(
    reasons: pd.DataFrame, lang: str, subtitle: str, present: bool = False
) -> go.Figure:
    """Horizontal bars of screen failures by reason, counts written on the bars."""
    fig = go.Figure(
        layout=base_layout(t("rec.fig.failures", lang), subtitle, height=360, present=present)
    )
    fig.add_bar(
        y=reasons["reason"],
        x=reasons["n"],
        orientation="h",
        marker={"color": MUTED},
        text=reasons["n"],
        textposition="outside",
        cliponaxis=False,
        showlegend=False,
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)", automargin=True)
    fig.update_xaxes(title=t("rec.axis.subjects", lang), rangemode="tozero")
    return fig

"""Outcome figures: trajectories with CIs, distributions, pain response, bands, MDA, DCR, KM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.theme import GRID, MUTED, TEXT, base_layout, readable_text
from dashboard.i18n import t
from dashboard.metrics.local_control import KaplanMeier
from dashboard.protocol import Arm

WEEK_TICKS = [0, 4, 13, 26, 52]
# Offset of each arm on the week axis so that error bars do not overlap.
DODGE = (-0.35, 0.35)
BAND_COLOURS = {
    "none": "#f6f8fa",
    "mild": "#d0d7de",
    "moderate": "#8c959f",
    "severe": "#424a53",
    "out_of_range": "#ffffff",
}
RESPONSE_COLOURS = {
    "complete": "#1b4f72",
    "partial": "#5499c7",
    "indeterminate": "#d0d7de",
    "progression": "#9a3412",
}
MDA_COLOURS = {
    "CR": "#1b4f72",
    "PR": "#5499c7",
    "SD": "#aed6f1",
    "PD": "#9a3412",
    "NE": "#ffffff",
    "other": "#8c959f",
}


def _weeks_axis(fig: go.Figure, lang: str, **kw: object) -> None:
    fig.update_xaxes(
        title=t("out.axis.weeks", lang), tickvals=WEEK_TICKS, range=[-1.5, 54], gridcolor=GRID, **kw
    )


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def trajectory_figure(
    traj: pd.DataFrame,
    arms: Sequence[Arm],
    title: str,
    y_title: str,
    lang: str,
    subtitle: str,
    y_range: Sequence[float] | None = None,
    individual: pd.DataFrame | None = None,
    value: str = "nrs",
    present: bool = False,
) -> go.Figure:
    """Mean with 95% CI per arm over weeks since the procedure; n in the hover and the table.

    Individual trajectories (a fixed sample) are in the legend, hidden until clicked.
    """
    fig = go.Figure(layout=base_layout(title, subtitle, height=400, present=present))
    for arm in arms:
        if individual is not None and len(individual):
            mine = individual[individual["arm"] == arm.code]
            xs: list[float | None] = []
            ys: list[float | None] = []
            for _, g in mine.groupby("subject_id"):
                xs += [*g["week"], None]
                ys += [*g[value], None]
            if xs:
                fig.add_scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": _rgba(arm.colour, 0.35), "width": 1},
                    name=t("out.legend.individual", lang, arm=t(f"arm.{arm.code}", lang)),
                    visible="legendonly",
                    hoverinfo="skip",
                )
    for i, arm in enumerate(arms):
        mine = traj[traj["arm"] == arm.code]
        if mine.empty:
            continue
        x = mine["week"] + DODGE[i % 2]
        fig.add_scatter(
            x=x,
            y=mine["mean"],
            mode="lines+markers",
            name=t(f"arm.{arm.code}", lang),
            line={"color": arm.colour, "width": 3, "dash": "solid" if i == 0 else "dash"},
            marker={"size": 9, "symbol": "circle" if i == 0 else "diamond"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (mine["ci_high"] - mine["mean"]).fillna(0),
                "arrayminus": (mine["mean"] - mine["ci_low"]).fillna(0),
                "thickness": 1.5,
                "width": 4,
            },
            customdata=list(
                zip(mine["visit_code"], mine["n"], mine["ci_low"], mine["ci_high"], strict=True)
            ),
            hovertemplate="%{customdata[0]}: %{y:.1f} (95% CI %{customdata[2]:.1f}–"
            "%{customdata[3]:.1f}), n = %{customdata[1]}<extra>%{fullData.name}</extra>",
        )
    _weeks_axis(fig, lang)
    fig.update_yaxes(title=y_title, range=list(y_range) if y_range else None, gridcolor=GRID)
    return fig


def distribution_figure(
    long: pd.DataFrame,
    value: str,
    arms: Sequence[Arm],
    visits: Sequence[str],
    title: str,
    y_title: str,
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Box plots of a value per visit (baseline first), one box per arm side by side."""
    fig = go.Figure(layout=base_layout(title, subtitle, height=380, present=present))
    order = ["baseline", *visits]
    names = {"baseline": t("out.baseline", lang)}
    for arm in arms:
        mine = long[
            (long["arm"] == arm.code) & long[value].notna() & long["visit_code"].isin(order)
        ]
        if mine.empty:
            continue
        fig.add_box(
            x=[names.get(v, v) for v in mine["visit_code"]],
            y=mine[value],
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour},
            line={"color": arm.colour},
            fillcolor=_rgba(arm.colour, 0.25),
            boxmean=True,
        )
    fig.update_layout(boxmode="group")
    fig.update_xaxes(
        categoryorder="array",
        categoryarray=[names.get(v, v) for v in order],
        title=t("out.axis.visit", lang),
    )
    fig.update_yaxes(title=y_title, gridcolor=GRID)
    return fig


def bands_figure(
    bands: pd.DataFrame,
    arms: Sequence[Arm],
    visits: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Share of subjects per NRS severity band, per visit, one panel per arm."""
    fig = make_subplots(
        rows=1,
        cols=len(arms),
        shared_yaxes=True,
        horizontal_spacing=0.05,
        figure=go.Figure(
            layout=base_layout(t("out.fig.bands", lang), subtitle, height=380, present=present)
        ),
    )
    order = ["baseline", *visits]
    names = {"baseline": t("out.baseline_short", lang)}
    for col, arm in enumerate(arms, start=1):
        mine = bands[bands["arm"] == arm.code]
        for band in ("none", "mild", "moderate", "severe"):
            b = mine[mine["band"] == band].set_index("visit_code")
            fig.add_bar(
                x=[names.get(v, v) for v in order],
                y=[float(b.at[v, "share"]) if v in b.index else 0 for v in order],
                name=t(f"band.{band}", lang),
                marker={"color": BAND_COLOURS[band], "line": {"color": MUTED, "width": 0.5}},
                showlegend=col == 1,
                legendgroup=band,
                row=1,
                col=col,
                hovertemplate="%{x}: %{y:.0%}<extra>" + t(f"band.{band}", lang) + "</extra>",
            )
        fig.add_annotation(
            text=f"<b>{t(f'arm.{arm.code}', lang)}</b>",
            xref=f"x{col} domain" if col > 1 else "x domain",
            yref="paper",
            x=0.5,
            y=1.0,
            yanchor="bottom",
            showarrow=False,
        )
    fig.update_layout(barmode="stack", bargap=0.2)
    fig.update_yaxes(tickformat=".0%", range=[0, 1], gridcolor=GRID)
    fig.update_yaxes(title=t("out.axis.share", lang), row=1, col=1)
    return fig


def response_figure(
    responses: pd.DataFrame,
    arms: Sequence[Arm],
    visits: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Responder rate (complete + partial) per arm and visit with exact 95% CI."""
    fig = go.Figure(
        layout=base_layout(t("out.fig.responders", lang), subtitle, height=380, present=present)
    )
    for i, arm in enumerate(arms):
        mine = responses[responses["arm"] == arm.code]
        if mine.empty:
            continue
        x = [visits.index(v) + DODGE[i % 2] / 2 for v in mine["visit_code"]]
        fig.add_scatter(
            x=x,
            y=mine["rate"],
            mode="markers",
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour, "size": 11, "symbol": "circle" if i == 0 else "diamond"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": mine["ci_high"] - mine["rate"],
                "arrayminus": mine["rate"] - mine["ci_low"],
                "thickness": 1.5,
            },
            customdata=list(
                zip(
                    mine["visit_code"], mine["responders"], mine["n"], mine["nrs_only"], strict=True
                )
            ),
            hovertemplate="%{customdata[0]}: %{y:.0%} (%{customdata[1]}/%{customdata[2]}; "
            + t("out.nrs_only_hover", lang)
            + " %{customdata[3]})<extra>%{fullData.name}</extra>",
        )
    fig.update_xaxes(
        tickvals=list(range(len(visits))),
        ticktext=list(visits),
        title=t("out.axis.visit", lang),
        range=[-0.6, len(visits) - 0.4],
    )
    fig.update_yaxes(
        title=t("out.axis.responders", lang), tickformat=".0%", range=[0, 1.05], gridcolor=GRID
    )
    return fig


class StackCategory(NamedTuple):
    """One stacked category: its count column, legend label and look."""

    column: str
    label: str
    colour: str
    pattern: str = ""
    optional: bool = False  # left out entirely when it has no count anywhere


def _stacked_arm_panels(
    counts: pd.DataFrame,
    arms: Sequence[Arm],
    visits: Sequence[str],
    categories: Sequence[StackCategory],
    title: str,
    subtitle: str,
    lang: str,
    present: bool,
    height: int,
) -> go.Figure:
    """Counts per category stacked per visit, one panel per arm, counts written on the bars."""
    fig = make_subplots(
        rows=1,
        cols=len(arms),
        shared_yaxes=True,
        horizontal_spacing=0.05,
        figure=go.Figure(layout=base_layout(title, subtitle, height=height, present=present)),
    )
    present_cats = [
        c
        for c in categories
        if c.column in counts.columns and not (c.optional and not (counts[c.column] > 0).any())
    ]
    for col, arm in enumerate(arms, start=1):
        mine = counts[counts["arm"] == arm.code].set_index("visit_code")
        for cat in present_cats:
            values = [int(mine.at[v, cat.column]) if v in mine.index else 0 for v in visits]
            fig.add_bar(
                x=list(visits),
                y=values,
                name=cat.label,
                marker={
                    "color": cat.colour,
                    "line": {"color": MUTED, "width": 0.7},
                    "pattern": {"shape": cat.pattern},
                },
                showlegend=col == 1,
                legendgroup=cat.column,
                text=[v or "" for v in values],
                textposition="inside",
                textangle=0,
                textfont={"color": readable_text(cat.colour)},
                row=1,
                col=col,
            )
        fig.add_annotation(
            text=f"<b>{t(f'arm.{arm.code}', lang)}</b>",
            xref=f"x{col} domain" if col > 1 else "x domain",
            yref="paper",
            x=0.5,
            y=1.0,
            yanchor="bottom",
            showarrow=False,
        )
    fig.update_layout(barmode="stack", uniformtext={"minsize": 10, "mode": "hide"})
    fig.update_yaxes(title=t("out.axis.subjects", lang), row=1, col=1, gridcolor=GRID)
    return fig


def response_categories_figure(
    responses: pd.DataFrame,
    arms: Sequence[Arm],
    visits: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Counts per response category, stacked, per visit; one panel per arm."""
    cats = [
        StackCategory(
            c,
            t(f"out.resp.{c}", lang),
            RESPONSE_COLOURS[c],
        )
        for c in ("complete", "partial", "indeterminate", "progression")
    ]
    return _stacked_arm_panels(
        responses, arms, visits, cats, t("out.fig.categories", lang), subtitle, lang, present, 380
    )


def change_difference_figure(
    change: pd.DataFrame,
    arm_a: Arm,
    arm_b: Arm,
    margin: float | None,
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Difference in mean NRS change from baseline (b minus a) per visit, Welch 95% CI."""
    direction = t(
        "out.fig.change_sub", lang, b=t(f"arm.{arm_b.code}", lang), a=t(f"arm.{arm_a.code}", lang)
    )
    fig = go.Figure(
        layout=base_layout(
            t("out.fig.change", lang), f"{direction}<br>{subtitle}", height=400, present=present
        )
    )
    fig.add_hline(y=0, line={"color": MUTED, "width": 1})
    if margin is not None:
        fig.add_hline(
            y=margin,
            line={"color": "#9a3412", "dash": "dash"},
            annotation_text=t("out.ni_margin", lang, m=margin),
            annotation_position="top left",
        )
    fig.add_scatter(
        x=change["visit_code"],
        y=change["difference"],
        mode="markers",
        marker={"color": TEXT, "size": 10, "symbol": "square"},
        showlegend=False,
        error_y={
            "type": "data",
            "symmetric": False,
            "array": change["ci_high"] - change["difference"],
            "arrayminus": change["difference"] - change["ci_low"],
            "thickness": 1.5,
        },
        customdata=list(
            zip(change["n_a"], change["n_b"], change["ci_low"], change["ci_high"], strict=True)
        ),
        hovertemplate="%{x}: %{y:+.2f} (95% CI %{customdata[2]:.2f} to %{customdata[3]:.2f}); "
        "n = %{customdata[0]} / %{customdata[1]}<extra></extra>",
    )
    fig.update_xaxes(title=t("out.axis.visit", lang))
    fig.update_yaxes(title=t("out.axis.difference", lang), gridcolor=GRID, zeroline=False)
    return fig


def mda_figure(
    counts: pd.DataFrame,
    arms: Sequence[Arm],
    visits: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """MDA categories per imaging visit, stacked counts, one panel per arm (NE hatched)."""
    cats = [
        StackCategory(
            c,
            t(f"lc.mda.{c}", lang),
            MDA_COLOURS[c],
            pattern="/" if c == "NE" else "",
            optional=c == "other",
        )
        for c in ("CR", "PR", "SD", "PD", "NE", "other")
    ]
    return _stacked_arm_panels(
        counts, arms, visits, cats, t("lc.fig.mda", lang), subtitle, lang, present, 400
    )


def dcr_figure(
    dcr: pd.DataFrame,
    arms: Sequence[Arm],
    visits: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """DCR per arm and imaging visit with exact 95% CI; evaluable n in the hover."""
    fig = go.Figure(
        layout=base_layout(t("lc.fig.dcr", lang), subtitle, height=380, present=present)
    )
    for i, arm in enumerate(arms):
        mine = dcr[(dcr["arm"] == arm.code) & dcr["dcr"].notna()]
        if mine.empty:
            continue
        x = [visits.index(v) + DODGE[i % 2] / 2 for v in mine["visit_code"]]
        fig.add_scatter(
            x=x,
            y=mine["dcr"],
            mode="markers+lines",
            name=t(f"arm.{arm.code}", lang),
            line={"color": arm.colour, "dash": "solid" if i == 0 else "dash"},
            marker={"color": arm.colour, "size": 11, "symbol": "circle" if i == 0 else "diamond"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": mine["ci_high"] - mine["dcr"],
                "arrayminus": mine["dcr"] - mine["ci_low"],
                "thickness": 1.5,
            },
            customdata=list(
                zip(mine["visit_code"], mine["controlled"], mine["evaluable"], strict=True)
            ),
            hovertemplate="%{customdata[0]}: %{y:.0%} (%{customdata[1]}/%{customdata[2]})"
            "<extra>%{fullData.name}</extra>",
        )
    fig.update_xaxes(
        tickvals=list(range(len(visits))),
        ticktext=list(visits),
        title=t("out.axis.visit", lang),
        range=[-0.6, len(visits) - 0.4],
    )
    fig.update_yaxes(
        title=t("lc.axis.dcr", lang), tickformat=".0%", range=[0, 1.05], gridcolor=GRID
    )
    return fig


def km_figure(
    km: dict[str, KaplanMeier],
    arms: Sequence[Arm],
    risk_days: Sequence[int],
    risk_labels: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Kaplan-Meier freedom from local progression per arm, CI bands, numbers at risk below."""
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=[0.78, 0.22],
        shared_xaxes=True,
        vertical_spacing=0.16,
        figure=go.Figure(
            layout=base_layout(t("lc.fig.km", lang), subtitle, height=500, present=present)
        ),
    )
    for i, arm in enumerate(arms):
        fit = km.get(arm.code)
        if fit is None:
            continue
        c = fit.curve
        fig.add_scatter(
            x=list(c["days"]) + list(c["days"][::-1]),
            y=list(c["ci_high"]) + list(c["ci_low"][::-1]),
            fill="toself",
            fillcolor=_rgba(arm.colour, 0.15),
            line={"width": 0, "shape": "hv"},
            hoverinfo="skip",
            showlegend=False,
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=c["days"],
            y=c["survival"],
            mode="lines",
            line_shape="hv",
            line={"color": arm.colour, "width": 3, "dash": "solid" if i == 0 else "dash"},
            name=t(
                "lc.legend.km", lang, arm=t(f"arm.{arm.code}", lang), events=fit.events, n=fit.n
            ),
            hovertemplate="%{x:.0f} d: %{y:.0%}<extra>%{fullData.name}</extra>",
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=list(risk_days),
            y=[i] * len(risk_days),
            mode="text",
            text=[str(fit.at_risk.get(d, 0)) for d in risk_days],
            showlegend=False,
            textfont={"color": arm.colour if i == 0 else TEXT, "size": 14},
            hoverinfo="skip",
            row=2,
            col=1,
        )
    fig.update_yaxes(
        title=t("lc.axis.free", lang),
        tickformat=".0%",
        range=[0, 1.03],
        gridcolor=GRID,
        row=1,
        col=1,
    )
    fig.update_yaxes(
        title=t("lc.axis.at_risk", lang),
        showgrid=False,
        zeroline=False,
        tickvals=list(range(len(arms))),
        ticktext=[t(f"arm.{a.code}", lang) for a in arms],
        range=[len(arms) - 0.4, -0.6],
        row=2,
        col=1,
    )
    fig.update_xaxes(
        tickvals=list(risk_days),
        ticktext=list(risk_labels),
        gridcolor=GRID,
        range=[-10, max(risk_days) + 20],
    )
    fig.update_xaxes(title=t("lc.axis.months", lang), showticklabels=True, row=1, col=1)
    fig.update_xaxes(showticklabels=False, showgrid=False, row=2, col=1)
    return fig

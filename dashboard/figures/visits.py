"""Visit figures: compliance heatmap, missed visits over time, the subject swimmer plot."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import (
    COMPLIANCE_SCALE,
    GRID,
    MUTED,
    STATE_STYLE,
    TEXT,
    base_layout,
    monthly_by_center,
)
from dashboard.i18n import t


def compliance_heatmap(
    by_center_visit: pd.DataFrame,
    by_visit: pd.DataFrame,
    centers: Sequence[str],
    visits: Sequence[str],
    lang: str,
    subtitle: str,
    total_label: str,
    present: bool = False,
) -> go.Figure:
    """Centers x visits, each cell 'compliance % / done of expected', an all-centers row on top."""
    rows = [total_label, *centers] if len(centers) > 1 else list(centers)
    z, text = [], []
    for row in rows:
        src = (
            by_visit
            if row == total_label and len(centers) > 1
            else by_center_visit[by_center_visit["center_id"] == row]
        )
        src = src.set_index("visit_code")
        zr: list[float | None] = []
        tr: list[str] = []
        for v in visits:
            if v in src.index and pd.notna(src.at[v, "compliance"]):
                c = float(src.at[v, "compliance"])
                done, missed = int(src.at[v, "done_any"]), int(src.at[v, "missed"])
                zr.append(c)
                tr.append(f"<b>{c:.0%}</b><br>{done}/{done + missed}")
            else:
                zr.append(None)
                tr.append("–")
        z.append(zr)
        text.append(tr)
    fig = go.Figure(
        layout=base_layout(
            t("vis.fig.heatmap", lang), subtitle, height=130 + 62 * len(rows), present=present
        )
    )
    fig.add_heatmap(
        z=z,
        x=list(visits),
        y=rows,
        text=text,
        texttemplate="%{text}",
        textfont={"color": TEXT, "size": 15 if not present else 19},
        colorscale=COMPLIANCE_SCALE,
        zmin=0.5,
        zmax=1.0,
        xgap=3,
        ygap=3,
        colorbar={
            "title": {"text": t("vis.axis.compliance", lang)},
            "tickformat": ".0%",
            "len": 0.9,
            "thickness": 12,
        },
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False, title=None)
    fig.update_layout(plot_bgcolor="white", margin={"t": 110, "b": 10})
    return fig


def missed_over_time(
    months: pd.DataFrame,
    centers: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Missed visits per month in which the window closed, stacked by center."""
    return monthly_by_center(
        months,
        centers,
        t("vis.fig.missed", lang),
        subtitle,
        t("vis.axis.month_closed", lang),
        t("vis.axis.missed", lang),
        present,
    )


def swimmer(
    schedule: pd.DataFrame,
    subjects: pd.DataFrame,
    sbrt: pd.DataFrame,
    as_of: pd.Timestamp,
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """One line per subject from day 0 to leaving or the data date; visits marked by state."""
    subj = subjects.dropna(subset=["procedure_on"]).copy()
    subj = subj.sort_values(["center_id", "randomized_on", "subject_id"])
    order = subj["subject_id"].tolist()
    n = len(order)
    fig = go.Figure(
        layout=base_layout(
            t("vis.fig.swimmer", lang),
            subtitle,
            height=190 + max(n, 4) * (16 if not present else 22),
            present=present,
        )
    )
    if n == 0:
        return fig
    end = subj["off_study_on"].where(subj["off_study_on"] <= as_of, as_of)
    days_end = (end - subj["procedure_on"]).dt.days
    xs, ys = [], []
    for sid, d in zip(order, days_end, strict=True):
        xs += [0, d, None]
        ys += [sid, sid, None]
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": "#afb8c1", "width": 2},
        name=t("vis.legend.follow_up", lang),
        hoverinfo="skip",
    )
    day0 = subj.set_index("subject_id")["procedure_on"]
    if len(sbrt):
        c = sbrt[sbrt["subject_id"].isin(order)]
        start = (c["started_on"] - c["subject_id"].map(day0)).dt.days
        stop_on = c["completed_on"].fillna(c["started_on"])
        stop = (stop_on - c["subject_id"].map(day0)).dt.days
        xs, ys = [], []
        for sid, a, b in zip(c["subject_id"], start, stop, strict=True):
            xs += [a, max(b, a + 1), None]
            ys += [sid, sid, None]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": TEXT, "width": 6},
            name=t("vis.legend.sbrt", lang),
            hoverinfo="skip",
        )
    sched = schedule[schedule["subject_id"].isin(order) & (schedule["state"] != "no_day_zero")]
    when = sched["assessed_on"].fillna(sched["target_on"])
    sched = sched.assign(x=(when - sched["day0"]).dt.days)
    # "Not expected" is left out: the off-study marker already says why the line stops.
    for state, (colour, symbol) in STATE_STYLE.items():
        if state == "not_expected":
            continue
        mine = sched[sched["state"] == state]
        if mine.empty:
            continue
        fig.add_scatter(
            x=mine["x"],
            y=mine["subject_id"],
            mode="markers",
            marker={
                "color": colour,
                "symbol": symbol,
                "size": 9 if not present else 12,
                "line": {"width": 1.5, "color": colour},
            },
            name=t(f"vis.state.{state}", lang),
            customdata=mine["visit_code"],
            hovertemplate="%{y} %{customdata}: "
            + t(f"vis.state.{state}", lang)
            + " ("
            + t("vis.axis.day", lang)
            + " %{x})<extra></extra>",
        )
    left = subj[subj["off_study_on"].notna() & (subj["off_study_on"] <= as_of)]
    if len(left):
        lx = (left["off_study_on"] - left["procedure_on"]).dt.days
        symbols = np.where(left["off_study_reason"] == "died", "cross-thin-open", "triangle-right")
        fig.add_scatter(
            x=lx,
            y=left["subject_id"],
            mode="markers",
            marker={
                "symbol": symbols,
                "size": 11,
                "color": TEXT,
                "line": {"width": 2, "color": TEXT},
            },
            name=t("vis.legend.off_study", lang),
            customdata=left["off_study_reason"],
            hovertemplate="%{y}: %{customdata} ("
            + t("vis.axis.day", lang)
            + " %{x})<extra></extra>",
        )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=order[::-1],
        type="category",
        tickfont={"size": 11 if not present else 15},
        showgrid=False,
        title=None,
        tickmode="array",
        tickvals=order,
        ticktext=order,
    )
    fig.update_xaxes(
        title=t("vis.axis.days_since", lang),
        gridcolor=GRID,
        zeroline=True,
        zerolinecolor=MUTED,
        rangemode="tozero",
    )
    fig.update_layout(
        legend={"orientation": "h", "yref": "paper", "y": 1.0, "yanchor": "bottom", "x": 0},
        margin={"t": 130},
    )
    return fig

"""Safety figures: overview, center rates, reporting lag, events of interest, onset, timeline."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.theme import GRID, MUTED, TEXT, base_layout, center_colour
from dashboard.i18n import label, t
from dashboard.protocol import Arm

# CTCAE grades: light (1) to dark (4), grade 5 black; purple so no grade looks like an arm.
GRADE_COLOURS = {1: "#dadaeb", 2: "#9e9ac8", 3: "#6a51a3", 4: "#3f007d", 5: "#000000"}
WARN = "#9a3412"


def overview_figure(
    overview: pd.DataFrame, arms: Sequence[Arm], lang: str, subtitle: str, present: bool = False
) -> go.Figure:
    """Share of subjects with any AE, grade >= 3, an SAE, a fatal AE, per arm."""
    metrics = ["any_ae", "grade3plus", "serious", "fatal"]
    names = [t(f"saf.metric.{m}", lang) for m in metrics]
    fig = go.Figure(
        layout=base_layout(t("saf.fig.overview", lang), subtitle, height=360, present=present)
    )
    for arm in arms:
        row = overview[overview["arm"] == arm.code]
        if row.empty:
            continue
        r = row.iloc[0]
        fig.add_bar(
            y=names,
            x=[r[f"{m}_pct"] for m in metrics],
            orientation="h",
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour},
            text=[f"{int(r[m])}/{int(r['subjects'])} ({r[f'{m}_pct']:.0%})" for m in metrics],
            textposition="outside",
            cliponaxis=False,
            textfont={"color": TEXT},
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(
        tickformat=".0%", range=[0, 1.25], title=t("saf.axis.share", lang), gridcolor=GRID
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def center_rates_figure(
    rates: pd.DataFrame, lang: str, subtitle: str, present: bool = False
) -> go.Figure:
    """Per center beside the pooled rate: share with any AE and with an SAE, exact 95% CI."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.1,
        subplot_titles=[t("saf.metric.any_ae", lang), t("saf.metric.serious", lang)],
        figure=go.Figure(
            layout=base_layout(t("saf.fig.centers", lang), subtitle, height=340, present=present)
        ),
    )
    labels = [t("center.pooled", lang) if c == "ALL" else c for c in rates["center_id"]]
    for col, key in enumerate(("any_ae", "serious"), start=1):
        colours = [
            TEXT if c == "ALL" else center_colour(i) for i, c in enumerate(rates["center_id"])
        ]
        fig.add_scatter(
            x=rates[f"{key}_rate"],
            y=labels,
            mode="markers",
            showlegend=False,
            marker={
                "color": colours,
                "size": 12,
                "symbol": ["diamond" if c == "ALL" else "circle" for c in rates["center_id"]],
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": rates[f"{key}_high"] - rates[f"{key}_rate"],
                "arrayminus": rates[f"{key}_rate"] - rates[f"{key}_low"],
            },
            text=[f"{int(k)}/{int(n)}" for k, n in zip(rates[key], rates["subjects"], strict=True)],
            hovertemplate="%{y}: %{x:.0%} (%{text})<extra></extra>",
            row=1,
            col=col,
        )
        pooled = rates[rates["center_id"] == "ALL"][f"{key}_rate"]
        if len(pooled) and pd.notna(pooled.iloc[0]):
            fig.add_vline(
                x=float(pooled.iloc[0]), line={"color": MUTED, "dash": "dot"}, row=1, col=col
            )
    fig.update_xaxes(
        tickformat=".0%", range=[0, 1.02], tickvals=[0, 0.25, 0.5, 0.75, 1], gridcolor=GRID
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def lag_figure(
    events: pd.DataFrame, lag: pd.DataFrame, lang: str, subtitle: str, present: bool = False
) -> go.Figure:
    """Days from onset to report per center (box and dots) with days since the last report."""
    fig = go.Figure(
        layout=base_layout(t("saf.fig.lag", lang), subtitle, height=340, present=present)
    )
    for i, row in enumerate(lag.itertuples()):
        mine = events[events["center_id"] == row.center_id]["lag_days"].dropna()
        since = (
            t("saf.last_report", lang, days=int(row.days_since_last_report))
            if pd.notna(row.days_since_last_report)
            else t("saf.never_reported", lang)
        )
        name = f"{row.center_id} · {since}"
        fig.add_box(
            x=mine,
            y=[name] * len(mine),
            name=name,
            orientation="h",
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": center_colour(i), "size": 6},
            line={"color": center_colour(i)},
            fillcolor="rgba(0,0,0,0)",
            showlegend=False,
        )
    fig.update_xaxes(title=t("saf.axis.lag", lang), rangemode="tozero", gridcolor=GRID)
    fig.update_yaxes(autorange="reversed")
    return fig


def interest_figure(
    interest: pd.DataFrame, arms: Sequence[Arm], lang: str, subtitle: str, present: bool = False
) -> go.Figure:
    """Share of subjects with each event of interest, per arm (n/N written on the bars)."""
    cats = list(dict.fromkeys(interest["category"]))
    names = [label("eoi", c, lang) for c in cats]
    fig = go.Figure(
        layout=base_layout(
            t("saf.fig.interest", lang), subtitle, height=170 + 48 * len(cats), present=present
        )
    )
    for arm in arms:
        mine = interest[interest["arm"] == arm.code].set_index("category")
        if mine.empty:
            continue
        fig.add_bar(
            y=names,
            x=[float(mine.at[c, "pct"]) for c in cats],
            orientation="h",
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour},
            text=[
                f"{int(mine.at[c, 'subjects'])}/{int(mine.at[c, 'denominator'])}"
                + (f" · ≥G3 {int(mine.at[c, 'grade3plus'])}" if mine.at[c, "grade3plus"] else "")
                for c in cats
            ],
            textposition="outside",
            cliponaxis=False,
            textfont={"color": TEXT},
        )
    fig.update_layout(barmode="group", bargap=0.25)
    top = float(interest["pct"].max()) if len(interest) and interest["pct"].notna().any() else 0.5
    fig.update_xaxes(
        tickformat=".0%",
        range=[0, max(top * 1.5, 0.1)],
        title=t("saf.axis.share", lang),
        gridcolor=GRID,
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def onset_figure(
    events: pd.DataFrame,
    categories: Sequence[tuple[str, Sequence[str]]],
    arms: Sequence[Arm],
    lang: str,
    subtitle: str,
    present: bool = False,
    identifiers: bool = True,
) -> go.Figure:
    """Days from the procedure to onset of each event of interest, one dot per event and arm."""
    fig = go.Figure(
        layout=base_layout(
            t("saf.fig.onset", lang), subtitle, height=170 + 48 * len(categories), present=present
        )
    )
    term = events["term"].str.lower()
    for k, arm in enumerate(arms):
        xs: list[float] = []
        ys: list[float] = []
        text: list[str] = []
        for i, (_name, terms) in enumerate(categories):
            mine = events[term.isin({x.lower() for x in terms}) & (events["arm"] == arm.code)]
            mine = mine.dropna(subset=["days_since_procedure"])
            for j, (d, sid) in enumerate(
                zip(mine["days_since_procedure"], mine["subject_id"], strict=True)
            ):
                xs.append(float(d))
                ys.append(i + (-0.15 if k == 0 else 0.15) + ((j * 0.618) % 1 - 0.5) * 0.12)
                text.append(str(sid) if identifiers else t(f"arm.{arm.code}", lang))
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour, "size": 8, "symbol": "circle" if k == 0 else "diamond"},
            text=text,
            hovertemplate="%{text}: %{x:.0f} d<extra></extra>",
        )
    fig.update_yaxes(
        tickvals=list(range(len(categories))),
        ticktext=[label("eoi", c, lang) for c, _ in categories],
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    fig.update_xaxes(title=t("saf.axis.onset", lang), rangemode="tozero", gridcolor=GRID)
    return fig


def subject_timeline_figure(
    events: pd.DataFrame,
    day0: pd.Timestamp | None,
    sbrt: pd.DataFrame,
    as_of: pd.Timestamp,
    subject_id: str,
    lang: str,
    present: bool = False,
) -> go.Figure:
    """One subject's AEs from onset to resolution, by grade, against procedure and SBRT.

    Ongoing events run to the data date; serious ones are starred.
    """
    ref = day0 if day0 is not None else (events["onset_on"].min() if len(events) else as_of)
    fig = go.Figure(
        layout=base_layout(
            t("saf.fig.timeline", lang, subject=subject_id),
            t("saf.timeline_sub", lang),
            height=160 + 40 * max(len(events), 2),
            present=present,
        )
    )
    for c in sbrt.itertuples():
        start = (c.started_on - ref).days
        stop = ((c.completed_on if pd.notna(c.completed_on) else as_of) - ref).days
        fig.add_vrect(
            x0=start,
            x1=max(stop, start + 1),
            fillcolor="rgba(230,159,0,0.18)",
            line_width=0,
            annotation_text=t("vis.legend.sbrt", lang),
            annotation_position="bottom left",
        )
    fig.add_vline(x=0, line={"color": TEXT, "width": 2})
    fig.add_annotation(
        x=0, y=1.0, yref="paper", yanchor="bottom", showarrow=False, text=t("saf.procedure", lang)
    )
    for i, e in enumerate(events.itertuples()):
        start = (e.onset_on - ref).days
        # A fatal event ends at onset; an unresolved one runs to the data date.
        fatal = e.grade == 5 or e.outcome == "fatal"
        end_on = e.onset_on if fatal else (e.resolved_on if pd.notna(e.resolved_on) else as_of)
        end = (end_on - ref).days
        grade = int(e.grade) if pd.notna(e.grade) else 0
        colour = GRADE_COLOURS.get(grade, "#ffffff")
        y = f"{e.term} ({i + 1})"
        fig.add_scatter(
            x=[start, max(end, start + 0.5)],
            y=[y, y],
            mode="lines",
            line={"color": colour, "width": 14},
            showlegend=False,
            hovertemplate=f"{e.term}: G{grade}, {'SAE' if e.serious else ''} "
            f"{e.outcome or ''}<extra></extra>",
        )
        fig.add_scatter(
            x=[start],
            y=[y],
            mode="markers+text",
            marker={
                "symbol": "star" if e.serious else "circle",
                "size": 14 if e.serious else 8,
                "color": WARN if e.serious else TEXT,
            },
            text=[f"G{grade}" + (" SAE" if e.serious else "")],
            textposition="middle left",
            showlegend=False,
            hoverinfo="skip",
        )
    fig.update_xaxes(title=t("saf.axis.days", lang), gridcolor=GRID)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return fig

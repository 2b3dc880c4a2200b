"""Data-quality figures: findings per center and category, and per month of the record."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import GRID, base_layout, readable_text
from dashboard.i18n import label, t
from dashboard.metrics.data_quality import CATEGORIES

CATEGORY_COLOURS = {
    "eligibility": "#332288",
    "range": "#117733",
    "dates": "#882255",
    "sbrt": "#66661f",
    "structure": "#57606a",
}


def counts_figure(
    by_center: pd.DataFrame, lang: str, subtitle: str, present: bool = False
) -> go.Figure:
    """Findings per center, stacked by category, counts written on the bars."""
    fig = go.Figure(
        layout=base_layout(t("dq.fig.counts", lang), subtitle, height=340, present=present)
    )
    table = by_center
    for cat in CATEGORIES:
        values = [int(v) for v in table[cat]]
        if not any(values):
            continue
        fig.add_bar(
            x=table["center_id"],
            y=values,
            name=label("dq.cat", cat, lang),
            marker={"color": CATEGORY_COLOURS[cat]},
            text=[v or "" for v in values],
            textposition="inside",
            textangle=0,
            textfont={"color": readable_text(CATEGORY_COLOURS[cat])},
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("dq.axis.findings", lang), rangemode="tozero", gridcolor=GRID)
    return fig


def trend_figure(trend: pd.DataFrame, lang: str, subtitle: str, present: bool = False) -> go.Figure:
    """Findings per month of the record they concern, stacked by category."""
    fig = go.Figure(
        layout=base_layout(t("dq.fig.trend", lang), subtitle, height=340, present=present)
    )
    for cat in CATEGORIES:
        mine = trend[trend["category"] == cat]
        if mine.empty:
            continue
        fig.add_bar(
            x=mine["month"],
            y=mine["n"],
            name=label("dq.cat", cat, lang),
            marker={"color": CATEGORY_COLOURS[cat]},
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("dq.axis.month", lang), tickformat="%b %Y")
    fig.update_yaxes(title=t("dq.axis.findings", lang), rangemode="tozero", gridcolor=GRID)
    return fig

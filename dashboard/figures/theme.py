"""One look for every figure: fonts, sizes, arm and center colours, titles with n and date."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
    "'Microsoft YaHei', 'PingFang SC', sans-serif"
)
TEXT = "#1f2328"
MUTED = "#57606a"  # 6.4:1 on white: passes WCAG AA for small text
GRID = "#e5e7eb"
PLAN = "#57606a"
TARGET = "#1f2328"
BAND = "rgba(87, 96, 106, 0.18)"

# Centers are told apart by a palette that shares nothing with the arm colours (Paul Tol's
# muted indigo / green / wine, colour-blind safe), plus line dashes and direct labels.
CENTER_COLOURS: tuple[str, ...] = ("#332288", "#117733", "#882255", "#44AA99", "#999933")
CENTER_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash")


def center_colour(index: int) -> str:
    """The neutral colour of the n-th center (protocol order)."""
    return CENTER_COLOURS[index % len(CENTER_COLOURS)]


def center_dash(index: int) -> str:
    """The line dash of the n-th center."""
    return CENTER_DASHES[index % len(CENTER_DASHES)]


def base_layout(
    title: str,
    subtitle: str | None = None,
    height: int = 360,
    present: bool = False,
) -> go.Layout:
    """The shared layout: the title says what and for whom, the subtitle gives n and the date."""
    size = 20 if present else 14
    # Room for the title and every subtitle line at this font size.
    lines = subtitle.count("<br>") + 1 if subtitle else 0
    top = (size + 4) + 30 + lines * (size + 7)
    return go.Layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "font": {"size": size + 4, "color": TEXT},
            "subtitle": {"text": subtitle or "", "font": {"size": size - 1, "color": MUTED}},
        },
        font={"family": FONT_FAMILY, "size": size, "color": TEXT},
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=height,
        margin={"l": 20, "r": 20, "t": top, "b": 20 + 2 * size},
        # Always show the legend: a chart filtered to one arm must still say which arm it is.
        showlegend=True,
        # The legend sits at the bottom of the figure, below the x-axis title, never on it.
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": size - 1},
            "traceorder": "normal",
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        xaxis={"gridcolor": GRID, "zeroline": False, "linecolor": MUTED, "automargin": True},
        yaxis={"gridcolor": GRID, "zeroline": False, "linecolor": MUTED, "automargin": True},
        separators=".,",
    )


def empty_figure(message: str, height: int = 200) -> go.Figure:
    """A figure with no axes that says what is missing (for exports; pages use an empty state)."""
    fig = go.Figure(layout=base_layout("", height=height))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": MUTED})
    return fig


# Visit states: colour AND symbol, never colour alone (UX.md).
STATE_STYLE: dict[str, tuple[str, str]] = {
    "done": ("#1a7f37", "circle"),
    "done_early": ("#bf8700", "diamond"),
    "done_late": ("#bf8700", "diamond"),
    "missed": ("#cf222e", "x"),
    "due": ("#0969da", "square"),
    "upcoming": ("#afb8c1", "circle-open"),
    "not_expected": ("#424a53", "line-ew-open"),
    "no_day_zero": ("#424a53", "asterisk-open"),
}
# Compliance heatmap: white at 100 %, orange by 50 % or less; dark text stays readable (AA).
COMPLIANCE_SCALE = [[0.0, "#fc8d59"], [0.5, "#fdd49e"], [1.0, "#ffffff"]]


def monthly_by_center(
    monthly: pd.DataFrame,
    centers: Sequence[str],
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    present: bool = False,
) -> go.Figure:
    """Counts per calendar month (columns month, center_id, n), stacked by center."""
    fig = go.Figure(layout=base_layout(title, subtitle, height=360, present=present))
    for i, code in enumerate(centers):
        mine = monthly[monthly["center_id"] == code]
        if mine.empty:
            continue
        fig.add_bar(
            x=mine["month"],
            y=mine["n"],
            name=code,
            marker={"color": center_colour(i)},
            hovertemplate="%{x|%b %Y}: %{y}<extra>" + code + "</extra>",
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(title=x_title, tickformat="%b %Y")
    small = len(monthly) and monthly["n"].max() <= 5
    fig.update_yaxes(title=y_title, rangemode="tozero", dtick=1 if small else None)
    return fig


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def readable_text(background: str) -> str:
    """Dark or white text, whichever contrasts more with the background (WCAG formula)."""
    lum = _luminance(background)
    dark = (lum + 0.05) / (_luminance(TEXT) + 0.05)
    white = 1.05 / (lum + 0.05)
    return TEXT if dark >= white else "#ffffff"

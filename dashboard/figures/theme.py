"""The one shared look of every figure, as plain dicts (no plotly.py objects, no validation).

Figures are built as the JSON plotly.js reads: cheap to build, cache and send. Titles and
subtitles are not part of a figure: the page prints them above it in HTML (they wrap, scale in
presentation mode and never collide with the toolbar). The legend sits below the plot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dashboard.i18n import tn
from dashboard.palette import GRID, MUTED, TEXT, readable_text

if TYPE_CHECKING:
    from dashboard.protocol import Protocol

FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
    "'Microsoft YaHei', 'PingFang SC', sans-serif"
)

Figure = dict[str, Any]


def font_size(present: bool) -> int:
    """Base font size of figures: 14 px, 20 px in presentation mode."""
    return 20 if present else 14


def iso(day: Any) -> str | None:
    """A date as plotly.js reads it ('2026-11-15'), None for no date."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        return day.date().isoformat()
    if isinstance(day, dt.date):
        return day.isoformat()
    text = str(day)
    return None if text in ("NaT", "nan", "None", "") else text[:10]


def isos(days: Iterable[Any]) -> list[str | None]:
    """Dates as plotly.js reads them."""
    return [iso(d) for d in days]


def month_format(lang: str) -> str:
    """d3 format of a month tick: 'Nov 2026' or '2026年11月'."""
    return "%Y年%-m月" if lang == "zh" else "%b %Y"


def month_ticks(
    months: Sequence[str | None], lang: str = "en", present: bool = False, full: bool = False
) -> dict[str, Any]:
    """Ticks on month starts for bars per month (Plotly's own may label a month twice).

    Every k-th month, k as small as the labels allow side by side in the chart's width: half
    a row, or the whole row (`full`, and always in presentation mode).
    """
    if not months or months[0] is None:
        return {}
    size = font_size(present)
    label = text_width("2026年10月" if lang == "zh" else "Sep 2026", size) + size
    width = (COLUMN_WIDTH[12] if present or full else COLUMN_WIDTH[6]) - 5 * size
    most = max(1, int(width // label))
    step = max(1, -(-len(months) // most))
    return {"tick0": months[0], "dtick": f"M{step}"}


def day_format(lang: str) -> str:
    """d3 format of a day in hovers: '15 Nov 2026' or '2026年11月15日'."""
    return "%Y年%-m月%-d日" if lang == "zh" else "%-d %b %Y"


def axis(title: str | None = None, **extra: Any) -> dict[str, Any]:
    """An axis with the shared grid and line colours; `title` carries its unit."""
    out: dict[str, Any] = {
        "gridcolor": GRID,
        "zeroline": False,
        "linecolor": MUTED,
        "automargin": True,
        # A gap between tick labels and the axis: the first x label and the lowest y label
        # would otherwise meet at the corner.
        "ticklabelstandoff": 4,
    }
    if title is not None:
        out["title"] = {"text": title, "standoff": 8}
    out.update(extra)
    return out


# Widths (px) of a figure's drawing area at 1280 px by the share of the page row it takes
# (Bootstrap columns of 12): builders that place text in cells use them to decide what fits.
COLUMN_WIDTH = {12: 1200, 7: 690, 6: 590, 5: 490}


def half_width(present: bool) -> int:
    """The width of a half-row figure: the whole row in presentation mode (one panel a screen)."""
    return COLUMN_WIDTH[12 if present else 6]


def text_width(text: str, size: float) -> float:
    """About how wide a line of text is in px at a font size (CJK characters are square)."""
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    return (wide * 1.0 + (len(text) - wide) * 0.62) * size


def wrap_text(text: str, width: float, size: float) -> str:
    """Text broken into lines (Plotly's <br>) at spaces, each about `width` px or less."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def category_axis(
    order: Sequence[str], title: str | None = None, reverse: bool = False, **extra: Any
) -> dict[str, Any]:
    """An axis of names (centers, arms, visits, terms, reasons) in the given order.

    Always categorical: a center "701" or a visit "2" is a name, never a number that Plotly
    would place on a numeric scale (where "712" appears between "710" and "713").
    """
    out = axis(
        title,
        type="category",
        categoryorder="array",
        categoryarray=list(order),
        **extra,
    )
    if reverse:  # the first name on top (rows of a horizontal chart)
        out["autorange"] = "reversed"
    return out


def bar_marker(colour: str, pattern: str = "", **extra: Any) -> dict[str, Any]:
    """A bar's fill: its colour, and where given a hatch drawn over it (never instead of it).

    Plotly's default pattern mode replaces the fill with the hatch on a transparent ground (a
    white hatch then draws nothing); here the colour stays the ground and the hatch is drawn in
    the text colour that contrasts with it, so every bar and legend swatch shows its colour.
    """
    marker: dict[str, Any] = {"color": colour, **extra}
    if pattern:
        marker["pattern"] = {
            "shape": pattern,
            "fillmode": "overlay",
            "fgcolor": readable_text(colour),
            "fgopacity": 0.55,
            "solidity": 0.25,
        }
    return marker


def base_layout(
    present: bool = False,
    height: int = 340,
    legend: bool = True,
    lang: str = "en",
    **extra: Any,
) -> dict[str, Any]:
    """The shared layout: fonts, colours, margins; the legend below the plot."""
    size = font_size(present)
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": size, "color": TEXT},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 16, "t": 16, "b": 10},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": size - 1},
            "traceorder": "normal",
        },
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": size}},
        "xaxis": axis(),
        "yaxis": axis(),
        "separators": ".,",
        "modebar": {"orientation": "v"},
    }
    if legend:
        # Room below the x-axis title for one or two rows of legend.
        layout["margin"]["b"] = 10 + 2 * (size + 6)
    layout.update(extra)
    return layout


def legend_rows(names: Sequence[str], width: float, size: float) -> int:
    """Rows a horizontal legend of these names takes in `width` px.

    plotly.js keeps one row while every item fits; else it lays the items out in columns as
    wide as the widest item (symbol and gap included).
    """
    items = [text_width(name, size) + 2.8 * size for name in names]
    if not items or sum(items) <= width:
        return 1
    per_row = max(1, int(width // max(items)))
    return -(-len(items) // per_row)


def figure(
    data: Sequence[dict[str, Any]], layout: dict[str, Any], width: int | None = None
) -> Figure:
    """A figure as plotly.js reads it.

    A legend below the plot gets the room its items take at the figure's `width` (px; a
    half-row card by default): the bottom margin and the height grow by the rows beyond the
    two the shared layout leaves, so the legend never scrolls nor covers the axis.
    """
    legend = layout.get("legend") or {}
    if layout.get("showlegend") and legend.get("yref") == "container" and legend.get("y") == 0:
        names = [
            str(tr["name"])
            for tr in data
            if tr.get("name") and tr.get("showlegend", True) is not False
        ]
        size = float((legend.get("font") or {}).get("size") or 13)
        rows = legend_rows(list(dict.fromkeys(names)), (width or COLUMN_WIDTH[5]) - 30, size)
        extra = max(rows - 2, 0) * (size + 8)
        if extra:
            layout["margin"]["b"] = layout["margin"].get("b", 10) + extra
            layout["height"] = layout.get("height", 340) + extra
    return {"data": list(data), "layout": layout}


def hline(
    y: float, colour: str, width: float = 1, dash: str = "solid", **kw: Any
) -> dict[str, Any]:
    """A horizontal line across the plot at y."""
    return {
        "type": "line",
        "xref": kw.pop("xref", "paper"),
        "x0": 0,
        "x1": 1,
        "yref": kw.pop("yref", "y"),
        "y0": y,
        "y1": y,
        "line": {"color": colour, "width": width, "dash": dash},
        **kw,
    }


def vline(x: Any, colour: str, width: float = 1, dash: str = "solid", **kw: Any) -> dict[str, Any]:
    """A vertical line across the plot at x."""
    return {
        "type": "line",
        "yref": kw.pop("yref", "paper"),
        "y0": 0,
        "y1": 1,
        "xref": kw.pop("xref", "x"),
        "x0": x,
        "x1": x,
        "line": {"color": colour, "width": width, "dash": dash},
        **kw,
    }


def note(text: str, x: Any, y: Any, size: int, **kw: Any) -> dict[str, Any]:
    """A text annotation without an arrow."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "showarrow": False,
        "font": {"size": size, "color": kw.pop("colour", TEXT)},
        **kw,
    }


def panel_grid(
    n: int, columns: int, gap_x: float = 0.06, gap_y: float = 0.12
) -> list[tuple[list[float], list[float]]]:
    """X and y domains of n small-multiple panels that wrap after `columns` panels."""
    cols = max(1, min(columns, n))
    rows = max(1, -(-n // cols))
    width = (1 - gap_x * (cols - 1)) / cols
    height = (1 - gap_y * (rows - 1)) / rows
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        x0 = c * (width + gap_x)
        y1 = 1 - r * (height + gap_y)
        out.append(([round(x0, 4), round(x0 + width, 4)], [round(y1 - height, 4), round(y1, 4)]))
    return out


def axis_name(kind: str, i: int) -> str:
    """'xaxis', 'xaxis2', ... for panel i (0-based)."""
    return kind if i == 0 else f"{kind}{i + 1}"


def axis_ref(kind: str, i: int) -> str:
    """'x', 'x2', ... for panel i (0-based)."""
    return kind[0] if i == 0 else f"{kind[0]}{i + 1}"


def monthly_bars(
    months: Sequence[Any],
    by_center: Mapping[str, Sequence[int]],
    shown: Sequence[str],
    protocol: Protocol,
    lang: str,
    x_title: str,
    y_title: str,
    present: bool,
) -> Figure:
    """Counts per calendar month stacked by center (centers beyond `shown` stacked as one)."""
    data: list[dict[str, Any]] = []
    x = isos(months)
    for code in shown:
        values = list(by_center.get(code, ()))
        if not any(values):
            continue
        data.append(
            {
                "type": "bar",
                "x": x,
                "y": values,
                "name": code,
                "marker": bar_marker(protocol.center_colour(code), protocol.center_pattern(code)),
                "hovertemplate": "%{x|" + month_format(lang) + "}: %{y}<extra>" + code + "</extra>",
            }
        )
    rest = [c for c in by_center if c not in shown]
    if rest:
        totals = [sum(by_center[c][i] for c in rest) for i in range(len(months))]
        if any(totals):
            data.append(
                {
                    "type": "bar",
                    "x": x,
                    "y": totals,
                    "name": tn("center.others", len(rest), lang),
                    "marker": {"color": "#d0d7de"},
                }
            )
    peak = max((sum(v) for v in zip(*by_center.values(), strict=True)), default=0)
    layout = base_layout(present, height=380 if present else 340)
    layout.update(
        barmode="stack",
        bargap=0.15,
        xaxis=axis(
            x_title, type="date", tickformat=month_format(lang), **month_ticks(x, lang, present)
        ),
        yaxis=axis(y_title, rangemode="tozero", **({"dtick": 1} if peak <= 5 else {})),
    )
    return figure(data, layout)

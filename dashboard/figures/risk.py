"""Center risk figures from the page model: a funnel plot per indicator, the flags' trend."""

from __future__ import annotations

from typing import Any

from dashboard.figures.theme import Figure, axis, base_layout, figure, font_size
from dashboard.i18n import t
from dashboard.metrics.risk import DAYS_PER_MONTH, RiskModel
from dashboard.palette import FLAG_FILL, FLAG_STYLE, MUTED, TEXT

# Rates per time on study are drawn against patient-months (the model keeps days).
PER_MONTH = ("ae_rate", "sae_rate", "grade3_rate")


def _x(kri: str, denominator: float) -> float:
    return denominator / DAYS_PER_MONTH if kri in PER_MONTH else denominator


def funnel(model: RiskModel, kri: str, lang: str, present: bool) -> Figure | None:
    """The view's centers (value against denominator) inside the trial's funnel limits."""
    f = model.funnels.get(kri)
    if f is None or f.method == "identity" or f.trial is None or not f.denominators:
        return None
    xs = [_x(kri, n) for n in f.denominators]
    data: list[dict[str, Any]] = []
    for name, values, dash in (
        ("risk.legend.red", (f.red_low, f.red_high), "dot"),
        ("risk.legend.amber", (f.amber_low, f.amber_high), "dash"),
    ):
        for i, line in enumerate(values):
            if not any(v is not None for v in line):
                continue
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": xs,
                    "y": list(line),
                    "line": {"color": MUTED, "dash": dash, "width": 1.5, "shape": "hv"},
                    "name": t(name, lang, amber=f"{model.amber:g}", red=f"{model.red:g}"),
                    "legendgroup": name,
                    "showlegend": i == 1,
                    "hoverinfo": "skip",
                    "connectgaps": False,
                }
            )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": [xs[0], xs[-1]],
            "y": [f.trial, f.trial],
            "line": {"color": TEXT, "width": 2},
            "name": t("risk.legend.trial", lang),
            "hoverinfo": "skip",
        }
    )
    size = 14 if present else 11
    # Every center named when there are a few; else the flagged ones (the rest on hover).
    few = len(model.centers) <= 6
    for flag in ("green", "amber", "red", "none"):
        shown = [
            c
            for c in model.centers
            if kri in model.by_center[c] and model.by_center[c][kri].flag == flag
        ]
        cells = [model.by_center[c][kri] for c in shown]
        points = [(c, x) for c, x in zip(shown, cells, strict=True) if x.value is not None]
        if not points:
            continue
        colour, symbol = FLAG_STYLE[flag]
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text" if few or flag in ("amber", "red") else "markers",
                "x": [_x(kri, cell.denominator) for _, cell in points],
                "y": [cell.value for _, cell in points],
                "text": [c for c, _ in points],
                "textposition": "top center",
                "textfont": {"size": font_size(present) - 3, "color": TEXT},
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"width": 2, "color": colour},
                },
                "name": t(f"risk.flag.{flag}", lang),
                "customdata": [
                    [f"{cell.numerator:g}", f"{_x(kri, cell.denominator):.1f}", _z(cell.z)]
                    for _, cell in points
                ],
                "hovertemplate": "%{text}: %{y:.3~g} (%{customdata[0]} / %{customdata[1]}; z "
                "%{customdata[2]})<extra></extra>",
                "cliponaxis": False,
            }
        )
    # The y axis holds the centers and the limits where centers are, not the funnel's mouth.
    ys = [float(y) for trace in data for y in trace["y"] if isinstance(y, int | float)]
    top = max(ys, default=1.0) or 1.0
    layout = base_layout(present, height=360 if present else 300, lang=lang)
    layout.update(
        xaxis=axis(t(f"risk.axis.x.{kri}", lang), rangemode="tozero"),
        yaxis=axis(t(f"risk.axis.y.{kri}", lang), range=[0, top * 1.12]),
        hovermode="closest",
    )
    return figure(data, layout)


def _mark(red: int, amber: int) -> str:
    """A cell of the trend: ✕ per red and ◆ per amber indicator, as the table marks them."""
    return (
        ("✕" * red if red <= 3 else f"✕{red}")
        + (" " if red and amber else "")
        + ("◆" * amber if amber <= 3 else f"◆{amber}")
    )


def _z(z: float | None) -> str:
    return "–" if z is None else f"{z:+.1f}"


def trend(model: RiskModel, lang: str, present: bool) -> Figure | None:
    """Each center's red and amber flags at each kept data cut and now."""
    if not model.trend:
        return None
    columns = [p.as_of.isoformat() for p in model.trend] + [t("risk.trend.now", lang)]
    names = [p.cut for p in model.trend] + [t("risk.trend.now", lang)]
    centers = list(model.centers)
    z: list[list[int]] = []
    text: list[list[str]] = []
    hover: list[list[list[str]]] = []
    for c in centers:
        row_z, row_text, row_hover = [], [], []
        points = [(p.red.get(c, 0), p.amber.get(c, 0), p.kept) for p in model.trend]
        points.append((model.flagged[c]["red"], model.flagged[c]["amber"], True))
        for red, amber, kept in points:
            row_z.append(2 if red else 1 if amber else 0 if kept else -1)
            row_text.append(_mark(red, amber) if kept else "–")
            row_hover.append(t("risk.trend.cell", lang, red=red, amber=amber) if kept else "–")
        z.append(row_z)
        text.append(row_text)
        hover.append([[h, n] for h, n in zip(row_hover, names, strict=True)])
    scale = [
        [0.0, FLAG_FILL["none"]],
        [0.25, FLAG_FILL["none"]],
        [0.25, FLAG_FILL["green"]],
        [0.5, FLAG_FILL["green"]],
        [0.5, FLAG_FILL["amber"]],
        [0.75, FLAG_FILL["amber"]],
        [0.75, FLAG_FILL["red"]],
        [1.0, FLAG_FILL["red"]],
    ]
    row = 30 if present else 24
    layout = base_layout(present, height=90 + row * max(len(centers), 3), legend=False, lang=lang)
    layout.update(
        xaxis=axis(
            None,
            type="category",
            side="top",
            tickangle=-40 if len(columns) > 6 else 0,
            automargin=True,
        ),
        yaxis=axis(None, type="category", autorange="reversed", automargin=True),
    )
    data = [
        {
            "type": "heatmap",
            "x": columns,
            "y": centers,
            "z": z,
            "zmin": -1.5,
            "zmax": 2.5,
            "text": text,
            "texttemplate": "%{text}",
            "textfont": {"size": font_size(present) - 3, "color": TEXT},
            "colorscale": scale,
            "showscale": False,
            "xgap": 2,
            "ygap": 2,
            "customdata": hover,
            "hovertemplate": "%{y} · %{customdata[1]}: %{customdata[0]}<extra></extra>",
        }
    ]
    return figure(data, layout)


__all__ = ["funnel", "trend"]

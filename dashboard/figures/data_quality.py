"""Data-quality figures from the page model: findings per center and per month, by category."""

from __future__ import annotations

from dashboard.figures.theme import (
    Figure,
    axis,
    base_layout,
    category_axis,
    figure,
    font_size,
    isos,
    month_format,
    month_ticks,
)
from dashboard.i18n import label, t
from dashboard.metrics.data_quality import DataQualityModel
from dashboard.palette import CHECK_COLOURS, readable_text


def _colour(category: str) -> str:
    return CHECK_COLOURS.get(category, CHECK_COLOURS["structure"])


def counts(model: DataQualityModel, lang: str, present: bool) -> Figure:
    """Findings per center, stacked by category, counts written on the bars."""
    size = font_size(present)
    centers = list(model.bar_centers)
    data = []
    for cat in model.categories:
        if cat == "structure":
            continue
        values = [model.by_center[c][cat] for c in centers]
        if not any(values):
            continue
        colour = _colour(cat)
        data.append(
            {
                "type": "bar",
                "x": centers,
                "y": values,
                "name": label("dq.cat", cat, lang),
                "marker": {"color": colour},
                "text": [str(v) if v else "" for v in values],
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "middle",
                "textfont": {"color": readable_text(colour), "size": size - 1},
            }
        )
    layout = base_layout(present, height=380 if present else 340)
    layout.update(
        barmode="stack",
        xaxis=category_axis(centers),
        yaxis=axis(t("dq.axis.findings", lang), rangemode="tozero"),
        uniformtext={"minsize": size - 4, "mode": "hide"},
    )
    return figure(data, layout)


def trend(model: DataQualityModel, lang: str, present: bool) -> Figure:
    """Findings per month of the record they concern, stacked by category."""
    data = []
    x = isos(model.trend.months)
    for cat, values in model.trend.by_category.items():
        if not any(values):
            continue
        data.append(
            {
                "type": "bar",
                "x": x,
                "y": list(values),
                "name": label("dq.cat", cat, lang),
                "marker": {"color": _colour(cat)},
                "hovertemplate": "%{x|"
                + month_format(lang)
                + "}: %{y}<extra>%{fullData.name}</extra>",
            }
        )
    peak = max((sum(v) for v in zip(*model.trend.by_category.values(), strict=True)), default=0)
    layout = base_layout(present, height=380 if present else 340)
    layout.update(
        barmode="stack",
        xaxis=axis(
            t("dq.axis.month", lang),
            type="date",
            tickformat=month_format(lang),
            **month_ticks(x, lang, present),
        ),
        yaxis=axis(
            t("dq.axis.findings", lang), rangemode="tozero", **({"dtick": 1} if peak <= 5 else {})
        ),
    )
    return figure(data, layout)

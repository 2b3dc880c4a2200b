"""Visit figures from the page model: compliance heatmap and the subject swimmer plot."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dashboard.figures.theme import (
    COLUMN_WIDTH,
    Figure,
    axis,
    base_layout,
    category_axis,
    figure,
    font_size,
    text_width,
)
from dashboard.i18n import pct, t
from dashboard.metrics.visits import StateCounts, VisitsModel
from dashboard.palette import COMPLIANCE_SCALE, GRID, MUTED, STATE_STYLE, TEXT
from dashboard.protocol import Protocol


def compliance_heatmap(
    model: VisitsModel,
    protocol: Protocol,
    total_label: str,
    lang: str,
    present: bool,
    width: int = COLUMN_WIDTH[7],
) -> Figure:
    """Centers × visits, each cell 'compliance % / done of expected', the pooled row on top.

    A cell with fewer than 5 expected visits is left uncoloured (its rate means little) and
    its count says why; a cell with none expected shows a dash. A cell shows what fits in it
    at the figure's `width` (px): the rate and the counts, else the rate alone, else nothing;
    the hover always has both.
    """
    visits = list(protocol.visit_codes)
    rows: list[tuple[str, dict[str, StateCounts]]] = []
    if model.scope.pooled:
        rows.append((total_label, model.by_visit))
    rows += [(c, model.by_center_visit[c]) for c in model.heatmap_centers]
    size = font_size(present)
    names = [name for name, _ in rows]
    left = int(max(text_width(n, size) for n in names)) + 14 if names else 40
    cell = (width - left - 16) / max(len(visits), 1) - 3  # xgap
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for _, cells in rows:
        zr: list[float | None] = []
        tr: list[str] = []
        hr: list[str] = []
        for v in visits:
            c = cells[v]
            if c.compliance is None:
                zr.append(None)
                tr.append("–")
                hr.append("–")
                continue
            zr.append(None if c.small_n else c.compliance)
            rate, counts = pct(c.compliance), f"{c.done}/{c.expected}"
            hr.append(f"{rate} ({counts})")
            if text_width(counts, size) + 6 <= cell:
                tr.append(f"<b>{rate}</b><br>{counts}")
            elif text_width(rate, size) + 6 <= cell:
                tr.append(f"<b>{rate}</b>")
            else:
                tr.append("")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    labels = list(visits)  # codes: long labels (e.g. "Week 4 / Month 1") collide when large
    data = [
        {
            "type": "heatmap",
            "z": z,
            "x": visits,
            "y": names,
            "text": text,
            "customdata": hover,
            "texttemplate": "%{text}",
            "textfont": {"color": TEXT, "size": size},
            "colorscale": COMPLIANCE_SCALE,
            "zmin": 0.5,
            "zmax": 1.0,
            "xgap": 3,
            "ygap": 3,
            "showscale": False,
            "hovertemplate": "%{y} · %{x}: %{customdata}<extra></extra>",
        }
    ]
    layout = base_layout(present, height=90 + (78 if present else 62) * len(rows), legend=False)
    layout.update(
        plot_bgcolor="#f6f8fa",
        xaxis=category_axis(
            visits,
            side="top",
            showgrid=False,
            tickvals=visits,
            ticktext=labels,
            automargin=False,
        ),
        yaxis=category_axis(names, reverse=True, showgrid=False, automargin=False),
    )
    # Margins from the labels themselves: the row names on the left, the visit codes on top
    # (with room for half the last code beyond the last column).
    last = text_width(labels[-1], size) / 2 if labels else 0
    layout["margin"].update(l=left, t=int(1.6 * size) + 12, r=int(max(16, last - cell / 2 + 8)))
    return figure(data, layout)


SWIMMER_PAGE = 30  # subjects drawn at once; the rest a page away


def swimmer_pages(model: VisitsModel) -> int:
    """How many pages of subjects the swimmer plot has."""
    n = len(model.swimmer.subjects) if model.swimmer else 0
    return max(1, -(-n // SWIMMER_PAGE))


def swimmer(
    model: VisitsModel, protocol: Protocol, lang: str, present: bool, page: int = 0
) -> Figure:
    """One line per subject from day 0 to leaving or the data date; visits marked by state.

    Subjects by center then id, `SWIMMER_PAGE` at a time (page 0 first): the figure's height
    follows its rows.
    """
    assert model.swimmer is not None
    ranked = sorted(
        model.swimmer.subjects,
        key=lambda s: (
            protocol.center_codes.index(s.center_id)
            if s.center_id in protocol.center_codes
            else 999,
            s.subject_id,
        ),
    )
    page = min(max(page, 0), swimmer_pages(model) - 1)
    subjects = ranked[page * SWIMMER_PAGE : (page + 1) * SWIMMER_PAGE]
    order = [s.subject_id for s in subjects]
    size = font_size(present)
    data: list[dict[str, Any]] = []
    xs: list[float | None] = []
    ys: list[str | None] = []
    for s in subjects:
        xs += [0, s.end_day, None]
        ys += [s.subject_id, s.subject_id, None]
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "line": {"color": "#afb8c1", "width": 2},
            "name": t("vis.legend.follow_up", lang),
            "hoverinfo": "skip",
        }
    )
    xs, ys = [], []
    for s in subjects:
        if s.sbrt_days is not None:
            xs += [s.sbrt_days[0], s.sbrt_days[1], None]
            ys += [s.subject_id, s.subject_id, None]
    if xs:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "line": {"color": TEXT, "width": 6},
                "name": t("vis.legend.sbrt", lang),
                "hoverinfo": "skip",
            }
        )
    for state, (colour, symbol) in STATE_STYLE.items():
        # A visit missed by a subject who left during its window sits at the leaving day, not
        # after the line's end.
        points = [
            (s.subject_id, replace(v, day=min(v.day, s.end_day)) if v.state != "upcoming" else v)
            for s in subjects
            for v in s.visits
            if v.state == state
        ]
        if not points or state in ("not_expected", "no_day_zero"):
            continue
        name = t(f"vis.state.{state}", lang)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [v.day for _, v in points],
                "y": [sid for sid, _ in points],
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": 12 if present else 9,
                    "line": {"width": 1.5, "color": colour},
                },
                "name": name,
                "customdata": [v.visit_code for _, v in points],
                "hovertemplate": "%{y} %{customdata}: "
                + name
                + " ("
                + t("vis.hover.day", lang)
                + ")<extra></extra>",
            }
        )
    left = [s for s in subjects if s.off_reason is not None]
    if left:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [s.end_day for s in left],
                "y": [s.subject_id for s in left],
                "marker": {
                    "symbol": [
                        "cross-thin-open" if s.off_reason == "died" else "triangle-right"
                        for s in left
                    ],
                    "size": 11,
                    "color": TEXT,
                    "line": {"width": 2, "color": TEXT},
                },
                "name": t("vis.legend.off_study", lang),
                "customdata": [t(f"off.{s.off_reason}", lang) for s in left],
                "hovertemplate": "%{y}: %{customdata} ("
                + t("vis.hover.day", lang)
                + ")<extra></extra>",
            }
        )
    row = 22 if present else 16
    layout = base_layout(present, height=140 + max(len(order), 4) * row)
    layout.update(
        xaxis=axis(
            t("vis.axis.days_since", lang),
            zeroline=True,
            zerolinecolor=MUTED,
            rangemode="tozero",
            gridcolor=GRID,
        ),
        yaxis=category_axis(
            order[::-1],
            tickfont={"size": size - 3},
            showgrid=False,
        ),
        legend={
            "orientation": "h",
            "yref": "paper",
            "y": 1.0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": size - 1},
        },
    )
    layout["margin"].update(t=20 + 3 * (size + 6), b=10)
    return figure(data, layout)

"""Outcome figures from the page models: estimates with intervals, responses, KM.

Also severity bands, distributions drawn from precomputed statistics and MD Anderson categories.

An estimate marked "small n" is drawn hollow and without an interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.figures.theme import (
    COLUMN_WIDTH,
    Figure,
    axis,
    axis_name,
    axis_ref,
    bar_marker,
    base_layout,
    category_axis,
    figure,
    font_size,
    hline,
    note,
    panel_grid,
    text_width,
    wrap_text,
)
from dashboard.i18n import number, pct, t, tn
from dashboard.metrics.local_control import KmStep, LocalControlModel
from dashboard.metrics.model import Estimate, Proportion
from dashboard.metrics.outcomes import BANDS, RESPONSES, BoxStats, PainModel
from dashboard.palette import (
    BAND_COLOURS,
    MDA_COLOURS,
    MUTED,
    RESPONSE_COLOURS,
    TEXT,
    WARN,
    readable_text,
    rgba,
)
from dashboard.protocol import Arm, Protocol

WEEK_TICKS = [0, 4, 13, 26, 52]
SYMBOLS = ("circle", "diamond", "square", "triangle-up", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def dodge(i: int, k: int, width: float, gap: float = math.inf) -> float:
    """Offset of the i-th of k arms so that their intervals do not overlap.

    At most `width` either side, and at most a quarter of the `gap` to the nearest
    other visit: an arm's point never passes the midpoint towards a neighbouring
    visit, so visits keep their order (baseline left of week 1 for every arm).
    """
    if k == 1:
        return 0.0
    return (i - (k - 1) / 2) / ((k - 1) / 2) * min(width, gap / 4)


def nearest_gap(x: float, grid: Sequence[float]) -> float:
    """Distance from x to the nearest other point of the grid (inf if none)."""
    return min((abs(x - g) for g in grid if g != x), default=math.inf)


def _arms(protocol: Protocol, codes: Sequence[str]) -> list[Arm]:
    return [a for a in protocol.arms if a.code in codes]


def _points(
    arm: Arm,
    i: int,
    k: int,
    xs: Sequence[float],
    values: Sequence[Estimate | Proportion],
    labels: Sequence[str],
    lang: str,
    width: float,
    percent: bool = False,
    lines: bool = True,
    grid: Sequence[float] = (),
) -> dict[str, Any]:
    fmt = pct if percent else (lambda x: number(x, 1))
    ys = [v.value for v in values]
    up = [(v.high - v.value) if v.high is not None and v.value is not None else 0 for v in values]
    down = [(v.value - v.low) if v.low is not None and v.value is not None else 0 for v in values]
    hover = []
    for label, v in zip(labels, values, strict=True):
        n = v.n
        # a rate says its numerator and denominator, a mean its n
        num = {"k": v.k} if isinstance(v, Proportion) else {}
        kind = "prop_" if num else ""
        if v.low is None or v.high is None:
            hover.append(
                t(f"fig.hover.{kind}small_n", lang, visit=label, value=fmt(v.value), n=n, **num)
            )
        else:
            hover.append(
                t(
                    f"fig.hover.{kind}ci",
                    lang,
                    visit=label,
                    value=fmt(v.value),
                    low=fmt(v.low),
                    high=fmt(v.high),
                    n=n,
                    **num,
                )
            )
    return {
        "type": "scatter",
        "mode": "lines+markers" if lines else "markers",
        "x": [x + dodge(i, k, width, nearest_gap(x, grid or xs)) for x in xs],
        "y": ys,
        "name": arm.name(lang),
        "line": {"color": arm.colour, "width": 3, "dash": DASHES[i % len(DASHES)]},
        "marker": {
            "size": 10,
            "color": [("white" if v.small_n else arm.colour) for v in values],
            "line": {"color": arm.colour, "width": 2},
            "symbol": SYMBOLS[i % len(SYMBOLS)],
        },
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": up,
            "arrayminus": down,
            "thickness": 1.5,
            "width": 4,
            "color": arm.colour,
        },
        "text": hover,
        "hovertemplate": "%{text}<extra>%{fullData.name}</extra>",
    }


def trajectory(
    estimates: Mapping[str, Mapping[str, Estimate]],
    model: PainModel,
    protocol: Protocol,
    y_title: str,
    lang: str,
    present: bool,
    y_range: Sequence[float] | None = None,
    with_lines: bool = False,
) -> Figure:
    """Mean (or median) with its interval per arm over weeks since day 0.

    Sampled individual trajectories are in the legend, hidden until clicked.
    """
    arms = _arms(protocol, model.arms)
    data: list[dict[str, Any]] = []
    if with_lines:
        for arm in arms:
            xs: list[float | None] = []
            ys: list[float | None] = []
            for line in model.individual:
                if line.arm == arm.code:
                    xs += [*line.weeks, None]
                    ys += [*line.values, None]
            if xs:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": xs,
                        "y": ys,
                        "line": {"color": rgba(arm.colour, 0.35), "width": 1},
                        "name": t("out.legend.individual", lang, arm=arm.name(lang)),
                        "visible": "legendonly",
                        "hoverinfo": "skip",
                    }
                )
    for i, arm in enumerate(arms):
        per_visit = estimates.get(arm.code, {})
        visits = [v for v in model.visit_weeks if v in per_visit]
        if not visits:
            continue
        labels = [t("out.baseline", lang) if v == "baseline" else v for v in visits]
        data.append(
            _points(
                arm,
                i,
                len(arms),
                [model.visit_weeks[v] for v in visits],
                [per_visit[v] for v in visits],
                labels,
                lang,
                0.8,
                grid=sorted(set(model.visit_weeks.values())),
            )
        )
    layout = base_layout(present, height=440 if present else 400)
    layout.update(
        xaxis=axis(t("out.axis.weeks", lang), tickvals=WEEK_TICKS, range=[-2, 55]),
        yaxis=axis(
            y_title,
            range=list(y_range) if y_range else None,
            rangemode="tozero" if y_range is None else "normal",
        ),
    )
    return figure(data, layout)


def visit_rates(
    rates: Mapping[str, Mapping[str, Proportion]],
    arms_codes: Sequence[str],
    visits: Sequence[str],
    protocol: Protocol,
    y_title: str,
    lang: str,
    present: bool,
    n_title: str | None = None,
) -> Figure:
    """A rate (with its exact interval) per arm at each visit.

    Its denominator (the subjects assessed) per arm and visit in a row below the axis,
    in the arm's colour, like the numbers at risk under a survival curve.
    """
    arms = [a for a in _arms(protocol, arms_codes) if rates.get(a.code)]
    size = font_size(present)
    data = []
    for i, arm in enumerate(arms):
        per_visit = rates[arm.code]
        shown = [v for v in visits if v in per_visit and per_visit[v].value is not None]
        if shown:
            data.append(
                _points(
                    arm,
                    i,
                    len(arms),
                    [float(visits.index(v)) for v in shown],
                    [per_visit[v] for v in shown],
                    shown,
                    lang,
                    0.25,
                    percent=True,
                    grid=range(len(visits)),
                )
            )
        data.append(
            {
                "type": "scatter",
                "mode": "text",
                "x": list(range(len(visits))),
                "y": [i] * len(visits),
                "text": [str(per_visit[v].n) if v in per_visit else "0" for v in visits],
                "textfont": {"color": arm.colour, "size": size},
                "xaxis": "x2",
                "yaxis": "y2",
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    rows = 0.07 * max(len(arms), 1) + 0.05
    x_range = [-0.6, len(visits) - 0.4]
    height = (400 if present else 360) + 18 * len(arms)
    # Between the rate panel and the row of denominators: the visit labels (slanted when they
    # do not fit side by side) and the axis title, worked out in px for the figure's width.
    width = (COLUMN_WIDTH[12] if present else COLUMN_WIDTH[6]) - 4 * size
    label = max((text_width(v, size) for v in visits), default=0.0)
    slant = label + 8 > width / max(len(visits), 1)
    ticks = label * 0.72 + size if slant else size * 1.3
    plot = height - 16 - (10 + 2 * (size + 6))
    gap = min(0.45, (ticks + size * 2.4 + 16) / plot)
    layout = base_layout(present, height=height)
    layout.update(
        xaxis=axis(
            t("out.axis.visit", lang),
            tickvals=list(range(len(visits))),
            ticktext=list(visits),
            tickangle=-45 if slant else 0,
            range=x_range,
            anchor="y",
        ),
        yaxis=axis(y_title, tickformat=".0%", range=[0, 1.04], domain=[rows + gap, 1.0]),
        xaxis2=axis(
            None,
            range=x_range,
            anchor="y2",
            matches="x",
            showticklabels=False,
            showgrid=False,
            domain=[0, 1],
        ),
        yaxis2=axis(
            n_title or t("out.axis.assessed", lang),
            domain=[0, rows],
            tickvals=list(range(len(arms))),
            ticktext=[a.name(lang) for a in arms],
            range=[len(arms) - 0.5, -0.5],
            showgrid=False,
        ),
    )
    return figure(data, layout)


def _arm_panels(
    arms: Sequence[Arm],
    present: bool,
    height_per_row: int,
    lang: str,
    categories: Sequence[str],
    width: int,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A layout with one panel per arm, each titled by its arm (the title wrapped to it).

    The x axes are the categories (visits) in the given order. As many panels side by side
    as the figure's `width` (px) holds with room for every category; the rest wrap below.
    """
    size = font_size(present)
    # Each category needs its label's width (never rotated); each panel its y tick labels.
    per_category = max((text_width(str(c), size) for c in categories), default=size) + size
    y_ticks = text_width("100%", size) + 16
    columns = max(
        1, min(len(arms), int(width // (len(categories) * per_category + y_ticks + size)))
    )
    rows = -(-len(arms) // columns)
    gap_x = y_ticks / width
    panel_px = width * (1 - gap_x * (columns - 1)) / columns - 2 * size
    height = 90 + rows * height_per_row
    # Between rows: the x tick labels and the next panel's title, in px (not a fraction).
    domains = panel_grid(len(arms), columns, gap_x=gap_x, gap_y=(5 * size + 20) / height)
    layout = base_layout(present, height=height)
    refs = []
    annotations = []
    for i, arm in enumerate(arms):
        x_dom, y_dom = domains[i]
        xa, ya = axis_ref("xaxis", i), axis_ref("yaxis", i)
        refs.append((xa, ya))
        layout[axis_name("xaxis", i)] = category_axis(categories, domain=x_dom, anchor=ya)
        layout[axis_name("yaxis", i)] = axis(None, domain=y_dom, anchor=xa)
        title = wrap_text(arm.name(lang), panel_px / 1.1, size - 1)  # bold: about 10% wider
        annotations.append(
            note(
                f"<b>{title}</b>",
                (x_dom[0] + x_dom[1]) / 2,
                y_dom[1],
                size - 1,
                xref="paper",
                yref="paper",
                yanchor="bottom",
                colour=TEXT,
            )
        )
    lines = max(a["text"].count("<br>") + 1 for a in annotations) if annotations else 1
    layout["annotations"] = annotations
    layout["margin"]["t"] = 12 + lines * (size + 4) + 4
    return layout, refs


def stacked_by_arm(
    counts: Mapping[str, Mapping[str, Mapping[str, int]]],
    arms_codes: Sequence[str],
    visits: Sequence[str],
    categories: Sequence[tuple[str, str, str, str]],
    protocol: Protocol,
    y_title: str,
    lang: str,
    present: bool,
    share: bool = False,
    width: int = COLUMN_WIDTH[12],
) -> Figure:
    """Counts (or shares) per category stacked per visit, one panel per arm (wrapping).

    `categories`: (key, label, colour, hatch pattern). Counts are written on the bars.
    """
    arms = _arms(protocol, arms_codes)
    size = font_size(present)
    layout, refs = _arm_panels(arms, present, 330 if present else 290, lang, list(visits), width)
    data: list[dict[str, Any]] = []
    shown = [
        c
        for c in categories
        if any(counts.get(a.code, {}).get(v, {}).get(c[0], 0) for a in arms for v in visits)
    ]
    for i, (arm, (xa, ya)) in enumerate(zip(arms, refs, strict=True)):
        per_visit = counts.get(arm.code, {})
        totals = [sum(per_visit.get(v, {}).values()) for v in visits]
        for key, name, colour, pattern in shown:
            values = [per_visit.get(v, {}).get(key, 0) for v in visits]
            ys = [v / tot if share and tot else v for v, tot in zip(values, totals, strict=True)]
            data.append(
                {
                    "type": "bar",
                    "x": list(visits),
                    "y": ys,
                    "name": name,
                    "legendgroup": key,
                    "showlegend": i == 0,
                    "marker": bar_marker(colour, pattern, line={"color": MUTED, "width": 0.6}),
                    "text": [str(v) if v else "" for v in values],
                    "textposition": "inside",
                    "textangle": 0,
                    "insidetextanchor": "middle",
                    "textfont": {"color": readable_text(colour), "size": size - 2},
                    "customdata": values,
                    "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>",
                    "xaxis": xa,
                    "yaxis": ya,
                }
            )
        first_column = layout[axis_name("xaxis", i)]["domain"][0] == 0
        layout[axis_name("yaxis", i)].update(
            {"title": {"text": y_title if first_column else ""}, "rangemode": "tozero"}
        )
        if share:
            layout[axis_name("yaxis", i)].update({"tickformat": ".0%", "range": [0, 1]})
    layout.update(barmode="stack", bargap=0.2, uniformtext={"minsize": size - 5, "mode": "hide"})
    return figure(data, layout, width)


def response_categories(
    model: PainModel, protocol: Protocol, lang: str, present: bool, width: int = COLUMN_WIDTH[6]
) -> Figure:
    """Counts per pain response category at each visit, one panel per arm."""
    counts = {
        a: {v: {c: getattr(r, c) for c in RESPONSES} for v, r in per.items()}
        for a, per in model.responses.items()
    }
    cats = [(c, t(f"out.resp.{c}", lang), RESPONSE_COLOURS[c], "") for c in RESPONSES]
    return stacked_by_arm(
        counts,
        model.arms,
        protocol.visits_collecting("nrs"),
        cats,
        protocol,
        t("out.axis.subjects", lang),
        lang,
        present,
        width=width,
    )


def severity_bands(
    model: PainModel, protocol: Protocol, lang: str, present: bool, width: int = COLUMN_WIDTH[6]
) -> Figure:
    """Share of subjects per NRS severity band at each visit (baseline first), per arm."""
    visits = ["baseline", *protocol.visits_collecting("nrs")]
    names = {"baseline": t("out.baseline_short", lang)}
    counts = {
        a: {names.get(v, v): per[v] for v in visits if v in per} for a, per in model.bands.items()
    }
    cats = [(b, t(f"band.{b}", lang), BAND_COLOURS[b], "") for b in BANDS]
    return stacked_by_arm(
        counts,
        model.arms,
        [names.get(v, v) for v in visits],
        cats,
        protocol,
        t("out.axis.share", lang),
        lang,
        present,
        share=True,
        width=width,
    )


def change_difference(model: PainModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """Difference in mean NRS change from baseline (each arm minus the reference arm)."""
    visits = list(protocol.visits_collecting("nrs"))
    arms = _arms(protocol, list(model.change))
    data = []
    for i, arm in enumerate(arms):
        per_visit = model.change[arm.code]
        shown = [v for v in visits if v in per_visit]
        data.append(
            _points(
                arm,
                i,
                len(arms),
                [float(visits.index(v)) for v in shown],
                [per_visit[v].difference for v in shown],
                shown,
                lang,
                0.2,
                lines=False,
            )
        )
    size = font_size(present)
    shapes = [hline(0, MUTED)]
    annotations = []
    if protocol.nrs_ni_margin is not None:
        m = protocol.nrs_ni_margin
        shapes.append(hline(m, WARN, dash="dash"))
        annotations.append(
            note(
                t("out.ni_margin", lang, m=number(m, 1)),
                0,
                m,
                size - 2,
                xref="paper",
                xanchor="left",
                yanchor="bottom",
                colour=WARN,
            )
        )
    layout = base_layout(present, height=400 if present else 360)
    layout.update(
        xaxis=axis(
            t("out.axis.visit", lang),
            tickvals=list(range(len(visits))),
            ticktext=visits,
            range=[-0.6, len(visits) - 0.4],
        ),
        yaxis=axis(t("out.axis.difference", lang)),
        shapes=shapes,
        annotations=annotations,
    )
    return figure(data, layout)


def boxes(
    stats: Mapping[str, Mapping[str, BoxStats]],
    arms_codes: Sequence[str],
    visits: Sequence[str],
    protocol: Protocol,
    y_title: str,
    lang: str,
    present: bool,
) -> Figure:
    """Box plots per visit (baseline first) drawn from precomputed quartiles, one box per arm."""
    names = {"baseline": t("out.baseline", lang)}
    data = []
    for arm in _arms(protocol, arms_codes):
        per_visit = stats.get(arm.code, {})
        shown = [v for v in visits if v in per_visit]
        if not shown:
            continue
        b = [per_visit[v] for v in shown]
        data.append(
            {
                "type": "box",
                "x": [names.get(v, v) for v in shown],
                "q1": [x.q1 for x in b],
                "median": [x.median for x in b],
                "q3": [x.q3 for x in b],
                "lowerfence": [x.low for x in b],
                "upperfence": [x.high for x in b],
                "mean": [x.mean for x in b],
                "name": arm.name(lang),
                "offsetgroup": arm.code,
                "marker": {"color": arm.colour},
                "line": {"color": arm.colour},
                "fillcolor": rgba(arm.colour, 0.25),
                "boxpoints": False,
            }
        )
    layout = base_layout(present, height=400 if present else 360)
    layout.update(
        boxmode="group",
        xaxis=category_axis([names.get(v, v) for v in visits], t("out.axis.visit", lang)),
        yaxis=axis(y_title, range=[-0.3, 10.3]),
    )
    return figure(data, layout)


def mda_stacked(model: LocalControlModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """MD Anderson categories per imaging visit, stacked counts, one panel per arm (NE hatched)."""
    counts = {a: {v: d.counts for v, d in per.items()} for a, per in model.dcr.items()}
    cats = [
        (c, t(f"lc.mda.{c}", lang), MDA_COLOURS[c], "/" if c == "NE" else "")
        for c in ("CR", "PR", "SD", "PD", "NE", "other")
    ]
    return stacked_by_arm(
        counts,
        model.arms,
        list(model.visits),
        cats,
        protocol,
        t("out.axis.subjects", lang),
        lang,
        present,
    )


def step_band(
    steps: Sequence[KmStep], last_day: int
) -> tuple[list[float | None], list[float | None]]:
    """The 95% band of a step curve as closed step polygons (x, y), None between pieces.

    One polygon per run of steps with an interval (Plotly fills each gap-separated piece on
    its own). Each step holds from its day to the next step's day (the last to `last_day`);
    the upper edge runs forward, the lower edge back, both as steps: a shaded staircase.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    run: list[tuple[int, int, float, float]] = []

    def close() -> None:
        if not run:
            return
        if xs:
            xs.append(None)
            ys.append(None)
        for start, end, _low, high in run:
            xs.extend([start, end])
            ys.extend([high, high])
        for start, end, low, _high in reversed(run):
            xs.extend([end, start])
            ys.extend([low, low])
        run.clear()

    ends = [s.day for s in steps[1:]] + [last_day]
    for step, end in zip(steps, ends, strict=True):
        if step.low is None or step.high is None:
            close()
        elif end > step.day:
            run.append((step.day, end, step.low, step.high))
    close()
    return xs, ys


def kaplan_meier(model: LocalControlModel, protocol: Protocol, lang: str, present: bool) -> Figure:
    """Freedom from local progression per arm, as step curves with step bands.

    Censoring ticks in the arm colour, the numbers at risk (in arm colours) below.
    """
    arms = [a for a in _arms(protocol, model.arms) if a.code in model.km]
    size = font_size(present)
    data: list[dict[str, Any]] = []
    for i, arm in enumerate(arms):
        fit = model.km[arm.code]
        days = [s.day for s in fit.steps] + [fit.last_day]
        surv = [s.survival for s in fit.steps] + [fit.steps[-1].survival]
        band_x, band_y = step_band(fit.steps, fit.last_day)
        if band_x:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": band_x,
                    "y": band_y,
                    "line": {"width": 0, "color": arm.colour},
                    "fill": "toself",
                    "fillcolor": rgba(arm.colour, 0.15),
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "legendgroup": arm.code,
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": days,
                "y": surv,
                "line": {
                    "shape": "hv",
                    "color": arm.colour,
                    "width": 3,
                    "dash": DASHES[i % len(DASHES)],
                },
                "name": tn(
                    "lc.legend.km", fit.events, lang, arm=arm.name(lang), subjects=fit.subjects
                ),
                "legendgroup": arm.code,
                "hovertemplate": t("lc.hover.km", lang) + "<extra>%{fullData.name}</extra>",
            }
        )
        by_day = {s.day: s.survival for s in fit.steps}
        ticks = [d for d in fit.censored_days]
        if ticks:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": ticks,
                    "y": [by_day[d] for d in ticks],
                    "marker": {
                        "symbol": "line-ns-open",
                        "size": 10,
                        "color": arm.colour,
                        "line": {"width": 2, "color": arm.colour},
                    },
                    "showlegend": False,
                    "legendgroup": arm.code,
                    "hoverinfo": "skip",
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "text",
                "x": list(model.risk_days),
                "y": [i] * len(model.risk_days),
                "text": [str(fit.at_risk.get(d, 0)) for d in model.risk_days],
                "textfont": {"color": arm.colour, "size": size},
                "xaxis": "x2",
                "yaxis": "y2",
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    risk_rows = 0.07 * max(len(arms), 1) + 0.05
    top = 1.0
    main_bottom = risk_rows + 0.14
    last = max(model.risk_days) if model.risk_days else 365
    x_range = [-10, last + 20]
    layout = base_layout(present, height=(560 if present else 500) + 18 * len(arms))
    layout.update(
        xaxis=axis(
            t("lc.axis.months", lang),
            tickvals=list(model.risk_days),
            ticktext=[str(m) for m in model.risk_months],
            range=x_range,
            domain=[0, 1],
            anchor="y",
        ),
        yaxis=axis(
            t("lc.axis.free", lang), tickformat=".0%", range=[0, 1.03], domain=[main_bottom, top]
        ),
        xaxis2=axis(
            None,
            range=x_range,
            anchor="y2",
            matches="x",
            showticklabels=False,
            showgrid=False,
            domain=[0, 1],
        ),
        yaxis2=axis(
            t("lc.axis.at_risk", lang),
            domain=[0, risk_rows],
            tickvals=list(range(len(arms))),
            ticktext=[a.name(lang) for a in arms],
            range=[len(arms) - 0.5, -0.5],
            showgrid=False,
        ),
    )
    return figure(data, layout)

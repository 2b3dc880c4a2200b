"""Randomization figures: arm balance, cumulative by arm, CONSORT diagram, SBRT delivery."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import GRID, MUTED, TEXT, base_layout, center_colour, readable_text
from dashboard.i18n import label, t
from dashboard.metrics.randomization import ConsortFlow
from dashboard.protocol import Arm

WARN = "#9a3412"


def balance_bars(
    balance: pd.DataFrame,
    arms: Sequence[Arm],
    lang: str,
    subtitle: str,
    total_label: str,
    present: bool = False,
) -> go.Figure:
    """Randomized per arm for each center and overall, with the difference written beside."""
    rows = balance if len(balance) > 2 else balance[balance["center_id"] != "ALL"]
    labels = [total_label if c == "ALL" else c for c in rows["center_id"]]
    fig = go.Figure(
        layout=base_layout(
            t("rnd.fig.balance", lang), subtitle, height=150 + 70 * len(rows), present=present
        )
    )
    for arm in arms:
        fig.add_bar(
            y=labels,
            x=rows[arm.code],
            orientation="h",
            name=t(f"arm.{arm.code}", lang),
            marker={"color": arm.colour},
            text=rows[arm.code],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": readable_text(arm.colour)},
            hovertemplate="%{y}: %{x}<extra>%{fullData.name}</extra>",
        )
    notes = []
    for r in rows.itertuples():
        flag = " ⚠" if r.exceeds_blocks or r.surprising else ""
        diff = f"{r.difference:+d}".replace("-", "−") if r.difference else "0"
        notes.append(f"{t('rnd.diff', lang)} {diff}{flag}")
    fig.add_scatter(
        y=labels,
        x=[max(rows[arms[0].code].max(), rows[arms[1].code].max()) * 1.02] * len(rows),
        mode="text",
        text=notes,
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
        textfont={"color": TEXT},
    )
    fig.update_layout(barmode="group", bargap=0.25)
    top = max(int(rows[arms[0].code].max()), int(rows[arms[1].code].max()), 1)
    fig.update_xaxes(title=t("rnd.axis.randomized", lang), range=[0, top * 1.35], gridcolor=GRID)
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    return fig


def cumulative_by_arm(
    cumulative: pd.DataFrame,
    arms: Sequence[Arm],
    as_of: pd.Timestamp,
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """Cumulative randomized per arm over time: drift between arms shows as diverging lines."""
    fig = go.Figure(
        layout=base_layout(t("rnd.fig.cumulative", lang), subtitle, height=360, present=present)
    )
    for i, arm in enumerate(arms):
        mine = cumulative[cumulative["arm"] == arm.code]
        if mine.empty:
            continue
        fig.add_scatter(
            x=[*mine["date"], as_of],
            y=[*mine["cumulative"], mine["cumulative"].iloc[-1]],
            mode="lines",
            line_shape="hv",
            name=t(f"arm.{arm.code}", lang),
            line={"color": arm.colour, "width": 3, "dash": "solid" if i == 0 else "dash"},
        )
    fig.update_xaxes(title=t("rec.axis.date", lang))
    fig.update_yaxes(title=t("rec.axis.cumulative", lang), rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return fig


def _box(
    fig: go.Figure,
    x: float,
    y: float,
    w: float,
    h: float,
    lines: Sequence[str],
    bold_first: bool = True,
    border: str = TEXT,
    size: int = 13,
) -> None:
    fig.add_shape(
        type="rect",
        x0=x - w / 2,
        x1=x + w / 2,
        y0=y - h / 2,
        y1=y + h / 2,
        line={"color": border, "width": 1.5},
        fillcolor="white",
        layer="below",
    )
    text = "<br>".join(
        f"<b>{line}</b>" if i == 0 and bold_first else line for i, line in enumerate(lines)
    )
    fig.add_annotation(
        x=x, y=y, text=text, showarrow=False, font={"size": size, "color": TEXT}, align="center"
    )


def _arrow(fig: go.Figure, x0: float, y0: float, x1: float, y1: float) -> None:
    fig.add_annotation(
        x=x1,
        y=y1,
        ax=x0,
        ay=y0,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=1.5,
        arrowcolor=TEXT,
        text="",
    )


def consort_diagram(
    flow: ConsortFlow,
    arms: Sequence[Arm],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """The CONSORT flow as boxes and arrows on a fixed canvas (reads at 1280x720, exports)."""
    size = 17 if present else 13
    fig = go.Figure(
        layout=base_layout(
            t("rnd.fig.consort", lang),
            subtitle,
            height=760 if not present else 900,
            present=present,
        )
    )
    reasons = sorted(flow.excluded_reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    reason_lines = [f"{label('reason', k, lang)}: {v}" for k, v in reasons[:7]]
    _box(fig, 35, 94, 36, 7, [t("rnd.consort.assessed", lang, n=flow.assessed)], size=size)
    _box(
        fig,
        78,
        85,
        40,
        4 + 2.8 * max(len(reason_lines), 1),
        [t("rnd.consort.excluded", lang, n=flow.excluded), *reason_lines],
        size=size - 1,
    )
    _arrow(fig, 35, 90.5, 35, 80.5)
    fig.add_shape(type="line", x0=35, x1=58, y0=85, y1=85, line={"color": TEXT, "width": 1.5})
    _box(fig, 35, 77, 30, 7, [t("rnd.consort.randomized", lang, n=flow.randomized)], size=size)
    for i, arm in enumerate(arms):
        a = flow.arms[arm.code]
        x = 22 if i == 0 else 72
        _arrow(fig, 35, 73.5, x, 64)
        received_key = "rnd.consort.received_sbrt" if i == 1 else "rnd.consort.received_none"
        lines = [
            t("rnd.consort.allocated", lang, arm=t(f"arm.{arm.code}", lang), n=a.allocated),
            t(received_key, lang, n=a.received),
            t("rnd.consort.not_received", lang, n=a.not_received),
        ]
        if i == 1:
            lines.append(t("rnd.consort.pending", lang, n=a.pending))
        _box(fig, x, 56, 42, 16, lines, border=arm.colour, size=size - 1)
        _arrow(fig, x, 48, x, 41.5)
        off = [f"{label('off', k, lang)}: {v}" for k, v in sorted(a.off_study.items())]
        _box(
            fig,
            x,
            33,
            42,
            8 + 2.8 * max(len(off), 1),
            [
                t("rnd.consort.left", lang, n=sum(a.off_study.values())),
                *(off or [t("rnd.consort.none", lang)]),
            ],
            size=size - 1,
        )
        _arrow(fig, x, 33 - (8 + 2.8 * max(len(off), 1)) / 2, x, 15)
        _box(
            fig,
            x,
            9,
            42,
            11,
            [
                t("rnd.consort.followed", lang),
                t("rnd.consort.with_m3", lang, n=a.with_m3),
                t("rnd.consort.with_m12", lang, n=a.with_m12),
            ],
            size=size - 1,
        )
    fig.update_xaxes(visible=False, range=[0, 100], fixedrange=True)
    fig.update_yaxes(visible=False, range=[0, 100], fixedrange=True)
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 10, "b": 10})
    return fig


def scheme_bars(
    schemes: pd.DataFrame,
    centers: Sequence[str],
    scheme_order: Sequence[str],
    lang: str,
    subtitle: str,
    present: bool = False,
) -> go.Figure:
    """SBRT schemes used per center (SBRT arm); 'other' (not allowed) is hatched and dark."""
    fig = go.Figure(
        layout=base_layout(t("rnd.fig.schemes", lang), subtitle, height=340, present=present)
    )
    greys = ["#d0d7de", "#afb8c1", "#8c959f", "#6e7781"]
    for i, scheme in enumerate([*scheme_order, "other"]):
        mine = schemes[schemes["scheme"] == scheme].set_index("center_id")["n"]
        values = [int(mine.get(c, 0)) for c in centers]
        if not any(values):
            continue
        other = scheme == "other"
        fig.add_bar(
            x=list(centers),
            y=values,
            name=t("rnd.scheme.other", lang) if other else scheme,
            marker={
                "color": WARN if other else greys[i % len(greys)],
                "pattern": {"shape": "x" if other else ""},
                "line": {"color": TEXT, "width": 0.5},
            },
            text=[v or "" for v in values],
            textposition="inside",
            textangle=0,
            insidetextanchor="middle",
            textfont={"color": "white" if other else TEXT},
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("rnd.axis.subjects_sbrt", lang), rangemode="tozero")
    fig.update_layout(uniformtext={"minsize": 10, "mode": "hide"})
    return fig


def start_days_strip(
    start_days: pd.DataFrame,
    centers: Sequence[str],
    planned: int,
    late: int,
    lang: str,
    subtitle: str,
    present: bool = False,
    identifiers: bool = True,
) -> go.Figure:
    """Days from the procedure to SBRT start, one dot per subject; late starts marked."""
    fig = go.Figure(
        layout=base_layout(t("rnd.fig.start_days", lang), subtitle, height=340, present=present)
    )
    for i, code in enumerate(centers):
        mine = start_days[start_days["center_id"] == code]
        if mine.empty:
            continue
        fig.add_box(
            x=mine["days"],
            y=[i] * len(mine),
            orientation="h",
            boxpoints=False,
            fillcolor="rgba(0,0,0,0)",
            line={"color": center_colour(i)},
            width=0.6,
            showlegend=False,
            hoverinfo="skip",
        )
        # A fixed (golden-ratio) jitter keeps dots apart and the picture the same every time.
        jitter = [((k * 0.618) % 1 - 0.5) * 0.5 for k in range(len(mine))]
        is_late = mine["late"].astype(bool).tolist()
        fig.add_scatter(
            x=mine["days"],
            y=[i + j for j in jitter],
            mode="markers",
            showlegend=False,
            marker={
                "color": [WARN if lt else center_colour(i) for lt in is_late],
                "symbol": ["x" if lt else "circle" for lt in is_late],
                "size": 9,
            },
            customdata=mine["subject_id"] if identifiers else [code] * len(mine),
            hovertemplate="%{customdata}: %{x}<extra></extra>",
        )
    for x, colour, dash, text in (
        (planned, MUTED, "dash", t("rnd.planned_day", lang, day=planned)),
        (late, WARN, "dot", t("rnd.late_day", lang, day=late)),
    ):
        fig.add_vline(x=x, line={"color": colour, "dash": dash})
        fig.add_annotation(
            x=x,
            y=1.0,
            xref="x",
            yref="paper",
            yanchor="bottom",
            text=text,
            showarrow=False,
            font={"color": colour},
        )
    fig.update_xaxes(title=t("rnd.axis.days_to_sbrt", lang), rangemode="tozero", gridcolor=GRID)
    fig.update_yaxes(
        autorange="reversed",
        tickvals=list(range(len(centers))),
        ticktext=list(centers),
        showgrid=False,
        zeroline=False,
    )
    return fig

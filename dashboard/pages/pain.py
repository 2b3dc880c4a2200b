"""The pain & function page: NRS over time and its response, analgesics (OMED) and PAFI by arm."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import graph, help_button, kpi_card, kpi_row
from dashboard.figures import outcomes as figs
from dashboard.i18n import format_date, t
from dashboard.services import PageContext, PainReport, load_pain

PATH = "/pain"
NAV_KEY = "nav.pain"
HEADLINE_VISIT = "M3"


def _rate(responses: pd.DataFrame, arm: str, visit: str) -> str:
    row = responses[(responses["arm"] == arm) & (responses["visit_code"] == visit)]
    if row.empty:
        return "–"
    r = row.iloc[0]
    return f"{r['rate']:.0%} ({int(r['responders'])}/{int(r['n'])})"


def _mean(traj: pd.DataFrame, arm: str, visit: str) -> str:
    row = traj[(traj["arm"] == arm) & (traj["visit_code"] == visit)]
    return "–" if row.empty else f"{row.iloc[0]['mean']:.1f}"


def _kpis(report: PainReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    a, b = ctx.protocol.arm_codes
    la, lb = t(f"arm.{a}", lang), t(f"arm.{b}", lang)
    nrs_only = int(report.responses["nrs_only"].sum()) if len(report.responses) else 0
    shown = [x for x in (a, b) if ctx.scope.arms is None or x in ctx.scope.arms]
    per_arm = [
        kpi_card(
            f"{_mean(report.nrs, x, 'baseline')} → {_mean(report.nrs, x, HEADLINE_VISIT)}",
            t("pain.kpi.mean_nrs", lang, arm=t(f"arm.{x}", lang), visit=HEADLINE_VISIT),
            t(
                "pain.kpi.responders_one",
                lang,
                visit=HEADLINE_VISIT,
                rate=_rate(report.responses, x, HEADLINE_VISIT),
            ),
            "def.nrs",
            lang,
            kpi_id=f"pain-kpi-nrs-{x}",
        )
        for x in shown
    ]
    both = []
    if len(shown) == 2:
        both = [
            kpi_card(
                f"{_rate(report.responses, a, HEADLINE_VISIT).split(' ')[0]} · "
                f"{_rate(report.responses, b, HEADLINE_VISIT).split(' ')[0]}",
                t("pain.kpi.responders", lang, visit=HEADLINE_VISIT, a=la, b=lb),
                f"{la} {_rate(report.responses, a, HEADLINE_VISIT)} · "
                f"{lb} {_rate(report.responses, b, HEADLINE_VISIT)}",
                "def.pain_response",
                lang,
                kpi_id="pain-kpi-responders",
            )
        ]
    return kpi_row(
        [
            *both,
            *per_arm,
            kpi_card(
                str(nrs_only),
                t("pain.kpi.nrs_only", lang),
                None,
                "def.nrs_only",
                lang,
                kpi_id="pain-kpi-nrs-only",
            ),
            kpi_card(
                str(report.excluded_values),
                t("pain.kpi.excluded", lang),
                None,
                "def.excluded_values",
                lang,
                tone="warn" if report.excluded_values else "neutral",
                kpi_id="pain-kpi-excluded",
            ),
        ],
        row_id=ids.PAIN_KPIS,
    )


def _n_table(report: PainReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    visits = ["baseline", *ctx.protocol.visit_codes]
    head = html.Thead(
        html.Tr(
            [html.Th(t("pain.n_table.arm", lang), scope="col")]
            + [
                html.Th(t("out.baseline_short", lang) if v == "baseline" else v, scope="col")
                for v in visits
            ]
        )
    )
    body = []
    for arm in ctx.protocol.arm_codes:
        mine = report.nrs[report.nrs["arm"] == arm].set_index("visit_code")["n"]
        body.append(
            html.Tr(
                [html.Th(t(f"arm.{arm}", lang), scope="row")]
                + [html.Td(int(mine.get(v, 0))) for v in visits]
            )
        )
    return html.Div(
        [
            html.Div(t("pain.n_table.title", lang), className="small text-muted"),
            dbc.Table(
                [head, html.Tbody(body)],
                size="sm",
                className="center-table mb-0",
                id=ids.PAIN_N_TABLE,
            ),
        ],
        className="px-2 pb-2",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_pain(ctx.db, ctx.protocol, ctx.scope)
    arms = [a for a in ctx.protocol.arms if ctx.scope.arms is None or a.code in ctx.scope.arms]
    visits = list(ctx.protocol.visit_codes)
    centers = [c for c in ctx.protocol.center_codes if c in ctx.scope.centers]
    scope_label = (
        t("center.all", lang) if len(centers) == len(ctx.protocol.centers) else ", ".join(centers)
    )
    n = sum(report.n_randomized.get(a.code, 0) for a in arms)
    sub = t("out.subtitle", lang, scope=scope_label, n=n, date=format_date(report.as_of, lang))
    has = not report.nrs.empty
    empty = t("out.empty", lang)
    pafi_visits = [v.code for v in ctx.protocol.visits if "pafi" in v.collects]
    nrs = (
        figs.trajectory_figure(
            report.nrs,
            arms,
            t("out.fig.nrs", lang),
            t("out.axis.nrs", lang),
            lang,
            sub,
            (0, 10),
            report.individual,
            "nrs",
            present,
        )
        if has
        else None
    )
    responders = (
        figs.response_figure(report.responses, arms, visits, lang, sub, present)
        if len(report.responses)
        else None
    )
    categories = (
        figs.response_categories_figure(report.responses, arms, visits, lang, sub, present)
        if len(report.responses)
        else None
    )
    a_arm, b_arm = ctx.protocol.arms
    change = (
        figs.change_difference_figure(
            report.change, a_arm, b_arm, ctx.protocol.nrs_ni_margin, lang, sub, present
        )
        if len(report.change)
        else None
    )
    bands = figs.bands_figure(report.bands, arms, visits, lang, sub, present) if has else None
    nrs_box = (
        figs.distribution_figure(
            report.long,
            "nrs",
            arms,
            visits,
            t("out.fig.nrs_box", lang),
            t("out.axis.nrs", lang),
            lang,
            sub,
            present,
        )
        if has
        else None
    )
    omed = (
        figs.trajectory_figure(
            report.omed,
            arms,
            t("out.fig.omed", lang),
            t("out.axis.omed", lang),
            lang,
            sub,
            present=present,
        )
        if len(report.omed)
        else None
    )
    pafi = (
        figs.trajectory_figure(
            report.pafi,
            arms,
            t("out.fig.pafi", lang),
            t("out.axis.pafi", lang),
            lang,
            sub,
            (0, 10),
            present=present,
        )
        if len(report.pafi)
        else None
    )
    pafi_box = (
        figs.distribution_figure(
            report.long,
            "pafi",
            arms,
            pafi_visits,
            t("out.fig.pafi_box", lang),
            t("out.axis.pafi", lang),
            lang,
            sub,
            present,
        )
        if len(report.pafi)
        else None
    )
    return html.Div(
        [
            html.H1(t("pain.title", lang), className="page-title"),
            _kpis(report, ctx),
            html.Div(
                [graph(nrs, ids.PAIN_NRS, empty), _n_table(report, ctx)], className="graph-card"
            ),
            dbc.Row(
                [
                    dbc.Col(graph(responders, ids.PAIN_RESPONDERS, empty), lg=6),
                    dbc.Col(graph(categories, ids.PAIN_CATEGORIES, empty), lg=6),
                ],
                className="g-3",
            ),
            html.P(
                [t("pain.response_note", lang), help_button("def.pain_response", lang)],
                className="model-note",
            ),
            dbc.Row(
                [
                    dbc.Col(graph(change, ids.PAIN_CHANGE, t("out.empty_change", lang)), lg=6),
                    dbc.Col(graph(bands, ids.PAIN_BANDS, empty), lg=6),
                ],
                className="g-3",
            ),
            graph(nrs_box, ids.PAIN_NRS_BOX, empty),
            dbc.Row(
                [
                    dbc.Col(graph(omed, ids.PAIN_OMED, empty), lg=6),
                    dbc.Col(graph(pafi, ids.PAIN_PAFI, empty), lg=6),
                ],
                className="g-3",
            ),
            graph(pafi_box, ids.PAIN_PAFI_BOX, empty),
        ]
    )

"""The local control page: MD Anderson responses, DCR with exact CI, time to local progression."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import graph, help_button, kpi_card, kpi_row
from dashboard.figures import outcomes as figs
from dashboard.i18n import arm_label, format_date, t
from dashboard.services import LocalControlReport, PageContext, load_local_control

PATH = "/local-control"
NAV_KEY = "nav.local_control"
HEADLINE_VISIT = "M3"


def _kpis(report: LocalControlReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    cards = []
    arms = [a for a in ctx.protocol.arm_codes if ctx.scope.arms is None or a in ctx.scope.arms]
    for arm in arms:
        row = report.dcr[(report.dcr["arm"] == arm) & (report.dcr["visit_code"] == HEADLINE_VISIT)]
        if len(row) and row.iloc[0]["evaluable"] > 0:
            r = row.iloc[0]
            value = f"{r['dcr']:.0%}"
            context = t(
                "lc.kpi.dcr_context",
                lang,
                k=int(r["controlled"]),
                n=int(r["evaluable"]),
                lo=r["ci_low"],
                hi=r["ci_high"],
            )
        else:
            value, context = "–", None
        cards.append(
            kpi_card(
                value,
                t("lc.kpi.dcr", lang, arm=t(f"arm.{arm}", lang), visit=HEADLINE_VISIT),
                context,
                "def.dcr",
                lang,
                kpi_id=f"lc-kpi-dcr-{arm}",
            )
        )
    for arm in arms:
        fit = report.km.get(arm)
        if fit is None:
            value, context = "–", None
        else:
            value = f"{fit.events} / {fit.n}"
            context = (
                t("lc.kpi.median", lang, days=int(fit.median_days))
                if not math.isnan(fit.median_days)
                else t("lc.kpi.median_none", lang)
            )
        cards.append(
            kpi_card(
                value,
                t("lc.kpi.pd", lang, arm=t(f"arm.{arm}", lang)),
                context,
                "def.ttp",
                lang,
                kpi_id=f"lc-kpi-pd-{arm}",
            )
        )
    return kpi_row(cards, row_id=ids.LC_KPIS)


def _dcr_table(report: LocalControlReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    head = html.Thead(
        html.Tr(
            [
                html.Th(x, scope="col")
                for x in (
                    t("out.axis.visit", lang),
                    t("lc.col.arm", lang),
                    t("lc.col.evaluable", lang),
                    t("lc.col.ne", lang),
                    t("lc.col.dcr", lang),
                )
            ]
        )
    )
    body = []
    for r in report.dcr.to_dict("records"):
        dcr = (
            "–"
            if r["evaluable"] == 0
            else (f"{r['dcr']:.0%} ({r['ci_low']:.0%}–{r['ci_high']:.0%})")
        )
        body.append(
            html.Tr(
                [
                    html.Td(r["visit_code"]),
                    html.Td(arm_label(r["arm"], lang)),
                    html.Td(int(r["evaluable"])),
                    html.Td(int(r["not_evaluable"])),
                    html.Td(dcr),
                ]
            )
        )
    return html.Div(
        [
            html.H2([t("lc.table.title", lang), help_button("def.dcr", lang)], className="h6"),
            dbc.Table(
                [head, html.Tbody(body)], size="sm", className="center-table", id=ids.LC_DCR_TABLE
            ),
        ],
        className="graph-card table-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_local_control(ctx.db, ctx.protocol, ctx.scope)
    arms = [a for a in ctx.protocol.arms if ctx.scope.arms is None or a.code in ctx.scope.arms]
    visits = [v.code for v in ctx.protocol.visits if "imaging" in v.collects]
    centers = [c for c in ctx.protocol.center_codes if c in ctx.scope.centers]
    scope_label = (
        t("center.all", lang) if len(centers) == len(ctx.protocol.centers) else ", ".join(centers)
    )
    n_img = (
        int(report.counts[["CR", "PR", "SD", "PD", "NE", "other"]].to_numpy().sum())
        if len(report.counts)
        else 0
    )
    date = format_date(report.as_of, lang)
    sub = t("lc.subtitle", lang, scope=scope_label, n=n_img, date=date)
    sub_km = t("lc.subtitle_km", lang, scope=scope_label, n=len(report.ttp), date=date)
    empty = t("lc.empty", lang)
    has = n_img > 0
    mda = figs.mda_figure(report.counts, arms, visits, lang, sub, present) if has else None
    dcr = figs.dcr_figure(report.dcr, arms, visits, lang, sub, present) if has else None
    labels = [str(m) for m in ctx.protocol.km_risk_months]
    km = (
        figs.km_figure(report.km, arms, report.risk_days, labels, lang, sub_km, present)
        if report.km
        else None
    )
    return html.Div(
        [
            html.H1(t("lc.title", lang), className="page-title"),
            _kpis(report, ctx),
            graph(mda, ids.LC_MDA, empty),
            dbc.Row(
                [
                    dbc.Col(graph(dcr, ids.LC_DCR, empty), lg=6),
                    dbc.Col(_dcr_table(report, ctx), lg=6),
                ],
                className="g-3",
            ),
            graph(km, ids.LC_KM, empty),
            html.P([t("lc.km_note", lang), help_button("def.ttp", lang)], className="model-note"),
        ]
    )

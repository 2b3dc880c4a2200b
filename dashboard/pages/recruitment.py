"""The recruitment page, the PI's home: are we on track, where, and when will we be done."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import graph, help_button, kpi_card, kpi_row
from dashboard.figures import recruitment as figs
from dashboard.i18n import format_date, format_month, t
from dashboard.metrics.recruitment import RecruitmentReport, plan_curve
from dashboard.services import PageContext, load_recruitment

PATH = "/recruitment"
NAV_KEY = "nav.recruitment"


def _signed(x: float) -> str:
    return f"{x:+.0f}".replace("-", "−")


def _kpis(report: RecruitmentReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    o = report.overall
    fc = report.forecast.target
    if fc.reached:
        forecast_value, forecast_context = t("rec.kpi.reached", lang), None
    elif fc.median is None:
        forecast_value, forecast_context = "–", t("rec.kpi.forecast_none", lang)
    else:
        forecast_value = format_month(fc.median, lang)
        forecast_context = t(
            "rec.kpi.forecast_interval",
            lang,
            pct=fc.interval,
            low=format_month(fc.low, lang),
            high=format_month(fc.high, lang),
        )
    behind = o["vs_plan"] < 0
    return kpi_row(
        [
            kpi_card(
                t("rec.kpi.randomized_value", lang, n=o["randomized"], target=o["target"]),
                t("rec.kpi.randomized", lang, target=o["target"]),
                t("rec.kpi.pct", lang, pct=o["pct_target"]),
                "def.randomized",
                lang,
                kpi_id="rec-kpi-randomized",
            ),
            kpi_card(
                f"+{report.this_month}",
                t("rec.kpi.this_month", lang, month=format_month(report.as_of, lang)),
                None,
                "def.this_month",
                lang,
                kpi_id="rec-kpi-month",
            ),
            kpi_card(
                _signed(float(o["vs_plan"])),
                t("rec.kpi.vs_plan", lang, planned=o["planned"]),
                None,
                "def.plan",
                lang,
                tone="warn" if behind else "good",
                kpi_id="rec-kpi-plan",
            ),
            kpi_card(
                forecast_value,
                t("rec.kpi.forecast", lang),
                forecast_context,
                "def.forecast",
                lang,
                kpi_id="rec-kpi-forecast",
            ),
            kpi_card(
                str(o["screened"]),
                t("rec.kpi.screened", lang, share=o["screen_fail_share"]),
                None,
                "def.screen_failure",
                lang,
                kpi_id="rec-kpi-screened",
            ),
        ],
        row_id=ids.REC_KPIS,
    )


def _center_table(report: RecruitmentReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in (
                    "rec.col.center",
                    "rec.col.randomized",
                    "rec.col.screened",
                    "rec.col.planned",
                    "rec.col.status",
                    "rec.col.forecast",
                )
            ]
        )
    )
    body = []
    for row in report.table.itertuples():
        fc = report.center_forecasts[str(row.center_id)].target
        forecast: Any
        if fc.reached:
            status, forecast = t("rec.status.reached", lang), "–"
        else:
            status = t(f"rec.status.{row.status}", lang)
            forecast = (
                [
                    format_month(fc.median, lang),
                    html.Br(),
                    html.Small(f"{format_month(fc.low, lang)} – {format_month(fc.high, lang)}"),
                ]
                if fc.median
                else t("rec.kpi.forecast_none", lang)
            )
        body.append(
            html.Tr(
                [
                    html.Th(
                        str(row.center_id),
                        scope="row",
                        title=ctx.protocol.center(str(row.center_id)).name,
                    ),
                    html.Td(f"{row.randomized} / {row.target} ({row.pct_target:.0%})"),
                    html.Td(f"{row.screened} ({row.screen_failed})"),
                    html.Td(f"{row.planned:.0f} ({_signed(float(row.vs_plan))})"),
                    html.Td(status, className=f"status-{row.status}"),
                    html.Td(forecast),
                ]
            )
        )
    return html.Div(
        [
            html.H2([t("rec.table.title", lang), help_button("def.plan", lang)], className="h6"),
            dbc.Table(
                [head, html.Tbody(body)],
                bordered=False,
                hover=True,
                size="sm",
                className="center-table",
                id=ids.REC_TABLE,
            ),
            html.P(
                t("rec.table.interval", lang, pct=ctx.protocol.forecast_interval),
                className="small text-muted mb-0",
            ),
        ],
        className="graph-card table-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_recruitment(ctx.db, ctx.protocol, ctx.scope)
    date_text = format_date(report.as_of, lang)
    n = int(report.overall["randomized"])
    centers = [c for c in ctx.protocol.centers if c.code in ctx.scope.centers]
    scope_label = (
        t("center.all", lang)
        if len(centers) == len(ctx.protocol.centers)
        else ", ".join(c.code for c in centers)
    )
    sub = t("rec.subtitle", lang, scope=scope_label, n=n, date=date_text)
    target = sum(c.target for c in centers)

    has_randomized = n > 0
    overall_label = (
        t("center.all", lang)
        if len(centers) == len(ctx.protocol.centers)
        else t("center.selection", lang)
    )
    by_center = figs.enrollment_vs_target(
        report, ctx.protocol.arms, lang, sub, overall_label, present
    )
    cumulative = (
        figs.cumulative_vs_plan(report, target, lang, sub, present) if has_randomized else None
    )
    cum_center = (
        figs.cumulative_by_center(
            report,
            {c.code: plan_curve([c]) for c in centers},
            {c.code: c.target for c in centers},
            lang,
            sub,
            present,
        )
        if has_randomized
        else None
    )
    monthly = (
        figs.monthly_accrual_bars(report.monthly, [c.code for c in centers], lang, sub, present)
        if has_randomized
        else None
    )
    n_fail = int(report.failure_reasons["n"].sum()) if len(report.failure_reasons) else 0
    failures = (
        figs.screen_failure_bars(
            report.failure_reasons,
            lang,
            t(
                "rec.subtitle_screened",
                lang,
                scope=scope_label,
                n=n_fail,
                screened=report.overall["screened"],
                date=date_text,
            ),
            present,
        )
        if n_fail
        else None
    )
    empty = t("rec.empty.randomized", lang)
    notes = []
    if ctx.scope.arms is not None:
        notes.append(
            dbc.Alert(t("rec.note.arm_filter", lang), color="secondary", className="py-2 small")
        )
    return html.Div(
        [
            html.H1(t("rec.title", lang), className="page-title"),
            _kpis(report, ctx),
            *notes,
            dbc.Row(
                [
                    dbc.Col(graph(by_center, ids.REC_BY_CENTER, empty), lg=5),
                    dbc.Col(_center_table(report, ctx), lg=7),
                ],
                className="g-3",
            ),
            dbc.Row(
                dbc.Col(
                    [
                        graph(cumulative, ids.REC_CUMULATIVE, empty),
                        html.P(
                            [
                                t(
                                    "rec.model",
                                    lang,
                                    weight=ctx.protocol.prior_weight,
                                    pct=ctx.protocol.forecast_interval,
                                )
                            ],
                            className="model-note",
                            id=ids.REC_MODEL,
                        ),
                    ]
                ),
                className="g-3",
            ),
            dbc.Row(dbc.Col(graph(cum_center, ids.REC_CUMULATIVE_CENTER, empty)), className="g-3"),
            dbc.Row(
                [
                    dbc.Col(graph(monthly, ids.REC_MONTHLY, empty), lg=6),
                    dbc.Col(graph(failures, ids.REC_FAILURES, t("rec.empty.failures", lang)), lg=6),
                ],
                className="g-3",
            ),
        ]
    )

"""The recruitment page, the PI's home: are we on track, where, and when will we be done."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    access_notes,
    change_line,
    graph,
    help_button,
    kpi_card,
    kpi_row,
    page_head,
    pooled_label,
    scope_label,
    scope_notes,
    table_card,
    with_change,
)
from dashboard.figures import recruitment as figs
from dashboard.figures.theme import monthly_bars
from dashboard.i18n import format_date, format_month, pct, signed, t, tn
from dashboard.metrics.accrual import BEYOND, CLOSED, REACHED, STALLED, TargetForecast
from dashboard.metrics.recruitment import RecruitmentModel
from dashboard.protocol import Protocol
from dashboard.services import PageContext, recruitment_for

PATH = "/recruitment"
NAV_KEY = "nav.recruitment"
# the plan card's colour follows the status rule, not the sign of the difference
STATUS_TONE = {"reached": "good", "on_track": "good", "behind": "warn", "closed": "warn"}


def _forecast(
    fc: TargetForecast, m: RecruitmentModel, protocol: Protocol, lang: str
) -> tuple[str, str, str | None]:
    """A forecast as a value, its label and a context line.

    The month the target is (or was) reached, or when enrolment closed; words, not dates,
    when there is no forecast.
    """
    label = t("rec.kpi.forecast", lang)
    if fc.status == REACHED:
        if fc.since is None:
            return t("rec.kpi.reached", lang), label, None
        return (
            format_month(fc.since, lang),
            t("rec.kpi.reached", lang),
            t("rec.fc.reached_on", lang, date=format_date(fc.since, lang)),
        )
    if fc.status == CLOSED and fc.since is not None:
        days = tn("n.days", (m.as_of - fc.since).days, lang)
        date = format_date(fc.since, lang)
        context = (
            t("rec.fc.closed_declared", lang, date=date)
            if m.enrolment.declared
            else t("rec.fc.closed_idle", lang, date=date, days=days)
        )
        return format_month(fc.since, lang), t("rec.fc.closed", lang), context
    if fc.status == STALLED and fc.since is not None:
        days = tn("n.days", (m.as_of - fc.since).days, lang)
        return "–", label, t("rec.fc.stalled", lang, date=format_date(fc.since, lang), days=days)
    if fc.status == BEYOND:
        years = round(protocol.forecast_horizon_days / 365.25)
        return "–", label, t("rec.fc.beyond", lang, years=years)
    if fc.median is None or fc.low is None or fc.high is None:
        return "–", label, t("rec.kpi.forecast_none", lang)
    return (
        format_month(fc.median, lang),
        label,
        t(
            "rec.kpi.forecast_interval",
            lang,
            pct=pct(fc.interval),
            low=format_month(fc.low, lang),
            high=format_month(fc.high, lang),
        ),
    )


def kpis(m: RecruitmentModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    o = m.overall
    value, label, context = _forecast(o.forecast, m, ctx.protocol, lang)
    return kpi_row(
        [
            kpi_card(
                f"{o.randomized} / {o.target}",
                t("rec.kpi.randomized", lang, target=o.target),
                with_change(
                    t("rec.kpi.pct", lang, pct=pct(o.pct_target)),
                    change_line(ctx, o.randomized, "recruitment", "overall", "randomized"),
                ),
                "def.randomized",
                lang,
                kpi_id="rec-kpi-randomized",
                help_values=ctx.terms,
            ),
            kpi_card(
                signed(o.randomized_this_month),
                t("rec.kpi.this_month", lang, month=format_month(m.as_of, lang)),
                None,
                "def.this_month",
                lang,
                kpi_id="rec-kpi-month",
                help_values=ctx.terms,
            ),
            kpi_card(
                signed(o.vs_plan),
                t("rec.kpi.vs_plan", lang, planned=f"{o.planned_by_now:.0f}"),
                t(
                    "rec.kpi.plan_status",
                    lang,
                    share=pct(o.plan_share) if o.plan_share is not None else "–",
                    status=t(f"rec.status.{o.status}", lang),
                ),
                "def.plan",
                lang,
                tone=STATUS_TONE.get(o.status, "neutral"),
                kpi_id="rec-kpi-plan",
                help_values=ctx.terms,
            ),
            kpi_card(
                value,
                label,
                context,
                "def.forecast",
                lang,
                kpi_id="rec-kpi-forecast",
                help_values=ctx.terms,
            ),
            kpi_card(
                str(o.screened),
                t("rec.kpi.screened", lang),
                with_change(
                    t("rec.kpi.screen_failures", lang, share=pct(o.screen_fail_share)),
                    change_line(ctx, o.screened, "recruitment", "overall", "screened"),
                ),
                "def.screen_failure",
                lang,
                kpi_id="rec-kpi-screened",
                help_values=ctx.terms,
            ),
        ],
        row_id=ids.REC_KPIS,
    )


def center_table(m: RecruitmentModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    # the status column's "?" says the one rule behind every status word and the KPI's
    rule = {"rec.col.status": help_button("def.plan", lang, ctx.terms)}
    head = html.Thead(
        html.Tr(
            [
                html.Th([t(k, lang), rule[k]] if k in rule else t(k, lang), scope="col")
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
    rows: list[tuple[str, Any, str]] = [
        (code, m.by_center[code], ctx.protocol.center(code).name) for code in m.scope.centers
    ]
    if m.scope.pooled:
        rows.append((pooled_label(m.scope, lang), m.overall, ""))
    for name, row, title in rows:
        value, _, context = _forecast(row.forecast, m, ctx.protocol, lang)
        forecast: Any = [value, html.Br(), html.Small(context)] if context else value
        if row.forecast.reached:
            forecast = value  # the month it was reached; the status column says the rest
        body.append(
            html.Tr(
                [
                    html.Th(name, scope="row", title=title),
                    html.Td(f"{row.randomized} / {row.target} ({pct(row.pct_target)})"),
                    html.Td(f"{row.screened} ({row.screen_failed})"),
                    html.Td(f"{row.planned_by_now:.0f} ({signed(row.vs_plan)})"),
                    html.Td(t(f"rec.status.{row.status}", lang), className=f"status-{row.status}"),
                    html.Td(forecast),
                ],
                className="total-row" if row is m.overall else None,
            )
        )
    table = dbc.Table(
        [head, html.Tbody(body)],
        bordered=False,
        hover=True,
        size="sm",
        className="center-table",
        id=ids.REC_TABLE,
    )
    return table_card(
        t("rec.table.title", lang),
        t("rec.table.interval", lang, pct=pct(ctx.protocol.forecast_interval))
        + (" " + t("rec.table.rounding", lang) if m.scope.pooled else ""),
        html.Div(table, className="table-scroll"),
        lang,
        def_key="def.plan",
        card_id="rec-table-card",
        help_values=ctx.terms,
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    m = recruitment_for(ctx)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    n = m.overall.randomized
    sub = t("rec.subtitle", lang, scope=scope, randomized=tn("n.randomized", n, lang), date=date)
    shown = len(m.panel_centers) < len(m.scope.centers)
    panel_sub = (
        t("rec.subtitle_panels", lang, k=len(m.panel_centers), n=len(m.scope.centers), date=date)
        if shown
        else sub
    )
    empty = t("rec.empty.randomized", lang)
    has = n > 0
    notes = scope_notes(m.scope, lang) + access_notes(ctx, "allocation")
    if m.scope.arm_filtered:
        notes.append(
            dbc.Alert(t("rec.note.arm_filter", lang), color="secondary", className="py-2 small")
        )
    by_center = figs.enrollment_vs_target(
        m, ctx.arms_view("allocation"), lang, pooled_label(m.scope, lang), present
    )
    return html.Div(
        [
            page_head(t("rec.title", lang), m.population, lang),
            kpis(m, ctx),
            *notes,
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            by_center,
                            ids.REC_BY_CENTER,
                            empty,
                            t("rec.fig.by_center", lang),
                            f"{ctx.title('rec.fig.by_center_sub', 'allocation')} · {panel_sub}",
                            lang,
                            present,
                        ),
                        lg=5,
                    ),
                    dbc.Col(center_table(m, ctx), lg=7),
                ],
                className="g-3",
            ),
            graph(
                figs.cumulative_vs_plan(m, lang, present) if has else None,
                ids.REC_CUMULATIVE,
                empty,
                t("rec.fig.cumulative", lang),
                sub,
                lang,
                present,
                def_key="def.forecast",
                help_values=ctx.terms,
            ),
            html.P(
                t(
                    "rec.model",
                    lang,
                    weight=pct(ctx.protocol.prior_weight),
                    pct=pct(ctx.protocol.forecast_interval),
                ),
                className="model-note",
                id=ids.REC_MODEL,
            ),
            graph(
                figs.cumulative_by_center(m, ctx.protocol, lang, present) if has else None,
                ids.REC_CUMULATIVE_CENTER,
                empty,
                t("rec.fig.cumulative_center", lang),
                panel_sub,
                lang,
                present,
            ),
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            monthly_bars(
                                m.monthly.months,
                                m.monthly.by_center,
                                m.panel_centers,
                                ctx.protocol,
                                lang,
                                t("rec.axis.month", lang),
                                t("rec.axis.randomized", lang),
                                present,
                            )
                            if has
                            else None,
                            ids.REC_MONTHLY,
                            empty,
                            t("rec.fig.monthly", lang),
                            sub,
                            lang,
                            present,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figs.screen_failure_bars(m, ctx.protocol, lang, present)
                            if m.failures_total
                            else None,
                            ids.REC_FAILURES,
                            t("rec.empty.failures", lang),
                            t("rec.fig.failures", lang),
                            t(
                                "rec.subtitle_screened",
                                lang,
                                scope=scope,
                                n=m.failures_total,
                                screened=m.overall.screened,
                                date=date,
                            ),
                            lang,
                            present,
                            def_key="def.screen_failure",
                            help_values=ctx.terms,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
        ]
    )

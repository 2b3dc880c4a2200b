"""The data-quality page: findings by center and category, trend, findings, deviations."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    graph,
    hidden_note,
    kpi_card,
    kpi_row,
    page_head,
    scope_label,
    scope_notes,
    table_card,
)
from dashboard.components.grid import server_listing
from dashboard.figures import data_quality as figs
from dashboard.i18n import format_date, label, t, tn
from dashboard.listings import DEVIATIONS, FINDINGS
from dashboard.metrics.data_quality import DataQualityModel
from dashboard.services import PageContext, data_quality_page_model

PATH = "/data-quality"
NAV_KEY = "nav.data_quality"


def kpis(m: DataQualityModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    cards = [
        kpi_card(
            str(m.by_category[cat]),
            label("dq.cat", cat, lang),
            None,
            f"def.dq.{cat}",
            lang,
            tone="warn" if m.by_category[cat] else "good",
            kpi_id=f"dq-kpi-{cat}",
            help_values=ctx.terms,
        )
        for cat in m.categories
    ]
    cards.append(
        kpi_card(
            f"{m.deviations['recorded']} ({m.deviations['major']})",
            t("dq.kpi.deviations", lang),
            None,
            "def.deviations",
            lang,
            kpi_id="dq-kpi-deviations",
            help_values=ctx.terms,
        )
    )
    return kpi_row(cards, row_id=ids.DQ_KPIS)


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present, p = ctx.lang, ctx.view.present, ctx.protocol
    m = data_quality_page_model(ctx.db, p, ctx.info)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    sub = t("dq.subtitle", lang, scope=scope, findings=tn("n.findings", m.total, lang), date=date)
    empty = t("dq.empty", lang)
    notes = scope_notes(m.scope, lang)
    if not m.structure_checked:
        key = "dq.note.structure_rights" if m.scope.restricted else "dq.note.structure"
        notes.append(dbc.Alert(t(key, lang), color="secondary", className="py-2 small"))
    has = m.total > 0
    blocks: list[Component] = [
        page_head(t("dq.title", lang), m.population, lang),
        kpis(m, ctx),
        *notes,
        dbc.Row(
            [
                dbc.Col(
                    graph(
                        figs.counts(m, lang, present) if has else None,
                        ids.DQ_COUNTS,
                        empty,
                        t("dq.fig.counts", lang),
                        sub,
                        lang,
                        present,
                        def_key="def.findings",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
                dbc.Col(
                    graph(
                        figs.trend(m, lang, present) if m.trend.months else None,
                        ids.DQ_TREND,
                        empty,
                        t("dq.fig.trend", lang),
                        sub,
                        lang,
                        present,
                    ),
                    lg=6,
                ),
            ],
            className="g-3",
        ),
    ]
    if not ctx.identifiers:
        blocks.append(hidden_note(lang))
        return html.Div(blocks)
    blocks += [
        table_card(
            t("dq.findings.title", lang),
            t("dq.findings.help", lang),
            server_listing(FINDINGS, lang)
            if has
            else html.Div(t("dq.empty", lang), className="empty-state"),
            lang,
            def_key="def.findings",
            card_id="dq-findings-card",
            help_values=ctx.terms,
        ),
        table_card(
            t("dq.deviations.title", lang),
            None,
            server_listing(DEVIATIONS, lang)
            if m.deviations["recorded"]
            else html.Div(t("dq.deviations.empty", lang), className="empty-state"),
            lang,
            def_key="def.deviations",
            help_values=ctx.terms,
        ),
    ]
    return html.Div(blocks)

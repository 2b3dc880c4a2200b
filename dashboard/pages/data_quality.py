"""The data-quality page: findings by center and category, trend, findings, deviations."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components import work
from dashboard.components.common import (
    change_line,
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
from dashboard.i18n import format_date, label, number, t, tn
from dashboard.listings import DEVIATIONS, FINDINGS, label_texts
from dashboard.metrics.data_quality import DataQualityModel
from dashboard.services import (
    AppState,
    PageContext,
    data_quality_page_model,
    finding_item,
    finding_work_by_center,
)

PATH = "/data-quality"
NAV_KEY = "nav.data_quality"


def kpis(m: DataQualityModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    cards = [
        kpi_card(
            str(m.by_category[cat]),
            label("dq.cat", cat, lang),
            change_line(ctx, m.by_category[cat], "data_quality", "by_category", cat),
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


def work_table(ctx: PageContext) -> Component:
    """Per center: findings still to work, their median age and the oldest.

    To work: open, query sent, answered, re-opened; age in days since the finding was first
    in a data cut.
    """
    lang = ctx.lang
    work = finding_work_by_center(ctx)
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in ("dq.col.center", "wf.col.open", "wf.col.median_age", "wf.col.oldest")
            ]
        )
    )
    body = [
        html.Tr(
            [
                html.Th(c, scope="row"),
                html.Td(work[c].open if c in work else 0),
                html.Td(number(work[c].median_age, 0) if c in work else "–"),
                html.Td(work[c].oldest if c in work and work[c].oldest is not None else "–"),
            ]
        )
        for c in ctx.scope.centers
    ]
    table = dbc.Table([head, html.Tbody(body)], size="sm", className="center-table", id="dq-work")
    return table_card(
        t("wf.title", lang), t("wf.help", lang), html.Div(table, className="table-scroll"), lang
    )


def register_callbacks(app: Dash, state: AppState) -> None:
    """Pick a finding in the listing; save its status (the app's store, audited)."""
    work.register_form(app, state, "dq", FINDINGS.name, finding_item)


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
    trend_sub = sub
    if m.trend.before or m.trend.after:
        trend_sub += " · " + t(
            "dq.trend.outside",
            lang,
            before=tn("n.findings", m.trend.before, lang),
            after=tn("n.findings", m.trend.after, lang),
        )
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
                        figs.trend(m, lang, present)
                        if any(any(v) for v in m.trend.by_category.values())
                        else None,
                        ids.DQ_TREND,
                        t("dq.trend.empty", lang) if has else empty,
                        t("dq.fig.trend", lang),
                        trend_sub,
                        lang,
                        present,
                    ),
                    lg=6,
                ),
            ],
            className="g-3",
        ),
    ]
    blocks.append(work_table(ctx))
    if not ctx.identifiers:
        blocks.append(hidden_note(lang))
        return html.Div(blocks)
    blocks += [
        table_card(
            t("dq.findings.title", lang),
            t("dq.findings.help", lang),
            server_listing(FINDINGS, lang, texts=label_texts(FINDINGS, ctx), view=ctx.view)
            if has
            else html.Div(t("dq.empty", lang), className="empty-state"),
            lang,
            def_key="def.findings",
            card_id="dq-findings-card",
            help_values=ctx.terms,
        ),
        work.status_form("dq", lang, "wf.form.title", "wf.form.pick", ctx.rights.role)
        if has
        else html.Div(),
        table_card(
            t("dq.deviations.title", lang),
            None,
            server_listing(DEVIATIONS, lang, texts=label_texts(DEVIATIONS, ctx), view=ctx.view)
            if m.deviations["recorded"]
            else html.Div(t("dq.deviations.empty", lang), className="empty-state"),
            lang,
            def_key="def.deviations",
            help_values=ctx.terms,
        ),
    ]
    return html.Div(blocks)

"""The data-quality page: findings by center and category, trend, findings, deviations."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.auth import audit, current_user_or_none
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
from dashboard.components.grid import GRID, server_listing
from dashboard.figures import data_quality as figs
from dashboard.i18n import format_date, label, number, t, tn
from dashboard.listings import DEVIATIONS, FINDINGS
from dashboard.metrics.data_quality import DataQualityModel
from dashboard.services import (
    AppState,
    PageContext,
    context_from_search,
    data_quality_page_model,
    finding_center,
    finding_work_by_center,
)
from dashboard.workflow import STATUSES, FindingStore

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


WF_KEY = "dq-wf-key"
WF_STATUS = "dq-wf-status"
WF_COMMENT = "dq-wf-comment"
WF_SAVE = "dq-wf-save"
WF_RESULT = "dq-wf-result"


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


def status_form(ctx: PageContext) -> Component:
    """Set a finding's status and comment (click a row of the listing to pick it)."""
    lang = ctx.lang
    options = [{"label": t(f"wf.status.{s}", lang), "value": s} for s in STATUSES]
    return html.Div(
        [
            html.H2(t("wf.form.title", lang), className="h6"),
            dbc.Input(
                id=WF_KEY,
                placeholder=t("wf.form.pick", lang),
                maxLength=500,
                className="mb-2",
                debounce=True,
            ),
            dbc.Select(id=WF_STATUS, options=options, value="query_sent", className="mb-2"),
            dbc.Textarea(
                id=WF_COMMENT,
                placeholder=t("wf.form.comment", lang),
                maxLength=2000,
                className="mb-2",
            ),
            html.Button(t("wf.form.save", lang), id=WF_SAVE, className="btn btn-primary btn-sm"),
            html.Div(id=WF_RESULT, className="mt-2"),
        ],
        className="graph-card table-card wf-form",
    )


def history_view(entries: list[Any], lang: str) -> Component:
    """A finding's history, newest first."""
    if not entries:
        return html.P(t("wf.history.none", lang), className="small")
    return html.Ul(
        [
            html.Li(
                f"{e.at:%Y-%m-%d %H:%M} · {e.username} · {t(f'wf.status.{e.status}', lang)}"
                + (f" · {e.comment}" if e.comment else "")
            )
            for e in reversed(entries)
        ],
        className="small wf-history",
    )


def register_callbacks(app: Dash, state: AppState) -> None:
    """Pick a finding in the listing; save its status (the app's store, audited)."""

    @app.callback(
        Output(WF_KEY, "value"),
        Input({"type": GRID, "name": FINDINGS.name}, "cellClicked"),
        prevent_initial_call=True,
    )
    def pick(cell: Any) -> Any:
        if not isinstance(cell, dict):
            return no_update
        row = cell.get("data") if isinstance(cell.get("data"), dict) else None
        key = (row or {}).get("key")
        return str(key)[:500] if key else no_update

    @app.callback(
        Output(WF_RESULT, "children"),
        Input(WF_SAVE, "n_clicks"),
        Input(WF_KEY, "value"),
        State(WF_STATUS, "value"),
        State(WF_COMMENT, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def save(n: Any, key: Any, status: Any, comment: Any, search: Any) -> Any:
        from dash import ctx as dash_ctx

        page = context_from_search(state, search if isinstance(search, str) else None)
        lang = page.lang
        key = key if isinstance(key, str) else ""
        user = current_user_or_none()
        if not key or user is None or not page.identifiers or state.users is None:
            return no_update if not key else hidden_note(lang)
        center = finding_center(page, key)
        if center is None:  # not a finding this user may see (other center, or gone)
            return html.P(t("wf.form.unknown", lang), className="small text-danger")
        store = FindingStore(state.users.engine)
        if dash_ctx.triggered_id == WF_SAVE and n:
            if status not in STATUSES:
                return html.P(t("wf.form.unknown", lang), className="small text-danger")
            text = comment if isinstance(comment, str) else None
            store.set(key, status, user.username, text, center)
            audit("finding_status", {"key": key, "status": status, "center": center})
        return history_view(store.history(key), lang)


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
    blocks.append(work_table(ctx))
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
        status_form(ctx) if has else html.Div(),
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

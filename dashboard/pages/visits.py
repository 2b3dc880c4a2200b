"""The visits page: compliance by center and visit, missed visits, worklist, swimmer plot."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update
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
    pooled_label,
    scope_label,
    scope_notes,
    table_card,
    with_change,
)
from dashboard.components.grid import server_listing
from dashboard.figures import visits as figs
from dashboard.figures.theme import COLUMN_WIDTH, monthly_bars
from dashboard.i18n import format_date, pct, t, tn
from dashboard.listings import WORKLIST, label_texts
from dashboard.metrics.visits import StateCounts, VisitsModel
from dashboard.services import (
    AppState,
    PageContext,
    context_from_search,
    visit_item,
    visits_for,
)
from data_access.engine import DatabaseUnavailable

PATH = "/visits"
NAV_KEY = "nav.visits"


def compliance_text(c: StateCounts, lang: str) -> str:
    """'88%', or '100% · small n' when fewer than 5 visits were expected."""
    if c.compliance is None:
        return "–"
    return t("vis.small_n", lang, pct=pct(c.compliance)) if c.small_n else pct(c.compliance)


def kpis(m: VisitsModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("allocation")
    o = m.overall
    arm_text = " · ".join(
        t("vis.kpi.by_arm", lang, arm=p.arm_label(a, lang), pct=compliance_text(c, lang))
        for a, c in m.by_arm.items()
    )
    return kpi_row(
        [
            kpi_card(
                compliance_text(o, lang),
                t("vis.kpi.compliance", lang, done=o.done, expected=o.expected),
                arm_text or None,
                "def.compliance",
                lang,
                kpi_id="vis-kpi-compliance",
                help_values=ctx.terms,
            ),
            kpi_card(
                str(o.due),
                t("vis.kpi.due", lang),
                with_change(
                    t("vis.kpi.due_overdue", lang, overdue=o.due_overdue),
                    change_line(ctx, o.due, "visits", "overall", "due"),
                ),
                "def.due",
                lang,
                tone="warn" if o.due else "good",
                kpi_id="vis-kpi-due",
                help_values=ctx.terms,
            ),
            kpi_card(
                str(o.missed),
                t("vis.kpi.missed", lang),
                with_change(
                    t("vis.kpi.missed_left", lang, n=o.missed_left) if o.missed_left else None,
                    change_line(ctx, o.missed, "visits", "overall", "missed"),
                ),
                "def.compliance",
                lang,
                kpi_id="vis-kpi-missed",
                help_values=ctx.terms,
            ),
            kpi_card(
                str(o.not_expected),
                t("vis.kpi.not_expected", lang),
                None,
                "def.not_expected",
                lang,
                kpi_id="vis-kpi-not-expected",
                help_values=ctx.terms,
            ),
            kpi_card(
                str(m.no_day_zero_subjects),
                t("vis.kpi.flags", lang),
                None,
                "def.no_day_zero",
                lang,
                tone="warn" if m.no_day_zero_subjects else "neutral",
                kpi_id="vis-kpi-flags",
                help_values=ctx.terms,
            ),
        ],
        row_id=ids.VIS_KPIS,
    )


def register_callbacks(app: Dash, state: AppState) -> None:
    """Pick a visit in the worklist; save its status (the app's store, audited).

    The swimmer plot's pages: another page of subjects, from the same (cached) model.
    """
    work.register_form(app, state, "vis", WORKLIST.name, visit_item)

    @app.callback(
        Output(ids.VIS_SWIMMER, "figure"),
        Input(ids.VIS_SWIMMER_PAGES, "active_page"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def swimmer_page(active: Any, search: Any) -> Any:
        page = active - 1 if isinstance(active, int) and not isinstance(active, bool) else 0
        ctx = context_from_search(state, search if isinstance(search, str) else None)
        if not ctx.identifiers:
            return no_update
        try:
            m = visits_for(ctx)
        except DatabaseUnavailable:
            return no_update
        if m.swimmer is None or not m.swimmer.subjects:
            return no_update
        return figs.swimmer(m, ctx.protocol, ctx.lang, ctx.view.present, page)


def _worklist(m: VisitsModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    return table_card(
        t("vis.worklist.title", lang),
        t("vis.worklist.help", lang, rows=tn("n.visits", m.worklist_rows, lang)),
        server_listing(
            WORKLIST,
            lang,
            row_class_rules={
                "row-due": "params.data && params.data.state_code == 'due'",
                "row-missed": "params.data && params.data.state_code == 'missed'",
            },
            search_label=t("vis.worklist.search", lang),
            texts=label_texts(WORKLIST, ctx),
            view=ctx.view,
        ),
        lang,
        def_key="def.due",
        card_id="vis-worklist-card",
        help_values=ctx.terms,
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present, p = ctx.lang, ctx.view.present, ctx.arms_view("allocation")
    m = visits_for(ctx)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    sub = t(
        "vis.subtitle", lang, scope=scope, subjects=tn("n.subjects", m.randomized, lang), date=date
    )
    has = m.overall.expected + m.overall.due + m.overall.upcoming > 0
    heat_sub = t("vis.subtitle_heatmap", lang, scope=scope, date=date)
    if len(m.heatmap_centers) < len(m.scope.centers):
        heat_sub = t(
            "vis.subtitle_heatmap_top",
            lang,
            k=len(m.heatmap_centers),
            n=len(m.scope.centers),
            date=date,
        )
    # Many visits: the heatmap takes the whole row (its cells then hold their numbers).
    wide = len(p.visits) > 8
    heat_cols, missed_cols = (12, 12) if wide else (7, 5)
    blocks: list[Component] = [
        page_head(t("vis.title", lang), m.population, lang),
        kpis(m, ctx),
        *scope_notes(m.scope, lang),
        dbc.Row(
            [
                dbc.Col(
                    graph(
                        figs.compliance_heatmap(
                            m,
                            p,
                            pooled_label(m.scope, lang),
                            lang,
                            present,
                            COLUMN_WIDTH[12 if present else heat_cols],
                        )
                        if has
                        else None,
                        ids.VIS_HEATMAP,
                        t("vis.empty.schedule", lang),
                        t("vis.fig.heatmap", lang),
                        heat_sub,
                        lang,
                        present,
                        def_key="def.compliance",
                        help_values=ctx.terms,
                    ),
                    lg=heat_cols,
                ),
                dbc.Col(
                    graph(
                        monthly_bars(
                            m.missed_by_month.months,
                            m.missed_by_month.by_center,
                            m.heatmap_centers,
                            p,
                            lang,
                            t("vis.axis.month_closed", lang),
                            t("vis.axis.missed", lang),
                            present,
                        )
                        if m.overall.missed
                        else None,
                        ids.VIS_MISSED,
                        t("vis.empty.missed", lang),
                        t("vis.fig.missed", lang),
                        sub,
                        lang,
                        present,
                    ),
                    lg=missed_cols,
                ),
            ],
            className="g-3",
        ),
    ]
    if not ctx.identifiers:
        blocks.append(hidden_note(lang))
        return html.Div(blocks)
    sw = m.swimmer
    swim_sub = sub
    if sw is not None and len(sw.subjects) < sw.total:
        swim_sub = tn(
            "vis.swimmer_capped", sw.total, lang, k=len(sw.subjects), scope=scope, date=date
        )
    pages = figs.swimmer_pages(m)
    blocks += [
        _worklist(m, ctx),
        work.status_form("vis", lang, "wf.form.title_visit", "wf.form.pick_visit", ctx.rights.role)
        if m.worklist_rows
        else html.Div(),
        graph(
            figs.swimmer(m, p, lang, present) if sw is not None and sw.subjects else None,
            ids.VIS_SWIMMER,
            t("vis.empty.schedule", lang),
            t("vis.fig.swimmer", lang),
            swim_sub,
            lang,
            present,
            footer=dbc.Pagination(
                id=ids.VIS_SWIMMER_PAGES,
                max_value=pages,
                active_page=1,
                fully_expanded=False,
                size="sm",
                className="swimmer-pages mt-2",
            )
            if pages > 1
            else None,
        ),
    ]
    return html.Div(blocks)

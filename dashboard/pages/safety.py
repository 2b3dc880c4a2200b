"""The safety page: subjects with AEs by arm as treated, incidence by term and worst grade.

Also events to watch, center rates, reporting lag, the AE listing and a subject's timeline.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, Patch, State, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.auth import audit
from dashboard.components.common import (
    access_notes,
    change_line,
    empty_state,
    error_state,
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
from dashboard.components.grid import GRID, client_table, server_listing, with_page_params
from dashboard.figures import safety as figs
from dashboard.i18n import format_date, pct, t, tn, variant
from dashboard.listings import ADVERSE_EVENTS, label_texts
from dashboard.metrics.safety import SafetyModel
from dashboard.services import (
    AppState,
    PageContext,
    context_from_search,
    safety_for,
    subject_timeline,
)
from dashboard.urlstate import ViewState
from data_access.engine import DatabaseUnavailable

PATH = "/safety"
NAV_KEY = "nav.safety"


def kpis(m: SafetyModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("safety_by_arm")
    cards = []
    for key, def_key in (
        ("any_ae", "def.ae"),
        ("grade3plus", variant("def.grade", m.grade_scale)),
        ("serious", "def.serious"),
        ("fatal", "def.fatal"),
    ):
        parts = []
        for a in m.arms:
            share = getattr(m.by_arm[a], f"{key}_share")
            parts.append(f"{p.arm_label(a, lang)} {share.k}/{share.n} ({pct(share.value)})")
        total = getattr(m.total, key)
        cards.append(
            kpi_card(
                f"{total}/{m.total.subjects}",
                t(variant(f"saf.kpi.{key}", m.grade_scale), lang),
                with_change(" · ".join(parts), change_line(ctx, total, "safety", "total", key)),
                def_key,
                lang,
                tone="warn" if key == "fatal" and total else "neutral",
                kpi_id=f"saf-kpi-{key}",
                help_values=ctx.terms,
            )
        )
    return kpi_row(cards, row_id=ids.SAF_KPIS)


def incidence(
    m: SafetyModel,
    ctx: PageContext,
    terms: tuple[str, ...] | None = None,
    part: tuple[int, int] | None = None,
) -> Component:
    """Subjects with each term, by system organ class, arm and worst grade (numbers first).

    The commonest terms by default (`m.common_terms`), every term one click away in a grid.
    With `terms` and `part` (k, n): those terms as part k of n of the whole table (the meeting
    pack prints every term on pages of their own, no button).
    """
    lang, p = ctx.lang, ctx.arms_view("safety_by_arm")
    title = ctx.title(variant("saf.incidence.title", m.grade_scale), "safety_by_arm")
    if part is not None:
        title = t("saf.incidence.part", lang, title=title, k=part[0], n=part[1])
    if not m.by_term:
        return table_card(title, None, empty_state(t("saf.empty", lang)), lang)
    shown = m.common_terms if terms is None else terms
    head_top = [html.Th(t(variant("saf.col.term", m.grade_scale), lang), rowSpan=2, scope="col")]
    head_low = []
    for a in m.arms:
        head_top.append(
            html.Th(
                f"{p.arm_label(a, lang)} (n = {m.by_arm[a].subjects})",
                colSpan=3,
                scope="colgroup",
                className="group-head",
            )
        )
        head_low += [
            html.Th(t(variant("saf.col.any", m.grade_scale), lang), scope="col"),
            html.Th(t(variant("saf.col.g3", m.grade_scale), lang), scope="col"),
            html.Th(t(variant("saf.col.worst", m.grade_scale), lang), scope="col"),
        ]
    body = []
    current = object()
    for term in shown:
        per_arm = m.by_term[term]
        soc = m.term_soc.get(term)
        if soc != current:
            current = soc
            body.append(
                html.Tr(
                    html.Th(
                        soc or t("saf.soc_missing", lang),
                        colSpan=1 + 3 * len(m.arms),
                        scope="rowgroup",
                        className="soc-row",
                    )
                )
            )
        cells: list[Component] = [html.Th(term, scope="row")]
        for a in m.arms:
            c = per_arm[a]
            cells += [
                html.Td(f"{c.any} ({pct(c.any_share)})"),
                html.Td(
                    f"{c.grade3plus} ({pct(c.grade3plus_share)})",
                    className="g3" if c.grade3plus else None,
                ),
                html.Td(worst_text(m, c, lang)),
            ]
        body.append(html.Tr(cells))
    table = dbc.Table(
        [html.Thead([html.Tr(head_top), html.Tr(head_low)]), html.Tbody(body)],
        size="sm",
        className="center-table incidence-table",
        id=ids.SAF_INCIDENCE,
    )
    population = t(f"population.short.{m.population}", lang)
    sub = t(variant("saf.incidence.sub", m.grade_scale), lang, population=population)
    parts: list[Component] = [html.Div(table, className="table-scroll")]
    if part is None and len(shown) < len(m.by_term):
        sub = t("saf.incidence.common", lang, k=len(shown), n=len(m.by_term)) + " · " + sub
        parts.append(
            html.Div(
                [
                    html.Button(
                        t("saf.incidence.all", lang, n=len(m.by_term)),
                        id=ids.SAF_ALL_TERMS_BUTTON,
                        className="btn btn-sm btn-outline-secondary",
                        type="button",
                    ),
                    html.Div(id=ids.SAF_ALL_TERMS, className="mt-2"),
                ],
                className="mt-2",
            )
        )
    return table_card(
        title,
        sub,
        html.Div(parts),
        lang,
        def_key=variant("def.incidence", m.grade_scale),
        card_id="saf-incidence-card" if part is None else f"saf-incidence-part-{part[0]}",
        help_values=ctx.terms,
    )


def worst_text(m: SafetyModel, c: Any, lang: str) -> str:
    """'2 / 1 / 0 / 0 / 0' subjects by worst grade, and the ungraded ones."""
    text = " / ".join(str(c.worst[str(g)]) for g in m.grades)
    return text + (f" · {t('saf.ungraded', lang, n=c.ungraded)}" if c.ungraded else "")


def all_terms_grid(m: SafetyModel, ctx: PageContext) -> Component:
    """Every term in a virtualised grid: sort, filter, CSV (rows from the page model)."""
    lang, p = ctx.lang, ctx.arms_view("safety_by_arm")
    rows: list[dict[str, Any]] = []
    for term, per_arm in m.by_term.items():
        row: dict[str, Any] = {
            "soc": m.term_soc.get(term) or t("saf.soc_missing", lang),
            "term": term,
        }
        for a in m.arms:
            c = per_arm[a]
            row[f"{a}__any"] = c.any
            row[f"{a}__any_pct"] = pct(c.any_share)
            row[f"{a}__g3"] = c.grade3plus
            row[f"{a}__g3_pct"] = pct(c.grade3plus_share)
            row[f"{a}__worst"] = worst_text(m, c, lang)
        rows.append(row)
    columns: list[dict[str, Any]] = [
        {
            "field": "term",
            "headerName": t(variant("saf.col.term", m.grade_scale), lang),
            "minWidth": 180,
            "filter": "agTextColumnFilter",
            "sortable": True,
        },
        {
            "field": "soc",
            "headerName": t("saf.col.soc", lang),
            "minWidth": 160,
            "filter": "agTextColumnFilter",
            "sortable": True,
        },
    ]
    for a in m.arms:
        arm = f"{p.arm_label(a, lang)} (n = {m.by_arm[a].subjects})"
        columns.append(
            {
                "headerName": arm,
                "children": [
                    _count_column(f"{a}__any", t(variant("saf.col.any", m.grade_scale), lang)),
                    _count_column(f"{a}__g3", t(variant("saf.col.g3", m.grade_scale), lang)),
                    {
                        "field": f"{a}__worst",
                        "minWidth": 110,
                        "headerName": t(variant("saf.col.worst", m.grade_scale), lang),
                    },
                ],
            }
        )
    return client_table(
        "saf-all-terms",
        rows,
        columns,
        lang,
        "adverse-event-terms.csv",
        height=560,
    )


def _count_column(field: str, header: str) -> dict[str, Any]:
    """A count column that sorts as a number and reads '12 (9%)'."""
    return {
        "field": field,
        "headerName": header,
        "minWidth": 90,
        "sortable": True,
        "filter": "agNumberColumnFilter",
        "valueFormatter": {"function": f"params.value + ' (' + params.data['{field}_pct'] + ')'"},
    }


SWITCHES = ("serious", "grade3")


def switched_on(view: ViewState) -> list[str]:
    """The listing's switches that the address turns on (`only=serious,grade3`)."""
    asked = {v.strip() for v in view.param("only").split(",")}
    return [s for s in SWITCHES if s in asked]


def switch_filters(values: list[str]) -> dict[str, Any]:
    """The grid filters of the switches that are on."""
    out: dict[str, Any] = {}
    if "serious" in values:
        out["serious"] = {"filterType": "text", "type": "equals", "filter": "sae"}
    if "grade3" in values:
        out["grade"] = {"filterType": "number", "type": "greaterThanOrEqual", "filter": 3}
    return out


def _listing(m: SafetyModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    on = switched_on(ctx.view)
    toggles = dbc.Checklist(
        id=ids.SAF_TOGGLES,
        switch=True,
        inline=True,
        value=on,
        options=[
            {"label": t("saf.toggle.serious", lang), "value": "serious"},
            {"label": t(variant("saf.toggle.grade3", m.grade_scale), lang), "value": "grade3"},
        ],
    )
    body = (
        server_listing(
            ADVERSE_EVENTS,
            lang,
            row_class_rules={
                # Leading to death: grade 5 or outcome fatal (def.fatal), as the KPI counts it.
                "row-fatal": "params.data && (params.data.grade == 5 "
                "|| params.data.outcome_code == 'fatal')",
                "row-sae": "params.data && params.data.serious_code == 'sae' "
                "&& params.data.grade != 5 && params.data.outcome_code != 'fatal'",
            },
            extra_tools=[toggles],
            wording=m.grade_scale,
            texts={**label_texts(ADVERSE_EVENTS, ctx), "term": list(m.by_term)},
            view=ctx.view,
            filters=switch_filters(on),
        )
        if m.events
        else empty_state(t("saf.empty", lang))
    )
    return table_card(
        t("saf.listing.title", lang),
        t(
            variant("saf.listing.help", m.grade_scale),
            lang,
            events=tn("n.events", m.events, lang),
            day0=ctx.terms["day0"],
        ),
        html.Div(
            [
                body,
                html.Div(
                    empty_state(
                        t(
                            "saf.timeline.pick_sbrt" if ctx.protocol.sbrt else "saf.timeline.pick",
                            lang,
                            day0=ctx.terms["day0"],
                        )
                    ),
                    id=ids.SAF_TIMELINE,
                    className="mt-3",
                ),
            ]
        ),
        lang,
        def_key="def.serious",
        card_id="saf-listing-card",
        help_values=ctx.terms,
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present, p = ctx.lang, ctx.view.present, ctx.arms_view("safety_by_arm")
    m = safety_for(ctx)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    sub = t(
        "saf.subtitle",
        lang,
        scope=scope,
        subjects=tn("n.subjects", m.total.subjects, lang),
        events=tn("n.events", m.events, lang),
        population=t(f"population.short.{m.population}", lang),
        date=date,
    )
    has = m.events > 0
    empty = t("saf.empty", lang)
    notes = scope_notes(m.scope, lang) + access_notes(ctx, "safety_by_arm")
    if m.before_day0_events:
        notes.append(
            dbc.Alert(
                t(
                    "saf.before_day0",
                    lang,
                    events=tn("n.events", m.before_day0_events, lang),
                    day0=ctx.terms["day0"],
                ),
                color="secondary",
                className="py-2 small",
                id="saf-before-day0-note",
            )
        )
    if m.not_emergent_events:
        p = ctx.arms_view("safety_by_arm")
        notes.append(
            dbc.Alert(
                t(
                    "saf.not_emergent",
                    lang,
                    events=tn("n.events", m.not_emergent_events, lang),
                    by_arm=" · ".join(
                        f"{p.arm_label(a, lang)} {n}" for a, n in m.not_emergent.items()
                    ),
                ),
                color="secondary",
                className="py-2 small",
                id="saf-not-emergent-note",
            )
        )
    if m.ungradable_events:
        notes.append(
            dbc.Alert(
                t("saf.ungradable", lang, events=tn("n.events", m.ungradable_events, lang)),
                color="warning",
                className="py-2 small",
            )
        )
    blocks: list[Component] = [
        page_head(t("saf.title", lang), m.population, lang),
        kpis(m, ctx),
        *notes,
        dbc.Row(
            [
                dbc.Col(
                    graph(
                        figs.overview(m, p, lang, present) if has else None,
                        ids.SAF_OVERVIEW,
                        empty,
                        ctx.title("saf.fig.overview", "safety_by_arm"),
                        sub,
                        lang,
                        present,
                        def_key=variant("def.grade", m.grade_scale),
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
                dbc.Col(
                    graph(
                        figs.interest(m, p, lang, present) if has and m.interest else None,
                        ids.SAF_INTEREST,
                        t("saf.empty_interest", lang),
                        ctx.title("saf.fig.interest", "safety_by_arm"),
                        sub,
                        lang,
                        present,
                        def_key="def.interest",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
            ],
            className="g-3",
        ),
        incidence(m, ctx),
    ]
    if ctx.identifiers:
        blocks.append(_listing(m, ctx))
    else:
        blocks.append(hidden_note(lang))
    blocks.append(
        dbc.Row(
            [
                dbc.Col(
                    graph(
                        figs.center_rates(m, p, pooled_label(m.scope, lang), lang, present)
                        if m.total.subjects
                        else None,
                        ids.SAF_CENTERS,
                        empty,
                        t("saf.fig.centers", lang),
                        sub,
                        lang,
                        present,
                        def_key="def.center_rates",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
                dbc.Col(
                    graph(
                        figs.lag(m, p, lang, present) if has else None,
                        ids.SAF_LAG,
                        empty,
                        t("saf.fig.lag", lang),
                        sub,
                        lang,
                        present,
                        def_key="def.lag",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
            ],
            className="g-3",
        )
    )
    if m.onset:
        blocks.append(
            graph(
                figs.onset(m, p, lang, present) if has else None,
                ids.SAF_ONSET,
                empty,
                t("saf.fig.onset", lang),
                sub,
                lang,
                present,
            )
        )
    return html.Div(blocks)


def register_callbacks(app: Dash, state: AppState) -> None:
    """Quick toggles set the listing's filters; a click on a subject draws their timeline.

    "All terms" opens every term of the incidence table in a grid (built on demand).
    """

    @app.callback(
        Output(ids.SAF_ALL_TERMS, "children"),
        Output(ids.SAF_ALL_TERMS_BUTTON, "style"),
        Input(ids.SAF_ALL_TERMS_BUTTON, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def all_terms(n_clicks: Any, search: Any) -> Any:
        if not n_clicks:
            return no_update, no_update
        ctx = context_from_search(state, search if isinstance(search, str) else None)
        try:
            m = safety_for(ctx)
        except DatabaseUnavailable as exc:
            lang = ctx.lang
            return error_state(t("error.title", lang), str(exc), t("error.what_to_do", lang)), {}
        return all_terms_grid(m, ctx), {"display": "none"}

    @app.callback(
        Output({"type": GRID, "name": ADVERSE_EVENTS.name}, "filterModel", allow_duplicate=True),
        Input(ids.SAF_TOGGLES, "value"),
        prevent_initial_call=True,
    )
    def toggle(values: Any) -> Any:
        values = [v for v in values if v in SWITCHES] if isinstance(values, list) else []
        patch = Patch()
        on = switch_filters(values)
        for column in ("serious", "grade"):
            if column in on:
                patch[column] = on[column]
            else:
                del patch[column]
        return patch

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.SAF_TOGGLES, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def remember(values: Any, search: Any) -> Any:
        """The switches go into the address: a change of the filters above keeps them."""
        search = search if isinstance(search, str) else ""
        values = [v for v in values if v in SWITCHES] if isinstance(values, list) else []
        view = ViewState.from_search(search, (), ())
        new = view.with_param("only", ",".join(values))
        return no_update if new == view else with_page_params(search, new)

    @app.callback(
        Output(ids.SAF_TIMELINE, "children"),
        Input({"type": GRID, "name": ADVERSE_EVENTS.name}, "cellClicked"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def timeline(cell: Any, search: Any) -> Any:
        if not isinstance(cell, dict) or cell.get("colId") != "subject_id":
            return no_update
        subject = str(cell.get("value") or "")[:64]
        if not subject:
            return no_update
        ctx = context_from_search(state, search if isinstance(search, str) else None)
        lang = ctx.lang
        if not ctx.identifiers:
            return hidden_note(lang)
        audit("timeline_opened", {"subject": subject, "centers": list(ctx.scope.centers)})
        try:
            tl = subject_timeline(ctx, subject)
        except DatabaseUnavailable as exc:
            return error_state(t("error.title", lang), str(exc), t("error.what_to_do", lang))
        if tl is None or not tl.events:
            return empty_state(t("saf.timeline.none", lang, subject=subject))
        fig = figs.subject_timeline(
            tl.events, tl.day0, tl.sbrt, ctx.scope.as_of, subject, lang, ctx.view.present
        )
        return graph(
            fig,
            ids.SAF_TIMELINE_GRAPH,
            "",
            t("saf.fig.timeline", lang, subject=subject),
            t("saf.timeline_sub", lang),
            lang,
            ctx.view.present,
        )

"""The safety page: AE listing, incidence by arm, term and worst grade, center rates, lag."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    empty_state,
    error_state,
    graph,
    help_button,
    hidden_note,
    kpi_card,
    kpi_row,
)
from dashboard.components.grid import GRID, listing
from dashboard.figures import safety as figs
from dashboard.i18n import arm_label, format_date, label, t
from dashboard.services import (
    AppState,
    PageContext,
    SafetyReport,
    context_from_search,
    load_safety,
    load_subject_timeline,
)
from data_access.engine import DatabaseUnavailable

PATH = "/safety"
NAV_KEY = "nav.safety"
LISTING = "saf-ae"


def _pct(k: Any, n: Any) -> str:
    return f"{int(k)}/{int(n)} ({int(k) / int(n):.0%})" if n else "0"


def _kpis(report: SafetyReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    cards = []
    for key, def_key in (
        ("any_ae", "def.ae"),
        ("grade3plus", "def.grade"),
        ("serious", "def.serious"),
        ("fatal", "def.fatal"),
    ):
        parts = [
            f"{t(f'arm.{r.arm}', lang)} {_pct(getattr(r, key), r.subjects)}"
            for r in report.overview.itertuples()
        ]
        total = int(report.overview[key].sum()) if len(report.overview) else 0
        n = int(report.overview["subjects"].sum()) if len(report.overview) else 0
        cards.append(
            kpi_card(
                f"{total}/{n}",
                t(f"saf.kpi.{key}", lang),
                " · ".join(parts),
                def_key,
                lang,
                tone="warn" if key == "fatal" and total else "neutral",
                kpi_id=f"saf-kpi-{key}",
            )
        )
    return kpi_row(cards, row_id=ids.SAF_KPIS)


def _listing(report: SafetyReport, ctx: PageContext) -> Component:
    lang = ctx.lang

    def day(x: Any) -> str | None:
        return None if pd.isna(x) else pd.Timestamp(x).date().isoformat()

    rows = [
        {
            "subject": e.subject_id,
            "center": e.center_id,
            "arm": arm_label(e.arm, lang),
            "term": e.term,
            "soc": e.soc,
            "grade": None if pd.isna(e.grade) else int(e.grade),
            "serious": t("saf.yes", lang) if e.serious else t("saf.no", lang),
            "serious_code": "SAE" if e.serious else "non-serious",
            "attribution": label("attr", str(e.attribution), lang)
            if pd.notna(e.attribution)
            else t("saf.not_recorded", lang),
            "onset": day(e.onset_on),
            "day": None if pd.isna(e.days_since_procedure) else int(e.days_since_procedure),
            "resolved": day(e.resolved_on),
            "outcome": label("outcome", str(e.outcome), lang) if pd.notna(e.outcome) else None,
            "lag": None if pd.isna(e.lag_days) else int(e.lag_days),
        }
        for e in report.events.itertuples()
    ]
    # Eleven visible columns fit 1280 px without sideways scrolling; SOC and the resolution
    # date are hidden here (the incidence table has SOC) but kept in the CSV export.
    number = {"filter": "agNumberColumnFilter", "minWidth": 70, "maxWidth": 95}
    columns: list[dict[str, Any]] = [
        {
            "field": "subject",
            "headerName": t("saf.col.subject", lang),
            "minWidth": 100,
            "maxWidth": 120,
            "cellClass": "subject-link",
        },
        {
            "field": "center",
            "headerName": t("saf.col.center", lang),
            "minWidth": 70,
            "maxWidth": 85,
        },
        {"field": "arm", "headerName": t("saf.col.arm", lang), "minWidth": 125},
        {"field": "term", "headerName": t("saf.col.term", lang), "minWidth": 140},
        {"field": "soc", "headerName": t("saf.col.soc", lang), "hide": True},
        {"field": "grade", "headerName": t("saf.col.grade", lang), **number},
        {
            "field": "serious",
            "headerName": t("saf.col.serious", lang),
            "minWidth": 80,
            "maxWidth": 95,
        },
        {"field": "attribution", "headerName": t("saf.col.attribution", lang), "minWidth": 95},
        {"field": "onset", "headerName": t("saf.col.onset", lang), "minWidth": 105},
        {"field": "day", "headerName": t("saf.col.day", lang), **number},
        {"field": "resolved", "headerName": t("saf.col.resolved", lang), "hide": True},
        {"field": "outcome", "headerName": t("saf.col.outcome", lang), "minWidth": 100},
        {"field": "lag", "headerName": t("saf.col.lag", lang), **number},
        {"field": "serious_code", "hide": True},
    ]
    toggles = dbc.Checklist(
        id=ids.SAF_TOGGLES,
        switch=True,
        inline=True,
        value=[],
        options=[
            {"label": t("saf.toggle.serious", lang), "value": "serious"},
            {"label": t("saf.toggle.grade3", lang), "value": "grade3"},
        ],
    )
    body = (
        listing(
            LISTING,
            rows,
            columns,
            lang,
            "adverse-events.csv",
            height_rows=15,
            row_class_rules={
                "row-fatal": "params.data.grade == 5",
                "row-sae": "params.data.serious_code == 'SAE' && params.data.grade != 5",
            },
        )
        if rows
        else empty_state(t("saf.empty", lang))
    )
    return html.Div(
        [
            html.H2(
                [t("saf.listing.title", lang), help_button("def.serious", lang)], className="h6"
            ),
            html.P(t("saf.listing.help", lang), className="small text-muted"),
            toggles,
            body,
            html.Div(
                empty_state(t("saf.timeline.pick", lang)), id=ids.SAF_TIMELINE, className="mt-3"
            ),
        ],
        className="graph-card table-card",
        id="saf-listing-card",
    )


def _incidence(report: SafetyReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    inc = report.incidence
    if inc.empty:
        return html.Div(
            [
                html.H2(t("saf.incidence.title", lang), className="h6"),
                empty_state(t("saf.empty", lang)),
            ],
            className="graph-card table-card",
        )
    rows = []
    for r in inc.to_dict("records"):
        row = {"soc": r["soc"], "term": r["term"]}
        for arm, n in report.n_by_arm.items():
            row[f"{arm}_any"] = _pct(r[f"{arm}_any"], n)
            row[f"{arm}_g3"] = _pct(r[f"{arm}_g3"], n)
            row[f"{arm}_grades"] = " / ".join(str(r[f"{arm}_g{g}"]) for g in range(1, 6))
        rows.append(row)
    columns: list[dict[str, Any]] = [
        {"field": "soc", "headerName": t("saf.col.soc", lang), "minWidth": 160},
        {"field": "term", "headerName": t("saf.col.term", lang), "minWidth": 140},
    ]
    for arm, n in report.n_by_arm.items():
        name = f"{t(f'arm.{arm}', lang)} (n = {n})"
        columns.append(
            {
                "headerName": name,
                "children": [
                    {"field": f"{arm}_any", "headerName": t("saf.col.any", lang), "minWidth": 100},
                    {"field": f"{arm}_g3", "headerName": t("saf.col.g3", lang), "minWidth": 100},
                    {
                        "field": f"{arm}_grades",
                        "headerName": t("saf.col.worst", lang),
                        "minWidth": 120,
                    },
                ],
            }
        )
    return html.Div(
        [
            html.H2(
                [t("saf.incidence.title", lang), help_button("def.incidence", lang)], className="h6"
            ),
            listing(
                ids.SAF_INCIDENCE, rows, columns, lang, "ae-incidence-by-term.csv", height_rows=12
            ),
        ],
        className="graph-card table-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_safety(ctx.db, ctx.protocol, ctx.scope)
    arms = [a for a in ctx.protocol.arms if a.code in report.n_by_arm]
    centers = [c for c in ctx.protocol.center_codes if c in ctx.scope.centers]
    scope_label = (
        t("center.all", lang) if len(centers) == len(ctx.protocol.centers) else ", ".join(centers)
    )
    date = format_date(report.as_of, lang)
    n = sum(report.n_by_arm.values())
    sub = t("saf.subtitle", lang, scope=scope_label, n=n, events=len(report.events), date=date)
    has = len(report.events) > 0
    empty = t("saf.empty", lang)
    note = (
        [
            dbc.Alert(
                t("saf.ungradable", lang, n=report.ungradable),
                color="warning",
                className="py-2 small",
            )
        ]
        if report.ungradable
        else []
    )
    return html.Div(
        [
            html.H1(t("saf.title", lang), className="page-title"),
            _kpis(report, ctx),
            *note,
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figs.overview_figure(report.overview, arms, lang, sub, present)
                            if has
                            else None,
                            ids.SAF_OVERVIEW,
                            empty,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figs.interest_figure(report.interest, arms, lang, sub, present)
                            if has
                            else None,
                            ids.SAF_INTEREST,
                            empty,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            _listing(report, ctx) if ctx.identifiers else hidden_note(lang),
            _incidence(report, ctx),
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figs.center_rates_figure(report.centers, lang, sub, present)
                            if n
                            else None,
                            ids.SAF_CENTERS,
                            empty,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figs.lag_figure(report.events, report.lag, lang, sub, present)
                            if has
                            else None,
                            ids.SAF_LAG,
                            empty,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            graph(
                figs.onset_figure(
                    report.events,
                    ctx.protocol.events_of_interest,
                    arms,
                    lang,
                    sub,
                    present,
                    identifiers=ctx.identifiers,
                )
                if has
                else None,
                ids.SAF_ONSET,
                empty,
            ),
        ]
    )


def filter_model(toggles: list[str] | None) -> dict[str, Any]:
    """AG Grid filter model for the quick toggles ('serious' and/or 'grade3')."""
    model: dict[str, Any] = {}
    if toggles and "serious" in toggles:
        model["serious_code"] = {"filterType": "text", "type": "equals", "filter": "SAE"}
    if toggles and "grade3" in toggles:
        model["grade"] = {"filterType": "number", "type": "greaterThanOrEqual", "filter": 3}
    return model


def register_callbacks(app: Dash, state: AppState) -> None:
    """Quick toggles set the grid's filters; a click on a row draws that subject's timeline."""

    @app.callback(
        Output({"type": GRID, "name": LISTING}, "filterModel"),
        Input(ids.SAF_TOGGLES, "value"),
        prevent_initial_call=True,
    )
    def toggle(values: list[str] | None) -> dict[str, Any]:
        return filter_model(values)

    @app.callback(
        Output(ids.SAF_TIMELINE, "children"),
        Input({"type": GRID, "name": LISTING}, "cellClicked"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def timeline(cell: dict[str, Any] | None, search: str | None) -> Any:
        if not cell or not cell.get("rowId") and not cell.get("value"):
            return no_update
        ctx = context_from_search(state, search)
        lang = ctx.lang
        if not ctx.identifiers:
            return hidden_note(lang)
        subject = str(cell.get("value")) if cell.get("colId") == "subject" else None
        if subject is None:
            return no_update
        try:
            tl = load_subject_timeline(ctx.db, ctx.protocol, ctx.scope, subject)
        except DatabaseUnavailable as exc:
            return error_state(t("error.title", lang), str(exc), t("error.what_to_do", lang))
        if tl.events.empty:
            return empty_state(t("saf.timeline.none", lang, subject=subject))
        fig = figs.subject_timeline_figure(
            tl.events,
            tl.day0,
            tl.sbrt,
            pd.Timestamp(ctx.scope.as_of),
            subject,
            lang,
            ctx.view.present,
        )
        return graph(fig, ids.SAF_TIMELINE_GRAPH, "")

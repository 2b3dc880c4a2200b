"""The frame around every page: navbar, filter bar whose state lives in the URL, page container."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components import grid
from dashboard.components.common import error_state
from dashboard.i18n import LANGUAGES, format_date, t
from dashboard.pages import PAGES, PageSpec, find_page
from dashboard.services import AppState, PageContext, default_as_of, page_context
from dashboard.urlstate import ViewState
from data_access.engine import DatabaseUnavailable
from data_access.scope import Scope

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def layout(state: AppState) -> Component:
    """The static shell; the router callback fills it for each URL."""
    protocol = state.protocol
    nav_aria: dict[str, Any] = {"aria-label": "pages"}
    filter_bar = html.Div(
        [
            html.Div(
                [
                    html.Span(id=ids.F_CENTERS_LABEL, className="filter-label"),
                    dbc.Checklist(
                        id=ids.F_CENTERS,
                        options=[{"label": c.code, "value": c.code} for c in protocol.centers],
                        value=list(protocol.center_codes),
                        inline=True,
                    ),
                ],
                className="filter-group",
            ),
            html.Div(
                [
                    html.Span(id=ids.F_ARMS_LABEL, className="filter-label"),
                    dbc.Checklist(
                        id=ids.F_ARMS,
                        options=[{"label": a.label, "value": a.code} for a in protocol.arms],
                        value=list(protocol.arm_codes),
                        inline=True,
                        className="arm-checklist",
                    ),
                ],
                className="filter-group",
            ),
            html.Div(
                [
                    html.Label(id=ids.F_ASOF_LABEL, htmlFor=ids.F_ASOF, className="filter-label"),
                    dcc.DatePickerSingle(
                        id=ids.F_ASOF,
                        display_format="YYYY-MM-DD",
                        first_day_of_week=1,
                        clearable=False,
                    ),
                ],
                className="filter-group",
            ),
            html.Div(
                dbc.RadioItems(
                    id=ids.F_LANG,
                    options=[{"label": LANGUAGE_NAMES[code], "value": code} for code in LANGUAGES],
                    value="en",
                    inline=True,
                ),
                className="filter-group ms-auto",
            ),
        ],
        className="filter-bar",
        role="search",
    )
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            html.Header(
                [
                    html.Div(
                        [
                            html.Span(protocol.short_title, className="brand"),
                            html.Span(id=ids.STAMP, className="stamp"),
                        ],
                        className="brand-row",
                    ),
                    html.Nav(id=ids.NAV, className="page-nav", **nav_aria),
                    filter_bar,
                    html.Div(id=ids.FILTER_NOTE, className="filter-note", role="status"),
                ],
                className="shell-header",
            ),
            dcc.Loading(html.Main(id=ids.PAGE, className="page"), type="default", delay_show=400),
        ],
        className="shell",
    )


def _nav(active: PageSpec | None, search: str, lang: str) -> list[Component]:
    items: list[Component] = []
    for page in PAGES:
        if page.render is None:
            items.append(
                html.Span(
                    [t(page.nav_key, lang), html.Small(t("nav.planned", lang))],
                    className="nav-item planned",
                    title=t("page.planned", lang),
                )
            )
        else:
            cls = "nav-item active" if page is active else "nav-item"
            items.append(dcc.Link(t(page.nav_key, lang), href=page.path + search, className=cls))
    return items


def _filter_note(view: ViewState, scope: Scope, state: AppState, lang: str) -> str:
    parts = []
    protocol = state.protocol
    if not scope.centers:
        return t("filter.no_centers", lang)
    if len(scope.centers) < len(protocol.centers):
        parts.append(t("filter.showing_centers", lang, centers=", ".join(scope.centers)))
    if scope.arms is not None:
        parts.append(
            t(
                "filter.showing_arms",
                lang,
                arms=", ".join(t(f"arm.{a}", lang) for a in scope.arms) or "–",
            )
        )
    if view.as_of is not None:
        parts.append(t("filter.showing_as_of", lang, date=format_date(view.as_of, lang)))
    return " · ".join(parts)


def render_page(page: PageSpec | None, pathname: str, context: PageContext) -> Component:
    """The page for a path, or a 404 / planned / error state; never a traceback."""
    lang = context.lang
    if page is None:
        return html.Div(
            [
                html.P(t("error.not_found", lang, path=pathname)),
                dcc.Link(t("error.back_home", lang), href="/"),
            ],
            className="empty-state",
        )
    if page.render is None:
        return html.Div(t("page.planned", lang), className="empty-state")
    if not context.scope.centers:
        return html.Div(t("filter.no_centers", lang), className="empty-state")
    try:
        return page.render(context)
    except DatabaseUnavailable as exc:
        return error_state(t("error.title", lang), str(exc), t("error.what_to_do", lang))
    except Exception as exc:  # a page must degrade, not crash the app
        log.exception("page %s failed", page.path)
        return error_state(
            t("error.title", lang),
            t("error.page_failed", lang, reason=type(exc).__name__),
            t("error.what_to_do", lang),
        )


def register_callbacks(app: Dash, state: AppState) -> None:
    """The router: URL <-> filter controls, and the page for the current view."""
    grid.register_callbacks(app)
    for spec in PAGES:
        if spec.register_callbacks is not None:
            spec.register_callbacks(app, state)
    protocol = state.protocol
    centers, arms = protocol.center_codes, protocol.arm_codes
    filter_inputs = (ids.F_CENTERS, ids.F_ARMS, ids.F_ASOF, ids.F_LANG)

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.URL, "search"),
        Output(ids.F_CENTERS, "value"),
        Output(ids.F_ARMS, "value"),
        Output(ids.F_ASOF, "date"),
        Output(ids.F_LANG, "value"),
        Output(ids.NAV, "children"),
        Output(ids.FILTER_NOTE, "children"),
        Output(ids.STAMP, "children"),
        Output(ids.F_CENTERS_LABEL, "children"),
        Output(ids.F_ARMS_LABEL, "children"),
        Output(ids.F_ARMS, "options"),
        Output(ids.F_ASOF_LABEL, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        Input(ids.F_CENTERS, "value"),
        Input(ids.F_ARMS, "value"),
        Input(ids.F_ASOF, "date"),
        Input(ids.F_LANG, "value"),
        State(ids.URL, "search"),
    )
    def route(
        pathname: str | None,
        search: str | None,
        f_centers: list[str] | None,
        f_arms: list[str] | None,
        f_as_of: str | None,
        f_lang: str | None,
        _current: str | None,
    ) -> tuple[Any, ...]:
        db = state.db
        try:
            data_date = default_as_of(state.settings, db)
            db_error = None
        except DatabaseUnavailable as exc:
            data_date, db_error = state.settings.as_of or dt.date.today(), str(exc)
        url_view = ViewState.from_search(search, centers, arms)
        if ctx.triggered_id in filter_inputs:
            view = ViewState.from_controls(
                f_centers,
                f_arms,
                f_as_of,
                f_lang,
                centers,
                arms,
                data_date,
                present=url_view.present,
            )
            new_search = view.to_search()
            search_out: Any = new_search if new_search != (search or "") else no_update
            controls: tuple[Any, ...] = (no_update,) * 4
        else:
            view = url_view
            new_search = search or ""
            search_out = no_update
            controls = (
                list(view.centers if view.centers is not None else centers),
                list(view.arms if view.arms is not None else arms),
                (view.as_of or data_date).isoformat(),
                view.lang,
            )
        lang = view.lang
        context = page_context(state, view, data_date)
        scope = context.scope
        page = find_page(pathname)
        if db_error is not None:
            content: Component = error_state(
                t("error.title", lang), db_error, t("error.what_to_do", lang)
            )
        else:
            content = render_page(page, pathname or "/", context)
        stamp = t("stamp.data_as_of", lang, date=format_date(scope.as_of, lang))
        return (
            content,
            search_out,
            *controls,
            _nav(page, new_search, lang),
            _filter_note(view, scope, state, lang),
            stamp,
            t("filter.centers", lang),
            t("filter.arms", lang),
            [{"label": t(f"arm.{a.code}", lang), "value": a.code} for a in protocol.arms],
            t("filter.as_of", lang),
        )

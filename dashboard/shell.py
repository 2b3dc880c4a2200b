"""The frame around every page: navbar, filter bar whose state lives in the URL, page container."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import ids, report
from dashboard.auth import audit, csrf_token, current_user_or_none
from dashboard.cache import memoize
from dashboard.components import grid
from dashboard.components.common import error_state
from dashboard.fairshare import Busy
from dashboard.i18n import LANGUAGES, format_date, t, tn
from dashboard.pages import PAGES, PageSpec, find_page
from dashboard.services import (
    AppState,
    PageContext,
    context_from_search,
    default_as_of,
    page_context,
)
from dashboard.urlstate import ViewState
from data_access.engine import DatabaseUnavailable
from data_access.scope import Scope

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


# The "since" selector's "no comparison" option: a value of its own (an empty value shows a
# blank select).
NO_SINCE = "none"


# With more centers than this, the center filter is a compact multi-select (a dropdown), not
# a row of checkboxes; arms likewise when their labels would not fit on one line.
INLINE_CENTERS = 6
_ARIA_COLLAPSED: dict[str, Any] = {"aria-expanded": "false"}
INLINE_ARM_CHARS = 36


def compact_centers(protocol: Any) -> bool:
    """Whether the center filter is a dropdown (many centers) rather than checkboxes."""
    return len(protocol.centers) > INLINE_CENTERS


def compact_arms(protocol: Any) -> bool:
    """Whether the arm filter is a dropdown (many arms or long labels) rather than checkboxes."""
    return len(protocol.arms) > 3 or sum(len(a.label) for a in protocol.arms) > INLINE_ARM_CHARS


def _multi(control_id: str, options: list[Any], value: list[str], compact: bool) -> Component:
    """A multi-choice filter: checkboxes, or a dropdown that says "3 selected" when compact."""
    if compact:
        return dcc.Dropdown(
            id=control_id,
            options=options,
            value=value,
            multi=True,
            clearable=False,
            closeOnSelect=False,
            debounce=True,  # one change when the menu closes, not one per click
            search_order="original",
            className="filter-dropdown",
        )
    return dbc.Checklist(id=control_id, options=options, value=value, inline=True)


def layout(state: AppState) -> Component:
    """The static shell; the router callback fills it for each URL.

    Two rows at most (brand and pages; filters), whatever the trial: many centers or long arm
    labels turn their filter into a compact dropdown. In presentation mode the header is one
    row (brand, a page menu, what the view shows, "Filters" to open the filter row, the switch
    back); the view line (data date, what a filter hides) sits above the page.
    """
    protocol = state.protocol
    nav_aria: dict[str, Any] = {"aria-label": "pages"}
    filter_bar = html.Div(
        [
            html.Div(
                [
                    html.Span(id=ids.F_CENTERS_LABEL, className="filter-label"),
                    _multi(
                        ids.F_CENTERS,
                        [{"label": c.code, "value": c.code} for c in protocol.centers],
                        list(protocol.center_codes),
                        compact_centers(protocol),
                    ),
                ],
                className="filter-group filter-centers",
            ),
            html.Div(
                [
                    html.Span(id=ids.F_ARMS_LABEL, className="filter-label"),
                    _multi(
                        ids.F_ARMS,
                        _arm_options(protocol, "en"),
                        list(protocol.arm_codes),
                        compact_arms(protocol),
                    ),
                ],
                className="filter-group arm-checklist",
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
                [
                    html.Label(id=ids.F_SINCE_LABEL, htmlFor=ids.F_SINCE, className="filter-label"),
                    dbc.Select(
                        id=ids.F_SINCE, options=[], value=NO_SINCE, className="since-select"
                    ),
                ],
                className="filter-group",
            ),
            html.Button(
                id=ids.FILTERS_TOGGLE,
                className="btn btn-sm btn-outline-secondary filters-toggle",
                type="button",
                **_ARIA_COLLAPSED,
            ),
            html.Div(
                [
                    dbc.Switch(id=ids.F_PRESENT, value=False, className="present-switch", label=""),
                    dbc.RadioItems(
                        id=ids.F_LANG,
                        options=[
                            {"label": LANGUAGE_NAMES[code], "value": code} for code in LANGUAGES
                        ],
                        value="en",
                        inline=True,
                        className="lang-choice",
                    ),
                ],
                className="filter-group filter-mode ms-auto",
            ),
        ],
        className="filter-bar",
        role="search",
    )
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.PRESENT_SINK),
            # "drawn" when the layout came with its page; else a first callback draws it.
            dcc.Store(id=ids.BOOT, data=None),
            dcc.Store(id=ids.KICK),
            dcc.Store(id=ids.RENDERED),
            html.Header(
                [
                    html.Div(
                        [
                            html.Span(protocol.short_title, className="brand"),
                            dbc.DropdownMenu(
                                id=ids.PAGE_MENU,
                                label="",
                                children=[],
                                className="page-menu",
                                size="sm",
                            ),
                            html.Nav(id=ids.NAV, className="page-nav", **nav_aria),
                            html.Span(id=ids.SCOPE_SUMMARY, className="scope-summary"),
                            html.Span(id=ids.PANEL_POS, className="panel-pos", role="status"),
                            html.Div(
                                [
                                    html.Button(
                                        id=ids.COPY_LINK,
                                        className="btn btn-sm btn-outline-secondary",
                                        type="button",
                                    ),
                                    html.Button(
                                        id=ids.PACK_BUTTON,
                                        className="btn btn-sm btn-outline-secondary",
                                        type="button",
                                    ),
                                    dcc.Loading(
                                        html.Span(id=ids.PACK_STATUS, className="pack-status"),
                                        type="circle",
                                    ),
                                    dcc.Download(id=ids.PACK_HTML),
                                    dcc.Download(id=ids.PACK_PDF),
                                    html.Span(id=ids.USER, className="user-badge"),
                                ],
                                className="shell-actions",
                            ),
                        ],
                        className="bar-top",
                    ),
                    filter_bar,
                ],
                className="shell-header",
                id=ids.HEADER,
            ),
            html.Div(
                [
                    html.Span(id=ids.STAMP, className="stamp"),
                    html.Span(id=ids.FILTER_NOTE, className="filter-note", role="status"),
                ],
                className="view-line",
            ),
            dcc.Loading(html.Main(id=ids.PAGE, className="page"), type="default", delay_show=400),
        ],
        className="shell",
    )


def _arm_options(protocol: Any, lang: str) -> list[dict[str, Any]]:
    """The arm filter's options, each underlined in its arm's colour (text in a dropdown)."""
    if compact_arms(protocol):
        return [{"label": a.name(lang), "value": a.code} for a in protocol.arms]
    return [
        {
            "label": html.Span(
                a.name(lang),
                className="arm-option",
                style={"borderBottom": f"3px solid {a.colour}"},
            ),
            "value": a.code,
        }
        for a in protocol.arms
    ]


def _nav(active: PageSpec | None, search: str, lang: str, state: AppState) -> list[Component]:
    items: list[Component] = []
    for page in PAGES:
        if not page.applies(state.protocol):
            continue
        cls = "nav-item active" if page is active else "nav-item"
        items.append(dcc.Link(t(page.nav_key, lang), href=page.path + search, className=cls))
    return items


def _page_menu(
    active: PageSpec | None, search: str, lang: str, state: AppState
) -> tuple[str, list[Component]]:
    """The pages as a menu (presentation mode's one-row header): its label and items."""
    items = [
        dbc.DropdownMenuItem(t(page.nav_key, lang), href=page.path + search, active=page is active)
        for page in PAGES
        if page.applies(state.protocol)
    ]
    return (t(active.nav_key, lang) if active else t("shell.pages", lang)), items


def _multi_labels(lang: str) -> dict[str, str]:
    """The compact multi-select's own texts."""
    return {
        "select_all": t("filter.select_all", lang),
        "deselect_all": t("filter.deselect_all", lang),
        "selected_count": t("filter.selected_count", lang),
        "search": t("grid.search", lang),
        "clear_search": t("filter.clear_search", lang),
        "clear_selection": t("filter.clear_selection", lang),
        "no_options_found": t("filter.no_options", lang),
    }


def _user_menu(user: Any, lang: str) -> Component:
    """The signed-in user as a small menu: who and in which role, and "Sign out"."""
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(
                t("shell.user", lang, user=user.username, role=t(f"role.{user.role}", lang)),
                header=True,
            ),
            # Sign out is a POST with the session's token: no link elsewhere can do it.
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                    html.Button(
                        t("shell.logout", lang),
                        type="submit",
                        className="dropdown-item",
                        id="shell-logout",
                    ),
                ],
                action="/logout",
                method="post",
                className="m-0",
            ),
        ],
        label=user.username,
        size="sm",
        align_end=True,
        color="link",
        className="user-menu",
    )


def _scope_summary(view: ViewState, scope: Scope, state: AppState, lang: str) -> str:
    """One line of what the view shows (presentation mode's header): centers, arms, date."""
    protocol = state.protocol
    if not scope.centers:
        return t("filter.no_centers", lang)
    centers = (
        t("center.all", lang)
        if len(scope.centers) == len(protocol.centers)
        else ", ".join(scope.centers)
        if len(scope.centers) <= 3
        else tn("n.centers", len(scope.centers), lang)
    )
    arms = (
        t("filter.all_arms", lang)
        if scope.arms is None
        else ", ".join(protocol.arm_label(a, lang) for a in scope.arms) or "–"
    )
    return " · ".join(
        (centers, arms, t("stamp.data_as_of", lang, date=format_date(scope.as_of, lang)))
    )


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
                arms=", ".join(protocol.arm_label(a, lang) for a in scope.arms) or "–",
            )
        )
    if view.as_of is not None:
        parts.append(t("filter.showing_as_of", lang, date=format_date(view.as_of, lang)))
    return " · ".join(parts)


def render_page(page: PageSpec | None, pathname: str, context: PageContext) -> Component:
    """The page for a path, or a 404 / error state; never a traceback."""
    lang = context.lang
    if page is None:
        return html.Div(
            [
                html.P(t("error.not_found", lang, path=pathname)),
                dcc.Link(t("error.back_home", lang), href="/"),
            ],
            className="empty-state",
        )
    if not context.scope.centers:
        return html.Div(t("filter.no_centers", lang), className="empty-state")
    user = current_user_or_none()

    def compute() -> Component:
        # A page computed (not found in the cache) holds one of its account's slots.
        with context.state.fair.slot(user.username if user else "-"):
            return page.render(context)

    try:
        # The rendered page is cached per view, scope, rights and data version (a new data
        # version, i.e. any change to the trial data, starts afresh).
        return memoize(
            "page",
            context.db.url,
            (
                page.path,
                context.view,
                context.scope.cache_key(),
                context.rights,
                context.identifiers,
            ),
            compute,
        )
    except Busy:
        return html.Div(
            t("error.busy", lang, n=context.state.fair.limit),
            className="empty-state",
            id="page-busy",
        )
    except DatabaseUnavailable as exc:
        return error_state(t("error.title", lang), str(exc), t("error.what_to_do", lang))
    except Exception as exc:  # a page must degrade, not crash the app
        log.exception("page %s failed", page.path)
        return error_state(
            t("error.page_title", lang),
            t("error.page_failed", lang, reason=type(exc).__name__),
            t("error.page_advice", lang),
        )


def listing_rows(state: AppState, name: str, request: Any, search: Any) -> Any:
    """One block of a listing's rows for the request's user and view (rights applied)."""
    from dashboard.listings import LISTINGS, rows_page

    ctx = context_from_search(state, search if isinstance(search, str) else None)
    if not ctx.identifiers or not ctx.scope.centers:
        return {"rowData": [], "rowCount": 0}
    # A database that does not answer is a 503 with its message (app.py), not an empty grid.
    return rows_page(LISTINGS[name], request if isinstance(request, dict) else {}, ctx)


FILTER_INPUTS = (ids.F_CENTERS, ids.F_ARMS, ids.F_ASOF, ids.F_LANG, ids.F_PRESENT)


def route_outputs(protocol: Any) -> list[tuple[str, str]]:
    """What the router sets for a view, in the order route_values gives them."""
    out = [
        (ids.PAGE, "children"),
        (ids.URL, "search"),
        (ids.F_CENTERS, "value"),
        (ids.F_ARMS, "value"),
        (ids.F_ASOF, "date"),
        (ids.F_LANG, "value"),
        (ids.F_PRESENT, "value"),
        (ids.NAV, "children"),
        (ids.FILTER_NOTE, "children"),
        (ids.STAMP, "children"),
        (ids.F_CENTERS_LABEL, "children"),
        (ids.F_CENTERS, "options"),
        (ids.F_ARMS_LABEL, "children"),
        (ids.F_ARMS, "options"),
        (ids.F_ASOF_LABEL, "children"),
        (ids.F_PRESENT, "label"),
        (ids.COPY_LINK, "children"),
        (ids.PACK_BUTTON, "children"),
        (ids.USER, "children"),
        (ids.PAGE_MENU, "label"),
        (ids.PAGE_MENU, "children"),
        (ids.SCOPE_SUMMARY, "children"),
        (ids.FILTERS_TOGGLE, "children"),
        (ids.RENDERED, "data"),
    ]
    # The compact multi-selects' own texts follow the language too.
    out += [(ids.F_CENTERS, "labels")] if compact_centers(protocol) else []
    out += [(ids.F_ARMS, "labels")] if compact_arms(protocol) else []
    return out


def route_values(
    state: AppState,
    pathname: str | None,
    search: str | None,
    controls: tuple[Any, ...] | None = None,
) -> tuple[Any, ...]:
    """The page and the shell for a view (route_outputs' order).

    From the URL, or from the filter controls when `controls` (centers, arms, date, language,
    presentation) changed: the view then goes into the URL.
    """
    protocol = state.protocol
    centers, arms = protocol.center_codes, protocol.arm_codes
    db = state.db
    user = current_user_or_none()
    try:
        data_date = default_as_of(state.settings, db)
        db_error = None
    except DatabaseUnavailable as exc:
        data_date, db_error = state.settings.as_of or dt.date.today(), str(exc)
    url_view = ViewState.from_search(search, centers, arms)
    if user is not None and "lang=" not in (search or ""):
        url_view = replace(url_view, lang=user.lang)  # the user's remembered language
    if controls is not None:
        f_centers, f_arms, f_as_of, f_lang, f_present = controls
        view = ViewState.from_controls(
            f_centers, f_arms, f_as_of, f_lang, centers, arms, data_date, present=bool(f_present)
        )
        # The comparison and the page's own state (search, switches) stay with the filters.
        view = replace(view, since=url_view.since, page=url_view.page)
        if user is not None and state.users is not None and view.lang != user.lang:
            state.users.set_language(user.username, view.lang)
        new_search = view.to_search()
        search_out: Any = new_search if new_search != (search or "") else no_update
        control_values: tuple[Any, ...] = (no_update,) * 5
    else:
        view = url_view
        search_out = no_update
        control_values = (
            list(view.centers if view.centers is not None else centers),
            list(view.arms if view.arms is not None else arms),
            (view.as_of or data_date).isoformat(),
            view.lang,
            view.present,
        )
    lang = view.lang
    context = page_context(state, view, data_date)
    scope = context.scope
    allowed = [c for c in centers if context.rights.centers is None or c in context.rights.centers]
    page = find_page(pathname)
    if db_error is not None:
        content: Component = error_state(
            t("error.title", lang), db_error, t("error.what_to_do", lang)
        )
    else:
        content = render_page(page, pathname or "/", context)
        audit(
            "page_view",
            {
                "path": (pathname or "/")[:100],
                "asked": list(view.centers) if view.centers is not None else "all",
                "granted": list(scope.centers),
                "arms": list(view.arms) if view.arms is not None else "all",
                "as_of": scope.as_of.isoformat(),
            },
        )
    stamp = t("stamp.data_as_of", lang, date=format_date(scope.as_of, lang))
    who: Any = _user_menu(user, lang) if user is not None else ""
    normal_search = view.shared().to_search()  # normalised: never echo raw input
    menu_label, menu_items = _page_menu(page, normal_search, lang, state)
    labels = [_multi_labels(lang)] * (int(compact_centers(protocol)) + int(compact_arms(protocol)))
    return (
        content,
        search_out,
        *control_values,
        _nav(page, normal_search, lang, state),
        _filter_note(view, scope, state, lang),
        stamp,
        t("filter.centers", lang),
        [{"label": c, "value": c} for c in allowed],
        t("filter.arms", lang),
        _arm_options(protocol, lang),
        t("filter.as_of", lang),
        t("shell.present", lang),
        t("shell.copy_link", lang),
        t("shell.pack", lang),
        who,
        menu_label,
        menu_items,
        _scope_summary(view, scope, state, lang),
        t("shell.filters", lang),
        drawn_for(pathname, view.to_search() if controls is not None else search),
        *labels,
    )


def drawn_for(pathname: str | None, search: str | None) -> str:
    """What a drawn page depends on: its path and its address' query.

    Without the page's own state: a listing's search text and switches are applied in the
    browser, not by drawing the page again.
    """
    from urllib.parse import parse_qsl, urlencode

    from dashboard.urlstate import PAGE_PARAM

    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not PAGE_PARAM.match(k)]
    return f"{pathname or '/'}?{urlencode(kept, safe=',')}"


def initial_layout(state: AppState) -> Component:
    """The shell with the first page already in it: the layout a browser asks for first.

    The page to draw is the address the layout is asked from (the Referer of /_dash-layout,
    which the Referrer-Policy keeps for the same origin): the page, the filters, the "since"
    options and the address bar's own state are set here, so that loading a page runs no
    callback chain (route, then "since", then the rest). Without a Referer the shell comes
    empty and the router draws the page as the first callback, as before.
    """
    from urllib.parse import urlsplit

    from flask import has_request_context, request

    shell = layout(state)
    if not has_request_context() or current_user_or_none() is None:
        return shell
    referrer = urlsplit(request.referrer or "")
    if not referrer.path or referrer.netloc != request.host:
        return shell
    search = f"?{referrer.query}" if referrer.query else ""
    for (cid, prop), value in zip(
        route_outputs(state.protocol),
        route_values(state, referrer.path, search),
        strict=True,
    ):
        if value is not no_update:
            setattr(shell[cid], prop, value)
    options, since, label = since_values(state, search, referrer.path)
    shell[ids.F_SINCE].options, shell[ids.F_SINCE].value = options, since
    shell[ids.F_SINCE_LABEL].children = label
    location = shell[ids.URL]
    location.pathname, location.search = referrer.path, search
    location.href = request.referrer
    shell[ids.BOOT].data = "drawn"
    return shell


def register_callbacks(app: Dash, state: AppState) -> None:
    """The router: URL <-> filter controls, and the page for the current view."""
    grid.register_callbacks(
        app, lambda name, request, search: listing_rows(state, name, request, search)
    )
    for spec in PAGES:
        register = spec.register_callbacks
        if register is not None:
            register(app, state)
    protocol = state.protocol
    # A shell that came without its page (no Referer): ask the router for it, once.
    app.clientside_callback(
        """
        function(boot) {
            return boot === "drawn" ? window.dash_clientside.no_update : Date.now();
        }
        """,
        Output(ids.KICK, "data"),
        Input(ids.BOOT, "data"),
    )

    @app.callback(
        *(Output(cid, prop) for cid, prop in route_outputs(protocol)),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        Input(ids.F_CENTERS, "value"),
        Input(ids.F_ARMS, "value"),
        Input(ids.F_ASOF, "date"),
        Input(ids.F_LANG, "value"),
        Input(ids.F_PRESENT, "value"),
        Input(ids.KICK, "data"),
        State(ids.RENDERED, "data"),
        # The first page comes with the layout (initial_layout); this runs for what the user
        # changes afterwards, and on load only when the layout could not draw the page.
        prevent_initial_call=True,
    )
    def route(
        pathname: str | None,
        search: str | None,
        f_centers: list[str] | None,
        f_arms: list[str] | None,
        f_as_of: str | None,
        f_lang: str | None,
        f_present: bool | None,
        kick: Any,
        rendered: Any,
    ) -> tuple[Any, ...]:
        by_filter = ctx.triggered_id in FILTER_INPUTS
        # Only the page's own state changed (a search typed, a switch): already on screen.
        if ctx.triggered_id == ids.URL and rendered == drawn_for(pathname, search):
            raise PreventUpdate
        controls = (f_centers, f_arms, f_as_of, f_lang, f_present) if by_filter else None
        return route_values(state, pathname, search, controls)

    # Presentation mode's "Filters" opens the filter row (the header is one row without it).
    app.clientside_callback(
        """
        function(n) {
            const header = document.getElementById("shell-header");
            if (!header || !n) { return window.dash_clientside.no_update; }
            const open = header.classList.toggle("filters-open");
            return open ? "true" : "false";
        }
        """,
        Output(ids.FILTERS_TOGGLE, "aria-expanded"),
        Input(ids.FILTERS_TOGGLE, "n_clicks"),
        prevent_initial_call=True,
    )
    # Presentation mode is a class on <body> (large type, high contrast), set from the URL.
    app.clientside_callback(
        """
        function(search) {
            const on = /(?:^|[?&])present=1(?:&|$)/.test(search || "");
            document.body.classList.toggle("present", on);
            document.documentElement.classList.toggle("present", on);
            return on;
        }
        """,
        Output(ids.PRESENT_SINK, "data"),
        Input(ids.URL, "search"),
    )
    app.clientside_callback(
        """
        function(n, label) {
            if (!n) { return window.dash_clientside.no_update; }
            const url = window.location.href;
            if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(url);
                return "✓ " + label.replace(/^✓ /, "");
            }
            window.prompt("Copy this link:", url);
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.COPY_LINK, "children", allow_duplicate=True),
        Input(ids.COPY_LINK, "n_clicks"),
        State(ids.COPY_LINK, "children"),
        prevent_initial_call=True,
    )
    report.register_callbacks(app, state)
    register_since(app, state)


def register_since(app: Dash, state: AppState) -> None:
    """The "since" selector: the data cuts to compare with, in the URL like every filter."""

    @app.callback(
        Output(ids.F_SINCE, "options"),
        Output(ids.F_SINCE, "value"),
        Output(ids.F_SINCE_LABEL, "children"),
        Input(ids.URL, "search"),
        Input(ids.KICK, "data"),
        Input(ids.URL, "pathname"),
        prevent_initial_call=True,  # the layout brings the first ones
    )
    def options(search: Any, kick: Any, path: Any) -> tuple[Any, Any, str]:
        return since_values(
            state,
            search if isinstance(search, str) else None,
            path if isinstance(path, str) else "",
        )

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.F_SINCE, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def choose(value: Any, search: Any) -> Any:
        protocol = state.protocol
        view = ViewState.from_search(
            search if isinstance(search, str) else None, protocol.center_codes, protocol.arm_codes
        )
        since = value if isinstance(value, str) and value and value != NO_SINCE else None
        if since == view.since:
            return no_update
        return replace(view, since=since).to_search()


def since_values(state: AppState, search: str | None, pathname: str = "") -> tuple[Any, Any, str]:
    """The "since" selector's options, value and label for a view.

    What changed compares with the last meeting (else the cut before the latest) when the view
    names none: the selector then shows that cut, not "(no comparison)".
    """
    from dashboard.cuts import CutStore

    view = ViewState.from_search(search, (), ())
    user = current_user_or_none()
    lang = user.lang if user is not None and "lang=" not in (search or "") else view.lang
    opts = [{"label": t("since.none", lang), "value": NO_SINCE}]
    value = view.since or NO_SINCE
    if state.users is not None and user is not None:
        store = CutStore(state.users.engine)
        every = store.list()
        if any(c.label for c in every):
            opts.append({"label": t("since.last", lang), "value": "last"})
        for c in reversed(every):
            opts.append({"label": _cut_name(c, lang), "value": str(c.cut_id)})
        if pathname == "/changes" and view.since is None:
            previous = store.resolve("previous")
            if any(c.label for c in every):
                value = "last"
            elif previous is not None:
                value = str(previous.cut_id)
    return opts, value, t("since.label", lang)


def _cut_name(cut: Any, lang: str) -> str:
    date = format_date(cut.data_as_of, lang)
    return f"{cut.label} ({date})" if cut.label else t("since.cut", lang, date=date, n=cut.cut_id)

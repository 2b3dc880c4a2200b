"""The status form of a work list: pick a row of a listing, set its status and comment.

One form per listing (the data-quality findings, the visit worklist), each with its own ids
(`<prefix>-wf-key`, ...). Statuses live in the app's own store (dashboard.workflow), audited;
who may work an item is decided by the page's `center_of`, with the user's rights applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.auth import audit, current_user_or_none
from dashboard.components.common import hidden_note
from dashboard.components.grid import GRID
from dashboard.i18n import t
from dashboard.services import AppState, PageContext, WorkItem, context_from_search
from dashboard.workflow import (
    NEEDS_COMMENT,
    STATUSES,
    WRITES_PER_MINUTE,
    FindingStore,
    statuses_for,
)
from data_access.engine import DatabaseUnavailable

PARTS = ("key", "item", "status", "comment", "save", "result", "saved", "refreshed")


def form_ids(prefix: str) -> dict[str, str]:
    """The ids of one form's parts."""
    return {part: f"{prefix}-wf-{part}" for part in PARTS}


def status_form(
    prefix: str, lang: str, title_key: str, pick_key: str, role: str | None
) -> Component:
    """Set an item's status and comment (click a row of the listing to pick it).

    Only the statuses the user's role may set are offered (a site answers; a monitor or the
    PI also asks, closes or dismisses); the server checks it again.
    """
    i = form_ids(prefix)
    allowed = statuses_for(role)
    options = [{"label": t(f"wf.status.{s}", lang), "value": s} for s in allowed]
    return html.Div(
        [
            html.H2(t(title_key, lang), className="h6"),
            # The item's key travels in a hidden field; the person reads its name.
            dcc.Input(id=i["key"], type="hidden", value=""),
            html.P(t(pick_key, lang), id=i["item"], className="wf-item mb-2", role="status"),
            dbc.Select(
                id=i["status"],
                options=options,
                value="query_sent"
                if "query_sent" in allowed
                else (allowed[0] if allowed else None),
                className="mb-2",
            ),
            dbc.Textarea(
                id=i["comment"],
                placeholder=t("wf.form.comment", lang),
                maxLength=2000,
                className="mb-2",
            ),
            html.Button(t("wf.form.save", lang), id=i["save"], className="btn btn-primary btn-sm"),
            html.Div(id=i["result"], className="mt-2"),
            dcc.Store(id=i["saved"]),
            dcc.Store(id=i["refreshed"]),
        ],
        className="graph-card table-card wf-form",
    )


def history_view(entries: list[Any], lang: str, saved: str | None = None) -> Component:
    """An item's history, newest first (after a save, a line saying what was saved)."""
    done = [html.P(t("wf.form.saved", lang, status=saved), className="small wf-saved")]
    head = done if saved else []
    if not entries:
        return html.Div([*head, html.P(t("wf.history.none", lang), className="small")])
    return html.Div(
        [
            *head,
            html.P(t("wf.history.title", lang), className="small fw-semibold mb-1"),
            html.Ul(
                [
                    html.Li(
                        f"{e.at:%Y-%m-%d %H:%M} · {e.username} · "
                        f"{t(f'wf.status.{e.status}', lang)}"
                        + (f" · {e.comment}" if e.comment else "")
                    )
                    for e in reversed(entries)
                ],
                className="small wf-history",
            ),
        ]
    )


def register_form(
    app: Dash,
    state: AppState,
    prefix: str,
    listing: str,
    item_of: Callable[[PageContext, str], WorkItem | None],
) -> None:
    """Pick a row of `listing` into the form; save its status (the app's store, audited).

    `item_of(ctx, key)` is the item (its center, its name) when this user may work it now,
    else None. A save clears the comment, shows the history and refreshes the grid's rows
    (the new status shows without a reload).
    """
    i = form_ids(prefix)

    @app.callback(
        Output(i["key"], "value"),
        Input({"type": GRID, "name": listing}, "cellClicked"),
        prevent_initial_call=True,
    )
    def pick(cell: Any) -> Any:
        # A click gives the row's id, which is its key (server_listing's getRowId).
        key = cell.get("rowId") if isinstance(cell, dict) else None
        return str(key)[:500] if isinstance(key, str) and key else no_update

    @app.callback(
        Output(i["result"], "children"),
        Output(i["item"], "children"),
        Output(i["comment"], "value"),
        Output(i["saved"], "data"),
        Input(i["save"], "n_clicks"),
        Input(i["key"], "value"),
        State(i["status"], "value"),
        State(i["comment"], "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def save(n: Any, key: Any, status: Any, comment: Any, search: Any) -> Any:
        try:
            return _save(n, key, status, comment, search)
        except DatabaseUnavailable as exc:  # said in the form, as the pages say it
            return html.P(str(exc), className="small text-danger"), no_update, no_update, no_update

    def _save(n: Any, key: Any, status: Any, comment: Any, search: Any) -> Any:
        from dash import ctx as dash_ctx

        page = context_from_search(state, search if isinstance(search, str) else None)
        lang = page.lang
        key = key if isinstance(key, str) else ""
        user = current_user_or_none()
        keep = (no_update, no_update, no_update)
        if not key or user is None or not page.identifiers or state.users is None:
            return (no_update if not key else hidden_note(lang), *keep)
        item = item_of(page, key)
        if item is None:  # not an item this user may see (other center, or gone)
            return (html.P(t("wf.form.unknown", lang), className="small text-danger"), *keep)

        def refused(words: str, **values: Any) -> Any:
            said = html.P(t(words, lang, **values), className="small text-danger")
            return said, item.label, no_update, no_update

        store = FindingStore(state.users.engine)
        center = item.center
        if dash_ctx.triggered_id == i["save"] and n:
            if status not in STATUSES:
                return refused("wf.form.unknown")
            if status not in statuses_for(user.role):
                audit("finding_status_refused", {"key": key, "status": status, "center": center})
                return refused("wf.form.not_yours")
            text = comment if isinstance(comment, str) and comment.strip() else None
            if status in NEEDS_COMMENT and text is None:
                return refused("wf.form.comment_needed")
            if store.recent_writes(user.username) >= WRITES_PER_MINUTE:
                audit("finding_status_throttled", {"key": key, "status": status})
                return refused("wf.form.too_many", n=WRITES_PER_MINUTE)
            store.set(key, status, user.username, text, center)
            audit("finding_status", {"key": key, "status": status, "center": center})
            said = t(f"wf.status.{status}", lang)
            return history_view(store.history(key), lang, said), item.label, "", n
        return history_view(store.history(key), lang), item.label, no_update, no_update

    # After a save the grid asks the server for its rows again: the row shows its new status.
    app.clientside_callback(
        """
        function (saved) {
            const api = saved && window.dash_ag_grid &&
                window.dash_ag_grid.getApi(GRID_ID);
            if (api) { api.refreshInfiniteCache(); }
            return saved ? Date.now() : window.dash_clientside.no_update;
        }
        """.replace("GRID_ID", json.dumps({"name": listing, "type": GRID})),
        Output(i["refreshed"], "data"),
        Input(i["saved"], "data"),
        prevent_initial_call=True,
    )

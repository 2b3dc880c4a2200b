"""Grids: server-side listings and small client-side tables, with AG Grid's own texts translated.

Listings are paged, sorted, filtered and exported by the server; small tables (Table 1) keep
their rows in the browser. Both are dash-ag-grid.

One pattern-matching callback set serves every listing, registered once by the shell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import dash_ag_grid as dag
from dash import ALL, MATCH, Dash, Input, Output, Patch, State, dcc, html, no_update
from dash.development.base_component import Component

from dashboard import ids
from dashboard.i18n import t, variant
from dashboard.listings import LISTINGS, SEARCH, Listing
from dashboard.urlstate import ViewState

# Listing cells: 0.92rem of the 15 px root, line height 1.35, 8 px padding either side.
CELL_FONT_PX = 13.8
CELL_LINE_PX = CELL_FONT_PX * 1.35
MAX_LINES = 4

GRID = "listing-grid"
# A grid waits in a slot until it is (nearly) in view: its JSON in a store, the AG Grid bundle
# loaded then (assets/30_grids.js); a page whose grids stay below the fold never pays for them.
SLOT = "grid-slot"
SPEC = "grid-spec"
OPEN = "grid-open"
SEARCH_BOX = "listing-search"
EXPORT = "listing-export"
PAGE_SIZE = 15
SEARCH_DEBOUNCE_S = 0.4
LOCALE_FILE = Path(__file__).resolve().parent.parent / "locale" / "ag-grid-zh-cn.json"


@lru_cache(maxsize=1)
def _zh_locale() -> dict[str, str]:
    try:
        return dict(json.loads(LOCALE_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def locale_text(lang: str) -> dict[str, str]:
    """AG Grid's own texts (paging, filters, menus) in the language (shipped locally)."""
    return _zh_locale() if lang == "zh" else {}


def _column_defs(listing: Listing, lang: str, wording: str | None = None) -> list[dict[str, Any]]:
    filters = {
        "text": "agTextColumnFilter",
        "number": "agNumberColumnFilter",
        "date": "agDateColumnFilter",
        "code": False,
    }
    defs: list[dict[str, Any]] = []
    for i, c in enumerate(listing.columns):
        col: dict[str, Any] = {
            "field": c.field,
            "headerName": t(variant(c.header, wording), lang),
            "filter": filters[c.kind],
            "sortable": True,
            "wrapText": True,
        }
        if c.kind == "code":
            col["filter"] = "agTextColumnFilter"
            col["filterParams"] = {"filterOptions": ["equals"], "maxNumConditions": 1}
            col["floatingFilter"] = False
            col["suppressHeaderMenuButton"] = True
        if c.computed:  # from the app's own store: not sortable or filterable in SQL
            col["filter"] = False
            col["sortable"] = False
        if c.width:
            col["minWidth"] = c.width
        if i == 0:  # pinned, so it does not flex: its own width, not AG Grid's 200 px default
            col["pinned"] = "left"
            col["width"] = c.width or 110
        if c.hidden:
            col["hide"] = True
        defs.append(col)
    # The search box filters through a hidden column the server reads as "search everything".
    defs.append({"field": SEARCH, "hide": True, "filter": "agTextColumnFilter"})
    return defs


def lines_needed(text: str, width: float) -> int:
    """Lines a cell's text wraps to (at spaces) in a column `width` px wide."""
    from dashboard.figures.theme import wrap_text

    return wrap_text(text, max(width - 16, 20), CELL_FONT_PX).count("<br>") + 1


def row_height(listing: Listing, texts: Mapping[str, Iterable[str]]) -> int:
    """One row height (px) that holds the longest known text of every column, wrapped.

    Server-paged rows keep one height (AG Grid's infinite row model cannot size rows to their
    text), so it is worked out from the texts a column can hold (arm labels, terms, check
    names) at the column's minimum width: two lines at least, `MAX_LINES` at most.
    """
    lines = 2
    for c in listing.columns:
        width = c.width or 90
        for text in texts.get(c.field, ()):
            lines = max(lines, lines_needed(str(text), width))
    return int(min(lines, MAX_LINES) * CELL_LINE_PX + 12)


def server_listing(
    listing: Listing,
    lang: str,
    row_class_rules: dict[str, str] | None = None,
    extra_tools: Sequence[Component] = (),
    page_size: int = PAGE_SIZE,
    search_label: str | None = None,
    wording: str | None = None,
    texts: Mapping[str, Iterable[str]] | None = None,
    view: ViewState | None = None,
    filters: Mapping[str, Any] | None = None,
) -> Component:
    """A listing whose rows come from the server a page at a time; search and CSV export.

    `wording` picks header variants (e.g. `severity` for an AE listing without CTCAE grades);
    `texts`, per column, the longest values it may show (rows are sized to hold them).
    The search text comes from the view's address (`q_<listing>`), `filters` are the page's
    switches: both survive a change of the filters above.
    """
    typed = view.param(search_param(listing.name)) if view is not None else ""
    model: dict[str, Any] = dict(filters or {})
    if typed:
        model[SEARCH] = search_filter(typed)
    grid = dag.AgGrid(
        id={"type": GRID, "name": listing.name},
        rowModelType="infinite",
        columnDefs=_column_defs(listing, lang, wording),
        defaultColDef={
            "resizable": True,
            "minWidth": 90,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "cellDataType": False,
        },
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": page_size,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": page_size,
            "maxBlocksInCache": 20,
            "rowHeight": row_height(listing, texts or {}),
            "domLayout": "autoHeight",
            "enableCellTextSelection": True,
            "localeText": locale_text(lang),
            "suppressMenuHide": True,
        },
        rowClassRules=row_class_rules or {},
        filterModel=model,
        # Rows with a stable key carry it as their id: a click hands it to a status form.
        **(
            {"getRowId": "params.data.key"}
            if any(c.field == "key" for c in listing.columns)
            else {}
        ),
        className="ag-theme-alpine listing",
        style={"width": "100%"},
    )
    tools = html.Div(
        [
            dcc.Input(
                id={"type": SEARCH_BOX, "name": listing.name},
                type="search",
                value=typed,
                debounce=SEARCH_DEBOUNCE_S,  # as you type, once the typing pauses
                maxLength=200,
                placeholder=search_label or t("grid.search", lang),
                className="form-control form-control-sm listing-search",
            ),
            *extra_tools,
            html.A(
                t("grid.export", lang),
                id={"type": EXPORT, "name": listing.name},
                href=f"/export/{listing.name}.csv",
                className="btn btn-sm btn-outline-secondary listing-export",
                download=listing.csv_name,
                **{"data-listing": listing.name},  # type: ignore[arg-type]
            ),
        ],
        className="listing-tools",
    )
    rows = min(page_size, 15)
    height = rows * row_height(listing, texts or {}) + 110
    return html.Div(
        [tools, lazy(grid, listing.name, height)],
        className="listing-wrap",
        id=f"{listing.name}-listing",
    )


def search_param(name: str) -> str:
    """The address parameter holding a listing's search text."""
    return f"q_{name}"


def search_filter(words: str) -> dict[str, Any]:
    """The grid's filter entry for the search box (matched on the server, see listings)."""
    return {"filterType": "text", "type": "contains", "filter": words[:200]}


def with_page_params(search: str, view: ViewState) -> str:
    """The address' query with the page parameters of `view`, everything else as it was."""
    from urllib.parse import parse_qsl, urlencode

    from dashboard.urlstate import PAGE_PARAM

    pairs = parse_qsl(search.lstrip("?"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not PAGE_PARAM.match(k)] + list(view.page)
    return "?" + urlencode(kept, safe=",") if kept else ""


def lazy(grid: Component, name: str, height: int) -> Component:
    """A grid mounted when it comes near the screen (or its tools are used), not before.

    The grid's JSON waits in a store; assets/30_grids.js loads the AG Grid bundle (kept out of
    the page's scripts by app.TrialDash) when the slot nears the viewport and clicks the
    hidden button, and a clientside callback puts the grid in the slot: no server round trip.
    `height`: about the grid's, so that nothing moves when it arrives.
    """
    return html.Div(
        [
            dcc.Store(id={"type": SPEC, "name": name}, data=grid.to_plotly_json()),
            html.Button(
                id={"type": OPEN, "name": name},
                n_clicks=0,
                className="grid-open",
                type="button",
                tabIndex="-1",
                **_HIDDEN,
            ),
            html.Div(id={"type": SLOT, "name": name}, className=SLOT, style={"minHeight": height}),
        ],
        className="grid-lazy",
    )


_HIDDEN: dict[str, Any] = {"aria-hidden": "true"}


def client_table(
    name: str,
    rows: list[dict[str, Any]],
    columns: Sequence[dict[str, Any]],
    lang: str,
    csv_name: str,
    row_class_rules: dict[str, str] | None = None,
    height: int | None = None,
) -> Component:
    """A table with all its rows in the browser (no paging) and a CSV export.

    Small tables size to their rows; with a `height` (long tables: every AE term) the grid
    keeps that height and draws only the rows in view (row virtualisation), with rows of one
    fixed height instead of each sized to its text.
    """
    cols = [dict(c) for c in columns]
    if cols:
        cols[0].setdefault("pinned", "left")
    virtual = height is not None
    rows_shown = height if height is not None else 42 * (len(rows) + 1) + 40
    grid = dag.AgGrid(
        id={"type": "client-grid", "name": name},
        rowData=rows,
        columnDefs=cols,
        defaultColDef={
            "resizable": True,
            "minWidth": 90,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "wrapText": not virtual,
            "autoHeight": not virtual,
            "cellDataType": False,
            "sortable": False,
        },
        dashGridOptions={
            "domLayout": "normal" if virtual else "autoHeight",
            "enableCellTextSelection": True,
            "localeText": locale_text(lang),
            "tooltipShowDelay": 300,
            # a cell a spreadsheet would run as a formula is exported as text (assets/30_grids.js)
            "defaultCsvExportParams": {
                "processCellCallback": {"function": "spreadsheetSafe(params)"}
            },
        },
        rowClassRules=row_class_rules or {},
        csvExportParams={"fileName": csv_name, "allColumns": True},
        className="ag-theme-alpine listing",
        style={"width": "100%", "height": f"{height}px"} if virtual else {"width": "100%"},
    )
    export = html.Button(
        t("grid.export", lang),
        id={"type": "client-export", "name": name},
        className="btn btn-sm btn-outline-secondary listing-export",
        type="button",
    )
    return html.Div(
        [html.Div(export, className="listing-tools"), lazy(grid, name, rows_shown)],
        className="listing-wrap",
    )


def register_callbacks(app: Dash, rows_for: Any) -> None:
    """Rows on demand, search and the export link for every listing; export of small tables.

    `rows_for(name, request, search)` answers a getRowsRequest (the shell gives it, with the
    user's rights applied). Lazy grids are put in their slot in the browser.
    """
    app.clientside_callback(
        """
        function(n, spec) {
            return n ? spec : window.dash_clientside.no_update;
        }
        """,
        Output({"type": SLOT, "name": MATCH}, "children"),
        Input({"type": OPEN, "name": MATCH}, "n_clicks"),
        State({"type": SPEC, "name": MATCH}, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output({"type": GRID, "name": MATCH}, "getRowsResponse"),
        Input({"type": GRID, "name": MATCH}, "getRowsRequest"),
        State("shell-url", "search"),
        prevent_initial_call=True,
    )
    def rows(request: dict[str, Any] | None, search: str | None) -> Any:
        from dash import ctx

        if not request or not isinstance(ctx.triggered_id, dict):
            return no_update
        name = str(ctx.triggered_id.get("name"))
        if name not in LISTINGS:
            return no_update
        return rows_for(name, request, search)

    @app.callback(
        Output({"type": GRID, "name": MATCH}, "filterModel"),
        Input({"type": SEARCH_BOX, "name": MATCH}, "value"),
        prevent_initial_call=True,
    )
    def search(text: str | None) -> Any:
        patch = Patch()
        patch[SEARCH] = search_filter(text if isinstance(text, str) else "")
        return patch

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input({"type": SEARCH_BOX, "name": ALL}, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def remember(texts: Any, search: Any) -> Any:
        """The search texts go into the address.

        A link, a reload or a change of the filters above keeps them (the router does not
        draw the page again for them).
        """
        from dash import ctx

        view = ViewState.from_search(search if isinstance(search, str) else None, (), ())
        before = view
        for item in ctx.inputs_list[0] if ctx.inputs_list else []:
            name = item.get("id", {}).get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name in LISTINGS:
                value = item.get("value")
                view = view.with_param(search_param(name), value if isinstance(value, str) else "")
        if view == before:
            return no_update
        return with_page_params(search if isinstance(search, str) else "", view)

    # The export link gets the view (the page's search string) and the grid's filter and sort
    # when it is clicked (assets/30_grids.js): a callback on the grid's filter model would
    # name a grid that is not mounted yet (grids mount when they near the screen).

    @app.callback(
        Output({"type": "client-grid", "name": MATCH}, "exportDataAsCsv"),
        Input({"type": "client-export", "name": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
    def export(n_clicks: int | None) -> bool:
        return bool(n_clicks)

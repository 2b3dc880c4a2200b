"""Listings: dash-ag-grid with sorting, column filters, quick search, CSV export of what is shown.

One pattern-matching callback pair serves every listing, registered once by the shell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import MATCH, Dash, Input, Output, dcc, html
from dash.development.base_component import Component

from dashboard.i18n import t

GRID = "listing-grid"
SEARCH = "listing-search"
EXPORT = "listing-export"


def listing(
    name: str,
    rows: list[dict[str, Any]],
    columns: Sequence[dict[str, Any]],
    lang: str,
    csv_name: str,
    height_rows: int = 12,
    row_class_rules: dict[str, str] | None = None,
    search_label: str | None = None,
    paginate: bool = True,
) -> Component:
    """A grid with a search box and an export button; the first column is pinned left."""
    cols = [dict(c) for c in columns]
    if cols:
        cols[0].setdefault("pinned", "left")
    grid = dag.AgGrid(
        id={"type": GRID, "name": name},
        rowData=rows,
        columnDefs=cols,
        # cellDataType False: AG Grid would otherwise infer a column's type from its first row
        # (a date, say) and blank every later value that is not of that type.
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "minWidth": 90,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "cellDataType": False,
        },
        dashGridOptions={
            "pagination": paginate,
            "paginationPageSize": height_rows,
            "paginationPageSizeSelector": [height_rows, 50, 200],
            "domLayout": "autoHeight",
            "enableCellTextSelection": True,
            "suppressMenuHide": True,
        },
        rowClassRules=row_class_rules or {},
        csvExportParams={"fileName": csv_name, "allColumns": True},
        className="ag-theme-alpine listing",
        style={"width": "100%"},
    )
    tools = html.Div(
        [
            dcc.Input(
                id={"type": SEARCH, "name": name},
                type="search",
                debounce=True,
                placeholder=search_label or t("grid.search", lang),
                className="form-control form-control-sm listing-search",
            ),
            dbc.Button(
                t("grid.export", lang),
                id={"type": EXPORT, "name": name},
                size="sm",
                color="secondary",
                outline=True,
                className="listing-export",
            ),
        ],
        className="listing-tools",
    )
    return html.Div([tools, grid], className="listing-wrap", id=f"{name}-listing")


def register_callbacks(app: Dash) -> None:
    """Search and export for every listing on any page."""

    @app.callback(
        Output({"type": GRID, "name": MATCH}, "exportDataAsCsv"),
        Input({"type": EXPORT, "name": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
    def export(n_clicks: int | None) -> bool:
        return bool(n_clicks)

    @app.callback(
        Output({"type": GRID, "name": MATCH}, "dashGridOptions"),
        Input({"type": SEARCH, "name": MATCH}, "value"),
        prevent_initial_call=True,
    )
    def search(text: str | None) -> Any:
        from dash import Patch

        patch = Patch()
        patch["quickFilterText"] = text or ""
        return patch

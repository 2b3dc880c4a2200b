"""Layout pieces every page uses: KPI card, definition popover, empty/error state, graph card."""

from __future__ import annotations

import json
import re
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.i18n import t

GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def help_button(def_key: str, lang: str) -> Component:
    """A small "?" that opens the definition behind a number on click."""
    target = "help-" + re.sub(r"[^a-z0-9]+", "-", def_key.lower())
    aria: dict[str, Any] = {"aria-label": t("help.label", lang)}
    return html.Span(
        [
            html.Button(
                "?",
                id=target,
                className="help-btn",
                type="button",
                title=t("help.label", lang),
                **aria,
            ),
            dbc.Popover(
                dbc.PopoverBody(t(def_key, lang)),
                target=target,
                trigger="legacy",
                placement="bottom",
            ),
        ]
    )


def kpi_card(
    value: str,
    label: str,
    context: str | None,
    def_key: str | None,
    lang: str,
    tone: str = "neutral",
    kpi_id: str | None = None,
) -> Component:
    """A headline number with its context and the "?" to its definition."""
    head: list[Component] = [html.Span(value, className="kpi-value")]
    if def_key:
        head.append(help_button(def_key, lang))
    body = [html.Div(head, className="kpi-head"), html.Div(label, className="kpi-label")]
    if context:
        body.append(html.Div(context, className="kpi-context"))
    kw: dict[str, Any] = {"id": kpi_id} if kpi_id else {}
    return html.Div(body, className=f"kpi kpi-{tone}", **kw)


def kpi_row(cards: list[Component], row_id: str | None = None) -> Component:
    """The headline row: 3-5 numbers, numbers first."""
    kw: dict[str, Any] = {"id": row_id} if row_id else {}
    return html.Div(cards, className="kpi-row", **kw)


def empty_state(message: str) -> Component:
    """Says what is missing instead of drawing an empty axis."""
    return html.Div(
        [html.Span("∅ ", className="empty-icon"), message], className="empty-state", role="status"
    )


def error_state(title: str, message: str, advice: str) -> Component:
    """What went wrong and what to do, never a traceback."""
    return dbc.Alert(
        [html.H2(title, className="h5"), html.P(message), html.P(advice, className="mb-0")],
        color="danger",
        className="error-state",
    )


def graph(fig: go.Figure | None, graph_id: str, empty_message: str) -> Component:
    """A graph card, or an empty state when there is nothing to draw."""
    if fig is None:
        return html.Div(empty_state(empty_message), className="graph-card", id=graph_id)
    # Plain JSON data instead of a Figure object: encoded once here, cheap to cache and send
    # (a cached Figure would be re-validated on every unpickling).
    figure = json.loads(fig.to_json())
    return html.Div(
        dcc.Graph(figure=figure, config=GRAPH_CONFIG, id=graph_id, className="graph"),
        className="graph-card",
    )


def hidden_note(lang: str) -> Component:
    """Where subject-level content would be, for the committee and in presentation mode."""
    return html.Div(t("privacy.hidden", lang), className="empty-state privacy-note")

"""Dash layout components rendered to static HTML, for the meeting pack.

The pack shows the pages' own headline rows, tables and figures, so it formats the same page
models the same way; here they become an HTML file that opens offline (figures are drawn by
plotly.js inlined once in the file).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from dash.development.base_component import Component

SKIP = {"Popover", "Button", "Download", "Store", "Location", "Loading", "Checklist", "Input"}
TAGS = {"Row": "div", "Col": "div", "Alert": "div", "Table": "table", "Container": "div"}
CLASSES = {"Row": "row", "Col": "col", "Alert": "alert alert-secondary", "Table": "table table-sm"}
ATTRS = {"className": "class", "colSpan": "colspan", "rowSpan": "rowspan", "htmlFor": "for"}
PLAIN = {"id", "title", "role", "scope", "colSpan", "rowSpan", "className", "htmlFor", "href"}


def _kebab(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)


def _style(style: dict[str, Any]) -> str:
    return "; ".join(f"{_kebab(k)}: {v}" for k, v in style.items() if v is not None)


def to_html(node: Any, figures: list[tuple[str, dict[str, Any]]]) -> str:
    """HTML for a component tree; dcc.Graph figures are appended to `figures` (id, figure)."""
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return html.escape(str(node))
    if isinstance(node, list | tuple):
        return "".join(to_html(x, figures) for x in node)
    if not isinstance(node, Component):
        return html.escape(str(node))
    kind = type(node).__name__
    props = node.to_plotly_json()["props"]
    if kind in SKIP or str(props.get("className", "")) in ("help", "help-btn", "help-text"):
        return ""
    if kind == "Graph":
        fig_id = f"fig-{len(figures)}"
        figures.append((fig_id, props.get("figure") or {}))
        return f'<div class="fig" id="{fig_id}"></div>'
    tag = TAGS.get(kind, kind.lower())
    attrs = []
    classes = " ".join(x for x in (CLASSES.get(kind, ""), props.get("className") or "") if x)
    if classes:
        attrs.append(f'class="{html.escape(classes)}"')
    for key in PLAIN - {"className"}:
        if props.get(key) is not None and not isinstance(props[key], dict):
            attrs.append(f'{ATTRS.get(key, key.lower())}="{html.escape(str(props[key]))}"')
    if isinstance(props.get("style"), dict):
        attrs.append(f'style="{html.escape(_style(props["style"]))}"')
    inner = to_html(props.get("children"), figures)
    if tag == "br":
        return "<br>"
    return f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>{inner}</{tag}>"


MAX_PRINT_HEIGHT = 380


def figure_scripts(figures: list[tuple[str, dict[str, Any]]], width: int, locale: str) -> str:
    """The script that draws each figure at a fixed width (no toolbar, static)."""
    calls = []
    for fig_id, fig in figures:
        layout = dict(fig.get("layout") or {})
        layout["width"] = width
        # A printed page holds two figures side by side and a table: no figure taller than
        # half an A4 landscape page, so no page is left half empty by one tall chart.
        # (Figures with stacked panels, like the Kaplan-Meier curve over its numbers at risk,
        # keep their height: their panels are fractions of it.)
        if "yaxis2" not in layout:
            layout["height"] = min(int(layout.get("height") or 400), MAX_PRINT_HEIGHT)
        config = {"displayModeBar": False, "staticPlot": True, "locale": locale}
        calls.append(
            f"Plotly.newPlot({json.dumps(fig_id)}, {json.dumps(fig.get('data') or [])}, "
            f"{json.dumps(layout)}, {json.dumps(config)});"
        )
    return "<script>" + "\n".join(calls) + "</script>"

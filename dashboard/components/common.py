"""Layout pieces every page uses: KPI card, definition popover, chart card, empty/error state.

Also the wording every page shares: the scope a model describes ("All centers", "PKU", never
"all centers" for a user who may see only some), estimates with their interval or "small n".
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.figures.theme import Figure
from dashboard.i18n import number, pct, signed, t
from dashboard.metrics.model import Estimate, Proportion, ScopeInfo

# The toolbar keeps one button (download PNG): it sits beside the plot, small, never on text.
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def graph_config(lang: str, present: bool) -> dict[str, Any]:
    """dcc.Graph config: the language's plotly locale; no toolbar in presentation mode."""
    config = dict(GRAPH_CONFIG, locale="zh-CN" if lang == "zh" else "en")
    if present:
        config["displayModeBar"] = False
    return config


_HELP_SERIAL = itertools.count(1)


def help_button(def_key: str, lang: str, values: dict[str, Any] | None = None) -> Component:
    """A small "?" that opens the definition behind a number on click.

    The definition sits hidden beside the button; assets/25_help.js shows it as a popover on
    click (and closes it on a second click, a click elsewhere or Escape). Plain DOM, no React
    component: a chart card re-mounting around its lazily loaded graph cannot detach it. Each
    button has an id of its own (the definition's name and a process-wide serial).
    """
    target = "help-" + re.sub(r"[^a-z0-9]+", "-", def_key.lower()) + f"-{next(_HELP_SERIAL)}"
    aria: dict[str, Any] = {
        "aria-label": t("help.label", lang),
        "aria-expanded": "false",
        "aria-controls": f"{target}-text",
    }
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
            html.Span(
                t(def_key, lang, **(values or {})),
                id=f"{target}-text",
                className="help-text",
                hidden=True,
            ),
        ],
        className="help",
    )


def kpi_card(
    value: str,
    label: str,
    context: str | None,
    def_key: str | None,
    lang: str,
    tone: str = "neutral",
    kpi_id: str | None = None,
    help_values: dict[str, Any] | None = None,
) -> Component:
    """A headline number with its context and the "?" to its definition."""
    head: list[Component] = [html.Span(value, className="kpi-value")]
    if def_key:
        head.append(help_button(def_key, lang, help_values))
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


def card_head(
    title: str,
    subtitle: str | None,
    def_key: str | None,
    lang: str,
    help_values: dict[str, Any] | None = None,
) -> Component:
    """A chart or table card's title (what, for whom) and subtitle (n, data date)."""
    button = [help_button(def_key, lang, help_values)] if def_key else []
    head: list[Component] = [html.H2([title, *button])]
    if subtitle:
        head.append(html.P(subtitle, className="card-subtitle"))
    return html.Div(head, className="card-head")


def graph(
    fig: Figure | None,
    graph_id: str,
    empty_message: str,
    title: str,
    subtitle: str | None,
    lang: str,
    present: bool,
    def_key: str | None = None,
    help_values: dict[str, Any] | None = None,
    footer: Component | None = None,
) -> Component:
    """A chart card: title and subtitle in HTML above the figure, or an empty state.

    `footer` (e.g. the pages of a long figure) sits under the figure.
    """
    body: Component
    if fig is None:
        body = empty_state(empty_message)
    else:
        config: Any = graph_config(lang, present)
        body = dcc.Graph(figure=fig, config=config, id=graph_id, className="graph")
    parts = [card_head(title, subtitle, def_key, lang, help_values), body]
    if footer is not None and fig is not None:
        parts.append(footer)
    return html.Div(parts, className="graph-card", id=f"{graph_id}-card")


def table_card(
    title: str,
    subtitle: str | None,
    body: Component,
    lang: str,
    def_key: str | None = None,
    card_id: str | None = None,
    help_values: dict[str, Any] | None = None,
) -> Component:
    """A table card with the same head as a chart card."""
    kw: dict[str, Any] = {"id": card_id} if card_id else {}
    return html.Div(
        [card_head(title, subtitle, def_key, lang, help_values), body],
        className="graph-card table-card",
        **kw,
    )


def page_head(title: str, population: str | None, lang: str) -> Component:
    """The page title and, where it matters, the population the page counts."""
    parts: list[Component] = [html.H1(title, className="page-title")]
    if population:
        parts.append(
            html.P(t(f"population.{population}", lang), className="population", role="note")
        )
    return html.Div(parts, className="page-head")


def hidden_note(lang: str) -> Component:
    """Where subject-level content would be, for the committee and in presentation mode."""
    return html.Div(t("privacy.hidden", lang), className="empty-state privacy-note")


def scope_label(info: ScopeInfo, lang: str) -> str:
    """The centers a view covers: 'All centers' only when that is true for this user."""
    if info.all_centers:
        return t("center.all", lang)
    return ", ".join(info.centers)


def pooled_label(info: ScopeInfo, lang: str) -> str:
    """The name of a row or dot that adds the centers in scope."""
    if info.all_centers:
        return t("center.all", lang)
    return t("center.pooled_of", lang, centers=", ".join(info.centers))


def access_notes(ctx: Any, kind: str) -> list[Component]:
    """A one-line note where the protocol's [access] rule pools the arms for this user."""
    if ctx.may(kind):
        return []
    roles = getattr(ctx.protocol.access, kind)
    comma = "、" if ctx.lang == "zh" else ", "  # the list comma of the language
    names = comma.join(t(f"role.{r}", ctx.lang) for r in roles) or "–"
    return [
        dbc.Alert(
            t(f"access.note.{kind}", ctx.lang, roles=names),
            color="secondary",
            className="py-2 small access-note",
            id=f"access-note-{kind}",
        )
    ]


def scope_notes(info: ScopeInfo, lang: str) -> list[Component]:
    """One-line notes about the scope (a center outside the user's rights)."""
    if info.note is None:
        return []
    return [
        dbc.Alert(
            t(info.note, lang, asked=", ".join(info.note_centers), shown=", ".join(info.centers)),
            color="secondary",
            className="py-2 small scope-note",
        )
    ]


def estimate_text(e: Estimate | None, lang: str, digits: int = 1, unit: str = "") -> str:
    """'4.2 (95% CI 3.8 to 4.6)', or '4.5 · small n, no interval' below the threshold.

    The n behind an estimate sits in its own column or line wherever this text is shown.
    """
    if e is None or e.value is None:
        return "–"
    value = number(e.value, digits) + unit
    if e.low is None or e.high is None:
        return t("est.small_n", lang, value=value) if e.small_n else value
    return t(
        "est.with_ci", lang, value=value, low=number(e.low, digits), high=number(e.high, digits)
    )


def proportion_headline(p: Proportion | None) -> str:
    """A KPI's big value: '42%', or the counts '2/2' below the interval threshold.

    A rate from two subjects is not shown like any other rate.
    """
    if p is None or p.value is None:
        return "–"
    return f"{p.k}/{p.n}" if p.low is None or p.high is None else pct(p.value)


def proportion_text(p: Proportion | None, lang: str) -> str:
    """'42% (5/12; 95% CI 15–72%)', or '100% (2/2) · small n'."""
    if p is None or p.value is None:
        return "–"
    if p.low is None or p.high is None:
        return t("est.prop_small_n", lang, value=pct(p.value), k=p.k, n=p.n)
    return t(
        "est.prop_with_ci",
        lang,
        value=pct(p.value),
        k=p.k,
        n=p.n,
        low=pct(p.low),
        high=pct(p.high),
    )


def change_line(ctx: Any, now: float | int | None, *path: str) -> str | None:
    """'+7 since Steering committee 2026-10' for a headline number, when a cut is chosen.

    `path` leads to the same number in the cut's summary (e.g. "recruitment", "overall",
    "randomized"); None without a comparison or when the cut kept no such number.
    """
    from dashboard.services import since_then

    got = since_then(ctx)
    if got is None or now is None:
        return None
    cut, then = got
    if then is None:
        return None
    node: Any = then
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    if not isinstance(node, int | float) or isinstance(node, bool):
        return None
    return t("since.change", ctx.lang, change=signed(now - node), name=cut.name())


def with_change(context: str | None, change: str | None) -> str | None:
    """A KPI's context line with its change since the chosen cut appended."""
    if not change:
        return context
    return f"{context} · {change}" if context else change

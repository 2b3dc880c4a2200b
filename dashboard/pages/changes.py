"""What changed since a data cut (the last meeting by default).

New randomizations, serious and grade >= 3 events, deaths, newly missed visits, new and
resolved findings, and corrections of data already reported. The committee sees counts only;
a site user their own center.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard.components.common import (
    empty_state,
    hidden_note,
    kpi_card,
    kpi_row,
    page_head,
    scope_label,
    scope_notes,
    table_card,
)
from dashboard.i18n import format_date, label, t
from dashboard.services import NewerCut, PageContext, changes_since

PATH = "/changes"
NAV_KEY = "nav.changes"

# Per section: the columns shown (field, header key).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "newly_randomized": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("arm", "chg.col.arm"),
        ("randomized_on", "chg.col.date"),
    ),
    "new_serious": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("term", "chg.col.term"),
        ("grade", "chg.col.grade"),
        ("onset_on", "chg.col.date"),
    ),
    "new_grade3plus": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("term", "chg.col.term"),
        ("grade", "chg.col.grade"),
        ("onset_on", "chg.col.date"),
    ),
    "deaths": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("on", "chg.col.date"),
    ),
    "newly_missed": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("visit_code", "chg.col.visit"),
        ("closed_on", "chg.col.date"),
    ),
    "new_findings": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("check", "chg.col.check"),
        ("value", "chg.col.value"),
    ),
    "resolved_findings": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("check", "chg.col.check"),
        ("value", "chg.col.value"),
    ),
    "corrections": (
        ("subject_id", "chg.col.subject"),
        ("center_id", "chg.col.center"),
        ("table", "chg.col.table"),
        ("field", "chg.col.field"),
        ("old", "chg.col.old"),
        ("new", "chg.col.new"),
    ),
}
MAX_ROWS = 200


def _cell(field: str, value: Any, ctx: PageContext) -> str:
    if value is None:
        return "–"
    if field == "arm":
        return ctx.protocol.arm_label(value, ctx.lang)
    if field == "check":
        return label("dq.check", str(value), ctx.lang)
    if field == "table":
        return label("tbl", str(value), ctx.lang)
    if field == "field":
        return label("fld", str(value), ctx.lang)
    return str(value)


def section_table(name: str, rows: list[dict[str, Any]], ctx: PageContext) -> Component:
    lang = ctx.lang
    cols = COLUMNS[name]
    if not rows:
        body: Component = empty_state(t("chg.none", lang))
    else:
        body = html.Div(
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th(t(h, lang), scope="col") for _, h in cols])),
                    html.Tbody(
                        [
                            html.Tr([html.Td(_cell(f, r.get(f), ctx)) for f, _ in cols])
                            for r in rows[:MAX_ROWS]
                        ]
                    ),
                ],
                size="sm",
                className="center-table",
            ),
            className="table-scroll",
        )
    more = (
        t("chg.more", lang, n=len(rows) - MAX_ROWS, shown=MAX_ROWS)
        if len(rows) > MAX_ROWS
        else None
    )
    return table_card(t(f"chg.{name}", lang), more, body, lang, card_id=f"chg-{name}")


def headline(ch: Any, ctx: PageContext) -> list[Component]:
    """Against which cut, for which centers, and the count of each kind of change.

    No subject is named: the committee's view, and the meeting pack's first section.
    """
    lang = ctx.lang
    since = t(
        "chg.since",
        lang,
        name=ch.since.name(),
        date=format_date(ch.since.data_as_of, lang),
        scope=scope_label(ctx.info, lang),
        now=format_date(ctx.scope.as_of, lang),
    )
    counts = ch.counts()
    cards = kpi_row(
        [
            kpi_card(str(counts[s]), t(f"chg.{s}", lang), None, None, lang, kpi_id=f"chg-kpi-{s}")
            for s in ch.SECTIONS
        ],
        row_id="chg-kpis",
    )
    return [html.P(since, className="population"), cards]


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang = ctx.lang
    ch = changes_since(ctx)
    head = page_head(t("chg.title", lang), None, lang)
    if ch is None:
        return html.Div([head, empty_state(t("chg.no_cut", lang))])
    if isinstance(ch, NewerCut):
        return html.Div(
            [
                head,
                empty_state(
                    t(
                        "chg.newer",
                        lang,
                        name=ch.cut.name(),
                        date=format_date(ch.cut.data_as_of, lang),
                        as_of=format_date(ch.as_of, lang),
                    )
                ),
            ]
        )
    blocks: list[Component] = [head, *headline(ch, ctx)]
    blocks += scope_notes(ctx.info, lang)
    if not ctx.identifiers:
        blocks.append(hidden_note(lang))
        return html.Div(blocks)
    blocks += [section_table(s, getattr(ch, s), ctx) for s in ch.SECTIONS]
    return html.Div(blocks)

"""Center risk: key risk indicators per center against the trial, and quality tolerance limits.

Every center is scored against the whole trial (all its centers and arms); the filters choose
which centers are shown. A site user sees their own center beside the other centers pooled.
"""

from __future__ import annotations

import re
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard.components.common import (
    empty_state,
    graph,
    kpi_card,
    kpi_row,
    page_head,
    scope_notes,
    table_card,
)
from dashboard.components.grid import client_table
from dashboard.figures import risk as figs
from dashboard.i18n import format_date, number, pct, t, tn
from dashboard.metrics.risk import KRIS, Cell, RiskModel
from dashboard.services import PageContext, risk_history, risk_page_model

PATH = "/risk"
NAV_KEY = "nav.risk"
MARK = {"red": " ✕", "amber": " ◆", "green": "", "none": ""}


def _width(chars: int) -> int:
    """Pixels for a column whose longest unbreakable text has `chars` characters.

    About 8 px per character at the grid's font, plus the cell's padding; at least 90.
    """
    return max(90, 8 * chars + 30)


def _header_width(heading: str) -> int:
    """A column wide enough that its heading wraps between words, never inside one.

    ("Discontinue|d" was seen.) Chinese headings wrap between any two characters.
    """
    words = re.split(r"[\s\-/]+", heading)
    return _width(max((len(w) for w in words if w.isascii()), default=0))


def value_text(kri: str, value: float | None, lang: str) -> str:
    """An indicator's value in its unit: a rate, a share, days."""
    spec = KRIS[kri]
    if value is None:
        return "–"
    if spec.kind == "proportion":
        return pct(value, 1 if value < 0.1 else 0)
    if spec.kind == "identity":
        return tn("n.days", round(value), lang)
    return number(value, 2 if value < 10 else 1)


def def_values(m: RiskModel, kri: str) -> dict[str, str]:
    """The values a definition names: the identity thresholds (days)."""
    lo, hi = m.identity_thresholds.get(kri, (0.0, 0.0))
    return {"amber": f"{lo:g}", "red": f"{hi:g}"}


def model_of(ctx: PageContext) -> RiskModel:
    engine = ctx.state.users.engine if ctx.state.users is not None else None
    history, compare = risk_history(engine, ctx.scope.as_of)
    return risk_page_model(ctx.db, ctx.protocol, ctx.info, engine, history, compare)


def kpis(m: RiskModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    red = sum(1 for c in m.centers if m.flagged[c]["red"])
    amber = sum(1 for c in m.centers if m.flagged[c]["amber"] and not m.flagged[c]["red"])
    exceeded = sum(1 for q in m.qtls.values() if q.exceeded)
    cards = [
        kpi_card(
            f"{red} / {len(m.centers)}",
            t("risk.kpi.red", lang),
            None,
            "def.risk.flags",
            lang,
            tone="warn" if red else "neutral",
            kpi_id="risk-kpi-red",
            help_values={"amber": f"{m.amber:g}", "red": f"{m.red:g}"},
        ),
        kpi_card(
            f"{amber} / {len(m.centers)}",
            t("risk.kpi.amber", lang),
            None,
            "def.risk.flags",
            lang,
            kpi_id="risk-kpi-amber",
            help_values={"amber": f"{m.amber:g}", "red": f"{m.red:g}"},
        ),
        kpi_card(
            f"{exceeded} / {len(m.qtls)}",
            t("risk.kpi.qtl", lang),
            None,
            "def.risk.qtl",
            lang,
            tone="warn" if exceeded else "neutral",
            kpi_id="risk-kpi-qtl",
        ),
    ]
    if m.compared_with is not None:
        cards.append(
            kpi_card(
                str(len(m.newly_flagged)),
                t("risk.kpi.new", lang, name=m.compared_with),
                None,
                "def.risk.new",
                lang,
                tone="warn" if m.newly_flagged else "neutral",
                kpi_id="risk-kpi-new",
            )
        )
    return kpi_row(cards, row_id="risk-kpis")


def _cell_text(kri: str, cell: Cell | None, lang: str) -> str:
    if cell is None:
        return "–"
    return value_text(kri, cell.value, lang) + MARK[cell.flag]


def kri_table(m: RiskModel, ctx: PageContext) -> Component:
    """One row per center (then the trial, and the other centers pooled), a column per KRI."""
    lang = ctx.lang
    rows: list[dict[str, Any]] = []
    for c in m.centers:
        row: dict[str, Any] = {"center": c, "kind": "center"}
        for k in m.kris:
            cell = m.by_center[c].get(k)
            row[f"{k}_text"] = _cell_text(k, cell, lang)
            row[f"{k}_flag"] = cell.flag if cell else "none"
            row[k] = cell.value if cell else None
        rows.append(row)
    for name, cells in (("risk.row.rest", m.rest), ("risk.row.trial", m.trial)):
        if not cells:
            continue
        row = {"center": t(name, lang), "kind": "total"}
        for k in m.kris:
            cell = cells.get(k)
            row[f"{k}_text"] = value_text(k, cell.value if cell else None, lang)
            row[f"{k}_flag"] = "none"
            row[k] = cell.value if cell else None
        rows.append(row)
    columns: list[dict[str, Any]] = [
        {
            # As wide as its longest name (the rest goes to the indicators), up to 220 px.
            "field": "center",
            "headerName": t("risk.col.center", lang),
            "width": min(220, _width(max((len(str(r["center"])) for r in rows), default=0))),
            "flex": 0,
        }
    ]
    for k in m.kris:
        columns.append(
            {
                "field": k,
                "headerName": t(f"risk.kri.{k}", lang),
                "headerTooltip": t(f"def.risk.{k}", lang, **def_values(m, k)),
                "minWidth": _header_width(t(f"risk.kri.{k}", lang)),
                "flex": 1,
                # Sorted by the value, shown with its unit and flag mark.
                "valueFormatter": {"function": f"params.data['{k}_text']"},
                "cellClassRules": {
                    "risk-red": f"params.data['{k}_flag'] == 'red'",
                    "risk-amber": f"params.data['{k}_flag'] == 'amber'",
                },
            }
        )
    table = client_table(
        "risk-kris",
        rows,
        columns,
        lang,
        "center-risk.csv",
        row_class_rules={"row-heading": "params.data.kind == 'total'"},
    )
    sub = t(
        "risk.table.sub",
        lang,
        method=t(f"risk.method.{m.method}", lang),
        amber=f"{m.amber:g}",
        red=f"{m.red:g}",
    )
    return table_card(
        t("risk.table.title", lang), sub, table, lang, def_key="def.risk.kris", card_id="risk-table"
    )


def _head(names: list[str]) -> Component:
    return html.Thead(html.Tr([html.Th(name, scope="col") for name in names]))


def flags_table(m: RiskModel, ctx: PageContext) -> Component:
    """The indicators by center as a plain table (the meeting pack prints it)."""
    lang = ctx.lang
    head = _head([t("risk.col.center", lang)] + [t(f"risk.kri.{k}", lang) for k in m.kris])
    body = [
        html.Tr(
            [html.Th(c, scope="row")]
            + [
                html.Td(
                    _cell_text(k, m.by_center[c].get(k), lang),
                    className=f"risk-{m.by_center[c][k].flag}" if k in m.by_center[c] else None,
                )
                for k in m.kris
            ]
        )
        for c in m.centers
    ]
    body.append(
        html.Tr(
            [html.Th(t("risk.row.trial", lang), scope="row")]
            + [
                html.Td(value_text(k, m.trial[k].value if k in m.trial else None, lang))
                for k in m.kris
            ],
            className="row-heading",
        )
    )
    table = dbc.Table(
        [head, html.Tbody(body)], size="sm", className="center-table risk-flags", id="risk-flags"
    )
    sub = t(
        "risk.table.sub",
        lang,
        method=t(f"risk.method.{m.method}", lang),
        amber=f"{m.amber:g}",
        red=f"{m.red:g}",
    )
    return table_card(
        t("risk.table.title", lang), sub, html.Div(table, className="table-scroll"), lang
    )


def qtl_table(m: RiskModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    head = _head(
        [
            t(k, lang)
            for k in (
                "risk.qtl.col.measure",
                "risk.qtl.col.value",
                "risk.qtl.col.limit",
                "risk.qtl.col.status",
                "risk.qtl.col.first",
            )
        ]
    )
    visit = ctx.protocol.headline_visit("nrs") or "–"
    body = []
    for q in m.qtls.values():
        status = "risk.qtl.exceeded" if q.exceeded else "risk.qtl.within"
        first = q.first_exceeded
        body.append(
            html.Tr(
                [
                    html.Th(t(f"risk.qtl.{q.measure}", lang, visit=visit), scope="row"),
                    html.Td(f"{pct(q.value, 1)} ({q.numerator} / {q.denominator})"),
                    html.Td(f"> {pct(q.limit, 0)}"),
                    html.Td(t(status, lang), className="risk-red" if q.exceeded else "risk-green"),
                    html.Td(
                        "–"
                        if first is None
                        else t("risk.qtl.now", lang)
                        if first == "now"
                        else first
                    ),
                ]
            )
        )
    table = dbc.Table([head, html.Tbody(body)], size="sm", className="center-table", id="risk-qtl")
    return table_card(
        t("risk.qtl.title", lang),
        t("risk.qtl.sub", lang),
        html.Div(table, className="table-scroll"),
        lang,
        def_key="def.risk.qtl",
        card_id="risk-qtl-card",
    )


def new_flags(m: RiskModel, ctx: PageContext) -> Component:
    lang = ctx.lang
    if not m.newly_flagged:
        body: Component = empty_state(t("risk.new.none", lang, name=m.compared_with or ""))
    else:
        head = _head(
            [
                t(k, lang)
                for k in (
                    "risk.col.center",
                    "risk.new.col.kri",
                    "risk.new.col.then",
                    "risk.new.col.now",
                )
            ]
        )
        body = dbc.Table(
            [
                head,
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Th(f.center, scope="row"),
                                html.Td(t(f"risk.kri.{f.kri}", lang)),
                                html.Td(t(f"risk.flag.{f.then}", lang)),
                                html.Td(t(f"risk.flag.{f.now}", lang), className=f"risk-{f.now}"),
                            ]
                        )
                        for f in m.newly_flagged
                    ]
                ),
            ],
            size="sm",
            className="center-table",
            id="risk-new",
        )
    return table_card(
        t("risk.new.title", lang, name=m.compared_with or ""),
        None,
        html.Div(body, className="table-scroll"),
        lang,
        def_key="def.risk.new",
        card_id="risk-new-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    m = model_of(ctx)
    date = format_date(m.as_of, lang)
    blocks: list[Component] = [
        page_head(t("risk.title", lang), "risk", lang),
        kpis(m, ctx),
        *scope_notes(m.scope, lang),
    ]
    if not m.centers:
        blocks.append(empty_state(t("risk.empty", lang)))
        return html.Div(blocks)
    blocks.append(kri_table(m, ctx))
    blocks.append(
        dbc.Row(
            [
                dbc.Col(qtl_table(m, ctx), lg=6),
                dbc.Col(new_flags(m, ctx) if m.compared_with else html.Div(), lg=6),
            ],
            className="g-3",
        )
    )
    funnels = []
    for k in m.kris:
        if KRIS[k].kind == "identity":
            continue
        fig = figs.funnel(m, k, lang, present)
        trial = m.trial.get(k)
        sub = t(
            "risk.funnel.sub",
            lang,
            trial=value_text(k, trial.value if trial else None, lang),
            date=date,
        )
        funnels.append(
            dbc.Col(
                graph(
                    fig,
                    f"risk-graph-{k.replace('_', '-')}",
                    t("risk.funnel.empty", lang),
                    t(f"risk.kri.{k}", lang),
                    sub,
                    lang,
                    present,
                    def_key=f"def.risk.{k}",
                ),
                lg=6,
            )
        )
    blocks.append(dbc.Row(funnels, className="g-3"))
    trend = figs.trend(m, lang, present)
    blocks.append(
        graph(
            trend,
            "risk-graph-trend",
            t("risk.trend.empty", lang),
            t("risk.trend.title", lang),
            t("risk.trend.sub", lang),
            lang,
            present,
            def_key="def.risk.trend",
        )
    )
    return html.Div(blocks)

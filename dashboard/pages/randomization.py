"""The randomization page: arm balance, baseline table by arm, CONSORT flow, SBRT delivery."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    access_notes,
    graph,
    kpi_card,
    kpi_row,
    page_head,
    pooled_label,
    proportion_headline,
    scope_label,
    scope_notes,
    table_card,
)
from dashboard.components.consort import consort_diagram
from dashboard.components.grid import client_table
from dashboard.figures import randomization as figs
from dashboard.i18n import format_date, label, number, pct, t, tn
from dashboard.metrics.randomization import POOLED, RandomizationModel, TableVariable
from dashboard.protocol import Protocol
from dashboard.services import AppState, PageContext, randomization_for

PATH = "/randomization"
NAV_KEY = "nav.randomization"
MAX_BALANCE_ROWS = 20
CODE_PREFIX = {"sex": "sex", "primary_tumor": "tumor", "nrs_band": "band", "region": "region"}


def ratio_text(protocol: Protocol) -> str:
    """'1:1', '2:1', '1:1:1'."""
    return ":".join(str(r) for r in protocol.ratio)


def received_key(protocol: Protocol) -> str:
    """The definition of 'received allocated treatment' that fits this protocol."""
    return "def.received" if protocol.sbrt is not None else "def.received_generic"


def kpis(m: RandomizationModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("allocation")
    if m.concealed:
        return kpi_row(
            [
                kpi_card(
                    str(m.randomized),
                    t("rnd.kpi.randomized_all", lang),
                    None,
                    None,
                    lang,
                    kpi_id="rnd-kpi-randomized",
                )
            ],
            row_id=ids.RND_KPIS,
        )
    total = m.balance.get(POOLED) or (m.balance[m.scope.centers[0]] if m.scope.centers else None)
    counts = " · ".join(
        f"{p.arm_label(a, lang)} {total.counts[a] if total else 0}" for a in p.arm_codes
    )
    cards = [
        kpi_card(
            " : ".join(str(total.counts[a]) if total else "0" for a in p.arm_codes),
            t("rnd.kpi.randomized", lang),
            counts,
            "def.balance",
            lang,
            kpi_id="rnd-kpi-randomized",
            help_values=ctx.terms,
        )
    ]
    worst = m.largest_difference
    cards.append(
        kpi_card(
            figs.difference_text(m.balance[worst], p, lang, False) if worst else "–",
            t("rnd.kpi.largest_diff_at", lang, center=worst)
            if worst
            else t("rnd.kpi.largest_diff", lang),
            tn(
                "rnd.kpi.balance_bad",
                len(m.beyond_bounds),
                lang,
                centers=", ".join(m.beyond_bounds),
            )
            if m.beyond_bounds
            else t("rnd.kpi.balance_ok", lang),
            "def.balance",
            lang,
            tone="warn" if m.beyond_bounds else "good",
            kpi_id="rnd-kpi-balance",
            help_values=ctx.terms,
        )
    )
    if total is not None and total.p_value is not None:
        cards.append(
            kpi_card(
                number(total.p_value, 2),
                t(
                    f"rnd.kpi.test.{total.test}",
                    lang,
                    ratio=ratio_text(p),
                    scope=scope_label(m.scope, lang),
                ),
                None,
                "def.balance",
                lang,
                tone="warn" if total.surprising else "neutral",
                kpi_id="rnd-kpi-binomial",
                help_values=ctx.terms,
            )
        )
    d = m.delivery
    if d is not None:
        key = received_key(p)
        cards.append(
            kpi_card(
                proportion_headline(d.started),
                t(
                    "rnd.kpi.sbrt_started",
                    lang,
                    arm=p.arm_label(d.arm, lang),
                    started=d.started.k,
                    n=d.started.n,
                    completed=d.completed,
                ),
                None,
                key,
                lang,
                kpi_id="rnd-kpi-sbrt",
                help_values=ctx.terms,
            )
        )
        cards.append(
            kpi_card(
                str(d.departures_total),
                t("rnd.kpi.departures", lang),
                None,
                key,
                lang,
                tone="warn" if d.departures_total else "good",
                kpi_id="rnd-kpi-departures",
                help_values=ctx.terms,
            )
        )
    return kpi_row(cards, row_id=ids.RND_KPIS)


def balance_rows(m: RandomizationModel) -> list[str]:
    """Centers (the most imbalanced first when there are too many to show), then pooled."""
    codes = [c for c in m.scope.centers if c in m.balance]
    if len(codes) > MAX_BALANCE_ROWS:
        codes = sorted(
            codes,
            key=lambda c: -abs(m.balance[c].difference) / (m.balance[c].bound or 1),
        )[:MAX_BALANCE_ROWS]
    return codes + ([POOLED] if POOLED in m.balance else [])


def balance_table(m: RandomizationModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("allocation")
    head = html.Thead(
        html.Tr(
            [html.Th(t("rnd.col.center", lang), scope="col")]
            + [html.Th(a.name(lang), scope="col") for a in p.arms]
            + [
                html.Th(t(k, lang), scope="col")
                for k in ("rnd.col.difference", "rnd.col.bound", "rnd.col.p", "rnd.col.flag")
            ]
        )
    )
    body = []
    for key in [*m.scope.centers, *([POOLED] if POOLED in m.balance else [])]:
        b = m.balance[key]
        flags = [t("rnd.flag.blocks", lang)] if b.exceeds_blocks else []
        flags += [t("rnd.flag.test", lang)] if b.surprising else []
        name = pooled_label(m.scope, lang) if key == POOLED else key
        body.append(
            html.Tr(
                [html.Th(name, scope="row")]
                + [html.Td(b.counts[a]) for a in p.arm_codes]
                + [
                    html.Td(figs.difference_text(b, p, lang)),
                    html.Td(f"±{b.bound}"),
                    html.Td(number(b.p_value, 2)),
                    html.Td(
                        " ".join(flags) or t("rnd.flag.ok", lang),
                        className="status-behind" if flags else "status-on_track",
                    ),
                ],
                className="total-row" if key == POOLED else None,
            )
        )
    table = dbc.Table(
        [head, html.Tbody(body)],
        size="sm",
        hover=True,
        className="center-table",
        id=ids.RND_BALANCE_TABLE,
    )
    return table_card(
        t("rnd.table.title", lang),
        None,
        html.Div(table, className="table-scroll"),
        lang,
        def_key="def.balance",
        card_id="rnd-balance-card",
        help_values=ctx.terms,
    )


def _cell(var: TableVariable, level: str, column: str) -> str:
    c = var.counts[level][column]
    return f"{c.k} ({pct(c.share)})" if c.n else "0"


def _table_one(m: RandomizationModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("allocation")
    t1 = m.table_one
    rows: list[dict[str, Any]] = []
    for var in t1.variables:
        rows.append({"characteristic": t(f"rnd.t1.{var.variable}", lang), "heading": True})
        if var.kind == "continuous":
            d = var.digits
            for stat in ("mean_sd", "median_iqr", "missing"):
                cells = {}
                for col in t1.columns:
                    s = var.summaries[col]
                    if stat == "mean_sd":
                        cells[col] = f"{number(s.mean, d)} ({number(s.sd, d)})" if s.n else "–"
                    elif stat == "median_iqr":
                        cells[col] = (
                            f"{number(s.median, d)} [{number(s.q1, d)}–{number(s.q3, d)}]"
                            if s.n
                            else "–"
                        )
                    else:
                        cells[col] = str(s.missing)
                rows.append({"characteristic": t(f"stat.{stat}", lang), **cells, "heading": False})
        else:
            for level in var.levels:
                name = (
                    t("stat.missing", lang)
                    if level == "missing"
                    else label(CODE_PREFIX.get(var.variable, var.variable), level, lang)
                )
                cells = {col: _cell(var, level, col) for col in t1.columns}
                rows.append({"characteristic": name, **cells, "heading": False})
    columns: list[dict[str, Any]] = [
        {
            "field": "characteristic",
            "headerName": t("rnd.t1.characteristic", lang),
            "minWidth": 240,
            "sortable": False,
            "wrapText": True,
            "autoHeight": True,
            "cellClassRules": {"cell-indent": "!data.heading"},
        }
    ]
    # Without allocation details one column: every randomized subject together.
    shown = ("total",) if m.concealed else t1.columns
    for col in shown:
        name = t("rnd.t1.total", lang) if col == "total" else p.arm_label(col, lang)
        columns.append(
            {
                "field": col,
                "headerName": f"{name} ({t('rnd.t1.n', lang, n=t1.sizes[col])})",
                "sortable": False,
                "minWidth": 130,
            }
        )
    columns.append({"field": "heading", "hide": True})
    return table_card(
        t("rnd.t1.title_pooled" if m.concealed else "rnd.t1.title", lang),
        t("rnd.t1.population_pooled" if m.concealed else "rnd.t1.population", lang),
        client_table(
            ids.RND_TABLE_ONE,
            rows,
            columns,
            lang,
            "baseline-by-arm.csv",
            row_class_rules={"row-heading": "params.data.heading"},
        ),
        lang,
        card_id="rnd-table-one-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present, p = ctx.lang, ctx.view.present, ctx.arms_view("allocation")
    m = randomization_for(ctx)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    sub = t(
        "rnd.subtitle",
        lang,
        scope=scope,
        randomized=tn("n.randomized", m.randomized, lang),
        date=date,
    )
    empty = t("rnd.empty.none", lang)
    rows = balance_rows(m)
    labels = [pooled_label(m.scope, lang) if r == POOLED else r for r in rows]
    has = m.randomized > 0
    notes = scope_notes(m.scope, lang) + access_notes(ctx, "allocation")
    if m.scope.arm_filtered:
        notes.append(
            dbc.Alert(t("rnd.note.arm_filter", lang), color="secondary", className="py-2 small")
        )
    if m.concealed:
        # Allocation details withheld: randomized over time and the flow, every arm as one.
        return html.Div(
            [
                page_head(t("rnd.title", lang), m.population, lang),
                kpis(m, ctx),
                *notes,
                graph(
                    figs.cumulative_by_arm(m, p, lang, present) if has else None,
                    ids.RND_CUMULATIVE,
                    empty,
                    t("rnd.fig.cumulative_all", lang),
                    sub,
                    lang,
                    present,
                ),
                table_card(
                    t("rnd.fig.consort", lang),
                    sub,
                    consort_diagram(m.consort, p, lang),
                    lang,
                    help_values=ctx.terms,
                    card_id=ids.RND_CONSORT,
                ),
                _table_one(m, ctx),
            ]
        )
    blocks: list[Component] = [
        page_head(t("rnd.title", lang), m.population, lang),
        kpis(m, ctx),
        *notes,
        dbc.Row(
            [
                dbc.Col(
                    graph(
                        figs.balance_bars(m, rows, labels, p, lang, present) if has else None,
                        ids.RND_BALANCE,
                        empty,
                        t("rnd.fig.balance", lang),
                        sub,
                        lang,
                        present,
                        def_key="def.balance",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
                dbc.Col(
                    graph(
                        figs.cumulative_by_arm(m, p, lang, present) if has else None,
                        ids.RND_CUMULATIVE,
                        empty,
                        t("rnd.fig.cumulative", lang),
                        sub,
                        lang,
                        present,
                    ),
                    lg=6,
                ),
            ],
            className="g-3",
        ),
        balance_table(m, ctx),
        table_card(
            t("rnd.fig.consort", lang),
            sub,
            consort_diagram(m.consort, p, lang),
            lang,
            def_key=received_key(p),
            help_values=ctx.terms,
            card_id=ids.RND_CONSORT,
        ),
    ]
    blocks.append(_table_one(m, ctx))
    d = m.delivery
    if d is not None:
        sbrt_sub = t(
            "rnd.subtitle_sbrt",
            lang,
            scope=scope,
            arm=p.arm_label(d.arm, lang),
            subjects=tn("n.subjects", d.started.k, lang),
            date=date,
        )
        centers = list(m.scope.centers)
        blocks.append(
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figs.scheme_bars(m, centers, p, lang, present) if d.started.k else None,
                            ids.RND_SCHEMES,
                            t("rnd.empty.sbrt", lang),
                            t("rnd.fig.schemes", lang, arm=p.arm_label(d.arm, lang)),
                            sbrt_sub,
                            lang,
                            present,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figs.start_days(m, centers, p, lang, present) if d.start_days else None,
                            ids.RND_START_DAYS,
                            t("rnd.empty.sbrt", lang),
                            t("rnd.fig.start_days", lang, arm=p.arm_label(d.arm, lang)),
                            sbrt_sub,
                            lang,
                            present,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            )
        )
        blocks.append(_departure_counts(m, ctx))
    return html.Div(blocks)


def _departure_counts(m: RandomizationModel, ctx: PageContext) -> Component:
    """Departures by kind; the subjects behind them are on the data-quality page."""
    lang, p = ctx.lang, ctx.arms_view("allocation")
    d = m.delivery
    assert d is not None and p.sbrt is not None
    key = received_key(p)
    other = [a for a in p.arm_codes if a != d.arm]
    items = [
        html.Li(
            [
                html.Span(str(n), className="count"),
                " ",
                t(
                    f"rnd.problem.{problem}",
                    lang,
                    arm=p.arm_label(d.arm, lang),
                    other=", ".join(p.arm_label(a, lang) for a in other),
                    late=p.sbrt.late_start_day,
                    missing=p.sbrt.missing_after_days,
                ),
            ]
        )
        for problem, n in d.departures.items()
    ]
    return table_card(
        t("rnd.delivery.title", lang),
        t("rnd.delivery.where", lang),
        html.Ul(items, className="count-list", id=ids.RND_DEPARTURES),
        lang,
        def_key=key,
        help_values=ctx.terms,
    )


def register_callbacks(app: Dash, state: AppState) -> None:
    """No callbacks of its own (the CONSORT diagram is HTML, drawn with the page)."""

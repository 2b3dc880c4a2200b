"""The randomization page: arm balance, baseline table by arm, CONSORT flow, SBRT delivery."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    empty_state,
    graph,
    help_button,
    hidden_note,
    kpi_card,
    kpi_row,
)
from dashboard.components.grid import listing
from dashboard.figures import randomization as figs
from dashboard.i18n import arm_label, format_date, label, t
from dashboard.services import AppState, PageContext, RandomizationReport, load_randomization

PATH = "/randomization"
NAV_KEY = "nav.randomization"

CODE_PREFIX = {"sex": "sex", "primary_tumor": "tumor", "nrs_band": "band", "region": "region"}


def _kpis(report: RandomizationReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    a, b = ctx.protocol.arm_codes
    bal = report.balance
    centers = bal[bal["center_id"] != "ALL"]
    total = bal[bal["center_id"] == "ALL"].iloc[0]
    bound = ctx.protocol.max_block_imbalance
    beyond = centers[centers["exceeds_blocks"]]["center_id"].tolist()
    worst = centers.iloc[centers["difference"].abs().argmax()] if len(centers) else None
    dl = report.delivery
    share = dl.started / dl.sbrt_arm_n if dl.sbrt_arm_n else None
    return kpi_row(
        [
            kpi_card(
                f"{int(total[a])} : {int(total[b])}",
                t(
                    "rnd.kpi.randomized",
                    lang,
                    a=int(total[a]),
                    b=int(total[b]),
                    arm_a=t(f"arm.{a}", lang),
                    arm_b=t(f"arm.{b}", lang),
                ),
                None,
                "def.balance",
                lang,
                kpi_id="rnd-kpi-randomized",
            ),
            kpi_card(
                f"{worst['center_id']} {int(worst['difference']):+d}".replace("-", "−")
                if worst is not None
                else "–",
                t("rnd.kpi.largest_diff", lang),
                t("rnd.kpi.balance_bad", lang, centers=", ".join(beyond))
                if beyond
                else t("rnd.kpi.balance_ok", lang, bound=bound),
                "def.balance",
                lang,
                tone="warn" if beyond else "good",
                kpi_id="rnd-kpi-balance",
            ),
            kpi_card(
                f"{float(total['p_value']):.2f}",
                t("rnd.kpi.binomial", lang),
                None,
                "def.balance",
                lang,
                tone="warn" if total["surprising"] else "neutral",
                kpi_id="rnd-kpi-binomial",
            ),
            kpi_card(
                "–" if share is None else f"{share:.0%}",
                t(
                    "rnd.kpi.sbrt_started",
                    lang,
                    started=dl.started,
                    n=dl.sbrt_arm_n,
                    completed=dl.completed,
                ),
                None,
                "def.received",
                lang,
                kpi_id="rnd-kpi-sbrt",
            ),
            kpi_card(
                str(len(dl.departures)),
                t("rnd.kpi.departures", lang),
                None,
                "def.received",
                lang,
                tone="warn" if len(dl.departures) else "good",
                kpi_id="rnd-kpi-departures",
            ),
        ],
        row_id=ids.RND_KPIS,
    )


def _balance_table(report: RandomizationReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    a, b = ctx.protocol.arm_codes
    head = html.Thead(
        html.Tr(
            [
                html.Th(x, scope="col")
                for x in (
                    t("rnd.col.center", lang),
                    t(f"arm.{a}", lang),
                    t(f"arm.{b}", lang),
                    t("rnd.col.difference", lang),
                    t("rnd.col.ratio", lang),
                    t("rnd.col.bound", lang),
                    t("rnd.col.p", lang),
                    t("rnd.col.flag", lang),
                )
            ]
        )
    )
    body = []
    for r in report.balance.to_dict("records"):
        flags = [t("rnd.flag.blocks", lang)] if r["exceeds_blocks"] else []
        flags += [t("rnd.flag.binomial", lang)] if r["surprising"] else []
        ratio = "–" if pd.isna(r["ratio"]) or r["ratio"] == float("inf") else f"{r['ratio']:.2f}"
        center = t("center.all", lang) if r["center_id"] == "ALL" else r["center_id"]
        body.append(
            html.Tr(
                [
                    html.Th(center, scope="row"),
                    html.Td(r[a]),
                    html.Td(r[b]),
                    html.Td(f"{r['difference']:+d}".replace("-", "−")),
                    html.Td(ratio),
                    html.Td(r["bound"]),
                    html.Td(f"{r['p_value']:.2f}"),
                    html.Td(
                        " ".join(flags) or t("rnd.flag.ok", lang),
                        className="status-behind" if flags else "status-on_track",
                    ),
                ]
            )
        )
    return html.Div(
        [
            html.H2([t("rnd.table.title", lang), help_button("def.balance", lang)], className="h6"),
            dbc.Table(
                [head, html.Tbody(body)],
                size="sm",
                hover=True,
                className="center-table",
                id=ids.RND_BALANCE_TABLE,
            ),
        ],
        className="graph-card table-card",
    )


def _table_one(report: RandomizationReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    a, b = ctx.protocol.arm_codes
    sizes = report.table_sizes
    rows: list[dict[str, Any]] = []
    for r in report.table_rows:
        if r.heading:
            rows.append({"characteristic": t(f"rnd.t1.{r.variable}", lang), "heading": True})
            continue
        if r.statistic in ("mean_sd", "median_iqr", "missing"):
            name = t(f"stat.{r.statistic}", lang)
        else:
            name = label(CODE_PREFIX.get(r.variable, r.variable), r.statistic, lang)
        rows.append(
            {
                "characteristic": "    " + name,
                "a": r.cells.get(a),
                "b": r.cells.get(b),
                "total": r.cells.get("total"),
                "heading": False,
            }
        )
    columns = [
        {
            "field": "characteristic",
            "headerName": t("rnd.t1.characteristic", lang),
            "minWidth": 260,
            "sortable": False,
        },
        {
            "field": "a",
            "headerName": f"{t(f'arm.{a}', lang)} ({t('rnd.t1.n', lang, n=sizes[a])})",
            "sortable": False,
        },
        {
            "field": "b",
            "headerName": f"{t(f'arm.{b}', lang)} ({t('rnd.t1.n', lang, n=sizes[b])})",
            "sortable": False,
        },
        {
            "field": "total",
            "headerName": f"{t('rnd.t1.total', lang)} ({t('rnd.t1.n', lang, n=sizes['total'])})",
            "sortable": False,
        },
        {"field": "heading", "hide": True},
    ]
    return html.Div(
        [
            html.H2(t("rnd.t1.title", lang), className="h6"),
            listing(
                ids.RND_TABLE_ONE,
                rows,
                columns,
                lang,
                "baseline-by-arm.csv",
                row_class_rules={"row-heading": "params.data.heading"},
                paginate=False,
            ),
        ],
        className="graph-card table-card",
        id="rnd-table-one-card",
    )


def _departures(report: RandomizationReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    dep = report.delivery.departures
    header = html.H2(
        [t("rnd.delivery.title", lang), help_button("def.received", lang)], className="h6"
    )
    if dep.empty:
        return html.Div(
            [header, empty_state(t("rnd.delivery.empty", lang))], className="graph-card table-card"
        )
    rows = [
        {
            "subject": r.subject_id,
            "center": r.center_id,
            "arm": arm_label(r.arm, lang),
            "problem": t(f"rnd.problem.{r.problem}", lang),
            "detail": r.detail,
        }
        for r in dep.itertuples()
    ]
    columns: list[dict[str, Any]] = [
        {"field": "subject", "headerName": t("rnd.col.subject", lang)},
        {"field": "center", "headerName": t("rnd.col.center", lang), "maxWidth": 110},
        {"field": "arm", "headerName": t("rnd.col.arm", lang)},
        {"field": "problem", "headerName": t("rnd.col.problem", lang), "minWidth": 240},
        {"field": "detail", "headerName": t("rnd.col.detail", lang)},
    ]
    return html.Div(
        [header, listing(ids.RND_DEPARTURES, rows, columns, lang, "treatment-departures.csv")],
        className="graph-card table-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_randomization(ctx.db, ctx.protocol, ctx.scope)
    centers = [c for c in ctx.protocol.center_codes if c in ctx.scope.centers]
    all_centers = len(centers) == len(ctx.protocol.centers)
    scope_label = t("center.all", lang) if all_centers else ", ".join(centers)
    date_text = format_date(report.as_of, lang)
    n = report.consort.randomized
    sub = t("rnd.subtitle", lang, scope=scope_label, n=n, date=date_text)
    arms = ctx.protocol.arms
    total_label = t("center.all", lang) if all_centers else t("center.selection", lang)
    empty = t("rnd.empty.none", lang)
    balance = (
        figs.balance_bars(report.balance, arms, lang, sub, total_label, present) if n else None
    )
    cumulative = (
        figs.cumulative_by_arm(
            report.cumulative, arms, pd.Timestamp(report.as_of), lang, sub, present
        )
        if n
        else None
    )
    consort = figs.consort_diagram(report.consort, arms, lang, sub, present)
    dl = report.delivery
    sbrt_sub = t("rnd.subtitle_sbrt", lang, scope=scope_label, n=dl.started, date=date_text)
    allowed = [f"{d:g} Gy / {f}" for d, f in ctx.protocol.sbrt.allowed_schemes]
    schemes = (
        figs.scheme_bars(dl.schemes, centers, allowed, lang, sbrt_sub, present)
        if dl.started
        else None
    )
    starts = (
        figs.start_days_strip(
            dl.start_days,
            centers,
            ctx.protocol.sbrt.planned_start_day,
            ctx.protocol.sbrt.late_start_day,
            lang,
            sbrt_sub,
            present,
            ctx.identifiers,
        )
        if len(dl.start_days)
        else None
    )
    download = html.Div(
        [
            dbc.Button(
                t("rnd.consort.png", lang),
                id=ids.RND_CONSORT_PNG,
                size="sm",
                color="secondary",
                outline=True,
            ),
            dbc.Button(
                t("rnd.consort.svg", lang),
                id=ids.RND_CONSORT_SVG,
                size="sm",
                color="secondary",
                outline=True,
            ),
            help_button("def.received", lang),
        ],
        className="listing-tools",
    )
    return html.Div(
        [
            html.H1(t("rnd.title", lang), className="page-title"),
            _kpis(report, ctx),
            dbc.Row(
                [
                    dbc.Col(graph(balance, ids.RND_BALANCE, empty), lg=6),
                    dbc.Col(graph(cumulative, ids.RND_CUMULATIVE, empty), lg=6),
                ],
                className="g-3",
            ),
            _balance_table(report, ctx),
            html.Div([download, graph(consort, ids.RND_CONSORT, empty)], id="rnd-consort-card"),
            _table_one(report, ctx),
            dbc.Row(
                [
                    dbc.Col(graph(schemes, ids.RND_SCHEMES, t("rnd.empty.sbrt", lang)), lg=6),
                    dbc.Col(graph(starts, ids.RND_START_DAYS, t("rnd.empty.sbrt", lang)), lg=6),
                ],
                className="g-3",
            ),
            _departures(report, ctx) if ctx.identifiers else hidden_note(lang),
        ]
    )


def register_callbacks(app: Dash, state: AppState) -> None:
    """Download the CONSORT figure as PNG or SVG, drawn by the browser (works offline)."""
    for button, fmt in ((ids.RND_CONSORT_PNG, "png"), (ids.RND_CONSORT_SVG, "svg")):
        app.clientside_callback(
            f"""
            function(n) {{
                if (!n) {{ return; }}
                const el = document.querySelector('#{ids.RND_CONSORT} .js-plotly-plot');
                if (el) {{
                    Plotly.downloadImage(el, {{format: '{fmt}', filename: 'consort',
                                             width: 1280, height: 800}});
                }}
            }}
            """,
            Input(button, "n_clicks"),
            prevent_initial_call=True,
        )

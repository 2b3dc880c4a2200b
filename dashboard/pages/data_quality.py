"""The data-quality page: findings by center and category, trend, findings, deviations."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
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
from dashboard.figures import data_quality as figs
from dashboard.i18n import format_date, label, t
from dashboard.metrics.data_quality import CATEGORIES
from dashboard.services import DataQualityReport, PageContext, load_data_quality

PATH = "/data-quality"
NAV_KEY = "nav.data_quality"


def _findings_listing(report: DataQualityReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    rows = [
        {
            "subject": r.subject_id,
            "center": r.center_id,
            "category": label("dq.cat", r.category, lang),
            "check": label("dq.check", r.check, lang),
            "table": r.table,
            "field": r.field,
            "value": r.value,
            "record": None if pd.isna(r.record_on) else r.record_on.date().isoformat(),
        }
        for r in report.findings.itertuples()
    ]
    columns: list[dict[str, Any]] = [
        {"field": "subject", "headerName": t("dq.col.subject", lang), "maxWidth": 130},
        {"field": "center", "headerName": t("dq.col.center", lang), "maxWidth": 100},
        {"field": "category", "headerName": t("dq.col.category", lang), "maxWidth": 150},
        {"field": "check", "headerName": t("dq.col.check", lang), "minWidth": 280},
        {"field": "table", "headerName": t("dq.col.table", lang), "maxWidth": 150},
        {"field": "field", "headerName": t("dq.col.field", lang)},
        {"field": "value", "headerName": t("dq.col.value", lang)},
        {"field": "record", "headerName": t("dq.col.record", lang), "maxWidth": 130},
    ]
    body = (
        listing(ids.DQ_FINDINGS, rows, columns, lang, "data-quality-findings.csv", height_rows=15)
        if rows
        else empty_state(t("dq.empty", lang))
    )
    return html.Div(
        [
            html.H2(
                [t("dq.findings.title", lang), help_button("def.findings", lang)], className="h6"
            ),
            html.P(t("dq.findings.help", lang), className="small text-muted"),
            body,
        ],
        className="graph-card table-card",
        id="dq-findings-card",
    )


def _deviations(report: DataQualityReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    dev = report.deviations
    rows = [
        {
            "subject": r.subject_id,
            "center": r.center_id,
            "date": None if pd.isna(r.occurred_on) else r.occurred_on.date().isoformat(),
            "category": label("dev", str(r.category), lang),
            "major": t("saf.yes", lang) if r.major else t("saf.no", lang),
            "description": r.description,
        }
        for r in dev.itertuples()
    ]
    columns: list[dict[str, Any]] = [
        {"field": "subject", "headerName": t("dq.col.subject", lang), "maxWidth": 130},
        {"field": "center", "headerName": t("dq.col.center", lang), "maxWidth": 100},
        {"field": "date", "headerName": t("dq.col.date", lang), "maxWidth": 130},
        {"field": "category", "headerName": t("dq.col.category", lang)},
        {"field": "major", "headerName": t("dq.col.major", lang), "maxWidth": 100},
        {"field": "description", "headerName": t("dq.col.description", lang), "minWidth": 280},
    ]
    body = (
        listing(ids.DQ_DEVIATIONS, rows, columns, lang, "protocol-deviations.csv")
        if rows
        else empty_state(t("dq.deviations.empty", lang))
    )
    return html.Div(
        [html.H2(t("dq.deviations.title", lang), className="h6"), body],
        className="graph-card table-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_data_quality(ctx.db, ctx.protocol, ctx.scope)
    centers = [c for c in ctx.protocol.center_codes if c in ctx.scope.centers]
    scope_label = (
        t("center.all", lang) if len(centers) == len(ctx.protocol.centers) else ", ".join(centers)
    )
    f = report.findings
    sub = t("dq.subtitle", lang, scope=scope_label, n=len(f), date=format_date(report.as_of, lang))
    cards = [
        kpi_card(
            str(int((f["category"] == cat).sum())),
            label("dq.cat", cat, lang),
            None,
            f"def.dq.{cat}",
            lang,
            tone="warn" if (f["category"] == cat).any() else "good",
            kpi_id=f"dq-kpi-{cat}",
        )
        for cat in CATEGORIES
        if cat != "structure" or report.structure_checked
    ]
    major = int(report.deviations["major"].astype(bool).sum()) if len(report.deviations) else 0
    cards.append(
        kpi_card(
            f"{len(report.deviations)} ({major})",
            t("dq.kpi.deviations", lang),
            None,
            "def.deviations",
            lang,
            kpi_id="dq-kpi-deviations",
        )
    )
    notes = (
        []
        if report.structure_checked
        else [dbc.Alert(t("dq.note.structure", lang), color="secondary", className="py-2 small")]
    )
    has = len(f) > 0
    return html.Div(
        [
            html.H1(t("dq.title", lang), className="page-title"),
            kpi_row(cards, row_id=ids.DQ_KPIS),
            *notes,
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figs.counts_figure(report.by_center, lang, sub, present)
                            if has
                            else None,
                            ids.DQ_COUNTS,
                            t("dq.empty", lang),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figs.trend_figure(report.trend, lang, sub, present) if has else None,
                            ids.DQ_TREND,
                            t("dq.empty", lang),
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            *(
                [_findings_listing(report, ctx), _deviations(report, ctx)]
                if ctx.identifiers
                else [hidden_note(lang)]
            ),
        ]
    )

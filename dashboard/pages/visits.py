"""The visits page: compliance by center and visit, missed visits, worklist, swimmer plot."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import graph, help_button, hidden_note, kpi_card, kpi_row
from dashboard.components.grid import listing
from dashboard.figures import visits as figs
from dashboard.i18n import arm_label, format_date, t
from dashboard.services import PageContext, VisitsReport, load_visits

PATH = "/visits"
SWIMMER_MAX = 150
NAV_KEY = "nav.visits"


def _pct(x: Any) -> str:
    return "–" if x is None or pd.isna(x) else f"{float(x):.0%}"


def _kpis(report: VisitsReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    o = report.overall.iloc[0] if len(report.overall) else None
    done = int(o["done_any"]) if o is not None else 0
    missed = int(o["missed"]) if o is not None else 0
    due = report.schedule[report.schedule["state"] == "due"]
    by_arm = report.by_arm.set_index("arm") if len(report.by_arm) else pd.DataFrame()
    arm_text = " · ".join(
        t("vis.kpi.by_arm", lang, arm=t(f"arm.{a}", lang), pct=_pct(by_arm.at[a, "compliance"]))
        for a in ctx.protocol.arm_codes
        if a in by_arm.index
    )
    no_day0 = report.flags[report.flags["problem"] == "no_day_zero"]["subject_id"].nunique()
    return kpi_row(
        [
            kpi_card(
                _pct(o["compliance"]) if o is not None else "–",
                t("vis.kpi.compliance", lang, done=done, expected=done + missed),
                arm_text or None,
                "def.compliance",
                lang,
                kpi_id="vis-kpi-compliance",
            ),
            kpi_card(
                str(len(due)),
                t("vis.kpi.due", lang, overdue=int((due["days_overdue"] > 0).sum())),
                None,
                "def.due",
                lang,
                tone="warn" if len(due) else "good",
                kpi_id="vis-kpi-due",
            ),
            kpi_card(
                str(missed),
                t("vis.kpi.missed", lang),
                None,
                "def.compliance",
                lang,
                kpi_id="vis-kpi-missed",
            ),
            kpi_card(
                str(int(o["not_expected"]) if o is not None else 0),
                t("vis.kpi.not_expected", lang),
                None,
                "def.not_expected",
                lang,
                kpi_id="vis-kpi-not-expected",
            ),
            kpi_card(
                str(no_day0),
                t("vis.kpi.flags", lang),
                None,
                "def.no_day_zero",
                lang,
                tone="warn" if no_day0 else "neutral",
                kpi_id="vis-kpi-flags",
            ),
        ],
        row_id=ids.VIS_KPIS,
    )


def _worklist(report: VisitsReport, ctx: PageContext) -> Component:
    lang = ctx.lang
    work = report.worklist

    def day(x: Any) -> str | None:
        return None if pd.isna(x) else pd.Timestamp(x).date().isoformat()

    rows = [
        {
            "subject": r.subject_id,
            "center": r.center_id,
            "arm": arm_label(r.arm, lang),
            "visit": r.visit_code,
            "opens": day(r.opens_on),
            "target": day(r.target_on),
            "closes": day(r.closes_on),
            "state": t(f"vis.state.{r.state}", lang),
            "state_code": r.state,
            "overdue": int(r.days_overdue),
        }
        for r in work.itertuples()
    ]
    columns: list[dict[str, Any]] = [
        {"field": "subject", "headerName": t("vis.col.subject", lang), "minWidth": 110},
        {"field": "center", "headerName": t("vis.col.center", lang), "maxWidth": 110},
        {"field": "arm", "headerName": t("vis.col.arm", lang)},
        {"field": "visit", "headerName": t("vis.col.visit", lang), "maxWidth": 100},
        {"field": "opens", "headerName": t("vis.col.opens", lang)},
        {"field": "target", "headerName": t("vis.col.target", lang)},
        {"field": "closes", "headerName": t("vis.col.closes", lang)},
        {"field": "state", "headerName": t("vis.col.state", lang)},
        {
            "field": "overdue",
            "headerName": t("vis.col.overdue", lang),
            "filter": "agNumberColumnFilter",
            "type": "numericColumn",
        },
        {"field": "state_code", "hide": True},
    ]
    header = html.H2([t("vis.worklist.title", lang), help_button("def.due", lang)], className="h6")
    body: Component
    if not rows:
        from dashboard.components.common import empty_state

        body = empty_state(t("vis.worklist.empty", lang))
    else:
        body = listing(
            ids.VIS_WORKLIST,
            rows,
            columns,
            lang,
            "visit-worklist.csv",
            row_class_rules={
                "row-due": "params.data.state_code == 'due'",
                "row-missed": "params.data.state_code == 'missed'",
            },
            search_label=t("vis.worklist.search", lang),
        )
    return html.Div(
        [header, html.P(t("vis.worklist.help", lang), className="small text-muted"), body],
        className="graph-card table-card",
        id="vis-worklist-card",
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present = ctx.lang, ctx.view.present
    report = load_visits(ctx.db, ctx.protocol, ctx.scope)
    centers = [c for c in ctx.protocol.center_codes if c in ctx.scope.centers]
    all_centers = len(centers) == len(ctx.protocol.centers)
    scope_label = t("center.all", lang) if all_centers else ", ".join(centers)
    date_text = format_date(report.as_of, lang)
    n = len(report.subjects)
    sub = t("vis.subtitle", lang, scope=scope_label, n=n, date=date_text)
    visits = list(ctx.protocol.visit_codes)
    has = not report.schedule.empty
    heat = (
        figs.compliance_heatmap(
            report.by_center_visit,
            report.by_visit,
            centers,
            visits,
            lang,
            t("vis.subtitle_heatmap", lang, scope=scope_label, date=date_text),
            t("center.all", lang) if all_centers else t("center.selection", lang),
            present,
        )
        if has
        else None
    )
    missed = (
        figs.missed_over_time(report.missed_months, centers, lang, sub, present)
        if len(report.missed_months)
        else None
    )
    # One line per subject stays legible up to ~150 lines: beyond that, the most recently
    # randomized are shown and the subtitle says so (narrow the centers to see others).
    shown = report.subjects
    swim_sub = sub
    if len(shown) > SWIMMER_MAX:
        shown = shown.nlargest(SWIMMER_MAX, "randomized_on")
        swim_sub = t(
            "vis.swimmer_capped",
            lang,
            k=SWIMMER_MAX,
            n=len(report.subjects),
            scope=scope_label,
            date=date_text,
        )
    swim = (
        figs.swimmer(
            report.schedule[report.schedule["subject_id"].isin(shown["subject_id"])],
            shown,
            report.sbrt,
            pd.Timestamp(report.as_of),
            lang,
            swim_sub,
            present,
        )
        if has and ctx.identifiers
        else None
    )
    return html.Div(
        [
            html.H1(t("vis.title", lang), className="page-title"),
            _kpis(report, ctx),
            dbc.Row(
                [
                    dbc.Col(graph(heat, ids.VIS_HEATMAP, t("vis.empty.schedule", lang)), lg=7),
                    dbc.Col(graph(missed, ids.VIS_MISSED, t("vis.empty.missed", lang)), lg=5),
                ],
                className="g-3",
            ),
            *(
                [
                    _worklist(report, ctx),
                    graph(swim, ids.VIS_SWIMMER, t("vis.empty.schedule", lang)),
                ]
                if ctx.identifiers
                else [hidden_note(lang)]
            ),
        ]
    )

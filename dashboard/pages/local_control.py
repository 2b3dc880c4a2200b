"""The local control page: MD Anderson responses, DCR with exact CI, time to local progression."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    access_notes,
    empty_state,
    graph,
    kpi_card,
    kpi_row,
    page_head,
    proportion_headline,
    proportion_text,
    scope_label,
    scope_notes,
    table_card,
)
from dashboard.figures import outcomes as figs
from dashboard.i18n import format_date, t, tn
from dashboard.metrics.local_control import LocalControlModel
from dashboard.services import PageContext, local_control_for

PATH = "/local-control"
NAV_KEY = "nav.local_control"
MEASURE = "imaging"


def kpis(m: LocalControlModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("comparisons")
    cards = []
    visit = m.headline_visit
    for arm in m.arms:
        d = m.dcr.get(arm, {}).get(visit) if visit else None
        value = proportion_headline(d.rate if d else None)
        cards.append(
            kpi_card(
                value,
                t("lc.kpi.dcr", lang, arm=p.arm_label(arm, lang), visit=visit or "–"),
                proportion_text(d.rate, lang) if d else None,
                "def.dcr",
                lang,
                kpi_id=f"lc-kpi-dcr-{arm}",
                help_values=ctx.terms,
            )
        )
    for arm in m.arms:
        fit = m.km.get(arm)
        if fit is None:
            value, context = "–", None
        else:
            value = f"{fit.events} / {fit.subjects}"
            context = (
                t("lc.kpi.median", lang, days=tn("n.days", fit.median_days, lang))
                if fit.median_days is not None
                else t("lc.kpi.median_none", lang)
            )
        cards.append(
            kpi_card(
                value,
                t("lc.kpi.pd", lang, arm=p.arm_label(arm, lang)),
                context,
                "def.ttp",
                lang,
                kpi_id=f"lc-kpi-pd-{arm}",
                help_values=ctx.terms,
            )
        )
    return kpi_row(cards, row_id=ids.LC_KPIS)


def dcr_table(m: LocalControlModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("comparisons")
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in (
                    "out.axis.visit",
                    "lc.col.arm",
                    "lc.col.evaluable",
                    "lc.col.ne",
                    "lc.col.dcr",
                )
            ]
        )
    )
    body = []
    for v in m.visits:
        for arm in m.arms:
            d = m.dcr.get(arm, {}).get(v)
            if d is None:
                continue
            body.append(
                html.Tr(
                    [
                        html.Td(v),
                        html.Td(p.arm_label(arm, lang)),
                        html.Td(d.evaluable),
                        html.Td(d.not_evaluable),
                        html.Td(proportion_text(d.rate, lang)),
                    ]
                )
            )
    table = dbc.Table(
        [head, html.Tbody(body)], size="sm", className="center-table", id=ids.LC_DCR_TABLE
    )
    return table_card(
        t("lc.table.title", lang),
        None,
        html.Div(table, className="table-scroll"),
        lang,
        def_key="def.dcr",
        card_id="lc-dcr-card",
        help_values=ctx.terms,
    )


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present, p = ctx.lang, ctx.view.present, ctx.arms_view("comparisons")
    if not p.collects(MEASURE):
        return html.Div(
            [
                page_head(t("lc.title", lang), None, lang),
                empty_state(t("study.not_collected", lang, what=t("measure.imaging", lang))),
            ]
        )
    m = local_control_for(ctx)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    sub = tn("lc.subtitle", m.images, lang, scope=scope, date=date)
    subjects = m.km_subjects
    sub_km = t(
        "lc.subtitle_km", lang, scope=scope, subjects=tn("n.subjects", subjects, lang), date=date
    )
    empty = t("lc.empty", lang)
    has = m.images > 0
    rates = {a: {v: d.rate for v, d in per.items()} for a, per in m.dcr.items()}
    return html.Div(
        [
            page_head(t("lc.title", lang), m.population, lang),
            kpis(m, ctx),
            *scope_notes(m.scope, lang),
            *access_notes(ctx, "comparisons"),
            graph(
                figs.mda_stacked(m, p, lang, present) if has else None,
                ids.LC_MDA,
                empty,
                t("lc.fig.mda", lang),
                sub,
                lang,
                present,
                def_key="def.dcr",
                help_values=ctx.terms,
            ),
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figs.visit_rates(
                                rates,
                                m.arms,
                                list(m.visits),
                                p,
                                t("lc.axis.dcr", lang),
                                lang,
                                present,
                                t("out.axis.evaluable", lang),
                            )
                            if has
                            else None,
                            ids.LC_DCR,
                            empty,
                            ctx.title("lc.fig.dcr", "comparisons"),
                            sub,
                            lang,
                            present,
                            def_key="def.dcr",
                            help_values=ctx.terms,
                        ),
                        lg=6,
                    ),
                    dbc.Col(dcr_table(m, ctx), lg=6),
                ],
                className="g-3",
            ),
            graph(
                figs.kaplan_meier(m, p, lang, present) if m.km else None,
                ids.LC_KM,
                empty,
                t("lc.fig.km", lang),
                sub_km,
                lang,
                present,
                def_key="def.ttp",
                help_values=ctx.terms,
            ),
            html.P(t("lc.km_note", lang), className="model-note"),
        ]
    )

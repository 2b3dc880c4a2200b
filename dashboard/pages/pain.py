"""The pain & function page: NRS over time and its response, analgesics (OMED) and PAFI by arm."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components.common import (
    access_notes,
    empty_state,
    estimate_text,
    graph,
    kpi_card,
    kpi_row,
    page_head,
    proportion_text,
    scope_label,
    scope_notes,
)
from dashboard.figures import outcomes as figs
from dashboard.figures.theme import half_width
from dashboard.i18n import format_date, number, t, tn
from dashboard.metrics.outcomes import PainModel
from dashboard.services import PageContext, pain_for

PATH = "/pain"
NAV_KEY = "nav.pain"
MEASURE = "nrs"


def kpis(m: PainModel, ctx: PageContext) -> Component:
    lang, p = ctx.lang, ctx.arms_view("comparisons")
    visit = m.headline_visit
    cards = []
    for a in m.arms:
        base = m.nrs.get(a, {}).get("baseline")
        at = m.nrs.get(a, {}).get(visit) if visit else None
        resp = m.responses.get(a, {}).get(visit) if visit else None
        before, after = (number(e.value if e else None, 1) for e in (base, at))
        cards.append(
            kpi_card(
                f"{before} → {after}",
                t("pain.kpi.mean_nrs", lang, arm=p.arm_label(a, lang), visit=visit or "–"),
                t(
                    "pain.kpi.responders_one",
                    lang,
                    visit=visit or "–",
                    n_base=base.n if base else 0,
                    n_visit=at.n if at else 0,
                    small=t("pain.kpi.small", lang) if at is None or at.small_n else "",
                    rate=proportion_text(resp.responders if resp else None, lang),
                ),
                "def.nrs",
                lang,
                kpi_id=f"pain-kpi-nrs-{a}",
                help_values=ctx.terms,
            )
        )
    cards += [
        kpi_card(
            str(m.nrs_only),
            t("pain.kpi.nrs_only", lang),
            None,
            "def.nrs_only",
            lang,
            kpi_id="pain-kpi-nrs-only",
            help_values=ctx.terms,
        ),
        kpi_card(
            str(m.excluded_out_of_range),
            t("pain.kpi.excluded", lang),
            None,
            "def.excluded_values",
            lang,
            tone="warn" if m.excluded_out_of_range else "neutral",
            kpi_id="pain-kpi-excluded",
            help_values=ctx.terms,
        ),
    ]
    return kpi_row(cards, row_id=ids.PAIN_KPIS)


def n_table(m: PainModel, ctx: PageContext) -> Component:
    """The n behind each mean (and its interval) so nobody reads a mean without its n."""
    lang, p = ctx.lang, ctx.arms_view("comparisons")
    visits = ["baseline", *p.visits_collecting("nrs")]
    head = html.Thead(
        html.Tr(
            [html.Th(t("pain.n_table.arm", lang), scope="col")]
            + [
                html.Th(t("out.baseline_short", lang) if v == "baseline" else v, scope="col")
                for v in visits
            ]
        )
    )
    body = []
    for a in m.arms:
        cells = []
        for v in visits:
            e = m.nrs.get(a, {}).get(v)
            cells.append(html.Td(str(e.n) + (" *" if e.small_n else "") if e else "0"))
        body.append(html.Tr([html.Th(p.arm_label(a, lang), scope="row"), *cells]))
    return html.Div(
        [
            html.Div(t("pain.n_table.title", lang), className="small text-muted"),
            dbc.Table(
                [head, html.Tbody(body)],
                size="sm",
                className="center-table mb-0",
                id=ids.PAIN_N_TABLE,
            ),
        ],
        className="px-2 pb-2 table-scroll",
    )


def _change_table(m: PainModel, ctx: PageContext) -> Component | None:
    """The difference in NRS change per visit with its interval, as numbers."""
    lang, p = ctx.lang, ctx.arms_view("comparisons")
    if not any(m.change.values()):
        return None
    rows = []
    for a, per in m.change.items():
        for v, c in per.items():
            rows.append(
                html.Tr(
                    [
                        html.Td(v),
                        html.Td(p.arm_label(a, lang)),
                        html.Td(f"{c.n_reference} / {c.n_arm}"),
                        html.Td(estimate_text(c.difference, lang, 2)),
                    ]
                )
            )
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in ("out.axis.visit", "pain.col.arm", "pain.col.n", "pain.col.difference")
            ]
        )
    )
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="center-table mb-0")


def render(ctx: PageContext) -> Component:
    """The page for one request."""
    lang, present, p = ctx.lang, ctx.view.present, ctx.arms_view("comparisons")
    if not p.collects(MEASURE):
        return html.Div(
            [
                page_head(t("pain.title", lang), None, lang),
                empty_state(t("study.not_collected", lang, what=t("measure.nrs", lang))),
            ]
        )
    m = pain_for(ctx)
    date = format_date(m.as_of, lang)
    scope = scope_label(m.scope, lang)
    n = m.randomized_total
    sub = t("out.subtitle", lang, scope=scope, randomized=tn("n.randomized", n, lang), date=date)
    has = any(len(v) > 1 for v in m.nrs.values())
    empty = t("out.empty", lang)
    nrs_visits = list(p.visits_collecting("nrs"))
    ref = p.arm_label(m.reference_arm, lang)
    blocks: list[Component] = [
        page_head(t("pain.title", lang), m.population, lang),
        kpis(m, ctx),
        *scope_notes(m.scope, lang),
        *access_notes(ctx, "comparisons"),
        html.Div(
            [
                graph(
                    figs.trajectory(
                        m.nrs,
                        m,
                        p,
                        t("out.axis.nrs", lang),
                        lang,
                        present,
                        (0, 10),
                        with_lines=bool(m.individual),
                    )
                    if has
                    else None,
                    ids.PAIN_NRS,
                    empty,
                    ctx.title("out.fig.nrs", "comparisons"),
                    f"{sub} · {t('out.method.bootstrap', lang)}",
                    lang,
                    present,
                    def_key="def.nrs",
                    help_values=ctx.terms,
                ),
                n_table(m, ctx),
            ],
        ),
        dbc.Row(
            [
                dbc.Col(
                    graph(
                        figs.visit_rates(
                            {
                                a: {v: r.responders for v, r in per.items()}
                                for a, per in m.responses.items()
                            },
                            m.arms,
                            nrs_visits,
                            p,
                            t("out.axis.responders", lang),
                            lang,
                            present,
                        )
                        if any(m.responses.values())
                        else None,
                        ids.PAIN_RESPONDERS,
                        empty,
                        t("out.fig.responders", lang),
                        sub,
                        lang,
                        present,
                        def_key="def.pain_response",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
                dbc.Col(
                    graph(
                        figs.response_categories(m, p, lang, present, half_width(present))
                        if any(m.responses.values())
                        else None,
                        ids.PAIN_CATEGORIES,
                        empty,
                        t("out.fig.categories", lang),
                        sub,
                        lang,
                        present,
                        def_key="def.pain_response",
                        help_values=ctx.terms,
                    ),
                    lg=6,
                ),
            ],
            className="g-3",
        ),
    ]
    if m.change:
        change_sub = t("out.fig.change_sub", lang, ref=ref)
        blocks.append(
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figs.change_difference(m, p, lang, present)
                            if any(m.change.values())
                            else None,
                            ids.PAIN_CHANGE,
                            t("out.empty_change", lang),
                            t("out.fig.change", lang),
                            f"{change_sub} · {sub}",
                            lang,
                            present,
                            def_key="def.change",
                            help_values=ctx.terms,
                            footer=_change_table(m, ctx),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figs.severity_bands(m, p, lang, present, half_width(present))
                            if has
                            else None,
                            ids.PAIN_BANDS,
                            empty,
                            t("out.fig.bands", lang),
                            sub,
                            lang,
                            present,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            )
        )
    blocks.append(
        graph(
            figs.boxes(
                m.nrs_box,
                m.arms,
                ["baseline", *nrs_visits],
                p,
                t("out.axis.nrs", lang),
                lang,
                present,
            )
            if has
            else None,
            ids.PAIN_NRS_BOX,
            empty,
            ctx.title("out.fig.nrs_box", "comparisons"),
            sub,
            lang,
            present,
        )
    )
    row = []
    if m.collects.get("omed"):
        row.append(
            dbc.Col(
                graph(
                    figs.trajectory(m.omed, m, p, t("out.axis.omed", lang), lang, present)
                    if any(m.omed.values())
                    else None,
                    ids.PAIN_OMED,
                    empty,
                    ctx.title("out.fig.omed", "comparisons"),
                    f"{sub} · {t('out.method.median', lang)}",
                    lang,
                    present,
                    def_key="def.omed",
                    help_values=ctx.terms,
                ),
                lg=6,
            )
        )
    if m.collects.get("pafi"):
        row.append(
            dbc.Col(
                graph(
                    figs.trajectory(m.pafi, m, p, t("out.axis.pafi", lang), lang, present, (0, 10))
                    if any(len(v) > 1 for v in m.pafi.values())
                    else None,
                    ids.PAIN_PAFI,
                    empty,
                    ctx.title("out.fig.pafi", "comparisons"),
                    f"{sub} · {t('out.method.bootstrap', lang)}",
                    lang,
                    present,
                    def_key="def.pafi",
                    help_values=ctx.terms,
                ),
                lg=6,
            )
        )
    if row:
        blocks.append(dbc.Row(row, className="g-3"))
    if m.collects.get("pafi"):
        blocks.append(
            graph(
                figs.boxes(
                    m.pafi_box,
                    m.arms,
                    ["baseline", *p.visits_collecting("pafi")],
                    p,
                    t("out.axis.pafi", lang),
                    lang,
                    present,
                )
                if any(len(v) > 1 for v in m.pafi.values())
                else None,
                ids.PAIN_PAFI_BOX,
                empty,
                ctx.title("out.fig.pafi_box", "comparisons"),
                sub,
                lang,
                present,
            )
        )
    return html.Div(blocks)

"""The meeting pack: the current filters' aggregate views as offline HTML and a PDF.

The HTML embeds every figure and plotly.js once, so it opens without a network; the PDF is
that HTML printed by headless Chromium.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, no_update
from plotly.offline import get_plotlyjs

from dashboard import ids
from dashboard.figures import outcomes as out_figs
from dashboard.figures import randomization as rnd_figs
from dashboard.figures import recruitment as rec_figs
from dashboard.figures import safety as saf_figs
from dashboard.figures import visits as vis_figs
from dashboard.i18n import format_date, t
from dashboard.metrics.recruitment import plan_curve
from dashboard.services import (
    AppState,
    PageContext,
    context_from_search,
    load_local_control,
    load_pain,
    load_randomization,
    load_recruitment,
    load_safety,
    load_visits,
)

log = logging.getLogger(__name__)
PAGE_WIDTH = 1040  # px: fits A4 landscape at 96 dpi with margins
PAGE_HEIGHT = 600


def pack_sections(ctx: PageContext) -> list[tuple[str, list[str], list[go.Figure]]]:
    """(title, headline lines, figures) per section; aggregate views only, no identifiers."""
    lang, p, scope = ctx.lang, ctx.protocol, ctx.scope
    centers = [c for c in p.centers if c.code in scope.centers]
    label = (
        t("center.all", lang)
        if len(centers) == len(p.centers)
        else ", ".join(c.code for c in centers)
    )
    date = format_date(scope.as_of, lang)
    arms = [a for a in p.arms if scope.arms is None or a.code in scope.arms]
    sections: list[tuple[str, list[str], list[go.Figure]]] = []

    rec = load_recruitment(ctx.db, p, scope)
    o = rec.overall
    sub = t("rec.subtitle", lang, scope=label, n=int(o["randomized"]), date=date)
    fc = rec.forecast.target
    lines = [
        f"{int(o['randomized'])} / {int(o['target'])} "
        + t("rec.kpi.randomized", lang, target=o["target"]),
        f"{o['vs_plan']:+.0f} " + t("rec.kpi.vs_plan", lang, planned=o["planned"]),
    ]
    if fc.median:
        lines.append(
            f"{t('rec.kpi.forecast', lang)}: {fc.median:%Y-%m} ({fc.low:%Y-%m} – {fc.high:%Y-%m})"
        )
    figs = [rec_figs.enrollment_vs_target(rec, p.arms, lang, sub, t("center.all", lang))]
    if int(o["randomized"]):
        figs += [
            rec_figs.cumulative_vs_plan(rec, sum(c.target for c in centers), lang, sub),
            rec_figs.cumulative_by_center(
                rec,
                {c.code: plan_curve([c]) for c in centers},
                {c.code: c.target for c in centers},
                lang,
                sub,
            ),
        ]
    sections.append((t("nav.recruitment", lang), lines, figs))

    rnd = load_randomization(ctx.db, p, scope)
    figs = [rnd_figs.consort_diagram(rnd.consort, p.arms, lang, sub)]
    if rnd.consort.randomized:
        figs.insert(0, rnd_figs.balance_bars(rnd.balance, p.arms, lang, sub, t("center.all", lang)))
    sections.append((t("nav.randomization", lang), [], figs))

    vis = load_visits(ctx.db, p, scope)
    figs = []
    if not vis.schedule.empty:
        figs.append(
            vis_figs.compliance_heatmap(
                vis.by_center_visit,
                vis.by_visit,
                [c.code for c in centers],
                list(p.visit_codes),
                lang,
                sub,
                t("center.all", lang),
            )
        )
    if len(vis.missed_months):
        figs.append(
            vis_figs.missed_over_time(vis.missed_months, [c.code for c in centers], lang, sub)
        )
    sections.append((t("nav.visits", lang), [], figs))

    pain = load_pain(ctx.db, p, scope)
    figs = []
    if not pain.nrs.empty:
        figs.append(
            out_figs.trajectory_figure(
                pain.nrs, arms, t("out.fig.nrs", lang), t("out.axis.nrs", lang), lang, sub, (0, 10)
            )
        )
    if len(pain.responses):
        figs.append(out_figs.response_figure(pain.responses, arms, list(p.visit_codes), lang, sub))
    sections.append((t("nav.pain", lang), [], figs))

    lc = load_local_control(ctx.db, p, scope)
    imaging_visits = [v.code for v in p.visits if "imaging" in v.collects]
    figs = []
    if len(lc.counts):
        figs.append(out_figs.dcr_figure(lc.dcr, arms, imaging_visits, lang, sub))
    if lc.km:
        figs.append(
            out_figs.km_figure(
                lc.km, arms, lc.risk_days, [str(m) for m in p.km_risk_months], lang, sub
            )
        )
    sections.append((t("nav.local_control", lang), [], figs))

    saf = load_safety(ctx.db, p, scope)
    figs = []
    if len(saf.events):
        figs += [
            saf_figs.overview_figure(saf.overview, arms, lang, sub),
            saf_figs.interest_figure(saf.interest, arms, lang, sub),
            saf_figs.center_rates_figure(saf.centers, lang, sub),
        ]
    sections.append((t("nav.safety", lang), [], figs))
    return sections


def _filters_text(ctx: PageContext) -> str:
    lang, scope = ctx.lang, ctx.scope
    arms = (
        ", ".join(t(f"arm.{a}", lang) for a in scope.arms)
        if scope.arms is not None
        else t("pack.all_arms", lang)
    )
    return t(
        "pack.filters",
        lang,
        centers=", ".join(scope.centers),
        arms=arms,
        date=format_date(scope.as_of, lang),
    )


def pack_html(ctx: PageContext, generated: dt.datetime) -> str:
    """The pack as one HTML file with plotly.js inlined once (no network needed to open it)."""
    lang = ctx.lang
    parts = []
    for title, lines, figs in pack_sections(ctx):
        parts.append(f"<section><h2>{html.escape(title)}</h2>")
        if lines:
            parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>")
        if not figs:
            parts.append(f"<p class='empty'>{html.escape(t('pack.no_data', lang))}</p>")
        for fig in figs:
            fig = go.Figure(fig)
            # Fixed size: a figure never splits across an A4 landscape page.
            fig.update_layout(width=PAGE_WIDTH, height=min(fig.layout.height or 420, PAGE_HEIGHT))
            parts.append(
                "<div class='fig'>"
                + fig.to_html(
                    full_html=False,
                    include_plotlyjs=False,
                    config={"displaylogo": False, "responsive": False, "displayModeBar": False},
                )
                + "</div>"
            )
        parts.append("</section>")
    head = html.escape(t("pack.title", lang))
    meta = html.escape(t("pack.generated", lang, when=generated.strftime("%Y-%m-%d %H:%M UTC")))
    return f"""<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>
<meta charset="utf-8"><title>{head}</title>
<style>
@page {{ size: A4 landscape; margin: 10mm; }}
body {{ font-family: system-ui, 'Noto Sans', 'Noto Sans CJK SC', sans-serif; color: #1f2328;
       margin: 16px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }} h2 {{ font-size: 20px; margin: 18px 0 6px; }}
.meta {{ color: #57606a; margin: 2px 0; }} .fig {{ break-inside: avoid; margin: 8px 0; }}
section {{ break-before: page; }} section:first-of-type {{ break-before: auto; }}
.empty {{ color: #57606a; }}
</style>
<script>{get_plotlyjs()}</script></head><body>
<h1>{head}: {html.escape(t("app.trial", lang))}</h1>
<p class="meta">{html.escape(_filters_text(ctx))}</p>
<p class="meta">{meta}</p>
{"".join(parts)}
</body></html>"""


def html_to_pdf(html_text: str, chromium: str, timeout_s: int = 120) -> bytes:
    """Print the HTML to PDF with headless Chromium (figures drawn by plotly.js first)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pack.html"
        out = Path(tmp) / "pack.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            "--virtual-time-budget=20000",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout_s)
        return out.read_bytes()


def register_callbacks(app: Dash, state: AppState) -> None:
    """One click builds the pack for the current filters; the spinner shows while it builds."""

    @app.callback(
        Output(ids.PACK_HTML, "data"),
        Output(ids.PACK_PDF, "data"),
        Output(ids.PACK_STATUS, "children"),
        Input(ids.PACK_BUTTON, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def build(n_clicks: int | None, search: str | None) -> tuple[Any, Any, str]:
        if not n_clicks:
            return no_update, no_update, ""
        ctx = context_from_search(state, search)
        if not ctx.scope.centers:
            return no_update, no_update, t("filter.no_centers", ctx.lang)
        generated = dt.datetime.now(dt.UTC)
        stamp = generated.strftime("%Y%m%d-%H%M")
        text = pack_html(ctx, generated)
        html_file = dcc.send_string(text, f"meeting-pack-{stamp}.html")
        try:
            pdf = html_to_pdf(text, state.settings.chromium_path)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("PDF of the meeting pack failed: %s", exc)
            return html_file, no_update, t("pack.pdf_failed", ctx.lang)
        return (
            html_file,
            dcc.send_bytes(pdf, f"meeting-pack-{stamp}.pdf"),
            t("pack.ready", ctx.lang),
        )

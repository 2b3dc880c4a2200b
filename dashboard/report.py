"""The meeting pack: the aggregate views of the current filters as offline HTML and a PDF.

Built from the same page models and the pages' own headline rows, tables and figures; every
section opens with its headline numbers and its key table. With a "since" in the view, the pack
opens with what changed since that cut, as counts. The HTML embeds plotly.js once and
opens without a network; the PDF is that HTML printed by headless Chromium, with page numbers,
the data date and a confidentiality line on every page.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, no_update
from dash import html as dash_html
from dash.development.base_component import Component
from plotly.offline import get_plotlyjs

from dashboard import ids
from dashboard.auth import audit, current_user_or_none
from dashboard.components.common import pooled_label, scope_label
from dashboard.components.consort import consort_diagram
from dashboard.figures import outcomes as out_figs
from dashboard.figures import recruitment as rec_figs
from dashboard.figures import safety as saf_figs
from dashboard.figures import visits as vis_figs
from dashboard.i18n import format_date, t
from dashboard.pages import (
    changes,
    local_control,
    pain,
    randomization,
    recruitment,
    risk,
    safety,
    visits,
)
from dashboard.services import (
    AppState,
    PageContext,
    changes_since,
    context_from_search,
    local_control_for,
    pain_for,
    randomization_for,
    recruitment_for,
    safety_for,
    visits_for,
)
from dashboard.static_html import figure_scripts, to_html
from data_access.engine import DatabaseUnavailable

log = logging.getLogger(__name__)
HALF_WIDTH = 500  # px: two figures side by side on A4 landscape
PACK_TERMS = 30  # AE terms per printed page of the pack's appendix
FULL_WIDTH = 1020


def _figure(fig: dict[str, Any], title: str, subtitle: str) -> tuple[str, dict[str, Any], str]:
    return (title, fig, subtitle)


def pack_sections(ctx: PageContext) -> list[dict[str, Any]]:
    """Per section: title, headline row, key tables and figures (aggregate views only)."""
    lang, p, info = ctx.lang, ctx.protocol, ctx.info
    # The arms as this user may see them (the protocol's [access] rules).
    outcomes_p, safety_p = ctx.arms_view("comparisons"), ctx.arms_view("safety_by_arm")
    date = format_date(info.as_of, lang)
    scope = scope_label(info, lang)
    sections: list[dict[str, Any]] = []

    # With a "since" in the view, the pack opens with what changed since that cut (counts).
    ch = changes_since(ctx) if ctx.view.since else None
    if ch is not None:
        sections.append(
            {"title": t("chg.title", lang), "blocks": changes.headline(ch, ctx), "figures": []}
        )

    rec = recruitment_for(ctx)
    sub = t("pack.subtitle", lang, scope=scope, date=date)
    sections.append(
        {
            "title": t("nav.recruitment", lang),
            "blocks": [recruitment.kpis(rec, ctx), recruitment.center_table(rec, ctx)],
            "figures": [
                _figure(
                    rec_figs.cumulative_vs_plan(rec, lang, False),
                    t("rec.fig.cumulative", lang),
                    sub,
                ),
                _figure(
                    rec_figs.enrollment_vs_target(
                        rec, ctx.arms_view("allocation"), lang, pooled_label(info, lang), False
                    ),
                    t("rec.fig.by_center", lang),
                    sub,
                ),
            ]
            if rec.overall.randomized
            else [],
        }
    )

    rnd = randomization_for(ctx)
    sections.append(
        {
            "title": t("nav.randomization", lang),
            "blocks": [
                randomization.kpis(rnd, ctx),
                *([] if rnd.concealed else [randomization.balance_table(rnd, ctx)]),
                consort_diagram(rnd.consort, ctx.arms_view("allocation"), lang),
            ],
            "figures": [],
        }
    )

    vis = visits_for(ctx, identifiers=False)
    sections.append(
        {
            "title": t("nav.visits", lang),
            "blocks": [visits.kpis(vis, ctx)],
            "figures": [
                _figure(
                    vis_figs.compliance_heatmap(vis, p, pooled_label(info, lang), lang, False),
                    t("vis.fig.heatmap", lang),
                    sub,
                )
            ]
            if vis.overall.expected
            else [],
        }
    )

    if p.collects("nrs"):
        pm = pain_for(ctx, identifiers=False)
        figs = []
        if any(len(v) > 1 for v in pm.nrs.values()):
            figs.append(
                _figure(
                    out_figs.trajectory(
                        pm.nrs, pm, outcomes_p, t("out.axis.nrs", lang), lang, False, (0, 10)
                    ),
                    ctx.title("out.fig.nrs", "comparisons"),
                    sub,
                )
            )
        if any(pm.responses.values()):
            figs.append(
                _figure(
                    out_figs.visit_rates(
                        {
                            a: {v: r.responders for v, r in per.items()}
                            for a, per in pm.responses.items()
                        },
                        pm.arms,
                        list(p.visits_collecting("nrs")),
                        outcomes_p,
                        t("out.axis.responders", lang),
                        lang,
                        False,
                    ),
                    t("out.fig.responders", lang),
                    sub,
                )
            )
        sections.append(
            {
                "title": t("nav.pain", lang),
                "blocks": [pain.kpis(pm, ctx), pain.n_table(pm, ctx)],
                "figures": figs,
            }
        )

    if p.collects("imaging"):
        lc = local_control_for(ctx)
        sections.append(
            {
                "title": t("nav.local_control", lang),
                "blocks": [local_control.kpis(lc, ctx)],
                "figures": [
                    _figure(
                        out_figs.kaplan_meier(lc, outcomes_p, lang, False),
                        t("lc.fig.km", lang),
                        sub,
                    )
                ]
                if lc.km
                else [],
                # The table beside the curve's half page, not alone on one.
                "after": [local_control.dcr_table(lc, ctx)],
            }
        )

    saf = safety_for(ctx)
    figs = []
    if saf.events:
        figs.append(
            _figure(
                saf_figs.overview(saf, safety_p, lang, False),
                ctx.title("saf.fig.overview", "safety_by_arm"),
                sub,
            )
        )
        if saf.interest:
            figs.append(
                _figure(
                    saf_figs.interest(saf, safety_p, lang, False),
                    ctx.title("saf.fig.interest", "safety_by_arm"),
                    sub,
                )
            )
    # The commonest terms in the section; every term after it, a printed page per part.
    every = list(saf.by_term)
    parts = [tuple(every[i : i + PACK_TERMS]) for i in range(0, len(every), PACK_TERMS)]
    after = (
        [
            html_div(safety.incidence(saf, ctx, chunk, (k, len(parts))), "pack-page")
            for k, chunk in enumerate(parts, start=1)
        ]
        if len(saf.common_terms) < len(every)
        else []
    )
    sections.append(
        {
            "title": t("nav.safety", lang),
            "blocks": [safety.kpis(saf, ctx), safety.incidence(saf, ctx)],
            "figures": figs,
            "after": after,
        }
    )

    rk = risk.model_of(ctx)
    sections.append(
        {
            "title": t("risk.title", lang),
            "blocks": [risk.kpis(rk, ctx), risk.qtl_table(rk, ctx)],
            "figures": [],
            "after": [html_div(risk.flags_table(rk, ctx), "pack-page")] if rk.centers else [],
        }
    )
    return sections


def html_div(block: Component, class_name: str) -> Component:
    """A block in a div of its own (e.g. one that starts a printed page)."""
    return dash_html.Div(block, className=class_name)


def _filters_text(ctx: PageContext) -> str:
    lang, info = ctx.lang, ctx.info
    arms = (
        ", ".join(ctx.protocol.arm_label(a, lang) for a in info.arms)
        if info.arm_filtered
        else t("pack.all_arms", lang)
    )
    return t(
        "pack.filters",
        lang,
        centers=scope_label(info, lang),
        arms=arms,
        date=format_date(info.as_of, lang),
    )


CSS = """
@page { size: A4 landscape; margin: 14mm 10mm 12mm 10mm;
  @top-left { content: var(--confidential); font: 9pt system-ui, sans-serif; color: #57606a; }
  @top-right { content: var(--data-date); font: 9pt system-ui, sans-serif; color: #57606a; }
  @bottom-right { content: var(--page) " " counter(page) " / " counter(pages);
                  font: 9pt system-ui, sans-serif; color: #57606a; } }
body { font-family: system-ui, 'Noto Sans', 'Noto Sans CJK SC', sans-serif; color: #1f2328;
       margin: 0; font-size: 11pt; }
h1 { font-size: 20pt; margin: 0 0 4px; } h2 { font-size: 15pt; margin: 14px 0 6px; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 4px 0 2px; }
.meta, .card-subtitle { color: #57606a; margin: 2px 0; font-size: 9.5pt; }
section { break-inside: auto; } section + section { margin-top: 10px; }
.kpi-row { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; break-inside: avoid; }
.kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; min-width: 150px;
       flex: 1 1 150px; }
.kpi-value { font-size: 16pt; font-weight: 600; } .kpi-label, .kpi-context { font-size: 9pt; }
.kpi-context { color: #57606a; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 6px 0;
        break-inside: auto; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 3px 6px; text-align: left; }
thead th { border-bottom: 2px solid #1f2328; } tr { break-inside: avoid; }
.soc-row { background: #f6f8fa; font-weight: 600; } .total-row { font-weight: 600; }
.figs { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.fig-card { break-inside: avoid; } .graph-card, .table-card { break-inside: avoid; }
.consort { break-inside: avoid; font-size: 9.5pt; }
.consort-top { display: flex; gap: 8px; align-items: flex-start; }
.consort-box { border: 1.5px solid #1f2328; border-radius: 4px; padding: 4px 8px; }
.consort-title { font-weight: 600; } .consort-arrow { text-align: center; }
.consort-arms { display: grid; gap: 8px; }
.consort-center { display: flex; justify-content: center; }
.population { color: #57606a; font-size: 9.5pt; }
.cover { break-after: auto; border-bottom: 2px solid #1f2328; padding-bottom: 6px; }
.pack-page { break-before: page; page-break-before: always; }
"""


def pack_html(ctx: PageContext, generated: dt.datetime) -> str:
    """The pack as one HTML file with plotly.js inlined once (no network needed to open it)."""
    lang = ctx.lang
    figures: list[tuple[str, dict[str, Any]]] = []
    parts = []
    for section in pack_sections(ctx):
        body = [f"<section><h2>{html.escape(section['title'])}</h2>"]
        body += [to_html(b, figures) for b in section["blocks"]]
        if section["figures"]:
            cards = []
            for title, fig, subtitle in section["figures"]:
                graph_html = to_html(_graph(fig), figures)
                cards.append(
                    f'<div class="fig-card"><h3>{html.escape(title)}</h3>'
                    f'<p class="card-subtitle">{html.escape(subtitle)}</p>{graph_html}</div>'
                )
            body.append(f'<div class="figs">{"".join(cards)}</div>')
        body += [to_html(b, figures) for b in section.get("after", [])]
        body.append("</section>")
        parts.append("".join(body))
    head = html.escape(t("pack.title", lang))
    meta = html.escape(t("pack.generated", lang, when=generated.strftime("%Y-%m-%d %H:%M UTC")))
    variables = (
        f"--confidential: '{t('pack.confidential', lang)}'; "
        f"--data-date: '{t('stamp.data_as_of', lang, date=format_date(ctx.info.as_of, lang))}'; "
        f"--page: '{t('pack.page', lang)}';"
    )
    locale = "zh-CN" if lang == "zh" else "en"
    title = ctx.protocol.title_zh if lang == "zh" else ctx.protocol.title
    return f"""<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>
<meta charset="utf-8"><title>{head}</title>
<style>:root {{ {html.escape(variables, quote=False)} }}
{CSS}</style>
<script>{get_plotlyjs()}</script>{_locale_script(lang)}</head><body>
<div class="cover"><h1>{head}: {html.escape(title)}</h1>
<p class="meta">{html.escape(_filters_text(ctx))}</p>
<p class="meta">{meta}</p></div>
{"".join(parts)}
{figure_scripts(figures, HALF_WIDTH, locale)}
</body></html>"""


def _graph(fig: dict[str, Any]) -> Component:
    return dcc.Graph(figure=fig)


def _locale_script(lang: str) -> str:
    if lang != "zh":
        return ""
    path = Path(__file__).resolve().parent.parent / "assets" / "20_plotly-locale-zh-cn.js"
    try:
        return f"<script>{path.read_text(encoding='utf-8')}</script>"
    except OSError:
        return ""


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


def pack_file_name(ctx: PageContext, extension: str) -> str:
    """'meeting-pack-2026-11-15.pdf': named by the data date, not the wall clock."""
    return f"meeting-pack-{ctx.info.as_of.isoformat()}.{extension}"


class PackQueue:
    """Meeting packs one at a time per worker (each starts a headless Chromium).

    One pack in flight per user; a request that finds the queue full gets "busy" at once
    instead of tying up a server thread for half a minute.
    """

    def __init__(self, concurrent: int = 1, wait_s: float = 0.0) -> None:
        self._slots = threading.BoundedSemaphore(concurrent)
        self._users: set[str] = set()
        self._guard = threading.Lock()
        self.wait_s = wait_s

    @contextmanager
    def slot(self, user: str) -> Iterator[bool]:
        """True: this request may build a pack now; False: busy (the user's or the worker's)."""
        with self._guard:
            mine = user not in self._users
            if mine:
                self._users.add(user)
        if not mine:
            yield False
            return
        try:
            got = self._slots.acquire(timeout=self.wait_s)
            try:
                yield got
            finally:
                if got:
                    self._slots.release()
        finally:
            with self._guard:
                self._users.discard(user)


PACKS = PackQueue()


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
    def build(n_clicks: Any, search: Any) -> tuple[Any, Any, str]:
        if not n_clicks:
            return no_update, no_update, ""
        ctx = context_from_search(state, search if isinstance(search, str) else None)
        if not ctx.scope.centers:
            return no_update, no_update, t("filter.no_centers", ctx.lang)
        user = current_user_or_none()
        who = user.username if user else "?"
        with PACKS.slot(who) as granted:
            if not granted:
                return no_update, no_update, t("pack.busy", ctx.lang)
            try:
                text = pack_html(ctx, dt.datetime.now(dt.UTC))
            except DatabaseUnavailable as exc:
                return no_update, no_update, str(exc)
            audit(
                "meeting_pack", {"centers": list(ctx.scope.centers), "as_of": str(ctx.scope.as_of)}
            )
            html_file = dcc.send_string(text, pack_file_name(ctx, "html"))
            try:
                pdf = html_to_pdf(text, state.settings.chromium_path)
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("PDF of the meeting pack failed: %s", exc)
                return html_file, no_update, t("pack.pdf_failed", ctx.lang)
        return html_file, dcc.send_bytes(pdf, pack_file_name(ctx, "pdf")), t("pack.ready", ctx.lang)

"""The CONSORT flow diagram as HTML boxes: text wraps, scales in presentation mode, any arms."""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.i18n import label, t
from dashboard.metrics.randomization import Consort
from dashboard.protocol import Protocol


def _box(
    title: str, lines: list[str], cls: str = "", style: dict[str, str] | None = None
) -> Component:
    return html.Div(
        [html.Div(title, className="consort-title"), *(html.Div(x) for x in lines)],
        className=f"consort-box {cls}".strip(),
        style=style or {},
    )


HIDDEN: Any = {"aria-hidden": "true"}


def _arrow() -> Component:
    return html.Div("↓", className="consort-arrow", **HIDDEN)


def consort_diagram(flow: Consort, protocol: Protocol, lang: str) -> Component:
    """Screening, exclusion, allocation per arm, leaving the study and follow-up."""
    reasons = [f"{protocol.reason_label(k, lang)}: {v}" for k, v in flow.excluded_reasons.items()]
    top = html.Div(
        [
            _box(t("rnd.consort.assessed", lang, n=flow.assessed), [], "consort-main"),
            html.Div("→", className="consort-side-arrow", **HIDDEN),
            _box(t("rnd.consort.excluded", lang, n=flow.excluded), reasons, "consort-side"),
        ],
        className="consort-top",
    )
    # every arm as one (a role without allocation details): the treatment in general words
    sb = None if protocol.pooled_from else protocol.sbrt
    columns = []
    for arm in protocol.arms:
        a = flow.arms[arm.code]
        if sb is None:
            received = t("rnd.consort.received", lang, n=a.received)
        elif arm.code == sb.arm:
            received = t("rnd.consort.received_sbrt", lang, n=a.received)
        else:
            received = t("rnd.consort.received_none", lang, n=a.received)
        lines = [received, t("rnd.consort.not_received", lang, n=a.not_received)]
        lines += [
            "· "
            + (
                t("rnd.consort.not_treated", lang, n=n)
                if code == "none"
                else t("rnd.consort.treated_as", lang, arm=protocol.arm_label(code, lang), n=n)
            )
            for code, n in a.not_received_as.items()
        ]
        if sb is not None and arm.code == sb.arm:
            lines.append(t("rnd.consort.pending", lang, n=a.pending, days=sb.missing_after_days))
        elif a.pending:
            lines.append(t("rnd.consort.pending_generic", lang, n=a.pending))
        off = [f"{label('off', k, lang)}: {v}" for k, v in a.off_study.items()]
        followed = [
            t(
                "rnd.consort.with_visit",
                lang,
                visit=protocol.visit_label(v, lang),
                n=a.visits_done.get(v, 0),
            )
            for v in flow.followed_visits
        ]
        columns.append(
            html.Div(
                [
                    _box(
                        t("rnd.consort.allocated_pooled", lang, n=a.allocated)
                        if protocol.pooled_from
                        else t("rnd.consort.allocated", lang, arm=arm.name(lang), n=a.allocated),
                        lines,
                        "consort-arm",
                        {"borderColor": arm.colour},
                    ),
                    _arrow(),
                    _box(
                        t("rnd.consort.left", lang, n=a.left),
                        off or [t("rnd.consort.none", lang)],
                    ),
                    _arrow(),
                    _box(t("rnd.consort.followed", lang), followed),
                    *(
                        [
                            _arrow(),
                            _box(
                                t(
                                    "rnd.consort.analysed",
                                    lang,
                                    n=a.analysed,
                                    visit=protocol.visit_label(flow.analysis_visit, lang),
                                ),
                                [
                                    t(f"rnd.consort.excluded.{k}", lang, n=v)
                                    for k, v in a.not_analysed.items()
                                ]
                                or [t("rnd.consort.none", lang)],
                            ),
                        ]
                        if flow.analysis_visit
                        else []
                    ),
                ],
                className="consort-column",
            )
        )
    return html.Div(
        [
            top,
            _arrow(),
            html.Div(
                _box(t("rnd.consort.randomized", lang, n=flow.randomized), [], "consort-main"),
                className="consort-center",
            ),
            _arrow(),
            html.Div(
                columns,
                className="consort-arms",
                style={"gridTemplateColumns": f"repeat({len(columns)}, minmax(0, 1fr))"},
            ),
        ],
        className="consort",
        role="figure",
        **label_of(t("rnd.fig.consort", lang)),
    )


def label_of(text: str) -> Any:
    """An aria-label keyword argument (Dash takes it, its type stubs do not know it)."""
    return {"aria-label": text}

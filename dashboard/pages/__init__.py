"""The page table: one module per page, in navbar order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash import Dash
from dash.development.base_component import Component

from dashboard.pages import (
    changes,
    data_quality,
    local_control,
    pain,
    randomization,
    recruitment,
    risk,
    safety,
    visits,
)
from dashboard.protocol import Protocol
from dashboard.services import AppState, PageContext


@dataclass(frozen=True)
class PageSpec:
    """A page: its path, navbar label key, renderer, own callbacks and the measure it needs."""

    path: str
    nav_key: str
    render: Callable[[PageContext], Component]
    register_callbacks: Callable[[Dash, AppState], None] | None = None
    measure: str | None = None  # a page for a measure the protocol does not collect is hidden

    def applies(self, protocol: Protocol) -> bool:
        """Whether the page belongs in this trial's navigation."""
        return self.measure is None or protocol.collects(self.measure)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(recruitment.PATH, recruitment.NAV_KEY, recruitment.render),
    PageSpec(
        randomization.PATH,
        randomization.NAV_KEY,
        randomization.render,
        randomization.register_callbacks,
    ),
    PageSpec(visits.PATH, visits.NAV_KEY, visits.render, visits.register_callbacks),
    PageSpec(pain.PATH, pain.NAV_KEY, pain.render, measure=pain.MEASURE),
    PageSpec(
        local_control.PATH,
        local_control.NAV_KEY,
        local_control.render,
        measure=local_control.MEASURE,
    ),
    PageSpec(safety.PATH, safety.NAV_KEY, safety.render, safety.register_callbacks),
    PageSpec(changes.PATH, changes.NAV_KEY, changes.render),
    PageSpec(
        data_quality.PATH,
        data_quality.NAV_KEY,
        data_quality.render,
        data_quality.register_callbacks,
    ),
    PageSpec(risk.PATH, risk.NAV_KEY, risk.render),
)
HOME = recruitment.PATH


def find_page(pathname: str | None) -> PageSpec | None:
    """The page for a path ('/' is the recruitment page)."""
    path = (pathname or "/").rstrip("/") or "/"
    if path == "/":
        path = HOME
    return next((p for p in PAGES if p.path == path), None)

"""The page table: one module per page, in navbar order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash import Dash
from dash.development.base_component import Component

from dashboard.pages import (
    data_quality,
    local_control,
    pain,
    randomization,
    recruitment,
    safety,
    visits,
)
from dashboard.services import AppState, PageContext


@dataclass(frozen=True)
class PageSpec:
    """A page: its path, its navbar label key, its renderer and its own callbacks (if any)."""

    path: str
    nav_key: str
    render: Callable[[PageContext], Component]
    register_callbacks: Callable[[Dash, AppState], None] | None = None


PAGES: tuple[PageSpec, ...] = (
    PageSpec(recruitment.PATH, recruitment.NAV_KEY, recruitment.render),
    PageSpec(
        randomization.PATH,
        randomization.NAV_KEY,
        randomization.render,
        randomization.register_callbacks,
    ),
    PageSpec(visits.PATH, visits.NAV_KEY, visits.render),
    PageSpec(pain.PATH, pain.NAV_KEY, pain.render),
    PageSpec(local_control.PATH, local_control.NAV_KEY, local_control.render),
    PageSpec(safety.PATH, safety.NAV_KEY, safety.render, safety.register_callbacks),
    PageSpec(data_quality.PATH, data_quality.NAV_KEY, data_quality.render),
)
HOME = recruitment.PATH


def find_page(pathname: str | None) -> PageSpec | None:
    """The page for a path ('/' is the recruitment page)."""
    path = (pathname or "/").rstrip("/") or "/"
    if path == "/":
        path = HOME
    return next((p for p in PAGES if p.path == path), None)

"""A fresh worker serves the page's scripts from its very first requests, in parallel.

Dash prepares the bundles it serves on the first request a process handles; requests arriving
in other threads meanwhile found nothing registered and were refused (400), leaving the
browser on "Loading..." for good (seen with gunicorn's 2 workers x 4 threads, `make run`).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from app import create_app


def _script_urls(app) -> list[str]:  # noqa: ANN001 - a Dash app
    # The page's scripts as the index lists them, from a second app (this one stays untouched).
    return re.findall(r'src="(/_dash-component-suites/[^"]+)"', app._generate_scripts_html())


def test_every_bundle_is_servable_before_any_request(settings) -> None:
    app = create_app(settings)
    registered = {ns: set(paths) for ns, paths in app.registered_paths.items()}
    # Before a single request: the renderer and React are registered for serving.
    assert any("dash_renderer" in p for p in registered.get("dash", set()))
    assert any(p.startswith("deps/react@") for p in registered.get("dash", set()))


def test_first_requests_in_parallel_all_answer(settings) -> None:
    urls = _script_urls(create_app(settings))
    assert len(urls) >= 5, urls
    fresh = create_app(settings)

    def get(url: str) -> int:
        return fresh.server.test_client().get(url).status_code

    with ThreadPoolExecutor(len(urls)) as pool:
        codes = dict(zip(urls, pool.map(get, urls), strict=True))
    assert set(codes.values()) == {200}, codes

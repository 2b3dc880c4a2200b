"""The browser benchmark's peers: the same figures drawn by a minimal Dash app, and by hand.

    TRIAL_PEER_FIGURES=figures.json gunicorn benchmarks.peer:server

`figures.json` maps a page path to the figures the dashboard drew on it (captured by
benchmarks/browser.py from the dashboard's own responses). Two peers per page:

- `/dash<path>`: a minimal Dash app, its layout the page's figures as dcc.Graph in plain divs
  (no grids, no callbacks, Dash's own plotly.js): what any Dash app drawing these figures costs;
- `/floor<path>`: the floor, one HTML page calling Plotly.newPlot with the partial plotly.js
  bundle the dashboard serves (assets/), nothing else.

The Dash peer picks the page from the address its layout is asked from (the Referer header of
/_dash-layout), as the dashboard's first render does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dash import Dash, dcc, html
from flask import Response, request

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"


def _figures() -> dict[str, list[dict[str, Any]]]:
    path = os.environ.get("TRIAL_PEER_FIGURES", "")
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def _bundle() -> Path:
    return next(ASSETS.glob("05_plotly-*.min.js"))


def create_peer() -> Dash:
    """The peer app (figures read once from TRIAL_PEER_FIGURES)."""
    figures = _figures()
    app = Dash(
        __name__,
        serve_locally=True,
        update_title="",
        assets_folder=str(ROOT / "none"),
        suppress_callback_exceptions=True,  # no callbacks; the layout needs a request
    )

    def layout() -> Any:
        page = urlsplit(request.referrer or "").path.removeprefix("/dash") or "/"
        return html.Div(
            [
                html.Div(dcc.Graph(figure=f, config={"responsive": True}), className="card")
                for f in figures.get(page, [])
            ]
            or [html.P("no charts on this page")],  # settled as soon as it is there
            id="shell-page",
        )

    app.layout = layout

    @app.server.route("/floor/", defaults={"page": ""})
    @app.server.route("/floor/<path:page>")
    def floor_page(page: str) -> Response:
        figs = figures.get("/" + page, [])
        divs = "".join(f'<div class="dash-graph" id="g{i}"></div>' for i in range(len(figs)))
        divs = divs or "<p>no charts on this page</p>"
        calls = "".join(
            f"Plotly.newPlot('g{i}', {json.dumps(f['data'])}, {json.dumps(f['layout'])},"
            " {responsive: true});"
            for i, f in enumerate(figs)
        )
        body = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            "<script src='/bundle.js'></script></head>"
            f"<body><div id='shell-page'>{divs}</div><script>{calls}</script></body></html>"
        )
        return Response(body, mimetype="text/html")

    @app.server.route("/bundle.js")
    def bundle() -> Response:
        return Response(_bundle().read_bytes(), mimetype="application/javascript")

    # As the dashboard does (app.py): Dash's first-request set-up races a fresh worker's
    # parallel script requests, which then fail; set up before serving.
    with app.server.test_request_context("/"):
        app._setup_server()
    return app


server = create_peer().server if os.environ.get("TRIAL_PEER_FIGURES") else None

"""The Dash app factory; `gunicorn app:server` serves it, `python app.py` runs it locally."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from dash import Dash
from flask import Flask, Response, jsonify, request

from dashboard import shell
from dashboard.auth import UserStore, ensure_demo_users, init_auth
from dashboard.cache import init_cache, request_data_version, warm_in_background
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.exports import init_exports
from dashboard.fairshare import FairShare
from dashboard.i18n import t
from dashboard.inputs import init_input_checks
from dashboard.protocol import load_protocol
from dashboard.services import AppState, default_as_of, warm_defaults
from data_access.demo import DEFAULT_AS_OF
from data_access.engine import DatabaseUnavailable, health_check

log = logging.getLogger("dashboard")


def ensure_demo_database(settings: Settings) -> None:
    """Build the embedded demo database when no trial database is configured and none exists.

    With its history: a data cut for each of the last 12 months and one now (What changed has
    something to show on a fresh start).
    """
    if settings.uses_demo and not settings.demo_db_path.exists():
        log.warning("Building the demo trial database at %s", settings.demo_db_path)
        from dashboard import cuts
        from dashboard.demo_history import build_demo

        build_demo(
            settings.resolved_db_url,
            cuts.store_of(settings),
            load_protocol(settings.protocol_file),
            DEFAULT_AS_OF,
            settings.demo_seed,
        )


class TrialDash(Dash):
    """Dash, with only the scripts a page needs at first.

    AG Grid's bundle (1.3 MB) is loaded when a grid is about to be shown (assets/30_grids.js);
    Dash's DataTable, never used, not at all.
    """

    LAZY = ("dash_ag_grid/dash_ag_grid",)
    UNUSED = ("dash_table/bundle",)

    def interpolate_index(  # type: ignore[override]
        self, *, scripts: str = "", **kwargs: Any
    ) -> str:
        """The index page with the lazy bundles left out (their address kept for later)."""
        lines, lazy = [], ""
        for line in scripts.split("\n"):
            if any(name in line for name in self.UNUSED):
                continue
            if any(name in line for name in self.LAZY):
                src = re.search(r'src="([^"]+)"', line)
                lazy = src.group(1) if src else ""
                continue
            lines.append(line)
        lines.insert(0, f"<script>window.__agGridSrc = {json.dumps(lazy)};</script>")
        return str(super().interpolate_index(scripts="\n".join(lines), **kwargs))


def create_app(settings: Settings | None = None) -> Dash:
    """Build the dashboard for a configuration (default: from the environment)."""
    settings = settings or Settings.from_env()
    protocol = load_protocol(settings.protocol_file)  # a bad protocol file stops start-up here
    ensure_demo_database(settings)
    users = UserStore(settings.resolved_users_db_url)
    if settings.uses_demo:
        for name, password, role in ensure_demo_users(users):
            log.info("Demo account created: %s / %s (%s)", name, password, role)
    state = AppState(settings, protocol, users, FairShare(settings.user_concurrent_pages))

    app = TrialDash(
        __name__,
        title=t("app.title"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        suppress_callback_exceptions=True,
        serve_locally=True,
        update_title="",
    )
    configure_compression(app.server)
    init_auth(
        app.server, settings, users, (protocol.title, protocol.title_zh or protocol.title)
    )  # refuses to start without a secret outside the demo
    init_cache(app.server, settings)
    init_input_checks(app.server, lambda: app.callback_map, listing_columns)
    # A function: the first page is drawn into the layout itself (see shell.initial_layout).
    app.layout = lambda: shell.initial_layout(state)
    shell.register_callbacks(app, state)
    init_exports(app.server, state)
    init_static_caching(app.server)
    if settings.cache_type != "none" and settings.warm_cache:

        @app.server.before_request
        def warm_after_data_change() -> None:
            # After any change of the data (an import, a new demo), the default views are
            # computed once in the background, so the first visitors find them ready.
            if not request.path.startswith("/_dash-update-component"):
                return
            try:
                as_of = default_as_of(settings, state.db)
                version = request_data_version(state.db.url)
            except Exception:
                return
            warm_in_background(
                app.server,
                state.db.url,
                lambda: warm_defaults(state.db, state.protocol, as_of),
                version,
            )

    @app.server.errorhandler(DatabaseUnavailable)
    def database_unavailable(exc: DatabaseUnavailable) -> tuple[Response, int]:
        # Grid rows, CSV exports, anything outside the pages' own error state: 503 with the
        # message (which never names a file, host or port).
        return jsonify({"error": "database unavailable", "message": str(exc)}), 503

    @app.server.route("/healthz")
    def healthz() -> tuple[Response, int]:
        # Bounded (about 2.5 s whatever the database does) and public: a reason code only,
        # never a host, port or file path.
        ok, reason = health_check(state.db.url, timeout_ms=2000)
        body: dict[str, str] = {"status": "ok" if ok else "unavailable", "reason": reason}
        return jsonify(body), 200 if ok else 503

    # Dash finishes its set-up (the bundles it will serve, the assets, a layout check) on the
    # first request a process serves, marking it done before doing it: the first page's
    # scripts, asked for in parallel threads of a fresh worker while that set-up computed the
    # layout, were refused, and the browser stayed on "Loading..." for good. Set up once now,
    # before any request (with --preload, before the workers fork).
    with app.server.test_request_context("/"):
        app._setup_server()
    return app


def listing_columns(name: str) -> frozenset[str] | None:
    """The columns a listing's grid may sort and filter on (None: no such listing).

    The free-text search travels in the filter model as a pseudo-column of its own.
    """
    from dashboard.listings import LISTINGS, SEARCH

    listing = LISTINGS.get(name)
    return frozenset([SEARCH, *(c.field for c in listing.columns)]) if listing else None


class _StaticCompressed:
    """flask-compress cache: compressed static files kept, everything else compressed afresh.

    Static files never change under their fingerprinted URL.
    """

    LIMIT = 64

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.store.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";-") or len(self.store) >= self.LIMIT:
            return
        self.store[key] = value


def _compress_key(req: Any) -> str:
    static = req.path.startswith(("/_dash-component-suites/", "/assets/"))
    return req.full_path if static else "-"


def configure_compression(server: Flask) -> None:
    """Brotli (else gzip) for HTML, JSON, JS and CSS; static files compressed once."""
    from flask_compress import Compress

    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_CACHE_BACKEND=_StaticCompressed,
        COMPRESS_CACHE_KEY=_compress_key,
    )
    Compress(server)


def init_static_caching(server: Flask) -> None:
    """Static files are cached by the browser instead of asked for again on every page.

    Assets carry their modification time in the URL (?m=...) and Dash fingerprints its
    component suites (v4_4_1m...): both are cached for a year. The chunks those load later
    (async-graph.js, async-community.js, plotly.min.js) have no fingerprint: a day, after which
    their ETag revalidates them (an upgrade changes it).
    """

    @server.after_request
    def long_cache(resp: Response) -> Response:
        if resp.status_code != 200:
            return resp
        path = request.path
        if path.startswith("/assets/") and "m" in request.args:
            resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        elif path.startswith("/_dash-component-suites/") and "Cache-Control" not in resp.headers:
            resp.headers["Cache-Control"] = "public, max-age=86400"
        return resp


_default: Dash | None = None


def __getattr__(name: str) -> object:
    # `gunicorn app:server` and `from app import server` build the app on first use, so that
    # importing create_app (tests, the CLI) has no side effects.
    global _default
    if name in ("app", "server"):
        if _default is None:
            _default = create_app()
        return _default if name == "app" else _default.server
    raise AttributeError(name)


if __name__ == "__main__":
    s = Settings.from_env()
    create_app(s).run(host=s.host, port=s.port, debug=s.debug)

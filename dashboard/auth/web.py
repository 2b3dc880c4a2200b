"""Logins over the web: login and logout, the gate, the headers, the current user's rights.

Every request but the login page, /healthz and static files needs a login. The rights of the
logged-in user reach the queries through `current_rights()`, called where the query scope is
built (services.page_context), so no page or callback can skip them. A POST from another site
is refused (its Origin, else its Referer, must be this host); logout is a POST with the
session's token, so a link or an image elsewhere cannot log anyone out.
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlparse

from flask import Flask, Response, current_app, redirect, request, session
from flask_login import LoginManager, current_user, login_user, logout_user

from dashboard.auth.accounts import NO_RIGHTS, Rights, User
from dashboard.config import Settings, SettingsError
from dashboard.i18n import normalise_language, t

OPEN_PATHS = (
    "/login",
    "/logout",
    "/healthz",
    "/assets/",
    "/_dash-component-suites/",
    "/_favicon.ico",
    "/favicon.ico",
)
# Dash needs inline scripts (its config and renderer, the clientside callbacks). No eval:
# nothing the app loads needs it (a browser test fails on any CSP violation). Nothing leaves
# the host.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
log = logging.getLogger(__name__)
if TYPE_CHECKING:
    from dashboard.auth import UserStore


def secret_key(settings: Settings) -> str:
    """The session key: from the environment, or a per-instance file for the local demo."""
    if settings.secret_key:
        return settings.secret_key
    if not settings.uses_demo:
        raise SettingsError(
            "TRIAL_SECRET_KEY must be set when a trial database is configured (TRIAL_DB_URL): "
            "it signs the login sessions. Generate one with: python -c 'import secrets; "
            "print(secrets.token_hex(32))'"
        )
    file = settings.instance_dir / "secret_key"
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(secrets.token_hex(32))
        file.chmod(0o600)
    return file.read_text().strip()


def current_user_or_none() -> User | None:
    """The logged-in user of this request, if any."""
    try:
        user = current_user._get_current_object()  # noqa: SLF001 - unwrap the proxy
    except Exception:  # outside a request context
        return None
    return user if isinstance(user, User) and user.is_authenticated else None


def current_rights() -> Rights:
    """The rights of this request's user; nothing at all without a login."""
    user = current_user_or_none()
    return user.rights if user else NO_RIGHTS


def csrf_token() -> str:
    """The session's form token (one per session; a new session gets a new one)."""
    token = session.get("csrf_token")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def safe_next(target: str | None) -> str:
    """Where to go after the login: a path of this site, nothing else (no CR/LF either)."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    lang: str, token: str, message: str = "", next_url: str = "/", trial: str = ""
) -> str:
    esc = html.escape
    return f"""<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(t("login.title", lang))}</title>
<link rel="stylesheet" href="/assets/00_bootstrap-5.3.8.min.css">
<link rel="stylesheet" href="/assets/10_theme.css"></head>
<body class="login-body"><main class="login-card">
<h1 class="h4">{esc(trial)}</h1>
<p class="text-muted">{esc(t("login.intro", lang))}</p>
{f'<div class="alert alert-danger" role="alert">{esc(message)}</div>' if message else ""}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{esc(token)}">
<input type="hidden" name="next" value="{esc(next_url)}">
<input type="hidden" name="lang" value="{esc(lang)}">
<label class="form-label" for="username">{esc(t("login.username", lang))}</label>
<input class="form-control mb-3" id="username" name="username" autocomplete="username" required>
<label class="form-label" for="password">{esc(t("login.password", lang))}</label>
<input class="form-control mb-3" id="password" name="password" type="password"
 autocomplete="current-password" required>
<button class="btn btn-primary" id="login-submit" type="submit">{esc(t("login.submit", lang))}
</button></form>
<p class="mt-3 small"><a href="/login?lang={"en" if lang == "zh" else "zh"}">
{"English" if lang == "zh" else "中文"}</a></p></main></body></html>"""


def client_address() -> str:
    """The request's client address (the proxy's own when behind one; see README)."""
    return request.remote_addr or ""


def audit(event: str, detail: dict[str, Any] | None = None, username: str | None = None) -> None:
    """Append to the audit trail from a request (the store hangs on the Flask app)."""
    store = current_app.extensions.get("trial_users")
    if store is None:
        return
    if username is None:
        user = current_user_or_none()
        username = user.username if user else None
    try:
        store.record(event, username, detail, client_address())
    except Exception as exc:  # the trail must not take a page down; it says so in the log
        log.error("audit trail write failed: %s", exc)


def same_site() -> bool:
    """The request comes from a page of this host (its Origin, else its Referer, says so).

    A request with neither (a script, a test client) is let through: browsers send an Origin
    with every cross-site POST, which is what this refuses.
    """
    origin = request.headers.get("Origin") or ""
    if origin in ("", "null") and not request.headers.get("Referer"):
        return origin == ""
    source = origin if origin not in ("", "null") else request.headers.get("Referer", "")
    hosts = {request.host, request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()}
    return urlparse(source).netloc in hosts - {""}


def init_auth(
    server: Flask,
    settings: Settings,
    store: UserStore,
    titles: tuple[str, str] = ("", ""),
) -> None:
    """Sessions, login/logout routes, the login gate on every other path, security headers."""
    server.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=settings.max_request_kb * 1024,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_max_hours),
    )
    server.extensions["trial_users"] = store

    def title(lang: str) -> str:
        return titles[1] if lang == "zh" else titles[0]

    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "strong"
    idle = dt.timedelta(minutes=settings.session_idle_minutes).total_seconds()
    lifetime = dt.timedelta(hours=settings.session_max_hours).total_seconds()

    @manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The session must name this very account (its identity) and its current version:
        # logout, a new password or role, disabling or removal end it at once.
        return store.load_session(session_id)

    def _expired() -> str | None:
        now = time.time()
        started, seen = session.get("login_at"), session.get("seen_at")
        if not isinstance(started, int | float) or now - started > lifetime:
            return "lifetime"
        if not isinstance(seen, int | float) or now - seen > idle:
            return "idle"
        return None

    @server.before_request
    def gate() -> Any:
        path = request.path
        if request.method == "POST" and not same_site():
            audit("cross_site_refused", {"path": path[:200]})
            return Response("cross-site request refused", status=403, mimetype="text/plain")
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS):
            return None
        if current_user.is_authenticated:
            reason = _expired()
            if reason is None:
                session["seen_at"] = int(time.time())
                return None
            audit("session_expired", {"reason": reason})
            logout_user()
            session.clear()
        if path.startswith("/_dash-"):
            return Response('{"error": "login required"}', status=401, mimetype="application/json")
        nxt = request.full_path if request.query_string else path
        return redirect("/login?" + urlencode({"next": safe_next(nxt)}))

    @server.after_request
    def headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        static = request.path.startswith(("/assets/", "/_dash-component-suites/", "/_favicon"))
        if not static:
            # Pages, callbacks, listings and exports carry trial data: never stored anywhere.
            resp.headers["Cache-Control"] = "no-store"
        if settings.secure_cookies or request.is_secure:
            resp.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return resp

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        lang = normalise_language(request.values.get("lang"))
        # One token per session (a second tab or a stray request must not invalidate the
        # form); a new session, and so a new token, after each successful login.
        token = csrf_token()
        if request.method == "GET":
            return _login_page(
                lang, token, next_url=safe_next(request.args.get("next")), trial=title(lang)
            )
        sent = request.form.get("csrf_token", "")
        nxt = safe_next(request.form.get("next"))
        if not hmac.compare_digest(sent, token):
            return _login_page(lang, token, t("login.csrf", lang), nxt, title(lang)), 400
        name = request.form.get("username", "")[:200]
        user, reason = store.verify(
            name,
            request.form.get("password", "")[:1000],
            settings.login_max_failures,
            settings.login_lock_minutes,
            client_address(),
        )
        if user is None:
            audit("login_locked" if reason == "locked" else "login_failed", None, name)
            time.sleep(settings.login_failure_delay_ms / 1000)  # slows guessing down
            key = "login.locked" if reason == "locked" else "login.invalid"
            return _login_page(
                lang, token, t(key, lang, minutes=settings.login_lock_minutes), nxt, title(lang)
            ), 401 if reason == "invalid" else 429
        session.clear()
        session.permanent = True
        login_user(user)
        session["login_at"] = session["seen_at"] = int(time.time())
        csrf_token()  # the new session's token (the logout form carries it)
        audit("login", None, user.username)
        if "lang=" not in nxt:
            nxt += ("&" if "?" in nxt else "?") + f"lang={user.lang}" if user.lang != "en" else ""
        return redirect(nxt)

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> Any:
        if request.method == "GET":  # a link or an image elsewhere: nobody is logged out
            return Response(
                "Sign out with the button of the user menu.", status=405, mimetype="text/plain"
            )
        sent = request.form.get("csrf_token", "")
        if not hmac.compare_digest(sent, str(session.get("csrf_token") or "\0")):
            return Response("logout needs the page's token", status=400, mimetype="text/plain")
        user = current_user_or_none()
        if user is not None:
            # Ends this session and any copy of its cookie (every session of the account).
            store.end_sessions(user.username)
            audit("logout", None, user.username)
        logout_user()
        session.clear()
        return redirect("/login")

"""Logins, users, roles and center rights (the app's own user store, never the trial database).

Roles: `pi` and `monitor` see every center (a monitor may be limited to a list); `site` sees one
center; `committee` sees every center but aggregates only (no subject identifiers, no listings).
Every request but the login page, /healthz and static files needs a login. The rights of the
logged-in user reach the queries through `current_rights()`, called where the query scope is
built (services.page_context), so no page or callback can skip them.
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flask import Flask, Response, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, select
from sqlalchemy import delete as sa_delete
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.config import Settings, SettingsError
from dashboard.i18n import normalise_language, t

ROLES = ("pi", "monitor", "site", "committee")
OPEN_PATHS = (
    "/login",
    "/logout",
    "/healthz",
    "/assets/",
    "/_dash-component-suites/",
    "/_favicon.ico",
    "/favicon.ico",
)
# Dash needs inline scripts (its config and renderer) and eval (plotly); nothing leaves the host.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)

user_metadata = MetaData()
users = Table(
    "users",
    user_metadata,
    Column("username", Text, primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("centers", Text),  # comma-separated; empty = every center (pi, monitor, committee)
    Column("lang", Text),
    Column("failed", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
)


class UserError(ValueError):
    """A user cannot be added or changed as asked."""


@dataclass(frozen=True)
class Rights:
    """What the current request may see."""

    centers: tuple[str, ...] | None  # None = every center of the protocol
    identifiers: bool  # subject identifiers and listings


NO_RIGHTS = Rights(centers=(), identifiers=False)


class User(UserMixin):
    """A logged-in user as Flask-Login needs it."""

    def __init__(self, username: str, role: str, centers: tuple[str, ...], lang: str) -> None:
        self.id = username
        self.username = username
        self.role = role
        self.centers = centers
        self.lang = lang

    @property
    def rights(self) -> Rights:
        """The user's rights, from the role and the center list."""
        if self.role == "site":
            return Rights(self.centers[:1], identifiers=True)
        if self.role == "committee":
            return Rights(self.centers or None, identifiers=False)
        return Rights(self.centers or None, identifiers=True)


class UserStore:
    """Users in a small SQL database of the app (SQLite file by default)."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url)
        user_metadata.create_all(self.engine)

    def add(
        self,
        username: str,
        password: str,
        role: str,
        centers: list[str] | None = None,
        known_centers: tuple[str, ...] = (),
    ) -> None:
        """Add a user (or replace one of the same name)."""
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        centers = [c.upper() for c in centers or []]
        unknown = [c for c in centers if known_centers and c not in known_centers]
        if unknown:
            raise UserError(f"unknown center code(s): {', '.join(unknown)}")
        if role == "site" and len(centers) != 1:
            raise UserError("a site user needs exactly one center (--centers CODE)")
        if len(password) < 8:
            raise UserError("the password must have at least 8 characters")
        with self.engine.begin() as conn:
            conn.execute(sa_delete(users).where(users.c.username == username))
            conn.execute(
                sa_insert(users).values(
                    username=username,
                    password_hash=generate_password_hash(password),
                    role=role,
                    centers=",".join(centers),
                    lang="en",
                    failed=0,
                    locked_until=None,
                )
            )

    def remove(self, username: str) -> bool:
        """Remove a user; False when there was none."""
        with self.engine.begin() as conn:
            return conn.execute(sa_delete(users).where(users.c.username == username)).rowcount > 0

    def list(self) -> list[dict[str, Any]]:
        """Every user without password hashes."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(
                        users.c.username,
                        users.c.role,
                        users.c.centers,
                        users.c.lang,
                        users.c.failed,
                        users.c.locked_until,
                    ).order_by(users.c.username)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def get(self, username: str) -> User | None:
        """The user of that name, if any."""
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        if r is None:
            return None
        centers = tuple(c for c in (r["centers"] or "").split(",") if c)
        return User(r["username"], r["role"], centers, normalise_language(r["lang"]))

    def verify(
        self, username: str, password: str, max_failures: int, lock_minutes: int
    ) -> tuple[User | None, str]:
        """(user, "") on success, else (None, reason) with reason 'locked' or 'invalid'."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.engine.begin() as conn:
            r = conn.execute(select(users).where(users.c.username == username)).mappings().first()
            if r is None:
                check_password_hash(generate_password_hash("x"), password)  # same time cost
                return None, "invalid"
            if r["locked_until"] is not None and r["locked_until"] > now:
                return None, "locked"
            if not check_password_hash(r["password_hash"], password):
                failed = (r["failed"] or 0) + 1
                locked = (
                    now + dt.timedelta(minutes=lock_minutes) if failed >= max_failures else None
                )
                conn.execute(
                    sa_update(users)
                    .where(users.c.username == username)
                    .values(failed=0 if locked else failed, locked_until=locked)
                )
                return None, "locked" if locked else "invalid"
            conn.execute(
                sa_update(users)
                .where(users.c.username == username)
                .values(failed=0, locked_until=None)
            )
        return self.get(username), ""

    def set_language(self, username: str, lang: str) -> None:
        """Remember a user's language."""
        with self.engine.begin() as conn:
            conn.execute(
                sa_update(users)
                .where(users.c.username == username)
                .values(lang=normalise_language(lang))
            )

    def is_empty(self) -> bool:
        """True when no user exists yet."""
        with self.engine.connect() as conn:
            return conn.execute(select(users.c.username).limit(1)).first() is None


DEMO_USERS: tuple[tuple[str, str, str, list[str]], ...] = (
    ("pi", "pi-demo-pass", "pi", []),
    ("monitor", "monitor-demo-pass", "monitor", []),
    ("site-pku", "site-demo-pass", "site", ["PKU"]),
    ("committee", "committee-demo-pass", "committee", []),
)


def ensure_demo_users(store: UserStore) -> list[tuple[str, str, str]]:
    """Create one demo account per role in an empty store; returns what was created."""
    if not store.is_empty():
        return []
    for name, password, role, centers in DEMO_USERS:
        store.add(name, password, role, centers)
    return [(name, password, role) for name, password, role, _ in DEMO_USERS]


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


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        return "/"
    return target


def _login_page(lang: str, token: str, message: str = "", next_url: str = "/") -> str:
    esc = html.escape
    return f"""<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(t("login.title", lang))}</title>
<link rel="stylesheet" href="/assets/00_bootstrap-5.3.8.min.css">
<link rel="stylesheet" href="/assets/10_theme.css"></head>
<body class="login-body"><main class="login-card">
<h1 class="h4">{esc(t("app.trial", lang))}</h1>
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


def init_auth(server: Flask, settings: Settings, store: UserStore) -> None:
    """Sessions, login/logout routes, the login gate on every other path, security headers."""
    server.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
    )
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(username: str) -> User | None:
        return store.get(username)

    @server.before_request
    def gate() -> Any:
        path = request.path
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS):
            return None
        if current_user.is_authenticated:
            return None
        if path.startswith("/_dash-"):
            return Response('{"error": "login required"}', status=401, mimetype="application/json")
        nxt = request.full_path if request.query_string else path
        return redirect(f"/login?next={_safe_next(nxt)}")

    @server.after_request
    def headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return resp

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        lang = normalise_language(request.values.get("lang"))
        # One token per session (a second tab or a stray request must not invalidate the
        # form); a new session, and so a new token, after each successful login.
        token = session.get("csrf_token") or secrets.token_urlsafe(32)
        session["csrf_token"] = token
        if request.method == "GET":
            return _login_page(lang, token, next_url=_safe_next(request.args.get("next")))
        sent = request.form.get("csrf_token", "")
        expected = token
        nxt = _safe_next(request.form.get("next"))
        if not expected or not hmac.compare_digest(sent, expected):
            return _login_page(lang, token, t("login.csrf", lang), nxt), 400
        user, reason = store.verify(
            request.form.get("username", ""),
            request.form.get("password", ""),
            settings.login_max_failures,
            settings.login_lock_minutes,
        )
        if user is None:
            time.sleep(settings.login_failure_delay_ms / 1000)  # slows guessing down
            key = "login.locked" if reason == "locked" else "login.invalid"
            return _login_page(
                lang, token, t(key, lang, minutes=settings.login_lock_minutes), nxt
            ), 401 if reason == "invalid" else 429
        session.clear()
        login_user(user)
        if "lang=" not in nxt:
            nxt += ("&" if "?" in nxt else "?") + f"lang={user.lang}" if user.lang != "en" else ""
        return redirect(nxt)

    @server.route("/logout")
    def logout() -> Any:
        logout_user()
        session.clear()
        return redirect("/login")

"""Logins, users, roles and center rights (the app's own user store, never the trial database).

Roles: `pi` and `monitor` see every center (a monitor may be limited to a list); `site` sees one
center; `committee` sees every center but aggregates only (no subject identifiers, no listings).
Every request but the login page, /healthz and static files needs a login. The rights of the
logged-in user reach the queries through `current_rights()`, called where the query scope is
built (services.page_context), so no page or callback can skip them.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hmac
import html
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import Flask, Response, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, select
from sqlalchemy import delete as sa_delete
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.config import Settings, SettingsError
from dashboard.i18n import normalise_language, t

ROLES = ("pi", "monitor", "site", "committee", "dmc")
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
    Column("failed", Integer, nullable=False, default=0),  # unused since login_attempts
    Column("locked_until", DateTime),  # unused since login_attempts
    # Every session carries the version it was opened with; logout, a new password, a new
    # role or centers, disabling or removing the account bump it, and older sessions end.
    Column("session_version", Integer, nullable=False, server_default="1"),
    Column("disabled", Integer, nullable=False, server_default="0"),
)
# Failed logins per user name (known or not) and per client address, counted atomically
# before a password is checked: at most N guesses are ever tried, whatever the concurrency.
login_attempts = Table(
    "login_attempts",
    user_metadata,
    Column("key", Text, primary_key=True),  # "user:<name>" or "addr:<address>"
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime),
)
# Who did what and saw which scope, when (append-only from the app; never the trial database).
audit_log = Table(
    "audit_log",
    user_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("username", Text),
    Column("event", Text, nullable=False),
    Column("detail", Text),  # JSON
    Column("address", Text),
)
ADDRESS_FAILURES = 30  # failed logins from one address before it waits too
RESERVE_WAIT_S = 5.0  # how long a login waits for attempts in flight before giving up


class UserError(ValueError):
    """A user cannot be added or changed as asked."""


@dataclass(frozen=True)
class Rights:
    """What the current request may see."""

    centers: tuple[str, ...] | None  # None = every center of the protocol
    identifiers: bool  # subject identifiers and listings
    # The role, for what the protocol's [access] rules let it see (comparisons by arm,
    # allocation details, safety by arm); none without a login.
    role: str | None = None


NO_RIGHTS = Rights(centers=(), identifiers=False)


class User(UserMixin):
    """A logged-in user as Flask-Login needs it."""

    def __init__(
        self,
        username: str,
        role: str,
        centers: tuple[str, ...],
        lang: str,
        session_version: int = 1,
    ) -> None:
        self.id = f"{username}|{session_version}"
        self.username = username
        self.role = role
        self.centers = centers
        self.lang = lang
        self.session_version = session_version

    @property
    def rights(self) -> Rights:
        """The user's rights, from the role and the center list."""
        if self.role == "site":
            return Rights(self.centers[:1], identifiers=True, role=self.role)
        if self.role in ("committee", "dmc"):  # aggregates only
            return Rights(self.centers or None, identifiers=False, role=self.role)
        return Rights(self.centers or None, identifiers=True, role=self.role)


class UserStore:
    """Users in a small SQL database of the app (SQLite file by default)."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, connect_args=_connect_args(url))
        user_metadata.create_all(self.engine)
        self._migrate()

    def _migrate(self) -> None:
        """Stores made by earlier versions get the new columns (nothing is lost)."""
        from sqlalchemy import inspect, text

        have = {c["name"] for c in inspect(self.engine).get_columns("users")}
        with self.engine.begin() as conn:
            if "session_version" not in have:
                conn.execute(
                    text("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1")
                )
            if "disabled" not in have:
                conn.execute(
                    text("ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0")
                )

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
            old = conn.execute(
                select(users.c.session_version, users.c.lang).where(users.c.username == username)
            ).first()
            conn.execute(sa_delete(users).where(users.c.username == username))
            conn.execute(
                sa_insert(users).values(
                    username=username,
                    password_hash=generate_password_hash(password),
                    role=role,
                    centers=",".join(centers),
                    lang=old[1] if old else "en",
                    failed=0,
                    locked_until=None,
                    # A new password, role or centers ends every session opened before.
                    session_version=(old[0] + 1) if old else 1,
                    disabled=0,
                )
            )
            conn.execute(
                sa_delete(login_attempts).where(login_attempts.c.key == f"user:{username}")
            )

    def remove(self, username: str) -> bool:
        """Remove a user (their audit history stays); False when there was none."""
        with self.engine.begin() as conn:
            return conn.execute(sa_delete(users).where(users.c.username == username)).rowcount > 0

    def set_disabled(self, username: str, disabled: bool) -> bool:
        """Disable (or enable) an account without deleting it; its sessions end at once."""
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    sa_update(users)
                    .where(users.c.username == username)
                    .values(
                        disabled=1 if disabled else 0,
                        session_version=users.c.session_version + 1,
                    )
                ).rowcount
                > 0
            )

    def end_sessions(self, username: str) -> None:
        """End every session of a user (logout)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa_update(users)
                .where(users.c.username == username)
                .values(session_version=users.c.session_version + 1)
            )

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
                        users.c.disabled,
                        login_attempts.c.failed,
                        login_attempts.c.locked_until,
                    )
                    .select_from(
                        users.outerjoin(
                            login_attempts,
                            login_attempts.c.key == ("user:" + users.c.username),
                        )
                    )
                    .order_by(users.c.username)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def get(self, username: str) -> User | None:
        """The user of that name, if any and not disabled."""
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        if r is None or r["disabled"]:
            return None
        centers = tuple(c for c in (r["centers"] or "").split(",") if c)
        return User(
            r["username"],
            r["role"],
            centers,
            normalise_language(r["lang"]),
            int(r["session_version"]),
        )

    def load_session(self, session_id: str) -> User | None:
        """The user of a session id 'name|version', if that session is still valid."""
        name, _, version = session_id.rpartition("|")
        user = self.get(name) if name else None
        if user is None or str(user.session_version) != version:
            return None
        return user

    def _reserve(self, keys: builtins.list[tuple[str, int]], now: dt.datetime) -> str:
        """Count one attempt against every key, atomically, unless a key is locked or full.

        The increment happens before the password is checked, in one transaction (all keys or
        none): N concurrent guesses can take at most `limit` slots, whatever their timing.
        Returns "ok", "locked" (a key is locked) or "busy" (full with attempts in flight).
        """

        class _Full(Exception):
            pass

        try:
            with self.engine.begin() as conn:
                for key, limit in keys:
                    conn.execute(_insert_ignore(self.engine, key))
                    # An expired lock starts the count afresh.
                    conn.execute(
                        sa_update(login_attempts)
                        .where(login_attempts.c.key == key, login_attempts.c.locked_until <= now)
                        .values(failed=0, locked_until=None)
                    )
                    took = conn.execute(
                        sa_update(login_attempts)
                        .where(
                            login_attempts.c.key == key,
                            login_attempts.c.failed < limit,
                            login_attempts.c.locked_until.is_(None),
                        )
                        .values(failed=login_attempts.c.failed + 1)
                    ).rowcount
                    if took != 1:
                        raise _Full  # rolls every increment of this attempt back
        except _Full:
            with self.engine.connect() as conn:
                locked = conn.execute(
                    select(login_attempts.c.key).where(
                        login_attempts.c.key.in_([k for k, _ in keys]),
                        login_attempts.c.locked_until > now,
                    )
                ).first()
            return "locked" if locked else "busy"
        return "ok"

    def _settle(
        self,
        keys: builtins.list[tuple[str, int]],
        success: bool,
        now: dt.datetime,
        lock_minutes: int,
    ) -> bool:
        """After the check: clear the user's count on success, else lock what is full.

        A success also returns the address's slot; True when a key is now locked.
        """
        locked = False
        with self.engine.begin() as conn:
            for key, limit in keys:
                if success:
                    values: dict[str, Any] = (
                        {"failed": 0, "locked_until": None}
                        if key.startswith("user:")
                        else {"failed": login_attempts.c.failed - 1}
                    )
                    conn.execute(
                        sa_update(login_attempts).where(login_attempts.c.key == key).values(values)
                    )
                    continue
                n = conn.execute(
                    sa_update(login_attempts)
                    .where(
                        login_attempts.c.key == key,
                        login_attempts.c.failed >= limit,
                        login_attempts.c.locked_until.is_(None),
                    )
                    .values(locked_until=now + dt.timedelta(minutes=lock_minutes))
                ).rowcount
                locked = locked or n > 0
        return locked

    def verify(
        self,
        username: str,
        password: str,
        max_failures: int,
        lock_minutes: int,
        address: str = "",
    ) -> tuple[User | None, str]:
        """(user, "") on success, else (None, reason) with reason 'locked' or 'invalid'.

        Unknown and known user names get the same answers, the same lock-out and the same
        time cost (a password hash is always checked). Failures count per user name and per
        client address.
        """
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        keys = [(f"user:{username.strip().lower()}", max_failures)]
        if address:
            keys.append((f"addr:{address}", max(max_failures, ADDRESS_FAILURES)))
        # Attempts in flight fill the slots for a moment: wait for them (a few seconds at most);
        # a lock answers at once. Wrong guesses still never exceed the limit.
        deadline = time.monotonic() + RESERVE_WAIT_S
        status = self._reserve(keys, now)
        while status == "busy" and time.monotonic() < deadline:
            time.sleep(0.05)
            status = self._reserve(keys, now)
        if status != "ok":
            check_password_hash(_DUMMY_HASH, password)  # same time cost
            return None, "locked"
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        stored = r["password_hash"] if r is not None and not r["disabled"] else None
        ok = check_password_hash(stored or _DUMMY_HASH, password) and stored is not None
        locked = self._settle(keys, ok, now, lock_minutes)
        if not ok:
            return None, "locked" if locked else "invalid"
        return self.get(username), ""

    def record(
        self,
        event: str,
        username: str | None,
        detail: dict[str, Any] | None = None,
        address: str | None = None,
    ) -> None:
        """Append one line to the audit trail (the only write the app makes to it)."""
        import json

        with self.engine.begin() as conn:
            conn.execute(
                sa_insert(audit_log).values(
                    at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    username=username,
                    event=event,
                    detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)
                    if detail
                    else None,
                    address=address,
                )
            )

    def audit(
        self, since: dt.datetime | None = None, username: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        """The audit trail, oldest first, from a time and for a user if given."""
        stmt = select(audit_log).order_by(audit_log.c.id)
        if since is not None:
            stmt = stmt.where(audit_log.c.at >= since)
        if username:
            stmt = stmt.where(audit_log.c.username == username)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings().all()]

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


_DUMMY_HASH = generate_password_hash("not a password of anyone")


def _connect_args(url: str) -> dict[str, Any]:
    # Several gunicorn workers write the audit trail: wait for a lock instead of failing.
    return {"timeout": 15} if url.startswith("sqlite") else {"connect_timeout": 5}


def _insert_ignore(engine: Any, key: str) -> Any:
    """INSERT the attempts row for a key unless it exists (SQLite and PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(login_attempts).values(key=key, failed=0).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as lite_insert

    return lite_insert(login_attempts).values(key=key, failed=0).on_conflict_do_nothing()


DEMO_USERS: tuple[tuple[str, str, str, list[str]], ...] = (
    ("pi", "pi-demo-pass", "pi", []),
    ("monitor", "monitor-demo-pass", "monitor", []),
    ("site-pku", "site-demo-pass", "site", ["PKU"]),
    ("committee", "committee-demo-pass", "committee", []),
    ("dmc", "dmc-demo-pass", "dmc", []),
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
    from flask import current_app

    store = current_app.extensions.get("trial_users")
    if store is None:
        return
    if username is None:
        user = current_user_or_none()
        username = user.username if user else None
    try:
        store.record(event, username, detail, client_address())
    except Exception as exc:  # the trail must not take a page down; it says so in the log
        import logging

        logging.getLogger(__name__).error("audit trail write failed: %s", exc)


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
        # The session's version must still be the account's: logout, a new password or
        # role, disabling or removal end it at once.
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
        return redirect("/login?" + urlencode({"next": _safe_next(nxt)}))

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
        token = session.get("csrf_token") or secrets.token_urlsafe(32)
        session["csrf_token"] = token
        if request.method == "GET":
            return _login_page(
                lang, token, next_url=_safe_next(request.args.get("next")), trial=title(lang)
            )
        sent = request.form.get("csrf_token", "")
        expected = token
        nxt = _safe_next(request.form.get("next"))
        if not expected or not hmac.compare_digest(sent, expected):
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
        audit("login", None, user.username)
        if "lang=" not in nxt:
            nxt += ("&" if "?" in nxt else "?") + f"lang={user.lang}" if user.lang != "en" else ""
        return redirect(nxt)

    @server.route("/logout")
    def logout() -> Any:
        user = current_user_or_none()
        if user is not None:
            # Ends this session and any copy of its cookie (every session of the account).
            store.end_sessions(user.username)
            audit("logout", None, user.username)
        logout_user()
        session.clear()
        return redirect("/login")

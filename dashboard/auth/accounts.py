"""Accounts: roles, center rights, and the identity a session carries.

Roles: `pi` and `monitor` see every center (a monitor may be limited to a list); `site` sees one
center; `committee` and `dmc` see every center but aggregates only (no subject identifiers, no
listings).

A session is valid for one account identity and one session version: `name|epoch|version`.
The version goes up at logout, a new password, role or centers, and when the account is
disabled; the epoch is drawn when the account is created, so that a name removed and added
again (another person, another role) never accepts a cookie of the old account.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Engine, select
from sqlalchemy import delete as sa_delete
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from werkzeug.security import generate_password_hash

from dashboard.auth.tables import login_attempts, new_epoch, users
from dashboard.i18n import normalise_language

ROLES = ("pi", "monitor", "site", "committee", "dmc")
DEMO_USERS: tuple[tuple[str, str, str, list[str]], ...] = (
    ("pi", "pi-demo-pass", "pi", []),
    ("monitor", "monitor-demo-pass", "monitor", []),
    ("site-pku", "site-demo-pass", "site", ["PKU"]),
    ("committee", "committee-demo-pass", "committee", []),
    ("dmc", "dmc-demo-pass", "dmc", []),
)


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
        epoch: str = "",
    ) -> None:
        self.id = session_id(username, epoch, session_version)
        self.username = username
        self.role = role
        self.centers = centers
        self.lang = lang
        self.session_version = session_version
        self.epoch = epoch

    @property
    def rights(self) -> Rights:
        """The user's rights, from the role and the center list."""
        if self.role == "site":
            return Rights(self.centers[:1], identifiers=True, role=self.role)
        if self.role in ("committee", "dmc"):  # aggregates only
            return Rights(self.centers or None, identifiers=False, role=self.role)
        return Rights(self.centers or None, identifiers=True, role=self.role)


def session_id(username: str, epoch: str, version: int) -> str:
    """What a session cookie names: the account, its identity and the session version."""
    return f"{username}|{epoch}|{version}"


class Accounts:
    """The accounts of the app's store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        username: str,
        password: str,
        role: str,
        centers: builtins.list[str] | None = None,
        known_centers: tuple[str, ...] = (),
    ) -> None:
        """Add an account, or replace the one of that name (it keeps its identity)."""
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        if not username or any(ord(c) < 32 or ord(c) == 127 for c in username):
            raise UserError("a user name needs printable characters only")
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
                select(users.c.session_version, users.c.lang, users.c.epoch).where(
                    users.c.username == username
                )
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
                    epoch=(old[2] if old and old[2] else new_epoch()),
                )
            )
            conn.execute(
                sa_delete(login_attempts).where(login_attempts.c.key == f"user:{username}")
            )

    def remove(self, username: str) -> bool:
        """Remove an account (its audit history stays); False when there was none."""
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
        """End every session of an account (logout)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa_update(users)
                .where(users.c.username == username)
                .values(session_version=users.c.session_version + 1)
            )

    def list(self) -> builtins.list[dict[str, Any]]:
        """Every account without password hashes."""
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

    def exists(self, username: str) -> bool:
        """An account of that name exists (disabled or not)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(users.c.username).where(users.c.username == username))
            return found.first() is not None

    def get(self, username: str) -> User | None:
        """The account of that name, if any and not disabled."""
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
            str(r["epoch"] or ""),
        )

    def load_session(self, sid: str) -> User | None:
        """The user of a session id, if that session is still valid for that very account."""
        parts = sid.rsplit("|", 2)
        if len(parts) != 3:
            return None  # an older cookie: a login again
        name, epoch, version = parts
        user = self.get(name) if name else None
        if user is None or not epoch or user.epoch != epoch:
            return None
        return user if str(user.session_version) == version else None

    def password_hash(self, username: str) -> str | None:
        """The stored hash of an account that may log in (None: no such enabled account)."""
        with self.engine.connect() as conn:
            r = conn.execute(
                select(users.c.password_hash, users.c.disabled).where(users.c.username == username)
            ).first()
        return str(r[0]) if r is not None and not r[1] else None

    def set_language(self, username: str, lang: str) -> None:
        """Remember a user's language."""
        with self.engine.begin() as conn:
            conn.execute(
                sa_update(users)
                .where(users.c.username == username)
                .values(lang=normalise_language(lang))
            )

    def is_empty(self) -> bool:
        """True when no account exists yet."""
        with self.engine.connect() as conn:
            return conn.execute(select(users.c.username).limit(1)).first() is None

"""The app's own store (never the trial database): accounts, login attempts, the audit trail.

One SQL database (a SQLite file by default, `TRIAL_USERS_DB_URL`); the findings workflow and
the data cuts keep their tables in it too (`user_metadata`).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    inspect,
    select,
    text,
    update,
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
    # Random, drawn when the account is created and kept while it exists: a name removed and
    # added again is another account, and no cookie of the old one opens it.
    Column("epoch", Text),
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


def new_epoch() -> str:
    """A fresh account identity (see `users.epoch`)."""
    return secrets.token_hex(8)


def connect(url: str) -> Engine:
    """The store's engine, its tables created and older stores brought up to date."""
    if url.startswith("sqlite:///"):
        Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    # Several gunicorn workers write the audit trail: wait for a lock instead of failing.
    args: dict[str, Any] = {"timeout": 15} if url.startswith("sqlite") else {"connect_timeout": 5}
    engine = create_engine(url, connect_args=args)
    user_metadata.create_all(engine)
    _migrate(engine)
    return engine


def _migrate(engine: Engine) -> None:
    """Stores made by earlier versions get the new columns (nothing is lost)."""
    have = {c["name"] for c in inspect(engine).get_columns("users")}
    with engine.begin() as conn:
        if "session_version" not in have:
            conn.execute(
                text("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1")
            )
        if "disabled" not in have:
            conn.execute(text("ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0"))
        if "epoch" not in have:
            conn.execute(text("ALTER TABLE users ADD COLUMN epoch TEXT"))
        # Accounts without an identity get one (their open sessions end: a login again).
        for (name,) in conn.execute(select(users.c.username).where(users.c.epoch.is_(None))):
            conn.execute(update(users).where(users.c.username == name).values(epoch=new_epoch()))

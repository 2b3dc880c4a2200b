"""Logins, accounts, roles and center rights: the app's own store, never the trial database.

Each rule has a home of its own:
- `tables`: the store's tables and their migrations;
- `accounts`: roles, rights, and the identity a session carries (an epoch per account);
- `lockout`: a bounded number of password guesses per name and per address;
- `trail`: the append-only audit trail;
- `web`: the login and logout routes, the gate, the headers, the current user's rights.

`UserStore` is the store as the rest of the app uses it: one engine, the three parts above.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.auth.accounts import (
    DEMO_USERS,
    NO_RIGHTS,
    ROLES,
    Accounts,
    Rights,
    User,
    UserError,
)
from dashboard.auth.lockout import LockOut
from dashboard.auth.tables import connect, user_metadata
from dashboard.auth.trail import AuditTrail
from dashboard.auth.web import (
    audit,
    client_address,
    csrf_token,
    current_rights,
    current_user_or_none,
    init_auth,
    secret_key,
)

__all__ = [
    "DEMO_USERS",
    "NO_RIGHTS",
    "ROLES",
    "Rights",
    "User",
    "UserError",
    "UserStore",
    "audit",
    "client_address",
    "csrf_token",
    "current_rights",
    "current_user_or_none",
    "ensure_demo_users",
    "init_auth",
    "secret_key",
    "user_metadata",
]


class UserStore:
    """The app's store: accounts, the lock-out and the audit trail on one engine."""

    def __init__(self, url: str) -> None:
        self.engine = connect(url)
        self.accounts = Accounts(self.engine)
        self.lockout = LockOut(self.engine, self.accounts)
        self.trail = AuditTrail(self.engine)
        # the operations the app and the command line use, each where its rule lives
        self.add = self.accounts.add
        self.remove = self.accounts.remove
        self.set_disabled = self.accounts.set_disabled
        self.end_sessions = self.accounts.end_sessions
        self.list = self.accounts.list
        self.exists = self.accounts.exists
        self.get = self.accounts.get
        self.load_session = self.accounts.load_session
        self.set_language = self.accounts.set_language
        self.is_empty = self.accounts.is_empty
        self.verify = self.lockout.verify
        self.record = self.trail.record

    def audit(
        self, since: dt.datetime | None = None, username: str | None = None
    ) -> list[dict[str, Any]]:
        """The audit trail, oldest first, from a time and for a user if given."""
        return self.trail.read(since, username)


def ensure_demo_users(store: UserStore) -> list[tuple[str, str, str]]:
    """Create one demo account per role in an empty store; returns what was created."""
    if not store.is_empty():
        return []
    for name, password, role, centers in DEMO_USERS:
        store.add(name, password, role, centers)
    return [(name, password, role) for name, password, role, _ in DEMO_USERS]

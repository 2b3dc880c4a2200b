"""The lock-out: a bounded number of password guesses, whatever the concurrency.

Failures count per user name (known or not) and per client address. A slot is taken before the
password is checked, in one transaction for every key (all or none): N guesses in parallel can
take at most `limit` slots. Unknown and known names get the same answers, the same lock-out and
the same time cost (a password hash is always checked).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import update as sa_update
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.auth.accounts import Accounts, User
from dashboard.auth.tables import login_attempts

ADDRESS_FAILURES = 30  # failed logins from one address before it waits too
RESERVE_WAIT_S = 5.0  # how long a login waits for attempts in flight before giving up
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def _insert_ignore(engine: Engine, key: str) -> Any:
    """INSERT the attempts row for a key unless it exists (SQLite and PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(login_attempts).values(key=key, failed=0).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as lite_insert

    return lite_insert(login_attempts).values(key=key, failed=0).on_conflict_do_nothing()


class LockOut:
    """Password checks under the lock-out rule."""

    def __init__(self, engine: Engine, accounts: Accounts) -> None:
        self.engine = engine
        self.accounts = accounts

    def _reserve(self, keys: list[tuple[str, int]], now: dt.datetime) -> str:
        """Count one attempt against every key, atomically, unless a key is locked or full.

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
        self, keys: list[tuple[str, int]], success: bool, now: dt.datetime, lock_minutes: int
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
        """(user, "") on success, else (None, reason) with reason 'locked' or 'invalid'."""
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
        stored = self.accounts.password_hash(username)
        ok = check_password_hash(stored or _DUMMY_HASH, password) and stored is not None
        locked = self._settle(keys, ok, now, lock_minutes)
        if not ok:
            return None, "locked" if locked else "invalid"
        return self.accounts.get(username), ""

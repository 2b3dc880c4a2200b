"""The audit trail: who did what and saw which scope, when (append-only from the app)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import insert as sa_insert

from dashboard.auth.tables import audit_log


class AuditTrail:
    """Lines of the audit trail in the app's store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        event: str,
        username: str | None,
        detail: dict[str, Any] | None = None,
        address: str | None = None,
    ) -> None:
        """Append one line (the only write the app makes to the trail).

        Text is stored as sent (a user name with a newline too): whoever prints it escapes it
        (dashboard.terminal.printable), so a stored line can never pose as two.
        """
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

    def read(
        self, since: dt.datetime | None = None, username: str | None = None
    ) -> list[dict[str, Any]]:
        """The trail, oldest first, from a time and for a user if given."""
        stmt = select(audit_log).order_by(audit_log.c.id)
        if since is not None:
            stmt = stmt.where(audit_log.c.at >= since)
        if username:
            stmt = stmt.where(audit_log.c.username == username)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings().all()]

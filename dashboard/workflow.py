"""Findings a monitor works through: a status and a comment per finding, with its history.

Every data-quality finding and every missed or overdue visit has a stable key (check, subject,
table.field, record; or `visit:<subject>:<visit>`), so it keeps its identity from one import to
the next. Statuses live in the app's own store, append-only (who, when, what), never in the
trial database. The current status is the latest entry; a finding closed (or judged "not an
issue") that is still found in a cut made after that is "re-opened".

    python -m dashboard findings history KEY
    python -m dashboard findings set KEY --status query_sent --comment "..." --user anna
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Integer, Table, Text, func, select

from dashboard.auth import user_metadata

STATUSES = ("open", "query_sent", "answered", "closed", "not_an_issue")
DONE = ("closed", "not_an_issue")
# Query management: the site answers, the monitor (or the PI) asks, closes or dismisses.
ROLE_STATUSES: dict[str, tuple[str, ...]] = {
    "pi": STATUSES,
    "monitor": STATUSES,
    "site": ("answered",),
}
# Status writes one account may make in a minute (the form; a script uses the command line).
WRITES_PER_MINUTE = 30
# A status that needs a comment: an answer says what was found or done.
NEEDS_COMMENT = ("answered",)


def statuses_for(role: str | None) -> tuple[str, ...]:
    """The statuses a role may set (none for roles that see no listing)."""
    return ROLE_STATUSES.get(role or "", ())


MAX_COMMENT = 2000

finding_status = Table(
    "finding_status",
    user_metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("finding_key", Text, nullable=False, index=True),
    Column("center_id", Text),
    Column("status", Text, nullable=False),
    Column("comment", Text),
    Column("username", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)


VISIT_PREFIX = "visit:"


def visit_key(subject_id: Any, visit_code: Any) -> str:
    """The stable key of a visit on the worklist (missed, due or overdue)."""
    return f"{VISIT_PREFIX}{subject_id}:{visit_code}"


def parse_visit_key(key: str) -> tuple[str, str] | None:
    """(subject, visit) of a visit key, or None."""
    if not key.startswith(VISIT_PREFIX) or ":" not in key[len(VISIT_PREFIX) :]:
        return None
    subject, visit = key[len(VISIT_PREFIX) :].rsplit(":", 1)
    return (subject, visit) if subject and visit else None


class WorkflowError(ValueError):
    """A status cannot be set as asked."""


@dataclass(frozen=True)
class Entry:
    """One line of a finding's history."""

    key: str
    center_id: str | None
    status: str
    comment: str | None
    username: str
    at: dt.datetime


class FindingStore:
    """Statuses and comments of findings (append-only)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        user_metadata.create_all(engine)

    def set(
        self,
        key: str,
        status: str,
        username: str,
        comment: str | None = None,
        center_id: str | None = None,
    ) -> Entry:
        """Append a status (and comment) for a finding."""
        if status not in STATUSES:
            raise WorkflowError(f"status must be one of {', '.join(STATUSES)}")
        if not key or len(key) > 500:
            raise WorkflowError("a finding key is needed")
        # kept as typed (a spreadsheet-looking '\t=1+1' too: the CSV export neutralises it)
        text = comment[:MAX_COMMENT] if comment and comment.strip() else None
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.engine.begin() as conn:
            conn.execute(
                finding_status.insert().values(
                    finding_key=key,
                    center_id=center_id,
                    status=status,
                    comment=text,
                    username=username,
                    at=now,
                )
            )
        return Entry(key, center_id, status, text, username, now)

    def recent_writes(self, username: str, seconds: int = 60) -> int:
        """Entries a user wrote in the last `seconds` (the form's rate limit counts them)."""
        since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=seconds)
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        finding_status.c.username == username, finding_status.c.at >= since
                    )
                ).scalar_one()
            )

    def history(self, key: str) -> list[Entry]:
        """Every entry of a finding, oldest first."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(finding_status)
                    .where(finding_status.c.finding_key == key)
                    .order_by(finding_status.c.entry_id)
                )
                .mappings()
                .all()
            )
        return [_entry(r) for r in rows]

    def current(self, keys: Iterable[str] | None = None) -> dict[str, Entry]:
        """The latest entry of each finding (of some keys, or all)."""
        last = (
            select(func.max(finding_status.c.entry_id).label("entry_id"))
            .group_by(finding_status.c.finding_key)
            .subquery()
        )
        stmt = select(finding_status).join(last, last.c.entry_id == finding_status.c.entry_id)
        wanted = None if keys is None else set(keys)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        out = {}
        for r in rows:
            if wanted is None or r["finding_key"] in wanted:
                out[r["finding_key"]] = _entry(r)
        return out


def _entry(r: Mapping[str, Any]) -> Entry:
    return Entry(
        r["finding_key"], r["center_id"], r["status"], r["comment"], r["username"], r["at"]
    )


@dataclass(frozen=True)
class FindingState:
    """A finding as a monitor works it: its status, age and whether it came back."""

    status: str
    comment: str | None
    by: str | None
    age_days: int
    reopened: bool


def first_seen(cut_findings: Sequence[tuple[dt.date, Iterable[str]]]) -> dict[str, dt.date]:
    """The data date of the first cut each finding key appears in."""
    out: dict[str, dt.date] = {}
    for when, keys in sorted(cut_findings, key=lambda c: c[0]):
        for k in keys:
            out.setdefault(k, when)
    return out


def states(
    keys: Iterable[str],
    current: Mapping[str, Entry],
    seen: Mapping[str, dt.date],
    latest_cut: tuple[dt.datetime, Iterable[str]] | None,
    today: dt.date,
) -> dict[str, FindingState]:
    """Status, age (days since first seen, else 0) and re-opened flag of each finding now."""
    latest_keys = set(latest_cut[1]) if latest_cut else set()
    out = {}
    for k in keys:
        e = current.get(k)
        status = e.status if e else "open"
        reopened = bool(
            e
            and e.status in DONE
            and latest_cut is not None
            and latest_cut[0] > e.at
            and k in latest_keys
        )
        first = seen.get(k, today)
        out[k] = FindingState(
            "reopened" if reopened else status,
            e.comment if e else None,
            e.username if e else None,
            max((today - first).days, 0),
            reopened,
        )
    return out


@dataclass(frozen=True)
class CenterWork:
    """Per center: findings still to work, their median and largest age."""

    open: int
    median_age: float | None
    oldest: int | None


def by_center(
    found: Iterable[Mapping[str, Any]], state: Mapping[str, FindingState]
) -> dict[str, CenterWork]:
    """Open (not closed, not judged no issue; re-opened counts) findings per center."""
    ages: dict[str, list[int]] = {}
    for f in found:
        s = state.get(f["key"])
        if s is None or s.status in DONE:
            continue
        ages.setdefault(str(f["center_id"]), []).append(s.age_days)
    return {
        c: CenterWork(len(a), float(statistics.median(a)) if a else None, max(a) if a else None)
        for c, a in ages.items()
    }

"""Data cuts: what the data said at each import, to say what changed since then.

Cuts live in the app's own store (never the trial database); "since" is a meeting, a
monitoring visit.

A cut holds who made it and when, from which files (their checksums), the data date, the page
models of the default views (`summary --json` for every center together and for each center)
and a record snapshot (keys and the values a monitor asks about: data_access/queries/snapshot),
compressed: kilobytes, not a copy of the database. The store takes plain data (the caller,
dashboard/summary.py, computes the summaries and the snapshot): it depends on nothing above it.

    python -m dashboard cuts list
    python -m dashboard cuts show CUT
    python -m dashboard cuts label CUT "Steering committee 2026-11"
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, Integer, LargeBinary, Table, Text, select, update

from dashboard.auth import user_metadata

cut_table = Table(
    "data_cuts",
    user_metadata,
    Column("cut_id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Text),
    Column("source", Text),
    Column("files", Text),  # JSON: file name -> sha256
    Column("data_as_of", Text, nullable=False),
    Column("label", Text),
    Column("summary", LargeBinary, nullable=False),  # zlib(JSON): scope -> summary models
    Column("snapshot", LargeBinary, nullable=False),  # zlib(JSON): record snapshot
)
ALL = "all"


def _pack(obj: Any) -> bytes:
    return zlib.compress(json.dumps(obj, default=str, ensure_ascii=False).encode(), 9)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode())


def file_checksums(folder: str | Path | None) -> dict[str, str]:
    """sha256 of every file of an import's folder."""
    if not folder:
        return {}
    base = Path(folder)
    if not base.is_dir():
        return {}
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(base.iterdir())
        if p.is_file()
    }


@dataclass(frozen=True)
class Cut:
    """One data cut (without its models and snapshot, which load on demand)."""

    cut_id: int
    created_at: dt.datetime
    created_by: str | None
    source: str | None
    files: dict[str, str]
    data_as_of: dt.date
    label: str | None

    def name(self) -> str:
        """How a person names it: its label, else its data date."""
        return self.label or self.data_as_of.isoformat()


def _cut(r: Mapping[str, Any]) -> Cut:
    return Cut(
        cut_id=int(r["cut_id"]),
        created_at=r["created_at"],
        created_by=r["created_by"],
        source=r["source"],
        files=json.loads(r["files"] or "{}"),
        data_as_of=dt.date.fromisoformat(r["data_as_of"]),
        label=r["label"],
    )


class CutStore:
    """The cuts of the app's store (the same database as its users and audit trail)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        user_metadata.create_all(engine)

    def add(
        self,
        data_as_of: dt.date,
        summaries: Mapping[str, Any],
        snapshot: Mapping[str, Any],
        source: str | None = None,
        files: Mapping[str, str] | None = None,
        created_by: str | None = None,
        label: str | None = None,
    ) -> int:
        """Keep a cut; its id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                cut_table.insert().values(
                    created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    created_by=created_by,
                    source=source,
                    files=json.dumps(dict(files or {})),
                    data_as_of=data_as_of.isoformat(),
                    label=label,
                    summary=_pack(summaries),
                    snapshot=_pack(snapshot),
                )
            )
            return int(result.inserted_primary_key[0])

    def list(self) -> list[Cut]:
        """Every cut, oldest first."""
        cols = [c for c in cut_table.c if c.name not in ("summary", "snapshot")]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols).order_by(cut_table.c.cut_id)).mappings().all()
        return [_cut(r) for r in rows]

    def get(self, cut_id: int) -> Cut | None:
        """One cut by id."""
        return next((c for c in self.list() if c.cut_id == cut_id), None)

    def resolve(self, ref: str | None) -> Cut | None:
        """A cut from what a URL or the CLI says.

        Its id, 'last' (the latest labelled cut: the last meeting) or 'previous' (the one
        before the latest).
        """
        if not ref:
            return None
        every = self.list()
        if ref == "last":
            labelled = [c for c in every if c.label]
            return labelled[-1] if labelled else None
        if ref == "previous":
            return every[-2] if len(every) >= 2 else None
        try:
            return self.get(int(ref))
        except ValueError:
            return None

    def label(self, cut_id: int, label: str) -> bool:
        """Name a cut (e.g. the meeting it was shown at)."""
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    update(cut_table).where(cut_table.c.cut_id == cut_id).values(label=label)
                ).rowcount
                > 0
            )

    def summaries(self, cut_id: int) -> dict[str, Any]:
        """The page models kept with a cut: scope ('all' or a center code) -> summary."""
        return self._blob(cut_id, "summary")

    def snapshot(self, cut_id: int) -> dict[str, Any]:
        """The record snapshot kept with a cut."""
        return self._blob(cut_id, "snapshot")

    def _blob(self, cut_id: int, column: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            blob = conn.execute(
                select(cut_table.c[column]).where(cut_table.c.cut_id == cut_id)
            ).scalar_one_or_none()
        return _unpack(blob) if blob else {}

    def size(self, cut_id: int) -> int:
        """Bytes the cut takes in the store."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(cut_table.c.summary, cut_table.c.snapshot).where(
                    cut_table.c.cut_id == cut_id
                )
            ).first()
        return 0 if row is None else len(row[0]) + len(row[1])


def store_of(settings: Any) -> CutStore:
    """The cut store of a configuration (the app's own store)."""
    from dashboard.auth import UserStore

    return CutStore(UserStore(settings.resolved_users_db_url).engine)


def usable(cut: Cut | None, as_of: dt.date) -> bool:
    """A cut a view as of a date may compare with: not newer than the view's data."""
    return cut is not None and cut.data_as_of <= as_of


def since_summary(
    store: CutStore,
    cut: Cut,
    summary: dict[str, Any],
    snapshot_now: Mapping[str, Any],
    centers: Sequence[str],
    all_centers: bool,
    identifiers: bool = True,
) -> dict[str, Any]:
    """A summary with `_change` beside its headline counts and the `changes` listing.

    The changes of counts need the cut's summary of the same view: every center, or one.
    """
    scope = ALL if all_centers else (centers[0] if len(centers) == 1 else None)
    then = store.summaries(cut.cut_id).get(scope) if scope else None
    if then is not None:
        add_changes(summary, then)
    listing = compare(cut, store.snapshot(cut.cut_id), snapshot_now, centers)
    summary["changes"] = listing.to_json(identifiers)
    if then is None:
        summary["changes"]["note"] = "count changes are kept for every center and each center"
    return summary


# --- What changed ------------------------------------------------------------------------------

# Headline counts that get a `<name>_change` beside them in `summary --json --since`.
HEADLINE_COUNTS: tuple[tuple[str, ...], ...] = (
    ("recruitment", "overall", "screened"),
    ("recruitment", "overall", "randomized"),
    ("recruitment", "by_center", "*", "screened"),
    ("recruitment", "by_center", "*", "randomized"),
    ("visits", "overall", "done"),
    ("visits", "overall", "missed"),
    ("visits", "overall", "due"),
    ("visits", "by_center", "*", "done"),
    ("visits", "by_center", "*", "missed"),
    ("visits", "by_center", "*", "due"),
    ("safety", "total", "any_ae"),
    ("safety", "total", "grade3plus"),
    ("safety", "total", "serious"),
    ("safety", "total", "fatal"),
    ("safety", "by_arm", "*", "any_ae"),
    ("safety", "by_arm", "*", "grade3plus"),
    ("safety", "by_arm", "*", "serious"),
    ("safety", "by_arm", "*", "fatal"),
    ("data_quality", "total"),
    ("data_quality", "by_category", "*"),
    ("data_quality", "by_center", "*", "*"),
)


def _walk(node: Any, path: Sequence[str]) -> list[tuple[list[Any], Any]]:
    """(containers, key) pairs a path with '*' wildcards reaches."""
    if not path or not isinstance(node, dict):
        return []
    head, rest = path[0], path[1:]
    keys = list(node) if head == "*" else [head]
    out: list[tuple[list[Any], Any]] = []
    for k in keys:
        if k not in node:
            continue
        if not rest:
            out.append(([node], k))
        else:
            out += _walk(node[k], rest)
    return out


def add_changes(now: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """`now` with `<count>_change` = now - then beside each headline count both carry."""
    for path in HEADLINE_COUNTS:
        for (container,), key in _walk(now, path):
            old_container = then
            # Follow the same concrete path in `then`.
            trail = _trail(now, container, key)
            for step in trail:
                old_container = (
                    old_container.get(step, {}) if isinstance(old_container, dict) else {}
                )
            value, old = container.get(key), (old_container or {}).get(key)
            if (
                isinstance(value, int | float)
                and isinstance(old, int | float)
                and not isinstance(value, bool)
            ):
                container[f"{key}_change"] = value - old
    return now


def _trail(root: dict[str, Any], target: dict[str, Any], key: Any) -> list[Any]:
    """The keys leading from root to the dict `target` (depth-first)."""

    def find(node: Any, path: list[Any]) -> list[Any] | None:
        if node is target:
            return path
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, dict):
                    got = find(v, [*path, k])
                    if got is not None:
                        return got
        return None

    return find(root, []) or []


@dataclass
class Changes:
    """What changed between a cut and now, for the centers a user may see."""

    since: Cut
    newly_randomized: list[dict[str, Any]] = field(default_factory=list)
    new_serious: list[dict[str, Any]] = field(default_factory=list)
    new_grade3plus: list[dict[str, Any]] = field(default_factory=list)
    deaths: list[dict[str, Any]] = field(default_factory=list)
    newly_missed: list[dict[str, Any]] = field(default_factory=list)
    new_findings: list[dict[str, Any]] = field(default_factory=list)
    resolved_findings: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)

    SECTIONS = (
        "newly_randomized",
        "new_serious",
        "new_grade3plus",
        "deaths",
        "newly_missed",
        "new_findings",
        "resolved_findings",
        "corrections",
    )

    def counts(self) -> dict[str, int]:
        """How many of each (what the committee sees)."""
        return {s: len(getattr(self, s)) for s in self.SECTIONS}

    def to_json(self, identifiers: bool = True) -> dict[str, Any]:
        """The listing (or counts only, without identifiers)."""
        out: dict[str, Any] = {
            "since": {"cut": self.since.cut_id, "name": self.since.name()},
            "counts": self.counts(),
        }
        if identifiers:
            for s in self.SECTIONS:
                out[s] = getattr(self, s)
        return out


CORRECTED_FIELDS = {
    "subjects": (
        "arm",
        "randomized_on",
        "off_study_on",
        "off_study_reason",
        "eligible",
        "age_years",
        "baseline_nrs",
    ),
    "assessments": ("assessed_on", "nrs", "pafi", "omed_mg"),
    "adverse_events": ("term", "onset_on", "grade", "serious", "outcome", "resolved_on"),
}


# Outcomes of an AE still going on: its later outcome is follow-up, not a correction.
ONGOING = ("recovering", "not_recovered", "unknown")


def compare(
    since: Cut, then: Mapping[str, Any], now: Mapping[str, Any], centers: Sequence[str]
) -> Changes:
    """The change listing between two snapshots, restricted to some centers."""
    keep = set(centers)
    ch = Changes(since)
    subj_now, subj_then = now.get("subjects", {}), then.get("subjects", {})

    def center_of(sid: str) -> str | None:
        s = subj_now.get(sid) or subj_then.get(sid) or {}
        return s.get("center_id")

    for sid, s in sorted(subj_now.items()):
        if s.get("center_id") not in keep:
            continue
        before = subj_then.get(sid, {})
        if s.get("randomized_on") and not before.get("randomized_on"):
            ch.newly_randomized.append(
                {
                    "subject_id": sid,
                    "center_id": s["center_id"],
                    "arm": s.get("arm"),
                    "randomized_on": s["randomized_on"],
                }
            )
        if s.get("off_study_reason") == "died" and before.get("off_study_reason") != "died":
            ch.deaths.append(
                {"subject_id": sid, "center_id": s["center_id"], "on": s.get("off_study_on")}
            )
    ae_now, ae_then = now.get("adverse_events", {}), then.get("adverse_events", {})
    for key, e in sorted(ae_now.items(), key=lambda kv: (kv[1]["subject_id"], kv[0])):
        if center_of(e["subject_id"]) not in keep:
            continue
        old = ae_then.get(key)
        row = {
            "subject_id": e["subject_id"],
            "center_id": center_of(e["subject_id"]),
            "term": e["term"],
            "grade": e["grade"],
            "onset_on": e["onset_on"],
        }
        if e.get("serious") and not (old and old.get("serious")):
            ch.new_serious.append(row)
        grade = e.get("grade") or 0
        if 3 <= grade <= 5 and not (old and 3 <= (old.get("grade") or 0) <= 5):
            ch.new_grade3plus.append(row)
    for key, m in sorted(now.get("missed", {}).items()):
        if m.get("center_id") in keep and key not in then.get("missed", {}):
            ch.newly_missed.append(
                {
                    "subject_id": m["subject_id"],
                    "center_id": m["center_id"],
                    "visit_code": m["visit_code"],
                    "closed_on": m.get("closes_on"),
                }
            )
    f_now, f_then = now.get("findings", {}), then.get("findings", {})
    for key, f in sorted(f_now.items()):
        if key not in f_then and f.get("center_id") in keep:
            ch.new_findings.append({"key": key, **f})
    for key, f in sorted(f_then.items()):
        if key not in f_now and f.get("center_id") in keep:
            ch.resolved_findings.append({"key": key, **f})
    for table, fields in CORRECTED_FIELDS.items():
        old_rows, new_rows = then.get(table, {}), now.get(table, {})
        for key, new in sorted(new_rows.items()):
            old = old_rows.get(key)
            if old is None:
                continue
            sid = key if table == "subjects" else new.get("subject_id") or key.split("|")[0]
            if center_of(sid) not in keep:
                continue
            for fld in fields:
                # A correction changes a value already reported (a first value is new data,
                # and so is the outcome of an event that was still going on).
                if fld == "outcome" and old.get(fld) in ONGOING:
                    continue
                if old.get(fld) is not None and old.get(fld) != new.get(fld):
                    ch.corrections.append(
                        {
                            "subject_id": sid,
                            "center_id": center_of(sid),
                            "table": table,
                            "record": key,
                            "field": fld,
                            "old": old.get(fld),
                            "new": new.get(fld),
                        }
                    )
    return ch

"""What an import read, imported and skipped, per source, and what it would change.

Every record of every source ends in exactly one bucket: imported, skipped (it should have been
imported but cannot be: counted against the skip threshold) or not used (outside what the
mapping imports, e.g. another questionnaire or an unscheduled visit, counted and reported).
Reasons are grouped with a few examples each, never hundreds of lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

EXAMPLES = 3
DEFAULT_MAX_SKIP_SHARE = 0.01


@dataclass
class SourceCount:
    """One source (an SDTM domain or a CSV file)."""

    read: int = 0
    imported: int = 0
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    not_used: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    imputed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    fallback: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)  # about a file with no records to count

    @property
    def skipped_n(self) -> int:
        """Records skipped, whatever the reason."""
        return sum(len(v) for v in self.skipped.values())

    @property
    def not_used_n(self) -> int:
        """Records outside what the mapping imports."""
        return sum(len(v) for v in self.not_used.values())

    @property
    def skip_share(self) -> float:
        """Skipped among the records that should have been imported."""
        relevant = self.read - self.not_used_n
        return self.skipped_n / relevant if relevant else 0.0


@dataclass
class Reconciliation:
    """Per source: read / imported / skipped (by reason) / not used / imputed."""

    sources: dict[str, SourceCount] = field(default_factory=dict)

    def source(self, name: str) -> SourceCount:
        """The counts of a source (created on first use)."""
        return self.sources.setdefault(name, SourceCount())

    def read(self, name: str, n: int) -> None:
        """Record how many records a source holds."""
        self.source(name).read = n

    def imported(self, name: str, n: int = 1) -> None:
        """Count records that made it into the database."""
        self.source(name).imported += n

    def skip(self, name: str, reason: str, example: str) -> None:
        """A record that should have been imported but cannot be."""
        self.source(name).skipped[reason].append(example)

    def not_used(self, name: str, reason: str, example: str) -> None:
        """A record outside what the mapping imports."""
        self.source(name).not_used[reason].append(example)

    def unused_file(self, name: str, rows: int | None, reason: str) -> None:
        """A whole file the import does not map: its rows (when countable), not used."""
        self.read(name, rows or 0)
        if rows:
            self.source(name).not_used[reason] += [""] * rows
        else:
            self.source(name).notes.append(reason)

    def impute(self, name: str, reason: str, example: str) -> None:
        """A value completed by a stated rule (the record is imported)."""
        self.source(name).imputed[reason].append(example)

    def fallback(self, name: str, reason: str, example: str) -> None:
        """A value taken from a later source of the mapping's list (the first had none)."""
        self.source(name).fallback[reason].append(example)

    def over_threshold(self, max_share: float) -> list[str]:
        """Sources whose skipped share exceeds the threshold, said in words."""
        out = []
        for name, c in self.sources.items():
            if c.skipped_n and c.skip_share > max_share:
                out.append(
                    f"{name}: {c.skipped_n:,} of {c.read - c.not_used_n:,} records "
                    f"({c.skip_share:.1%}) would be skipped, more than {max_share:.1%}"
                )
        return out

    def lines(self) -> list[str]:
        """The reconciliation as text: a table, then reasons with a few examples each."""
        out = [f"{'source':<20}{'read':>8}{'imported':>10}{'skipped':>9}{'not used':>10}"]
        for name, c in self.sources.items():
            out.append(
                f"{name:<20}{c.read:>8,}{c.imported:>10,}{c.skipped_n:>9,}{c.not_used_n:>10,}"
            )
        titles = {
            "skipped": "Skipped",
            "not_used": "Not used",
            "imputed": "Imputed",
            "fallback": "From a fallback source",
        }
        for kind, title in titles.items():
            for name, c in self.sources.items():
                for reason, examples in getattr(c, kind).items():
                    named = [e for e in examples if e]
                    if not named:  # a whole file: its count says it all
                        out.append(f"{title} {name}: {reason}: {len(examples):,}")
                        continue
                    shown = "; ".join(named[:EXAMPLES])
                    more = (
                        f"; {len(examples) - EXAMPLES:,} more" if len(examples) > EXAMPLES else ""
                    )
                    out.append(f"{title} {name}: {reason}: {len(examples):,} (e.g. {shown}{more})")
        for name, c in self.sources.items():
            out += [f"File {name}: {note}" for note in c.notes]
        return out


# --- What an import would change ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Added / removed / changed records of one kind, per center and arm."""

    kind: str
    center: str
    arm: str
    added: int
    removed: int
    changed: int


def _key_frame(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    if df is None or df.empty:
        return pd.DataFrame(columns=[*key, "_n", "_row"])
    out = df.copy()
    for c in out.columns:
        out[c] = out[c].map(_norm)
    # Same key twice (two identical AEs on a day): number them so each is its own record.
    out["_n"] = out.groupby(key, dropna=False).cumcount()
    out["_row"] = out.drop(columns=["_n"]).astype(str).agg("|".join, axis=1)
    return out


def _norm(v: Any) -> Any:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


KINDS: dict[str, list[str]] = {
    "subjects": ["subject_id"],
    "randomized": ["subject_id"],
    "visits": ["subject_id", "visit_code"],
    "adverse_events": ["subject_id", "term", "onset_on"],
}


def changes(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> tuple[Change, ...]:
    """What replacing `old` tables by `new` ones adds, removes and changes, by center and arm.

    Subjects by subject_id, randomized subjects (those with a randomization date), visits by
    subject and visit code, AEs by subject, term and onset (identical ones counted apart).
    Center and arm are the new record's, else the old one's.
    """

    def tables(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        subj = t.get("subjects", pd.DataFrame(columns=["subject_id"]))
        rand = subj[subj["randomized_on"].notna()] if "randomized_on" in subj else subj
        return {
            "subjects": subj,
            "randomized": rand,
            "visits": t.get("assessments", pd.DataFrame(columns=["subject_id", "visit_code"])),
            "adverse_events": t.get(
                "adverse_events", pd.DataFrame(columns=["subject_id", "term", "onset_on"])
            ),
        }

    def where(subj: pd.DataFrame) -> dict[str, tuple[str, str]]:
        if subj.empty:
            return {}
        return {
            str(r.subject_id): (str(r.center_id), str(_norm(r.arm) or "–"))
            for r in subj.itertuples()
        }

    home = {
        **where(old.get("subjects", pd.DataFrame())),
        **where(new.get("subjects", pd.DataFrame())),
    }
    a, b = tables(old), tables(new)
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, key in KINDS.items():
        before, after = _key_frame(a[kind], key), _key_frame(b[kind], key)
        k = [*key, "_n"]
        merged = before[[*k, "_row"]].merge(
            after[[*k, "_row"]], on=k, how="outer", suffixes=("_old", "_new"), indicator=True
        )
        for d in merged.to_dict("records"):
            center, arm = home.get(str(d["subject_id"]), ("?", "–"))
            slot = counts[(kind, center, arm)]
            if d["_merge"] == "right_only":
                slot[0] += 1
            elif d["_merge"] == "left_only":
                slot[1] += 1
            elif d["_row_old"] != d["_row_new"]:
                slot[2] += 1
    return tuple(
        Change(kind, center, arm, *v) for (kind, center, arm), v in sorted(counts.items()) if any(v)
    )


CHANGE_ROWS = 20


def change_lines(found: tuple[Change, ...], limit: int = CHANGE_ROWS) -> list[str]:
    """The changes as text: totals per kind, then the center x arm rows that changed most.

    Removals first, at most `limit` rows.
    """
    if not found:
        return ["No change: the database already holds exactly these records."]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for c in found:
        t = totals[c.kind]
        t[0] += c.added
        t[1] += c.removed
        t[2] += c.changed
    head = f"{'records':<16}{'center':<10}{'arm':<16}{'added':>8}{'removed':>9}{'changed':>9}"
    out = [head]
    for kind in KINDS:
        if kind in totals:
            ad, rm, ch = totals[kind]
            out.append(f"{kind:<16}{'all':<10}{'all':<16}{ad:>8,}{rm:>9,}{ch:>9,}")
    ranked = sorted(found, key=lambda c: (-c.removed, -c.changed, -c.added, c.kind, c.center))
    for c in ranked[:limit]:
        out.append(
            f"{c.kind:<16}{c.center:<10}{c.arm:<16}{c.added:>8,}{c.removed:>9,}{c.changed:>9,}"
        )
    if len(ranked) > limit:
        out.append(f"... {len(ranked) - limit:,} more center x arm rows with smaller changes")
    return out


def removal_share(found: tuple[Change, ...], old: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Per kind, the share of the current records the import would remove."""
    before = {
        "randomized": int(old["subjects"]["randomized_on"].notna().sum())
        if "subjects" in old and "randomized_on" in old["subjects"]
        else 0,
        "adverse_events": len(old.get("adverse_events", ())),
        "visits": len(old.get("assessments", ())),
    }
    out = {}
    for kind, n in before.items():
        removed = sum(c.removed for c in found if c.kind == kind)
        if n:
            out[kind] = removed / n
    return out

"""The demo trial with a history: data cuts month by month up to its data date.

One trial (data_access.demo: its whole course generated once, cut at each date), so each
month's cut extends the one before and What changed has real changes to show on a fresh
`make run`: the subjects randomized since, new SAEs, newly missed visits, new and resolved
findings, and the few corrections the demo plants. The last cut before the data date is
labelled "Steering committee YYYY-MM" (the meeting What changed compares with by default).
A later `demo --as-of` adds the months since the newest cut the store has.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from dashboard.cuts import CutStore
from dashboard.protocol import Protocol
from dashboard.summary import keep_cut
from data_access.demo import DemoTrial, cut_trial, full_demo_trial, write_demo_database
from data_access.engine import dispose_engines
from data_access.queries import TrialDb

MONTHS = 12


def monthly_dates(as_of: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The same day of each of the `months` months before the data date, oldest first."""
    out = []
    for back in range(months, 0, -1):
        y, m = divmod(as_of.year * 12 + as_of.month - 1 - back, 12)
        day = min(as_of.day, 28)
        out.append(dt.date(y, m + 1, day))
    return out


def build_demo(
    url: str,
    store: CutStore,
    protocol: Protocol,
    as_of: dt.date,
    seed: int,
    scale: float = 1.0,
    months: int = MONTHS,
    created_by: str = "demo",
) -> DemoTrial:
    """Write the demo at its data date and keep its monthly cuts (those the store lacks)."""
    full = full_demo_trial(seed, scale)
    newest = max((c.data_as_of for c in store.list()), default=None)
    history = [d for d in monthly_dates(as_of, months) if newest is None or d > newest]
    with tempfile.TemporaryDirectory() as tmp:
        for i, day in enumerate(history):
            path = Path(tmp) / f"cut-{day}.sqlite"
            write_demo_database(f"sqlite:///{path}", cut_trial(full, day), scale)
            label = f"Steering committee {day:%Y-%m}" if i == len(history) - 1 else None
            db = TrialDb(f"sqlite:///{path}", 60_000, 100_000_000)
            keep_cut(store, db, protocol, day, "demo", None, created_by, label)
            dispose_engines()
            os.unlink(path)
    trial = cut_trial(full, as_of)
    write_demo_database(url, trial, scale)
    keep_cut(store, TrialDb(url, 60_000, 100_000_000), protocol, as_of, "demo", None, created_by)
    return trial

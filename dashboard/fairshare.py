"""Fair share: one account cannot take every thread of the server.

A page that is not in the cache is computed for a while (hundreds of milliseconds on a large
trial). An account asking for many distinct views at once (32 tabs, a script) would fill every
thread of every worker, and everyone else, /healthz included, would wait behind it. So each
process lets an account compute at most `limit` pages at a time; a request beyond that is not
queued (a waiting request holds a thread too) but answered at once, with a message, and
computed when asked again. Cached pages never reach the limit (nothing is computed).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager


class Busy(Exception):
    """The account already has its share of pages being computed in this process."""


class FairShare:
    """Per-account counts of pages being computed in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._active: dict[str, int] = defaultdict(int)

    @contextmanager
    def slot(self, who: str) -> Iterator[None]:
        """Hold one of the account's slots while computing; Busy when none is free."""
        with self._lock:
            if self._active[who] >= self.limit:
                raise Busy(who)
            self._active[who] += 1
        try:
            yield
        finally:
            with self._lock:
                self._active[who] -= 1
                if self._active[who] <= 0:
                    del self._active[who]

    def active(self, who: str) -> int:
        """Pages the account has being computed now (in this process)."""
        with self._lock:
            return self._active.get(who, 0)

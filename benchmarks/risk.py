"""The Center risk page: how long its model takes, beside the SQL it cannot avoid.

    python -m benchmarks.risk [--scale 1] [--db URL --protocol FILE] [--reps 5]

Builds the demo at `--scale` (or reads `--db` with its `--protocol`), then times, in one run:
- the page model the first time for a data version (every input computed: the pages' own models
  of the whole trial, the time-on-study query, the scores), and again (inputs cached);
- its peer: one raw SQL statement that computes the same per-center time on study and event
  counts (no scoring, no page models).
Medians of `--reps`; the machine's load makes absolute numbers noisy, compare the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

PEER = """
SELECT s.center_id, COUNT(*),
       SUM(julianday(COALESCE(CASE WHEN s.off_study_on <= :d THEN s.off_study_on END, :d))
           - julianday(s.randomized_on)),
       SUM(COALESCE(e.n, 0)), SUM(COALESCE(e.sae, 0))
FROM subjects s
LEFT JOIN (SELECT subject_id, COUNT(*) AS n, SUM(serious) AS sae FROM adverse_events
           WHERE COALESCE(reported_on, onset_on) <= :d GROUP BY subject_id) e
  ON e.subject_id = s.subject_id
WHERE s.randomized_on <= :d
GROUP BY s.center_id
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--db")
    p.add_argument("--protocol")
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()

    from app import create_app
    from dashboard.cache import EXTENSION
    from dashboard.config import Settings
    from dashboard.protocol import load_protocol
    from dashboard.scope import full_scope
    from dashboard.services import risk_page_model
    from data_access.demo import create_demo_database
    from data_access.queries.core import TrialDb, trial_as_of

    with tempfile.TemporaryDirectory() as tmp:
        url = a.db or f"sqlite:///{Path(tmp) / 'demo.sqlite'}"
        if not a.db:
            create_demo_database(url, scale=a.scale)
        protocol = load_protocol(a.protocol)
        db = TrialDb(url)
        as_of = trial_as_of(db)
        assert as_of is not None
        _, info = full_scope(protocol.center_codes, protocol.arm_codes, as_of)
        first, again, peer = [], [], []
        engine = create_engine(url)
        settings = Settings(
            instance_dir=Path(tmp),
            db_url=url,
            secret_key="bench",
            protocol_file=Path(a.protocol) if a.protocol else None,
        )
        server = create_app(settings).server
        context = server.app_context()
        context.push()  # the app's cache: "again" reads the cached inputs, as a page would
        cache = server.extensions[EXTENSION]
        for _ in range(a.reps):
            cache.clear()
            t = time.perf_counter()
            risk_page_model(db, protocol, info)
            first.append(time.perf_counter() - t)
            t = time.perf_counter()
            risk_page_model(db, protocol, info)
            again.append(time.perf_counter() - t)
            t = time.perf_counter()
            with engine.connect() as conn:
                conn.execute(text(PEER), {"d": as_of.isoformat()}).fetchall()
            peer.append(time.perf_counter() - t)
        engine.dispose()
        context.pop()

        def ms(xs: list[float]) -> str:
            return f"{statistics.median(xs) * 1000:.0f} ms"

        print(
            f"{url.rsplit('/', 1)[-1]} ({len(protocol.center_codes)} centers, as of {as_of}): "
            f"risk model first {ms(first)}, again {ms(again)}; peer (raw SQL of time on "
            f"study and AE counts per center) {ms(peer)}"
        )


if __name__ == "__main__":
    main()

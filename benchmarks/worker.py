"""One benchmark worker: a fresh process serving one database, measured page by page.

Prints one JSON line per page and, at the end, the worker's peak memory:
- cold: the page's callback through the real Flask app with an empty cache (the first view
  after a data change: every query, model, figure and layout computed once), median and p95;
- sql: the time spent in the database during a cold request (every query of the page);
- peer: the raw SQL of the page's headline aggregate (captured from the page's own query and
  replayed through the bare database driver, fully fetched): what the database alone needs;
- view: a filtered view nobody asked for before, with the data-version aggregates already
  computed (what a PI changing the centers or arms waits for once the server is warm);
- warm: the same request answered from the cache;
- kb / kb_br: the response's JSON size, and brotli-compressed as the server sends it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")
SQL_SECONDS = [0.0]


def _time_queries() -> None:
    """Count the time every query spends in the database (execute and fetch)."""
    from data_access.queries import core

    inner = core.read_connection

    @contextmanager
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        t = time.perf_counter()
        try:
            with inner(*args, **kwargs) as conn:
                yield conn
        finally:
            SQL_SECONDS[0] += time.perf_counter() - t

    core.read_connection = timed


def headline_queries() -> dict[str, Callable[[Any, Any, dt.date], object]]:
    """The query behind each page's headline aggregate."""
    from dashboard.services import arm_rule, check_rules, planned_visits
    from data_access.queries import checks as cq
    from data_access.queries import outcomes as oq
    from data_access.queries import recruitment as rq
    from data_access.queries import safety as sq
    from data_access.queries import visits as vq

    def rules(db: Any, p: Any) -> Any:
        return check_rules(p, cq.treated_level_values(db))

    return {
        "/": lambda db, p, d: rq.recruitment_counts(db, p.center_codes, d),
        "/randomization": lambda db, p, d: rq.recruitment_counts(db, p.center_codes, d),
        "/visits": lambda db, p, d: vq.state_counts(
            db, p.center_codes, d, arm_rule(p), planned_visits(p)
        ),
        "/pain": lambda db, p, d: oq.value_counts(
            db, p.center_codes, d, p.visits_collecting("nrs")
        ),
        "/local-control": lambda db, p, d: oq.mda_counts(
            db, p.center_codes, d, p.visits_collecting("imaging")
        ),
        "/safety": lambda db, p, d: sq.worst_by_term(db, p.center_codes, d, arm_rule(p)),
        "/data-quality": lambda db, p, d: cq.finding_counts(db, rules(db, p), d),
    }


def _captured_sql(url: str, run: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements (and parameters) a call sends to the database."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen: list[tuple[str, Any]] = []

    def listen(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        run()
    finally:
        event.remove(Engine, "before_cursor_execute", listen)
    return seen


def _raw_time(url: str, statements: list[tuple[str, Any]], reps: int) -> float:
    """Median seconds to run the statements through the bare driver and fetch every row."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        import sqlite3

        conn: Any = sqlite3.connect(f"file:{u.database}?mode=ro", uri=True)
    else:
        import psycopg

        conn = psycopg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False))
    times = []
    try:
        for _ in range(reps + 1):
            t = time.perf_counter()
            for sql, params in statements:
                cur = conn.cursor()
                cur.execute(sql, params)
                cur.fetchall()
            times.append(time.perf_counter() - t)
    finally:
        conn.close()
    return statistics.median(times[1:])


def _client(db: str, instance: Path, cache: bool) -> tuple[Any, Any]:
    from app import create_app
    from dashboard.auth import UserStore
    from dashboard.config import Settings
    from tests.pages.helpers import login

    settings = Settings(
        db_url=db,
        instance_dir=instance,
        secret_key="bench",
        cache_type="auto" if cache else "none",
        warm_cache=False,
        login_failure_delay_ms=0,
        row_cap=5_000_000,
        query_timeout_ms=60_000,
    )
    UserStore(settings.resolved_users_db_url).add("bench", "bench-password", "pi")
    app = create_app(settings)
    return app, login(app.server.test_client(), "bench", "bench-password")


def _clear(app: Any) -> None:
    from dashboard.cache import EXTENSION

    app.server.extensions[EXTENSION].clear()


def _request(app: Any, client: Any, path: str, search: str = "") -> tuple[float, float, int, int]:
    from tests.pages.helpers import find_callback

    key, spec = find_callback(app, "shell-page.children")
    outputs = [
        {"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
        for p in key.strip(".").split("...")
    ]
    inputs = [
        {
            "id": i["id"],
            "property": i["property"],
            "value": {"pathname": path, "search": search}.get(i["property"]),
        }
        for i in spec["inputs"]
    ]
    body = json.dumps(
        {
            "output": key,
            "outputs": outputs,
            "inputs": inputs,
            "state": [
                {"id": i["id"], "property": i["property"], "value": None}
                for i in spec.get("state", [])
            ],
            "changedPropIds": ["shell-url.pathname"],
        }
    )
    SQL_SECONDS[0] = 0.0
    t = time.perf_counter()
    resp = client.post(
        "/_dash-update-component",
        data=body,
        content_type="application/json",
        headers={"Accept-Encoding": "br"},
    )
    elapsed = time.perf_counter() - t
    if resp.status_code != 200 or b"error-state" in resp.data:
        raise RuntimeError(f"{path}: {resp.status_code} {resp.data[:300]!r}")
    import brotli

    raw = (
        brotli.decompress(resp.data) if resp.headers.get("Content-Encoding") == "br" else resp.data
    )
    return elapsed, SQL_SECONDS[0], len(raw), len(resp.data)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--reps", type=int, default=9)
    a = p.parse_args()
    _time_queries()
    from dashboard.config import Settings
    from dashboard.protocol import load_protocol
    from dashboard.services import default_as_of
    from data_access.queries import TrialDb

    protocol = load_protocol()
    db = TrialDb(a.db, timeout_ms=60_000, row_cap=5_000_000)
    as_of = default_as_of(Settings(db_url=a.db, secret_key="bench"), db)
    peers = headline_queries()
    from itertools import combinations

    subsets = [
        c
        for k in range(1, len(protocol.center_codes))
        for c in combinations(protocol.center_codes, k)
    ] or [tuple(protocol.center_codes)]
    arm_sets = [""] + [f"&arm={a}" for a in protocol.arm_codes]
    views = [f"?center={','.join(c)}{a}" for a in arm_sets for c in subsets]
    with tempfile.TemporaryDirectory() as tmp:
        cold_app, cold = _client(a.db, Path(tmp) / "cold", cache=True)
        warm_app, warm = _client(a.db, Path(tmp) / "warm", cache=True)
        for path in PAGES:
            _request(cold_app, cold, path)  # imports and connections, not measured
            runs = []
            for _ in range(a.reps):
                _clear(cold_app)  # a first view: nothing computed yet for this data version
                runs.append(_request(cold_app, cold, path))
            _request(warm_app, warm, path)  # fills the cache
            hits = [_request(warm_app, warm, path)[0] for _ in range(a.reps)]
            fresh = [
                _request(
                    warm_app, warm, path, views[(PAGES.index(path) * a.reps + i) % len(views)]
                )[0]
                for i in range(a.reps)
            ]
            statements = _captured_sql(a.db, partial(peers[path], db, protocol, as_of))
            peer = _raw_time(a.db, statements, a.reps)
            times = sorted(r[0] for r in runs)
            print(
                json.dumps(
                    {
                        "page": path,
                        "cold_median_ms": statistics.median(times) * 1000,
                        "cold_p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] * 1000,
                        "sql_median_ms": statistics.median(r[1] for r in runs) * 1000,
                        "peer_ms": peer * 1000,
                        "view_median_ms": statistics.median(fresh) * 1000,
                        "warm_median_ms": statistics.median(hits) * 1000,
                        "warm_p95_ms": sorted(hits)[min(len(hits) - 1, int(0.95 * len(hits)))]
                        * 1000,
                        "bytes": runs[0][2],
                        "bytes_br": runs[0][3],
                    }
                ),
                flush=True,
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak_mb}), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()

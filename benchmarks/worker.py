"""One benchmark worker: a fresh process serving one database, measured page by page.

Prints one JSON line per page: cold (no cache) and warm (cached) server time of the page's
callback through the real Flask app, the SQL time behind a cold request, the response size,
and at the end the worker's peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")
SQL_SECONDS = [0.0]


def _time_queries() -> None:
    """Count the time of every query (execute and fetch, typed frame) behind a request."""
    from data_access import queries

    inner = queries.frame  # noqa: SLF001 - the one function every query goes through

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            SQL_SECONDS[0] += time.perf_counter() - t

    queries.frame = timed  # noqa: SLF001


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
        login_failure_delay_ms=0,
        row_cap=5_000_000,
        query_timeout_ms=60_000,
    )
    UserStore(settings.resolved_users_db_url).add("bench", "bench-password", "pi")
    app = create_app(settings)
    return app, login(app.server.test_client(), "bench", "bench-password")


def _request(app: Any, client: Any, path: str) -> tuple[float, float, int]:
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
            "value": {"pathname": path, "search": ""}.get(i["property"]),
        }
        for i in spec["inputs"]
    ]
    body = json.dumps(
        {
            "output": key,
            "outputs": outputs,
            "inputs": inputs,
            "state": [],
            "changedPropIds": ["shell-url.pathname"],
        }
    )
    SQL_SECONDS[0] = 0.0
    t = time.perf_counter()
    resp = client.post("/_dash-update-component", data=body, content_type="application/json")
    elapsed = time.perf_counter() - t
    if resp.status_code != 200 or b"could not be drawn" in resp.data:
        raise RuntimeError(f"{path}: {resp.status_code} {resp.data[:300]!r}")
    return elapsed, SQL_SECONDS[0], len(resp.data)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--reps", type=int, default=9)
    a = p.parse_args()
    _time_queries()
    with tempfile.TemporaryDirectory() as tmp:
        cold_app, cold = _client(a.db, Path(tmp) / "cold", cache=False)
        warm_app, warm = _client(a.db, Path(tmp) / "warm", cache=True)
        for path in PAGES:
            _request(cold_app, cold, path)  # imports and connections, not measured
            runs = [_request(cold_app, cold, path) for _ in range(a.reps)]
            _request(warm_app, warm, path)  # fills the cache
            hits = [_request(warm_app, warm, path)[0] for _ in range(a.reps)]
            times = sorted(r[0] for r in runs)
            print(
                json.dumps(
                    {
                        "page": path,
                        "cold_median_ms": statistics.median(times) * 1000,
                        "cold_p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] * 1000,
                        "sql_median_ms": statistics.median(r[1] for r in runs) * 1000,
                        "warm_median_ms": statistics.median(hits) * 1000,
                        "warm_p95_ms": sorted(hits)[min(len(hits) - 1, int(0.95 * len(hits)))]
                        * 1000,
                        "bytes": runs[0][2],
                    }
                ),
                flush=True,
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak_mb}), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()

"""Bounded load test on loopback: N users sign in and click through every page.

    python -m benchmarks.load [--users 50] [--rounds 2] [--workers 4] [--seconds 120]
                              [--db URL]   # e.g. the 100x file of benchmarks.run

Starts `gunicorn app:server` on 127.0.0.1 from a cold start (an empty cache; the demo trial,
or --db; Redis cache when CACHE_REDIS_URL is set), has every user sign in and click through
every page at once, a fixed number of requests per user with a hard time limit, stops the
server, and prints errors, p50, p95 and throughput. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import threading
import time
from typing import Any

import requests

from benchmarks.server import PAGES, gunicorn_server


def router_body(dep: dict[str, Any], path: str, search: str = "") -> str:
    """The page router's request for a path, built from the app's own callback map."""
    inputs = [
        {
            "id": i["id"],
            "property": i["property"],
            "value": {"pathname": path, "search": search}.get(i["property"]),
        }
        for i in dep["inputs"]
    ]
    return json.dumps(
        {
            "output": dep["output"],
            "outputs": [
                {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                for o in dep["output"].strip(".").split("...")
            ],
            "inputs": inputs,
            "state": [
                {"id": i["id"], "property": i["property"], "value": None}
                for i in dep.get("state", [])
            ],
            "changedPropIds": ["shell-url.pathname"],
        }
    )


def router(session: requests.Session, base: str) -> dict[str, Any]:
    """The page router's entry of /_dash-dependencies."""
    deps = session.get(f"{base}/_dash-dependencies", timeout=30).json()
    return next(d for d in deps if "shell-page.children" in d["output"])


def user_session(
    base: str,
    name: str,
    password: str,
    rounds: int,
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    s = requests.Session()
    try:
        page = s.get(f"{base}/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore
        r = s.post(
            f"{base}/login",
            data={"csrf_token": token, "username": name, "password": password},
            timeout=30,
            allow_redirects=False,
        )
        if r.status_code != 302:
            errors.append(f"login {r.status_code}")
            return
        dep = router(s, base)
        order = list(PAGES) * rounds
        random.Random(name).shuffle(order)
        for path in order:
            if time.monotonic() > deadline:
                errors.append("time limit reached")
                return
            t = time.perf_counter()
            r = s.post(
                f"{base}/_dash-update-component",
                data=router_body(dep, path),
                headers={"Content-Type": "application/json"},
                timeout=60,
            )
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200 or b"could not be drawn" in r.content:
                errors.append(f"{path}: {r.status_code}")
    except Exception as exc:  # any failure is an error of the run
        errors.append(repr(exc))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--seconds", type=int, default=180)
    p.add_argument("--db", default="", help="trial database URL (default: a fresh demo)")
    a = p.parse_args()
    extra = ["--workers", str(a.workers), "--threads", "4"]
    with gunicorn_server(a.db, extra) as (base, user, password):
        latencies: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + a.seconds
        start = time.perf_counter()
        threads = [
            threading.Thread(
                target=user_session,
                args=(base, user, password, a.rounds, deadline, latencies, errors),
            )
            for _ in range(a.users)
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=a.seconds + 30)
        wall = time.perf_counter() - start
    lat = sorted(latencies)
    print(
        f"users {a.users}, gunicorn workers {a.workers}, requests {len(lat)}, "
        f"errors {len(errors)}, wall {wall:.1f} s, throughput {len(lat) / wall:.1f} req/s"
    )
    if lat:
        print(
            f"p50 {statistics.median(lat) * 1000:.0f} ms, "
            f"p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms"
        )
    for e in errors[:10]:
        print("error:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

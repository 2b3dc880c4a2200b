"""One account floods the server with distinct views; how long does /healthz take meanwhile?

    python -m benchmarks.flood [--views 32] [--workers 2] [--db URL] [--limit 2]

Starts `gunicorn app:server` on 127.0.0.1 (the demo trial, or --db), signs one account in,
asks for `--views` distinct views at once (every page with its own data date, centers and
arms: nothing cached) while a second client asks for /healthz every 100 ms, and prints the
health check's median and longest time, how many views were drawn and how many were answered
"busy" (the fair share, `TRIAL_USER_CONCURRENT_PAGES`, set with --limit). Its peer is the same
flood with the fair share off (--limit 1000): the difference is what the rule buys.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import threading
import time

import requests

from benchmarks.load import router, router_body
from benchmarks.server import PAGES, gunicorn_server


def signed_in(base: str, user: str, password: str) -> requests.Session:
    import re

    s = requests.Session()
    page = s.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = s.post(
        f"{base}/login",
        data={"csrf_token": token, "username": user, "password": password},
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 302, r.status_code
    return s


def views(n: int) -> list[tuple[str, str]]:
    """n distinct (path, search) views: pages x data dates x center subsets."""
    centers = ["", "&center=SH1", "&center=PKU", "&center=SMU3", "&center=SH1,PKU"]
    out: list[tuple[str, str]] = []
    for i, (path, c) in enumerate(itertools.product(PAGES, centers)):
        if len(out) >= n:
            break
        day = 1 + i % 28
        out.append((path, f"?as_of=2026-{10 - i // 28:02d}-{day:02d}{c}"))
    return out


def run(base: str, user: str, password: str, n: int) -> dict[str, float]:
    s = signed_in(base, user, password)
    dep = router(s, base)
    health: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        h = requests.Session()
        while not stop.is_set():
            t = time.perf_counter()
            h.get(f"{base}/healthz", timeout=30)
            health.append(time.perf_counter() - t)
            time.sleep(0.1)

    outcome = {"drawn": 0, "busy": 0, "errors": 0}
    lock = threading.Lock()

    def ask(path: str, search: str) -> None:
        try:
            r = s.post(
                f"{base}/_dash-update-component",
                data=router_body(dep, path, search),
                headers={"Content-Type": "application/json"},
                timeout=120,
            )
            kind = "busy" if b"page-busy" in r.content else "drawn" if r.ok else "errors"
        except requests.RequestException:
            kind = "errors"
        with lock:
            outcome[kind] += 1

    prober = threading.Thread(target=probe)
    prober.start()
    time.sleep(0.5)
    start = time.perf_counter()
    flood = [threading.Thread(target=ask, args=v) for v in views(n)]
    for th in flood:
        th.start()
    for th in flood:
        th.join()
    wall = time.perf_counter() - start
    stop.set()
    prober.join()
    return {
        **outcome,
        "wall": wall,
        "health_median": statistics.median(health),
        "health_max": max(health),
        "health_n": len(health),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--views", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int, default=2)
    p.add_argument("--db", default="")
    a = p.parse_args()
    os.environ["TRIAL_USER_CONCURRENT_PAGES"] = str(a.limit)
    extra = ["--workers", str(a.workers), "--threads", "4"]
    with gunicorn_server(a.db, extra) as (base, user, password):
        r = run(base, user, password, a.views)
    print(
        f"fair share {a.limit} page(s) per account and process, {a.workers} workers x 4 "
        f"threads: {a.views} distinct views in {r['wall']:.1f} s, drawn {r['drawn']:.0f}, "
        f"busy {r['busy']:.0f}, errors {r['errors']:.0f}; /healthz median "
        f"{r['health_median'] * 1000:.0f} ms, max {r['health_max'] * 1000:.0f} ms "
        f"({r['health_n']:.0f} checks)"
    )


if __name__ == "__main__":
    main()

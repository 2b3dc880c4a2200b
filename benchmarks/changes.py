"""What changed, with a year between the cuts: how long the page takes.

    python -m benchmarks.changes [--months 12] [--scale 1]

Builds the demo with its history (a data cut each month for `--months` months, then the data
date) in a temporary folder, and times the What changed page since the oldest cut through the
real Flask app for the PI (every center) and a site user (one center): the first view (no
cache) and again (cached). Its peer is the work no page can avoid: reading the two cuts'
snapshots from the store.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--scale", type=float, default=1.0)
    a = p.parse_args()

    from app import create_app
    from dashboard import cuts
    from dashboard.auth import UserStore
    from dashboard.config import Settings
    from dashboard.demo_history import build_demo
    from dashboard.protocol import load_protocol
    from data_access.demo import DEFAULT_AS_OF
    from tests.pages.helpers import EXTRA_PASSWORDS, call, logged_in

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'demo.sqlite'}"
        s = Settings(instance_dir=folder, db_url=url, secret_key="bench")
        store = cuts.store_of(s)
        t = time.perf_counter()
        build_demo(url, store, load_protocol(), DEFAULT_AS_OF, s.demo_seed, a.scale, a.months)
        built = time.perf_counter() - t
        every = store.list()
        oldest, newest = every[0], every[-1]
        t = time.perf_counter()
        store.snapshot(oldest.cut_id), store.snapshot(newest.cut_id)
        peer = time.perf_counter() - t
        users = UserStore(s.resolved_users_db_url)
        for name, role, centers in (("pi", "pi", []), ("site-pku", "site", ["PKU"])):
            users.add(name, f"{name}-password-1", role, centers)
            EXTRA_PASSWORDS[name] = f"{name}-password-1"
        app = create_app(s)
        print(
            f"demo x{a.scale:g} with {len(every)} cuts built in {built:.1f} s; since cut "
            f"{oldest.cut_id} ({oldest.data_as_of}) to {newest.data_as_of}; peer (read both "
            f"snapshots) {peer * 1000:.0f} ms"
        )
        for user in ("pi", "site-pku"):
            client = logged_in(app, user)
            times = []
            for _ in range(2):
                t = time.perf_counter()
                call(
                    client,
                    app,
                    "shell-page.children",
                    {
                        "shell-url.pathname": "/changes",
                        "shell-url.search": f"?since={oldest.cut_id}",
                    },
                    ["shell-url.pathname"],
                )
                times.append(time.perf_counter() - t)
            print(f"  {user:<9} first {times[0] * 1000:.0f} ms, again {times[1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Benchmark every page at 1x, 10x and 100x the demo trial, on SQLite and PostgreSQL.

    python -m benchmarks.run [--scales 1,10,100] [--pg postgresql://postgres@127.0.0.1/postgres]
                             [--reps 9]

Builds each demo trial once (cached under benchmarks/results/), measures it in a fresh worker
process (benchmarks/worker.py says what each column is), and prints one table. Targets
(2-core machine): cold render <= 50 ms at 1x and <= 300 ms at 100x; cold / raw SQL of the
headline aggregate <= 5x at 100x; Safety <= 300 KB at 100x; a worker <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def build(url: str, scale: float) -> float:
    from data_access.demo import create_demo_database

    t = time.perf_counter()
    create_demo_database(url, scale=scale)
    return time.perf_counter() - t


def pg_database(admin_url: str, name: str) -> str:
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scales", default="1,10,100")
    p.add_argument("--pg", default="")
    p.add_argument("--reps", type=int, default=9)
    p.add_argument("--rebuild", action="store_true")
    a = p.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for scale in [float(s) for s in a.scales.split(",")]:
        targets = [("sqlite", f"sqlite:///{RESULTS}/demo_x{scale:g}.sqlite")]
        if a.pg:
            targets.append(("postgresql", pg_database(a.pg, f"trial_bench_x{scale:g}")))
        for backend, url in targets:
            marker = RESULTS / f"{backend}_x{scale:g}.built"
            if a.rebuild or not marker.exists():
                seconds = build(url, scale)
                marker.write_text(f"{seconds:.1f}")
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.worker", "--db", url, "--reps", str(a.reps)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
            peak = next(x["peak_rss_mb"] for x in lines if "peak_rss_mb" in x)
            for x in lines:
                if "page" in x:
                    rows.append({"backend": backend, "scale": scale, "peak_mb": peak, **x})
            print(f"measured {backend} x{scale:g}", file=sys.stderr, flush=True)
    head = (
        f"{'db':<10} {'scale':>5} {'page':<15} {'cold':>7} {'p95':>7} {'SQL':>7} {'peer':>6} "
        f"{'ratio':>6} {'view':>6} {'warm':>6} {'KB':>5} {'KB br':>6} {'MB':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = r["cold_median_ms"] / r["peer_ms"] if r["peer_ms"] else float("nan")
        print(
            f"{r['backend']:<10} {r['scale']:>5g} {r['page']:<15} {r['cold_median_ms']:>7.1f} "
            f"{r['cold_p95_ms']:>7.1f} {r['sql_median_ms']:>7.1f} {r['peer_ms']:>6.1f} "
            f"{ratio:>6.1f} {r['view_median_ms']:>6.1f} {r['warm_median_ms']:>6.1f} "
            f"{r['bytes'] / 1024:>5.0f} {r['bytes_br'] / 1024:>6.1f} {r['peak_mb']:>5.0f}"
        )
    print(
        "\ncold: nothing cached (ms, median and p95); SQL: time in the database during it; peer:"
        " the raw SQL of the page's headline aggregate through the bare driver; ratio = cold /"
        " peer; view: a new filtered view with the data-version aggregates computed; warm: from"
        " the cache; KB: response JSON, KB br: as sent (brotli); MB: the worker's peak memory."
    )
    (RESULTS / "latest.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

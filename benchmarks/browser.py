"""How long a first visit takes in the browser, beside peers drawing the same figures.

    python -m benchmarks.browser [--db URL] [--protocol FILE] [--reps 3] [--pages /,/safety]

Serves the dashboard with gunicorn (the demo trial, or --db with its --protocol), captures the
figures each page draws, and serves them again from benchmarks/peer.py: a minimal Dash app
(dcc.Graph in plain divs, Dash's own plotly.js) and a static page calling Plotly.newPlot (the
floor). Each visit is a new headless Chromium (an empty cache) on 1280x720; the dashboard's
visits sign in first, landing on /healthz, so that the timed navigation is a clean first load
of the page. Visits of the three are interleaved in a shuffled order.

Per page and server it prints the median of:
- settled: navigation to every graph drawn and every listing in view filled (listings below
  the fold wait until they are scrolled to);
- CPU: main-thread busy time in that span (Chromium's TaskDuration);
- longest: the longest main-thread task (a long-task observer installed before any script).
With the load average before and after, since a 2-core machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from benchmarks.server import PAGES, ROOT, free_port, gunicorn_server

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/lib/chromium/chromium")
SETTLED = """
if (document.readyState !== 'complete') return false;
if (document.querySelector('[data-dash-is-loading="true"]')) return false;
if (!document.querySelector('#shell-page > *')) return false;
for (const g of document.querySelectorAll('.dash-graph')) {
    if (!g.querySelector('.main-svg')) return false;
}
for (const grid of document.querySelectorAll('.ag-root')) {
    if (!grid.querySelector('.ag-row, .ag-overlay-no-rows-center')) return false;
}
// Grids wait until they near the screen (assets/30_grids.js): those in view must be filled.
return !window.grids || window.grids.ready();
"""
UNSETTLED = """
return JSON.stringify({
  url: location.href,
  text: document.body.innerText.slice(0, 160),
  readyState: document.readyState,
  loading: [...document.querySelectorAll('[data-dash-is-loading="true"]')].map(e => e.id),
  page: !!document.querySelector('#shell-page > *'),
  undrawn: [...document.querySelectorAll('.dash-graph')]
    .filter(g => !g.querySelector('.main-svg')).map(g => g.id),
  emptyGrids: [...document.querySelectorAll('.ag-root')]
    .filter(g => !g.querySelector('.ag-row, .ag-overlay-no-rows-center')).length,
  gridsReady: window.grids ? window.grids.ready() : null,
  errors: [...document.querySelectorAll('.dash-fe-error__title, .alert-danger')]
    .map(e => e.textContent).slice(0, 3),
});
"""
LONG_TASKS = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""


def browser() -> Any:
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,720",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts)
    for script in (LONG_TASKS, FRAMES):
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})
    driver.execute_cdp_cmd("Performance.enable", {})
    return driver


def _task_seconds(driver: Any) -> float:
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return next((m["value"] for m in metrics if m["name"] == "TaskDuration"), 0.0)


def visit(driver: Any, url: str, timeout: float = 60) -> dict[str, float]:
    """Navigate and wait until settled: wall ms, main-thread CPU ms, longest task ms."""
    busy = _task_seconds(driver)
    t = time.perf_counter()
    driver.get(url)
    deadline = t + timeout
    while time.perf_counter() < deadline:
        if driver.execute_script(SETTLED):
            wall = (time.perf_counter() - t) * 1000
            tasks = driver.execute_script("return window.__longTasks || []")
            return {
                "settled": wall,
                "cpu": (_task_seconds(driver) - busy) * 1000,
                "longest": max(tasks, default=0.0),
            }
        time.sleep(0.01)
    console = [e["message"][:300] for e in driver.get_log("browser")][-8:]
    raise RuntimeError(
        f"{url} did not settle in {timeout} s: {driver.execute_script(UNSETTLED)}; "
        f"console: {console}"
    )


def login(driver: Any, base: str, user: str, password: str) -> None:
    """Sign in, landing on /healthz: nothing of the app is loaded or cached before the visit."""
    from selenium.webdriver.common.by import By

    driver.get(base + "/login?next=/healthz")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    deadline = time.monotonic() + 20
    # The path itself: the login page's own address ("/login?next=/healthz") names it too.
    while urlsplit(driver.current_url).path != "/healthz" and time.monotonic() < deadline:
        time.sleep(0.02)


def capture(base: str, user: str, password: str, pages: list[str]) -> dict[str, Any]:
    """The figures each page draws, from the dashboard's own answer to its router."""
    import re

    session = requests.Session()
    page = session.get(base + "/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    session.post(
        base + "/login",
        data={"csrf_token": token.group(1), "username": user, "password": password, "next": "/"},
    )
    deps = session.get(base + "/_dash-dependencies").json()
    route = next(d for d in deps if "shell-page.children" in d["output"])
    out: dict[str, Any] = {}
    for path in pages:
        inputs = [
            {
                "id": i["id"],
                "property": i["property"],
                "value": path
                if i["property"] == "pathname"
                else ""
                if i["property"] == "search"
                else None,
            }
            for i in route["inputs"]
        ]
        body = {
            "output": route["output"],
            "outputs": [
                {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                for o in route["output"].strip(".").split("...")
            ],
            "inputs": inputs,
            "state": [
                {"id": i["id"], "property": i["property"], "value": None}
                for i in route.get("state", [])
            ],
            "changedPropIds": ["shell-url.pathname"],
        }
        resp = session.post(base + "/_dash-update-component", json=body)
        tree = resp.json()["response"]["shell-page"]["children"]
        out[path] = list(_figures(tree))
    return out


def _figures(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, list):
        for x in tree:
            yield from _figures(x)
    elif isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            if tree.get("type") == "Graph" and props.get("figure"):
                yield props["figure"]
            for v in props.values():
                yield from _figures(v)


@contextmanager
def peer_server(figures: dict[str, Any]) -> Iterator[str]:
    """benchmarks/peer.py under gunicorn, as the dashboard is served (2 workers, 4 threads)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "figures.json"
        file.write_text(json.dumps(figures), encoding="utf-8")
        env = {**os.environ, "TRIAL_PEER_FIGURES": str(file), "HOME": tmp}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = subprocess.Popen(
            [gunicorn, "benchmarks.peer:server", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--threads", "4", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if requests.get(base + "/floor/", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


FRAMES = """
window.__frames = [];
try {
  new PerformanceObserver(function (list) {
    for (const e of list.getEntries()) {
      window.__frames.push({
        duration: e.duration,
        render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
        scripts: (e.scripts || []).map(function (s) {
          return {
            duration: s.duration,
            what: (s.sourceURL || "").split("/").pop().split("?")[0] + " " +
              (s.sourceFunctionName || s.invoker || ""),
          };
        }),
      });
    }
  }).observe({type: "long-animation-frame", buffered: true});
} catch (e) {}
"""


def long_frames(driver: Any, threshold_ms: float = 50) -> list[tuple[float, str]]:
    """The long animation frames of the page, each with the scripts that took most of it.

    Chromium's Long Animation Frames API: per frame over 50 ms, its duration, the scripts in
    it (file and function) and the style, layout and paint after them ("render").
    """
    out = []
    for f in driver.execute_script("return window.__frames || []"):
        if f["duration"] < threshold_ms:
            continue
        scripts = sorted(f["scripts"], key=lambda x: -x["duration"])[:3]
        parts = [f"{x['what'].strip()[:70]} {x['duration']:.0f} ms" for x in scripts]
        if f["render"] >= 5:
            parts.append(f"style/layout/paint {f['render']:.0f} ms")
        out.append((f["duration"], "; ".join(parts) or "?"))
    return sorted(out, reverse=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="")
    p.add_argument("--protocol", default="", help="the protocol file of --db")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--pages", default=",".join(PAGES))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--trace", default="", help="a page: print its long frames and stop")
    a = p.parse_args()
    if a.protocol:
        os.environ["TRIAL_PROTOCOL_FILE"] = str(Path(a.protocol).resolve())
    pages = a.pages.split(",")
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    load_before = os.getloadavg()
    with gunicorn_server(a.db) as (base, user, password):
        if a.trace:
            warm = browser()
            login(warm, base, user, password)
            visit(warm, base + a.trace)
            warm.quit()
            d = browser()
            login(d, base, user, password)
            print(f"{a.trace}: {visit(d, base + a.trace)}")
            for ms, what in long_frames(d):
                print(f"  frame {ms:6.0f} ms: {what}")
            d.quit()
            return
        figures = capture(base, user, password, pages)
        with peer_server(figures) as peer:
            # The servers compute each page once first (as after background warming).
            warm = browser()
            login(warm, base, user, password)
            for path in pages:
                visit(warm, base + path)
                visit(warm, peer + "/dash" + path)
            warm.quit()
            visits = [(path, kind) for path in pages for kind in ("dashboard", "dash", "floor")]
            rng = random.Random(a.seed)
            for _ in range(a.reps):
                rng.shuffle(visits)
                for path, kind in visits:
                    d = browser()
                    try:
                        if kind == "dashboard":
                            login(d, base, user, password)
                            url = base + path
                        else:
                            url = f"{peer}/{kind}{path}"
                        results.setdefault((path, kind), []).append(visit(d, url))
                    finally:
                        d.quit()
    load_after = os.getloadavg()
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
        f"median of {a.reps} first visits; ms"
    )
    print(
        "| page | dashboard | CPU | longest | minimal Dash | CPU | longest | ratio | floor |"
        "\n|---|---|---|---|---|---|---|---|---|"
    )
    for path in pages:

        def med(kind: str, key: str, path: str = path) -> float:
            return statistics.median(r[key] for r in results[(path, kind)])

        print(
            f"| {path} | {med('dashboard', 'settled'):.0f} | {med('dashboard', 'cpu'):.0f} | "
            f"{med('dashboard', 'longest'):.0f} | {med('dash', 'settled'):.0f} | "
            f"{med('dash', 'cpu'):.0f} | {med('dash', 'longest'):.0f} | "
            f"{med('dashboard', 'settled') / med('dash', 'settled'):.2f} | "
            f"{med('floor', 'settled'):.0f} |"
        )


if __name__ == "__main__":
    main()

"""How long a first visit takes in the browser: headless Chromium, after login, each page from
navigation to every graph drawn and every listing filled.

    python -m benchmarks.browser [--db URL] [--reps 3]

Serves the dashboard with gunicorn on 127.0.0.1 (the demo trial, or --db), signs in, and for
each page starts a new browser (an empty cache), signs in and opens the page: the time from
navigation to settled is what a person waits after logging in. Prints the median per page. The
server has seen each page once first, as after background warming.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from benchmarks.server import PAGES, gunicorn_server

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
return true;
"""


def browser() -> object:
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
    ):
        opts.add_argument(flag)
    return webdriver.Chrome(options=opts)


def settle_ms(driver: object, url: str, timeout: float = 30) -> float:
    t = time.perf_counter()
    driver.get(url)  # type: ignore[attr-defined]
    deadline = t + timeout
    while time.perf_counter() < deadline:
        if driver.execute_script(SETTLED):  # type: ignore[attr-defined]
            return (time.perf_counter() - t) * 1000
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not settle in {timeout} s")


def login(driver: object, base: str, user: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "username").send_keys(user)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "password").send_keys(password)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "login-submit").click()  # type: ignore[attr-defined]
    time.sleep(1.0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="")
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    with gunicorn_server(a.db) as (base, user, password):
        warm = browser()
        login(warm, base, user, password)
        for path in PAGES:  # the server computes each page once (as warming would)
            settle_ms(warm, base + path)
        warm.quit()  # type: ignore[attr-defined]
        for _ in range(a.reps):
            for path in PAGES:
                d = browser()  # a new profile: an empty HTTP cache, a first visit
                try:
                    login(d, base, user, password)  # lands on the first page
                    times[path].append(settle_ms(d, base + path))
                finally:
                    d.quit()  # type: ignore[attr-defined]
    for path, ts in times.items():
        median = statistics.median(ts)
        print(f"{path:<16} first visit settles in {median:7.0f} ms (median of {len(ts)})")


if __name__ == "__main__":
    main()

"""Screenshots of dashboard pages in headless Chromium (for looking at what we build).

Usage: python scripts/screenshots.py BASE_URL OUT_DIR PATH[?QUERY] ... [--size 1280x720] [--full]
       [--user pi --password pi-demo-pass] [--panels]

--panels: in presentation mode (add present=1 to the query), one screenshot per panel.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/lib/chromium/chromium")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("out")
    p.add_argument("paths", nargs="+")
    p.add_argument("--size", default="1280x720")
    p.add_argument("--full", action="store_true", help="whole page height")
    p.add_argument("--user", default="pi", help="login (the demo accounts by default)")
    p.add_argument("--password", default="pi-demo-pass")
    p.add_argument("--panels", action="store_true", help="one screenshot per presentation panel")
    a = p.parse_args()
    w, h = (int(x) for x in a.size.split("x"))
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--disable-component-update",
        f"--window-size={w},{h}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(options=opts)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    try:
        driver.get(a.base.rstrip("/") + "/login")
        driver.find_element(By.ID, "username").send_keys(a.user)
        driver.find_element(By.ID, "password").send_keys(a.password)
        driver.find_element(By.ID, "login-submit").click()
        time.sleep(1.5)
        for path in a.paths:
            driver.get(a.base.rstrip("/") + path)
            WebDriverWait(driver, 30).until(
                ec.presence_of_element_located((By.CSS_SELECTOR, "#shell-page > *"))
            )
            time.sleep(2.5)
            if a.full:
                height = driver.execute_script("return document.body.scrollHeight")
                driver.set_window_size(w, height + 100)
                time.sleep(1)
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_") or "home"
            if a.panels:
                count = driver.execute_script("return window.presentation.count()")
                for i in range(count):
                    driver.execute_script("window.presentation.show(arguments[0])", i)
                    time.sleep(1.2)
                    file = Path(a.out) / f"{name}-panel{i + 1:02d}-of-{count}.png"
                    driver.save_screenshot(str(file))
                    print(file)
                continue
            file = Path(a.out) / f"{name}-{w}x{h}{'-full' if a.full else ''}.png"
            driver.save_screenshot(str(file))
            driver.set_window_size(w, h)
            print(file)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

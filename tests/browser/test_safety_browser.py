"""The AE listing in headless Chromium: 'serious only' narrows to the SAEs, the CSV matches,
and a click on a subject draws that subject's timeline."""

import csv
import time

from selenium.webdriver.common.by import By

from app import create_app
from tests.pages.helpers import browser_login, show_grid


def texts_of(dash_duo, selector, tries=20):
    """Cell texts, read again if AG Grid re-renders the rows while we read them."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(tries):
        try:
            return [el.text for el in dash_duo.find_elements(selector)]
        except StaleElementReferenceException:
            time.sleep(0.2)
    raise AssertionError(f"rows of {selector} kept changing")


def js_click(dash_duo, el):
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    dash_duo.driver.execute_script("arguments[0].click()", el)


def test_serious_only_and_export(dash_duo, settings, demo_trial, tmp_path):
    trial, _ = demo_trial
    ae = trial.tables["adverse_events"]
    n_sae = int(ae["serious"].astype(bool).sum())
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/safety")
    show_grid(dash_duo, "adverse_events")
    summary = "#adverse_events-listing .ag-paging-row-summary-panel"
    dash_duo.wait_for_contains_text(summary, f"of {len(ae)}", timeout=20)
    toggle = dash_duo.driver.find_element(
        By.XPATH, "//div[@id='saf-toggles']//label[normalize-space()='Serious only']"
    )
    js_click(dash_duo, toggle)
    dash_duo.wait_for_contains_text(summary, f"of {n_sae}", timeout=15)
    time.sleep(0.5)
    serious = set(
        texts_of(dash_duo, "#adverse_events-listing .ag-center-cols-container [col-id='serious']")
    )
    assert serious == {"SAE"}

    # The export is the whole filtered set from the server, not the rows on screen.
    js_click(dash_duo, dash_duo.find_element("#adverse_events-listing .listing-export"))
    file = tmp_path / "adverse-events.csv"
    deadline = time.monotonic() + 15
    while not file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = list(csv.DictReader(file.open(encoding="utf-8-sig")))
    assert len(rows) == n_sae
    assert {r["Serious"] for r in rows} == {"SAE"}
    want = sorted(ae[ae["serious"].astype(bool)]["subject_id"])
    assert sorted(r["Subject"] for r in rows) == want

    cell = "#adverse_events-listing .ag-pinned-left-cols-container [col-id='subject_id']"
    subject = texts_of(dash_duo, cell)[0]
    js_click(dash_duo, dash_duo.find_element(cell))
    dash_duo.wait_for_contains_text("#saf-timeline", f"Adverse events of {subject}", timeout=15)
    assert dash_duo.get_logs() == []

"""The visit worklist in headless Chromium: center filter; the CSV export holds the same rows."""

import csv
import datetime as dt
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from app import create_app
from tests.data.test_visits_data import oracle
from tests.pages.helpers import browser_login


def test_worklist_one_center_and_csv_export(dash_duo, settings, demo_trial, protocol, tmp_path):
    trial, _ = demo_trial
    # the worklist: visits due, missed or without day 0 of subjects still on study
    want = oracle(trial, protocol, dt.date(2026, 11, 15), ["SMU3"], on_study_only=True)
    expected = sum(want[("SMU3", s)] for s in ("due", "missed", "no_day_zero"))
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/visits")
    dash_duo.wait_for_element("#worklist-listing .ag-row", timeout=20)
    for code in ("SH1", "PKU"):
        dash_duo.driver.find_element(
            By.XPATH, f"//div[@id='shell-filter-centers']//label[normalize-space()='{code}']"
        ).click()
    dash_duo.wait_for_contains_text("#shell-filter-note", "SMU3", timeout=15)
    dash_duo.wait_for_contains_text(
        "#worklist-listing .ag-paging-row-summary-panel", f"of {expected}", timeout=15
    )
    centers = {
        el.text
        for el in dash_duo.find_elements(
            "#worklist-listing .ag-center-cols-container [col-id='center_id']"
        )
    }
    assert centers == {"SMU3"}
    assert "center=SMU3" in dash_duo.driver.current_url

    button = dash_duo.find_element("#worklist-listing .listing-export")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    dash_duo.driver.execute_script("arguments[0].click()", button)
    file = tmp_path / "visit-worklist.csv"
    deadline = time.monotonic() + 15
    while not file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = list(csv.DictReader(file.open(encoding="utf-8-sig")))
    assert len(rows) == expected
    assert {r["Center"] for r in rows} == {"SMU3"}
    assert {r["State"] for r in rows} <= {"due", "missed", "no day-0 date"}


def test_a_click_on_a_worklist_row_picks_it_for_its_status(dash_duo, settings):
    """Click a row: the form names the visit as a person would; save: the row shows its new
    status without a reload, the comment box is empty again, and the history under it lists
    both comments of two saves."""
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/visits")
    dash_duo.wait_for_element("#worklist-listing .ag-row", timeout=20)
    row = "#worklist-listing .ag-center-cols-container .ag-row[row-index='0']"
    # AG Grid may draw the first rows twice (a page arrives, the row heights settle): read the
    # row until two reads a moment apart agree, then click it (found again if redrawn meanwhile).
    cells = (
        "#worklist-listing .ag-row[row-index='0'] [col-id='subject_id']",
        f"{row} [col-id='visit_code']",
        f"{row} [col-id='state']",
        f"{row} [col-id='days_overdue']",
    )
    last: tuple[str, ...] | None = None
    for _ in range(100):
        try:
            now = tuple(
                (dash_duo.find_element(c).get_attribute("textContent") or "").strip() for c in cells
            )
        except StaleElementReferenceException:
            now = None
        if now and now[0] and now[1] and now == last:
            break
        last = now
        time.sleep(0.2)
    assert now and now == last, now
    subject, code, state, days = now
    for _ in range(10):
        try:
            visit = dash_duo.find_element(cells[1])
            dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", visit)
            ActionChains(dash_duo.driver).move_to_element(visit).click().perform()
            break
        except StaleElementReferenceException:
            time.sleep(0.2)
    key = f"visit:{subject}:{code}"
    deadline = time.monotonic() + 10
    while dash_duo.find_element("#vis-wf-key").get_attribute("value") != key:
        assert time.monotonic() < deadline, (
            key,
            dash_duo.find_element("#vis-wf-key").get_attribute("value"),
            dash_duo.driver.execute_script(
                "return [...document.querySelectorAll('#worklist-listing .ag-row')]"
                ".map(r => r.getAttribute('row-index') + ' ' + r.innerText.slice(0, 40))"
            ),
        )
        time.sleep(0.2)
    # The person reads the subject, the visit and how late it is, never the key.
    if state == "missed":
        said = f"{subject} · {code} visit missed, {days} day"
    elif days.isdigit() and int(days) > 0:
        said = f"{subject} · {code} visit overdue {days} day"
    else:  # due: "due in 3 days" / "due today" in the grid's own words
        said = f"{subject} · {code} visit {days}"
    dash_duo.wait_for_contains_text("#vis-wf-item", said, timeout=10)
    assert "visit:" not in dash_duo.find_element("#vis-wf-item").text

    box = dash_duo.find_element("#vis-wf-comment")
    box.send_keys("phoned the site")
    dash_duo.driver.execute_script("arguments[0].click()", dash_duo.find_element("#vis-wf-save"))
    dash_duo.wait_for_contains_text("#vis-wf-result", "phoned the site", timeout=10)
    assert "query sent" in dash_duo.find_element("#vis-wf-result").text
    # The grid asked for its rows again: the new status, no reload.
    dash_duo.wait_for_text_to_equal(f"{row} [col-id='status']", "query sent", timeout=10)
    assert dash_duo.find_element("#vis-wf-comment").get_attribute("value") == ""

    dash_duo.find_element("#vis-wf-comment").send_keys("site will call back")
    dash_duo.driver.execute_script("arguments[0].click()", dash_duo.find_element("#vis-wf-save"))
    dash_duo.wait_for_contains_text("#vis-wf-result", "site will call back", timeout=10)
    history = dash_duo.find_elements("#vis-wf-result .wf-history li")
    assert [li.text.rsplit(" · ", 1)[-1] for li in history] == [
        "site will call back",
        "phoned the site",
    ]  # newest first, neither comment carried into the other
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#worklist-listing .ag-row", timeout=20)
    dash_duo.wait_for_text_to_equal(f"{row} [col-id='status']", "query sent", timeout=10)

"""Logins in a real browser: presentation mode and Chinese; the committee sees no identifier."""

import re
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import create_app
from tests.browser.test_layout_browser import PAGES
from tests.pages.helpers import browser_login

SUBJECT_ID = re.compile(r"\b(SH1|SMU3|PKU)-\d{3}\b")


def wait_until(condition, timeout=10):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def body_text(dash_duo):
    return dash_duo.driver.execute_script("return document.body.innerText")


def test_login_presentation_mode_and_chinese(dash_duo, settings):
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/")
    dash_duo.wait_for_element("#rec-graph-by-center .main-svg", timeout=20)
    # The user menu names the account and its role.
    dash_duo.find_element("#shell-user .dropdown-toggle").click()
    dash_duo.wait_for_contains_text("#shell-user", "pi (principal investigator)", timeout=10)
    dash_duo.find_element("#shell-user .dropdown-toggle").click()

    dash_duo.driver.execute_script(
        "arguments[0].click()", dash_duo.find_element("#shell-filter-present")
    )
    wait_until(lambda: "present=1" in dash_duo.driver.current_url, timeout=10)
    wait_until(
        lambda: "present" in dash_duo.find_element("body").get_attribute("class"), timeout=10
    )
    size = dash_duo.driver.execute_script(
        "return parseFloat(getComputedStyle(document.body).fontSize)"
    )
    assert size >= 20

    zh = dash_duo.driver.find_element(
        By.XPATH, "//div[@id='shell-filter-lang']//label[normalize-space()='中文']"
    )
    dash_duo.driver.execute_script("arguments[0].click()", zh)
    dash_duo.wait_for_contains_text(".page-title", "入组", timeout=15)
    # The filters (behind "Filters" in presentation mode) follow the language too.
    label = "return document.getElementById('shell-filter-centers-label').textContent"
    wait_until(lambda: dash_duo.driver.execute_script(label) == "中心", timeout=10)
    assert "lang=zh" in dash_duo.driver.current_url and "present=1" in dash_duo.driver.current_url
    # One header row: the pages as a menu (in Chinese), the switch back.
    header = dash_duo.find_element("#shell-header").rect["height"]
    assert header <= 108, header
    dash_duo.find_element("#shell-page-menu .dropdown-toggle").click()
    dash_duo.wait_for_contains_text("#shell-page-menu", "数据质量", timeout=10)
    text = body_text(dash_duo)
    for label in ("随机化", "随访", "疼痛与功能", "局部控制", "安全性", "数据质量", "演示模式"):
        assert label in text, label
    dash_duo.find_element("#shell-page-menu .dropdown-toggle").click()

    # One panel per screen: the arrow keys page through the panels (k / n in the header),
    # then on to the next page, keeping the filters.
    dash_duo.find_element("body").click()
    panels = dash_duo.driver.execute_script("return window.presentation.count()")
    assert panels > 2
    dash_duo.wait_for_text_to_equal("#shell-panel-pos", f"1 / {panels}", timeout=10)
    dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)
    wait_until(lambda: dash_duo.driver.execute_script("return window.presentation.index()") > 0)
    for _ in range(40):  # every screen of every panel, then the next page
        if "/randomization" in dash_duo.driver.current_url:
            break
        dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)
        time.sleep(0.1)
    wait_until(lambda: "/randomization" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_contains_text(".page-title", "随机化", timeout=15)
    assert "lang=zh" in dash_duo.driver.current_url
    assert not SUBJECT_ID.search(body_text(dash_duo))


def test_committee_sees_no_subject_identifier_in_the_page_text(dash_duo, settings):
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "committee", "/")
    for path in PAGES:
        dash_duo.driver.get(dash_duo.server.url + path)
        dash_duo.wait_for_element("#shell-page .page-title", timeout=20)
        dash_duo.wait_for_element("#shell-page .js-plotly-plot", timeout=20)
        text = body_text(dash_duo)
        assert not SUBJECT_ID.search(text), (path, SUBJECT_ID.search(text).group(0))
        svg = dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('svg')).map(s => s.textContent).join(' ')"
        )
        assert not SUBJECT_ID.search(svg), path

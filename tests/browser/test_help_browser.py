"""Every "?" on every page opens its definition, and opens again after it was closed.

The page's help buttons are clicked one by one, as a person would (scrolled into view, a real
click); each must show one popover with the definition's text, close on a second click and
open again. A "?" that shares its id with another would open the other's popover, or none.
"""

import time

from selenium.webdriver.common.action_chains import ActionChains

from app import create_app
from dashboard.pages import PAGES
from tests.pages.helpers import browser_login

OPEN = ".popover.show .popover-body"


def shown(dash_duo):
    """Texts of the popovers on screen."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText)", OPEN
    )


def wait_for(condition, what, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = condition()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(what)


def click(dash_duo, button):
    """A real click, once the button holds still (Bootstrap scrolls smoothly)."""
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button
    )
    where = None
    for _ in range(20):
        now = dash_duo.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y]", button
        )
        if now == where:
            break
        where = now
        time.sleep(0.05)
    ActionChains(dash_duo.driver).move_to_element(button).click().perform()


def test_every_question_mark_opens_its_definition(dash_duo, settings):
    dash_duo.start_server(create_app(settings), navigate=False)
    dash_duo.driver.set_window_size(1280, 720)
    browser_login(dash_duo, "pi", "/")
    opened: dict[str, int] = {}
    for spec in PAGES:
        dash_duo.driver.get(dash_duo.server_url + spec.path)
        dash_duo.wait_for_element(".page-title", timeout=20)
        time.sleep(0.5)  # the page's charts settle; the buttons do not move afterwards
        ids = dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#shell-page .help-btn')).map(b => b.id)"
        )
        assert len(ids) == len(set(ids)), f"{spec.path}: repeated ids"
        for button_id in ids:
            button = dash_duo.find_element(f"#{button_id}")
            for _ in range(2):  # any number of times: open, close, open again
                click(dash_duo, button)
                texts = wait_for(lambda: shown(dash_duo), f"{spec.path} #{button_id} did not open")
                assert len(texts) == 1 and len(texts[0].strip()) > 20, (button_id, texts)
                click(dash_duo, button)
                wait_for(lambda: not shown(dash_duo), f"{spec.path} #{button_id} did not close")
        opened[spec.path] = len(ids)
    print("\n'?' opened per page:", opened)
    # Every page that explains a number has its "?" (What changed lists records, no numbers).
    assert all(n > 0 for path, n in opened.items() if path != "/changes"), opened
    assert sum(opened.values()) >= 60

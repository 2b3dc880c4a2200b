"""Both outcome pages draw in headless Chromium and react to the arm filter."""

from selenium.webdriver.common.by import By

from app import create_app
from tests.pages.helpers import browser_login


def legend_names(dash_duo, graph_id):
    """Names of the visible traces, as drawn in the legend."""
    dash_duo.wait_for_element(f"#{graph_id} .legendtext", timeout=20)
    return {el.text for el in dash_duo.find_elements(f"#{graph_id} .legendtext")}


def click_arm(dash_duo, label):
    el = dash_duo.driver.find_element(
        By.XPATH, f"//div[@id='shell-filter-arms']//label[normalize-space()='{label}']"
    )
    dash_duo.driver.execute_script("arguments[0].click()", el)


def test_outcome_pages_draw_and_follow_the_arm_filter(dash_duo, settings):
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/pain")
    assert {"RFA/PVA", "RFA/PVA + SBRT"} <= legend_names(dash_duo, "pain-graph-nrs")
    click_arm(dash_duo, "RFA/PVA")  # untick: keep only RFA/PVA + SBRT
    dash_duo.wait_for_contains_text("#shell-filter-note", "arm only", timeout=15)
    names = legend_names(dash_duo, "pain-graph-nrs")
    assert "RFA/PVA + SBRT" in names and "RFA/PVA" not in names
    assert "arm=RFA_PVA_SBRT" in dash_duo.driver.current_url

    dash_duo.driver.find_element(By.LINK_TEXT, "Local control").click()
    dash_duo.wait_for_element("#lc-graph-km .main-svg", timeout=20)
    names = legend_names(dash_duo, "lc-graph-dcr")
    assert names == {"RFA/PVA + SBRT"}
    assert "arm=RFA_PVA_SBRT" in dash_duo.driver.current_url  # the filter travels with the link
    assert dash_duo.get_logs() == []

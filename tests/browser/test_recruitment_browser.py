"""The recruitment page in headless Chromium: draws, filters, and the URL carries the view."""

from selenium.webdriver.common.by import By

from app import create_app
from tests.pages.helpers import browser_login

KPI = "#rec-kpi-randomized .kpi-value"


def count(trial, centers):
    s = trial.tables["subjects"]
    return int((s["randomized_on"].notna() & s["center_id"].isin(centers)).sum())


def test_recruitment_page_filters_and_shareable_url(dash_duo, settings, demo_trial):
    trial, _ = demo_trial
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/")
    dash_duo.wait_for_element("#rec-graph-cumulative .main-svg", timeout=20)
    dash_duo.wait_for_element("#rec-graph-by-center .main-svg")
    dash_duo.wait_for_text_to_equal(KPI, f"{count(trial, ['SH1', 'SMU3', 'PKU'])} / 120")
    # Plotly drew the bars: one path per bar and arm.
    bars = dash_duo.find_elements("#rec-graph-by-center .trace.bars path")
    assert len(bars) >= 6

    for code in ("SH1", "SMU3"):
        dash_duo.driver.find_element(
            By.XPATH, f"//div[@id='shell-filter-centers']//label[normalize-space()='{code}']"
        ).click()
    pku = count(trial, ["PKU"])
    dash_duo.wait_for_text_to_equal(KPI, f"{pku} / 30", timeout=15)
    url = dash_duo.driver.current_url
    assert url.endswith("?center=PKU")
    dash_duo.wait_for_contains_text("#shell-filter-note", "PKU")

    # A pasted link shows the same view.
    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal(KPI, f"{pku} / 30", timeout=20)
    checked = [
        el.get_attribute("value")
        for el in dash_duo.find_elements("#shell-filter-centers input")
        if el.is_selected()
    ]
    assert checked == ["PKU"]
    table = dash_duo.find_element("#rec-center-table").text
    assert "PKU" in table and "SH1" not in table
    assert dash_duo.get_logs() == []

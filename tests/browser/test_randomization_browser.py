"""The randomization page in headless Chromium: it draws, and the center filter changes CONSORT."""

from selenium.webdriver.common.by import By

from app import create_app
from tests.pages.helpers import browser_login


def test_consort_follows_the_center_filter(dash_duo, settings, demo_trial):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    dash_duo.start_server(create_app(settings), navigate=False)
    browser_login(dash_duo, "pi", "/randomization")
    dash_duo.wait_for_element("#rnd-graph-consort .consort", timeout=20)
    dash_duo.wait_for_contains_text("#rnd-graph-consort", f"(n = {len(s)})", timeout=15)
    dash_duo.wait_for_element("#rnd-graph-balance .main-svg")
    for code in ("SH1", "SMU3"):
        label = dash_duo.driver.find_element(
            By.XPATH, f"//div[@id='shell-filter-centers']//label[normalize-space()='{code}']"
        )
        dash_duo.driver.execute_script("arguments[0].click()", label)
    n_pku = int((s["center_id"] == "PKU").sum())
    dash_duo.wait_for_contains_text(
        "#rnd-graph-consort", f"Assessed for eligibility (n = {n_pku})", timeout=15
    )
    assert "center=PKU" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []

import pytest

from tests.conftest import CHROMIUM, REQUIRE_BROWSER, browser_available


@pytest.fixture(autouse=True)
def _need_browser() -> None:
    if not browser_available():
        message = f"Chromium ({CHROMIUM}) and chromedriver are needed for browser tests"
        if REQUIRE_BROWSER:
            pytest.fail(message + " (TRIAL_TEST_REQUIRE_BROWSER=1)")
        pytest.skip(message)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.browser)

"""Shared fixtures: the protocol, demo databases on SQLite and PostgreSQL, the browser setup.

PostgreSQL tests run when TRIAL_TEST_PG_URL is set (an admin URL; a scratch database is created
and dropped). With TRIAL_TEST_REQUIRE_PG=1 or TRIAL_TEST_REQUIRE_BROWSER=1 (CI), a missing
PostgreSQL or Chromium fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.config import Settings
from dashboard.protocol import Protocol, load_protocol
from data_access.demo import DEFAULT_AS_OF, DEFAULT_SEED, DemoTrial, create_demo_database
from data_access.engine import dispose_engines

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/lib/chromium/chromium")
PG_URL = os.environ.get("TRIAL_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("TRIAL_TEST_REQUIRE_PG") == "1"
REQUIRE_BROWSER = os.environ.get("TRIAL_TEST_REQUIRE_BROWSER") == "1"


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which("chromedriver") is not None


def pytest_setup_options():  # noqa: ANN201 - dash[testing] hook
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1280,720",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol()


@pytest.fixture(scope="session")
def demo_trial(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoTrial, str]:
    """The default demo trial written to a SQLite file (session-wide; read-only use)."""
    path = tmp_path_factory.mktemp("demo") / "trial.sqlite"
    url = f"sqlite:///{path}"
    trial = create_demo_database(url, as_of=DEFAULT_AS_OF, seed=DEFAULT_SEED)
    return trial, url


@pytest.fixture(scope="session")
def sqlite_url(demo_trial: tuple[DemoTrial, str]) -> str:
    return demo_trial[1]


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TRIAL_TEST_REQUIRE_PG=1 but TRIAL_TEST_PG_URL is not set")
        pytest.skip("PostgreSQL tests need TRIAL_TEST_PG_URL")
    try:
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - report any connection failure
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    return PG_URL


def _scratch_database(admin_url: str) -> Iterator[str]:
    name = f"trial_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """The same demo trial in a scratch PostgreSQL database."""
    for url in _scratch_database(pg_admin_url):
        create_demo_database(url, as_of=DEFAULT_AS_OF, seed=DEFAULT_SEED)
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each demo database in turn: SQLite always, PostgreSQL when configured."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


TEST_USERS = {
    # username: (password, role, centers)
    "pi": ("pi-test-password", "pi", []),
    "monitor-sh1": ("monitor-test-password", "monitor", ["SH1"]),
    "site-pku": ("site-test-password", "site", ["PKU"]),
    "committee": ("committee-test-password", "committee", []),
}


def make_settings(url: str, folder: Path, **kw: Any) -> Settings:
    """Settings for a trial database URL with one test account per role in `folder`."""
    from dashboard.auth import UserStore

    s = Settings(db_url=url, instance_dir=folder, secret_key="test-secret-key", **kw)
    store = UserStore(s.resolved_users_db_url)
    if store.is_empty():
        for name, (password, role, centers) in TEST_USERS.items():
            store.add(name, password, role, centers)
    return s


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    """App settings on the SQLite demo database, with one test account per role."""
    return make_settings(sqlite_url, tmp_path, login_failure_delay_ms=50)


@pytest.fixture
def settings_factory(tmp_path: Path):
    """Build settings (with the test accounts) for any trial database URL."""

    def make(url: str, folder: Path) -> Settings:
        return make_settings(url, folder, login_failure_delay_ms=0, cache_type="none")

    return make

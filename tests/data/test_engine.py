"""Read-only, bounded, and clear about failures."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from data_access.engine import (
    DatabaseUnavailable,
    data_version,
    get_engine,
    health_check,
    read_connection,
)


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO centers (center_id, name) VALUES ('XX', 'x')",
        "UPDATE subjects SET arm = NULL",
        "DELETE FROM adverse_events",
        "DROP TABLE deviations",
        "CREATE TABLE sneaky (x integer)",
    ],
)
def test_the_dashboard_engine_cannot_write(db_url, statement):
    before = _sha(db_url.split(":///", 1)[1]) if db_url.startswith("sqlite") else None
    with pytest.raises(DatabaseUnavailable), read_connection(db_url) as conn:
        conn.execute(text(statement))
        conn.commit()
    with read_connection(db_url) as conn:
        assert conn.execute(text("SELECT count(*) FROM centers")).scalar_one() == 3
        assert conn.execute(text("SELECT count(*) FROM adverse_events")).scalar_one() > 0
    if before:
        assert _sha(db_url.split(":///", 1)[1]) == before


def test_missing_sqlite_file_is_a_clear_message(tmp_path):
    url = f"sqlite:///{tmp_path}/nope.sqlite"
    with pytest.raises(DatabaseUnavailable, match="does not exist"), read_connection(url):
        pass
    assert not (tmp_path / "nope.sqlite").exists()  # read-only: nothing was created
    assert health_check(url) == (False, "missing")  # a code, never the path


def test_corrupt_sqlite_file_is_a_clear_message(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    assert health_check(f"sqlite:///{bad}") == (False, "damaged")


def test_slow_sqlite_query_is_stopped(sqlite_url):
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
        "SELECT count(*) FROM n"
    )
    with (
        pytest.raises(DatabaseUnavailable, match="took too long"),
        read_connection(sqlite_url, timeout_ms=200) as conn,
    ):
        conn.execute(text(slow)).scalar_one()
    # The same engine still answers afterwards.
    with read_connection(sqlite_url, timeout_ms=200) as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1


def test_slow_postgres_query_is_stopped(pg_url):
    with (
        pytest.raises(DatabaseUnavailable, match="took too long"),
        read_connection(pg_url, timeout_ms=200) as conn,
    ):
        conn.execute(text("SELECT pg_sleep(2)"))


def test_postgres_unreachable_is_a_clear_message():
    assert health_check("postgresql://nobody@127.0.0.1:1/none", timeout_ms=500) == (
        False,
        "unreachable",
    )


def test_engine_is_per_process_and_data_version_changes(tmp_path):
    from data_access.demo import create_demo_database

    url = f"sqlite:///{tmp_path}/v.sqlite"
    create_demo_database(url, seed=3)
    assert get_engine(url) is get_engine(url)
    v1 = data_version(url)
    create_demo_database(url, seed=4)
    assert data_version(url) != v1


def test_postgres_data_version(pg_url):
    assert data_version(pg_url).startswith("pg:")


def test_a_database_without_the_added_columns_still_works(tmp_path, demo_trial, settings):
    """grade_scale is this dashboard's addition to the contract: a database written to the
    shared contract (or by an older version) lacks it, and every page still draws."""
    import shutil
    import sqlite3

    from app import create_app
    from tests.pages.helpers import page_tree

    path = tmp_path / "contract.sqlite"
    shutil.copy(demo_trial[1].split(":///", 1)[1], path)
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE adverse_events DROP COLUMN grade_scale")
    app = create_app(settings.with_(db_url=f"sqlite:///{path}", cache_type="none"))
    import json

    for page in ("/safety", "/data-quality"):
        assert "error-state" not in json.dumps(page_tree(app, page, "")), page
    from dashboard.cli import main

    assert main(["export", "csv", str(tmp_path / "out"), "--db", f"sqlite:///{path}"]) == 0

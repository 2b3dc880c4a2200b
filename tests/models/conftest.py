"""Hand-made trials written to SQLite and, when configured, to PostgreSQL: the same rows,
the same hand-worked numbers expected from both backends."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest

from data_access.queries import TrialDb
from tests import trials
from tests.conftest import _scratch_database

Rows = Mapping[str, Sequence[Mapping[str, Any]]]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def make_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Rows, str], TrialDb]]:
    """A writer of hand-made trials, each into a database of its own on the backend in turn."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("trial")
        counter = iter(range(1000))

        def write_sqlite(rows: Rows, as_of: str) -> TrialDb:
            return trials.write(f"sqlite:///{folder / f'trial{next(counter)}.sqlite'}", rows, as_of)

        yield write_sqlite
        return
    admin = request.getfixturevalue("pg_admin_url")
    with contextlib.ExitStack() as stack:

        def write_pg(rows: Rows, as_of: str) -> TrialDb:
            scratch = _scratch_database(admin)
            url = next(scratch)
            stack.callback(lambda: next(scratch, None))
            return trials.write(url, rows, as_of)

        yield write_pg

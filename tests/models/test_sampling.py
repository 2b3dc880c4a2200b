"""The individual pain lines' sample, chosen in the database: evenly spread by subject id."""

import datetime as dt

import pytest

from data_access.queries.outcomes import sampled_ids
from tests import trials

ROWS = {
    "centers": trials.centers("A"),
    "subjects": [
        trials.subject(f"s{i:02d}", "A", "2026-01-01", "2026-01-02", "X") for i in range(1, 11)
    ]
    + [trials.subject(f"y{i}", "A", "2026-01-01", "2026-01-02", "Y") for i in range(1, 3)]
    + [trials.subject("s99", "A", "2026-01-01", "2026-02-02", "X")],  # randomized later
}


@pytest.fixture(scope="module")
def db(make_db):
    return make_db(ROWS, "2026-01-31")


def test_k_of_each_arm_evenly_spread(db):
    # X: s01..s10 randomized by the date (s99 after it). k = 4: the n-th is taken when
    # floor(4n / 10) steps up: n = 3 (1), 5 (2), 8 (3), 10 (4). Y has 2 <= 4: both.
    got = sampled_ids(db, ["A"], dt.date(2026, 1, 31), ["X", "Y"], 4)
    assert got == ["s03", "s05", "s08", "s10", "y1", "y2"]
    # Only the arms asked for.
    assert sampled_ids(db, ["A"], dt.date(2026, 1, 31), ["Y"], 4) == [
        "y1",
        "y2",
    ]

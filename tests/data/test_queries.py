"""Queries on SQLite and PostgreSQL, checked against plain pandas on the generated frames."""

import datetime as dt

import pandas as pd
import pytest

from data_access import queries
from data_access.queries import TrialDb
from data_access.scope import Scope

ALL = ("SH1", "SMU3", "PKU")
ARMS = ("RFA_PVA", "RFA_PVA_SBRT")


def expected_counts(subjects: pd.DataFrame, scope: Scope) -> dict[str, dict[str, int]]:
    s = subjects[
        subjects["center_id"].isin(scope.centers) & (subjects["screened_on"] <= scope.as_of)
    ]
    rand = s["randomized_on"].notna() & (s["randomized_on"] <= scope.as_of)
    out = {}
    for code, g in s.groupby("center_id"):
        r = rand[g.index]
        out[code] = {
            "screened": len(g),
            "eligible": int(g["eligible"].sum()),
            "randomized": int(r.sum()),
            **{f"arm_{a}": int((r & (g["arm"] == a)).sum()) for a in ARMS},
        }
    return out


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 15), dt.date(2026, 3, 31)])
@pytest.mark.parametrize("centers", [ALL, ("PKU",), ("SH1", "SMU3")])
def test_recruitment_counts_match_pandas(db_url, demo_trial, as_of, centers):
    trial, _ = demo_trial
    scope = Scope(centers, as_of)
    got = queries.recruitment_counts(TrialDb(db_url), scope, ARMS)
    got_dict = {
        r["center_id"]: {k: v for k, v in r.items() if k != "center_id"}
        for r in got.to_dict("records")
    }
    assert got_dict == expected_counts(trial.tables["subjects"], scope)


def test_dates_and_types_are_parsed(db_url):
    df = queries.randomizations_by_day(TrialDb(db_url), Scope(ALL, dt.date(2026, 11, 15)))
    assert str(df["randomized_on"].dtype).startswith("datetime64")
    assert str(df["n"].dtype) == "Int64"
    centers = queries.center_list(TrialDb(db_url))
    assert str(centers["activated_on"].dtype).startswith("datetime64")
    assert centers["center_id"].tolist() == ["PKU", "SH1", "SMU3"]


def test_arm_filter_and_as_of(db_url, demo_trial):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    scope = Scope(ALL, dt.date(2026, 6, 30), arms=("RFA_PVA_SBRT",))
    df = queries.randomizations_by_day(TrialDb(db_url), scope)
    want = s[(s["arm"] == "RFA_PVA_SBRT") & (s["randomized_on"] <= dt.date(2026, 6, 30))]
    assert int(df["n"].sum()) == len(want)
    assert set(df["arm"]) == {"RFA_PVA_SBRT"}


def test_screen_failures_by_reason(db_url, demo_trial):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    fails = s[~s["eligible"].astype(bool)]
    df = queries.screen_failures(TrialDb(db_url), Scope(ALL, dt.date(2026, 11, 15)))
    want = fails.groupby(["center_id", "screen_failure_reason"]).size()
    got = df.set_index(["center_id", "reason"])["n"].astype(int)
    assert got.sort_index().tolist() == want.sort_index().tolist()


def test_sqlite_and_postgres_give_identical_frames(sqlite_url, pg_url):
    scope = Scope(ALL, dt.date(2026, 11, 15))
    for query in (
        lambda db: queries.recruitment_counts(db, scope, ARMS),
        lambda db: queries.randomizations_by_day(db, scope),
        lambda db: queries.screen_failures(db, scope),
        lambda db: queries.center_list(db),
    ):
        pd.testing.assert_frame_equal(query(TrialDb(sqlite_url)), query(TrialDb(pg_url)))
    assert queries.trial_as_of(TrialDb(pg_url)) == dt.date(2026, 11, 15)


def test_row_cap(sqlite_url):
    with pytest.raises(queries.RowCapExceeded):
        queries.randomizations_by_day(
            TrialDb(sqlite_url, row_cap=3), Scope(ALL, dt.date(2026, 11, 15))
        )

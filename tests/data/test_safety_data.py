"""Safety numbers on the demo database, against plain pandas on the generated tables."""

import datetime as dt

import pytest

from dashboard.summary import safety_section
from data_access.queries import TrialDb
from data_access.scope import Scope

D = dt.date(2026, 11, 15)


@pytest.mark.parametrize("centers", [("SH1", "SMU3", "PKU"), ("PKU",)])
def test_safety_counts_match_the_tables(db_url, demo_trial, protocol, centers):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    rand = s[s["randomized_on"].notna() & s["center_id"].isin(centers)]
    ae = trial.tables["adverse_events"].merge(
        rand[["subject_id", "arm", "center_id"]], on="subject_id"
    )
    out = safety_section(TrialDb(db_url), protocol, Scope(centers, D))
    for arm in protocol.arm_codes:
        mine = ae[ae["arm"] == arm]
        graded = mine[mine["grade"].between(1, 5)]
        got = out["by_arm"][arm]
        assert got["subjects"] == int((rand["arm"] == arm).sum())
        assert got["events"] == len(mine)
        assert got["any_ae"] == mine["subject_id"].nunique()
        assert got["grade3plus"] == graded[graded["grade"] >= 3]["subject_id"].nunique()
        assert got["serious"] == mine[mine["serious"].astype(bool)]["subject_id"].nunique()
        fatal = (mine["grade"] == 5) | (mine["outcome"] == "fatal")
        assert got["fatal"] == mine[fatal]["subject_id"].nunique()
    for code in centers:
        mine = ae[ae["center_id"] == code]
        assert out["by_center"][code]["any_ae"] == mine["subject_id"].nunique()
    assert out["ungradable_events"] == int((~ae["grade"].between(1, 5)).sum())

"""Randomization numbers on the demo database, against plain pandas on the generated tables."""

import datetime as dt

import pytest

from dashboard.summary import randomization_section
from data_access.queries import TrialDb
from data_access.scope import Scope

A, B = "RFA_PVA", "RFA_PVA_SBRT"
D = dt.date(2026, 11, 15)


@pytest.mark.parametrize("centers", [("SH1", "SMU3", "PKU"), ("PKU",)])
def test_consort_and_balance_match_the_tables(db_url, demo_trial, protocol, centers):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    s = s[s["center_id"].isin(centers)]
    rand = s[s["randomized_on"].notna()]
    sbrt_ids = set(trial.tables["sbrt_courses"]["subject_id"])
    a = trial.tables["assessments"]
    out = randomization_section(TrialDb(db_url), protocol, Scope(centers, D))
    c = out["consort"]
    assert (c["assessed"], c["randomized"], c["excluded"]) == (
        len(s),
        len(rand),
        len(s) - len(rand),
    )
    fails = s[~s["eligible"].astype(bool)]["screen_failure_reason"].value_counts().to_dict()
    waiting = int((s["eligible"].astype(bool) & s["randomized_on"].isna()).sum())
    if waiting:
        fails["eligible, not randomized"] = waiting
    assert c["excluded_reasons"] == fails
    for arm in (A, B):
        mine = rand[rand["arm"] == arm]
        assert c["allocated"][arm] == len(mine)
        with_m3 = a[(a["visit_code"] == "M3") & (a["assessed_on"] <= D)]["subject_id"]
        assert c["with_m3"][arm] == int(mine["subject_id"].isin(set(with_m3)).sum())
        died = int((mine["off_study_reason"] == "died").sum())
        assert c["off_study"][arm].get("died", 0) == died
    # The RFA/PVA arm "received" its treatment when it got no SBRT.
    assert c["not_received_allocated"][A] == int(
        rand[rand["arm"] == A]["subject_id"].isin(sbrt_ids).sum()
    )
    for code in centers:
        mine = rand[rand["center_id"] == code]
        assert out["by_center"][code] == {
            A: int((mine["arm"] == A).sum()),
            B: int((mine["arm"] == B).sum()),
        }
        assert abs(out["balance"][code]["difference"]) <= 2  # permuted blocks of 2 and 4


def test_planted_sbrt_departures_are_found(sqlite_url, demo_trial, protocol):
    trial, _ = demo_trial
    out = randomization_section(TrialDb(sqlite_url), protocol, Scope(protocol.center_codes, D))
    planted_sbrt = [p for p in trial.planted if p.category == "sbrt"]
    assert len(planted_sbrt) == 3
    assert out["sbrt"]["departures"] >= 3
    assert out["sbrt"]["other_arm_with_sbrt"] >= 1

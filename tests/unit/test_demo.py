import datetime as dt

import pandas as pd

from data_access.demo import DEFAULT_AS_OF, build_demo_trial


def test_same_seed_same_trial_other_seed_other_trial():
    a, b = build_demo_trial(seed=5), build_demo_trial(seed=5)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    c = build_demo_trial(seed=6)
    assert not a.tables["subjects"].equals(c.tables["subjects"])


def test_demo_is_mid_recruitment_and_realistic():
    trial = build_demo_trial()
    s = trial.tables["subjects"]
    randomized = s[s["randomized_on"].notna()]
    assert 0.60 * 120 <= len(randomized) <= 0.80 * 120
    # Every center recruits, at different speeds, after its activation.
    act = trial.tables["centers"].set_index("center_id")["activated_on"]
    assert act.nunique() == 3
    for code, group in randomized.groupby("center_id"):
        assert group["randomized_on"].min() >= act[code]
    assert randomized.groupby("center_id").size().nunique() == 3
    # Screen failures carry reasons; the randomized have an arm; nothing after the data date
    # except the one planted future date.
    fails = s[~s["eligible"].astype(bool)]
    assert len(fails) > 0 and fails["screen_failure_reason"].notna().all()
    assert randomized["arm"].isin(["RFA_PVA", "RFA_PVA_SBRT"]).all()
    assert s["arm"][s["randomized_on"].isna()].isna().all()
    assert (s["randomized_on"].dropna() <= DEFAULT_AS_OF).all()
    # A palliative population: deaths and withdrawals happen.
    reasons = set(s["off_study_reason"].dropna())
    assert {"died", "withdrew"} <= reasons or {"died", "lost_to_follow_up"} <= reasons
    for name in ("sbrt_courses", "assessments", "imaging", "adverse_events", "deviations"):
        assert len(trial.tables[name]) > 0, name


def test_permuted_blocks_keep_each_center_within_two():
    s = build_demo_trial(seed=11).tables["subjects"].dropna(subset=["randomized_on"])
    for _, group in s.groupby("center_id"):
        order = group.sort_values(["randomized_on", "subject_id"])
        diff = (order["arm"] == "RFA_PVA").astype(int) - (order["arm"] == "RFA_PVA_SBRT")
        assert diff.cumsum().abs().max() <= 2


def test_planted_problems_are_in_the_data():
    trial = build_demo_trial()
    s = trial.tables["subjects"].set_index("subject_id")
    kinds = {(p.category, p.what.split(" ")[0]) for p in trial.planted}
    assert {c for c, _ in kinds} == {"eligibility", "range", "dates", "sbrt"}
    for p in trial.planted:
        if p.what.startswith("baseline NRS 3"):
            assert s.at[p.subject_id, "baseline_nrs"] == 3
        if p.what.startswith("randomized without"):
            assert pd.isna(s.at[p.subject_id, "procedure_on"])
    a = trial.tables["assessments"]
    assert (a["nrs"] > 10).sum() == 1
    assert (a["assessed_on"] > DEFAULT_AS_OF).sum() == 1


def test_scale_multiplies_recruitment():
    small = build_demo_trial(as_of=dt.date(2026, 1, 1), plant_problems=False)
    big = build_demo_trial(as_of=dt.date(2026, 1, 1), scale=10, plant_problems=False)
    ratio = len(big.tables["subjects"]) / len(small.tables["subjects"])
    assert 7 < ratio < 13

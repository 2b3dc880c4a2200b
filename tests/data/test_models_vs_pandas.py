"""Every page model on the demo database (SQLite and PostgreSQL), against plain pandas on the
generated tables: the SQL aggregates and the pandas version of the same definitions agree."""

import datetime as dt

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.metrics.model import to_json
from dashboard.summary import PAGE_MODELS
from data_access.queries import TrialDb
from tests import trials

D = dt.date(2026, 11, 15)
A, B = "RFA_PVA", "RFA_PVA_SBRT"


def model(db_url, protocol, page, centers=None, as_of=D):
    info = trials.scope(protocol, as_of.isoformat(), centers=centers)
    return to_json(PAGE_MODELS[page](TrialDb(db_url), protocol, info))


def randomized(trial, centers=None, as_of=D):
    s = trial.tables["subjects"]
    s = s[s["randomized_on"].notna() & (s["randomized_on"] <= as_of)]
    return s if centers is None else s[s["center_id"].isin(centers)]


@pytest.mark.parametrize("centers", [None, ("PKU",)])
def test_randomization_matches_the_tables(db_url, demo_trial, protocol, centers):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    s = s if centers is None else s[s["center_id"].isin(centers)]
    rand = randomized(trial, centers)
    sbrt_ids = set(trial.tables["sbrt_courses"]["subject_id"])
    a = trial.tables["assessments"]
    out = model(db_url, protocol, "randomization", centers)
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
        m3 = a[(a["visit_code"] == "M3") & (a["assessed_on"] <= D)]["subject_id"]
        assert c["arms"][arm]["visits_done"]["M3"] == int(mine["subject_id"].isin(set(m3)).sum())
        assert c["arms"][arm]["off_study"].get("died", 0) == int(
            (mine["off_study_reason"] == "died").sum()
        )
    # The RFA/PVA arm "received" its treatment when it got no SBRT.
    assert c["arms"][A]["not_received"] == int(
        rand[rand["arm"] == A]["subject_id"].isin(sbrt_ids).sum()
    )
    for code in centers or protocol.center_codes:
        mine = rand[rand["center_id"] == code]
        assert out["by_center"][code] == {
            A: int((mine["arm"] == A).sum()),
            B: int((mine["arm"] == B).sum()),
        }
        assert abs(out["balance"][code]["difference"]) <= 2  # permuted blocks of 2 and 4


def test_outcomes_match_the_tables(db_url, demo_trial, protocol):
    trial, _ = demo_trial
    rand = randomized(trial)[["subject_id", "arm", "baseline_nrs", "baseline_omed_mg"]]
    a = trial.tables["assessments"].merge(rand, on="subject_id")
    a = a[(a["assessed_on"] <= D) & a["nrs"].between(0, 10)]
    pain = model(db_url, protocol, "pain")
    for arm in protocol.arm_codes:
        base = rand[rand["arm"] == arm]["baseline_nrs"]
        base = base[base.between(0, 10)]
        assert pain["nrs"][arm]["baseline"]["n"] == len(base)
        assert pain["nrs"][arm]["baseline"]["value"] == pytest.approx(base.mean())
        for visit in ("W1", "M3"):
            vals = a[(a["arm"] == arm) & (a["visit_code"] == visit)]["nrs"]
            assert pain["nrs"][arm][visit]["n"] == len(vals)
            assert pain["nrs"][arm][visit]["value"] == pytest.approx(vals.mean())
        # Responders at M3, straight from the consensus wording.
        mine = a[(a["arm"] == arm) & (a["visit_code"] == "M3") & a["baseline_nrs"].between(0, 10)]
        both = mine["baseline_omed_mg"].notna() & mine["omed_mg"].notna()
        no_more = mine["omed_mg"] <= mine["baseline_omed_mg"]
        drop = mine["baseline_nrs"] - mine["nrs"]
        omed_down = (mine["baseline_omed_mg"] > 0) & (
            mine["omed_mg"] <= 0.75 * mine["baseline_omed_mg"]
        )
        with_omed = both & (
            ((mine["nrs"] == 0) & no_more)
            | ((drop >= 2) & no_more)
            | (omed_down & (mine["nrs"] <= mine["baseline_nrs"]))
        )
        nrs_only = ~both & ((mine["nrs"] == 0) | (drop >= 2))
        got = pain["responses"][arm]["M3"]
        assert got["n"] == len(mine)
        assert got["responders"]["k"] == int((with_omed | nrs_only).sum())
        assert got["nrs_only"] == int((~both).sum())
    # The planted NRS 12 and PAFI 11 are left out and counted.
    assert pain["excluded_out_of_range"] == 2
    img = trial.tables["imaging"].merge(rand, on="subject_id")
    img = img[img["imaged_on"] <= D]
    lc = model(db_url, protocol, "local_control")
    for arm in protocol.arm_codes:
        for visit in ("W4", "M3"):
            mine = img[(img["arm"] == arm) & (img["visit_code"] == visit)]["mda_response"]
            got = lc["dcr"][arm][visit]
            assert got["controlled"] == int(mine.isin(["CR", "PR", "SD"]).sum())
            assert got["evaluable"] == int(mine.isin(["CR", "PR", "SD", "PD"]).sum())


def treated_arms(trial, protocol, as_of=D):
    """The arm as treated, by the protocol's words, in pandas."""
    rand = randomized(trial)
    courses = trial.tables["sbrt_courses"]
    started = set(courses[courses["started_on"] <= as_of]["subject_id"])
    cutoff = as_of - dt.timedelta(days=protocol.sbrt.missing_after_days)

    def arm(r):
        if r.subject_id in started:
            return B
        if r.arm == B and pd.notna(r.procedure_on) and r.procedure_on < cutoff:
            return A
        return r.arm

    return rand.assign(treated=[arm(r) for r in rand.itertuples()])


@pytest.mark.parametrize("centers", [None, ("PKU",)])
def test_safety_as_treated_matches_the_tables(db_url, demo_trial, protocol, centers):
    trial, _ = demo_trial
    rand = treated_arms(trial, protocol)
    rand = rand if centers is None else rand[rand["center_id"].isin(centers)]
    ae = trial.tables["adverse_events"].merge(
        rand[["subject_id", "treated", "center_id"]], on="subject_id"
    )
    ae = ae[ae["reported_on"].fillna(ae["onset_on"]) <= D]
    # events flagged not treatment-emergent are counted apart, in no table
    history = ae[ae["emergent"].eq(False)]
    ae = ae[~ae["emergent"].eq(False)]
    out = model(db_url, protocol, "safety", centers)
    assert out["not_emergent"] == {
        a: int((history["treated"] == a).sum()) for a in protocol.arm_codes
    }
    assert sum(out["not_emergent"].values()) >= (1 if centers else 3)  # one per center
    assert out["population"] == "as_treated"
    for arm in protocol.arm_codes:
        mine = ae[ae["treated"] == arm]
        graded = mine[mine["grade"].between(1, 5)]
        got = out["by_arm"][arm]
        assert got["subjects"] == int((rand["treated"] == arm).sum())
        assert got["events"] == len(mine)
        assert got["any_ae"] == mine["subject_id"].nunique()
        worst = graded.groupby("subject_id")["grade"].max()
        assert got["grade3plus"] == int((worst >= 3).sum())
        assert got["serious"] == mine[mine["serious"].astype(bool)]["subject_id"].nunique()
        fatal = (mine["grade"] == 5) | (mine["outcome"] == "fatal")
        assert got["fatal"] == mine[fatal]["subject_id"].nunique()
        # By term: each subject once, at the worst valid grade of the term.
        for term, rows in mine.groupby("term"):
            valid = rows[rows["grade"].between(1, 5)].groupby("subject_id")["grade"].max()
            t = out["by_term"][term][arm]
            assert t["any"] == rows["subject_id"].nunique()
            assert t["grade3plus"] == int((valid >= 3).sum())
            assert t["worst"] == {str(g): int((valid == g).sum()) for g in range(1, 6)}
    for code in centers or protocol.center_codes:
        mine = ae[ae["center_id"] == code]
        assert out["by_center"][code]["any_ae"]["k"] == mine["subject_id"].nunique()
    assert out["ungradable_events"] == int((~ae["grade"].between(1, 5)).sum())


EXPECTED_CHECK = {
    "baseline NRS 3": "baseline_nrs_low",
    "treated level T3": "level_outside",
    "3 treated levels": "too_many_levels",
    "imaging 63 days": "imaging_too_early",
    "NRS 12": "nrs_out_of_range",
    "PAFI 11": "pafi_out_of_range",
    "AE grade 0": "grade_out_of_range",
    "assessment 9 days after death": "visit_after_death",
    "assessment dated a year late": "future_date",
    "randomized without a procedure": "randomized_without_day_zero",
    "SBRT 20 Gy": "scheme_not_allowed",
    "SBRT started 38 days": "late_start",
    "SBRT given in the RFA_PVA arm": "sbrt_in_other_arm",
}


def test_every_planted_problem_is_found(db_url, demo_trial, protocol):
    from sqlalchemy import select

    from dashboard.services import rules_of
    from data_access.queries import checks
    from data_access.queries.core import records

    trial, _ = demo_trial
    db = TrialDb(db_url)
    found = records(db, select(checks.findings(rules_of(db, protocol), D)))
    pairs = {(r["subject_id"], r["check"]) for r in found}
    for planted in trial.planted:
        check = next(v for k, v in EXPECTED_CHECK.items() if planted.what.startswith(k))
        assert (planted.subject_id, check) in pairs, planted
    assert not any(r["category"] == "structure" for r in found)
    out = model(db_url, protocol, "data_quality")
    for code in protocol.center_codes:
        for cat in ("eligibility", "range", "dates", "sbrt"):
            want = sum(1 for r in found if r["center_id"] == code and r["category"] == cat)
            assert out["by_center"][code][cat] == want


def test_check_command(sqlite_url, capsys):
    assert main(["check", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "finding(s), checked as of 2026-11-15" in out
    assert "baseline_nrs_low" in out

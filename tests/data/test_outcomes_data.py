"""Outcome numbers on the demo database against plain pandas on the generated tables."""

import datetime as dt

import pytest

from dashboard.summary import outcomes_section
from data_access.queries import TrialDb
from data_access.scope import Scope

D = dt.date(2026, 11, 15)


def test_nrs_means_and_dcr_match_the_tables(db_url, demo_trial, protocol):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    rand = s[s["randomized_on"].notna()][["subject_id", "arm", "baseline_nrs"]]
    a = trial.tables["assessments"].merge(rand, on="subject_id")
    a = a[(a["assessed_on"] <= D) & a["nrs"].between(0, 10)]
    out = outcomes_section(TrialDb(db_url), protocol, Scope(protocol.center_codes, D))
    for arm in protocol.arm_codes:
        base = rand[(rand["arm"] == arm)]["baseline_nrs"]
        base = base[base.between(0, 10)]
        assert out["nrs_n"][arm]["baseline"] == len(base)
        assert out["nrs_mean"][arm]["baseline"] == pytest.approx(base.mean(), abs=1e-3)
        for visit in ("W1", "M3"):
            vals = a[(a["arm"] == arm) & (a["visit_code"] == visit)]["nrs"]
            assert out["nrs_n"][arm][visit] == len(vals)
            assert out["nrs_mean"][arm][visit] == pytest.approx(vals.mean(), abs=1e-3)
    img = trial.tables["imaging"].merge(rand, on="subject_id")
    img = img[img["imaged_on"] <= D]
    for arm in protocol.arm_codes:
        for visit in ("W4", "M3"):
            mine = img[(img["arm"] == arm) & (img["visit_code"] == visit)]["mda_response"]
            got = out["dcr"][arm][visit]
            assert got["controlled"] == int(mine.isin(["CR", "PR", "SD"]).sum())
            assert got["evaluable"] == int(mine.isin(["CR", "PR", "SD", "PD"]).sum())
    # The planted NRS 12 and PAFI 11 are left out and counted.
    assert out["excluded_out_of_range"] == 2


def test_responders_count_by_the_definition(sqlite_url, demo_trial, protocol):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    a = trial.tables["assessments"].merge(
        s[s["randomized_on"].notna()][["subject_id", "arm", "baseline_nrs", "baseline_omed_mg"]],
        on="subject_id",
    )
    a = a[(a["assessed_on"] <= D) & (a["visit_code"] == "M3") & a["nrs"].between(0, 10)]
    out = outcomes_section(TrialDb(sqlite_url), protocol, Scope(protocol.center_codes, D))
    for arm in protocol.arm_codes:
        mine = a[(a["arm"] == arm) & a["baseline_nrs"].between(0, 10)]
        # Complete or partial, straight from the consensus wording.
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
        got = out["pain_responders"][arm]["M3"]
        assert got["n"] == len(mine)
        assert got["responders"] == int((with_omed | nrs_only).sum())
        assert got["nrs_only"] == int((~both).sum())

"""Every planted data problem of the demo is found by the checks, on SQLite and PostgreSQL."""

import datetime as dt

from dashboard.cli import main
from dashboard.services import load_data_quality
from dashboard.summary import data_quality_section
from data_access.queries import TrialDb
from data_access.scope import Scope

D = dt.date(2026, 11, 15)
EXPECTED_CHECK = {
    "baseline NRS 3": "baseline_nrs_low",
    "treated level T3": "level_outside",
    "3 treated levels": "too_many_levels",
    "imaging 63 days": "imaging_too_early",
    "NRS 12": "nrs_out_of_range",
    "PAFI 11": "pafi_out_of_range",
    "AE grade 0": "grade_out_of_range",
    "assessment 9 days after death": "visit_after_death",
    "assessment dated 40 days": "future_date",
    "randomized without a procedure": "randomized_without_procedure",
    "SBRT 20 Gy": "scheme_not_allowed",
    "SBRT started 38 days": "late_start",
    "SBRT given in the RFA_PVA arm": "sbrt_in_other_arm",
}


def test_every_planted_problem_is_found(db_url, demo_trial, protocol):
    trial, _ = demo_trial
    report = load_data_quality(TrialDb(db_url), protocol, Scope(protocol.center_codes, D))
    found = set(zip(report.findings["subject_id"], report.findings["check"], strict=True))
    for planted in trial.planted:
        check = next(v for k, v in EXPECTED_CHECK.items() if planted.what.startswith(k))
        assert (planted.subject_id, check) in found, planted
    assert report.structure_checked
    assert not (report.findings["category"] == "structure").any()


def test_center_filter_and_summary(sqlite_url, protocol):
    pku = load_data_quality(TrialDb(sqlite_url), protocol, Scope(("PKU",), D))
    assert set(pku.findings["center_id"]) <= {"PKU"}
    assert not pku.structure_checked
    section = data_quality_section(TrialDb(sqlite_url), protocol, Scope(protocol.center_codes, D))
    allf = load_data_quality(TrialDb(sqlite_url), protocol, Scope(protocol.center_codes, D))
    for code in protocol.center_codes:
        mine = allf.findings[allf.findings["center_id"] == code]
        for cat in ("eligibility", "range", "dates", "sbrt"):
            assert section["by_center"][code][cat] == int((mine["category"] == cat).sum())


def test_check_command(sqlite_url, capsys):
    assert main(["check", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "finding(s), checked as of 2026-11-15" in out
    assert "baseline_nrs_low" in out

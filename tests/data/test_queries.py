"""The aggregate queries: against plain pandas on the generated frames, and identical on
SQLite and PostgreSQL (every aggregate the pages read, as of two dates)."""

import datetime as dt

import pytest

from dashboard.services import arm_rule, planned_visits, rules_of
from data_access.queries import TrialDb, checks, outcomes, randomization, recruitment, safety
from data_access.queries import visits as vq
from data_access.queries.core import RowCapExceeded

ALL = ("SH1", "SMU3", "PKU")
ARMS = ("RFA_PVA", "RFA_PVA_SBRT")


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 15), dt.date(2026, 3, 31)])
def test_recruitment_counts_match_pandas(db_url, demo_trial, as_of):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    s = s[s["screened_on"] <= as_of]
    rand = s["randomized_on"].notna() & (s["randomized_on"] <= as_of)
    got = recruitment.recruitment_counts(TrialDb(db_url), ALL, as_of)
    for code in ALL:
        mine = [r for r in got if r["center_id"] == code]
        g = s[s["center_id"] == code]
        assert sum(r["screened"] for r in mine) == len(g)
        assert sum(r["eligible"] for r in mine) == int(g["eligible"].sum())
        for arm in ARMS:
            want = int((rand[g.index] & (g["arm"] == arm)).sum())
            assert sum(r["randomized"] for r in mine if r["arm"] == arm) == want


def test_dates_and_types_are_parsed(db_url):
    rows = recruitment.randomizations_by_day(TrialDb(db_url), ALL, dt.date(2026, 11, 15))
    assert all(isinstance(r["randomized_on"], dt.date) and isinstance(r["n"], int) for r in rows)
    act = recruitment.activations(TrialDb(db_url))
    assert sorted(act) == ["PKU", "SH1", "SMU3"]
    assert all(isinstance(v, dt.date) for v in act.values())


def test_screen_failures_by_reason(db_url, demo_trial):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    fails = s[~s["eligible"].astype(bool)]
    got = recruitment.screen_failures(TrialDb(db_url), ALL, dt.date(2026, 11, 15))
    want = fails.groupby(["center_id", "screen_failure_reason"]).size().to_dict()
    assert {(r["center_id"], r["reason"]): r["n"] for r in got} == want


def _aggregates(db, protocol, as_of):
    rule, plan = arm_rule(protocol), planned_visits(protocol)
    codes, visits = protocol.center_codes, protocol.visit_codes
    return {
        "recruitment": recruitment.recruitment_counts(db, codes, as_of),
        "by_day": recruitment.randomizations_by_day(db, codes, as_of),
        "failures": recruitment.screen_failures(db, codes, as_of),
        "baseline": randomization.baseline_histograms(db, codes, as_of),
        "consort": randomization.consort_counts(db, codes, as_of, rule),
        "visits_done": randomization.visits_done(db, codes, as_of),
        "delivery": randomization.delivery_counts(db, codes, as_of, rule),
        "missing": randomization.delivery_missing(db, codes, as_of, rule),
        "states": vq.state_counts(db, codes, as_of, rule, plan),
        "missed": vq.missed_by_month(db, codes, as_of, rule, plan),
        "values": outcomes.value_counts(db, codes, as_of, visits),
        "responses": outcomes.pain_responses(db, codes, as_of, visits),
        "change": outcomes.nrs_change_sums(db, codes, as_of, visits),
        "mda": outcomes.mda_counts(db, codes, as_of, visits),
        "times": outcomes.progression_times(db, codes, as_of, rule),
        "denominators": safety.denominators(db, codes, as_of, rule),
        "overview": safety.subject_overview(db, codes, as_of, rule),
        "terms": safety.worst_by_term(db, codes, as_of, rule),
        "interest": safety.events_of_interest(db, codes, as_of, rule, protocol.events_of_interest),
        "onset": safety.onset_days(db, codes, as_of, rule, protocol.events_of_interest),
        "lags": safety.reporting_lags(db, codes, as_of, rule),
        "findings": checks.finding_counts(db, rules_of(db, protocol), as_of),
        "deviations": checks.deviation_counts(db, codes, as_of),
    }


def _canonical(rows):
    def key(r):
        return tuple((k, "" if v is None else str(v)) for k, v in sorted(r.items()))

    normal = [{k: round(v, 9) if isinstance(v, float) else v for k, v in r.items()} for r in rows]
    return sorted(normal, key=key)


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 15), dt.date(2026, 3, 31)])
def test_sqlite_and_postgres_give_identical_aggregates(sqlite_url, pg_url, protocol, as_of):
    lite = _aggregates(TrialDb(sqlite_url), protocol, as_of)
    pg = _aggregates(TrialDb(pg_url), protocol, as_of)
    for name in lite:
        assert lite[name], name  # every aggregate has rows on the demo
        assert _canonical(lite[name]) == _canonical(pg[name]), name


def test_row_cap(sqlite_url):
    with pytest.raises(RowCapExceeded):
        recruitment.randomizations_by_day(
            TrialDb(sqlite_url, row_cap=3), ALL, dt.date(2026, 11, 15)
        )


def test_one_pass_of_the_visit_engine_equals_the_two_queries(db_url, protocol):
    """What the visits page reads (one pass) is exactly state_counts and missed_by_month."""
    db, as_of = TrialDb(db_url), dt.date(2026, 11, 15)
    rule, plan, codes = arm_rule(protocol), planned_visits(protocol), protocol.center_codes
    states, missed = vq.state_and_missed_counts(db, codes, as_of, rule, plan)
    assert _canonical(states) == _canonical(vq.state_counts(db, codes, as_of, rule, plan))
    assert _canonical(missed) == _canonical(vq.missed_by_month(db, codes, as_of, rule, plan))


def test_counts_from_the_keys_equal_the_counting_query(db_url, protocol):
    """The data-quality page counts its findings from the one list of keys (the checks run
    once); the counts equal those of the counting query over the same checks."""
    db, as_of = TrialDb(db_url), dt.date(2026, 11, 15)
    rules = rules_of(db, protocol)
    from_keys = checks.counts_of_keys(checks.finding_keys(db, rules, as_of))
    assert _canonical(from_keys) == _canonical(checks.finding_counts(db, rules, as_of))
    assert sum(r["n"] for r in from_keys) > 0

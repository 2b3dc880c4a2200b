"""The visit engine on the demo database, against a plain loop over the protocol's definition."""

import datetime as dt
from collections import Counter

import pytest

from dashboard.services import load_visits
from dashboard.summary import visits_section
from data_access.queries import TrialDb
from data_access.scope import Scope


def oracle(trial, protocol, as_of, centers):
    """Visit states by the words of PROTOCOL.md, one subject and visit at a time."""
    s = trial.tables["subjects"]
    a = trial.tables["assessments"]
    first = {}
    for r in a.itertuples():
        if r.assessed_on <= as_of:
            key = (r.subject_id, r.visit_code)
            first[key] = min(first.get(key, r.assessed_on), r.assessed_on)
    counts = Counter()
    for r in s.itertuples():
        if r.center_id not in centers or r.randomized_on is None or r.randomized_on > as_of:
            continue
        off = r.off_study_on if r.off_study_on is not None and r.off_study_on <= as_of else None
        for v in protocol.visits:
            if r.procedure_on is None:
                counts[(r.center_id, "no_day_zero")] += 1
                continue
            target = r.procedure_on + dt.timedelta(days=v.day)
            opens = target - dt.timedelta(days=v.window_before)
            closes = target + dt.timedelta(days=v.window_after)
            done = first.get((r.subject_id, v.code))
            if done is not None:
                state = "done_early" if done < opens else "done_late" if done > closes else "done"
            elif off is not None and off < opens:
                state = "not_expected"
            elif closes < as_of or off is not None:
                state = "missed"
            elif opens <= as_of:
                state = "due"
            else:
                state = "upcoming"
            counts[(r.center_id, state)] += 1
    return counts


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 15), dt.date(2026, 4, 30)])
def test_engine_matches_the_definition_on_the_demo(db_url, demo_trial, protocol, as_of):
    trial, _ = demo_trial
    centers = protocol.center_codes
    report = load_visits(TrialDb(db_url), protocol, Scope(centers, as_of))
    got = Counter()
    for r in report.schedule.itertuples():
        got[(r.center_id, r.state)] += 1
    assert got == oracle(trial, protocol, as_of, centers)


def test_summary_visits_section(sqlite_url, demo_trial, protocol):
    trial, _ = demo_trial
    as_of = dt.date(2026, 11, 15)
    want = oracle(trial, protocol, as_of, protocol.center_codes)
    section = visits_section(TrialDb(sqlite_url), protocol, Scope(protocol.center_codes, as_of))
    for code in protocol.center_codes:
        done = sum(want[(code, s)] for s in ("done", "done_early", "done_late"))
        missed = want[(code, "missed")]
        c = section["by_center"][code]
        assert (c["done"], c["missed"], c["due"], c["not_expected"]) == (
            done,
            missed,
            want[(code, "due")],
            want[(code, "not_expected")],
        )
        assert c["compliance"] == pytest.approx(done / (done + missed), abs=1e-4)
    assert list(section["by_visit"]) == ["W1", "W2", "W4", "M3", "M6", "M12"]
    # The planted subject without a procedure date is counted, not crashed on.
    assert section["overall"]["no_day_zero"] == 6


def test_worklist_holds_only_the_scope(sqlite_url, protocol):
    report = load_visits(TrialDb(sqlite_url), protocol, Scope(("PKU",), dt.date(2026, 11, 15)))
    assert set(report.worklist["center_id"]) <= {"PKU"}
    assert set(report.worklist["state"]) <= {"due", "missed", "no_day_zero"}

"""The visit engine on the demo database, against a plain loop over the protocol's definition."""

import datetime as dt
from collections import Counter

import pytest

from dashboard.services import arm_rule, planned_visits, visits_page_model
from data_access.queries import TrialDb
from data_access.queries.visits import state_counts
from tests import trials


def oracle(trial, protocol, as_of, centers, on_study_only=False):
    """Visit states by the words of PROTOCOL.md, one subject and visit at a time.

    `on_study_only`: subjects who left the study by the date left out (the worklist's rows).
    """
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
        if on_study_only and off is not None:
            continue
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
    rows = state_counts(
        TrialDb(db_url), centers, as_of, arm_rule(protocol), planned_visits(protocol)
    )
    got = Counter()
    for r in rows:
        got[(r["center_id"], r["state"])] += r["n"]
    assert got == oracle(trial, protocol, as_of, centers)


def test_visits_model_on_the_demo(db_url, demo_trial, protocol):
    trial, _ = demo_trial
    as_of = dt.date(2026, 11, 15)
    want = oracle(trial, protocol, as_of, protocol.center_codes)
    m = visits_page_model(TrialDb(db_url), protocol, trials.scope(protocol, as_of.isoformat()))
    for code in protocol.center_codes:
        done = sum(want[(code, s)] for s in ("done", "done_early", "done_late"))
        missed = want[(code, "missed")]
        c = m.by_center[code]
        assert (c.done, c.missed, c.due, c.not_expected) == (
            done,
            missed,
            want[(code, "due")],
            want[(code, "not_expected")],
        )
        assert c.compliance == pytest.approx(done / (done + missed))
    assert list(m.by_visit) == ["W1", "W2", "W4", "M3", "M6", "M12"]
    # The planted subject without a procedure date is counted, not crashed on.
    assert (m.overall.no_day_zero, m.no_day_zero_subjects) == (6, 1)


def test_worklist_holds_only_the_scope(sqlite_url, protocol):
    from data_access.queries.core import records
    from data_access.queries.visits import worklist_select

    rows = records(
        TrialDb(sqlite_url),
        worklist_select(
            ("PKU",), dt.date(2026, 11, 15), arm_rule(protocol), planned_visits(protocol)
        ),
    )
    assert rows and {r["center_id"] for r in rows} == {"PKU"}
    assert {r["state"] for r in rows} <= {"due", "missed", "no_day_zero"}

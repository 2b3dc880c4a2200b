"""The visit engine (SQL) and the visits page model on hand-made subjects, states by hand.

Day 0 = 2026-01-01. W1: day 7 ±2 -> window 01-06..01-10 (target 01-08).
W4: day 28 ±7 -> window 01-22..02-05 (target 01-29). As of 2026-03-01 unless said.
"""

import datetime as dt

import pytest
from sqlalchemy import select

from dashboard.services import arm_rule, planned_visits, visits_page_model
from data_access.queries.core import records
from data_access.queries.visits import visit_states, worklist_select
from tests import trials

AS_OF = "2026-03-01"
D = dt.date(2026, 3, 1)


def subject(sid, center, rand, proc, off=None, arm="A"):
    return trials.subject(
        sid,
        center,
        "2026-01-01",
        rand,
        arm if rand else None,
        procedure_on=proc,
        off_study_on=off,
        off_study_reason="died" if off else None,
    )


P = trials.protocol(
    centers=(("X", 5, "2026-01-01", "2026-12-31"), ("Y", 5, "2026-01-01", "2026-12-31")),
    arms=("A", "B"),
    visits=(("W1", 7, 2, 2, ("nrs",)), ("W4", 28, 7, 7, ("nrs",))),
)
SUBJECTS = [
    subject("S1", "X", "2026-01-02", "2026-01-01"),
    subject("S2", "X", "2026-01-02", "2026-01-01"),
    subject("S3", "X", "2026-01-02", "2026-01-01", "2026-01-21"),  # died before W4 opens
    subject("S4", "Y", "2026-01-02", "2026-01-01", "2026-01-23"),  # died after W4 opened
    subject("S5", "Y", "2026-02-28", "2026-02-27"),  # randomized the day before the data date
    subject("S6", "Y", "2026-01-02", None),  # no procedure date
    subject("S7", "Y", "2026-01-02", "2026-01-01", arm="B"),
    subject("S8", "Y", None, None),  # screened, never randomized: not scheduled
]


def seen(sid, visit, on):
    return {"subject_id": sid, "visit_code": visit, "assessed_on": on, "nrs": 3}


ASSESSMENTS = [
    seen("S1", "W1", "2026-01-06"),  # first day of the window
    seen("S1", "W4", "2026-02-05"),  # last day of the window
    seen("S2", "W1", "2026-01-05"),  # one day early
    seen("S2", "W4", "2026-02-06"),  # one day late
    seen("S4", "W1", "2026-01-08"),
    seen("S7", "W1", "2026-01-09"),
    seen("S7", "W4", "2026-03-05"),  # after the as-of date: not known yet
]
ROWS = {"centers": trials.centers("X", "Y"), "subjects": SUBJECTS, "assessments": ASSESSMENTS}


def states(db, as_of=D):
    st = visit_states(P.center_codes, as_of, arm_rule(P), planned_visits(P))
    got = records(db, select(st), dates=["target_on", "opens_on", "closes_on"])
    return {(r["subject_id"], r["visit_code"]): r for r in got}


@pytest.fixture(scope="module")
def db(make_db):
    return make_db(ROWS, AS_OF)


def test_edge_case_states(db):
    got = states(db)
    assert {k: r["state"] for k, r in got.items()} == {
        ("S1", "W1"): "done",
        ("S1", "W4"): "done",
        ("S2", "W1"): "done_early",
        ("S2", "W4"): "done_late",
        ("S3", "W1"): "missed",
        ("S3", "W4"): "not_expected",
        ("S4", "W1"): "done",
        ("S4", "W4"): "missed",
        ("S5", "W1"): "upcoming",
        ("S5", "W4"): "upcoming",
        ("S6", "W1"): "no_day_zero",
        ("S6", "W4"): "no_day_zero",
        ("S7", "W1"): "done",
        ("S7", "W4"): "missed",
    }
    w4 = got[("S1", "W4")]
    assert (w4["opens_on"], w4["target_on"], w4["closes_on"]) == (
        dt.date(2026, 1, 22),
        dt.date(2026, 1, 29),
        dt.date(2026, 2, 5),
    )


def test_due_window_and_a_death_not_known_yet(make_db):
    rows = {
        "centers": trials.centers("X", "Y"),
        "subjects": [subject("A", "X", "2026-01-02", "2026-01-01", "2026-02-20")],
    }
    db = make_db(rows, "2026-01-25")
    # 2026-01-25: W1 closed without visit (missed); W4 window open, target not reached yet.
    got = states(db, dt.date(2026, 1, 25))
    assert {k[1]: r["state"] for k, r in got.items()} == {"W1": "missed", "W4": "due"}
    # 2026-02-01: 3 days past the W4 target, still due (the death on 02-20 is not known yet).
    work = records(
        db, worklist_select(P.center_codes, dt.date(2026, 2, 1), arm_rule(P), planned_visits(P))
    )
    due = [r for r in work if r["state"] == "due"]
    assert [(r["visit_code"], r["days_overdue"]) for r in due] == [("W4", 3)]
    # Left during the open W4 window (died 01-24, as of 01-30): missed, not due.
    rows["subjects"] = [subject("A", "X", "2026-01-02", "2026-01-01", "2026-01-24")]
    db = make_db(rows, "2026-01-30")
    assert states(db, dt.date(2026, 1, 30))[("A", "W4")]["state"] == "missed"


def test_compliance_counts_by_hand(db):
    m = visits_page_model(db, P, trials.scope(P, AS_OF))
    x, y = m.by_center["X"], m.by_center["Y"]
    # X: S1 done 2, S2 early + late, S3 missed 1 + not expected 1 -> 4 done / (4 + 1).
    assert (x.done, x.missed, x.not_expected) == (4, 1, 1)
    assert x.compliance == pytest.approx(4 / 5)
    # Y: S4 done + missed, S5 upcoming x2, S6 no day 0 x2, S7 done + missed -> 2 / 4.
    assert (y.done, y.missed, y.upcoming, y.no_day_zero) == (2, 2, 2, 2)
    assert y.compliance == pytest.approx(0.5) and y.small_n is True  # 4 expected < 5
    # W1: done S1, S2 (early), S4, S7; missed S3 -> 4 / 5. W4: 2 / 4.
    assert m.by_visit["W1"].compliance == pytest.approx(4 / 5)
    assert m.by_visit["W4"].compliance == pytest.approx(2 / 4)
    assert m.overall.compliance == pytest.approx(6 / 9)
    assert (m.randomized, m.no_day_zero_subjects) == (7, 1)
    # By arm: S7 is in arm B: W1 done, W4 missed -> 1 / 2; the rest in A: 5 / 7.
    assert m.by_arm["B"].compliance == pytest.approx(1 / 2)
    assert m.by_arm["A"].compliance == pytest.approx(5 / 7)
    # Missed visits by the month their window closed: S3 W1 (Jan, X), S4 and S7 W4 (Feb, Y).
    months = dict(
        zip(
            m.missed_by_month.months,
            zip(*m.missed_by_month.by_center.values(), strict=True),
            strict=True,
        )
    )
    assert months[dt.date(2026, 1, 1)] == (1, 0) and months[dt.date(2026, 2, 1)] == (0, 2)
    # Missed visits of subjects who have left since: S3 W1 (X), S4 W4 (Y).
    assert (x.missed_left, y.missed_left) == (1, 1)
    # The worklist holds the due and missed visits of subjects still on study (S7 W4) and the
    # visits of subjects without day 0 (S6 W1, W4): S3 and S4 died, nothing to chase.
    assert m.worklist_rows == 1 + 2


def test_worklist_order(db):
    work = records(
        db,
        worklist_select(P.center_codes, D, arm_rule(P), planned_visits(P)).order_by(
            "priority", "urgency", "center_id", "subject_id", "visit_order"
        ),
    )
    # Missed (S7 W4: 31 days past target), then no day 0. S3 and S4 died (their missed
    # visits stay in compliance, but no one can recover them): not on the worklist.
    assert [(r["subject_id"], r["visit_code"], r["state"]) for r in work] == [
        ("S7", "W4", "missed"),
        ("S6", "W1", "no_day_zero"),
        ("S6", "W4", "no_day_zero"),
    ]
    assert work[0]["days_overdue"] == 31


def test_arm_filter_and_swimmer(db):
    m = visits_page_model(db, P, trials.scope(P, AS_OF, arms=["B"]))
    assert m.randomized == 1 and m.overall.done == 1 and m.overall.missed == 1
    sw = m.swimmer
    assert [s.subject_id for s in sw.subjects] == ["S7"]
    # S7 is on study to the data date: 59 days after day 0; W1 done on day 8; W4 missed.
    s7 = sw.subjects[0]
    assert s7.end_day == 59
    assert [(v.visit_code, v.day, v.state) for v in s7.visits] == [
        ("W1", 8, "done"),
        ("W4", 28, "missed"),
    ]
    # The committee's model carries no subject lines.
    assert visits_page_model(db, P, trials.scope(P, AS_OF), identifiers=False).swimmer is None


def test_death_during_an_open_window(make_db):
    # Visits W1 day 7 +-2, W2 day 14 -5/+3 (opens day 9), W4 day 28 +-7 (opens day 21).
    # Day 0 2026-01-01; W1 done on day 7; died on day 10 (2026-01-11), W2's window open.
    p = trials.protocol(
        centers=(("X", 5, "2026-01-01", "2026-12-31"),),
        visits=(
            ("W1", 7, 2, 2, ("nrs",)),
            ("W2", 14, 5, 3, ("nrs",)),
            ("W4", 28, 7, 7, ("nrs",)),
        ),
    )
    rows = {
        "centers": trials.centers("X"),
        "subjects": [subject("D", "X", "2026-01-02", "2026-01-01", "2026-01-11", arm="X")],
        "assessments": [seen("D", "W1", "2026-01-08")],
    }
    db = make_db(rows, "2026-03-01")
    m = visits_page_model(db, p, trials.scope(p, "2026-03-01"))
    # W2: on study when its window opened (day 9 <= 10), no visit: missed; W4 opened after
    # the death (day 21): not expected. Compliance 1 done of 1 + 1 expected = 50%.
    assert (m.by_visit["W2"].missed, m.by_visit["W4"].not_expected) == (1, 1)
    assert m.overall.compliance == pytest.approx(1 / 2)
    assert m.overall.missed_left == 1
    # Nobody can recover W2: not on the worklist.
    assert m.worklist_rows == 0
    work = records(
        db, worklist_select(p.center_codes, dt.date(2026, 3, 1), arm_rule(p), planned_visits(p))
    )
    assert work == []


def test_due_in_days_before_the_target(make_db):
    # W4 day 28 +-7: on 2026-01-26 (day 25) the window is open, the target 3 days ahead.
    rows = {
        "centers": trials.centers("X", "Y"),
        "subjects": [subject("A", "X", "2026-01-02", "2026-01-01")],
        "assessments": [seen("A", "W1", "2026-01-08")],
    }
    db = make_db(rows, "2026-01-26")
    work = records(
        db, worklist_select(P.center_codes, dt.date(2026, 1, 26), arm_rule(P), planned_visits(P))
    )
    assert [(r["visit_code"], r["state"], r["days_overdue"]) for r in work] == [("W4", "due", -3)]

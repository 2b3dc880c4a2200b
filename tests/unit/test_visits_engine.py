"""The visit engine on hand-made subjects whose states were worked out by hand.

Day 0 = 2026-01-01. W1: day 7 ±2 -> window 01-06..01-10 (target 01-08).
W4: day 28 ±7 -> window 01-22..02-05 (target 01-29). As of 2026-03-01 unless said.
"""

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.visits import (
    flagged_subjects,
    missed_by_month,
    state_counts,
    visit_schedule,
    worklist,
)
from dashboard.protocol import Visit

W1 = Visit("W1", "Week 1", 7, 2, 2, ("nrs",))
W4 = Visit("W4", "Week 4", 28, 7, 7, ("nrs",))
D = dt.date(2026, 3, 1)


def ts(s):
    return pd.Timestamp(s) if s else pd.NaT


def subjects(*rows):
    return pd.DataFrame(
        [
            {
                "subject_id": sid,
                "center_id": c,
                "arm": "A",
                "randomized_on": ts(r),
                "procedure_on": ts(p),
                "off_study_on": ts(off),
            }
            for sid, c, r, p, off in rows
        ]
    )


def assessments(*rows):
    return pd.DataFrame(
        [{"subject_id": s, "visit_code": v, "assessed_on": ts(on)} for s, v, on in rows],
        columns=["subject_id", "visit_code", "assessed_on"],
    )


def states(schedule):
    return {(r.subject_id, r.visit_code): r.state for r in schedule.itertuples()}


SUBJECTS = subjects(
    ("S1", "X", "2026-01-02", "2026-01-01", None),
    ("S2", "X", "2026-01-02", "2026-01-01", None),
    ("S3", "X", "2026-01-02", "2026-01-01", "2026-01-21"),  # died the day before W4 opens
    ("S4", "Y", "2026-01-02", "2026-01-01", "2026-01-23"),  # died the day after W4 opened
    ("S5", "Y", "2026-02-28", "2026-02-27", None),  # randomized yesterday
    ("S6", "Y", "2026-01-02", None, None),  # no procedure date
    ("S7", "Y", "2026-01-02", "2026-01-01", None),
    ("S8", "Y", None, None, None),  # screened, never randomized: not scheduled
)
ASSESSMENTS = assessments(
    ("S1", "W1", "2026-01-06"),  # first day of the window
    ("S1", "W4", "2026-02-05"),  # last day of the window
    ("S2", "W1", "2026-01-05"),  # one day early
    ("S2", "W4", "2026-02-06"),  # one day late
    ("S4", "W1", "2026-01-08"),
    ("S7", "W1", "2026-01-09"),
    ("S7", "W1", "2026-01-07"),  # two assessments for one visit
    ("S7", "W4", "2026-03-05"),  # after the as-of date: not known yet
)


def test_edge_case_states():
    sched = visit_schedule(SUBJECTS, ASSESSMENTS, [W1, W4], D)
    assert states(sched) == {
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
    s7 = sched[(sched.subject_id == "S7") & (sched.visit_code == "W1")].iloc[0]
    assert s7.assessed_on == pd.Timestamp("2026-01-07") and s7.duplicates == 1
    w4 = sched[(sched.subject_id == "S1") & (sched.visit_code == "W4")].iloc[0]
    assert (w4.opens_on, w4.target_on, w4.closes_on) == (
        pd.Timestamp("2026-01-22"),
        pd.Timestamp("2026-01-29"),
        pd.Timestamp("2026-02-05"),
    )
    # Missed visits are overdue by D - target: S3 W1 target 01-08 -> 52 days.
    s3 = sched[(sched.subject_id == "S3") & (sched.visit_code == "W1")].iloc[0]
    assert s3.days_overdue == (D - dt.date(2026, 1, 8)).days == 52


def test_due_window_and_future_death():
    subj = subjects(("A", "X", "2026-01-02", "2026-01-01", "2026-02-20"))
    # 2026-01-25: W1 closed without visit (missed); W4 window open, target not reached yet.
    sched = visit_schedule(subj, assessments(), [W1, W4], dt.date(2026, 1, 25))
    assert states(sched) == {("A", "W1"): "missed", ("A", "W4"): "due"}
    assert sched.set_index("visit_code").at["W4", "days_overdue"] == 0
    # 2026-02-01: 3 days past the W4 target, still due (the death on 02-20 is not known yet).
    sched = visit_schedule(subj, assessments(), [W1, W4], dt.date(2026, 2, 1))
    assert sched.set_index("visit_code").at["W4", "days_overdue"] == 3
    assert states(sched)[("A", "W4")] == "due"


def test_left_during_open_window_is_missed_not_due():
    subj = subjects(("A", "X", "2026-01-02", "2026-01-01", "2026-01-24"))
    sched = visit_schedule(subj, assessments(), [W4], dt.date(2026, 1, 30))
    assert states(sched) == {("A", "W4"): "missed"}


def test_compliance_counts_by_hand():
    sched = visit_schedule(SUBJECTS, ASSESSMENTS, [W1, W4], D)
    by_center = state_counts(sched, ["center_id"]).set_index("center_id")
    # X: S1 done 2, S2 early+late, S3 missed 1 + not expected 1 -> 4 done / (4 + 1).
    x = by_center.loc["X"]
    assert (x.done_any, x.missed, x.not_expected) == (4, 1, 1)
    assert x.compliance == pytest.approx(4 / 5)
    # Y: S4 done+missed, S5 upcoming x2, S6 no day 0 x2, S7 done+missed -> 2 / 4.
    y = by_center.loc["Y"]
    assert (y.done_any, y.missed, y.upcoming, y.no_day_zero) == (2, 2, 2, 2)
    assert y.compliance == pytest.approx(0.5)
    by_visit = state_counts(sched, ["visit_code"]).set_index("visit_code")
    # W1: done S1, S2 (early), S4, S7; missed S3 -> 4 / 5.
    assert by_visit.loc["W1", "compliance"] == pytest.approx(4 / 5)
    assert by_visit.loc["W4", "compliance"] == pytest.approx(2 / 4)
    overall = state_counts(sched, [])
    assert overall.iloc[0]["compliance"] == pytest.approx(6 / 9)


def test_compliance_undefined_without_done_or_missed():
    subj = subjects(("A", "X", "2026-02-28", "2026-02-27", None))
    counts = state_counts(visit_schedule(subj, assessments(), [W1], D), ["center_id"])
    assert pd.isna(counts.iloc[0]["compliance"])


def test_worklist_missed_by_month_and_flags():
    sched = visit_schedule(SUBJECTS, ASSESSMENTS, [W1, W4], D)
    work = worklist(sched)
    # Missed: most recent first (S4/S7 W4: 31 days past target, S3 W1: 52), then no day 0.
    assert list(zip(work.subject_id, work.visit_code, work.state, strict=True)) == [
        ("S4", "W4", "missed"),
        ("S7", "W4", "missed"),
        ("S3", "W1", "missed"),
        ("S6", "W1", "no_day_zero"),
        ("S6", "W4", "no_day_zero"),
    ]
    # Due visits come first, the most overdue first.
    subj = subjects(
        ("A", "X", "2026-01-02", "2026-01-01", None), ("B", "X", "2026-01-04", "2026-01-03", None)
    )
    work = worklist(visit_schedule(subj, assessments(), [W4], dt.date(2026, 2, 2)))
    assert list(zip(work.subject_id, work.days_overdue, strict=True)) == [("A", 4), ("B", 2)]
    months = missed_by_month(sched)
    # S3 W1 closed 01-10 (January); S4 W4 and S7 W4 closed 02-05 (February).
    got = {(r.month.strftime("%Y-%m"), r.center_id): r.n for r in months.itertuples()}
    assert got == {("2026-01", "X"): 1, ("2026-02", "Y"): 2}
    flags = flagged_subjects(sched)
    assert sorted(map(tuple, flags.fillna("").values.tolist())) == [
        ("S6", "no_day_zero", ""),
        ("S7", "duplicate_assessment", "W1"),
    ]


def test_nothing_randomized():
    sched = visit_schedule(SUBJECTS.iloc[-1:], assessments(), [W1], D)
    assert sched.empty
    assert state_counts(sched, ["center_id"]).empty

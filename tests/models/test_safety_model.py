"""The safety page model on 7 hand-made subjects and 14 events, counts by hand.

Arms X and Y, no delivery check: the arm as treated is `actual_arm` where recorded. a1..a4 in
X, b1, b2 in Y; a5 was randomized to X but treated in Y (recorded). Centers: C1 = a1, a2, b1;
C2 = a3, a4, b2, a5. Day 0 = 2026-01-01, data date 2026-06-01.
"""

import datetime as dt

import pytest

from dashboard.services import safety_page_model
from tests import trials

P = trials.protocol(
    centers=(("C1", 5, "2026-01-01", "2026-12-31"), ("C2", 5, "2026-01-01", "2026-12-31")),
    safety={
        "events_of_interest": {
            "pain_flare": ["Back pain"],
            "fracture": ["Spinal fracture", "Vertebral fracture"],
        }
    },
)
AS_OF = "2026-06-01"
MSK = "Musculoskeletal"
SUBJECTS = {
    "a1": ("C1", "X"),
    "a2": ("C1", "X"),
    "a3": ("C2", "X"),
    "a4": ("C2", "X"),
    "b1": ("C1", "Y"),
    "b2": ("C2", "Y"),
    "a5": ("C2", "X"),
}
EVENTS = [
    # subject, term, soc, grade, serious, onset, reported, outcome
    ("a1", "Back pain", MSK, 1, False, "2026-01-05", "2026-01-07", "recovered"),
    ("a1", "Back pain", MSK, 2, False, "2026-01-20", "2026-01-21", "recovered"),
    ("a1", "Back pain", MSK, 3, False, "2026-02-10", "2026-02-20", "recovered"),
    ("a1", "Spinal fracture", "Injury", 2, True, "2026-03-01", "2026-03-03", "recovering"),
    ("a2", "Back pain", MSK, 1, False, "2026-01-10", "2026-01-10", "recovered"),
    ("a3", "Disease progression", "General", 4, True, "2026-03-01", "2026-03-02", None),
    ("a3", "Disease progression", "General", 5, True, "2026-04-01", "2026-04-02", "fatal"),
    ("a4", "Nausea", "GI", 1, False, "2026-05-30", "2026-06-05", None),  # reported later
    ("b1", "Esophagitis", "GI", 2, False, "2026-01-25", "2026-02-24", "recovered"),
    ("b1", "Back pain", MSK, 0, False, "2026-01-26", None, "recovered"),  # grade 0: ungradable
    ("b2", "Anemia", "Blood", 3, False, "2026-02-01", "2026-02-05", None),
    ("b2", "Lung infection", "Infections", 2, False, "2026-02-10", "2026-02-11", None),
    ("b2", "Lung infection", "Infections", 4, False, "2026-03-10", "2026-03-20", None),
    ("a5", "Lung infection", "Infections", 3, False, "2026-02-15", "2026-02-16", None),
]
ROWS = {
    "centers": trials.centers("C1", "C2"),
    "subjects": [
        trials.subject(
            sid,
            c,
            "2026-01-01",
            "2026-01-02",
            arm,
            procedure_on="2026-01-01",
            actual_arm="Y" if sid == "a5" else None,
        )
        for sid, (c, arm) in SUBJECTS.items()
    ],
    "adverse_events": [
        {
            "ae_id": i,
            "subject_id": s,
            "term": term,
            "soc": soc,
            "grade": g,
            "serious": ser,
            "onset_on": on,
            "reported_on": rep,
            "outcome": out,
        }
        for i, (s, term, soc, g, ser, on, rep, out) in enumerate(EVENTS, start=1)
    ],
}


@pytest.fixture(scope="module")
def model(make_db):
    return safety_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF))


def test_worst_grade_per_subject_and_term(model):
    t = model.by_term
    # Back pain: a1 worst 3 (of 1, 2, 3), a2 worst 1; in Y b1's only event has no valid grade.
    bp = t["Back pain"]
    assert (bp["X"].any, bp["X"].grade3plus) == (2, 1)
    assert bp["X"].worst == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 0}
    assert (bp["Y"].any, bp["Y"].grade3plus, bp["Y"].ungraded) == (1, 0, 1)
    # Disease progression: a3 worst grade 5 (of 4 and 5): grade >= 3 counts grades 3, 4, 5.
    dp = t["Disease progression"]["X"]
    assert (dp.any, dp.grade3plus, dp.worst["5"], dp.worst["4"]) == (1, 1, 1, 0)
    # Lung infection in Y: b2 worst 4 (of 2 and 4), a5 (treated in Y) 3 -> both >= 3.
    li = t["Lung infection"]["Y"]
    assert (li.any, li.grade3plus, li.worst["3"], li.worst["4"]) == (2, 2, 1, 1)
    assert t["Anemia"]["Y"].grade3plus == 1 and t["Spinal fracture"]["X"].worst["2"] == 1
    assert "Nausea" not in t  # reported after the data date
    assert model.term_soc["Back pain"] == MSK


def test_overview_counts_subjects_as_treated(model):
    x, y = model.by_arm["X"], model.by_arm["Y"]
    # X: a1..a4 (n 4). Any AE: a1, a2, a3. Worst >= 3: a1 (3), a3 (5). SAE: a1, a3. Fatal: a3.
    assert (x.subjects, x.any_ae, x.grade3plus, x.serious, x.fatal) == (4, 3, 2, 2, 1)
    assert x.events == 4 + 1 + 2
    # Y: b1, b2 and a5 (treated in Y). Worst >= 3: b2 (4), a5 (3); b1's grade 0 is not 2+.
    assert (y.subjects, y.any_ae, y.grade3plus, y.serious, y.fatal) == (3, 3, 2, 0, 0)
    assert y.events == 2 + 3 + 1
    assert model.population == "as_treated" and model.ungradable_events == 1
    assert (model.total.subjects, model.total.any_ae) == (7, 6)


def test_events_of_interest_centers_and_lag(model):
    flare = model.interest["pain_flare"]
    # X: a1 (worst 3) and a2 -> 2 subjects, 1 with grade >= 3, 4 events. Y: b1 (ungraded).
    assert (flare["X"].subjects, flare["X"].grade3plus, flare["X"].events) == (2, 1, 4)
    assert (flare["Y"].subjects, flare["Y"].grade3plus) == (1, 0)
    assert model.interest["fracture"]["X"].subjects == 1
    c1, c2 = model.by_center["C1"], model.by_center["C2"]
    # C1: a1, a2, b1 all with an AE; SAE a1. C2: a3, b2, a5 of 4; SAE a3.
    assert (c1.subjects, c1.any_ae.k, c1.serious.k) == (3, 3, 1)
    assert (c2.subjects, c2.any_ae.k, c2.serious.k) == (4, 3, 1)
    assert model.pooled is not None and model.pooled.any_ae.k == 6
    # C1 lags: 2, 1, 10, 2, 0, 30 days and one without a report date; the last report is
    # a1's fracture on 03-03 (90 days before the data date).
    lag1 = model.lag["C1"]
    assert (lag1.events, lag1.no_report_date, lag1.median) == (7, 1, 2.0)
    assert lag1.days_since_last_report == (dt.date(2026, 6, 1) - dt.date(2026, 3, 3)).days == 90
    # C2: 1, 1, 4, 1, 10, 1 -> median 1; last report 04-02 (60 days).
    assert (model.lag["C2"].median, model.lag["C2"].days_since_last_report) == (1.0, 60)


def test_a_site_sees_its_center_only(make_db):
    m = safety_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF, allowed=["C1"]))
    assert set(m.by_center) == {"C1"} and m.pooled is None
    assert (m.by_arm["X"].subjects, m.by_arm["Y"].subjects) == (2, 1)

"""The randomization page model on a hand-made trial of 10 screened people, numbers by hand.

Protocol: centers A and B, arms X and Y 1:1 in permuted blocks of 2 and 4 (so a center's arm
counts may differ by at most 4/2 = 2), SBRT in arm Y: allowed 30 Gy / 5, late after day 28,
missing after 42 days. Day 0 = the procedure. Data date 2026-03-01, so a subject of arm Y
without SBRT whose procedure was before 2026-01-18 never got it.
"""

import pytest

from dashboard.services import randomization_page_model
from tests import trials

P = trials.protocol(
    centers=(("A", 6, "2026-01-01", "2026-12-31"), ("B", 4, "2026-01-01", "2026-12-31")),
    blocks=(2, 4),
    sbrt={
        "arm": "Y",
        "allowed_schemes": [[30.0, 5]],
        "planned_start_day": 14,
        "late_start_day": 28,
        "missing_after_days": 42,
    },
)
AS_OF = "2026-03-01"
S = trials.subject


def subject(sid, center, screened, rand, arm, proc, age, sex, tumor, nrs, levels, imaging, **kw):
    return S(
        sid,
        center,
        screened,
        rand,
        arm,
        procedure_on=proc,
        age_years=age,
        sex=sex,
        primary_tumor=tumor,
        baseline_nrs=nrs,
        treated_levels=levels,
        baseline_imaging_on=imaging,
        **kw,
    )


ROWS = {
    "centers": trials.centers("A", "B"),
    "subjects": [
        subject(
            "A-1",
            "A",
            "2026-01-01",
            "2026-01-05",
            "X",
            "2026-01-04",
            60,
            "F",
            "lung",
            6,
            "T10",
            "2025-12-20",
        ),
        subject(
            "A-2",
            "A",
            "2026-01-02",
            "2026-01-06",
            "Y",
            "2026-01-05",
            70,
            "M",
            "breast",
            8,
            "L1,L2",
            "2025-12-01",
        ),
        subject(
            "A-3",
            "A",
            "2026-01-03",
            "2026-01-07",
            "X",
            "2026-01-06",
            50,
            "F",
            "lung",
            4,
            "T12,L1",
            "2025-12-28",
        ),
        subject(
            "A-4",
            "A",
            "2026-01-04",
            "2026-01-08",
            "Y",
            "2026-01-07",
            65,
            "M",
            "prostate",
            7,
            "T8",
            "2026-01-01",
            off_study_on="2026-02-10",
            off_study_reason="died",
        ),
        subject(
            "A-5",
            "A",
            "2026-01-05",
            "2026-01-09",
            "Y",
            "2026-01-08",
            None,
            None,
            None,
            5,
            None,
            None,
        ),
        S("A-6", "A", "2026-01-06", eligible=False, screen_failure_reason="declined consent"),
        subject(
            "B-1",
            "B",
            "2026-02-01",
            "2026-02-05",
            "X",
            "2026-02-04",
            55,
            "F",
            "kidney",
            9,
            "L3",
            "2026-02-01",
            off_study_on="2026-02-25",
            off_study_reason="lost_to_follow_up",
        ),
        subject(
            "B-2",
            "B",
            "2026-02-02",
            "2026-02-06",
            "Y",
            "2026-02-05",
            58,
            "M",
            "lung",
            6,
            "L4",
            "2026-01-30",
        ),
        S("B-3", "B", "2026-02-03"),  # eligible, not randomized (yet)
        S("B-4", "B", "2026-03-05"),  # screened after the data date: not counted
    ],
    "sbrt_courses": [
        # day 14 (01-19 - 01-05), allowed scheme, completed: received.
        {
            "subject_id": "A-2",
            "started_on": "2026-01-19",
            "completed_on": "2026-01-25",
            "fractions": 5,
            "total_dose_gy": 30.0,
        },
        # A-3 is in arm X: SBRT outside its arm (and so treated as Y).
        {
            "subject_id": "A-3",
            "started_on": "2026-01-20",
            "completed_on": "2026-01-26",
            "fractions": 5,
            "total_dose_gy": 30.0,
        },
        # day 43 (02-20 - 01-08): late, and 24 Gy / 4 is not allowed; not completed.
        {"subject_id": "A-5", "started_on": "2026-02-20", "fractions": 4, "total_dose_gy": 24.0},
    ],
    "assessments": [
        {"subject_id": "A-1", "visit_code": "V2", "assessed_on": "2026-02-01", "nrs": 3},
        {"subject_id": "A-2", "visit_code": "V2", "assessed_on": "2026-02-02", "nrs": 2},
        {"subject_id": "B-1", "visit_code": "V1", "assessed_on": "2026-02-11", "nrs": 5},
    ],
}


@pytest.fixture(scope="module")
def model(make_db):
    return randomization_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF))


def test_balance_against_the_blocks(model):
    # A: X = A-1, A-3; Y = A-2, A-4, A-5. B: X = B-1; Y = B-2.
    assert model.by_center == {"A": {"X": 2, "Y": 3}, "B": {"X": 1, "Y": 1}}
    a, b, pooled = model.balance["A"], model.balance["B"], model.balance["pooled"]
    assert (a.difference, a.bound, a.exceeds_blocks) == (-1, 2, False)
    # Exact binomial, 2 of 5 under p = 1/2: P(<= 2) + P(>= 3) = 1.
    assert a.p_value == pytest.approx(1.0) and a.test == "binomial_exact"
    assert (b.difference, b.bound) == (0, 2)
    # Two strata: the bound adds up (2 + 2); 3 of 7 under p = 1/2 gives p = 1.
    assert (pooled.counts, pooled.difference, pooled.bound) == ({"X": 3, "Y": 4}, -1, 4)
    assert pooled.p_value == pytest.approx(1.0)
    assert model.largest_difference == "A" and model.beyond_bounds == ()
    assert model.randomized == 7


def test_consort_by_hand(model):
    c = model.consort
    # Screened by the date: A-1..A-6 and B-1..B-3; 7 randomized.
    assert (c.assessed, c.excluded, c.randomized) == (9, 2, 7)
    assert c.excluded_reasons == {"declined consent": 1, "eligible, not randomized": 1}
    assert c.allocated == {"X": 3, "Y": 4}
    x, y = c.arms["X"], c.arms["Y"]
    # X: A-3 got SBRT (not the allocated treatment); A-1, B-1 received it.
    assert (x.received, x.not_received, x.pending) == (2, 1, 0)
    assert x.off_study == {"lost_to_follow_up": 1} and x.left == 1
    # Y: started SBRT; A-4 never did (procedure 01-07, before 01-18); B-2 still can.
    assert (y.received, y.not_received, y.pending) == (2, 1, 1)
    assert y.off_study == {"died": 1}
    # Follow-up boxes count the last visit (the headline one here, no visit from 3 months on).
    assert c.followed_visits == ("V2",)
    assert x.visits_done == {"V1": 1, "V2": 1} and y.visits_done == {"V1": 0, "V2": 1}
    # Not received, by what happened instead: A-3 (X) was treated as Y; A-4 (Y) never got
    # SBRT and counts as treated without it (X).
    assert x.not_received_as == {"Y": 1} and y.not_received_as == {"X": 1}
    # Analysed at V2 (day 28 -7/+7, the last visit: no headline visit is set and none is at
    # three months or later). X: A-1 done; A-3 missed (window closed 02-10); B-1 left on day
    # 21, the day the window opened (on study then): missed. Y: A-2 done; A-4 died on day 34,
    # in the window: missed; A-5 missed (closed 02-12); B-2's window opened 02-26: not yet due.
    assert c.analysis_visit == "V2"
    assert (x.analysed, x.not_analysed) == (1, {"missed": 2})
    assert (y.analysed, y.not_analysed) == (1, {"missed": 2, "not_yet": 1})


def test_delivery_by_hand(model):
    d = model.delivery
    assert (d.arm, d.arm_n, d.completed, d.pending) == ("Y", 4, 1, 1)
    # 2 of 4 started: below 5, no interval (small n).
    assert (d.started.k, d.started.n, d.started.low, d.started.small_n) == (2, 4, None, True)
    assert sorted((s.center_id, s.scheme, s.n) for s in d.schemes) == [
        ("A", "30 Gy / 5", 1),
        ("A", "other", 1),
    ]
    assert [(x.day, x.n, x.late) for x in d.start_days["A"]] == [(14, 1, False), (43, 1, True)]
    assert d.departures == {
        "sbrt_in_other_arm": 1,
        "scheme_not_allowed": 1,
        "late_start": 1,
        "no_sbrt": 1,
    }
    assert d.departures_total == 4


def test_table_one_by_hand(model):
    t1 = model.table_one
    assert t1.sizes == {"X": 3, "Y": 4, "total": 7}
    var = {v.variable: v for v in t1.variables}
    age = var["age"].summaries
    # X: 50, 55, 60 -> mean 55, SD 5, median 55, quartiles (numpy's linear) 52.5 and 57.5.
    assert (age["X"].n, age["X"].mean, age["X"].sd) == (3, 55.0, pytest.approx(5.0))
    assert (age["X"].median, age["X"].q1, age["X"].q3) == (55.0, 52.5, 57.5)
    # Y: 58, 65, 70 and one missing.
    assert (age["Y"].n, age["Y"].missing) == (3, 1)
    assert age["Y"].mean == pytest.approx(193 / 3)
    assert (age["Y"].median, age["Y"].q1, age["Y"].q3) == (65.0, 61.5, 67.5)
    # Total: 50 55 58 60 65 70: median 59; quartiles at positions 1.25 and 3.75.
    assert (age["total"].median, age["total"].q1, age["total"].q3) == (59.0, 55.75, 63.75)
    sex = var["sex"].counts
    assert (sex["F"]["X"].k, sex["M"]["Y"].k, sex["missing"]["Y"].k) == (3, 3, 1)
    levels = var["levels_n"].counts
    assert {lv: levels[lv]["X"].k for lv in ("1", "2", "3+")} == {"1": 2, "2": 1, "3+": 0}
    assert levels["missing"]["total"].k == 1
    region = var["region"].counts
    assert region["thoracolumbar"]["X"].k == 1 and region["lumbar"]["Y"].k == 2
    days = var["imaging_days"].summaries
    # X: 16, 10, 4 days; Y: 36, 7, 7 and one missing.
    assert (days["X"].mean, days["X"].median) == (10.0, 10.0)
    assert (days["Y"].n, days["Y"].missing, days["Y"].median) == (3, 1, 7.0)
    # Variables nobody has (PAFI, OMED) are left out, not shown as empty.
    assert "baseline_pafi" not in var and "baseline_omed" not in var


def test_a_site_user_sees_no_pooled_row(make_db):
    db = make_db(ROWS, AS_OF)
    m = randomization_page_model(db, P, trials.scope(P, AS_OF, allowed=["B"]))
    assert set(m.balance) == {"B"} and not m.scope.all_centers
    assert m.consort.randomized == 2

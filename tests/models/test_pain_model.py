"""The pain & function page model on 9 hand-made subjects, numbers by hand.

Arms X (6 subjects) and Y (3). Day 0 = 2026-01-01. V2 (day 28) collects NRS, OMED, PAFI.
Baselines (NRS, OMED, PAFI) and V2 values are chosen so that each response rule fires once;
three values are out of range (left out and counted).
"""

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from dashboard.metrics.outcomes import pain_response
from dashboard.services import pain_page_model
from tests import trials

P = trials.protocol(
    centers=(("A", 10, "2026-01-01", "2026-12-31"),),
    visits=(("V1", 7, 2, 2, ("nrs", "omed")), ("V2", 28, 7, 7, ("nrs", "omed", "pafi"))),
)
AS_OF = "2026-06-01"
BASE = {  # subject: arm, baseline NRS, OMED, PAFI
    "X1": ("X", 6, 30, 5),
    "X2": ("X", 6, 30, 5),
    "X3": ("X", 6, 40, 4),
    "X4": ("X", 7, 0, 6),
    "X5": ("X", 8, None, 5),
    "X6": ("X", 5, 20, 11),  # PAFI 11: out of range
    "Y1": ("Y", 6, 30, 5),
    "Y2": ("Y", 7, 40, 4),
    "Y3": ("Y", 12, 30, 5),  # NRS 12: out of range
}
V2 = {  # subject: NRS, OMED, PAFI at V2, and the response worked out by hand
    "X1": (0, 30, 8),  # complete: NRS 0, OMED not up
    "X2": (4, 30, 7),  # partial: NRS down 2, OMED not up
    "X3": (8, 40, 4),  # progression: NRS up 2, OMED stable
    "X4": (7, 5, 6),  # progression: from OMED 0 any opioid is +25%, NRS stable
    "X5": (5, 20, 6),  # partial, NRS alone (no baseline OMED)
    "X6": (11, 20, 5),  # NRS 11: out of range, not assessable
    "Y1": (3, 20, 6),  # partial: NRS down 3, OMED down
    "Y2": (7, 50, 4),  # progression: OMED up exactly 25%, NRS stable
    "Y3": (5, 30, 6),  # baseline NRS out of range: not assessable (its NRS 5 counts)
}
ROWS = {
    "centers": trials.centers("A"),
    "subjects": [
        trials.subject(
            sid,
            "A",
            "2026-01-01",
            "2026-01-02",
            arm,
            procedure_on="2026-01-01",
            baseline_nrs=nrs,
            baseline_omed_mg=omed,
            baseline_pafi=pafi,
        )
        for sid, (arm, nrs, omed, pafi) in BASE.items()
    ],
    "assessments": [
        {
            "subject_id": sid,
            "visit_code": "V2",
            "assessed_on": "2026-01-29",
            "nrs": nrs,
            "omed_mg": omed,
            "pafi": pafi,
        }
        for sid, (nrs, omed, pafi) in V2.items()
    ]
    + [
        {
            "subject_id": "X1",
            "visit_code": "V1",
            "assessed_on": "2026-01-08",
            "nrs": 2,
            "omed_mg": 30,
        }
    ],
}


@pytest.fixture(scope="module")
def model(make_db):
    return pain_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF))


def test_nrs_means_and_intervals(model):
    x, y = model.nrs["X"]["V2"], model.nrs["Y"]["V2"]
    # X: 0, 4, 8, 7, 5 (X6's 11 left out) -> 24 / 5.
    assert (x.n, x.value) == (5, pytest.approx(4.8))
    # A bootstrap interval stays within the observed values, here 0..8.
    assert 0 <= x.low < 4.8 < x.high <= 8 and not x.small_n
    # Against a plain bootstrap of the same five values (independent route, other seed).
    rng = np.random.default_rng(99)
    means = rng.choice([0, 4, 8, 7, 5], size=(200_000, 5)).mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    assert x.low == pytest.approx(lo, abs=0.15) and x.high == pytest.approx(hi, abs=0.15)
    # Y: 3, 7, 5 -> 5.0 from n = 3: shown, no interval, marked small n.
    assert (y.n, y.value, y.low, y.high, y.small_n) == (3, 5.0, None, None, True)
    # Baselines: X 6, 6, 6, 7, 8, 5; Y 6, 7 (Y3's 12 left out).
    assert model.nrs["X"]["baseline"].value == pytest.approx(38 / 6)
    assert (model.nrs["Y"]["baseline"].n, model.nrs["Y"]["baseline"].value) == (2, 6.5)
    assert model.excluded_out_of_range == 3


def test_responses_by_hand(model):
    x, y = model.responses["X"]["V2"], model.responses["Y"]["V2"]
    assert (x.n, x.complete, x.partial, x.progression, x.indeterminate) == (5, 1, 2, 2, 0)
    assert x.nrs_only == 1 and model.nrs_only == 1
    assert (x.responders.k, x.responders.n) == (3, 5)
    assert (x.responders.low, x.responders.high) == pytest.approx(
        proportion_confint(3, 5, method="beta")
    )
    assert (y.n, y.partial, y.progression) == (2, 1, 1)
    assert y.responders.small_n and y.responders.low is None  # 1 of 2: no interval


def test_sql_rules_agree_with_the_python_rules(model):
    # The page counts categories computed in SQL; the same rows through the Python rules.
    want: dict[tuple[str, str], int] = {}
    for sid, (nrs, omed, _) in V2.items():
        arm, b, big_o, _ = BASE[sid]
        if not (0 <= nrs <= 10 and 0 <= b <= 10):
            continue
        cat, _ = pain_response(b, nrs, big_o, omed)
        want[(arm, cat)] = want.get((arm, cat), 0) + 1
    for arm in ("X", "Y"):
        r = model.responses[arm]["V2"]
        for cat in ("complete", "partial", "indeterminate", "progression"):
            assert getattr(r, cat) == want.get((arm, cat), 0)


def test_omed_median_and_pafi(model):
    omed = model.omed["X"]["V2"]
    # 5, 20, 20, 30, 30, 40 -> median 25; n = 6: ranks 1 and 6 give [5, 40] (coverage 96.9%).
    assert (omed.value, omed.low, omed.high, omed.method) == (
        25.0,
        5.0,
        40.0,
        "median_order_statistics",
    )
    assert model.omed["Y"]["V2"].small_n  # 20, 50, 30: n = 3
    # PAFI X at V2: 8, 7, 4, 6, 6, 5 -> 6.0 (X6's baseline 11 is left out, its V2 5 counts).
    assert model.pafi["X"]["V2"].value == pytest.approx(6.0)
    assert model.pafi["X"]["baseline"].n == 5


def test_change_difference_and_bands(model):
    # Change at V2: X -6, -2, +2, 0, -3 (mean -1.8); Y -3, 0 (mean -1.5): Y - X = +0.3,
    # from 2 subjects in Y: no interval.
    c = model.change["Y"]["V2"]
    assert (c.n_reference, c.n_arm) == (5, 2)
    assert c.difference.value == pytest.approx(0.3) and c.difference.low is None
    # Severity bands at V2 for X: 0 none, 4 moderate, 5 moderate, 7 severe, 8 severe.
    assert model.bands["X"]["V2"] == {"none": 1, "mild": 0, "moderate": 2, "severe": 2}
    assert model.randomized == {"X": 6, "Y": 3}


def test_arm_filter(make_db):
    m = pain_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF, arms=["Y"]))
    assert m.arms == ("Y",) and set(m.nrs) == {"Y"} and m.change == {}


BOUNDARIES = [  # baseline NRS, visit NRS, baseline OMED, visit OMED -> (category, NRS alone)
    (6, 0, 30, 30),
    (6, 0, 30, 31),
    (6, 4, 30, 30),
    (6, 5, 30, 30),
    (6, 6, 40, 30),
    (6, 6, 40, 31),
    (6, 7, 40, 30),
    (6, 8, 40, 40),
    (6, 8, 40, 30),
    (6, 6, 40, 50),
    (6, 7, 40, 50),
    (6, 8, 40, 50),
    (6, 6, 40, 49),
    (6, 5, 40, 50),
    (6, 6, 0, 0),
    (6, 6, 0, 5),
    (6, 8, 0, 0),
    (6, 3, 0, 0),
    (2, 0, 0, 0),
    (6, 4, None, 30),
    (6, 8, 30, None),
    (6, 0, None, None),
    (6, 5, None, None),
    (6, 6, 32.5, 40.625),
]


def test_sql_response_rules_at_every_boundary(make_db):
    """Each boundary case of the rules through the SQL the page uses and through Python."""
    from sqlalchemy import select

    from data_access.queries.core import records
    from data_access.queries.outcomes import pain_response_case
    from data_access.schema import assessments, subjects

    rows = {
        "centers": trials.centers("A"),
        "subjects": [
            trials.subject(
                f"B{i}",
                "A",
                "2026-01-01",
                "2026-01-02",
                "X",
                procedure_on="2026-01-01",
                baseline_nrs=b,
                baseline_omed_mg=big_o,
            )
            for i, (b, _, big_o, _) in enumerate(BOUNDARIES)
        ],
        "assessments": [
            {
                "subject_id": f"B{i}",
                "visit_code": "V2",
                "assessed_on": "2026-01-29",
                "nrs": n,
                "omed_mg": o,
            }
            for i, (_, n, _, o) in enumerate(BOUNDARIES)
        ],
    }
    db = make_db(rows, AS_OF)
    stmt = select(assessments.c.subject_id, pain_response_case().label("category")).join_from(
        assessments, subjects, assessments.c.subject_id == subjects.c.subject_id
    )
    got = {r["subject_id"]: r["category"] for r in records(db, stmt)}
    for i, (b, n, big_o, o) in enumerate(BOUNDARIES):
        assert got[f"B{i}"] == pain_response(b, n, big_o, o)[0], BOUNDARIES[i]

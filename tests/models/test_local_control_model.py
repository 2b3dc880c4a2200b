"""The local control page model on 6 hand-made subjects: DCR and a Kaplan-Meier by hand.

Day 0 = 2026-01-01; imaging at V2 (day 28), V3 (day 91) and V4 (day 182).
Arm X: L1 PD at day 28; L5 PD at day 28 (a tie); L3 SD then PD at day 91; L2 SD, SD, censored
at day 91; L4 PR, PR, SD, censored at day 182. Arm Y: L6 only not evaluable (NE) and an
unknown code.
"""

import datetime as dt

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from dashboard.metrics.local_control import kaplan_meier
from dashboard.services import local_control_page_model
from tests import trials

P = trials.protocol(
    centers=(("A", 10, "2026-01-01", "2026-12-31"),),
    visits=(
        ("V2", 28, 7, 7, ("imaging",)),
        ("V3", 91, 14, 14, ("imaging",)),
        ("V4", 182, 21, 21, ("imaging",)),
    ),
    outcomes={"km_risk_months": [0, 3, 6]},
)
AS_OF = "2026-08-01"
DAYS = {"V2": 28, "V3": 91, "V4": 182}
READS = {
    "L1": ("X", {"V2": "PD"}),
    "L2": ("X", {"V2": "SD", "V3": "SD"}),
    "L3": ("X", {"V2": "SD", "V3": "PD"}),
    "L4": ("X", {"V2": "PR", "V3": "PR", "V4": "SD"}),
    "L5": ("X", {"V2": "PD"}),
    "L6": ("Y", {"V2": "NE", "V3": "XX"}),
}
ROWS = {
    "centers": trials.centers("A"),
    "subjects": [
        trials.subject(sid, "A", "2026-01-01", "2026-01-01", arm, procedure_on="2026-01-01")
        for sid, (arm, _) in READS.items()
    ],
    "imaging": [
        {
            "subject_id": sid,
            "visit_code": v,
            "imaged_on": (dt.date(2026, 1, 1) + dt.timedelta(days=DAYS[v])).isoformat(),
            "mda_response": r,
        }
        for sid, (_, reads) in READS.items()
        for v, r in reads.items()
    ],
}


@pytest.fixture(scope="module")
def model(make_db):
    return local_control_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF))


def test_dcr_by_hand(model):
    v2 = model.dcr["X"]["V2"]
    # V2: PD, SD, SD, PR, PD -> controlled 3 of 5 evaluable.
    assert (v2.controlled, v2.evaluable, v2.not_evaluable) == (3, 5, 0)
    assert (v2.rate.low, v2.rate.high) == pytest.approx(proportion_confint(3, 5, method="beta"))
    v3 = model.dcr["X"]["V3"]
    assert (v3.controlled, v3.evaluable, v3.rate.small_n) == (2, 3, True)
    y = model.dcr["Y"]
    assert (y["V2"].evaluable, y["V2"].not_evaluable, y["V2"].rate.value) == (0, 1, None)
    assert y["V3"].counts["other"] == 1
    assert model.images == 5 + 3 + 1 + 2


def test_kaplan_meier_by_hand(model):
    km = model.km["X"]
    steps = {s.day: s for s in km.steps}
    # Day 28: 5 at risk, 2 events -> 3/5. Day 91: 3 at risk (L2, L3, L4), 1 event -> 0.6 * 2/3.
    assert steps[28].survival == pytest.approx(0.6) and steps[28].at_risk == 5
    assert steps[91].survival == pytest.approx(0.4) and (steps[91].events, steps[91].censored) == (
        1,
        1,
    )
    # The curve ends at the last observation (L4 censored at 182) without dropping.
    assert km.last_day == 182 and steps[182].survival == pytest.approx(0.4)
    assert km.censored_days == (91, 182)
    assert (km.subjects, km.events, km.median_days) == (5, 3, 91)
    # At risk at 0, 3 and 6 months (0, 91, 183 days): 5, 3, 0.
    assert km.at_risk == {0: 5, 91: 3, 183: 0}
    # Greenwood log(-log) band at day 28: var = 2 / (5 * 3); worked out to 0.126 .. 0.882.
    assert steps[28].low == pytest.approx(0.1257, abs=1e-3)
    assert steps[28].high == pytest.approx(0.8818, abs=1e-3)
    assert "Y" not in model.km  # no evaluable image in Y


def test_kaplan_meier_agrees_with_lifelines():
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(5)
    days = rng.integers(0, 400, 60)
    events = rng.integers(0, 2, 60)
    counts: dict[tuple[int, int], int] = {}
    for d, e in zip(days, events, strict=True):
        counts[(int(d), int(e))] = counts.get((int(d), int(e)), 0) + 1
    ours = kaplan_meier([(d, e, n) for (d, e), n in counts.items()], [0, 100, 200])
    kmf = KaplanMeierFitter(alpha=0.05).fit(days, events)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    for s in ours.steps:
        assert s.survival == pytest.approx(float(sf.loc[s.day]), abs=1e-9)
        if s.low is not None and 0 < s.survival < 1:
            assert s.low == pytest.approx(float(ci.loc[s.day].iloc[0]), abs=1e-6)
            assert s.high == pytest.approx(float(ci.loc[s.day].iloc[1]), abs=1e-6)
    assert ours.at_risk[100] == int((days >= 100).sum())

"""Pain response, CIs, DCR and Kaplan-Meier on hand-made data; answers worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from dashboard.metrics.local_control import dcr_table, kaplan_meier, mda_counts, time_to_progression
from dashboard.metrics.outcomes import (
    add_pain_response,
    change_difference,
    exact_ci,
    mean_ci,
    pain_response,
    response_table,
    trajectory,
)


@pytest.mark.parametrize(
    ("b", "n", "big_o", "o", "want"),
    [
        (6, 0, 30, 30, "complete"),
        (6, 0, 30, 31, "indeterminate"),  # NRS 0 but OMED went up (by < 25%)
        (6, 4, 30, 30, "partial"),  # NRS -2, no OMED increase
        (6, 5, 30, 30, "indeterminate"),  # NRS -1 only
        (6, 6, 40, 30, "partial"),  # OMED down exactly 25%, NRS not up
        (6, 6, 40, 31, "indeterminate"),  # OMED down 22.5%
        (6, 7, 40, 30, "indeterminate"),  # OMED down 25% but NRS up 1
        (6, 8, 40, 40, "progression"),  # NRS +2, OMED stable
        (6, 8, 40, 30, "indeterminate"),  # NRS +2 but OMED down 25%: not stable
        (6, 6, 40, 50, "progression"),  # OMED up exactly 25%, NRS stable
        (6, 7, 40, 50, "progression"),  # OMED up 25%, NRS +1
        (6, 8, 40, 50, "indeterminate"),  # OMED up 25% and NRS +2: neither rule as written
        (6, 6, 40, 49, "indeterminate"),  # OMED up 22.5%
        (6, 5, 40, 50, "indeterminate"),  # OMED up 25% but NRS down
        (6, 6, 0, 0, "indeterminate"),
        (6, 6, 0, 5, "progression"),  # from no opioid, any opioid is an increase >= 25%
        (6, 8, 0, 0, "progression"),  # NRS +2, OMED stays 0
        (6, 3, 0, 0, "partial"),
        (2, 0, 0, 0, "complete"),
    ],
)
def test_pain_response_with_omed(b, n, big_o, o, want):
    assert pain_response(b, n, big_o, o) == (want, False)


@pytest.mark.parametrize(
    ("b", "n", "big_o", "o", "want"),
    [
        (6, 4, None, 30, "partial"),
        (6, 8, 30, None, "progression"),
        (6, 0, None, None, "complete"),
        (6, 5, None, None, "indeterminate"),
    ],
)
def test_pain_response_nrs_only_is_flagged(b, n, big_o, o, want):
    assert pain_response(b, n, big_o, o) == (want, True)


def test_not_assessable_without_nrs():
    assert pain_response(None, 5, 30, 30) == (None, False)
    assert pain_response(6, float("nan"), 30, 30) == (None, False)


def test_exact_ci_by_hand_and_against_statsmodels():
    # k = 0: upper = 1 - 0.025 ** (1/10); k = n: lower = 0.025 ** (1/10).
    assert exact_ci(0, 10) == pytest.approx((0.0, 1 - 0.025**0.1))
    assert exact_ci(10, 10) == pytest.approx((0.025**0.1, 1.0))
    for k, n in ((3, 17), (25, 40), (1, 2)):
        assert exact_ci(k, n) == pytest.approx(proportion_confint(k, n, method="beta"))
    assert all(math.isnan(x) for x in exact_ci(0, 0))


def test_response_table_counts_and_rates():
    rows = pd.DataFrame(
        {
            "arm": ["A"] * 5 + ["B"] * 2,
            "visit_code": ["M3"] * 7,
            "baseline_nrs": [6, 6, 6, 6, 6, 6, None],
            "nrs": [0, 4, 8, 5, 4, 6, 3],
            "baseline_omed_mg": [30, 30, 40, 30, None, 0, 0],
            "omed_mg": [30, 30, 40, 30, 10, 5, 0],
        }
    )
    table = response_table(add_pain_response(rows), ["M3"]).set_index("arm")
    a = table.loc["A"]
    # A: complete, partial, progression, indeterminate, partial (NRS only).
    assert (a.n, a.complete, a.partial, a.progression, a.indeterminate) == (5, 1, 2, 1, 1)
    assert (a.responders, a.nrs_only) == (3, 1)
    assert (a.ci_low, a.ci_high) == pytest.approx(proportion_confint(3, 5, method="beta"))
    b = table.loc["B"]  # one progression (0 -> 5 mg), one without baseline NRS: not assessable
    assert (b.n, b.progression, b.responders) == (1, 1, 0)


def test_mean_ci_by_hand():
    n, m, lo, hi = mean_ci(pd.Series([2, 4, 6, None]))
    # mean 4, SD 2, SE 2/sqrt(3), t(0.975, 2) = 4.302653
    half = 4.302653 * 2 / math.sqrt(3)
    assert (n, m) == (3, 4.0)
    assert (lo, hi) == pytest.approx((4 - half, 4 + half), abs=1e-5)
    assert mean_ci(pd.Series([5]))[:2] == (1, 5.0)


def test_trajectory_weeks():
    long = pd.DataFrame(
        {"arm": ["A", "A", "A"], "visit_code": ["baseline", "M3", "M3"], "nrs": [6, 2, 4]}
    )
    tr = trajectory(long, "nrs", {"M3": 91}).set_index("visit_code")
    assert tr.loc["baseline", "week"] == 0 and tr.loc["M3", "week"] == 13
    assert tr.loc["M3", "mean"] == 3 and tr.loc["M3", "n"] == 2


def test_change_difference_matches_statsmodels_welch():
    rng = np.random.default_rng(3)
    rows = pd.DataFrame(
        {
            "arm": ["A"] * 12 + ["B"] * 9,
            "visit_code": ["W4"] * 21,
            "baseline_nrs": rng.integers(4, 10, 21),
            "nrs": rng.integers(0, 8, 21),
        }
    )
    diff = change_difference(rows, "A", "B", ["W4", "M3"]).set_index("visit_code")
    assert list(diff.index) == ["W4"]  # no M3 data
    ch = rows["nrs"] - rows["baseline_nrs"]
    a, b = ch[rows.arm == "A"].astype(float), ch[rows.arm == "B"].astype(float)
    lo, hi = CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(usevar="unequal")
    assert diff.loc["W4", "difference"] == pytest.approx(b.mean() - a.mean())
    assert (diff.loc["W4", "ci_low"], diff.loc["W4", "ci_high"]) == pytest.approx((lo, hi))


def test_dcr_excludes_not_evaluable():
    imaging = pd.DataFrame(
        {
            "arm": ["A"] * 10 + ["B"],
            "visit_code": ["W4"] * 10 + ["W4"],
            "mda_response": ["CR", "PR", "PR", "SD", "SD", "SD", "PD", "PD", "NE", "NE", "XX"],
        }
    )
    counts = mda_counts(imaging, ["W4", "M3"])
    dcr = dcr_table(counts).set_index("arm")
    a = dcr.loc["A"]
    assert (a.controlled, a.evaluable, a.not_evaluable) == (6, 8, 2)
    assert a.dcr == pytest.approx(0.75)
    assert (a.ci_low, a.ci_high) == pytest.approx(proportion_confint(6, 8, method="beta"))
    b = dcr.loc["B"]
    assert b.evaluable == 0 and pd.isna(b.dcr)
    assert counts.set_index("arm").loc["B", "other"] == 1


def test_kaplan_meier_by_hand():
    ttp = pd.DataFrame(
        {
            "arm": ["A"] * 5,
            "subject_id": list("abcde"),
            "days": [10, 20, 30, 40, 50],
            "event": [1, 0, 1, 1, 0],
        }
    )
    km = kaplan_meier(ttp, "A", [0, 25, 45])
    s = km.curve.set_index("days")["survival"]
    # 10: 4/5; 30: 0.8 * 2/3; 40: 0.8 * 2/3 * 1/2.
    assert s[10] == pytest.approx(0.8)
    assert s[30] == pytest.approx(0.8 * 2 / 3)
    assert s[40] == pytest.approx(0.8 * 2 / 3 / 2)
    assert km.at_risk == {0: 5, 25: 3, 45: 1}
    assert (km.events, km.n, km.median_days) == (3, 5, 40)
    assert kaplan_meier(ttp, "B", [0]) is None


def test_time_to_progression_first_pd_or_last_image():
    day0 = pd.Timestamp("2026-01-01")
    imaging = pd.DataFrame(
        {
            "subject_id": ["a", "a", "a", "b", "b", "c"],
            "imaged_on": pd.to_datetime(
                ["2026-01-29", "2026-04-02", "2026-07-01", "2026-01-29", "2026-04-02", "2026-01-29"]
            ),
            "mda_response": ["SD", "PD", "PD", "PR", "NE", "NE"],
        }
    )
    subjects = pd.DataFrame(
        {"subject_id": ["a", "b", "c"], "arm": ["A", "A", "B"], "day0": [day0] * 3}
    )
    ttp = time_to_progression(imaging, subjects).set_index("subject_id")
    assert (ttp.loc["a", "days"], ttp.loc["a", "event"]) == (91, 1)  # first PD on 04-02
    assert (ttp.loc["b", "days"], ttp.loc["b", "event"]) == (28, 0)  # NE does not extend
    assert "c" not in ttp.index  # no evaluable image

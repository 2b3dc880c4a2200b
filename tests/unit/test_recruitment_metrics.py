import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.recruitment import (
    center_exposure,
    cumulative_enrollment,
    enrollment_overall,
    enrollment_table,
    monthly_accrual,
    plan_curve,
    plan_status,
    planned_enrollment,
    randomized_in_month,
    screen_failure_reasons,
)
from dashboard.protocol import Center

# Two small centers with easy numbers: A plans 30 over 2025 (364 days), B 10 over H2 2025.
A = Center("A", "Center A", "A", 30, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
B = Center("B", "Center B", "B", 10, dt.date(2025, 7, 1), dt.date(2025, 12, 31))


def test_planned_enrollment_is_linear_and_clipped():
    assert planned_enrollment(A, dt.date(2024, 12, 1)) == 0
    assert planned_enrollment(A, dt.date(2025, 1, 1)) == 0
    # 2025-07-02 is day 182 of 364: half the target.
    assert planned_enrollment(A, dt.date(2025, 7, 2)) == pytest.approx(15.0)
    assert planned_enrollment(A, dt.date(2026, 3, 1)) == 30


def test_plan_status_thresholds():
    assert plan_status(9, 10) == "on_track"  # exactly 90 %
    assert plan_status(8, 10) == "behind"
    assert plan_status(12, 10) == "on_track"
    assert plan_status(0, 0) == "not_started"
    assert plan_status(1, 0) == "on_track"


def counts_frame():
    # B has no row at all: nothing happened there yet.
    return pd.DataFrame(
        {
            "center_id": ["A"],
            "screened": [20],
            "eligible": [16],
            "randomized": [14],
            "arm_X": [8],
            "arm_Y": [6],
        }
    )


def test_enrollment_table_fills_missing_centers_and_compares_to_plan():
    table = enrollment_table(counts_frame(), [A, B], ["X", "Y"], dt.date(2025, 7, 2))
    a, b = table.iloc[0], table.iloc[1]
    assert (a.center_id, a.screened, a.screen_failed, a.randomized) == ("A", 20, 4, 14)
    assert a.pct_target == pytest.approx(14 / 30)
    assert a.planned == pytest.approx(15.0)
    assert a.vs_plan == pytest.approx(-1.0)
    assert a.status == "on_track"  # 14 >= 0.9 * 15 = 13.5
    # B: 2025-07-02 is day 1 of 183 -> 10/183 planned, none randomized -> behind.
    assert (b.screened, b.randomized, b.arm_X) == (0, 0, 0)
    assert b.planned == pytest.approx(10 / 183)
    assert b.status == "behind"
    overall = enrollment_overall(table)
    assert overall["target"] == 40 and overall["randomized"] == 14
    assert overall["screen_fail_share"] == pytest.approx(4 / 20)
    assert overall["arm_X"] == 8 and overall["arm_Y"] == 6


def by_day_frame():
    return pd.DataFrame(
        {
            "center_id": ["A", "A", "B", "A", "B"],
            "arm": ["X", "Y", "X", "X", "Y"],
            "randomized_on": pd.to_datetime(
                ["2025-01-10", "2025-01-10", "2025-02-03", "2025-03-30", "2025-03-31"]
            ),
            "n": [1, 2, 1, 1, 3],
        }
    )


def test_cumulative_enrollment():
    total = cumulative_enrollment(by_day_frame(), group=None)
    assert total["cumulative"].tolist() == [3, 4, 5, 8]
    per = cumulative_enrollment(by_day_frame())
    assert per[per.center_id == "A"]["cumulative"].tolist() == [3, 4]
    assert per[per.center_id == "B"]["cumulative"].tolist() == [1, 4]


def test_monthly_accrual_keeps_empty_months():
    monthly = monthly_accrual(by_day_frame(), dt.date(2024, 12, 15), dt.date(2025, 4, 2))
    a = monthly[monthly.center_id == "A"].set_index("month")["n"]
    assert a.tolist() == [0, 3, 0, 1, 0]  # Dec, Jan, Feb, Mar, Apr
    b = monthly[monthly.center_id == "B"]["n"].tolist()
    assert b == [0, 0, 1, 3, 0]


def test_randomized_in_month():
    assert randomized_in_month(by_day_frame(), dt.date(2025, 3, 30)) == 1  # 31 March not yet
    assert randomized_in_month(by_day_frame(), dt.date(2025, 3, 31)) == 4
    assert randomized_in_month(by_day_frame().iloc[:0], dt.date(2025, 3, 31)) == 0


def test_screen_failure_reasons_sum_over_centers():
    failures = pd.DataFrame(
        {"center_id": ["A", "B", "B"], "reason": ["r1", "r1", "r2"], "n": [2, 1, 5]}
    )
    out = screen_failure_reasons(failures)
    assert out.to_dict("list") == {"reason": ["r2", "r1"], "n": [5, 3]}


def test_plan_curve_adds_center_plans():
    curve = plan_curve([A, B]).set_index("date")["planned"]
    assert curve[pd.Timestamp("2025-01-01")] == 0
    # On 2025-07-01, A is at 181/364 of 30 and B starts.
    assert curve[pd.Timestamp("2025-07-01")] == pytest.approx(30 * 181 / 364)
    assert curve[pd.Timestamp("2025-12-31")] == pytest.approx(40)


def test_center_exposure_prefers_activation():
    exp = center_exposure(A, dt.date(2025, 2, 1), dt.date(2025, 2, 20), dt.date(2025, 3, 3))
    assert (exp.start, exp.days) == (dt.date(2025, 2, 1), 30)
    # Randomized before the recorded activation: the data win.
    exp = center_exposure(A, dt.date(2025, 2, 1), dt.date(2025, 1, 20), dt.date(2025, 3, 3))
    assert exp.start == dt.date(2025, 1, 20)
    exp = center_exposure(B, None, None, dt.date(2025, 6, 1))
    assert exp.days == 0

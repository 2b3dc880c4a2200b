"""Recruitment plan arithmetic on two small centers with easy numbers."""

import datetime as dt

import pytest

from dashboard.metrics.recruitment import (
    center_start,
    month_starts,
    plan_curve,
    plan_status,
    planned_enrollment,
)
from dashboard.protocol import Center

# A plans 30 over 2025 (364 days), B 10 over H2 2025.
A = Center("A", "Center A", "A", 30, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "#332288")
B = Center("B", "Center B", "B", 10, dt.date(2025, 7, 1), dt.date(2025, 12, 31), "#117733")


def test_planned_enrollment_is_linear_and_clipped():
    assert planned_enrollment(A, dt.date(2024, 12, 1)) == 0
    assert planned_enrollment(A, dt.date(2025, 1, 1)) == 0
    # 2025-07-02 is day 182 of 364: half the target.
    assert planned_enrollment(A, dt.date(2025, 7, 2)) == pytest.approx(15.0)
    assert planned_enrollment(A, dt.date(2026, 3, 1)) == 30


def test_plan_status_thresholds():
    assert plan_status(9, 10, 30) == "on_track"  # exactly 90 %
    assert plan_status(8, 10, 30) == "behind"
    assert plan_status(12, 10, 30) == "on_track"
    assert plan_status(0, 0, 30) == "not_started"
    assert plan_status(1, 0, 30) == "on_track"
    assert plan_status(30, 40, 30) == "reached"
    assert plan_status(9, 10, 30, on_track_share=0.95) == "behind"  # the protocol's threshold
    assert plan_status(5, 10, 30, closed=True) == "closed"


def test_plan_curve_adds_center_plans():
    curve = {p.date: p.value for p in plan_curve([A, B])}
    assert curve[dt.date(2025, 1, 1)] == 0
    # On 2025-07-01, A is at 181/364 of 30 and B starts.
    assert curve[dt.date(2025, 7, 1)] == pytest.approx(30 * 181 / 364)
    assert curve[dt.date(2025, 12, 31)] == pytest.approx(40)


def test_center_start_prefers_activation_unless_the_data_say_earlier():
    assert center_start(A, dt.date(2025, 2, 1), dt.date(2025, 2, 20)) == dt.date(2025, 2, 1)
    # Randomized before the recorded activation: the data win.
    assert center_start(A, dt.date(2025, 2, 1), dt.date(2025, 1, 20)) == dt.date(2025, 1, 20)
    assert center_start(B, None, None) == dt.date(2025, 7, 1)


def test_month_starts():
    assert month_starts(dt.date(2024, 11, 15), dt.date(2025, 2, 2)) == (
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    )

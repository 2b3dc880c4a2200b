"""Randomization metrics on hand-made data; expected values worked out by hand (shown inline)."""

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.randomization import (
    arm_balance,
    consort_flow,
    level_count,
    level_region,
    nrs_band,
    sbrt_delivery,
    table_one,
)

A, B = "RFA_PVA", "RFA_PVA_SBRT"
D = dt.date(2026, 3, 1)
ALLOWED = [(24.0, 4), (30.0, 5), (36.0, 6), (42.0, 7)]


def T(s):
    return pd.Timestamp(s) if s else pd.NaT


def test_balance_block_bound_and_exact_binomial():
    counts = pd.DataFrame({"center_id": ["X", "Y"], f"arm_{A}": [5, 3], f"arm_{B}": [2, 3]})
    bal = arm_balance(counts, [A, B], max_block_imbalance=2).set_index("center_id")
    x = bal.loc["X"]
    assert (x[A], x[B], x.difference, x.bound) == (5, 2, 3, 2)
    assert bool(x.exceeds_blocks)  # |5 - 2| = 3 > 2: blocks of at most 4 cannot do this
    # Two-sided exact p for 5 of 7: 2 * P(X >= 5) = 2 * (21 + 7 + 1) / 128.
    assert x.p_value == pytest.approx(58 / 128)
    assert not bool(x.surprising)
    y = bal.loc["Y"]
    assert (y.difference, bool(y.exceeds_blocks), y.p_value) == (0, False, 1.0)
    total = bal.loc["ALL"]
    # 8 vs 5 of 13: 2 * (1287 + 715 + 286 + 78 + 13 + 1) / 8192; bound 2 strata x 2.
    assert (total[A], total[B], total.bound) == (8, 5, 4)
    assert total.p_value == pytest.approx(2 * 2380 / 8192)
    assert total.ratio == pytest.approx(8 / 5)
    lopsided = (
        arm_balance(
            pd.DataFrame({"center_id": ["Z"], f"arm_{A}": [10], f"arm_{B}": [0]}), [A, B], 2
        )
        .set_index("center_id")
        .loc["Z"]
    )
    assert lopsided.p_value == pytest.approx(2 / 1024) and bool(lopsided.surprising)


def test_bands_levels_regions():
    assert [nrs_band(x) for x in (0, 1, 3, 4, 6, 7, 10, None, 11)] == [
        "none",
        "mild",
        "mild",
        "moderate",
        "moderate",
        "severe",
        "severe",
        "missing",
        "out_of_range",
    ]
    assert [level_region(x) for x in ("T12,L1", "T5", "L5", "T3", "C7,T1", None, "S1")] == [
        "thoracolumbar",
        "thoracic",
        "lumbar",
        "thoracic",
        "other",
        "missing",
        "other",
    ]
    assert [level_count(x) for x in ("T12,L1", "L2", "T9,T10,T11", "", None)] == [
        "2",
        "1",
        "3+",
        "missing",
        "missing",
    ]


def baseline():
    return pd.DataFrame(
        [
            # arm, age, sex, tumor, nrs, pafi, omed, levels, imaging, randomized
            (A, 50, "F", "lung", 4, 5, 0.0, "T12,L1", "2026-01-01", "2026-01-21"),
            (A, 60, "M", "breast", 7, 6, 30.0, "L2", "2026-01-05", "2026-01-15"),
            (A, 70, "F", "lung", 3, None, 60.0, "T3", "2026-01-10", "2026-01-20"),
            (B, 40, "M", None, 9, 4, None, "T9,T10,T11", "2025-12-01", "2026-01-10"),
            (B, None, None, "kidney", 5, 8, 10.0, "T6", None, "2026-01-12"),
        ],
        columns=[
            "arm",
            "age_years",
            "sex",
            "primary_tumor",
            "baseline_nrs",
            "baseline_pafi",
            "baseline_omed_mg",
            "treated_levels",
            "baseline_imaging_on",
            "randomized_on",
        ],
    ).assign(
        baseline_imaging_on=lambda d: pd.to_datetime(d.baseline_imaging_on),
        randomized_on=lambda d: pd.to_datetime(d.randomized_on),
    )


def cells(rows, var, stat):
    return next(r.cells for r in rows if r.variable == var and r.statistic == stat)


def test_table_one_by_hand():
    rows, sizes = table_one(baseline(), [A, B], {"sex": ["F", "M"]})
    assert sizes == {A: 3, B: 2, "total": 5}
    # Age A: 50, 60, 70 -> mean 60, SD 10, median 60, quartiles 55 and 65.
    assert cells(rows, "age", "mean_sd") == {
        A: "60.0 (10.0)",
        B: "40.0 (–)",
        "total": "55.0 (12.9)",
    }
    # Total 40, 50, 60, 70: SD = sqrt((225 + 25 + 25 + 225) / 3) = 12.91.
    assert cells(rows, "age", "median_iqr")[A] == "60.0 [55.0–65.0]"
    assert cells(rows, "age", "median_iqr")["total"] == "55.0 [47.5–62.5]"
    assert cells(rows, "age", "missing") == {A: "0", B: "1", "total": "1"}
    # Percentages use the arm's size (missing included in the denominator).
    assert cells(rows, "sex", "F") == {A: "2 (67%)", B: "0 (0%)", "total": "2 (40%)"}
    assert cells(rows, "sex", "missing") == {A: "0 (0%)", B: "1 (50%)", "total": "1 (20%)"}
    assert cells(rows, "nrs_band", "mild") == {A: "1 (33%)", B: "0 (0%)", "total": "1 (20%)"}
    assert cells(rows, "nrs_band", "severe")[B] == "1 (50%)"
    assert cells(rows, "levels_n", "3+")[B] == "1 (50%)"
    # T12,L1 thoracolumbar; L2 lumbar; T3 thoracic (outside T5-L5 is an eligibility check).
    assert cells(rows, "region", "thoracic") == {A: "1 (33%)", B: "2 (100%)", "total": "3 (60%)"}
    # Imaging to enrollment: A 20, 10, 10 days -> mean 13 (SD 6); B 40 and one missing.
    assert cells(rows, "imaging_days", "mean_sd")[A] == "13 (6)"
    assert cells(rows, "imaging_days", "missing")[B] == "1"
    assert cells(rows, "baseline_omed", "missing") == {A: "0", B: "1", "total": "1"}


def screened():
    rows = [
        # id, eligible, reason, randomized, arm, procedure, off, off_reason
        ("F1", False, "baseline pain NRS < 4", None, None, None, None, None),
        ("F2", False, "baseline pain NRS < 4", None, None, None, None, None),
        ("E1", True, None, None, None, None, None, None),
        ("A1", True, None, "2025-11-02", A, "2025-11-01", None, None),
        ("A2", True, None, "2025-11-03", A, "2025-11-02", "2026-01-10", "died"),
        ("B1", True, None, "2025-11-04", B, "2025-11-03", "2026-02-01", "withdrew"),
        ("B2", True, None, "2026-02-20", B, "2026-02-19", None, None),
        ("B3", True, None, "2025-11-06", B, "2025-11-05", "2026-02-10", "completed"),
        ("B4", True, None, "2025-11-10", B, "2025-11-09", None, None),
        ("L1", True, None, "2026-03-05", A, "2026-03-04", None, None),  # after D
    ]
    return pd.DataFrame(
        [
            {
                "subject_id": r[0],
                "eligible": r[1],
                "screen_failure_reason": r[2],
                "randomized_on": T(r[3]),
                "arm": r[4],
                "procedure_on": T(r[5]),
                "off_study_on": T(r[6]),
                "off_study_reason": r[7],
                "center_id": "X",
            }
            for r in rows
        ]
    )


def sbrt():
    return pd.DataFrame(
        [
            ("A1", "2025-12-11", "2025-12-18", 5, 30.0),  # SBRT in the RFA/PVA arm
            ("B1", "2025-11-19", "2025-11-26", 5, 30.0),  # day 16, allowed
            ("B3", "2025-12-10", None, 5, 20.0),  # day 35: late, scheme not allowed, not completed
        ],
        columns=["subject_id", "started_on", "completed_on", "fractions", "total_dose_gy"],
    ).assign(
        started_on=lambda d: pd.to_datetime(d.started_on),
        completed_on=lambda d: pd.to_datetime(d.completed_on),
    )


def test_consort_by_hand():
    visits = pd.DataFrame(
        {"subject_id": ["A1", "B1", "B1", "B3"], "visit_code": ["M3", "M3", "M12", "M3"]}
    )
    flow = consort_flow(screened(), sbrt(), visits, [A, B], B, D, sbrt_due_days=42)
    # 10 screened: F1, F2 ineligible; E1 eligible not randomized; L1 randomized after D.
    assert (flow.assessed, flow.excluded, flow.randomized) == (10, 4, 6)
    assert flow.excluded_reasons == {"baseline pain NRS < 4": 2, "eligible, not randomized": 2}
    a, b = flow.arms[A], flow.arms[B]
    # A: A1 got SBRT (not the allocated treatment), A2 did not.
    assert (a.allocated, a.received, a.not_received, a.pending) == (2, 1, 1, 0)
    # B: B1 and B3 started; B4 (day 112) none -> not received; B2 (day 10) still pending.
    assert (b.allocated, b.received, b.not_received, b.pending) == (4, 2, 1, 1)
    assert a.off_study == {"died": 1} and b.off_study == {"withdrew": 1}  # completed not listed
    assert (a.with_m3, a.with_m12, b.with_m3, b.with_m12) == (1, 0, 2, 1)


def test_sbrt_delivery_and_departures():
    rand = screened()
    rand = rand[rand["randomized_on"] <= pd.Timestamp(D)]
    dl = sbrt_delivery(rand, sbrt(), B, ALLOWED, late_start_day=28, missing_after_days=42, as_of=D)
    assert (dl.sbrt_arm_n, dl.started, dl.completed, dl.other_arm_with_sbrt) == (4, 2, 1, 1)
    assert sorted(dl.schemes["scheme"]) == ["30 Gy / 5", "other"]
    assert dict(zip(dl.start_days.subject_id, dl.start_days.days, strict=True)) == {
        "B1": 16,
        "B3": 35,
    }
    problems = {(r.subject_id, r.problem) for r in dl.departures.itertuples()}
    assert problems == {
        ("A1", "sbrt_in_other_arm"),
        ("B3", "scheme_not_allowed"),
        ("B3", "late_start"),
        ("B4", "no_sbrt"),
    }

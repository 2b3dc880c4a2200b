"""Safety metrics on hand-made events; every expected number worked out by hand below."""

import datetime as dt

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from dashboard.metrics.safety import (
    attribution_by_arm,
    center_rates,
    events_of_interest,
    incidence_by_term,
    overview_by_arm,
    prepare_events,
    reporting_lag,
)

MSK = "Musculoskeletal and connective tissue disorders"
N_BY_ARM = {"A": 4, "B": 2}  # a1..a4 in A, b1..b2 in B
N_BY_CENTER = {"X": 3, "Y": 3}  # X: a1, a2, b1; Y: a3, a4, b2
CENTER = {"a1": "X", "a2": "X", "b1": "X", "a3": "Y", "a4": "Y", "b2": "Y"}


def events():
    rows = [
        # subject, term, soc, grade, serious, attribution, onset, reported, outcome
        ("a1", "Back pain", MSK, 1, False, "procedure", "2026-01-05", "2026-01-07", "recovered"),
        ("a1", "Back pain", MSK, 2, False, "procedure", "2026-01-20", "2026-01-21", "recovered"),
        ("a1", "Back pain", MSK, 3, False, "procedure", "2026-02-10", "2026-02-20", "recovered"),
        (
            "a1",
            "Spinal fracture",
            "Injury",
            2,
            True,
            "sbrt",
            "2026-03-01",
            "2026-03-03",
            "recovering",
        ),
        ("a2", "Back pain", MSK, 1, False, None, "2026-01-10", "2026-01-10", "recovered"),
        (
            "a3",
            "Disease progression",
            "General",
            5,
            True,
            "unrelated",
            "2026-04-01",
            "2026-04-02",
            "fatal",
        ),
        ("b1", "Esophagitis", "GI", 2, False, "sbrt", "2026-01-25", "2026-02-24", "recovered"),
        ("b1", "Back pain", MSK, 0, False, "sbrt", "2026-01-26", None, "recovered"),
        ("b2", "Anemia", "Blood", 3, False, None, "2026-02-01", "2026-02-05", "not_recovered"),
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "subject_id",
            "term",
            "soc",
            "grade",
            "serious",
            "attribution",
            "onset_on",
            "reported_on",
            "outcome",
        ],
    )
    df["arm"] = df["subject_id"].str[0].str.upper()
    df["center_id"] = df["subject_id"].map(CENTER)
    for col in ("onset_on", "reported_on"):
        df[col] = pd.to_datetime(df[col])
    df["procedure_on"] = pd.Timestamp("2026-01-01")
    return prepare_events(df)


def test_overview_counts_subjects_not_events():
    ov = overview_by_arm(events(), N_BY_ARM).set_index("arm")
    a, b = ov.loc["A"], ov.loc["B"]
    # A: any = a1, a2, a3; grade >= 3 = a1 (back pain 3), a3 (grade 5); SAE a1, a3; fatal a3.
    assert (a.any_ae, a.grade3plus, a.serious, a.fatal, a.events) == (3, 2, 2, 1, 6)
    assert (a.any_ae_pct, a.grade3plus_pct, a.fatal_pct) == (0.75, 0.5, 0.25)
    # B: any = b1, b2 (b1's grade-0 event still is an event); grade >= 3 = b2; no SAE.
    assert (b.any_ae, b.grade3plus, b.serious, b.fatal) == (2, 1, 0, 0)
    assert b.any_ae_pct == 1.0


def test_incidence_by_term_worst_grade_once_per_subject():
    inc = incidence_by_term(events(), N_BY_ARM).set_index("term")
    bp = inc.loc["Back pain"]
    # a1 had grades 1, 2, 3: once, at grade 3. a2 at grade 1. b1's grade 0 cannot be graded.
    assert (bp.A_any, bp.A_g3, bp.A_g1, bp.A_g2, bp.A_g3) == (2, 1, 1, 0, 1)
    assert (bp.A_any_pct, bp.A_g3_pct) == (0.5, 0.25)
    assert (bp.B_any, bp.B_any_pct) == (0, 0.0)
    assert inc.loc["Disease progression", "A_g5"] == 1
    assert inc.loc["Anemia", "B_g3_pct"] == 0.5


def test_center_rates_with_exact_ci():
    rates = center_rates(events(), N_BY_CENTER).set_index("center_id")
    x, y, pooled = rates.loc["X"], rates.loc["Y"], rates.loc["ALL"]
    assert (x.any_ae, x.serious, y.any_ae, y.serious) == (3, 1, 2, 1)
    assert (pooled.subjects, pooled.any_ae, pooled.serious) == (6, 5, 2)
    assert pooled.any_ae_rate == pytest.approx(5 / 6)
    assert (y.any_ae_low, y.any_ae_high) == pytest.approx(proportion_confint(2, 3, method="beta"))
    assert (pooled.serious_low, pooled.serious_high) == pytest.approx(
        proportion_confint(2, 6, method="beta")
    )


def test_reporting_lag_per_center():
    lag = reporting_lag(events(), ["X", "Y", "Z"], dt.date(2026, 4, 30)).set_index("center_id")
    # X lags: 2, 1, 10, 2, 0, 30 (b1's second event has no report date) -> median 2.
    x = lag.loc["X"]
    assert (x.events, x.median_lag, x.no_report_date, x.max_lag) == (7, 2.0, 1, 30.0)
    assert x.days_since_last_report == (dt.date(2026, 4, 30) - dt.date(2026, 3, 3)).days
    # Y lags 1 and 4: median 2.5. Z reported nothing at all.
    assert lag.loc["Y", "median_lag"] == 2.5
    assert lag.loc["Z", "events"] == 0 and pd.isna(lag.loc["Z", "days_since_last_report"])


def test_events_of_interest_and_attribution():
    cats = [("vertebral_compression_fracture", ["Spinal fracture"]), ("pain_flare", ["back pain"])]
    eoi = events_of_interest(events(), cats, N_BY_ARM).set_index(["category", "arm"])
    assert eoi.loc[("vertebral_compression_fracture", "A"), "subjects"] == 1
    assert eoi.loc[("vertebral_compression_fracture", "A"), "pct"] == 0.25
    assert eoi.loc[("pain_flare", "A"), "subjects"] == 2
    assert eoi.loc[("pain_flare", "A"), "grade3plus"] == 1
    assert eoi.loc[("pain_flare", "B"), ("subjects")] == 1  # an ungradable event still happened
    assert eoi.loc[("pain_flare", "B"), "grade3plus"] == 0
    att = attribution_by_arm(events()).set_index(["arm", "attribution"])
    assert (
        att.loc[("A", "procedure"), "events"] == 3 and att.loc[("A", "procedure"), "subjects"] == 1
    )
    assert att.loc[("A", "unknown"), "events"] == 1  # missing attribution shown as unknown
    assert att.loc[("B", "sbrt"), "events"] == 2

"""The recruitment page model on a hand-made trial of 8 screened people, numbers by hand."""

import datetime as dt
import math

import numpy as np
import pytest

from dashboard.metrics.accrual import CenterAccrual, RatePosterior, pooled_forecast
from dashboard.services import recruitment_page_model
from tests import trials

# Center A plans 4 subjects over 2025 (2025-01-01 to 2025-12-31: 364 days), B plans 2 over
# 2025-07-01 to 2025-12-31 (183 days). The data date is 2025-07-02.
P = trials.protocol(
    centers=(("A", 4, "2025-01-01", "2025-12-31"), ("B", 2, "2025-07-01", "2025-12-31"))
)
AS_OF = "2025-07-02"
S = trials.subject
ROWS = {
    "centers": trials.centers("A", "B", activated={"A": "2025-01-05", "B": "2025-06-15"}),
    "subjects": [
        S("A-1", "A", "2025-01-10", "2025-01-15", "X"),
        S("A-2", "A", "2025-02-01", "2025-02-05", "Y"),
        S("A-3", "A", "2025-03-01", eligible=False, screen_failure_reason="declined consent"),
        S("A-4", "A", "2025-06-30", "2025-07-01", "X"),
        # Randomized after the data date: screened and eligible, not randomized yet.
        S("A-5", "A", "2025-07-01", "2025-07-10", "Y"),
        # Screened after the data date: not counted at all.
        S("A-6", "A", "2025-07-05", "2025-07-06", "X"),
        S("B-1", "B", "2025-06-20", eligible=False, screen_failure_reason="declined consent"),
        S("B-2", "B", "2025-06-25", eligible=False),  # no reason recorded
    ],
}


@pytest.fixture(scope="module")
def db(make_db):
    return make_db(ROWS, AS_OF)


def test_counts_plan_and_status_by_hand(db):
    m = recruitment_page_model(db, P, trials.scope(P, AS_OF))
    a, b, o = m.by_center["A"], m.by_center["B"], m.overall
    # A: A-1..A-5 screened (A-6 after the date); A-3 failed; randomized by then.
    assert (a.screened, a.eligible, a.screen_failed, a.randomized) == (5, 4, 1, 3)
    assert a.by_arm == {"X": 2, "Y": 1}
    # Plan: 2025-07-02 is day 182 of A's 364 -> 4 * 182/364 = 2.0; 3 >= 0.9 * 2 -> on track.
    assert a.planned_by_now == pytest.approx(2.0)
    assert a.vs_plan == pytest.approx(1.0)
    assert a.status == "on_track"
    # B: day 1 of 183 -> 2/183 planned, none randomized -> behind.
    assert (b.screened, b.eligible, b.randomized) == (2, 0, 0)
    assert b.planned_by_now == pytest.approx(2 / 183)
    assert b.status == "behind"
    assert (o.target, o.screened, o.eligible, o.randomized, o.screen_failed) == (6, 7, 4, 3, 3)
    assert o.by_arm == {"X": 2, "Y": 1}
    assert o.screen_fail_share == pytest.approx(3 / 7)
    assert o.pct_target == pytest.approx(3 / 6)
    # July 2025 up to the 2nd: only A-4 (1 July).
    assert o.randomized_this_month == 1
    assert [(r.reason, r.n) for r in m.failure_reasons] == [
        ("declined consent", 2),
        ("not recorded", 1),
    ]
    assert m.failures_total == 3
    assert [(p.date.isoformat(), p.value) for p in m.cumulative] == [
        ("2025-01-15", 1),
        ("2025-02-05", 2),
        ("2025-07-01", 3),
        ("2025-07-02", 3),
    ]
    assert m.population == "screened"


def test_center_forecast_by_hand(db):
    m = recruitment_page_model(db, P, trials.scope(P, AS_OF))
    fc = m.by_center["A"].forecast

    # A recruits from its activation, 2025-01-05: 178 days to the data date. Posterior
    # Gamma(0.1 * 4 + 3, 0.1 * 364 + 178) = Gamma(3.4, 214.4). One subject left: the wait is
    # 214.4 * BetaPrime(1, 3.4), whose CDF is 1 - (1 + x)^-3.4, so its q-quantile is
    # 214.4 * ((1 - q)^(-1/3.4) - 1) days, rounded up to a whole day.
    def day(q):
        return dt.date(2025, 7, 2) + dt.timedelta(
            days=math.ceil(214.4 * ((1 - q) ** (-1 / 3.4) - 1))
        )

    assert fc.median == day(0.5) == dt.date(2025, 8, 20)  # 48.5 days
    assert fc.low == day(0.1) == dt.date(2025, 7, 9)  # 6.7 days
    assert fc.high == day(0.9) == dt.date(2026, 1, 26)  # 207.6 days
    assert m.by_center["A"].rate_per_month == pytest.approx(3.4 / 214.4 * 30.4375)


def test_one_center_headline_is_the_table_forecast_read_twice(db):
    # A view of one center (a site user, ?center=B) must show one forecast, not two.
    m = recruitment_page_model(db, P, trials.scope(P, AS_OF, centers=["B"]))
    assert m.overall.forecast == m.by_center["B"].forecast
    assert m.fan == m.fan_by_center["B"]
    again = recruitment_page_model(db, P, trials.scope(P, AS_OF, centers=["B"]))
    assert again.overall.forecast == m.overall.forecast


def test_site_user_scope_never_says_all_centers(db):
    info = trials.scope(P, AS_OF, allowed=["B"])
    m = recruitment_page_model(db, P, info)
    assert m.scope.centers == ("B",) and not m.scope.all_centers and not m.scope.pooled
    # Asking for A, outside the rights, shows B with a note.
    asked = trials.scope(P, AS_OF, centers=["A"], allowed=["B"])
    assert asked.centers == ("B",) and asked.note == "scope.outside_rights"
    assert asked.note_centers == ("A",)


def test_pooled_forecast_agrees_with_simulation():
    # Two centers with known posteriors; the exact sum of their negative binomial counts
    # against a brute-force simulation of the same model (independent route).
    start = dt.date(2026, 1, 1)
    centers = [
        CenterAccrual(RatePosterior(12, 240), 10, 30, start),
        CenterAccrual(RatePosterior(6, 300), 4, 20, start + dt.timedelta(days=30)),
    ]
    fc, fan = pooled_forecast(centers, start, 0.8)
    rng = np.random.default_rng(3)
    draws = 40_000
    lam_a = rng.gamma(12, 1 / 240, draws)
    lam_b = rng.gamma(6, 1 / 300, draws)
    # Time to 36 more: simulate day by day counts with Poisson increments is slow; instead
    # invert P(N(t) >= 36) on a grid of days with simulated Poisson counts.
    days = np.arange(0, 1500, 3)
    reached = []
    for d in days:
        n = rng.poisson(lam_a * d) + rng.poisson(lam_b * max(d - 30, 0))
        reached.append((n >= 36).mean())
    reached = np.array(reached)
    for q, got in ((0.5, fc.median), (0.1, fc.low), (0.9, fc.high)):
        want = days[np.argmax(reached >= q)]
        assert abs((got - start).days - want) <= 8
    # The fan's last point against simulated counts on that day.
    last = fan[-1]
    d = (last.date - start).days
    n = 14 + rng.poisson(lam_a * d) + rng.poisson(lam_b * max(d - 30, 0))
    lo, med, hi = np.quantile(n, [0.1, 0.5, 0.9])
    assert abs(last.median - med) <= 1 and abs(last.low - lo) <= 1 and abs(last.high - hi) <= 1

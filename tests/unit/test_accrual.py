import datetime as dt
import math

import numpy as np
import pytest

from dashboard.metrics.accrual import (
    CenterAccrual,
    RatePosterior,
    count_fan,
    pooled_forecast,
    rate_posterior,
    time_to_target,
)

START = dt.date(2026, 1, 1)


def test_rate_posterior_adds_data_to_the_prior():
    post = rate_posterior(
        randomized=10, exposure_days=100, target=30, planned_days=730, prior_weight=0.1
    )
    assert post == RatePosterior(alpha=0.1 * 30 + 10, beta=0.1 * 730 + 100)
    assert post.mean_per_month == pytest.approx(13 / 173 * 30.4375)
    assert rate_posterior(0, 0, 30, 730, 0.0) is None


def test_one_subject_left_by_hand():
    # Data only: alpha = 10, beta = 100 days. One subject left: T = beta * BetaPrime(1, 10),
    # whose CDF is 1 - (1 + x)^-10, so the median is 100 * (2**(1/10) - 1) = 7.18 days.
    post = RatePosterior(10, 100)
    fc = time_to_target(post, randomized=29, target=30, start=START, interval=0.8)
    assert fc.median == START + dt.timedelta(days=math.ceil(100 * (2**0.1 - 1)))
    # 10 % quantile: (1+x)^-10 = 0.9 -> x = 0.9**-0.1 - 1; 90 %: 0.1**-0.1 - 1.
    assert fc.low == START + dt.timedelta(days=math.ceil(100 * (0.9**-0.1 - 1)))
    assert fc.high == START + dt.timedelta(days=math.ceil(100 * (0.1**-0.1 - 1)))


def test_closed_form_agrees_with_simulation():
    post = RatePosterior(20, 300)
    rng = np.random.default_rng(1)
    lam = rng.gamma(post.alpha, 1 / post.beta, 400_000)
    waits = rng.gamma(15, 1.0, lam.size) / lam
    lo, med, hi = np.quantile(waits, [0.1, 0.5, 0.9])
    fc = time_to_target(post, randomized=15, target=30, start=START, interval=0.8)
    for got, want in ((fc.low, lo), (fc.median, med), (fc.high, hi)):
        assert abs((got - START).days - want) <= 0.01 * want + 1


def test_reached_and_unknown():
    assert time_to_target(RatePosterior(1, 1), 30, 30, START, 0.8).reached
    none = time_to_target(None, 3, 30, START, 0.8)
    assert not none.reached and none.median is None


def test_count_fan_negative_binomial_matches_simulation():
    post = RatePosterior(12, 240)
    fan = count_fan(
        post,
        randomized=50,
        start=START,
        until=START + dt.timedelta(days=180),
        interval=0.8,
    )
    last = fan[-1]
    rng = np.random.default_rng(2)
    lam = rng.gamma(post.alpha, 1 / post.beta, 400_000)
    counts = 50 + rng.poisson(lam * 180)
    lo, med, hi = np.quantile(counts, [0.1, 0.5, 0.9])
    assert abs(last.median - med) <= 1
    assert abs(last.low - lo) <= 1 and abs(last.high - hi) <= 1
    assert (fan[0].low, fan[0].median, fan[0].high) == (50, 50, 50)


def test_pooled_forecast_of_one_center_is_its_closed_form():
    post = RatePosterior(20, 300)
    pooled, _ = pooled_forecast([CenterAccrual(post, 15, 30, START)], START, 0.8)
    assert pooled == time_to_target(post, 15, 30, START, 0.8)


def test_exact_sum_agrees_with_the_closed_form_for_one_center():
    # A lone center written as two (its second half with no subjects and no prior) must give
    # the same forecast through the convolution as the closed form, to the day.
    post = RatePosterior(20, 300)
    single = time_to_target(post, 15, 30, START, 0.8)
    pooled, _ = pooled_forecast(
        [CenterAccrual(post, 15, 20, START), CenterAccrual(None, 0, 10, START)], START, 0.8
    )
    assert (pooled.median, pooled.low, pooled.high) == (single.median, single.low, single.high)


def test_pooled_rates_add():
    # Two identical centers recruit twice as fast as one: the wait for k halves in distribution.
    post = RatePosterior(400, 4000)
    one, _ = pooled_forecast([CenterAccrual(post, 0, 20, START)], START, 0.8)
    two, _ = pooled_forecast(
        [CenterAccrual(post, 0, 10, START), CenterAccrual(post, 0, 10, START)], START, 0.8
    )
    d1, d2 = (one.median - START).days, (two.median - START).days
    assert d2 == pytest.approx(d1 / 2, abs=2)

"""Interval methods against hand-worked values and independent implementations."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from dashboard.metrics.intervals import (
    bounded_mean,
    median_with_ci,
    moments,
    proportion,
    quantiles,
    welch_difference,
)
from dashboard.metrics.outcomes import pain_response
from dashboard.metrics.randomization import balance_of
from tests import trials


def test_clopper_pearson_by_hand_and_against_statsmodels():
    # k = 0: upper = 1 - 0.025 ** (1/n); k = n: lower = 0.025 ** (1/n).
    p = proportion(0, 10)
    assert (p.low, p.high) == pytest.approx((0.0, 1 - 0.025**0.1))
    p = proportion(10, 10)
    assert (p.low, p.high) == pytest.approx((0.025**0.1, 1.0))
    for k, n in ((3, 17), (25, 40), (5, 5), (0, 7)):
        p = proportion(k, n)
        assert (p.low, p.high) == pytest.approx(proportion_confint(k, n, method="beta"))
    # Below 5: the number, no interval, marked small n; no denominator: no value.
    assert proportion(2, 2) == proportion(2, 2)
    small = proportion(2, 2)
    assert (small.value, small.low, small.small_n) == (1.0, None, True)
    assert proportion(0, 0).value is None


def test_median_interval_by_hand():
    # n = 10, values 1..10: P(B <= 1) = 11/1024 < 2.5% <= P(B <= 2) = 56/1024, so the ranks
    # are 2 and 9: [2, 9] (coverage 1 - 2 * 11/1024 = 97.9%).
    e = median_with_ci(list(range(1, 11)), [1] * 10)
    assert (e.value, e.low, e.high) == (5.5, 2.0, 9.0)
    # Repeated values count by their multiplicity: 0 x3, 10 x2, 20 x5 -> sorted ranks 2, 9.
    e = median_with_ci([0, 10, 20], [3, 2, 5])
    assert (e.value, e.low, e.high) == (15.0, 0.0, 20.0)
    # n = 5: no rank pair reaches 95% (P(B <= 0) = 1/32 > 2.5%): no interval.
    e = median_with_ci([1, 2, 3, 4, 5], [1] * 5)
    assert (e.value, e.low, e.small_n) == (3.0, None, True)


def test_quantiles_and_moments_match_numpy():
    rng = np.random.default_rng(4)
    sample = rng.integers(0, 11, 57)
    values, counts = np.unique(sample, return_counts=True)
    assert quantiles(values, counts, (0.25, 0.5, 0.75)) == pytest.approx(
        np.percentile(sample, [25, 50, 75])
    )
    n, mean, sd = moments(values, counts)
    assert (n, mean, sd) == (57, pytest.approx(sample.mean()), pytest.approx(sample.std(ddof=1)))


def test_welch_against_statsmodels():
    rng = np.random.default_rng(3)
    a = rng.integers(-8, 3, 12).astype(float)
    b = rng.integers(-9, 4, 9).astype(float)
    e = welch_difference(len(a), a.sum(), (a * a).sum(), len(b), b.sum(), (b * b).sum())
    lo, hi = CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(usevar="unequal")
    assert e.value == pytest.approx(b.mean() - a.mean())
    assert (e.low, e.high) == pytest.approx((lo, hi))
    assert welch_difference(3, 1, 1, 2, 1, 1).low is None  # n < 5 in an arm: no interval


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_bootstrap_mean_stays_inside_the_scale(values):
    v, c = np.unique(values, return_counts=True)
    e = bounded_mean(v, c)
    assert e.value == pytest.approx(float(np.mean(values)))
    if e.low is not None:
        assert min(values) <= e.low <= e.value <= e.high <= max(values)
    else:
        assert e.small_n or len(set(values)) == 1


def test_balance_exact_binomial_by_hand():
    p = trials.protocol(blocks=(2, 4))
    x = balance_of({"X": 5, "Y": 2}, p)
    # |5 - 2| = 3 > 2: blocks of at most 4 cannot do this. Two-sided exact p for 5 of 7:
    # 2 * P(X >= 5) = 2 * (21 + 7 + 1) / 128.
    assert (x.difference, x.bound, x.exceeds_blocks) == (3, 2, True)
    assert x.p_value == pytest.approx(58 / 128) and not x.surprising
    # 8 vs 5 over two centers: bound 2 + 2; p = 2 * (1287 + 715 + 286 + 78 + 13 + 1) / 8192.
    total = balance_of({"X": 8, "Y": 5}, p, strata=2)
    assert (total.bound, total.exceeds_blocks) == (4, False)
    assert total.p_value == pytest.approx(2 * 2380 / 8192)
    lopsided = balance_of({"X": 10, "Y": 0}, p)
    assert lopsided.p_value == pytest.approx(2 / 1024) and lopsided.surprising
    # Three arms 1:1:1: chi-square goodness of fit against 1:1:1.
    three = trials.protocol(arms=("A", "B", "C"), blocks=(3, 6))
    b = balance_of({"A": 12, "B": 6, "C": 6}, three)
    # Expected 8 each: chi2 = (16 + 4 + 4) / 8 = 3 on 2 df: p = exp(-1.5).
    assert b.test == "chi_square" and b.p_value == pytest.approx(math.exp(-1.5))
    assert (b.pair, b.difference, b.bound) == (("A", "B"), 6, 2)
    # Expected below 5 (4 subjects): the exact multinomial test (1/3, worked out below).
    small = balance_of({"A": 3, "B": 1, "C": 0}, three)
    assert small.test == "multinomial_exact" and small.p_value == pytest.approx(1 / 3)
    # Beyond two arms the leading arm comes first and the difference is never negative.
    lead = balance_of({"A": 1, "B": 1, "C": 3}, three)
    assert (lead.pair, lead.difference) == (("C", "A"), 2)


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


def test_exact_multinomial_test_by_hand_and_against_the_binomial():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from scipy import stats

    from dashboard.metrics.randomization import multinomial_exact_p

    # 4 subjects, 3 arms 1:1:1 (probabilities x 81): (4,0,0) 1, (3,1,0) 4, (2,2,0) 6, (2,1,1) 12;
    # as likely as (3,1,0) or less: 3 x 1 + 6 x 4 = 27 -> 1/3. (2,1,1) is the likeliest: p = 1.
    assert multinomial_exact_p([3, 1, 0], [1 / 3] * 3) == pytest.approx(1 / 3)
    assert multinomial_exact_p([1, 2, 1], [1 / 3] * 3) == pytest.approx(1.0)
    # 2:1 with 3 subjects: P(3,0) = 8/27, (2,1) 12/27, (1,2) 6/27, (0,3) 1/27; for (0,3): 1/27.
    assert multinomial_exact_p([0, 3], [2 / 3, 1 / 3]) == pytest.approx(1 / 27)

    @settings(derandomize=True, max_examples=60, deadline=None)
    @given(st.integers(0, 25), st.integers(0, 25), st.sampled_from([0.5, 1 / 3, 0.6]))
    def same_as_binomial(k: int, m: int, p: float) -> None:
        if k + m == 0:
            return
        exact = multinomial_exact_p([k, m], [p, 1 - p])
        assert exact == pytest.approx(stats.binomtest(k, k + m, p).pvalue, rel=1e-7)

    same_as_binomial()


def test_exact_bootstrap_by_hand():
    # Values 0 (twice) and 10 (three times): a resample of 5 has B ~ Binomial(5, 0.6) tens, its
    # mean is 2 B. P(B = 0) = 0.4^5 = 0.01024 < 2.5% <= P(B <= 1) = 0.08704 -> low = 2;
    # P(B <= 4) = 1 - 0.6^5 = 0.92224 < 97.5% -> high = 10.
    e = bounded_mean([0, 10], [2, 3])
    assert (e.value, e.low, e.high, e.method) == (6.0, 2.0, 10.0, "bootstrap_percentile")
    # Large samples use resampling (fixed seed): still inside the observed range.
    big = bounded_mean([2, 3, 4], [1000, 2000, 1000])
    assert 2.9 < big.low < 3.0 < big.high < 3.1

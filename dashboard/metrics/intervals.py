"""Estimates with intervals that respect their scale, each method named for the page's "?".

- Proportions: Clopper-Pearson (exact) 95% interval; always inside 0-100%.
- Bounded scores (NRS, PAFI 0-10): the mean with a bootstrap percentile 95% interval (2,000
  resamples, fixed seed). The scores are whole numbers, so a resample is a multinomial draw
  over the observed value counts: exact for the bootstrap, cheap at any n, computed from a SQL
  histogram, and the interval can never leave the range of the observed values.
- Skewed non-negative amounts (OMED mg/day): the median with the distribution-free interval
  from order statistics (binomial ranks); it is always two observed values, so never below 0.
- Difference between two means (NRS change): Welch's t interval from n, sum and sum of squares.
Below SMALL_N observations the number is shown without an interval and marked "small n".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import stats
from scipy.special import betaincinv

from dashboard.metrics.model import SMALL_N, Estimate, Proportion

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20_251
# The exact bootstrap convolves over (range x n) points; beyond this (about 2,000 subjects on a
# 0-10 scale) resampling is faster, and its Monte Carlo error far below the interval's width.
EXACT_BOOTSTRAP_MAX_SUPPORT = 20_000


@lru_cache(maxsize=4096)
def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    """The exact 95% interval of k of n from beta quantiles (0 and 1 at the edges)."""
    alpha = 1 - LEVEL
    low = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, alpha / 2))
    high = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - alpha / 2))
    return low, high


def proportion(k: int, n: int) -> Proportion:
    """K of n with its exact 95% interval (none below SMALL_N, no value when n = 0)."""
    k, n = int(k), int(n)
    if n == 0:
        return Proportion(k, 0, None, None, None, True)
    if n < SMALL_N:
        return Proportion(k, n, k / n, None, None, True)
    low, high = clopper_pearson(k, n)
    return Proportion(k, n, k / n, low, high, False)


def _histogram(values: Sequence[float], counts: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts, dtype=np.int64)
    keep = (c > 0) & np.isfinite(v)
    order = np.argsort(v[keep], kind="stable")
    return v[keep][order], c[keep][order]


def _exact_bootstrap_sum(c: np.ndarray, n: int) -> np.ndarray:
    """P(sum of n resampled values = k), k = 0 .. n * (len(c) - 1), by FFT convolution.

    The values are the integer offsets 0 .. len(c) - 1 with counts c.
    """
    p = c / c.sum()
    size = n * (len(p) - 1) + 1
    length = 1 << (size - 1).bit_length()
    pmf = np.fft.irfft(np.fft.rfft(p, length) ** n, length)[:size]
    return np.clip(pmf, 0.0, None)


def bounded_mean(values: Sequence[float], counts: Sequence[int]) -> Estimate:
    """Mean of a bounded score from its value counts, with a bootstrap percentile interval.

    Integer scores (NRS, PAFI) of up to about 2,000 subjects get the ideal bootstrap: the exact
    distribution of the mean of n draws with replacement (the convolution of the observed
    histogram), with no Monte Carlo error and no seed; larger or non-integer samples a
    resampling bootstrap (2,000 resamples, fixed seed). The
    interval is the 2.5th and 97.5th percentile of that distribution: always inside the
    observed range, so inside the scale.
    """
    v, c = _histogram(values, counts)
    n = int(c.sum())
    method = "bootstrap_percentile"
    if n == 0:
        return Estimate(None, 0, None, None, method, True)
    mean = float((v * c).sum() / n)
    if n < SMALL_N:
        return Estimate(mean, n, None, None, method, True)
    if len(v) == 1:
        return Estimate(mean, n, mean, mean, method, False)
    lo_q, hi_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    low_v = v[0]
    if np.all(v == np.round(v)) and (v[-1] - low_v) * n <= EXACT_BOOTSTRAP_MAX_SUPPORT:
        dense = np.zeros(int(v[-1] - low_v) + 1)
        dense[(v - low_v).astype(int)] = c
        cdf = np.cumsum(_exact_bootstrap_sum(dense, n))
        cdf /= cdf[-1]
        lo = low_v + int(np.searchsorted(cdf, lo_q - 1e-12)) / n
        hi = low_v + int(np.searchsorted(cdf, hi_q - 1e-12)) / n
        return Estimate(mean, n, float(lo), float(hi), method, False)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = rng.multinomial(n, c / n, size=BOOTSTRAP_RESAMPLES)
    means = draws @ v / n
    lo, hi = np.quantile(means, [lo_q, hi_q])
    return Estimate(mean, n, float(lo), float(hi), method, False)


def _order_statistic(v: np.ndarray, cum: np.ndarray, rank: int) -> float:
    """The rank-th smallest value (1-based) of a histogram with cumulative counts `cum`."""
    return float(v[int(np.searchsorted(cum, rank))])


def median_with_ci(values: Sequence[float], counts: Sequence[int]) -> Estimate:
    """Median from value counts with the distribution-free (order-statistic) 95% interval.

    The interval is [X(l), X(n-l+1)] with l the largest rank such that P(B < l) <= 2.5% for
    B ~ Binomial(n, 1/2); its coverage is at least 95%. With 5 or fewer values no such l
    exists and no interval is shown.
    """
    v, c = _histogram(values, counts)
    n = int(c.sum())
    method = "median_order_statistics"
    if n == 0:
        return Estimate(None, 0, None, None, method, True)
    cum = np.cumsum(c)
    if n % 2:
        med = _order_statistic(v, cum, (n + 1) // 2)
    else:
        med = (_order_statistic(v, cum, n // 2) + _order_statistic(v, cum, n // 2 + 1)) / 2
    alpha = (1 - LEVEL) / 2
    # The smallest l with P(B <= l) >= alpha, so that P(B <= l - 1) < alpha.
    rank = int(stats.binom.ppf(alpha, n, 0.5))
    if n < SMALL_N or rank < 1:
        return Estimate(med, n, None, None, method, True)
    low = _order_statistic(v, cum, rank)
    high = _order_statistic(v, cum, n - rank + 1)
    return Estimate(med, n, low, high, method, False)


def moments(values: Sequence[float], counts: Sequence[int]) -> tuple[int, float, float]:
    """(n, mean, sample SD) from value counts (SD NaN below 2 values)."""
    v, c = _histogram(values, counts)
    n = int(c.sum())
    if n == 0:
        return 0, math.nan, math.nan
    mean = float((v * c).sum() / n)
    sd = math.sqrt(float((c * (v - mean) ** 2).sum()) / (n - 1)) if n > 1 else math.nan
    return n, mean, sd


def quantiles(values: Sequence[float], counts: Sequence[int], qs: Sequence[float]) -> list[float]:
    """Quantiles of value counts, interpolated as numpy's default ('linear') method does."""
    v, c = _histogram(values, counts)
    n = int(c.sum())
    if n == 0:
        return [math.nan for _ in qs]
    cum = np.cumsum(c)
    out = []
    for q in qs:
        pos = q * (n - 1)  # 0-based position in the sorted sample
        lo_rank, frac = int(math.floor(pos)), pos - math.floor(pos)
        lo = _order_statistic(v, cum, lo_rank + 1)
        hi = _order_statistic(v, cum, min(lo_rank + 2, n))
        out.append(lo + (hi - lo) * frac)
    return out


def welch_difference(
    n_a: int, sum_a: float, sumsq_a: float, n_b: int, sum_b: float, sumsq_b: float
) -> Estimate:
    """Mean of b minus mean of a with Welch's 95% interval, from n, sum and sum of squares."""
    method = "welch_t"
    if n_a == 0 or n_b == 0:
        return Estimate(None, n_a + n_b, None, None, method, True)
    ma, mb = sum_a / n_a, sum_b / n_b
    diff = mb - ma
    if n_a < 2 or n_b < 2 or min(n_a, n_b) < SMALL_N:
        return Estimate(diff, n_a + n_b, None, None, method, True)
    va = max(sumsq_a - n_a * ma * ma, 0.0) / (n_a - 1)
    vb = max(sumsq_b - n_b * mb * mb, 0.0) / (n_b - 1)
    se2 = va / n_a + vb / n_b
    if se2 == 0:
        return Estimate(diff, n_a + n_b, diff, diff, method, False)
    df = se2**2 / ((va / n_a) ** 2 / (n_a - 1) + (vb / n_b) ** 2 / (n_b - 1))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, df)) * math.sqrt(se2)
    return Estimate(diff, n_a + n_b, diff - half, diff + half, method, False)

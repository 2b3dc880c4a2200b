"""Accrual forecast: Poisson recruitment with a gamma prior on the rate (Gajewski et al. 2008).

Each center recruits as a Poisson process with rate lambda per day. The prior on lambda is
Gamma(P * target, P * planned_days): the planned rate, worth a fraction P of the target's evidence.
After n randomized in t days the posterior is Gamma(P * target + n, P * planned_days + t).
The time to the remaining k subjects given lambda is Gamma(k, lambda); integrated over the
posterior it is beta * BetaPrime(k, alpha) (closed form). The count after d more days is
n + NegativeBinomial(alpha, beta / (beta + d)). The overall forecast adds the centers' rates
(drawn from their posteriors, fixed seed), so a fast center can make up for a slow one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

MONTH_DAYS = 30.4375


@dataclass(frozen=True)
class RatePosterior:
    """Gamma posterior of a recruitment rate per day: shape alpha, rate beta (in days)."""

    alpha: float
    beta: float

    @property
    def mean_per_month(self) -> float:
        """Posterior mean rate per month."""
        return self.alpha / self.beta * MONTH_DAYS if self.beta > 0 else math.nan


def rate_posterior(
    randomized: int, exposure_days: int, target: int, planned_days: int, prior_weight: float
) -> RatePosterior | None:
    """The rate posterior, or None when neither data nor prior say anything."""
    alpha = prior_weight * target + randomized
    beta = prior_weight * planned_days + exposure_days
    if alpha <= 0 or beta <= 0:
        return None
    return RatePosterior(alpha, beta)


@dataclass(frozen=True)
class TargetForecast:
    """When a target is forecast to be reached: median date and an interval."""

    reached: bool
    median: dt.date | None
    low: dt.date | None
    high: dt.date | None
    interval: float


def _after(start: dt.date, days: float) -> dt.date:
    return start + dt.timedelta(days=math.ceil(days))


def time_to_target(
    post: RatePosterior | None,
    randomized: int,
    target: int,
    start: dt.date,
    interval: float,
) -> TargetForecast:
    """Closed-form forecast of the date a center reaches its target (counted from `start`)."""
    remaining = target - randomized
    if remaining <= 0:
        return TargetForecast(True, None, None, None, interval)
    if post is None:
        return TargetForecast(False, None, None, None, interval)
    dist = stats.betaprime(remaining, post.alpha, scale=post.beta)
    lo_q, hi_q = (1 - interval) / 2, 1 - (1 - interval) / 2
    return TargetForecast(
        False,
        _after(start, float(dist.median())),
        _after(start, float(dist.ppf(lo_q))),
        _after(start, float(dist.ppf(hi_q))),
        interval,
    )


def count_fan(
    post: RatePosterior | None,
    randomized: int,
    start: dt.date,
    until: dt.date,
    interval: float,
    points: int = 40,
) -> pd.DataFrame:
    """Predicted cumulative count from `start` to `until`: columns date, low, median, high."""
    if post is None or until <= start:
        return pd.DataFrame(columns=["date", "low", "median", "high"])
    days = np.unique(np.linspace(0, (until - start).days, points).round().astype(int))
    p = post.beta / (post.beta + days)
    dist = stats.nbinom(post.alpha, p)
    lo_q, hi_q = (1 - interval) / 2, 1 - (1 - interval) / 2
    return pd.DataFrame(
        {
            "date": [pd.Timestamp(start + dt.timedelta(days=int(d))) for d in days],
            "low": randomized + dist.ppf(lo_q),
            "median": randomized + dist.median(),
            "high": randomized + dist.ppf(hi_q),
        }
    )


@dataclass(frozen=True)
class PooledForecast:
    """The overall forecast from several centers' rate posteriors (Monte Carlo, fixed seed)."""

    target: TargetForecast
    fan: pd.DataFrame


def pooled_forecast(
    posts: Sequence[RatePosterior],
    randomized: int,
    target: int,
    start: dt.date,
    interval: float,
    horizon_days: int | None = None,
    draws: int = 20_000,
    seed: int = 7,
) -> PooledForecast:
    """Forecast for the whole trial: total rate = sum of center rates drawn from posteriors."""
    empty_fan = pd.DataFrame(columns=["date", "low", "median", "high"])
    remaining = target - randomized
    if not posts:
        return PooledForecast(TargetForecast(remaining <= 0, None, None, None, interval), empty_fan)
    rng = np.random.default_rng(seed)
    total_rate = sum(rng.gamma(p.alpha, 1 / p.beta, draws) for p in posts)
    lo_q, hi_q = (1 - interval) / 2, 1 - (1 - interval) / 2
    if remaining <= 0:
        forecast = TargetForecast(True, None, None, None, interval)
        horizon = horizon_days or 180
    else:
        waits = rng.gamma(remaining, 1.0, draws) / total_rate
        lo, med, hi = np.quantile(waits, [lo_q, 0.5, hi_q])
        forecast = TargetForecast(
            False, _after(start, med), _after(start, lo), _after(start, hi), interval
        )
        horizon = horizon_days or math.ceil(hi)
    days = np.unique(np.linspace(0, horizon, 40).round().astype(int))
    counts = rng.poisson(np.outer(total_rate, days))
    lo_c, med_c, hi_c = np.quantile(counts, [lo_q, 0.5, hi_q], axis=0, method="inverted_cdf")
    fan = pd.DataFrame(
        {
            "date": [pd.Timestamp(start + dt.timedelta(days=int(d))) for d in days],
            "low": randomized + lo_c,
            "median": randomized + med_c,
            "high": randomized + hi_c,
        }
    )
    return PooledForecast(forecast, fan)

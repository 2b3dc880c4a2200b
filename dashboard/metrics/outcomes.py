"""Pain and function: International Consensus pain response, means with CIs, arm differences.

Pain response (Chow et al. 2012), relative to baseline NRS b and baseline OMED B, at a visit with
NRS n and OMED o (PROTOCOL.md):
- complete: n = 0 and no increase in OMED (o <= B);
- partial: b - n >= 2 with no increase in OMED, or OMED down by >= 25% (o <= 0.75 B) with no
  increase in NRS (n <= b);
- progression: n - b >= 2 with stable OMED (within 25% either way; B = 0 stays 0), or OMED up by
  >= 25% (o >= 1.25 B; from B = 0 any increase) with NRS stable or at most 1 above (b <= n <= b+1);
- indeterminate: anything else. Checked in that order.
Where OMED is missing (at baseline or the visit) the response uses NRS alone and is flagged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

RESPONSES = ("complete", "partial", "indeterminate", "progression")


def pain_response(
    b: float | None, n: float | None, big_o: float | None, o: float | None
) -> tuple[str | None, bool]:
    """(category, nrs_only) for one subject and visit; (None, False) when NRS is missing."""
    if b is None or n is None or pd.isna(b) or pd.isna(n):
        return None, False
    if big_o is None or o is None or pd.isna(big_o) or pd.isna(o):
        if n == 0:
            return "complete", True
        if b - n >= 2:
            return "partial", True
        if n - b >= 2:
            return "progression", True
        return "indeterminate", True
    no_increase = o <= big_o
    down_25 = big_o > 0 and o <= 0.75 * big_o
    up_25 = o >= 1.25 * big_o if big_o > 0 else o > 0
    stable = (o == 0) if big_o == 0 else (0.75 * big_o < o < 1.25 * big_o)
    if n == 0 and no_increase:
        return "complete", False
    if (b - n >= 2 and no_increase) or (down_25 and n <= b):
        return "partial", False
    if (n - b >= 2 and stable) or (up_25 and b <= n <= b + 1):
        return "progression", False
    return "indeterminate", False


def add_pain_response(rows: pd.DataFrame) -> pd.DataFrame:
    """Add `response` and `nrs_only` to rows with baseline_nrs, nrs, baseline_omed_mg, omed_mg."""
    out = [
        pain_response(b, n, bo, o)
        for b, n, bo, o in zip(
            rows["baseline_nrs"],
            rows["nrs"],
            rows["baseline_omed_mg"],
            rows["omed_mg"],
            strict=True,
        )
    ]
    return rows.assign(response=[r for r, _ in out], nrs_only=[f for _, f in out])


def exact_ci(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval for k of n (NaN, NaN when n = 0)."""
    if n == 0:
        return math.nan, math.nan
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def response_table(rows: pd.DataFrame, visits: Sequence[str]) -> pd.DataFrame:
    """Per arm and visit: counts per category, NRS-only count, responders, rate and exact CI."""
    assessable = rows[rows["response"].notna()]
    out = []
    for (arm, visit), g in assessable.groupby(["arm", "visit_code"]):
        counts = {r: int((g["response"] == r).sum()) for r in RESPONSES}
        n = len(g)
        k = counts["complete"] + counts["partial"]
        lo, hi = exact_ci(k, n)
        out.append(
            {
                "arm": arm,
                "visit_code": visit,
                "n": n,
                **counts,
                "responders": k,
                "rate": k / n if n else math.nan,
                "ci_low": lo,
                "ci_high": hi,
                "nrs_only": int(g["nrs_only"].sum()),
            }
        )
    df = pd.DataFrame(
        out,
        columns=[
            "arm",
            "visit_code",
            "n",
            *RESPONSES,
            "responders",
            "rate",
            "ci_low",
            "ci_high",
            "nrs_only",
        ],
    )
    order = {v: i for i, v in enumerate(visits)}
    return df.sort_values(
        ["arm", "visit_code"], key=lambda s: s.map(order) if s.name == "visit_code" else s
    ).reset_index(drop=True)


def mean_ci(values: pd.Series, level: float = 0.95) -> tuple[int, float, float, float]:
    """(n, mean, low, high): t-based confidence interval for a mean."""
    v = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    n = len(v)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    m = float(v.mean())
    if n == 1:
        return 1, m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return n, m, m - half, m + half


def trajectory(long: pd.DataFrame, value: str, visit_days: dict[str, int]) -> pd.DataFrame:
    """Mean and 95% CI of a value per arm and visit ('baseline' included), with weeks and n.

    `long` has arm, visit_code ('baseline' for baseline rows) and the value column.
    """
    rows = []
    for (arm, visit), g in long.groupby(["arm", "visit_code"]):
        n, m, lo, hi = mean_ci(g[value])
        if n == 0:
            continue
        day = 0 if visit == "baseline" else visit_days.get(str(visit))
        if day is None:
            continue
        rows.append(
            {
                "arm": arm,
                "visit_code": visit,
                "week": day / 7,
                "n": n,
                "mean": m,
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    df = pd.DataFrame(rows, columns=["arm", "visit_code", "week", "n", "mean", "ci_low", "ci_high"])
    return df.sort_values(["arm", "week"]).reset_index(drop=True)


def change_difference(
    rows: pd.DataFrame, arm_a: str, arm_b: str, visits: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Per visit: mean NRS change from baseline per arm and the difference b - a (Welch CI)."""
    df = rows.assign(change=rows["nrs"] - rows["baseline_nrs"]).dropna(subset=["change"])
    out = []
    for visit in visits:
        a = df[(df["visit_code"] == visit) & (df["arm"] == arm_a)]["change"].astype(float)
        b = df[(df["visit_code"] == visit) & (df["arm"] == arm_b)]["change"].astype(float)
        if len(a) < 2 or len(b) < 2:
            continue
        res = stats.ttest_ind(b, a, equal_var=False)
        ci = res.confidence_interval(confidence_level=level)
        out.append(
            {
                "visit_code": visit,
                "n_a": len(a),
                "n_b": len(b),
                "mean_a": float(a.mean()),
                "mean_b": float(b.mean()),
                "difference": float(b.mean() - a.mean()),
                "ci_low": float(ci.low),
                "ci_high": float(ci.high),
                "p_value": float(res.pvalue),
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            "visit_code",
            "n_a",
            "n_b",
            "mean_a",
            "mean_b",
            "difference",
            "ci_low",
            "ci_high",
            "p_value",
        ],
    )


def nrs_bands_share(long: pd.DataFrame) -> pd.DataFrame:
    """Share of subjects in each NRS severity band per arm and visit (baseline included)."""
    from dashboard.metrics.randomization import nrs_band

    df = long.dropna(subset=["nrs"]).assign(band=lambda d: d["nrs"].map(nrs_band))
    counts = df.groupby(["arm", "visit_code", "band"]).size().rename("n").reset_index()
    totals = counts.groupby(["arm", "visit_code"])["n"].transform("sum")
    return counts.assign(share=counts["n"] / totals, total=totals)


def sample_subjects(ids: Sequence[str], k: int, seed: int = 1) -> list[str]:
    """A fixed random sample of at most k subject ids (same sample on every request)."""
    unique = sorted(set(ids))
    if len(unique) <= k:
        return unique
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(unique, size=k, replace=False).tolist())

"""Adverse-event arithmetic: incidence by arm, term and worst grade; center rates; lag.

Grade (CTCAE 1-5) and seriousness (ICH E2A) are separate columns and stay separate. Incidence
counts subjects, not events: a subject with three events of one term counts once, at the
worst grade. Denominators are the randomized subjects of the arm (or center). Events whose grade
is outside 1-5 cannot be graded: they are left out of grade-based counts and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dashboard.metrics.outcomes import exact_ci

GRADES = (1, 2, 3, 4, 5)


def prepare_events(aes: pd.DataFrame) -> pd.DataFrame:
    """Add valid_grade, fatal, days_since_procedure and reporting lag to AE rows."""
    df = aes.copy()
    df["valid_grade"] = df["grade"].isin(GRADES)
    df["fatal"] = (df["grade"] == 5) | (df["outcome"] == "fatal")
    df["days_since_procedure"] = (df["onset_on"] - df["procedure_on"]).dt.days
    df["lag_days"] = (df["reported_on"] - df["onset_on"]).dt.days
    return df


def _pct(k: int, n: int) -> float:
    return k / n if n else np.nan


def overview_by_arm(events: pd.DataFrame, n_by_arm: Mapping[str, int]) -> pd.DataFrame:
    """Per arm: subjects with any AE, worst grade >= 3, any SAE, a fatal AE (n and share)."""
    rows = []
    for arm, n in n_by_arm.items():
        mine = events[events["arm"] == arm]
        graded = mine[mine["valid_grade"]]
        counts = {
            "any_ae": mine["subject_id"].nunique(),
            "grade3plus": graded[graded["grade"] >= 3]["subject_id"].nunique(),
            "serious": mine[mine["serious"].astype(bool)]["subject_id"].nunique(),
            "fatal": mine[mine["fatal"]]["subject_id"].nunique(),
        }
        rows.append(
            {
                "arm": arm,
                "subjects": n,
                "events": len(mine),
                **counts,
                **{f"{k}_pct": _pct(v, n) for k, v in counts.items()},
            }
        )
    return pd.DataFrame(rows)


def incidence_by_term(events: pd.DataFrame, n_by_arm: Mapping[str, int]) -> pd.DataFrame:
    """Subject-level incidence per SOC and term and arm: any grade, grade >= 3, worst grade.

    Columns: soc, term, then per arm <arm>_any, <arm>_any_pct, <arm>_g3, <arm>_g3_pct and
    <arm>_g1 .. <arm>_g5 (subjects whose worst grade for the term is that grade).
    """
    graded = events[events["valid_grade"]].copy()
    graded["soc"] = graded["soc"].fillna("(SOC not recorded)")
    if graded.empty:
        return pd.DataFrame(columns=["soc", "term"])
    worst = graded.groupby(["soc", "term", "arm", "subject_id"], as_index=False)["grade"].max()
    terms = worst[["soc", "term"]].drop_duplicates().sort_values(["soc", "term"])
    out = terms.reset_index(drop=True)
    for arm, n in n_by_arm.items():
        mine = worst[worst["arm"] == arm]
        any_n = mine.groupby(["soc", "term"])["subject_id"].nunique()
        g3 = mine[mine["grade"] >= 3].groupby(["soc", "term"])["subject_id"].nunique()
        key = list(zip(out["soc"], out["term"], strict=True))
        out[f"{arm}_any"] = [int(any_n.get(k, 0)) for k in key]
        out[f"{arm}_any_pct"] = [_pct(int(any_n.get(k, 0)), n) for k in key]
        out[f"{arm}_g3"] = [int(g3.get(k, 0)) for k in key]
        out[f"{arm}_g3_pct"] = [_pct(int(g3.get(k, 0)), n) for k in key]
        for g in GRADES:
            at = mine[mine["grade"] == g].groupby(["soc", "term"])["subject_id"].nunique()
            out[f"{arm}_g{g}"] = [int(at.get(k, 0)) for k in key]
    totals = sum(out[f"{arm}_any"] for arm in n_by_arm)
    out = out.assign(_total=totals).sort_values(
        ["soc", "_total", "term"], ascending=[True, False, True]
    )
    return out.drop(columns="_total").reset_index(drop=True)


def attribution_by_arm(events: pd.DataFrame) -> pd.DataFrame:
    """Events and subjects per attribution (procedure, sbrt, both, unrelated, unknown) and arm."""
    df = events.assign(attribution=events["attribution"].fillna("unknown"))
    return (
        df.groupby(["arm", "attribution"])
        .agg(events=("subject_id", "size"), subjects=("subject_id", "nunique"))
        .reset_index()
    )


def events_of_interest(
    events: pd.DataFrame,
    categories: Sequence[tuple[str, Sequence[str]]],
    n_by_arm: Mapping[str, int],
) -> pd.DataFrame:
    """Per category of interest and arm: subjects with such an event, and with grade >= 3."""
    rows = []
    term = events["term"].str.lower()
    for name, terms in categories:
        wanted = {x.lower() for x in terms}
        mine = events[term.isin(wanted)]
        for arm, n in n_by_arm.items():
            a = mine[mine["arm"] == arm]
            k = a["subject_id"].nunique()
            g3 = a[a["valid_grade"] & (a["grade"] >= 3)]["subject_id"].nunique()
            rows.append(
                {
                    "category": name,
                    "arm": arm,
                    "subjects": k,
                    "pct": _pct(k, n),
                    "grade3plus": g3,
                    "events": len(a),
                    "denominator": n,
                }
            )
    return pd.DataFrame(
        rows, columns=["category", "arm", "subjects", "pct", "grade3plus", "events", "denominator"]
    )


def center_rates(events: pd.DataFrame, n_by_center: Mapping[str, int]) -> pd.DataFrame:
    """Per center and pooled: subjects with any AE and with an SAE, share and exact 95% CI."""
    rows = []
    groups = [*n_by_center.items(), ("ALL", sum(n_by_center.values()))]
    for center, n in groups:
        mine = events if center == "ALL" else events[events["center_id"] == center]
        row: dict[str, object] = {"center_id": center, "subjects": n}
        for key, sel in (("any_ae", mine), ("serious", mine[mine["serious"].astype(bool)])):
            k = sel["subject_id"].nunique()
            lo, hi = exact_ci(k, n)
            row.update({key: k, f"{key}_rate": _pct(k, n), f"{key}_low": lo, f"{key}_high": hi})
        rows.append(row)
    return pd.DataFrame(rows)


def reporting_lag(events: pd.DataFrame, centers: Sequence[str], as_of: dt.date) -> pd.DataFrame:
    """Per center: events, quartiles of days from onset to report, and days since last report.

    A center that reports late, or has stopped reporting, is what a monitor must see.
    """
    rows = []
    for center in centers:
        mine = events[events["center_id"] == center]
        lag = mine["lag_days"].dropna()
        last = mine["reported_on"].max()
        rows.append(
            {
                "center_id": center,
                "events": len(mine),
                "median_lag": float(lag.median()) if len(lag) else np.nan,
                "q1_lag": float(lag.quantile(0.25)) if len(lag) else np.nan,
                "q3_lag": float(lag.quantile(0.75)) if len(lag) else np.nan,
                "max_lag": float(lag.max()) if len(lag) else np.nan,
                "no_report_date": int(mine["reported_on"].isna().sum()),
                "days_since_last_report": (pd.Timestamp(as_of) - last).days
                if pd.notna(last)
                else None,
            }
        )
    return pd.DataFrame(rows)

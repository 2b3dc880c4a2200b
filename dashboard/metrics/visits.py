"""The visit engine: scheduled visits, windows and states as of a date, compliance, worklist.

States for each randomized subject and scheduled visit, as of a date D (PROTOCOL.md):
- done: an assessment dated on or before D exists; done_early / done_late when it falls
  outside the window;
- missed: no assessment, the subject was on study when the window opened, and either the window
  closed before D or the subject left the study (on or before D) without the visit;
- due: the window is open at D, no assessment yet, the subject is on study;
- upcoming: the window opens after D;
- not_expected: the subject left the study before the window opened;
- no_day_zero: the subject has no day-0 date, so no visit can be scheduled (flagged).
Compliance = done (any timing) / (done + missed); not_expected visits leave the denominator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.protocol import Visit

DONE_STATES = ("done", "done_early", "done_late")
STATES = (
    "done",
    "done_early",
    "done_late",
    "missed",
    "due",
    "upcoming",
    "not_expected",
    "no_day_zero",
)

SCHEDULE_COLUMNS = [
    "subject_id",
    "center_id",
    "arm",
    "visit_code",
    "visit_day",
    "day0",
    "target_on",
    "opens_on",
    "closes_on",
    "assessed_on",
    "state",
    "days_overdue",
    "duplicates",
]


def visit_schedule(
    subjects: pd.DataFrame,
    assessments: pd.DataFrame,
    visits: Sequence[Visit],
    as_of: dt.date,
    day_zero: str = "procedure_on",
) -> pd.DataFrame:
    """One row per randomized subject and scheduled visit with its window and state as of D.

    `subjects`: subject_id, center_id, arm, randomized_on, the day-0 column, off_study_on.
    `assessments`: subject_id, visit_code, assessed_on (dates after D are ignored; several
    rows for one visit keep the earliest and count the rest in `duplicates`).
    """
    d = pd.Timestamp(as_of)
    subj = subjects[subjects["randomized_on"].notna() & (subjects["randomized_on"] <= d)]
    if subj.empty or not visits:
        return pd.DataFrame(columns=SCHEDULE_COLUMNS)
    plan = pd.DataFrame(
        {
            "visit_code": [v.code for v in visits],
            "visit_day": [v.day for v in visits],
            "before": [v.window_before for v in visits],
            "after": [v.window_after for v in visits],
            "order": range(len(visits)),
        }
    )
    base = subj[["subject_id", "center_id", "arm", day_zero, "off_study_on"]].rename(
        columns={day_zero: "day0"}
    )
    grid = base.merge(plan, how="cross")
    day0 = grid["day0"]
    grid["target_on"] = day0 + pd.to_timedelta(grid["visit_day"], unit="D")
    grid["opens_on"] = grid["target_on"] - pd.to_timedelta(grid["before"], unit="D")
    grid["closes_on"] = grid["target_on"] + pd.to_timedelta(grid["after"], unit="D")

    seen = assessments[assessments["assessed_on"].notna() & (assessments["assessed_on"] <= d)]
    firsts = seen.groupby(["subject_id", "visit_code"], as_index=False).agg(
        assessed_on=("assessed_on", "min"), n=("assessed_on", "size")
    )
    grid = grid.merge(firsts, on=["subject_id", "visit_code"], how="left")
    grid["duplicates"] = (grid["n"].fillna(1) - 1).astype(int)

    # What happens after D is not known at D: a later off-study date does not count yet.
    off = grid["off_study_on"].where(grid["off_study_on"] <= d)
    has_day0 = day0.notna()
    done = grid["assessed_on"].notna()
    left_before_open = off.notna() & (off < grid["opens_on"])
    left_by_now = off.notna()
    closed = grid["closes_on"] < d
    is_open = (grid["opens_on"] <= d) & ~closed

    state = np.select(
        [
            ~has_day0,
            done & (grid["assessed_on"] < grid["opens_on"]),
            done & (grid["assessed_on"] > grid["closes_on"]),
            done,
            left_before_open,
            closed | left_by_now,
            is_open,
        ],
        ["no_day_zero", "done_early", "done_late", "done", "not_expected", "missed", "due"],
        default="upcoming",
    )
    grid["state"] = state
    overdue = (d - grid["target_on"]).dt.days
    grid["days_overdue"] = np.where(
        np.isin(state, ("due", "missed")) & (overdue > 0), overdue, 0
    ).astype(int)
    grid = grid.sort_values(["center_id", "subject_id", "order"]).reset_index(drop=True)
    return grid[SCHEDULE_COLUMNS]


def state_counts(schedule: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Counts of each state per group, with compliance = done / (done + missed) (NaN if none)."""
    keys = list(by)
    if schedule.empty:
        return pd.DataFrame(columns=[*keys, *STATES, "done_any", "compliance"])
    counts = pd.crosstab(
        [schedule[k] for k in keys] if keys else pd.Series("all", index=schedule.index),
        schedule["state"],
    )
    counts = counts.reindex(columns=list(STATES), fill_value=0)
    counts.columns.name = None
    counts["done_any"] = counts[list(DONE_STATES)].sum(axis=1)
    denominator = counts["done_any"] + counts["missed"]
    counts["compliance"] = (counts["done_any"] / denominator).where(denominator > 0)
    out = counts.reset_index()
    if not keys:
        out = out.drop(columns=out.columns[0])
    return out


def missed_by_month(schedule: pd.DataFrame) -> pd.DataFrame:
    """Missed visits per center and calendar month in which the window closed."""
    missed = schedule[schedule["state"] == "missed"]
    if missed.empty:
        return pd.DataFrame(columns=["month", "center_id", "n"])
    month = missed["closes_on"].dt.to_period("M").dt.to_timestamp()
    return (
        missed.assign(month=month)
        .groupby(["month", "center_id"], as_index=False)
        .size()
        .rename(columns={"size": "n"})
    )


def worklist(schedule: pd.DataFrame) -> pd.DataFrame:
    """What a coordinator must act on, in the order to act on it.

    Visits due now (most overdue first), then missed visits (most recently missed first, while
    a late entry or a reason can still be chased), then subjects without a day-0 date.
    """
    priority = {"due": 0, "missed": 1, "no_day_zero": 2}
    todo = schedule[schedule["state"].isin(list(priority))].copy()
    todo["_p"] = todo["state"].map(priority)
    todo["_k"] = np.where(todo["state"] == "due", -todo["days_overdue"], todo["days_overdue"])
    todo = todo.sort_values(["_p", "_k", "center_id", "subject_id", "target_on"])
    return todo.drop(columns=["_p", "_k"]).reset_index(drop=True)


def flagged_subjects(schedule: pd.DataFrame) -> pd.DataFrame:
    """Subjects the engine could not schedule cleanly: no day 0, or two assessments for a visit."""
    no_day0 = schedule[schedule["state"] == "no_day_zero"]["subject_id"].unique()
    dup = schedule[schedule["duplicates"] > 0][["subject_id", "visit_code", "duplicates"]]
    rows = [{"subject_id": s, "problem": "no_day_zero", "visit_code": None} for s in no_day0]
    rows += [
        {"subject_id": r.subject_id, "problem": "duplicate_assessment", "visit_code": r.visit_code}
        for r in dup.itertuples()
    ]
    return pd.DataFrame(rows, columns=["subject_id", "problem", "visit_code"])

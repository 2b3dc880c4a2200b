"""The questions the dashboard asks the trial database: parameterised, bounded, typed frames.

Aggregates (GROUP BY) for what pages count; rows only for listings and per-subject views.
"""

from data_access.queries import (
    checks,
    listing,
    outcomes,
    population,
    randomization,
    recruitment,
    rows,
    safety,
    visits,
)
from data_access.queries.core import RowCapExceeded, TrialDb, frame, records, scalar, trial_as_of

__all__ = [
    "RowCapExceeded",
    "TrialDb",
    "checks",
    "frame",
    "listing",
    "outcomes",
    "population",
    "randomization",
    "recruitment",
    "records",
    "rows",
    "safety",
    "scalar",
    "trial_as_of",
    "visits",
]

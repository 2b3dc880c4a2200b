"""The questions the dashboard asks the trial database: parameterised, bounded, typed frames.

Aggregates (GROUP BY) for what pages count; rows only for listings and per-subject views.
"""

from data_access.queries.core import RowCapExceeded, TrialDb, frame, scalar, trial_as_of
from data_access.queries.rows import *  # noqa: F403 - row questions not yet moved to a module

__all__ = ["RowCapExceeded", "TrialDb", "frame", "scalar", "trial_as_of"]

"""The query scope: which centers, arms and as-of date a question is asked for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_


@dataclass(frozen=True)
class Scope:
    """What a query may see. Built once per request from the URL and the user's rights.

    `centers` is always explicit (an empty tuple sees nothing); `arms` None means every arm,
    including subjects not randomized; `as_of` hides everything dated after it.
    """

    centers: tuple[str, ...]
    as_of: dt.date
    arms: tuple[str, ...] | None = None

    def cache_key(self) -> str:
        """A stable text key for caches."""
        arms = ",".join(self.arms) if self.arms is not None else "*"
        return f"c={','.join(self.centers)}|a={arms}|d={self.as_of.isoformat()}"


def subject_conditions(scope: Scope, subjects: Table) -> ColumnElement[bool]:
    """WHERE conditions on the subjects table for a scope (bound parameters, no string SQL)."""
    conds = [
        subjects.c.center_id.in_(scope.centers),
        subjects.c.screened_on <= scope.as_of,
    ]
    if scope.arms is not None:
        conds += [subjects.c.arm.in_(scope.arms), subjects.c.randomized_on <= scope.as_of]
    return and_(*conds)

"""Builds the query Scope for a request: the view asked for, intersected with the user's rights.

This is the one place where the center restriction is applied, so no page can forget it. A
request for centers the user may not see shows the centers they may see, with a one-line note
saying so (never an empty page, never another center's data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dashboard.metrics.model import ScopeInfo
from dashboard.urlstate import ViewState
from data_access.scope import Scope

EARLIEST_YEAR = 1900


def build_scope(
    view: ViewState,
    center_codes: Sequence[str],
    arm_codes: Sequence[str],
    default_as_of: dt.date,
    allowed_centers: Sequence[str] | None = None,
) -> tuple[Scope, ScopeInfo]:
    """Scope = requested centers ∩ allowed centers; arms and as-of date as requested."""
    every = tuple(center_codes)
    allowed = every if allowed_centers is None else tuple(c for c in every if c in allowed_centers)
    restricted = set(allowed) != set(every)
    requested = view.centers if view.centers is not None else every
    centers = tuple(c for c in requested if c in allowed)
    note: str | None = None
    note_centers: tuple[str, ...] = ()
    if not centers and allowed and view.centers:
        # Asked only for centers outside the user's rights: show theirs and say so.
        centers, note, note_centers = allowed, "scope.outside_rights", tuple(view.centers)
    elif restricted and view.centers and set(view.centers) - set(allowed):
        note = "scope.partly_outside_rights"
        note_centers = tuple(c for c in view.centers if c not in allowed)
    # No view past the data (nothing is known after the data date) or before any trial.
    as_of = view.as_of or default_as_of
    as_of = min(as_of, default_as_of) if as_of.year >= EARLIEST_YEAR else default_as_of
    arms = tuple(view.arms) if view.arms is not None else tuple(arm_codes)
    info = ScopeInfo(
        centers=centers,
        all_centers=set(centers) == set(every) and not restricted,
        restricted=restricted,
        arms=arms,
        arm_filtered=view.arms is not None,
        as_of=as_of,
        note=note,
        note_centers=note_centers,
    )
    return Scope(centers=centers, as_of=as_of, arms=view.arms), info


def full_scope(
    center_codes: Sequence[str], arm_codes: Sequence[str], as_of: dt.date
) -> tuple[Scope, ScopeInfo]:
    """The whole trial as of a date (the CLI, cuts, the default view of an unrestricted user)."""
    return build_scope(ViewState(), center_codes, arm_codes, as_of)


def centers_scope(
    centers: Sequence[str], center_codes: Sequence[str], arm_codes: Sequence[str], as_of: dt.date
) -> tuple[Scope, ScopeInfo]:
    """Some centers of the trial as of a date, with every right (the CLI's --center)."""
    return build_scope(ViewState(centers=tuple(centers)), center_codes, arm_codes, as_of)

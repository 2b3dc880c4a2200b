"""Builds the query Scope for a request: the view asked for, intersected with the user's rights.

This is the one place where the center restriction is applied, so no page can forget it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dashboard.urlstate import ViewState
from data_access.scope import Scope


def build_scope(
    view: ViewState,
    center_codes: Sequence[str],
    default_as_of: dt.date,
    allowed_centers: Sequence[str] | None = None,
) -> Scope:
    """Scope = requested centers ∩ allowed centers; arms and as-of date as requested."""
    requested = view.centers if view.centers is not None else tuple(center_codes)
    allowed = set(center_codes if allowed_centers is None else allowed_centers)
    centers = tuple(c for c in requested if c in allowed)
    return Scope(centers=centers, as_of=view.as_of or default_as_of, arms=view.arms)

"""What every page model is made of: estimates with their interval and n, the scope, JSON.

A page model is a frozen dataclass holding every number, table cell and series its page shows.
Pages and figures only format it; `summary --json` and the meeting pack print the same models,
so one independent computation checks all of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# A row of an aggregate query: column name -> value (dates as datetime.date).
Record = dict[str, Any]

# Below this many observations an estimate is shown without an interval and marked "small n".
SMALL_N = 5


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean, median or difference with its 95% interval, its n and the method behind it.

    `low`/`high` are None when no interval is shown (n below SMALL_N, or not computable).
    """

    value: float | None
    n: int
    low: float | None
    high: float | None
    method: str
    small_n: bool


@dataclass(frozen=True, slots=True)
class Proportion:
    """k of n with an exact (Clopper-Pearson) 95% interval; no interval below SMALL_N."""

    k: int
    n: int
    value: float | None
    low: float | None
    high: float | None
    small_n: bool
    method: str = "clopper_pearson"


@dataclass(frozen=True, slots=True)
class ScopeInfo:
    """Which part of the trial a model describes, and how a page must word it.

    `all_centers` is true only when every center of the protocol is in scope and the user's
    rights do not restrict centers: only then may a page say "all centers". `pooled` is true
    when more than one center is in scope (a pooled row or dot makes sense). `note` is a
    message key for a one-line note (e.g. a requested center outside the user's rights).
    """

    centers: tuple[str, ...]
    all_centers: bool
    restricted: bool
    arms: tuple[str, ...]
    arm_filtered: bool
    as_of: dt.date
    note: str | None = None
    note_centers: tuple[str, ...] = ()

    @property
    def pooled(self) -> bool:
        """More than one center in scope."""
        return len(self.centers) > 1


def clean_float(x: Any, digits: int | None = None) -> float | None:
    """A finite Python float (rounded when asked), or None for NaN, inf and missing values."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    return round(f, digits) if digits is not None else f


def to_json(obj: Any) -> Any:
    """The JSON form of a model: dataclasses as objects, dates as ISO text, NaN as null."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return clean_float(obj)
    if isinstance(obj, dt.datetime):
        return obj.date().isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if obj is None or isinstance(obj, str):
        return obj
    if hasattr(obj, "isoformat"):  # pandas Timestamp
        return obj.isoformat()[:10]
    raise TypeError(f"cannot put a {type(obj).__name__} into a page model")

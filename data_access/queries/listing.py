"""Listings paged, sorted and filtered in SQL: AG Grid's request turned into a bounded query.

A listing is a base SELECT (already restricted to the request's scope) and the columns the grid
may sort and filter on. A request carries the rows wanted (start, end), AG Grid's sort model
and filter model, and a free-text search, which matches text columns by substring and coded
columns by the codes whose displayed label contains the text (the caller maps labels to codes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.sql import Select

from data_access.engine import read_connection
from data_access.queries.core import Record, TrialDb, _to_date

MAX_PAGE = 1000  # rows one request may ask for
EXPORT_BATCH = 2000


@dataclass(frozen=True)
class ListingColumn:
    """A column of a listing: text, number, date or code (filtered through its labels)."""

    name: str
    kind: str = "text"


@dataclass(frozen=True)
class ListingRequest:
    """One page of a listing as asked for."""

    start: int = 0
    end: int = 100
    sort: tuple[tuple[str, str], ...] = ()
    filters: Mapping[str, Any] = field(default_factory=dict)
    search: str = ""
    search_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _text_condition(col: ColumnElement[Any], f: Mapping[str, Any]) -> ColumnElement[bool] | None:
    kind = f.get("type", "contains")
    value = str(f.get("filter") or "")
    if kind == "blank":
        return or_(col.is_(None), col == "")
    if kind == "notBlank":
        return and_(col.is_not(None), col != "")
    if not value:
        return None
    esc = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    text = func.coalesce(col, "")
    return {
        "contains": text.ilike(f"%{esc}%", escape="\\"),
        "notContains": ~text.ilike(f"%{esc}%", escape="\\"),
        "equals": func.lower(text) == value.lower(),
        "notEqual": func.lower(text) != value.lower(),
        "startsWith": text.ilike(f"{esc}%", escape="\\"),
        "endsWith": text.ilike(f"%{esc}", escape="\\"),
    }.get(kind)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _number_condition(col: ColumnElement[Any], f: Mapping[str, Any]) -> ColumnElement[bool] | None:
    kind = f.get("type", "equals")
    if kind == "blank":
        return col.is_(None)
    if kind == "notBlank":
        return col.is_not(None)
    a, b = _number(f.get("filter")), _number(f.get("filterTo"))
    if a is None:
        return None
    return {
        "equals": col == a,
        "notEqual": col != a,
        "lessThan": col < a,
        "lessThanOrEqual": col <= a,
        "greaterThan": col > a,
        "greaterThanOrEqual": col >= a,
        "inRange": and_(col >= a, col <= b) if b is not None else None,
    }.get(kind)


def _date_condition(col: ColumnElement[Any], f: Mapping[str, Any]) -> ColumnElement[bool] | None:
    kind = f.get("type", "equals")
    if kind == "blank":
        return col.is_(None)
    if kind == "notBlank":
        return col.is_not(None)
    a, b = _to_date(f.get("dateFrom")), _to_date(f.get("dateTo"))
    if a is None:
        return None
    return {
        "equals": col == a,
        "notEqual": col != a,
        "lessThan": col < a,
        "greaterThan": col > a,
        "inRange": and_(col >= a, col <= b) if b is not None else None,
    }.get(kind)


def _condition(col: ColumnElement[Any], kind: str, f: Mapping[str, Any]) -> Any:
    if "operator" in f and "conditions" in f:  # two conditions joined by AND / OR
        parts = [_condition(col, kind, c) for c in f["conditions"]]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return and_(*parts) if f["operator"] == "AND" else or_(*parts)
    if kind == "number":
        return _number_condition(col, f)
    if kind == "date":
        return _date_condition(col, f)
    if kind == "code":
        values = f.get("values")
        if isinstance(values, list):
            return col.in_([str(v) for v in values])
    return _text_condition(col, f)


def filtered(
    base: Select[Any], columns: Sequence[ListingColumn], request: ListingRequest
) -> tuple[Select[Any], Any]:
    """The base query with the request's filters and search applied, and its subquery."""
    sub = base.subquery("listing")
    known = {c.name: c for c in columns}
    conditions = []
    for name, f in request.filters.items():
        if name in known and isinstance(f, Mapping):
            cond = _condition(sub.c[name], known[name].kind, f)
            if cond is not None:
                conditions.append(cond)
    text = request.search.strip()
    if text:
        esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        terms: list[ColumnElement[bool]] = []
        for c in columns:
            if c.kind == "text":
                terms.append(func.coalesce(sub.c[c.name], "").ilike(f"%{esc}%", escape="\\"))
            elif c.kind == "code" and request.search_codes.get(c.name):
                terms.append(sub.c[c.name].in_(list(request.search_codes[c.name])))
        conditions.append(or_(*terms) if terms else literal(False))
    stmt = select(sub)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return stmt, sub


def _ordered(
    stmt: Select[Any],
    sub: Any,
    columns: Sequence[ListingColumn],
    request: ListingRequest,
    default_order: Sequence[str],
) -> Select[Any]:
    """The user's sort first, then the listing's own order (names, '-' for descending).

    The listing's order must end in a unique key so that pages never overlap or skip rows.
    """
    known = {c.name for c in columns}
    order = []
    for name, direction in request.sort:
        if name in known:
            col = sub.c[name]
            order.append(col.desc().nulls_last() if direction == "desc" else col.asc().nulls_last())
    for name in default_order:
        col = sub.c[name.lstrip("-")]
        order.append(col.desc() if name.startswith("-") else col.asc())
    return stmt.order_by(*order)


def _typed(
    rows: Sequence[Any], keys: Sequence[str], columns: Sequence[ListingColumn]
) -> list[Record]:
    dates = {c.name for c in columns if c.kind == "date"}
    out = []
    for r in rows:
        rec = dict(zip(keys, r, strict=True))
        for k in dates:
            if k in rec:
                rec[k] = _to_date(rec[k])
        out.append(rec)
    return out


def page(
    db: TrialDb,
    base: Select[Any],
    columns: Sequence[ListingColumn],
    request: ListingRequest,
    default_order: Sequence[str],
) -> tuple[list[Record], int]:
    """One page of the listing and the number of rows the filters leave."""
    stmt, sub = filtered(base, columns, request)
    start = max(0, int(request.start))
    size = max(0, min(int(request.end) - start, MAX_PAGE))
    rows_stmt = _ordered(stmt, sub, columns, request, default_order).offset(start).limit(size)
    count_stmt = select(func.count()).select_from(stmt.subquery())
    with read_connection(db.url, db.timeout_ms) as conn:
        result = conn.execute(rows_stmt)
        keys = list(result.keys())
        rows = result.fetchall()
        total = int(conn.execute(count_stmt).scalar_one())
    return _typed(rows, keys, columns), total


def stream(
    db: TrialDb,
    base: Select[Any],
    columns: Sequence[ListingColumn],
    request: ListingRequest,
    default_order: Sequence[str],
) -> Iterator[Record]:
    """Every row the filters leave, in batches (for a CSV export of the whole filtered set)."""
    stmt, sub = filtered(base, columns, request)
    stmt = _ordered(stmt, sub, columns, request, default_order)
    start = 0
    while True:
        with read_connection(db.url, db.timeout_ms) as conn:
            result = conn.execute(stmt.offset(start).limit(EXPORT_BATCH))
            keys = list(result.keys())
            rows = result.fetchall()
        yield from _typed(rows, keys, columns)
        if len(rows) < EXPORT_BATCH:
            return
        start += EXPORT_BATCH


def iso(value: Any) -> Any:
    """A date as ISO text for a grid cell or a CSV field; anything else unchanged."""
    return value.isoformat() if isinstance(value, dt.date) else value

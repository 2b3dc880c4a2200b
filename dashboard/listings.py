"""Subject-level listings, paged, sorted, filtered and exported on the server.

Each listing names its columns and a base query restricted to the request's scope (the user's
rights apply, as everywhere, through the page context). The grid asks for one block of rows at a
time (AG Grid's infinite row model); the CSV export streams the whole filtered set. Coded
values (states, checks, arms) are shown and exported as labels in the user's language, and the
search box matches those labels too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql import Select

from dashboard.i18n import MESSAGES, t, tn
from dashboard.services import PageContext, arm_rule, planned_visits
from data_access.queries import checks as cq
from data_access.queries import listing as lq
from data_access.queries import safety as sq
from data_access.queries import visits as vq
from data_access.queries.core import has_column

SEARCH = "_search"


@dataclass(frozen=True)
class Column:
    """A listing column: its field, header, kind and how a coded value is labelled."""

    field: str
    header: str  # message key
    kind: str = "text"  # text, number, date, code
    width: int | None = None
    hidden: bool = False
    labels: str | None = None  # message key prefix of a code's label; "arm": the protocol's
    computed: bool = False  # filled by the listing's `enrich` (not in SQL: no sort or filter)


@dataclass(frozen=True)
class Listing:
    """A listing: columns, its scope-restricted base query and its own order."""

    name: str
    csv_name: str
    columns: tuple[Column, ...]
    base: Callable[[PageContext], Select[Any]]
    order: tuple[str, ...]
    row_format: Callable[[dict[str, Any], PageContext], dict[str, Any]] | None = None
    # Per request: a function that adds the computed columns to a formatted row (statuses from
    # the app's own store, loaded once per request).
    enrich: Callable[[PageContext], Callable[[dict[str, Any]], dict[str, Any]]] | None = None

    def sql_columns(self) -> list[lq.ListingColumn]:
        """What the SQL layer may sort and filter on."""
        return [lq.ListingColumn(c.field, c.kind) for c in self.columns if not c.computed]


def _label(column: Column, value: Any, ctx: PageContext) -> Any:
    if value is None or column.labels is None:
        return lq.iso(value)
    if column.labels == "arm":
        return ctx.protocol.arm_label(value, ctx.lang)
    key = f"{column.labels}.{value}"
    return t(key, ctx.lang, **ctx.terms) if key in MESSAGES else str(value)


def format_row(listing: Listing, row: Mapping[str, Any], ctx: PageContext) -> dict[str, Any]:
    """A row as shown and exported: dates as ISO text, codes as labels (the code kept too)."""
    if listing.row_format is not None:
        row = listing.row_format(dict(row), ctx)
    out: dict[str, Any] = {}
    for c in listing.columns:
        value = row.get(c.field)
        out[c.field] = _label(c, value, ctx)
        if c.labels is not None:
            out[f"{c.field}_code"] = value
    return out


def label_texts(listing: Listing, ctx: PageContext) -> dict[str, list[str]]:
    """Per coded column, every label it can show in the user's language (to size rows)."""
    out: dict[str, list[str]] = {}
    for c in listing.columns:
        if c.labels is None or c.hidden:
            continue
        if c.labels == "arm":
            out[c.field] = [a.name(ctx.lang) for a in ctx.protocol.arms]
        else:
            prefix = c.labels + "."
            out[c.field] = [
                t(key, ctx.lang, **ctx.terms) for key in MESSAGES if key.startswith(prefix)
            ]
    return out


def search_codes(listing: Listing, text: str, ctx: PageContext) -> dict[str, tuple[str, ...]]:
    """For each coded column, the codes whose label (in the user's language) contains the text."""
    needle = text.strip().lower()
    out: dict[str, tuple[str, ...]] = {}
    if not needle:
        return out
    for c in listing.columns:
        if c.labels is None:
            continue
        if c.labels == "arm":
            codes = [a.code for a in ctx.protocol.arms if needle in a.name(ctx.lang).lower()]
        else:
            prefix = c.labels + "."
            codes = [
                key[len(prefix) :]
                for key in MESSAGES
                if key.startswith(prefix) and needle in t(key, ctx.lang, **ctx.terms).lower()
            ]
        codes += [needle.upper()] if c.labels == "arm" else [needle]
        out[c.field] = tuple(codes)
    return out


def request_of(
    listing: Listing, raw: Mapping[str, Any] | None, ctx: PageContext
) -> lq.ListingRequest:
    """AG Grid's getRowsRequest (or the export's query) as a listing request."""
    raw = raw or {}
    filters = dict(raw.get("filterModel") or {})
    search_filter = filters.pop(SEARCH, None)
    search = str(search_filter.get("filter") or "") if isinstance(search_filter, dict) else ""
    sort = tuple(
        (str(s.get("colId")), "desc" if s.get("sort") == "desc" else "asc")
        for s in raw.get("sortModel") or []
        if isinstance(s, dict)
    )
    return lq.ListingRequest(
        start=int(raw.get("startRow") or 0),
        end=int(raw.get("endRow") or 100),
        sort=sort,
        filters=filters,
        search=search[:200],
        search_codes=search_codes(listing, search[:200], ctx),
    )


def rows_page(listing: Listing, raw: Mapping[str, Any] | None, ctx: PageContext) -> dict[str, Any]:
    """The getRowsResponse for a request: one block of formatted rows and the row count."""
    request = request_of(listing, raw, ctx)
    rows, total = lq.page(ctx.db, listing.base(ctx), listing.sql_columns(), request, listing.order)
    add = listing.enrich(ctx) if listing.enrich else (lambda r: r)
    return {"rowData": [add(format_row(listing, r, ctx)) for r in rows], "rowCount": total}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP).

    `=HYPERLINK(...)`, `+cmd|...`, `-2+3+cmd|...`, `@SUM(...)` and text beginning with a tab
    or carriage return are shown as typed instead of evaluated; numbers are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(listing: Listing, raw: Mapping[str, Any] | None, ctx: PageContext) -> Iterator[str]:
    """The whole filtered listing as CSV text (UTF-8 with a BOM so spreadsheets read Chinese).

    Every text cell passes `spreadsheet_safe`: a comment typed as a formula stays text.
    """
    request = request_of(listing, raw, ctx)
    shown = [c for c in listing.columns if c.field != SEARCH]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([t(c.header, ctx.lang) for c in shown])
    yield "\ufeff" + buf.getvalue()
    add = listing.enrich(ctx) if listing.enrich else (lambda r: r)
    for row in lq.stream(ctx.db, listing.base(ctx), listing.sql_columns(), request, listing.order):
        buf.seek(0)
        buf.truncate()
        formatted = add(format_row(listing, row, ctx))
        writer.writerow([spreadsheet_safe(formatted.get(c.field)) for c in shown])
        yield buf.getvalue()


class BadExportQuery(ValueError):
    """The export link's filter or sort is not a grid model this listing takes."""


def parse_export_query(
    filter_text: str | None, sort_text: str | None, listing: Listing | None = None
) -> dict[str, Any]:
    """The export link's filter and sort (JSON in the query string), checked whole.

    A malformed model is refused (BadExportQuery), never taken as "no filter": an export
    of everything when a filter was asked for would be a silent surprise.
    """
    from dashboard.inputs import filter_model_problem, sort_model_problem

    columns = frozenset([SEARCH, *(c.field for c in listing.columns)]) if listing else None
    try:
        model = json.loads(filter_text or "{}")
        sort = json.loads(sort_text or "[]")
    except (ValueError, RecursionError):
        raise BadExportQuery("the filter or sort is not JSON") from None
    why = filter_model_problem(model, columns) or sort_model_problem(sort, columns)
    if why or not isinstance(model, dict) or not isinstance(sort, list):
        raise BadExportQuery(why or "a filter object and a sort list expected")
    return {"filterModel": model, "sortModel": sort}


def _worklist(ctx: PageContext) -> Select[Any]:
    p = ctx.protocol
    return vq.worklist_select(
        ctx.scope.centers,
        ctx.scope.as_of,
        arm_rule(p),
        planned_visits(p),
        ctx.scope.arms,
    )


def _worklist_row(row: dict[str, Any], ctx: PageContext) -> dict[str, Any]:
    from dashboard.workflow import visit_key

    row["key"] = visit_key(row.get("subject_id"), row.get("visit_code"))
    days = row.get("days_overdue")
    if row.get("state") == "due" and isinstance(days, int) and days <= 0:
        # The window is open but the target day is still ahead (or today).
        row["days_overdue"] = (
            tn("vis.due_in", -days, ctx.lang) if days < 0 else t("vis.due_today", ctx.lang)
        )
    return row


WORKLIST = Listing(
    name="worklist",
    csv_name="visit-worklist.csv",
    columns=(
        # Minimum widths add up to less than the card at 1280 px; the comment is read in the
        # status panel below the grid and exported in the CSV.
        Column("subject_id", "vis.col.subject", width=100),
        Column("center_id", "vis.col.center", width=85),
        Column("arm", "vis.col.arm", "code", labels="arm"),
        Column("visit_code", "vis.col.visit", width=80),
        Column("opens_on", "vis.col.opens", "date"),
        Column("target_on", "vis.col.target", "date"),
        Column("closes_on", "vis.col.closes", "date"),
        Column("state", "vis.col.state", "code", labels="vis.state"),
        Column("days_overdue", "vis.col.overdue", "number", width=100),
        Column("status", "wf.col.status", width=90, computed=True),
        Column("comment", "wf.col.comment", hidden=True, computed=True),
        Column("key", "vis.col.key", hidden=True, computed=True),
    ),
    base=_worklist,
    order=vq.WORKLIST_ORDER,
    row_format=_worklist_row,
    enrich=lambda ctx: _work_states(ctx),
)


def _adverse_events(ctx: PageContext) -> Select[Any]:
    return sq.ae_listing_select(
        ctx.scope.centers,
        ctx.scope.as_of,
        arm_rule(ctx.protocol),
        ctx.scope.arms,
        flagged=has_column(ctx.db, "adverse_events", "emergent"),
    )


ADVERSE_EVENTS = Listing(
    name="adverse_events",
    csv_name="adverse-events.csv",
    columns=(
        # Minimum widths add up to less than a card at 1280 px; cells wrap, never cut.
        Column("subject_id", "saf.col.subject", width=100),
        Column("center_id", "saf.col.center", width=70),
        Column("arm", "saf.col.arm", "code", width=100, labels="arm"),
        Column("term", "saf.col.term", width=130),
        Column("soc", "saf.col.soc", hidden=True),
        Column("grade", "saf.col.grade", "number", width=70),
        Column("serious", "saf.col.serious", "code", width=80, labels="saf.serious"),
        Column("attribution", "saf.col.attribution", "code", width=95, labels="attr"),
        Column("onset_on", "saf.col.onset", "date", width=105),
        Column("day", "saf.col.day", "number", width=60),
        Column("resolved_on", "saf.col.resolved", "date", hidden=True),
        Column("outcome", "saf.col.outcome", "code", width=100, labels="outcome"),
        Column("lag", "saf.col.lag", "number", width=75),
        Column("emergent", "saf.col.emergent", "code", width=95, labels="saf.emergent"),
    ),
    base=_adverse_events,
    order=sq.AE_ORDER,
)


def _findings(ctx: PageContext) -> Select[Any]:
    from dashboard.services import rules_of

    return cq.findings_select(
        rules_of(ctx.db, ctx.protocol), ctx.scope.as_of, ctx.scope.centers, ctx.info.all_centers
    )


def _work_states(ctx: PageContext) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Status, age and last comment of each finding or visit row (the app's store; loaded once)."""
    from dashboard.services import finding_work

    lookup = finding_work(ctx)

    def add(row: dict[str, Any]) -> dict[str, Any]:
        state = lookup(str(row.get("key") or ""))
        row["status"] = t(f"wf.status.{state.status}", ctx.lang)
        row["status_code"] = state.status
        row["age_days"] = state.age_days
        row["comment"] = state.comment or ""
        return row

    return add


def _finding_row(row: dict[str, Any], ctx: PageContext) -> dict[str, Any]:
    row["value"] = format_value(row.get("value"), row.get("value_kind"), ctx.lang)
    return row


FINDINGS = Listing(
    name="findings",
    csv_name="data-quality-findings.csv",
    columns=(
        # Minimum widths add up to less than the card at 1280 px (cells wrap); the comment is
        # read in the status panel below the grid and exported in the CSV, not a grid column.
        Column("subject_id", "dq.col.subject", width=95),
        Column("center_id", "dq.col.center", width=80),
        Column("category", "dq.col.category", "code", width=100, labels="dq.cat"),
        Column("check", "dq.col.check", "code", width=200, labels="dq.check"),
        Column("table_name", "dq.col.table", "code", width=95, labels="tbl"),
        Column("field", "dq.col.field", "code", width=90, labels="fld"),
        Column("value", "dq.col.value", width=85),
        Column("record_on", "dq.col.record", "date", width=100),
        Column("status", "wf.col.status", width=85, computed=True),
        Column("age_days", "wf.col.age", "number", width=60, computed=True),
        Column("comment", "wf.col.comment", width=160, hidden=True, computed=True),
        Column("key", "dq.col.key", hidden=True),
    ),
    base=_findings,
    order=cq.FINDINGS_ORDER,
    row_format=_finding_row,
    enrich=lambda ctx: _work_states(ctx),
)


def _deviations(ctx: PageContext) -> Select[Any]:
    return cq.deviations_select(ctx.scope.centers, ctx.scope.as_of)


DEVIATIONS = Listing(
    name="deviations",
    csv_name="protocol-deviations.csv",
    columns=(
        Column("subject_id", "dq.col.subject", width=110),
        Column("center_id", "dq.col.center", width=80),
        Column("occurred_on", "dq.col.date", "date", width=110),
        Column("category", "dq.col.category", "code", width=120, labels="dev"),
        Column("major", "dq.col.major", "code", width=80, labels="yesno"),
        Column("description", "dq.col.description", width=260),
    ),
    base=_deviations,
    order=cq.DEVIATIONS_ORDER,
)


def format_value(value: Any, kind: Any, lang: str) -> Any:
    """A finding's value in words of the language: days, study days, SBRT schemes, flags."""
    if value is None:
        return None
    try:
        if kind == "days":
            return tn("n.days", int(float(value)), lang)
        if kind == "day":
            return t("fmt.day_n", lang, n=int(float(value)))
        if kind == "scheme":
            dose, fractions = str(value).split("|")
            return tn("fmt.scheme", int(float(fractions)), lang, dose=f"{float(dose):g}")
        if kind == "boolean":
            return (
                t("yesno.no", lang)
                if str(value).lower() in ("false", "0")
                else t("yesno.yes", lang)
            )
        if kind == "number":
            number = float(value)
            return f"{number:g}"
        if kind == "off_reason":
            return t(f"off.{value}", lang)
    except (TypeError, ValueError, KeyError):
        return value
    return value


LISTINGS: dict[str, Listing] = {
    lst.name: lst for lst in (WORKLIST, ADVERSE_EVENTS, FINDINGS, DEVIATIONS)
}

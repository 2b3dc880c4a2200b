"""Every callback input checked in one place, before any callback runs.

A request to /_dash-update-component whose inputs or states do not have the shape the
dashboard's controls produce (a number where a list of centers belongs, a dict for a date, a
megabyte of search text) is answered 400 with what is malformed; no callback ever sees it.
Values of the right shape but unknown content (a center code that does not exist, a date
outside the data) are the scope's business: they are ignored or clamped there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from dashboard import ids

MAX_TEXT = 2000  # a URL query string, a pathname
MAX_SEARCH = 200  # a listing's search box
MAX_CODES = 200  # centers or arms in one filter
MAX_ROWS_BLOCK = 1000  # rows one listing request may ask for


def _text(limit: int) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if v is None:
            return None
        if not isinstance(v, str):
            return "text expected"
        return f"longer than {limit} characters" if len(v) > limit else None

    return check


def _codes(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, list) or not all(isinstance(x, str) and len(x) <= 40 for x in v):
        return "a list of codes expected"
    return f"more than {MAX_CODES} codes" if len(v) > MAX_CODES else None


def _date(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or len(v) > 40:
        return "an ISO date expected"
    try:
        d = dt.date.fromisoformat(v[:10])
    except ValueError:
        return "an ISO date expected"
    return None if 1900 <= d.year <= 2200 else "a date between 1900 and 2200 expected"


def _flag(v: Any) -> str | None:
    return None if v is None or isinstance(v, bool) else "true or false expected"


def _count(v: Any) -> str | None:
    ok = v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0)
    return None if ok else "a click count expected"


def _mapping(v: Any) -> str | None:
    return None if v is None or isinstance(v, dict) else "an object expected"


def _list(v: Any) -> str | None:
    return None if v is None or isinstance(v, list) else "a list expected"


def _rows_request(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        return "a rows request expected"
    start, end = v.get("startRow", 0), v.get("endRow", 0)
    if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in (start, end)):
        return "startRow and endRow must be whole numbers"
    if end - start > MAX_ROWS_BLOCK:
        return f"at most {MAX_ROWS_BLOCK} rows per request"
    for key in ("sortModel",):
        if key in v and not isinstance(v[key], list):
            return f"{key} must be a list"
    if "filterModel" in v and not isinstance(v["filterModel"], dict):
        return "filterModel must be an object"
    return None


# (component id or pattern type, property) -> check
CHECKS: dict[tuple[str, str], Callable[[Any], str | None]] = {
    (ids.URL, "pathname"): _text(MAX_TEXT),
    (ids.URL, "search"): _text(MAX_TEXT),
    (ids.F_CENTERS, "value"): _codes,
    (ids.F_ARMS, "value"): _codes,
    (ids.F_ASOF, "date"): _date,
    (ids.F_LANG, "value"): _text(10),
    (ids.F_PRESENT, "value"): _flag,
    (ids.COPY_LINK, "n_clicks"): _count,
    (ids.COPY_LINK, "children"): lambda v: None,
    (ids.PACK_BUTTON, "n_clicks"): _count,
    (ids.SAF_TOGGLES, "value"): _codes,
    ("listing-grid", "getRowsRequest"): _rows_request,
    ("listing-grid", "cellClicked"): _mapping,
    ("listing-grid", "filterModel"): _mapping,
    ("listing-grid", "columnState"): _list,
    ("listing-search", "value"): _text(MAX_SEARCH),
    ("listing-export", "href"): _text(MAX_TEXT),
    ("client-export", "n_clicks"): _count,
    ("dq-wf-key", "value"): _text(500),
    ("dq-wf-status", "value"): _text(40),
    ("dq-wf-comment", "value"): _text(2000),
    ("dq-wf-save", "n_clicks"): _count,
    ("shell-filter-since", "value"): _text(40),
}


def problems(body: Any, callbacks: dict[str, Any] | None = None) -> list[str]:
    """What is malformed in a callback request body (empty when nothing is).

    With `callbacks` (the app's callback map), the output must name a callback the server runs.
    """
    if not isinstance(body, dict):
        return ["the request body must be a JSON object"]
    if callbacks is not None:
        spec = callbacks.get(str(body.get("output")))
        if spec is None or "callback" not in spec:
            return ["no such server callback"]
    out = []
    for group in ("inputs", "state"):
        items = body.get(group, [])
        if not isinstance(items, list):
            return [f"{group} must be a list"]
        flat: list[Any] = []
        for item in items:
            flat += item if isinstance(item, list) else [item]  # pattern-matching ALL
        for item in flat:
            if not isinstance(item, dict):
                out.append(f"{group}: each item must be an object")
                continue
            cid, prop = item.get("id"), item.get("property")
            if isinstance(cid, str) and cid.startswith("{"):
                try:  # a pattern-matching id sent as its JSON text
                    cid = json.loads(cid)
                except ValueError:
                    out.append(f"{group}: an id is neither a name nor a pattern")
                    continue
            name = cid.get("type") if isinstance(cid, dict) else cid
            check = CHECKS.get((str(name), str(prop)))
            if check is None:
                continue
            why = check(item.get("value"))
            if why:
                out.append(f"{name}.{prop}: {why}")
    return out


def init_input_checks(server: Flask, callbacks: Callable[[], dict[str, Any]]) -> None:
    """Refuse malformed callback requests with 400 before Dash dispatches them.

    What only Dash can tell is malformed (outputs that do not match the callback, a
    pattern-matching id with nothing concrete in it) is Dash's own error: also a 400.
    """
    from dash.exceptions import DashException

    @server.errorhandler(DashException)
    def malformed_callback(exc: DashException) -> Response:
        return Response(
            json.dumps({"error": "malformed callback request", "problems": [type(exc).__name__]}),
            status=400,
            mimetype="application/json",
        )

    @server.before_request
    def check_callback_inputs() -> Response | None:
        if request.path != "/_dash-update-component" or request.method != "POST":
            return None
        try:
            body = json.loads(request.get_data(cache=True) or b"null")
        except ValueError:
            found = ["the request body is not JSON"]
        else:
            found = problems(body, callbacks())
        if not found:
            return None
        return Response(
            json.dumps({"error": "malformed input", "problems": found[:10]}),
            status=400,
            mimetype="application/json",
        )

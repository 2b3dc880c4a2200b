"""Every callback request checked in one place, before any callback runs.

Dash hands a callback its inputs and states by position, whatever ids the request names. So a
request is checked against the callback it asks for: as many inputs and states as the callback
declares, each naming the declared component and property (a pattern id matching its
pattern), and each value checked by what the *declared* input is (a list of center codes, a
date, a grid's request model...). Anything else, a body that is not JSON, JSON nested beyond
reason, a body of the wrong structure, is answered 400 with what is malformed; no callback
ever sees it. Values of the right shape but unknown content (a center code that does not
exist, a date outside the data) are the scope's business: they are ignored or clamped there.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, request

from dashboard import ids

MAX_TEXT = 2000  # a URL query string, a pathname
MAX_SEARCH = 200  # a listing's search box
MAX_CODES = 200  # centers or arms in one filter
MAX_ROWS_BLOCK = 1000  # rows one listing request may ask for
MAX_ROW = 10_000_000  # the furthest row a listing request may start at
MAX_DEPTH = 12  # nesting of a whole request body (a grid filter model needs 7)
MAX_FILTER_COLUMNS = 50
MAX_SORT = 20
MAX_CONDITIONS = 10
MAX_SET_VALUES = 500
FILTER_TYPES = ("text", "number", "date", "set")
FILTER_KEYS = frozenset(
    {"filterType", "type", "filter", "filterTo", "dateFrom", "dateTo", "values", "colId"}
)

Check = Callable[[Any], "str | None"]


def _text(limit: int) -> Check:
    def check(v: Any) -> str | None:
        if v is None:
            return None
        if not isinstance(v, str):
            return "text expected"
        return f"longer than {limit} characters" if len(v) > limit else None

    return check


def _whole(v: Any, low: int = 0, high: int = MAX_ROW) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


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
    return None if v is None or _whole(v, 0, 10**9) else "a click count expected"


def _page_number(v: Any) -> str | None:
    return None if v is None or _whole(v, 1, 100_000) else "a page number expected"


def _anything_small(v: Any) -> str | None:
    """A value the server only uses as a signal (its content is never read)."""
    return None if v is None or len(json.dumps(v)) <= 200 else "too large"


def _cell(v: Any) -> str | None:
    """A grid's cellClicked: the row's id and the column clicked."""
    if v is None:
        return None
    if not isinstance(v, dict):
        return "an object expected"
    for key in ("rowId", "colId", "value", "timestamp", "rowIndex"):
        x = v.get(key)
        if x is not None and not isinstance(x, str | int | float | bool):
            return f"cellClicked.{key} must be a plain value"
        if isinstance(x, str) and len(x) > MAX_TEXT:
            return f"cellClicked.{key} is too long"
    return None


def _column_state(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, list) or len(v) > 200:
        return "a list of columns expected"
    for c in v:
        if not isinstance(c, dict) or not isinstance(c.get("colId"), str):
            return "each column must be an object with a colId"
    return None


def _scalar(v: Any, what: str) -> str | None:
    if v is None or isinstance(v, str) and len(v) <= MAX_SEARCH:
        return None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return None if math.isfinite(v) and abs(v) < 1e15 else f"{what} is out of range"
    return f"{what} must be text or a number"


def _simple_filter(f: Any, where: str) -> str | None:
    if not isinstance(f, dict):
        return f"{where} must be an object"
    unknown = set(f) - FILTER_KEYS
    if unknown:
        return f"{where} has unknown keys {sorted(unknown)[:3]}"
    kind = f.get("filterType")
    if kind is not None and kind not in FILTER_TYPES:
        return f"{where}.filterType must be one of {', '.join(FILTER_TYPES)}"
    if f.get("type") is not None and not (isinstance(f["type"], str) and len(f["type"]) <= 40):
        return f"{where}.type must be a filter name"
    for key in ("filter", "filterTo"):
        why = _scalar(f.get(key), f"{where}.{key}")
        if why:
            return why
    for key in ("dateFrom", "dateTo"):
        x = f.get(key)
        if x is not None and not (isinstance(x, str) and len(x) <= 40):
            return f"{where}.{key} must be a date"
    values = f.get("values")
    if values is not None:
        if not isinstance(values, list) or len(values) > MAX_SET_VALUES:
            return f"{where}.values must be a list of at most {MAX_SET_VALUES}"
        for x in values:
            why = _scalar(x, f"{where}.values[]")
            if why:
                return why
    return None


def _column_filter(f: Any, where: str) -> str | None:
    """One column's filter: a simple condition, or conditions joined by AND / OR (one level)."""
    if isinstance(f, dict) and ("operator" in f or "conditions" in f):
        if f.get("operator") not in ("AND", "OR"):
            return f"{where}.operator must be AND or OR"
        conditions = f.get("conditions")
        if not isinstance(conditions, list) or not 1 <= len(conditions) <= MAX_CONDITIONS:
            return f"{where}.conditions must be a list of 1 to {MAX_CONDITIONS} conditions"
        if set(f) - {"operator", "conditions", "filterType"}:
            return f"{where} has unknown keys"
        kind = f.get("filterType")
        if kind is not None and kind not in FILTER_TYPES:
            return f"{where}.filterType must be one of {', '.join(FILTER_TYPES)}"
        for i, c in enumerate(conditions):
            why = _simple_filter(c, f"{where}.conditions[{i}]")
            if why:
                return why
        return None
    return _simple_filter(f, where)


def filter_model_problem(v: Any, columns: frozenset[str] | None = None) -> str | None:
    """What is wrong with an AG Grid filter model (None when nothing is)."""
    if v is None:
        return None
    if not isinstance(v, dict) or len(v) > MAX_FILTER_COLUMNS:
        return f"filterModel must be an object of at most {MAX_FILTER_COLUMNS} columns"
    for name, f in v.items():
        if columns is not None and name not in columns:
            return f"filterModel: no column {str(name)[:40]!r} in this listing"
        why = _column_filter(f, f"filterModel.{str(name)[:40]}")
        if why:
            return why
    return None


def sort_model_problem(v: Any, columns: frozenset[str] | None = None) -> str | None:
    """What is wrong with an AG Grid sort model (None when nothing is)."""
    if v is None:
        return None
    if not isinstance(v, list) or len(v) > MAX_SORT:
        return f"sortModel must be a list of at most {MAX_SORT}"
    for s in v:
        if not isinstance(s, dict) or s.get("sort") not in ("asc", "desc"):
            return "sortModel entries need a colId and a sort of asc or desc"
        col = s.get("colId")
        if not isinstance(col, str) or (columns is not None and col not in columns):
            return f"sortModel: no column {str(col)[:40]!r} in this listing"
    return None


def rows_request_problem(v: Any, columns: frozenset[str] | None = None) -> str | None:
    """What is wrong with an infinite-row-model request (None when nothing is)."""
    if v is None:
        return None
    if not isinstance(v, dict):
        return "a rows request expected"
    start, end = v.get("startRow", 0), v.get("endRow", 0)
    if not (_whole(start) and _whole(end, 0, MAX_ROW + MAX_ROWS_BLOCK)):
        return f"startRow and endRow must be whole numbers from 0 to {MAX_ROW:,}"
    if end < start or end - start > MAX_ROWS_BLOCK:
        return f"at most {MAX_ROWS_BLOCK} rows per request, endRow after startRow"
    return sort_model_problem(v.get("sortModel"), columns) or filter_model_problem(
        v.get("filterModel"), columns
    )


# (component id or pattern type, property) -> check. A test fails when a server callback
# declares an input or state without one.
CHECKS: dict[tuple[str, str], Check] = {
    (ids.URL, "pathname"): _text(MAX_TEXT),
    (ids.URL, "search"): _text(MAX_TEXT),
    (ids.F_CENTERS, "value"): _codes,
    (ids.F_ARMS, "value"): _codes,
    (ids.F_ASOF, "date"): _date,
    (ids.F_LANG, "value"): _text(10),
    (ids.F_PRESENT, "value"): _flag,
    (ids.COPY_LINK, "n_clicks"): _count,
    (ids.COPY_LINK, "children"): _anything_small,
    (ids.PACK_BUTTON, "n_clicks"): _count,
    (ids.SAF_TOGGLES, "value"): _codes,
    ("shell-kick", "data"): _anything_small,
    (ids.RENDERED, "data"): _text(MAX_TEXT + 100),
    ("shell-filter-since", "value"): _text(40),
    ("listing-grid", "getRowsRequest"): rows_request_problem,
    ("listing-grid", "cellClicked"): _cell,
    ("listing-grid", "filterModel"): filter_model_problem,
    ("listing-grid", "columnState"): _column_state,
    ("listing-search", "value"): _text(MAX_SEARCH),
    ("client-export", "n_clicks"): _count,
    ("saf-all-terms-button", "n_clicks"): _count,
    ("vis-swimmer-pages", "active_page"): _page_number,
    ("dq-wf-key", "value"): _text(500),
    ("dq-wf-status", "value"): _text(40),
    ("dq-wf-comment", "value"): _text(2000),
    ("dq-wf-save", "n_clicks"): _count,
    ("vis-wf-key", "value"): _text(500),
    ("vis-wf-status", "value"): _text(40),
    ("vis-wf-comment", "value"): _text(2000),
    ("vis-wf-save", "n_clicks"): _count,
}
WILDCARDS = ("MATCH", "ALL", "ALLSMALLER")


def _depth(v: Any, limit: int) -> bool:
    """True when a JSON value nests deeper than the limit (checked without recursion)."""
    stack = [(v, 1)]
    while stack:
        node, d = stack.pop()
        if d > limit:
            return True
        if isinstance(node, dict):
            stack += [(x, d + 1) for x in node.values()]
        elif isinstance(node, list):
            stack += [(x, d + 1) for x in node]
    return False


def _declared_id(raw: str) -> Any:
    """A declared id as the callback map writes it: a name, or a pattern (JSON text)."""
    if raw.startswith("{"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _pattern_kind(pattern: dict[str, Any]) -> str:
    """MATCH (one concrete component), ALL (a list of them) or '' (no wildcard)."""
    kinds = {v[0] for v in pattern.values() if isinstance(v, list) and v and v[0] in WILDCARDS}
    return "ALL" if kinds & {"ALL", "ALLSMALLER"} else ("MATCH" if kinds else "")


def _fits(pattern: dict[str, Any], sent: Any) -> bool:
    if not isinstance(sent, dict) or set(sent) != set(pattern):
        return False
    for key, want in pattern.items():
        got = sent[key]
        if isinstance(want, list) and want and want[0] in WILDCARDS:
            if not isinstance(got, str | int) or isinstance(got, bool):
                return False
            if isinstance(got, str) and len(got) > 100:
                return False
        elif got != want:
            return False
    return True


def _sent_id(item: Any) -> Any:
    cid = item.get("id") if isinstance(item, dict) else None
    if isinstance(cid, str) and cid.startswith("{"):
        try:  # a pattern-matching id sent as its JSON text
            return json.loads(cid)
        except ValueError:
            return cid
    return cid


def _one(
    declared: Mapping[str, Any],
    sent: Any,
    where: str,
    columns: Callable[[str], frozenset[str] | None],
) -> list[str]:
    """The problems of one sent input against the input the callback declares there."""
    did, prop = _declared_id(str(declared.get("id"))), str(declared.get("property"))
    if isinstance(did, dict):
        kind = _pattern_kind(did)
        items = sent if kind == "ALL" else [sent]
        if kind == "ALL" and not isinstance(sent, list):
            return [f"{where}: a list of components expected"]
        name = str(did.get("type"))
    else:
        items, name = [sent], did
    out = []
    for item in items:
        if not isinstance(item, dict):
            return [f"{where}: an object expected"]
        sid = _sent_id(item)
        ok = _fits(did, sid) if isinstance(did, dict) else sid == did
        if not ok or item.get("property") != prop:
            return [f"{where}: the callback declares {name}.{prop} here"]
        check = CHECKS.get((name, prop))
        if check is None:
            return [f"{where}: {name}.{prop} is not an input this server accepts"]
        value = item.get("value")
        if name == "listing-grid" and isinstance(sid, dict):
            known = columns(str(sid.get("name")))
            if known is None:
                return [f"{where}: no listing {str(sid.get('name'))[:40]!r}"]
            grid = {
                "getRowsRequest": rows_request_problem,
                "filterModel": filter_model_problem,
            }.get(prop)
            why = grid(value, known) if grid else check(value)
        else:
            why = check(value)
        if why:
            out.append(f"{name}.{prop}: {why}")
    return out


def _declared_outputs(key: str) -> tuple[bool, list[tuple[Any, str]]]:
    """(several outputs?, [(id, property)]) of a callback from its key in the callback map."""
    multi = key.startswith("..") and key.endswith("..")
    parts = key[2:-2].split("...") if multi else [key]
    out = []
    for part in parts:
        name, _, prop = part.rpartition(".")
        out.append((_declared_id(name), prop.split("@", 1)[0]))
    return multi, out


def _property(item: dict[str, Any]) -> Any:
    """A sent output's property; an allow_duplicate output comes as 'property@hash'."""
    prop = item.get("property")
    return prop.split("@", 1)[0] if isinstance(prop, str) else prop


def _outputs_problem(key: str, sent: Any) -> str | None:
    """The outputs of a request must be those the callback declares, in its order."""
    multi, declared = _declared_outputs(key)
    items = sent if multi else [sent]
    if not isinstance(items, list) or len(items) != len(declared):
        return f"outputs: the callback sets {len(declared)}"
    for (did, prop), item in zip(declared, items, strict=True):
        if isinstance(did, dict) and _pattern_kind(did) == "ALL":
            if not isinstance(item, list) or not all(
                isinstance(x, dict) and _fits(did, _sent_id(x)) and _property(x) == prop
                for x in item
            ):
                return f"outputs: the callback declares {did.get('type')}.{prop}"
            continue
        if not isinstance(item, dict) or _property(item) != prop:
            return f"outputs: the callback declares {prop} here"
        sid = _sent_id(item)
        if not (_fits(did, sid) if isinstance(did, dict) else sid == did):
            return "outputs: not the components the callback declares"
    return None


def problems(
    body: Any,
    callbacks: dict[str, Any] | None = None,
    columns: Callable[[str], frozenset[str] | None] | None = None,
) -> list[str]:
    """What is malformed in a callback request body (empty when nothing is).

    With `callbacks` (the app's callback map) the body is checked against the callback its
    output names, input by input; `columns` gives a listing's column names (grid models may
    name only those).
    """
    if not isinstance(body, dict):
        return ["the request body must be a JSON object"]
    if _depth(body, MAX_DEPTH):
        return [f"the request body nests deeper than {MAX_DEPTH} levels"]
    output = body.get("output")
    if not isinstance(output, str) or len(output) > 2000:
        return ["output must name a callback"]
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return ["changedPropIds must be a list of names"]
    outputs = body.get("outputs")
    if outputs is not None:
        items = outputs if isinstance(outputs, list) else [outputs]
        for o in items:
            if isinstance(o, list):  # an ALL output: a list of components
                if not all(isinstance(x, dict) and "id" in x and "property" in x for x in o):
                    return ["outputs: each output must name an id and a property"]
            elif not (isinstance(o, dict) and "id" in o and "property" in o):
                return ["outputs: each output must name an id and a property"]
    for group in ("inputs", "state"):
        if not isinstance(body.get(group, []), list):
            return [f"{group} must be a list"]
    if callbacks is None:
        return []
    spec = callbacks.get(output)
    if spec is None or "callback" not in spec:
        return ["no such server callback"]
    why = _outputs_problem(output, body.get("outputs"))
    if why:
        return [why]
    known = columns or (lambda _name: None)
    out: list[str] = []
    for group in ("inputs", "state"):
        declared, sent = spec.get(group, []), body.get(group, [])
        if len(sent) != len(declared):
            return [f"{group}: the callback takes {len(declared)}, the request sent {len(sent)}"]
        for i, (d, s) in enumerate(zip(declared, sent, strict=True)):
            out += _one(d, s, f"{group}[{i}]", known)
    return out


def init_input_checks(
    server: Flask,
    callbacks: Callable[[], dict[str, Any]],
    columns: Callable[[str], frozenset[str] | None] | None = None,
) -> None:
    """Refuse malformed callback requests with 400 before Dash dispatches them.

    What only Dash can tell is malformed (outputs that do not match the callback, a
    pattern-matching id with nothing concrete in it) is Dash's own error: also a 400.
    """
    from dash.exceptions import DashException

    @server.errorhandler(DashException)
    def malformed_callback(exc: DashException) -> Response:
        if request.path != "/_dash-update-component":
            # A bundle Dash does not serve (an unknown file under _dash-component-suites).
            return Response("not found", status=404, mimetype="text/plain")
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
        except (ValueError, RecursionError):
            found = ["the request body is not JSON (or nests beyond reason)"]
        else:
            found = problems(body, callbacks(), columns)
        if not found:
            return None
        logging.getLogger("dashboard.inputs").warning("callback request refused: %s", found[:3])
        return Response(
            json.dumps({"error": "malformed input", "problems": found[:10]}),
            status=400,
            mimetype="application/json",
        )

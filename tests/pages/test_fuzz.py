"""Fuzzing generated from the app's own callback map: no input gives a 5xx.

For every callback the server runs, hypothesis (derandomized: the same cases on every run)
builds a well-formed request, then damages it one way: a value of the wrong type, None, huge,
deeply nested; an input renamed, dropped or added; a wrong property; damaged outputs or
changedPropIds. Every answer must be below 500. The CSV export routes get random query strings
the same way. The counts of requests and callbacks are printed (-s) for the closing note.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from tests.pages.helpers import logged_in

COUNTS = {"requests": 0, "callbacks": set(), "exports": 0, "worst": 0}
EXAMPLES = 60


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, sqlite_url):
    from tests.conftest import make_settings

    s = make_settings(sqlite_url, tmp_path_factory.mktemp("fuzz"), login_failure_delay_ms=0)
    app = create_app(s)
    return app, logged_in(app)


def server_callbacks() -> list[str]:
    """The outputs of every callback the server runs (a fresh app, read at collection)."""
    import tempfile
    from pathlib import Path

    from dashboard.config import Settings

    folder = Path(tempfile.mkdtemp())
    app = create_app(Settings(instance_dir=folder, secret_key="fuzz"))
    return sorted(k for k, v in app.callback_map.items() if "callback" in v)


def concrete(raw: str) -> Any:
    cid = json.loads(raw) if raw.startswith("{") else raw
    if isinstance(cid, dict):  # a MATCH wildcard: a concrete listing
        cid = {k: ("findings" if isinstance(v, list) else v) for k, v in cid.items()}
    return cid


def well_formed(spec: dict[str, Any], key: str) -> dict[str, Any]:
    def items(kind: str) -> list[dict[str, Any]]:
        return [
            {"id": concrete(i["id"]), "property": i["property"], "value": None}
            for i in spec.get(kind, [])
        ]

    outputs = [
        {"id": concrete(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]}
        for p in key.strip(".").split("...")
    ]
    inputs = items("inputs")
    first = inputs[0]["id"] if inputs else ""
    named = (
        json.dumps(first, sort_keys=True, separators=(",", ":"))
        if isinstance(first, dict)
        else first
    )
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [f"{named}.{inputs[0]['property']}"] if inputs else [],
    }


def deep(n: int) -> Any:
    v: Any = "x"
    for _ in range(n):
        v = {"conditions": [v], "operator": "AND"}
    return v


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.just("x" * 5000),
    st.just("2026-13-45"),
    st.just("9999-12-31"),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
GRID_MODELS = st.fixed_dictionaries(
    {
        "startRow": st.one_of(st.integers(-5, 10**31), st.text(max_size=5), st.none()),
        "endRow": st.one_of(st.integers(-5, 10**31), st.none()),
    },
    optional={
        "filterModel": st.one_of(
            VALUES,
            st.dictionaries(
                st.sampled_from(["term", "grade", "_search", "nope", "key"]),
                st.one_of(
                    VALUES,
                    st.builds(deep, st.integers(1, 300)),
                    st.fixed_dictionaries(
                        {
                            "filterType": st.one_of(st.sampled_from(["text", "number"]), VALUES),
                            "type": st.one_of(st.just("contains"), VALUES),
                            "filter": VALUES,
                        }
                    ),
                ),
                max_size=3,
            ),
        ),
        "sortModel": st.one_of(
            VALUES,
            st.lists(
                st.fixed_dictionaries({"colId": st.one_of(st.just("key"), VALUES), "sort": VALUES}),
                max_size=3,
            ),
        ),
    },
)
MUTATIONS = (
    "value",
    "grid_model",
    "rename",
    "drop",
    "extra",
    "property",
    "outputs",
    "changed",
    "inputs_not_list",
)


def post(client: Any, body: Any) -> int:
    data = json.dumps(body)
    resp = client.post("/_dash-update-component", data=data, content_type="application/json")
    COUNTS["requests"] += 1
    COUNTS["worst"] = max(COUNTS["worst"], resp.status_code)
    return int(resp.status_code)


@pytest.mark.parametrize("key", server_callbacks())
@settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_callback_input_gives_a_5xx(fuzz_app, key, data):
    app, client = fuzz_app
    spec = app.callback_map[key]
    body = well_formed(spec, key)
    items = [("inputs", i) for i in range(len(body["inputs"]))] + [
        ("state", i) for i in range(len(body["state"]))
    ]
    how = data.draw(st.sampled_from(MUTATIONS))
    if items and how in ("value", "grid_model", "rename", "drop", "property"):
        group, i = data.draw(st.sampled_from(items))
        item = body[group][i]
        if how == "value":
            item["value"] = data.draw(VALUES)
        elif how == "grid_model":
            item["value"] = data.draw(GRID_MODELS)
        elif how == "rename":
            item["id"] = data.draw(st.one_of(st.text(max_size=20), VALUES))
        elif how == "drop":
            del body[group][i]
        else:
            item["property"] = data.draw(st.text(max_size=12))
    elif how == "extra":
        body["inputs"].append({"id": "shell-url", "property": "search", "value": "?x=1"})
    elif how == "outputs":
        body["outputs"] = data.draw(VALUES)
    elif how == "changed":
        body["changedPropIds"] = data.draw(VALUES)
    elif how == "inputs_not_list":
        body["inputs"] = data.draw(VALUES)
    status = post(client, body)
    COUNTS["callbacks"].add(key)
    assert status < 500, (key, how, json.dumps(body)[:400])


@settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(["findings", "adverse_events", "worklist", "deviations", "nope"]),
    params=st.dictionaries(
        st.sampled_from(["filter", "sort", "center", "arm", "as_of", "lang", "present", "zz"]),
        st.one_of(
            st.text(max_size=40),
            st.just('{"key":{"conditions":5}}'),
            st.just("[" * 3000),
            st.just('[{"colId":"key","sort":{"a":1}}]'),
            st.just("9999-99-99"),
        ),
        max_size=5,
    ),
)
def test_no_export_query_gives_a_5xx(fuzz_app, name, params):
    from urllib.parse import urlencode

    _app, client = fuzz_app
    resp = client.get(f"/export/{name}.csv?{urlencode(params)}")
    if resp.status_code == 200:
        resp.get_data()  # the stream is read to its end
    COUNTS["exports"] += 1
    COUNTS["worst"] = max(COUNTS["worst"], resp.status_code)
    assert resp.status_code < 500, (name, params)


def test_the_fuzzing_covered_every_callback(capsys):
    every = set(server_callbacks())
    assert COUNTS["callbacks"] == every, every - COUNTS["callbacks"]
    with capsys.disabled():
        print(
            f"\nfuzz: {COUNTS['requests']} callback requests over {len(every)} callbacks, "
            f"{COUNTS['exports']} export requests; highest status {COUNTS['worst']}"
        )
    assert COUNTS["worst"] < 500

"""Drive Dash callbacks through the real Flask app, as the browser would, without a browser."""

from __future__ import annotations

import json
from typing import Any

from dash import Dash


def find_callback(app: Dash, output: str) -> tuple[str, dict[str, Any]]:
    for key, spec in app.callback_map.items():
        if output in key:
            return key, spec
    raise KeyError(output)


def call(
    client: Any, app: Dash, output: str, values: dict[str, Any], changed: list[str] | None = None
) -> dict[str, Any]:
    """POST one callback request; `values` maps "id.prop" to the value sent for inputs/states."""
    key, spec = find_callback(app, output)

    def items(kind: str) -> list[dict[str, Any]]:
        return [
            {
                "id": i["id"],
                "property": i["property"],
                "value": values.get(f"{i['id']}.{i['property']}"),
            }
            for i in spec[kind]
        ]

    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": changed or [],
    }
    resp = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert resp.status_code in (200, 204), resp.data[:500]
    return resp.get_json() if resp.status_code == 200 else {}


def texts(tree: Any) -> list[str]:
    """Every string in a serialised component tree."""
    out: list[str] = []
    if isinstance(tree, str):
        out.append(tree)
    elif isinstance(tree, list):
        for x in tree:
            out += texts(x)
    elif isinstance(tree, dict):
        if "props" in tree:
            out += texts(tree["props"].get("children"))
        else:
            for k, v in tree.items():
                if k != "figure":
                    out += texts(v)
    return out


def find_by_id(tree: Any, wanted: str) -> Any:
    if isinstance(tree, list):
        for x in tree:
            got = find_by_id(x, wanted)
            if got is not None:
                return got
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == wanted:
            return tree
        return find_by_id(props.get("children"), wanted)
    return None

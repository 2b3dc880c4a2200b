"""Drive Dash callbacks through the real Flask app, as the browser would, without a browser."""

from __future__ import annotations

import json
from typing import Any

from dash import Dash

# Accounts a test module adds for its own trial (username -> password), beside TEST_USERS.
EXTRA_PASSWORDS: dict[str, str] = {}


def login(client: Any, username: str = "pi", password: str | None = None) -> Any:
    """Sign a Flask test client in through the real login form (CSRF token included)."""
    import re

    from tests.conftest import TEST_USERS

    if password is None:
        password = EXTRA_PASSWORDS.get(username) or TEST_USERS[username][0]
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the login page"
    token = match.group(1)
    resp = client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password, "next": "/"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


def logged_in(app: Dash, username: str = "pi") -> Any:
    """A test client of the app, signed in."""
    return login(app.server.test_client(), username)


def browser_login(dash_duo: Any, username: str = "pi", path: str = "/") -> None:
    """Sign in through the login page in the real browser, then open a path."""
    from selenium.webdriver.common.by import By

    from tests.conftest import TEST_USERS

    # start_server(navigate=False) leaves server_url unset: setting it would wait for a Dash
    # page, and without a login the app shows the login page instead.
    dash_duo._url = dash_duo.server.url  # noqa: SLF001
    dash_duo.driver.get(dash_duo.server.url + "/login?next=" + path)
    dash_duo.driver.find_element(By.ID, "username").send_keys(username)
    password = EXTRA_PASSWORDS.get(username) or TEST_USERS[username][0]
    dash_duo.driver.find_element(By.ID, "password").send_keys(password)
    dash_duo.driver.find_element(By.ID, "login-submit").click()
    dash_duo.wait_for_element("#shell-page > *", timeout=20)


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


def listing_rows(
    client: Any, name: str, search: str = "", request: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The server's answer to a listing's getRowsRequest (rights and scope applied)."""
    grid = {"name": name, "type": "listing-grid"}
    body = {
        "output": '{"name":["MATCH"],"type":"listing-grid"}.getRowsResponse',
        "outputs": {"id": grid, "property": "getRowsResponse"},
        "inputs": [
            {
                "id": grid,
                "property": "getRowsRequest",
                "value": request
                or {"startRow": 0, "endRow": 1000, "sortModel": [], "filterModel": {}},
            }
        ],
        "state": [{"id": "shell-url", "property": "search", "value": search}],
        "changedPropIds": [
            json.dumps(grid, separators=(",", ":"), sort_keys=True) + ".getRowsRequest"
        ],
    }
    resp = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert resp.status_code in (200, 204), resp.data[:500]
    if resp.status_code == 204:
        return {}
    return resp.get_json()["response"][json.dumps(grid, separators=(",", ":"), sort_keys=True)][
        "getRowsResponse"
    ]


def page_tree(app: Dash, path: str, search: str = "", user: str = "pi") -> Any:
    """The page component tree the router returns for a path and query string."""
    values = {"shell-url.pathname": path, "shell-url.search": search}
    out = call(logged_in(app, user), app, "shell-page.children", values, ["shell-url.pathname"])
    return out["response"]["shell-page"]["children"]


def show_grid(dash_duo: Any, name: str, timeout: int = 20) -> None:
    """Scroll a listing into view, as a person does: its grid mounts when it nears the screen."""
    box = dash_duo.wait_for_element(f"#{name}-listing", timeout=timeout)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    dash_duo.wait_for_element(f"#{name}-listing .ag-root", timeout=timeout)


def logout(client: Any) -> Any:
    """Sign out as the user menu does: a POST with the session's token."""
    with client.session_transaction() as sess:
        token = sess.get("csrf_token", "")
    return client.post("/logout", data={"csrf_token": token})

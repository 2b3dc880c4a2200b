import pytest

from app import create_app
from dashboard.pages.safety import filter_model
from tests.pages.helpers import call, find_by_id, logged_in, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(app, search=""):
    values = {"shell-url.pathname": "/safety", "shell-url.search": search}
    out = call(logged_in(app), app, "shell-page.children", values, ["shell-url.pathname"])[
        "response"
    ]
    return out["shell-page"]["children"]


def grid_rows(tree, name):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if node.get("type") == "AgGrid" and props.get("id", {}).get("name") == name:
                return props["rowData"]
            stack.append(props.get("children"))
    return None


def test_safety_page_draws_and_lists_only_the_scope(app, demo_trial):
    trial, _ = demo_trial
    tree = page(app)
    for gid in ("saf-graph-overview", "saf-graph-interest", "saf-graph-centers", "saf-graph-lag"):
        assert find_by_id(tree, gid)["props"]["figure"]["data"], gid
    rows = grid_rows(tree, "saf-ae")
    assert len(rows) == len(trial.tables["adverse_events"])  # everything known by the data date
    pku = grid_rows(page(app, "?center=PKU"), "saf-ae")
    assert pku and {r["center"] for r in pku} == {"PKU"}


def test_toggles_build_the_grid_filter():
    assert filter_model([]) == {}
    assert filter_model(["serious", "grade3"]) == {
        "serious_code": {"filterType": "text", "type": "equals", "filter": "SAE"},
        "grade": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 3},
    }


def test_subject_timeline_respects_the_scope(app, demo_trial):
    trial, _ = demo_trial
    ae = trial.tables["adverse_events"]
    sh1 = ae[ae["subject_id"].str.startswith("SH1")]["subject_id"].iloc[0]
    client = logged_in(app)
    cell = {"colId": "subject", "value": sh1, "rowIndex": 0}
    out = call(
        client,
        app,
        "saf-timeline.children",
        {'{"name":"saf-ae","type":"listing-grid"}.cellClicked': cell, "shell-url.search": ""},
        ['{"name":"saf-ae","type":"listing-grid"}.cellClicked'],
    )
    fig = find_by_id(out["response"]["saf-timeline"]["children"], "saf-graph-timeline")
    assert fig is not None and fig["props"]["figure"]["data"]
    # The same click from a page filtered to another center shows nothing of that subject.
    out = call(
        client,
        app,
        "saf-timeline.children",
        {
            '{"name":"saf-ae","type":"listing-grid"}.cellClicked': cell,
            "shell-url.search": "?center=PKU",
        },
        ['{"name":"saf-ae","type":"listing-grid"}.cellClicked'],
    )
    assert f"No events of {sh1} in this selection." in " ".join(
        texts(out["response"]["saf-timeline"]["children"])
    )

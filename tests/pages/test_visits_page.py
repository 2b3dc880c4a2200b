import pytest

from app import create_app
from tests.pages.helpers import call, find_by_id, logged_in, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(app, search=""):
    values = {"shell-url.pathname": "/visits", "shell-url.search": search}
    out = call(logged_in(app), app, "shell-page.children", values, ["shell-url.pathname"])[
        "response"
    ]
    return out["shell-page"]["children"]


def grid_rows(tree):
    for node in _walk(tree):
        if node.get("type") == "AgGrid":
            return node["props"]["rowData"]
    return None


def _walk(tree):
    if isinstance(tree, list):
        for x in tree:
            yield from _walk(x)
    elif isinstance(tree, dict):
        yield tree
        yield from _walk(tree.get("props", {}).get("children"))


def test_visits_page_draws_and_restricts_the_worklist(app):
    everything = page(app)
    assert find_by_id(everything, "vis-graph-heatmap")["props"]["figure"]["data"]
    assert find_by_id(everything, "vis-graph-swimmer")["props"]["figure"]["data"]
    rows = grid_rows(everything)
    assert {r["center"] for r in rows} == {"SH1", "SMU3", "PKU"}
    pku = grid_rows(page(app, "?center=PKU"))
    assert pku and {r["center"] for r in pku} == {"PKU"}
    assert len(pku) == sum(r["center"] == "PKU" for r in rows)


def test_visits_page_in_chinese_and_as_of(app):
    tree = page(app, "?lang=zh&as_of=2025-04-01")
    assert "随访" in texts(tree)

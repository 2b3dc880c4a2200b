import pytest

from app import create_app
from tests.pages.helpers import call, find_by_id, logged_in, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(app, path, search=""):
    values = {"shell-url.pathname": path, "shell-url.search": search}
    out = call(logged_in(app), app, "shell-page.children", values, ["shell-url.pathname"])[
        "response"
    ]
    return out["shell-page"]["children"]


def arms_in(fig):
    return {trace.get("name") for trace in fig["data"] if trace.get("name")}


def test_pain_page_draws_and_follows_the_arm_filter(app):
    tree = page(app, "/pain")
    for gid in (
        "pain-graph-nrs",
        "pain-graph-responders",
        "pain-graph-change",
        "pain-graph-bands",
        "pain-graph-omed",
        "pain-graph-pafi",
    ):
        assert find_by_id(tree, gid)["props"]["figure"]["data"], gid
    assert {"RFA/PVA", "RFA/PVA + SBRT"} <= arms_in(
        find_by_id(tree, "pain-graph-nrs")["props"]["figure"]
    )
    tree = page(app, "/pain", "?arm=RFA_PVA_SBRT")
    names = arms_in(find_by_id(tree, "pain-graph-nrs")["props"]["figure"])
    assert "RFA/PVA + SBRT" in names and "RFA/PVA" not in names


def test_local_control_page_draws_and_follows_the_arm_filter(app):
    tree = page(app, "/local-control")
    for gid in ("lc-graph-mda", "lc-graph-dcr", "lc-graph-km"):
        assert find_by_id(tree, gid)["props"]["figure"]["data"], gid
    tree = page(app, "/local-control", "?arm=RFA_PVA")
    names = arms_in(find_by_id(tree, "lc-graph-dcr")["props"]["figure"])
    assert names == {"RFA/PVA"}


def test_empty_selection_says_so(app):
    tree = page(app, "/local-control", "?as_of=2025-03-01")
    assert "No follow-up imaging yet in this selection." in texts(tree)
    tree = page(app, "/pain", "?as_of=2025-03-01")
    assert "No follow-up assessment yet in this selection." in texts(tree)

import pandas as pd
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


def test_swimmer_is_capped_to_the_most_recent_subjects(app, demo_trial, monkeypatch):
    from dashboard.pages import visits

    monkeypatch.setattr(visits, "SWIMMER_MAX", 5)
    s = demo_trial[0].tables["subjects"].dropna(subset=["randomized_on"])
    s = s.assign(randomized_on=pd.to_datetime(s["randomized_on"]))
    fig = find_by_id(page(app), "vis-graph-swimmer")["props"]["figure"]
    shown = set(fig["layout"]["yaxis"]["categoryarray"])
    assert len(shown) == 5
    # The five latest randomizations (ties broken the same way pandas.nlargest does).
    assert shown == set(s.nlargest(5, "randomized_on")["subject_id"])
    assert "the 5 most recently randomized of" in fig["layout"]["title"]["subtitle"]["text"]

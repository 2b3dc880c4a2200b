import pytest

from app import create_app
from tests.pages.helpers import call, find_by_id, logged_in, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(app, search=""):
    values = {"shell-url.pathname": "/randomization", "shell-url.search": search}
    out = call(logged_in(app), app, "shell-page.children", values, ["shell-url.pathname"])[
        "response"
    ]
    return out["shell-page"]["children"]


def consort_text(tree):
    return " ".join(texts(find_by_id(tree, "rnd-graph-consort")))


def test_randomization_page_and_center_filter(app, demo_trial):
    trial, _ = demo_trial
    s = trial.tables["subjects"]
    tree = page(app)
    assert f"Assessed for eligibility (n = {len(s)})" in consort_text(tree)
    pku = s[s["center_id"] == "PKU"]
    tree = page(app, "?center=PKU")
    assert f"Assessed for eligibility (n = {len(pku)})" in consort_text(tree)
    assert f"Randomized (n = {int(pku['randomized_on'].notna().sum())})" in consort_text(tree)
    assert find_by_id(tree, "rnd-graph-balance")["props"]["figure"]["data"]


def test_randomization_page_chinese(app):
    tree = page(app, "?lang=zh")
    assert "随机化" in texts(tree)
    assert "评估合格性" in consort_text(tree)

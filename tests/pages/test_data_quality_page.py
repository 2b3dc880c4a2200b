import pytest

from app import create_app
from tests.pages.helpers import call, find_by_id, logged_in, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(app, search=""):
    values = {"shell-url.pathname": "/data-quality", "shell-url.search": search}
    out = call(logged_in(app), app, "shell-page.children", values, ["shell-url.pathname"])[
        "response"
    ]
    return out["shell-page"]["children"]


def test_data_quality_page_lists_findings_and_deviations(app, demo_trial):
    trial, _ = demo_trial
    tree = page(app)
    assert find_by_id(tree, "dq-graph-counts")["props"]["figure"]["data"]
    words = " ".join(texts(tree))
    assert "Findings to chase" in words and "Protocol deviations recorded by the sites" in words
    eligibility = sum(p.category == "eligibility" for p in trial.planted)
    kpi = " ".join(texts(find_by_id(tree, "dq-kpi-eligibility")))
    assert kpi.startswith(str(eligibility))


def test_one_center_hides_structure_checks_and_says_so(app):
    tree = page(app, "?center=SMU3&lang=zh")
    assert find_by_id(tree, "dq-kpi-structure") is None
    assert "代码与关联核查针对整个数据库：选择所有中心后可见。" in texts(tree)

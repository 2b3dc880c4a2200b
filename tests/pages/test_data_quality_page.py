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


def test_the_status_form_names_a_finding_as_the_listing_shows_it(app):
    from tests.pages.helpers import listing_rows

    client = logged_in(app)
    rows = listing_rows(client, "findings")["rowData"]
    for row in rows[:: max(1, len(rows) // 6)]:
        out = call(
            client,
            app,
            "dq-wf-result.children",
            {"dq-wf-key.value": row["key"], "shell-url.search": ""},
            ["dq-wf-key.value"],
        )["response"]
        said = out["dq-wf-item"]["children"]
        record = row["key"].split(":", 3)[3]  # check:subject:table.field:record
        want = f"{row['subject_id']} · {row['check']}" + (f" ({record})" if record else "")
        assert said == want
        assert row["key"] not in said
    other = call(
        client,
        app,
        "dq-wf-result.children",
        {"dq-wf-key.value": "no_such_check:X:t.f:1", "shell-url.search": ""},
        ["dq-wf-key.value"],
    )["response"]
    assert "Not a finding you may work on now." in texts(other["dq-wf-result"]["children"])

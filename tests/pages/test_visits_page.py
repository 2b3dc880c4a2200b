import pytest

from app import create_app
from tests.pages.helpers import find_by_id, listing_rows, logged_in, page_tree, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def test_visits_page_draws_and_restricts_the_worklist(app):
    everything = page_tree(app, "/visits")
    assert find_by_id(everything, "vis-graph-heatmap")["props"]["figure"]["data"]
    assert find_by_id(everything, "vis-graph-swimmer")["props"]["figure"]["data"]
    client = logged_in(app)
    rows = listing_rows(client, "worklist")["rowData"]
    assert {r["center_id"] for r in rows} == {"SH1", "SMU3", "PKU"}
    pku = listing_rows(client, "worklist", "?center=PKU")["rowData"]
    assert pku and {r["center_id"] for r in pku} == {"PKU"}
    assert len(pku) == sum(r["center_id"] == "PKU" for r in rows)
    # States are shown in the user's language, the code kept beside for row colours.
    zh = listing_rows(client, "worklist", "?center=PKU&lang=zh")["rowData"]
    assert {r["state_code"] for r in zh} <= {"due", "missed", "no_day_zero"}
    assert {r["state"] for r in zh} <= {"应访", "缺失", "无第 0 天日期"}


def test_visits_page_in_chinese_and_as_of(app):
    tree = page_tree(app, "/visits", "?lang=zh&as_of=2025-04-01")
    assert "随访" in texts(tree)


def test_swimmer_is_capped_to_the_most_recent_subjects(app, demo_trial, monkeypatch):
    from dashboard import services

    monkeypatch.setattr(services, "SWIMMER_MAX", 5)
    s = demo_trial[0].tables["subjects"]
    s = s[s["randomized_on"].notna() & s["procedure_on"].notna()]
    fig = find_by_id(page_tree(app, "/visits"), "vis-graph-swimmer")["props"]["figure"]
    shown = set(fig["layout"]["yaxis"]["categoryarray"])
    assert len(shown) == 5
    latest = s.sort_values(["randomized_on", "subject_id"], ascending=[False, True])
    assert shown == set(latest["subject_id"][:5])
    card = find_by_id(page_tree(app, "/visits"), "vis-graph-swimmer-card")
    assert "the 5 most recently randomized of" in " ".join(texts(card))

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


def form_call(app, client, key, n, comment, search=""):
    from tests.pages.helpers import call

    return call(
        client,
        app,
        "vis-wf-result.children",
        {
            "vis-wf-save.n_clicks": n,
            "vis-wf-key.value": key,
            "vis-wf-status.value": "query_sent",
            "vis-wf-comment.value": comment,
            "shell-url.search": search,
        },
        ["vis-wf-save.n_clicks"] if n else ["vis-wf-key.value"],
    )["response"]


def test_the_status_form_names_the_visit_and_clears_its_comment(app, demo_trial):
    """The form reads 'SMU3-017 · M3 visit overdue 12 days', worked out here from the row's
    target day and the data date; a save empties the comment box and signals the grid."""
    import datetime as dt

    from data_access.demo import DEFAULT_AS_OF

    as_of = dt.date.fromisoformat(str(DEFAULT_AS_OF))
    client = logged_in(app)
    rows = listing_rows(client, "worklist")["rowData"]
    missed = next(r for r in rows if r["state_code"] == "missed")
    due = [r for r in rows if r["state_code"] == "due"]
    for row in [missed, *due[:3]]:
        late = (as_of - dt.date.fromisoformat(row["target_on"])).days
        key = f"visit:{row['subject_id']}:{row['visit_code']}"
        said = form_call(app, client, key, None, None)["vis-wf-item"]["children"]
        head = f"{row['subject_id']} · {row['visit_code']} visit "
        days = f"{abs(late)} day" + ("" if abs(late) == 1 else "s")
        if row["state_code"] == "missed":
            assert said == head + f"missed, {days} past its target day"
        elif late > 0:
            assert said == head + f"overdue {days}"
        elif late < 0:
            assert said == head + f"due in {days}"
        else:
            assert said == head + "due today"
    key = f"visit:{missed['subject_id']}:{missed['visit_code']}"
    out = form_call(app, client, key, 1, "phoned the site")
    assert out["vis-wf-comment"]["value"] == ""  # the box is empty for the next comment
    assert out["vis-wf-saved"]["data"] == 1  # the grid asks for its rows again
    out = form_call(app, client, key, 2, "site will call back")
    history = texts(out["vis-wf-result"]["children"])
    assert [h for h in history if "·" in h] == [
        h for h in history if h.endswith(("site will call back", "phoned the site"))
    ]
    assert history[-2].endswith("site will call back") and history[-1].endswith("phoned the site")
    zh = form_call(app, client, key, None, None, "?lang=zh")["vis-wf-item"]["children"]
    assert zh.startswith(f"{missed['subject_id']} · {missed['visit_code']}") and "缺失" in zh
    row = listing_rows(client, "worklist")["rowData"]
    assert next(r for r in row if r["key"] == key)["status"] == "query sent"

import pytest

from app import create_app
from tests.pages.helpers import call, find_by_id, listing_rows, logged_in, page_tree, texts


@pytest.fixture
def app(settings):
    return create_app(settings)


def test_safety_page_draws_and_lists_only_the_scope(app, demo_trial):
    trial, _ = demo_trial
    tree = page_tree(app, "/safety")
    for gid in ("saf-graph-overview", "saf-graph-interest", "saf-graph-centers", "saf-graph-lag"):
        assert find_by_id(tree, gid)["props"]["figure"]["data"], gid
    client = logged_in(app)
    got = listing_rows(client, "adverse_events")
    ae = trial.tables["adverse_events"]
    known = ae[ae["reported_on"].fillna(ae["onset_on"]) <= trial.as_of]
    assert got["rowCount"] == len(known)  # every event known by the data date
    pku = listing_rows(client, "adverse_events", "?center=PKU")
    assert pku["rowData"] and {r["center_id"] for r in pku["rowData"]} == {"PKU"}


def test_listing_sorts_filters_and_searches_on_the_server(app, demo_trial):
    trial, _ = demo_trial
    ae = trial.tables["adverse_events"]
    client = logged_in(app)
    serious = listing_rows(
        client,
        "adverse_events",
        request={
            "startRow": 0,
            "endRow": 10,
            "filterModel": {"serious": {"filterType": "text", "type": "equals", "filter": "sae"}},
            "sortModel": [{"colId": "grade", "sort": "desc"}],
        },
    )
    assert serious["rowCount"] == int(ae["serious"].astype(bool).sum())
    assert len(serious["rowData"]) == 10
    grades = [r["grade"] for r in serious["rowData"]]
    assert grades == sorted(grades, reverse=True)
    # The search matches labels too: "SAE" finds the serious events by their label.
    found = listing_rows(
        client,
        "adverse_events",
        request={
            "startRow": 0,
            "endRow": 5,
            "sortModel": [],
            "filterModel": {"_search": {"filter": "Back pain"}},
        },
    )
    assert found["rowCount"] == int((ae["term"] == "Back pain").sum())
    # The committee gets no rows, whatever it asks.
    assert listing_rows(logged_in(app, "committee"), "adverse_events")["rowCount"] == 0


def test_csv_export_streams_the_filtered_set_with_rights(app, demo_trial):
    trial, _ = demo_trial
    client = logged_in(app, "site-pku")
    resp = client.get("/export/adverse_events.csv?center=SH1,PKU&lang=zh")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    text = resp.get_data(as_text=True)
    lines = text.strip("\ufeff").strip().splitlines()
    assert lines[0].startswith("受试者")
    ae = trial.tables["adverse_events"]
    pku = ae[ae["subject_id"].str.startswith("PKU")]
    assert len(lines) - 1 == len(pku) and "SH1-" not in text
    assert logged_in(app, "committee").get("/export/adverse_events.csv").status_code == 403


def test_subject_timeline_respects_the_scope(app, demo_trial):
    trial, _ = demo_trial
    ae = trial.tables["adverse_events"]
    sh1 = ae[ae["subject_id"].str.startswith("SH1")]["subject_id"].iloc[0]
    client = logged_in(app)
    key = '{"name":"adverse_events","type":"listing-grid"}.cellClicked'
    cell = {"colId": "subject_id", "value": sh1, "rowIndex": 0}
    out = call(client, app, "saf-timeline.children", {key: cell, "shell-url.search": ""}, [key])
    fig = find_by_id(out["response"]["saf-timeline"]["children"], "saf-graph-timeline")
    assert fig is not None and fig["props"]["figure"]["data"]
    # The same click from a page filtered to another center shows nothing of that subject.
    out = call(
        client,
        app,
        "saf-timeline.children",
        {key: cell, "shell-url.search": "?center=PKU"},
        [key],
    )
    assert f"No events of {sh1} in this selection." in " ".join(
        texts(out["response"]["saf-timeline"]["children"])
    )

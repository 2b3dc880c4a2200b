"""The router callback and the recruitment page, called through Flask like a browser would."""

import datetime as dt
import json

import pytest

from app import create_app
from tests.pages.helpers import call, find_by_id, logged_in, texts

ROUTER = "shell-page.children"


@pytest.fixture
def app(settings):
    return create_app(settings)


def route(app, search="", pathname="/", changed=None, **controls):
    values = {"shell-url.pathname": pathname, "shell-url.search": search}
    values.update({f"shell-filter-{k}": v for k, v in controls.items()})
    return call(logged_in(app), app, ROUTER, values, changed or ["shell-url.pathname"])["response"]


def randomized(demo_trial, centers=("SH1", "SMU3", "PKU")):
    s = demo_trial[0].tables["subjects"]
    return int((s["randomized_on"].notna() & s["center_id"].isin(centers)).sum())


def test_home_shows_enrollment_against_target(app, demo_trial):
    out = route(app)
    page = out["shell-page"]["children"]
    kpi = " ".join(texts(find_by_id(page, "rec-kpi-randomized")))
    assert f"{randomized(demo_trial)} / 120" in kpi
    # The filter controls are set from the (empty) URL: everything selected, the data date.
    assert out["shell-filter-centers"]["value"] == ["SH1", "SMU3", "PKU"]
    assert out["shell-filter-as-of"]["date"] == "2026-11-15"
    assert "15 Nov 2026" in out["shell-stamp"]["children"]
    for graph in ("rec-graph-by-center", "rec-graph-cumulative", "rec-graph-monthly"):
        assert find_by_id(page, graph)["props"]["figure"]["data"], graph


def test_center_in_url_restricts_numbers(app, demo_trial):
    out = route(app, "?center=PKU")
    page = out["shell-page"]["children"]
    kpi = " ".join(texts(find_by_id(page, "rec-kpi-randomized")))
    assert f"{randomized(demo_trial, ('PKU',))} / 30" in kpi
    assert out["shell-filter-centers"]["value"] == ["PKU"]
    assert "PKU" in out["shell-filter-note"]["children"]
    table = " ".join(texts(find_by_id(page, "rec-center-table")))
    assert "PKU" in table and "SH1" not in table


def test_filter_change_writes_the_url(app):
    out = route(
        app,
        "",
        changed=["shell-filter-centers.value"],
        **{
            "centers.value": ["SMU3"],
            "arms.value": ["RFA_PVA", "RFA_PVA_SBRT"],
            "as-of.date": "2026-11-15",
            "lang.value": "en",
        },
    )
    assert out["shell-url"]["search"] == "?center=SMU3"


def test_as_of_in_the_past_counts_only_what_had_happened(app, demo_trial):
    s = demo_trial[0].tables["subjects"]
    n = int((s["randomized_on"] <= dt.date(2026, 1, 31)).sum())
    page = route(app, "?as_of=2026-01-31")["shell-page"]["children"]
    assert f"{n} / 120" in " ".join(texts(find_by_id(page, "rec-kpi-randomized")))


def test_chinese(app):
    out = route(app, "?lang=zh")
    assert out["shell-filter-centers-label"]["children"] == "中心"
    assert "入组" in texts(out["shell-page"]["children"])


def test_unknown_page_and_no_centers(app):
    assert "No page at /nope." in texts(route(app, pathname="/nope")["shell-page"]["children"])
    out = route(app, "?center=")
    assert "No center selected" in " ".join(texts(out["shell-page"]["children"]))


def test_database_gone_shows_a_clear_error_not_a_traceback(tmp_path, sqlite_url, settings):
    import shutil

    copy = tmp_path / "copy.sqlite"
    shutil.copy(sqlite_url.split(":///", 1)[1], copy)
    app = create_app(settings.with_(db_url=f"sqlite:///{copy}"))
    copy.unlink()
    text = " ".join(texts(route(app)["shell-page"]["children"]))
    assert "cannot read the trial database" in text
    assert "does not exist" in text and "Traceback" not in text
    health = app.server.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "reason": "missing"}  # no path


def test_healthz(app):
    resp = app.server.test_client().get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "reason": "ok"}


def test_no_cdn_in_served_html(app):
    html = logged_in(app).get("/").get_data(as_text=True)
    assert "bootstrap" in html and "/assets/" in html
    # Host names assembled so that a repository-wide grep for CDN links finds only real ones.
    hosts = (
        "cdn." + "jsdelivr",
        "unpkg" + ".com",
        "cdn" + "js",
        "fonts." + "googleapis",
        "cdn." + "plot.ly",
    )
    for cdn in hosts:
        assert cdn not in html


def test_the_listing_search_and_switches_stay_with_a_filter_change(app):
    """A search typed and a switch turned on live in the address: a change of the centers
    keeps them, the page drawn again shows them, and the router does not draw the page again
    when only they change."""
    values = {
        "centers.value": ["SMU3"],
        "arms.value": ["RFA_PVA", "RFA_PVA_SBRT"],
        "as-of.date": "2026-11-15",
        "lang.value": "en",
    }
    out = route(
        app,
        "?only=serious&q_adverse_events=pain",
        "/safety",
        changed=["shell-filter-centers.value"],
        **values,
    )
    assert out["shell-url"]["search"] == "?center=SMU3&only=serious&q_adverse_events=pain"
    page = route(app, out["shell-url"]["search"], "/safety")["shell-page"]["children"]
    assert find_by_id(page, "saf-toggles")["props"]["value"] == ["serious"]
    search = find_by_id(page, {"name": "adverse_events", "type": "listing-search"})
    assert search["props"]["value"] == "pain"
    # The grid opens with both filters: the rows come filtered from the first request.
    spec = find_by_id(page, {"name": "adverse_events", "type": "grid-spec"})["props"]["data"]
    model = spec["props"]["filterModel"]
    assert model["serious"]["filter"] == "sae" and model["_search"]["filter"] == "pain"
    # Links to other pages carry the view, not the page's own state.
    assert "q_adverse_events" not in json.dumps(route(app, "?only=serious")["shell-nav"])
    # Only the page's own state changed: nothing is drawn again (all outputs unchanged).
    client = logged_in(app)
    drawn = "/safety?center=SMU3"
    resp_values = {
        "shell-url.pathname": "/safety",
        "shell-url.search": "?center=SMU3&q_adverse_events=bone",
        "shell-rendered.data": drawn,
    }
    assert call(client, app, ROUTER, resp_values, ["shell-url.search"]) == {}  # 204
    resp_values["shell-url.search"] = "?center=PKU&q_adverse_events=bone"
    assert "shell-page" in call(client, app, ROUTER, resp_values, ["shell-url.search"])["response"]

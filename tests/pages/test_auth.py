"""Who sees what: logins, center rights applied where the scope is built, committee view."""

import json
import re
import time

import pytest

from app import create_app
from dashboard.auth import UserStore
from dashboard.cli import main
from dashboard.listings import LISTINGS
from tests.conftest import TEST_USERS
from tests.pages.helpers import call, listing_rows, logged_in, login, texts

PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")
SUBJECT_ID = re.compile(r"\b(SH1|SMU3|PKU)-\d{3}\b")


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(client, app, path, search=""):
    out = call(
        client,
        app,
        "shell-page.children",
        {"shell-url.pathname": path, "shell-url.search": search},
        ["shell-url.pathname"],
    )["response"]
    return out["shell-page"]["children"]


def test_everything_but_login_health_and_static_needs_a_login(app):
    c = app.server.test_client()
    for path in (*PAGES, "/recruitment", "/_dash-layout", "/_dash-dependencies"):
        resp = c.get(path)
        assert resp.status_code in (302, 401), path
        if resp.status_code == 302:
            assert resp.headers["Location"].startswith("/login")
    assert c.get("/login").status_code == 200
    assert c.get("/healthz").status_code == 200
    assert c.get("/assets/10_theme.css").status_code == 200
    # Every Dash callback refuses an anonymous request.
    for key in app.callback_map:
        body = {"output": key, "outputs": [], "inputs": [], "state": [], "changedPropIds": []}
        resp = c.post(
            "/_dash-update-component", data=json.dumps(body), content_type="application/json"
        )
        assert resp.status_code == 401, key


def test_site_user_never_gets_another_centers_rows(app, demo_trial):
    trial, _ = demo_trial
    other = set(trial.tables["subjects"].query("center_id != 'PKU'")["subject_id"])
    client = logged_in(app, "site-pku")
    for path in PAGES:
        for search in ("", "?center=SH1", "?center=SH1,SMU3,PKU"):
            tree = str(page(client, app, path, search))
            ids = {m.group(0) for m in SUBJECT_ID.finditer(tree)}
            assert not ids & other, (path, search, ids & other)
        for name in LISTINGS:
            for search in ("", "?center=SH1", "?center=SH1,SMU3,PKU"):
                rows = listing_rows(client, name, search).get("rowData", [])
                ids = {m.group(0) for m in SUBJECT_ID.finditer(str(rows))}
                assert not ids & other, (name, search, ids & other)
    # A crafted request for SH1 alone shows PKU, the user's own center, and says so.
    text = " ".join(texts(page(client, app, "/", "?center=SH1")))
    assert "You may not see SH1: showing PKU" in text and "All centers" not in text
    # The CSV export applies the rights too.
    csv = client.get("/export/worklist.csv?center=SH1").get_data(as_text=True)
    assert "SH1-" not in csv and "PKU-" in csv
    # The subject timeline callback refuses another center's subject.
    sh1 = sorted(other)[0]
    cell = {"colId": "subject_id", "value": sh1, "rowIndex": 0}
    key = '{"name":"adverse_events","type":"listing-grid"}.cellClicked'
    out = call(
        client, app, "saf-timeline.children", {key: cell, "shell-url.search": "?center=SH1"}, [key]
    )
    assert sh1 not in str(out["response"]["saf-timeline"]["children"]).replace(
        f"No events of {sh1}", ""
    )


def test_monitor_limited_to_a_center(app):
    client = logged_in(app, "monitor-sh1")
    rows = listing_rows(client, "adverse_events", "?center=SH1,PKU")["rowData"]
    assert {m.group(1) for m in SUBJECT_ID.finditer(str(rows))} == {"SH1"}


def test_committee_sees_no_subject_identifier_anywhere(app):
    client = logged_in(app, "committee")
    for path in PAGES:
        tree = page(client, app, path)
        assert not SUBJECT_ID.search(json.dumps(tree)), path
    assert "hidden in presentation mode and for the steering committee" in " ".join(
        texts(page(client, app, "/visits"))
    )


def test_presentation_mode_hides_identifiers_for_everyone(app):
    client = logged_in(app, "pi")
    assert SUBJECT_ID.search(json.dumps(page(client, app, "/visits")))  # the swimmer plot
    assert not SUBJECT_ID.search(json.dumps(page(client, app, "/visits", "?present=1")))
    assert listing_rows(client, "worklist")["rowCount"] > 0
    assert listing_rows(client, "worklist", "?present=1")["rowCount"] == 0


def test_wrong_passwords_are_delayed_then_locked(app, settings):
    c = app.server.test_client()
    start = time.monotonic()
    with pytest.raises(AssertionError):
        login(c, "pi", "wrong-password")
    assert time.monotonic() - start >= settings.login_failure_delay_ms / 1000
    for _ in range(settings.login_max_failures - 1):
        with pytest.raises(AssertionError):
            login(c, "pi", "wrong-password")
    # Locked: even the right password is refused now.
    page_html = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)
    resp = c.post(
        "/login", data={"csrf_token": token, "username": "pi", "password": TEST_USERS["pi"][0]}
    )
    assert resp.status_code == 429 and "locked" in resp.get_data(as_text=True)


def test_login_form_needs_its_csrf_token_and_refuses_open_redirects(app):
    c = app.server.test_client()
    resp = c.post("/login", data={"username": "pi", "password": TEST_USERS["pi"][0]})
    assert resp.status_code == 400
    page_html = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)
    resp = c.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "pi",
            "password": TEST_USERS["pi"][0],
            "next": "https://evil.example/steal",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_security_headers(app):
    for resp in (app.server.test_client().get("/login"), logged_in(app).get("/")):
        h = resp.headers
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Frame-Options"] == "DENY"
        assert h["X-Content-Type-Options"] == "nosniff"
    cookie = logged_in(app).get_cookie("session")
    assert cookie is not None and cookie.http_only


def test_language_is_remembered_per_user(app, settings):
    client = logged_in(app, "pi")
    values = {
        "shell-url.pathname": "/",
        "shell-url.search": "",
        "shell-filter-centers.value": ["SH1", "SMU3", "PKU"],
        "shell-filter-arms.value": ["RFA_PVA", "RFA_PVA_SBRT"],
        "shell-filter-as-of.date": "2026-11-15",
        "shell-filter-lang.value": "zh",
        "shell-filter-present.value": False,
    }
    out = call(client, app, "shell-page.children", values, ["shell-filter-lang.value"])
    assert out["response"]["shell-url"]["search"] == "?lang=zh"
    assert UserStore(settings.resolved_users_db_url).get("pi").lang == "zh"
    # A fresh sign-in, a URL without lang: Chinese.
    fresh = logged_in(app, "pi")
    out = call(
        fresh,
        app,
        "shell-page.children",
        {"shell-url.pathname": "/", "shell-url.search": ""},
        ["shell-url.pathname"],
    )
    assert out["response"]["shell-filter-centers-label"]["children"] == "中心"


def test_users_command(settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TRIAL_USERS_DB_URL", settings.resolved_users_db_url)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a-good-password\n"))
    assert (
        main(["users", "add", "anna", "--role", "site", "--centers", "SMU3", "--password-stdin"])
        == 0
    )
    assert main(["users", "list"]) == 0
    assert re.search(r"anna\s+site\s+SMU3", capsys.readouterr().out)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a-good-password\n"))
    assert main(["users", "add", "bob", "--role", "site", "--password-stdin"]) == 2
    assert "exactly one center" in capsys.readouterr().err
    assert main(["users", "remove", "anna"]) == 0
    assert UserStore(settings.resolved_users_db_url).get("anna") is None

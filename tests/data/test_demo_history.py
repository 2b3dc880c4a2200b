"""The demo with a history: one trial whose data grow with the data date.

`demo --as-of A` then `demo --as-of B` (B a month later): every subject randomized by A has
the same arm and dates in both; What changed from A's cut to B lists the subjects randomized
in between (worked out from B's own table) and, as its only correction, the one the demo plants
in that month (an AE's grade 2 corrected to 3 on 28 October 2026). Monthly cuts are kept, the
last before the data date labelled "Steering committee".
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from dashboard.cli import main
from data_access.demo import build_demo_trial, cut_trial, full_demo_trial
from data_access.queries import TrialDb
from data_access.queries.rows import table_rows
from data_access.schema import subjects

A, B = dt.date(2026, 10, 15), dt.date(2026, 11, 15)


def test_a_later_data_date_extends_and_never_rewrites(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("TRIAL_USERS_DB_URL", raising=False)
    a_url, b_url = f"sqlite:///{tmp_path / 'a.sqlite'}", f"sqlite:///{tmp_path / 'b.sqlite'}"
    assert main(["demo", "--db", a_url, "--as-of", A.isoformat(), "--months", "2"]) == 0
    assert main(["demo", "--db", b_url, "--as-of", B.isoformat(), "--months", "2"]) == 0
    capsys.readouterr()
    assert main(["cuts", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    # 2 months before A, A, then B (its month before is A: the store has it already)
    assert [line.split()[4] for line in listed] == [
        "2026-08-15",
        "2026-09-15",
        "2026-10-15",
        "2026-11-15",
    ]
    assert "Steering committee 2026-09" in listed[1]

    sa = table_rows(TrialDb(a_url), subjects).set_index("subject_id")
    sb = table_rows(TrialDb(b_url), subjects).set_index("subject_id")
    by_a = sa[sa["randomized_on"].notna()]
    cols = ["arm", "randomized_on", "screened_on", "consented_on", "center_id"]
    pd.testing.assert_frame_equal(by_a[cols], sb.loc[by_a.index, cols])

    monkeypatch.setenv("TRIAL_DB_URL", b_url)
    monkeypatch.setenv("TRIAL_SECRET_KEY", "x")
    assert main(["summary", "--db", b_url, "--json", "--since", "3"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    new = sb[sb["randomized_on"].notna() & (sb["randomized_on"] > pd.Timestamp(A))]
    assert sorted(r["subject_id"] for r in changes["newly_randomized"]) == sorted(new.index)
    assert [(c["table"], c["field"], c["old"], c["new"]) for c in changes["corrections"]] == [
        ("adverse_events", "grade", 2, 3)
    ]


def test_cuts_of_one_trial_agree_on_what_they_share():
    """A property of the cut itself: whatever two dates, the earlier cut's subjects and
    records are in the later one unchanged (corrections apart)."""
    full = full_demo_trial(seed=7, plant_problems=False)
    for early, late in ((dt.date(2025, 9, 1), dt.date(2026, 2, 1)), (A, B)):
        e, lt = cut_trial(full, early), cut_trial(full, late)
        for name, key in (("assessments", ["subject_id", "visit_code"]), ("imaging", None)):
            if key is None:
                continue
            merged = e.tables[name].merge(lt.tables[name], on=key, suffixes=("_e", "_l"))
            assert len(merged) == len(e.tables[name])
            assert (merged["assessed_on_e"] == merged["assessed_on_l"]).all()
        ids_e, ids_l = (
            set(e.tables["adverse_events"]["ae_id"]),
            set(lt.tables["adverse_events"]["ae_id"]),
        )
        assert ids_e <= ids_l
        assert len(lt.tables["subjects"]) >= len(e.tables["subjects"])


def test_the_default_demo_is_the_cut_at_its_data_date():
    a = build_demo_trial()
    b = cut_trial(full_demo_trial(), a.as_of)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


def test_the_kept_cuts_carry_the_risk_flags_the_page_reads_back(tmp_path, monkeypatch, capsys):
    """Each monthly cut keeps its risk scores; the Center risk page's trend and "newly
    flagged" read them back (the last meeting's cut), and `summary --page risk` prints them."""
    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("TRIAL_USERS_DB_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert main(["demo", "--db", url, "--as-of", B.isoformat(), "--months", "3"]) == 0
    capsys.readouterr()
    assert main(["summary", "--db", url, "--json", "--page", "risk"]) == 0
    risk = json.loads(capsys.readouterr().out)["risk"]
    # three months before the data date, and the cut at the data date itself
    dates = ["2026-08-15", "2026-09-15", "2026-10-15", "2026-11-15"]
    assert [p["as_of"] for p in risk["trend"]] == dates
    assert all(p["kept"] for p in risk["trend"])
    assert risk["compared_with"] == "Steering committee 2026-10"
    # The cut at the data date kept the flags the page shows now.
    last = risk["trend"][-1]
    assert {c: last["red"][c] for c in last["red"]} == {
        c: f["red"] for c, f in risk["flagged"].items()
    }
    assert {c: last["amber"][c] for c in last["amber"]} == {
        c: f["amber"] for c, f in risk["flagged"].items()
    }
    # Every flag that is amber or red now and was better then is listed, and nothing else.
    assert all(f["now"] in ("amber", "red") for f in risk["newly_flagged"])

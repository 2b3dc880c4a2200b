"""Trials the dashboard was not written for: its pages follow the protocol file, never this trial.

1. DOSE-3 (tests/fixtures/three_arm): three arms 1:1:1 in blocks of 3 and 6, 17 centers, no pain
   or imaging measures, no treatment-delivery check; its database is written by the CSV
   importer, as a data manager would. Numbers are checked by hand from the bundle:

   Randomized per center and arm (subjects.csv):
     C01: Placebo 2 (C01-01, -05), Low 3 (-02, -06, -07), High 2 (-03, -04); C01-08 screen failure
     C02: Placebo 3, Low 1, High 0 (the list was not followed: a planted imbalance)
     C03..C17: one of each arm (15 centers)
     Totals: Placebo 2 + 3 + 15 = 20, Low 3 + 1 + 15 = 19, High 2 + 0 + 15 = 17; 56 of 57 screened.
   Balance: two arms of a center may differ by 1 x 1 x 6 / 3 = 2; C02 Placebo - High = 3 > 2.
     Chi-square against 1:1:1 (expected 56/3 each): (4/3)^2 + (1/3)^2 + (5/3)^2 = 42/9 over 56/3
     = 0.25 on 2 df, p = exp(-0.25 / 2) = 0.8825.
   As treated (actual_arm): C03-01, randomized to Placebo, was treated with High dose; C04-02's
     actual arm equals its arm. Placebo 19, Low 19, High 18.
   Adverse events (adverse_events.csv), worst grade per subject:
     Placebo: C01-01 headache 1 then 2 -> any 1, grade >= 3: 0
     Low: C01-02 nausea 2; C05-02 rash 1 then 3 -> any 2, grade >= 3: 1 (C05-02)
     High: C01-03 nausea 4 (SAE) and sepsis 5 (SAE, fatal); C03-01 headache 3
       -> any 2, grade >= 3: 2, serious 1, fatal 1
     Headache by arm as treated: Placebo 1 (worst 2), High 1 (worst 3); as randomized it would
     have been Placebo 2.

2. Generated trials of 1 and 60 centers with 2 and 4 arms: every page renders for the PI and the
   committee without an error state; no figure is taller than 2,600 px; no figure has more than
   21 category rows (20 centers and the pooled row; the rest stay in the tables), the swimmer
   plot at most 150 subjects. The browser test of the same trials checks overlaps.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from dashboard.auth import UserStore
from dashboard.cli import main
from tests import trials
from tests.pages.helpers import EXTRA_PASSWORDS, page_tree, texts
from tests.pages.test_figures import graphs

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "three_arm"
PROTOCOL = FIXTURE / "protocol.toml"
PAGES = ("/", "/randomization", "/visits", "/safety", "/data-quality")
NOT_COLLECTED = ("/pain", "/local-control")


@pytest.fixture(scope="module")
def dose3_url(tmp_path_factory, request) -> str:
    """DOSE-3 imported through the CSV importer (SQLite; PostgreSQL when configured)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dose3') / 'trial.sqlite'}"
    assert main(["import", "csv", str(FIXTURE), "--db", url]) == 0
    return url


@pytest.fixture(scope="module")
def dose3_pg_url(request, tmp_path_factory) -> Any:
    from tests.conftest import PG_URL, REQUIRE_PG, _scratch_database

    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TRIAL_TEST_PG_URL is not set but PostgreSQL is required")
        pytest.skip("no PostgreSQL")
    for url in _scratch_database(PG_URL):
        assert main(["import", "csv", str(FIXTURE), "--db", url]) == 0
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def dose3(request) -> str:
    return request.getfixturevalue("dose3_url" if request.param == "sqlite" else "dose3_pg_url")


def summary(url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> dict[str, Any]:
    monkeypatch.setenv("TRIAL_PROTOCOL_FILE", str(PROTOCOL))
    assert main(["summary", "--db", url, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_dose3_numbers_by_hand(dose3, monkeypatch, capsys):
    out = summary(dose3, monkeypatch, capsys)
    rec = out["recruitment"]
    assert rec["overall"]["randomized"] == 56 and rec["overall"]["screened"] == 57
    assert rec["overall"]["by_arm"] == {"PBO": 20, "LOW": 19, "HIGH": 17}
    assert rec["by_center"]["C01"]["by_arm"] == {"PBO": 2, "LOW": 3, "HIGH": 2}
    assert rec["by_center"]["C02"]["by_arm"] == {"PBO": 3, "LOW": 1, "HIGH": 0}
    for c in (f"C{i:02d}" for i in range(3, 18)):
        assert rec["by_center"][c]["by_arm"] == {"PBO": 1, "LOW": 1, "HIGH": 1}, c
    rnd = out["randomization"]
    c02 = rnd["balance"]["C02"]
    assert (c02["difference"], c02["pair"], c02["bound"]) == (3, ["PBO", "HIGH"], 2)
    assert c02["exceeds_blocks"] and rnd["beyond_bounds"] == ["C02"]
    # C02's 4 subjects: expected 4/3 per arm < 5, so the exact multinomial test. Splits of 4 into
    # three arms and their probabilities (x 81): (4,0,0) x3: 1; (3,1,0) x6: 4; (2,2,0) x3: 6;
    # (2,1,1) x3: 12. As likely as (3,1,0) or less: 3 * 1 + 6 * 4 = 27 -> p = 27/81 = 1/3.
    assert c02["test"] == "multinomial_exact"
    assert c02["p_value"] == pytest.approx(1 / 3, abs=1e-12)
    assert rnd["balance"]["C01"]["difference"] == 1 and not rnd["balance"]["C01"]["exceeds_blocks"]
    pooled = rnd["balance"]["pooled"]
    assert pooled["test"] == "chi_square"
    assert pooled["p_value"] == pytest.approx(0.882497, abs=1e-6)  # exp(-0.125)
    saf = out["safety"]
    assert saf["population"] == "as_treated"
    by_arm = {
        a: (v["subjects"], v["any_ae"], v["grade3plus"], v["serious"], v["fatal"])
        for a, v in saf["by_arm"].items()
    }
    assert by_arm == {"PBO": (19, 1, 0, 0, 0), "LOW": (19, 2, 1, 0, 0), "HIGH": (18, 2, 2, 1, 1)}
    headache = saf["by_term"]["Headache"]
    assert (headache["PBO"]["any"], headache["PBO"]["worst"]["2"]) == (1, 1)
    assert (headache["HIGH"]["any"], headache["HIGH"]["grade3plus"]) == (1, 1)
    assert saf["interest"]["sepsis"]["HIGH"]["subjects"] == 1
    # Measures the study does not collect, and a delivery check it does not have.
    assert out["pain"] == {"collected": False}
    assert out["local_control"] == {"collected": False}
    assert rnd["delivery"] is None
    assert out["data_quality"]["total"] == 0


def test_dose3_one_center_as_a_site_sees_it(dose3, monkeypatch, capsys):
    out = summary(dose3, monkeypatch, capsys, "--center", "C02")
    assert out["recruitment"]["overall"]["by_arm"] == {"PBO": 3, "LOW": 1, "HIGH": 0}
    assert out["safety"]["total"]["subjects"] == 4  # C02's four, none with an event
    assert out["safety"]["total"]["any_ae"] == 0
    # The population follows the trial's data, not the view: C02 has no recorded actual arm,
    # but the trial does, so C02's safety is still counted as treated.
    assert out["safety"]["population"] == "as_treated"


@pytest.fixture(scope="module")
def dose3_app(dose3_url, tmp_path_factory):
    from tests.conftest import make_settings

    folder = tmp_path_factory.mktemp("dose3app")
    s = make_settings(dose3_url, folder, protocol_file=PROTOCOL, cache_type="none")
    UserStore(s.resolved_users_db_url).add("site-c02", "site-c02-password", "site", ["C02"])
    EXTRA_PASSWORDS["site-c02"] = "site-c02-password"
    return create_app(s)


def assert_draws(tree: Any, where: str) -> None:
    """No error state anywhere in a page tree, and something on it."""
    flat = json.dumps(tree)
    assert "error-state" not in flat, f"{where}: {[x for x in texts(tree) if x][:8]}"
    assert texts(tree), where


@pytest.mark.parametrize("user", ["pi", "site-c02", "committee"])
def test_dose3_every_page_draws_for_every_role(dose3_app, user):
    for path in PAGES:
        tree = page_tree(dose3_app, path, "", user=user)
        assert_draws(tree, f"{user} {path}")
        words = " ".join(texts(tree))
        assert "SBRT" not in words, f"{path}: a treatment this study does not have"
        if user == "site-c02":
            assert "All centers" not in words and "Pooled" not in words, path
    for path in NOT_COLLECTED:
        words = " ".join(texts(page_tree(dose3_app, path, "", user=user)))
        assert "This study does not collect" in words, path


def test_dose3_site_user_sees_only_their_center(dose3_app):
    tree = page_tree(dose3_app, "/randomization", "?center=C01", user="site-c02")
    note = "You may not see C01: showing C02, the centers your account covers."
    words = [w for w in texts(tree) if w != note]
    assert len(words) < len(texts(tree)), "the one-line note is missing"
    assert not [w for w in words if "C01" in w]
    assert any("C02" in w for w in words)  # the scope line names the site's own center


# 2. Generated trials: 1 and 60 centers, 2 and 4 arms -------------------------------------------


def generated(
    folder: Path, n_centers: int, n_arms: int
) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """A trial of n centers (4 subjects each, arms in turn), every measure collected."""
    codes = [f"K{i:02d}" for i in range(1, n_centers + 1)]
    arms = ["A", "B", "C", "D"][:n_arms]
    p = trials.write_protocol(
        folder / "protocol.toml",
        centers=[(c, 8, "2025-01-01", "2026-12-31") for c in codes],
        arms=arms,
        blocks=(n_arms,),
        visits=(
            ("V1", 28, 7, 7, ("nrs", "omed", "pafi", "imaging")),
            ("V2", 91, 14, 14, ("nrs", "omed", "pafi", "imaging")),
        ),
        safety={
            "events_of_interest": {
                "pain_flare": {
                    "terms": ["Back pain"],
                    "label": "pain flare",
                    "label_zh": "疼痛闪烁",
                }
            }
        },
    )
    rows: dict[str, list[dict[str, Any]]] = {
        "centers": trials.centers(*codes),
        "subjects": [],
        "assessments": [],
        "imaging": [],
        "adverse_events": [],
    }
    ae = 0
    for ci, c in enumerate(codes):
        for k in range(4):
            sid = f"{c}-{k}"
            rand = dt.date(2025, 3, 1) + dt.timedelta(days=7 * k + ci % 50)
            rows["subjects"].append(
                trials.subject(
                    sid,
                    c,
                    (rand - dt.timedelta(days=3)).isoformat(),
                    rand.isoformat(),
                    arms[(ci + k) % n_arms],
                    procedure_on=rand.isoformat(),
                    baseline_nrs=6 + k % 3,
                    baseline_omed_mg=20.0,
                    age_years=50 + k,
                )
            )
            for v, day in (("V1", 28), ("V2", 91)):
                on = (rand + dt.timedelta(days=day)).isoformat()
                rows["assessments"].append(
                    {
                        "subject_id": sid,
                        "visit_code": v,
                        "assessed_on": on,
                        "nrs": 3 + k % 4,
                        "omed_mg": 10.0,
                        "pafi": 5,
                    }
                )
                rows["imaging"].append(
                    {
                        "subject_id": sid,
                        "visit_code": v,
                        "imaged_on": on,
                        "mda_response": ("SD", "PR", "PD", "CR")[(ci + k) % 4],
                    }
                )
            ae += 1
            rows["adverse_events"].append(
                {
                    "ae_id": ae,
                    "subject_id": sid,
                    "term": "Back pain",
                    "soc": "MSK",
                    "grade": 1 + (ci + k) % 5,
                    "serious": k == 3,
                    "onset_on": (rand + dt.timedelta(days=10)).isoformat(),
                    "reported_on": (rand + dt.timedelta(days=12)).isoformat(),
                }
            )
    return p, rows


ALL_PAGES = (*PAGES, *NOT_COLLECTED)
# A figure may grow with what it shows, never past a screen-sized budget per row shown: at most
# 2,600 px whatever the number of centers (caps and top-N keep the rest in tables).
MAX_FIGURE_HEIGHT = 2600
# Per-center figures show at most 20 centers and the pooled row; the swimmer 150 subjects.
MAX_CENTER_ROWS = 21
MAX_SUBJECT_ROWS = 150


@pytest.mark.parametrize(("n_centers", "n_arms"), [(1, 2), (60, 4), (60, 2), (1, 4)])
def test_one_and_sixty_centers_draw(tmp_path, n_centers, n_arms):
    from tests.conftest import make_settings

    proto, rows = generated(tmp_path, n_centers, n_arms)
    db = trials.sqlite(tmp_path, rows, "2026-06-30")
    s = make_settings(db.url, tmp_path, protocol_file=proto, cache_type="none")
    app = create_app(s)
    for user in ("pi", "committee"):
        for path in ALL_PAGES:
            tree = page_tree(app, path, "", user=user)
            assert_draws(tree, f"{n_centers} centers, {n_arms} arms, {user} {path}")
            for gid, fig in graphs(tree):
                height = fig["layout"].get("height", 450)
                assert height <= MAX_FIGURE_HEIGHT, (path, gid, height)
                rows = {v for tr in fig["data"] for v in tr.get("y") or () if isinstance(v, str)}
                cap = MAX_SUBJECT_ROWS if gid == "vis-graph-swimmer" else MAX_CENTER_ROWS
                assert len(rows) <= cap, (path, gid, len(rows))

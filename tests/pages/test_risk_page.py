"""The Center risk page: planted outliers found, every role's view, summary and pack.

The gallery trial (tests/gallery.py) plants three centers: 704 with three times the AE rate,
709 missing half its visits, 716 with a major deviation for most subjects. Scored against
the other 16 centers, exactly these three are flagged, each on the indicator planted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from app import create_app
from dashboard.cli import main
from tests import gallery
from tests.pages.helpers import call, find_by_id, logged_in, texts


@pytest.fixture(scope="module")
def gallery_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('gallery') / 'trial.sqlite'}"
    gallery.write(url)
    return url


def risk_summary(url: str, monkeypatch: Any, capsys: Any, *args: str, protocol: Any = None) -> Any:
    monkeypatch.setenv("TRIAL_DB_URL", url)
    if protocol is not None:
        monkeypatch.setenv("TRIAL_PROTOCOL_FILE", str(protocol))
    capsys.readouterr()
    assert main(["summary", "--json", "--page", "risk", *args]) == 0
    return json.loads(capsys.readouterr().out)["risk"]


def test_the_planted_outlier_centers_and_only_they_are_flagged(
    gallery_url, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(tmp_path))
    risk = risk_summary(gallery_url, monkeypatch, capsys, protocol=gallery.PROTOCOL)
    assert risk["method"] == "normal"  # 17 centers: enough to estimate the over-dispersion
    flagged = {
        (c, k): v["flag"]
        for c, per in risk["by_center"].items()
        for k, v in per.items()
        if v["flag"] in ("amber", "red")
    }
    print("\nflagged:", flagged)
    assert {c for c, _ in flagged} == {"704", "709", "716"}
    assert flagged[("704", "ae_rate")] == "red"
    assert flagged[("709", "missed_visits")] == "red"
    assert flagged[("716", "major_deviations")] == "red"
    # 704's extra events are of every grade: its grade >= 3 rate stands out with it.
    assert set(flagged) <= {
        ("704", "ae_rate"),
        ("704", "grade3_rate"),
        ("704", "sae_rate"),
        ("709", "missed_visits"),
        ("716", "major_deviations"),
    }
    # The trial's AE rate is the pooled one: every event over every patient-month.
    cells = [risk["by_center"][c]["ae_rate"] for c in risk["by_center"]]
    pooled = sum(c["numerator"] for c in cells) / sum(c["denominator"] for c in cells)
    assert abs(risk["trial"]["ae_rate"]["value"] - pooled * 100 * 365.25 / 12) < 1e-6


def test_a_site_sees_its_center_and_the_rest_pooled(gallery_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TRIAL_INSTANCE_DIR", str(tmp_path))
    every = risk_summary(gallery_url, monkeypatch, capsys, protocol=gallery.PROTOCOL)
    site = risk_summary(
        gallery_url, monkeypatch, capsys, "--center", "704", protocol=gallery.PROTOCOL
    )
    assert site["centers"] == ["704"] and list(site["by_center"]) == ["704"]
    assert site["by_center"]["704"] == every["by_center"]["704"]  # scored against all
    rest = site["rest"]["ae_rate"]
    others = [v["ae_rate"] for c, v in every["by_center"].items() if c != "704"]
    assert rest["numerator"] == sum(o["numerator"] for o in others)
    assert rest["denominator"] == sum(o["denominator"] for o in others)


@pytest.fixture
def app(settings):
    return create_app(settings)


def page(app: Any, user: str = "pi", search: str = "") -> Any:
    values = {"shell-url.pathname": "/risk", "shell-url.search": search}
    out = call(logged_in(app, user), app, "shell-page.children", values, ["shell-url.pathname"])
    return out["response"]["shell-page"]["children"]


@pytest.mark.parametrize("user", ["pi", "monitor-sh1", "committee", "site-pku"])
def test_every_role_sees_the_page_and_a_site_only_its_center(app, user):
    tree = page(app, user)
    words = " ".join(texts(tree))
    assert "Key risk indicators by center" in words
    assert "Quality tolerance limits" in words
    spec = find_by_id(tree, {"name": "risk-kris", "type": "grid-spec"})["props"]["data"]
    rows = spec["props"]["rowData"]
    centers = [r["center"] for r in rows if r["kind"] == "center"]
    if user in ("site-pku", "monitor-sh1"):  # their own center, the others pooled
        assert centers == (["PKU"] if user == "site-pku" else ["SH1"])
        assert "Other centers" in [r["center"] for r in rows]
    else:
        assert centers == ["SH1", "SMU3", "PKU"]
    assert not any(x.startswith(("SH1-", "SMU3-", "PKU-")) for x in texts(tree))


def test_the_page_in_chinese(app):
    words = " ".join(texts(page(app, "pi", "?lang=zh")))
    assert "各中心的关键风险指标" in words and "质量容忍限度" in words

import datetime as dt
import tomllib

import pytest

from dashboard.protocol import DEFAULT_PROTOCOL_FILE, ProtocolError, load_protocol, parse_protocol


def _data() -> dict:
    return tomllib.loads(DEFAULT_PROTOCOL_FILE.read_text())


def test_shipped_protocol_matches_the_registration(protocol):
    assert {c.code: c.target for c in protocol.centers} == {"SH1": 60, "SMU3": 30, "PKU": 30}
    assert protocol.total_target == 120
    assert protocol.arm_codes == ("RFA_PVA", "RFA_PVA_SBRT")
    assert [a.colour for a in protocol.arms] == ["#0072B2", "#E69F00"]
    assert protocol.ratio == (1, 1) and protocol.sbrt.arm == "RFA_PVA_SBRT"
    assert protocol.sbrt.without_arm == "RFA_PVA"
    assert protocol.arm_label("RFA_PVA_SBRT", "zh") == "RFA/PVA + SBRT"
    assert protocol.arm_label("PBO", "en") == "PBO" and protocol.arm_label(None, "en") == "–"
    assert protocol.headline_visit("nrs") == "M3" and protocol.collects("imaging")
    assert [(v.code, v.day, v.window_before, v.window_after) for v in protocol.visits] == [
        ("W1", 7, 2, 2),
        ("W2", 14, 3, 3),
        ("W4", 28, 7, 7),
        ("M3", 91, 14, 14),
        ("M6", 182, 21, 21),
        ("M12", 365, 30, 30),
    ]
    assert protocol.sbrt.allowed_schemes == ((24.0, 4), (30.0, 5), (36.0, 6), (42.0, 7))
    sh1 = protocol.center("SH1")
    # 24 months of planned recruitment.
    assert (sh1.planned_first_enrollment, sh1.planned_last_enrollment) == (
        dt.date(2025, 3, 1),
        dt.date(2027, 2, 28),
    )
    # 1:1 in blocks of at most 4: a center's arm counts differ by at most 4 / 2 = 2.
    assert protocol.pair_bound("RFA_PVA", "RFA_PVA_SBRT") == 2
    assert protocol.visits[2].opens_day == 21 and protocol.visits[2].closes_day == 35


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["centers"][1].pop("target"), "centers[1].target' is missing"),
        (lambda d: d["centers"][0].update(target="sixty"), "centers[0].target' must be a whole"),
        (
            lambda d: d["centers"][2].update(planned_first_enrollment="2025-13-01"),
            "centers[2].planned_first_enrollment' must be an ISO date",
        ),
        (lambda d: d["trial"].update(total_target=100), "trial.total_target' is 100"),
        (lambda d: d["arms"][0].update(colour="blue"), "arms[0].colour' must be a #RRGGBB"),
        (lambda d: d["visits"][3].update(day=10), "'visits' must be in schedule order"),
        (lambda d: d["randomization"].update(block_sizes=[3]), "block_sizes' must be a list"),
        (lambda d: d["eligibility"].update(highest_level="X9"), "eligibility.highest_level'"),
        (lambda d: d["randomization"].update(ratio=[1, 1, 1]), "ratio' must list one positive"),
        (lambda d: d["sbrt"].update(arm="PBO"), "sbrt.arm' must be one of the arms"),
        (lambda d: d["visits"][0].update(collects=["vas"]), "unknown measure(s) ['vas']"),
        (lambda d: d["outcomes"].update(headline_visit="M9"), "outcomes.headline_visit'"),
        (
            lambda d: d.update(arms=[{"code": f"A{i}", "label": "x"} for i in range(7)]),
            "'arms' must list 2 to 6 arms, got 7",
        ),
    ],
)
def test_bad_protocol_names_the_key(mutate, message):
    data = _data()
    mutate(data)
    with pytest.raises(ProtocolError) as err:
        parse_protocol(data, "protocol.toml")
    assert message in str(err.value)


def test_unreadable_or_invalid_file(tmp_path):
    with pytest.raises(ProtocolError, match="cannot read"):
        load_protocol(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[trial\n")
    with pytest.raises(ProtocolError, match="not valid TOML"):
        load_protocol(bad)


def test_bad_protocol_stops_app_start(tmp_path, sqlite_url):
    from app import create_app
    from dashboard.config import Settings

    bad = tmp_path / "p.toml"
    bad.write_text(DEFAULT_PROTOCOL_FILE.read_text().replace("target = 60", "target = -1"))
    with pytest.raises(ProtocolError, match=r"centers\[0\].target' must be at least 1"):
        create_app(Settings(db_url=sqlite_url, protocol_file=bad, instance_dir=tmp_path))


def _three_arms(data: dict) -> dict:
    data["arms"] = [
        {"code": "A", "label": "Drug A"},
        {"code": "B", "label": "Drug B", "label_zh": "乙药"},
        {"code": "PBO", "label": "Placebo", "colour": "#999999"},
    ]
    data.pop("sbrt")
    data.pop("eligibility")
    for v in data["visits"]:
        v["collects"] = []
    return data


def test_any_parallel_group_trial():
    data = _three_arms(_data())
    data["randomization"].update(ratio=[2, 1, 1], block_sizes=[4, 8])
    p = parse_protocol(data)
    assert p.arm_codes == ("A", "B", "PBO") and p.ratio == (2, 1, 1)
    # Default colours by position (Okabe-Ito), unless the file gives one.
    assert [a.colour for a in p.arms] == ["#0072B2", "#E69F00", "#999999"]
    assert p.arm("B").name("zh") == "乙药" and p.arm("A").name("zh") == "Drug A"
    assert p.sbrt is None and p.eligibility.min_baseline_nrs is None
    assert not p.collects("nrs") and p.headline_visit("nrs") is None
    # Block bound of a pair: r_a * r_b * B / R for the largest block. A:B with 2:1:1 and
    # blocks of 8 (R = 4): 2 * 1 * 8 / 4 = 4; B:PBO: 1 * 1 * 8 / 4 = 2.
    assert p.pair_bound("A", "B") == 4 and p.pair_bound("B", "PBO") == 2
    # 1:1:1 in blocks of 3 and 6: any two arms differ by at most 6 / 3 = 2.
    data["randomization"].update(ratio=[1, 1, 1], block_sizes=[3, 6])
    assert parse_protocol(data).pair_bound("A", "PBO") == 2


def test_blocks_must_hold_whole_ratios():
    data = _three_arms(_data())
    data["randomization"].update(ratio=[2, 1, 1], block_sizes=[6])
    with pytest.raises(ProtocolError, match="multiples of the ratio's sum \\(4\\)"):
        parse_protocol(data)


def test_many_centers_get_fixed_colours_and_dashes():
    data = _data()
    data["centers"] = [
        {
            "code": f"S{i:02d}",
            "name": f"Site {i}",
            "target": 2,
            "planned_first_enrollment": "2025-01-01",
            "planned_last_enrollment": "2026-01-01",
        }
        for i in range(60)
    ]
    data["trial"]["total_target"] = 120
    p = parse_protocol(data)
    assert len(p.centers) == 60
    # Colours repeat after nine (Tol's muted palette); the line dash then tells them apart.
    assert p.center("S00").colour == p.center("S09").colour
    assert p.center("S00").dash != p.center("S09").dash
    data["centers"] = data["centers"] * 2
    with pytest.raises(ProtocolError, match="at most 100"):
        parse_protocol(data)


def test_events_of_interest_carry_their_labels():
    data = _data()
    data["safety"]["events_of_interest"] = {
        "pain_flare": {"terms": ["Back pain"], "label": "pain flare", "label_zh": "疼痛闪烁"},
        "sepsis": ["Sepsis"],
    }
    p = parse_protocol(data)
    assert p.events_of_interest == (("pain_flare", ("Back pain",)), ("sepsis", ("Sepsis",)))
    assert p.interest_label("pain_flare", "zh") == "疼痛闪烁"
    assert p.interest_label("pain_flare", "en") == "pain flare"
    assert p.interest_label("sepsis", "zh") == "sepsis"
    data["safety"]["events_of_interest"] = {"x": {"terms": [], "label": "x"}}
    with pytest.raises(ProtocolError, match="events_of_interest.x' must be a non-empty list"):
        parse_protocol(data)
    data["safety"]["events_of_interest"] = {"x": {"terms": ["A"], "colour": "red"}}
    with pytest.raises(ProtocolError, match="unknown keys"):
        parse_protocol(data)

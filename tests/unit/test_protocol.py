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
    assert protocol.arm_colours == {"RFA_PVA": "#0072B2", "RFA_PVA_SBRT": "#E69F00"}
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
    assert protocol.max_block_imbalance == 2
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
        (lambda d: d.pop("sbrt"), "key 'sbrt' is missing"),
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

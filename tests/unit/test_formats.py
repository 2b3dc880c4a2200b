"""The format reference (docs/FORMATS.md) against the loaders, and strict protocol files.

Every key the protocol and mapping loaders read is in the reference, and every key the
reference lists is one they read: neither can drift from the other. A key the file has and no
loader reads is an error naming the nearest valid key.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dashboard.protocol import ProtocolError, load_protocol, parse_protocol
from data_access.importers.pipeline import ImportRejected
from data_access.importers.sdtm import load_mapping
from data_access.tomlkeys import KeyLog

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "FORMATS.md"
PROTOCOLS = (
    ROOT / "dashboard" / "protocol.toml",
    ROOT / "tests" / "fixtures" / "gallery" / "protocol.toml",
    ROOT / "tests" / "fixtures" / "three_arm" / "protocol.toml",
)
MAPPINGS = (
    ROOT / "dashboard" / "sdtm_mapping.toml",
    ROOT / "tests" / "fixtures" / "three_arm" / "sdtm_mapping.toml",
)


def documented(section: str) -> set[str]:
    """The keys listed (first column of a table row) in one part of the reference."""
    text = REFERENCE.read_text(encoding="utf-8")
    part = text.split("## The SDTM mapping file")[0 if section == "protocol" else 1]
    return set(re.findall(r"^\| `([^`]+)` \|", part, flags=re.M))


def test_every_protocol_key_is_documented_and_every_documented_key_read():
    log = KeyLog()
    for path in PROTOCOLS:
        load_protocol(path, log)
    keys = documented("protocol")
    assert sorted(log.known - keys) == []
    assert sorted(keys - log.known) == []


def test_every_mapping_key_is_documented_and_every_documented_key_read():
    log = KeyLog()
    for path in MAPPINGS:
        load_mapping(path, log=log)
    keys = documented("mapping")
    read = log.known
    assert sorted(read - keys) == []
    assert sorted(keys - read) == []


def data() -> dict:
    return tomllib.loads(PROTOCOLS[0].read_text(encoding="utf-8"))


def test_a_misspelled_protocol_key_names_the_right_one():
    d = data()
    d["recruitment"]["on_trak_share"] = d["recruitment"].pop("on_track_share")
    with pytest.raises(ProtocolError) as err:
        parse_protocol(d, "p.toml")
    assert "key 'recruitment.on_trak_share' is not a protocol file key." in str(err.value)
    assert "Did you mean 'on_track_share'?" in str(err.value)


def test_an_unknown_section_and_a_key_in_an_array_of_tables():
    d = data()
    d["recruitmnet"] = {"idle_days": 90}
    d["centers"][1]["targte"] = 3
    with pytest.raises(ProtocolError) as err:
        parse_protocol(d, "p.toml")
    said = str(err.value)
    assert "key 'recruitmnet' is not a protocol file key. Did you mean 'recruitment'?" in said
    assert "key 'centers[].targte' is not a protocol file key. Did you mean 'target'?" in said


def test_a_missing_key_of_an_optional_table_says_the_table_is_optional():
    d = data()
    d["sbrt"]["amr"] = d["sbrt"].pop("arm")
    with pytest.raises(ProtocolError) as err:
        parse_protocol(d, "p.toml")
    said = str(err.value)
    assert "key 'sbrt.arm' is missing (the table has 'amr': a misspelling?)" in said
    assert "the whole [sbrt] table is optional" in said


def test_open_tables_take_any_key_and_strata_are_checked():
    d = data()
    d["screen_failure_reasons"]["any reason at all"] = {"zh": "任何"}
    parse_protocol(d, "p.toml")  # reasons are data, not keys
    d["randomization"]["stratified_by"] = "center and sex"
    with pytest.raises(ProtocolError, match='stratified_by\' must be "center"'):
        parse_protocol(d, "p.toml")


def test_a_mapping_with_every_mistake_lists_them_all(tmp_path):
    text = MAPPINGS[1].read_text(encoding="utf-8")
    bad = text.replace("[sources]", "[sourcse]").replace('L = "LOW"', 'L = "LOW"\nQ = 3')
    bad = bad.replace('DEATH = "died"', 'DEATH = "dead"')
    (tmp_path / "m.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        load_mapping(tmp_path / "m.toml")
    said = [p.message for p in err.value.problems]
    assert any("key 'sourcse' is not a mapping key" in m for m in said)
    assert any("key 'ds.off_study.DEATH': \"dead\" is not a contract value" in m for m in said)

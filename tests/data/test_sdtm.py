"""DOSE-3 as SDTM (tests/sdtm_fixture.py): every fact found, every record accounted for, and
damaged input refused with the target untouched. Numbers by hand are in the fixture's
docstring; each assertion below repeats the arithmetic it relies on."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from tests import sdtm_fixture as fx

ARGS = ["--mapping", str(fx.MAPPING), "--as-of", fx.AS_OF]


@pytest.fixture(autouse=True)
def dose3_protocol(monkeypatch):
    monkeypatch.setenv("TRIAL_PROTOCOL_FILE", str(fx.PROTOCOL))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(folder: Path, url: str, *extra: str) -> int:
    return main(["import", "sdtm", str(folder), "--db", url, *ARGS, *extra])


@pytest.fixture
def imported(tmp_path, capsys):
    """The fixture imported into a fresh SQLite file; (folder, url, path, printed output)."""
    folder = fx.write(tmp_path / "sdtm")
    path = tmp_path / "dose3.sqlite"
    url = f"sqlite:///{path}"
    assert run(folder, url) == 0
    return folder, url, path, capsys.readouterr()


def summary(url: str, capsys) -> dict:
    assert main(["summary", "--db", url, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_reconciliation_is_printed_per_domain(imported):
    out = imported[3].out
    # source, read, imported, skipped, not used (fixture docstring): every file of the folder.
    for line in (
        "AE                        10        10        0         0",
        "DM                        22        22        0         0",
        "DS                        22        21        0         1",
        "SE                         3         2        0         1",
        "SUPPAE                    10        10        0         0",
        "SUPPDM                     3         2        0         1",
        "SV                        36        33        0         3",
        "TV                         4         0        0         4",
        "CM                         5         0        0         5",
        "MH                         3         0        0         3",
        "define.xml                 0         0        0         0",
    ):
        assert line in out, line
    assert "Not used CM: domain not part of the trial database contract: 5" in out
    assert "File define.xml: not read (not a SAS transport file)" in out
    # Three screening visits gave the screening date; D3-101-04's came from its SE element.
    assert "Not used SV: baseline visit (not a follow-up visit): 1 (e.g. row 10 D3-101-04)" in out
    assert "Not used SV: visit 2.1 (unscheduled: not in TV): 1 (e.g. row 3 D3-101-01)" in out
    assert (
        "Not used SV: visit 2.5 (scheduled in TV as TELEPHONE CONTACT, not in the mapping): 1"
        in out
    )
    assert "screening from SV:SVSTDTC@VISITNUM=1 (no SE:SESTDTC@ETCD=SCRN): 3" in out
    assert "screening from DM:RFICDTC (no SE:SESTDTC@ETCD=SCRN): 18" in out
    assert "Imputed AE: AEREL blank: no attribution: 1 (e.g. row 8 D3-113-01)" in out
    # Year-only onset before day 0 in the year of day 0: day 0 (15 Feb).
    assert "row 3 D3-101-04 2026 -> 2026-02-15" in out
    assert "row 4 D3-102-02 2026-03 -> 2026-03-01" in out
    assert "randomization from DM:RFSTDTC (no DS:RANDOMIZED): 1 (e.g. D3-101-02)" in out
    assert "randomization from DM:RFXSTDTC (no DS:RANDOMIZED): 1 (e.g. D3-101-03)" in out
    assert "randomization from SE:first_treatment (no DS:RANDOMIZED): 1 (e.g. D3-101-04)" in out
    # Nothing printed hundreds of lines.
    assert len(out.splitlines()) < 70


def test_numbers_by_hand(imported, capsys):
    s = summary(imported[1], capsys)
    rec = s["recruitment"]
    assert (rec["overall"]["screened"], rec["overall"]["randomized"]) == (22, 21)
    assert rec["overall"]["by_arm"] == {"PBO": 7, "LOW": 7, "HIGH": 7}
    assert rec["by_center"]["C01"]["by_arm"] == {"PBO": 1, "LOW": 1, "HIGH": 2}
    assert rec["by_center"]["C01"]["screened"] == 5
    assert rec["by_center"]["C02"]["by_arm"] == {"PBO": 1, "LOW": 1, "HIGH": 0}
    for site in range(103, 118):
        arm = ("PBO", "LOW", "HIGH")[(site - 103) % 3]
        got = rec["by_center"][f"C{site - 100:02d}"]["by_arm"]
        assert got == {a: int(a == arm) for a in ("PBO", "LOW", "HIGH")}, site
    vis = s["visits"]
    o = vis["overall"]
    assert (o["done"], o["missed"], o["not_expected"]) == (30, 11, 1)
    assert o["compliance"] == pytest.approx(30 / 41)
    assert (vis["by_center"]["C01"]["done"], vis["by_center"]["C01"]["missed"]) == (6, 2)
    assert (vis["by_center"]["C02"]["done"], vis["by_center"]["C02"]["missed"]) == (2, 2)
    assert vis["by_center"]["C11"]["not_expected"] == 1  # died before M3's window
    assert (vis["by_visit"]["W4"]["done"], vis["by_visit"]["W4"]["missed"]) == (19, 2)
    assert (vis["by_visit"]["M3"]["done"], vis["by_visit"]["M3"]["missed"]) == (11, 9)
    saf = s["safety"]
    assert saf["population"] == "as_treated" and saf["grade_scale"] == "severity"
    got = {
        a: (v["subjects"], v["any_ae"], v["grade3plus"], v["serious"], v["fatal"])
        for a, v in saf["by_arm"].items()
    }
    assert got == {"PBO": (8, 2, 1, 1, 0), "LOW": (6, 1, 0, 0, 0), "HIGH": (7, 3, 2, 1, 1)}
    # The two histories flagged AETRTEM = N: D3-106-01 (placebo), D3-104-01 (low dose).
    assert saf["not_emergent"] == {"PBO": 1, "LOW": 1, "HIGH": 0}
    assert "Hypertension" not in saf["by_term"] and "Back pain" not in saf["by_term"]
    # SUPPDM PRIMTUM read into subjects; the AE of D3-101-04 counts for placebo (as treated).
    assert saf["by_term"]["Nausea"]["PBO"]["worst"]["3"] == 1


def test_every_page_draws_on_the_import(imported, tmp_path):
    from app import create_app
    from tests.conftest import make_settings
    from tests.pages.helpers import page_tree, texts

    app = create_app(make_settings(imported[1], tmp_path / "app", protocol_file=fx.PROTOCOL))
    for path in ("/", "/randomization", "/visits", "/safety", "/data-quality", "/pain"):
        tree = page_tree(app, path, "")
        assert "error-state" not in json.dumps(tree), path
    words = " ".join(texts(page_tree(app, "/safety", "")))
    assert "subjects with a severe event" in words and "grade ≥ 3" not in words.lower()


# Damaged input: refused, naming file, row and variable; the target unchanged --------------------


def _drop(domain: str, var: str):
    def change(tables):
        tables[domain] = tables[domain].drop(columns=[var])

    return change


def _duplicate(domain: str, row: int, like: int, cols: tuple[str, ...]):
    def change(tables):
        df = tables[domain]
        for c in cols:
            df.loc[row, c] = df.loc[like, c]

    return change


DAMAGE = {
    # AE without a severity (and no AETOXGR): every AE would be lost.
    "ae_without_aesev": (_drop("AE", "AESEV"), "ae.xpt, column AETOXGR or AESEV"),
    "ae_without_aestdtc": (_drop("AE", "AESTDTC"), "ae.xpt, column AESTDTC"),
    "sv_without_svstdtc": (_drop("SV", "SVSTDTC"), "sv.xpt, column SVSTDTC"),
    # Row 3 (index 2) takes row 2's USUBJID: one subject would overwrite the other.
    "dm_duplicate_usubjid": (
        _duplicate("DM", 2, 1, ("USUBJID",)),
        "dm.xpt, row 3, column USUBJID: duplicate key D3-101-02 in rows 2, 3",
    ),
    "ae_duplicate_seq": (
        _duplicate("AE", 1, 0, ("AESEQ",)),
        "ae.xpt, row 2, column USUBJID+AESEQ: duplicate key D3-101-01 + 1.0 in rows 1, 2",
    ),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_input_is_refused_and_changes_nothing(imported, tmp_path, case, capsys):
    change, message = DAMAGE[case]
    _folder, url, path, _ = imported
    before = sha(path)
    tables = fx.frames()
    change(tables)
    bad = fx.write(tmp_path / case, tables)
    assert run(bad, url) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "was not changed" in err
    assert sha(path) == before


@pytest.mark.parametrize(("domain", "share"), [("DM", 0.6), ("AE", 0.37)])
def test_cut_transport_file_is_refused(imported, tmp_path, domain, share, capsys):
    _folder, url, path, _ = imported
    before = sha(path)
    bad = fx.write(tmp_path / "cut")
    file = bad / f"{domain.lower()}.xpt"
    raw = file.read_bytes()
    file.write_bytes(raw[: int(len(raw) * share)])
    assert run(bad, url) == 1
    err = capsys.readouterr().err
    assert f"{domain.lower()}.xpt: refused:" in err and "cut" in err, err
    assert sha(path) == before


def test_a_cut_that_looks_whole_is_caught_by_what_it_would_remove(imported, tmp_path, capsys):
    """A file cut exactly where a record and an 80-byte block end cannot be told from a shorter
    file: the import then sees it would remove AEs the database holds, and refuses."""
    _folder, url, path, _ = imported
    before = sha(path)
    tables = fx.frames()
    tables["AE"] = tables["AE"].iloc[:5]  # 5 of 10 AEs gone
    shorter = fx.write(tmp_path / "shorter", tables)
    assert run(shorter, url) == 1
    err = capsys.readouterr().err
    assert "would remove 50.0% of the adverse events the database holds now" in err, err
    assert sha(path) == before
    assert run(shorter, url, "--accept-removals") == 0


def test_skips_over_the_threshold_refuse_unless_accepted(tmp_path, capsys):
    tables = fx.frames()
    # A subject of a site the mapping does not know, with an AE: 1 of 23 DM records (4.3%)
    # and 1 of 11 AEs (9.1%) would be skipped.
    dm = tables["DM"]
    extra = dm.iloc[[0]].copy()
    extra["USUBJID"], extra["SITEID"] = "D3-199-01", "199"
    tables["DM"] = pd.concat([dm, extra], ignore_index=True)
    ae = tables["AE"]
    more = ae.iloc[[0]].copy()
    more["USUBJID"] = "D3-199-01"
    tables["AE"] = pd.concat([ae, more], ignore_index=True)
    folder = fx.write(tmp_path / "sdtm", tables)
    path = tmp_path / "t.sqlite"
    assert run(folder, f"sqlite:///{path}") == 1
    err = capsys.readouterr().err
    assert "DM: 1 of 23 records (4.3%) would be skipped, more than 1.0%" in err
    assert "AE: 1 of 11 records (9.1%) would be skipped" in err
    assert "Skipped DM: site not in the mapping (199): 1 (e.g. row 23 D3-199-01)" in err
    assert not path.exists()
    assert run(folder, f"sqlite:///{path}", "--accept-skips") == 0
    assert "Skipped AE: subject not imported from DM: 1" in capsys.readouterr().out


def test_dry_run_says_what_would_change_and_writes_nothing(imported, tmp_path, capsys):
    _folder, url, path, _ = imported
    before = sha(path)
    tables = fx.frames()
    ae = tables["AE"]
    new = ae.iloc[[4]].copy()  # D3-105-01 (C05, High dose): a second rash, AESEQ 2
    new["AESEQ"], new["AESTDTC"] = 2, "2026-05-10"
    tables["AE"] = pd.concat([ae, new], ignore_index=True)
    tables["DM"].loc[0, "AGE"] = 62  # D3-101-01 (C01, Placebo): a corrected age
    folder = fx.write(tmp_path / "next", tables)
    assert run(folder, url, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "adverse_events  C05       HIGH                   1        0        0" in out
    assert "subjects        C01       PBO                    0        0        1" in out
    assert "Dry run: nothing was written" in out
    assert sha(path) == before


def test_csv_import_has_the_same_reconciliation_and_dry_run(tmp_path, capsys):
    from tests.pages.test_any_trial import FIXTURE

    path = tmp_path / "c.sqlite"
    assert main(["import", "csv", str(FIXTURE), "--db", f"sqlite:///{path}"]) == 0
    out = capsys.readouterr().out
    assert "subjects.csv              57        57        0         0" in out
    before = sha(path)
    assert main(["import", "csv", str(FIXTURE), "--db", f"sqlite:///{path}", "--dry-run"]) == 0
    assert "No change: the database already holds exactly these records." in capsys.readouterr().out
    assert sha(path) == before


def test_import_and_refusal_on_postgresql(pg_admin_url, tmp_path, capsys):
    from sqlalchemy import create_engine, text

    from tests.conftest import _scratch_database

    folder = fx.write(tmp_path / "sdtm")
    for url in _scratch_database(pg_admin_url):
        assert run(folder, url) == 0
        capsys.readouterr()
        s = summary(url, capsys)
        assert s["recruitment"]["overall"]["by_arm"] == {"PBO": 7, "LOW": 7, "HIGH": 7}
        assert s["visits"]["overall"]["compliance"] == pytest.approx(30 / 41)
        tables = fx.frames()
        _drop("AE", "AESEV")(tables)
        bad = fx.write(tmp_path / "bad", tables)
        assert run(bad, url) == 1
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM adverse_events")).scalar_one() == 10
            assert conn.execute(text("SELECT count(*) FROM subjects")).scalar_one() == 22
        engine.dispose()


def test_screening_dates_by_hand(imported):
    """SE screening element first, then the screening visit (SV VISITNUM 1), then consent."""
    from data_access.queries import TrialDb
    from data_access.queries.rows import table_rows
    from data_access.schema import adverse_events, subjects

    db = TrialDb(imported[1])
    s = table_rows(db, subjects).set_index("subject_id")["screened_on"].astype(str)
    assert s["D3-101-04"] == "2026-02-08"  # SE SCRN (its SV visit 1 is 12 Feb)
    assert (s["D3-101-01"], s["D3-101-02"], s["D3-101-03"]) == (
        "2026-01-08",
        "2026-01-18",
        "2026-01-30",
    )  # SV visit 1
    assert s["D3-101-05"] == "2026-02-27"  # the screen failure: RFICDTC
    assert s["D3-110-01"] == "2026-02-25"  # RFICDTC
    ae = table_rows(db, adverse_events)
    history = {(r.subject_id, r.term) for r in ae.itertuples() if not r.emergent}
    assert history == {("D3-104-01", "Hypertension"), ("D3-106-01", "Back pain")}
    attribution = {(r.subject_id, r.term): r.attribution for r in ae.itertuples()}
    assert attribution[("D3-111-01", "Sepsis")] == "related"


def test_safety_with_and_without_the_emergent_flag(tmp_path, capsys):
    """Without [ae] emergent the two histories count: placebo gains D3-106-01 (any AE 3),
    low dose gains D3-104-01 (any AE 2, severe 1); high dose is unchanged (3, 2)."""
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        fx.MAPPING.read_text().replace('[ae]\nemergent = "SUPPAE:AETRTEM"\n', ""),
        encoding="utf-8",
    )
    folder = fx.write(tmp_path / "sdtm")
    url = f"sqlite:///{tmp_path / 'noflag.sqlite'}"
    args = ["import", "sdtm", str(folder), "--db", url, "--mapping", str(mapping)]
    assert main([*args, "--as-of", fx.AS_OF]) == 0
    out = capsys.readouterr().out
    assert "Not used SUPPAE: qualifier AETRTEM not in the mapping: 10" in out
    saf = summary(url, capsys)["safety"]
    got = {a: (v["any_ae"], v["grade3plus"]) for a, v in saf["by_arm"].items()}
    assert got == {"PBO": (3, 1), "LOW": (2, 1), "HIGH": (3, 2)}
    assert saf["not_emergent"] == {"PBO": 0, "LOW": 0, "HIGH": 0}


MISTAKES = {
    # a misspelled section: refused, naming the key and the nearest valid one
    "misspelled_section": (
        lambda t: t.replace("[sources]", "[sourcse]"),
        "key 'sourcse' is not a mapping key: it would be ignored. Did you mean 'sources'?",
    ),
    "misspelled_key": (
        lambda t: t.replace("ds_decod = ", "ds_decode = "),
        "key 'screen_failure.ds_decode' is not a mapping key: it would be ignored. "
        "Did you mean 'ds_decod'?",
    ),
    "unknown_visit": (
        lambda t: t.replace('"3" = "M3"', '"3" = "M03"'),
        "key 'visits.3': \"M03\" is not a visit code of the protocol file; write one of: W4, M3",
    ),
    "off_contract_value": (
        lambda t: t.replace('RELATED = "related"', 'RELATED = "possibly related"'),
        "key 'ae.relation.RELATED': \"possibly related\" is not a contract value; write one of: "
        "procedure, sbrt, both, related, unrelated, unknown",
    ),
    "unknown_site_target": (
        lambda t: t.replace('"117" = "C17"', '"117" = "C18"'),
        "key 'sites.117': \"C18\" is not a center code of the protocol file",
    ),
    "bad_source": (
        lambda t: t.replace('"DM:RFICDTC",\n', '"RFICDTC",\n'),
        "key 'sources.screened_on': 'RFICDTC' is not a source of screened_on",
    ),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_mapping_mistakes_are_refused(imported, tmp_path, case, capsys):
    change, message = MISTAKES[case]
    folder, url, path, _ = imported
    before = sha(path)
    mapping = tmp_path / "map.toml"
    text = fx.MAPPING.read_text(encoding="utf-8")
    assert change(text) != text, case
    mapping.write_text(change(text), encoding="utf-8")
    args = ["import", "sdtm", str(folder), "--db", url, "--mapping", str(mapping)]
    assert main([*args, "--as-of", fx.AS_OF]) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "was not changed" in err
    assert sha(path) == before

"""Imports: round trip, SDTM mapping, and bad input that must leave the target untouched."""

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import create_engine, text

from dashboard.cli import main
from data_access.importers.csv_bundle import ImportRejected, export_csv, import_csv
from data_access.importers.pipeline import ImportOptions
from data_access.importers.sdtm import import_sdtm
from data_access.queries import TrialDb
from data_access.queries.rows import table_rows
from data_access.schema import CONTRACT_TABLES

MAPPING = Path(__file__).resolve().parents[2] / "dashboard" / "sdtm_mapping.toml"


def sha(url: str) -> str:
    return hashlib.sha256(Path(url.split(":///", 1)[1]).read_bytes()).hexdigest()


def test_csv_round_trip_gives_identical_tables(db_url, tmp_path, demo_trial):
    export_csv(db_url, tmp_path / "bundle")
    target = f"sqlite:///{tmp_path}/copy.sqlite"
    report = import_csv(tmp_path / "bundle", target)
    assert report.rows["subjects"] == len(demo_trial[0].tables["subjects"])
    for table in CONTRACT_TABLES:
        a = table_rows(TrialDb(db_url), table)
        b = table_rows(TrialDb(target), table)
        pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=table.name)


def test_csv_round_trip_into_postgres(sqlite_url, pg_admin_url, tmp_path):
    from tests.conftest import _scratch_database

    export_csv(sqlite_url, tmp_path / "bundle")
    for url in _scratch_database(pg_admin_url):
        import_csv(tmp_path / "bundle", url)
        for table in CONTRACT_TABLES:
            pd.testing.assert_frame_equal(
                table_rows(TrialDb(sqlite_url), table),
                table_rows(TrialDb(url), table),
                obj=table.name,
            )


@pytest.fixture
def bundle(sqlite_url, tmp_path):
    folder = tmp_path / "bundle"
    export_csv(sqlite_url, folder)
    return folder


@pytest.fixture
def target(sqlite_url, tmp_path):
    url = f"sqlite:///{tmp_path}/target.sqlite"
    shutil.copy(sqlite_url.split(":///", 1)[1], tmp_path / "target.sqlite")
    return url


def edit_csv(folder: Path, name: str, change) -> None:
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    change(df)
    df.to_csv(folder / f"{name}.csv", index=False)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda f: edit_csv(
                f, "subjects", lambda d: d.drop(columns=["screened_on"], inplace=True)
            ),
            "subjects.csv, column screened_on: required column is missing",
        ),
        (
            lambda f: edit_csv(
                f,
                "assessments",
                lambda d: d.__setitem__("assessed_on", ["2026-02-30"] + list(d["assessed_on"][1:])),
            ),
            "assessments.csv, row 1, column assessed_on: '2026-02-30' is not an ISO date",
        ),
        (
            lambda f: edit_csv(
                f,
                "adverse_events",
                lambda d: d.__setitem__(
                    "subject_id", list(d["subject_id"][:2]) + ["XX-999"] + list(d["subject_id"][3:])
                ),
            ),
            "adverse_events.csv, row 3, column subject_id: subject 'XX-999' is not in the "
            "subjects table",
        ),
        (
            lambda f: edit_csv(f, "imaging", lambda d: d.loc.__setitem__(1, d.loc[0])),
            "imaging.csv, row 2, column subject_id, visit_code: duplicate key",
        ),
        (lambda f: (f / "centers.csv").unlink(), "the centers table is required but missing"),
        (
            lambda f: edit_csv(
                f,
                "subjects",
                lambda d: d.__setitem__("eligible", ["maybe"] + list(d["eligible"][1:])),
            ),
            "subjects.csv, row 1, column eligible: 'maybe' is not true or false",
        ),
    ],
)
def test_bad_input_is_named_and_changes_nothing(bundle, target, change, expected, capsys):
    before = sha(target)
    change(bundle)
    with pytest.raises(ImportRejected) as err:
        import_csv(bundle, target)
    assert any(expected in str(p) for p in err.value.problems), [str(p) for p in err.value.problems]
    assert main(["import", "csv", str(bundle), "--db", target]) == 1
    assert expected in capsys.readouterr().err
    assert sha(target) == before


def test_failure_while_writing_rolls_back(bundle, target, monkeypatch):
    # A database error half way through the write (after DROP/CREATE and some inserts).
    from data_access import demo

    real = demo._records
    calls = {"n": 0}

    def failing(df):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk full")
        return real(df)

    before = sha(target)
    monkeypatch.setattr(demo, "_records", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        import_csv(bundle, target)
    assert sha(target) == before


def test_bad_input_leaves_postgres_unchanged(sqlite_url, pg_url, tmp_path):
    export_csv(sqlite_url, tmp_path / "b")
    edit_csv(
        tmp_path / "b",
        "assessments",
        lambda d: d.__setitem__("nrs", ["seven"] + list(d["nrs"][1:])),
    )
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM assessments")).scalar_one()
    with pytest.raises(ImportRejected):
        import_csv(tmp_path / "b", pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assessments")).scalar_one() == before
    engine.dispose()


# --- SDTM -------------------------------------------------------------------------------------


def write_xpt(folder: Path, name: str, rows: list[dict]) -> None:
    df = pd.DataFrame(rows)
    pyreadstat.write_xport(
        df, str(folder / f"{name.lower()}.xpt"), table_name=name, file_format_version=5
    )


def sdtm_study(folder: Path, arm_a="A", arm_b="B", visitnums=(2.0, 4.0, 5.0)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    dm = [
        {
            "STUDYID": "S",
            "USUBJID": "S-01-001",
            "SITEID": "01",
            "ARMCD": arm_a,
            "ACTARMCD": arm_a,
            "SEX": "F",
            "AGE": 64,
            "RFICDTC": "2025-03-02",
            "EXTRA": "x",
        },
        {
            "STUDYID": "S",
            "USUBJID": "S-01-002",
            "SITEID": "01",
            "ARMCD": arm_b,
            "ACTARMCD": arm_b,
            "SEX": "M",
            "AGE": 58,
            "RFICDTC": "2025-03",
            "EXTRA": "y",
        },
        {
            "STUDYID": "S",
            "USUBJID": "S-02-001",
            "SITEID": "02",
            "ARMCD": "SCRNFAIL",
            "ACTARMCD": "SCRNFAIL",
            "SEX": "M",
            "AGE": 70,
            "RFICDTC": "2025-04-01",
            "EXTRA": "",
        },
        {
            "STUDYID": "S",
            "USUBJID": "S-02-002",
            "SITEID": "02",
            "ARMCD": "ZZ",
            "ACTARMCD": "ZZ",
            "SEX": "F",
            "AGE": 49,
            "RFICDTC": "2025-04-03",
            "EXTRA": "",
        },
        {
            "STUDYID": "S",
            "USUBJID": "S-09-001",
            "SITEID": "09",
            "ARMCD": arm_a,
            "ACTARMCD": arm_a,
            "SEX": "F",
            "AGE": 40,
            "RFICDTC": "2025-04-05",
            "EXTRA": "",
        },
    ]
    ds = [
        {
            "USUBJID": "S-01-001",
            "DSDECOD": "RANDOMIZED",
            "DSTERM": "RANDOMIZED",
            "DSSTDTC": "2025-03-10",
        },
        {
            "USUBJID": "S-01-002",
            "DSDECOD": "RANDOMIZED",
            "DSTERM": "RANDOMIZED",
            "DSSTDTC": "2025-03-12",
        },
        {"USUBJID": "S-01-002", "DSDECOD": "DEATH", "DSTERM": "DEATH", "DSSTDTC": "2025-09-01"},
        {
            "USUBJID": "S-02-001",
            "DSDECOD": "SCREEN FAILURE",
            "DSTERM": "baseline pain NRS < 4",
            "DSSTDTC": "2025-04-02",
        },
        {
            "USUBJID": "S-02-002",
            "DSDECOD": "RANDOMIZED",
            "DSTERM": "RANDOMIZED",
            "DSSTDTC": "2025-04-10",
        },
    ]
    pr = [
        {"USUBJID": "S-01-001", "PRTRT": "RFA/PVA", "PRSTDTC": "2025-03-09", "PRLOC": "T12,L1"},
        {"USUBJID": "S-01-002", "PRTRT": "RFA/PVA", "PRSTDTC": "2025-03-11", "PRLOC": "L2"},
        {"USUBJID": "S-02-002", "PRTRT": "RFA/PVA", "PRSTDTC": "2025-04-09", "PRLOC": "T8"},
    ]
    qs = []
    for usub, base in (("S-01-001", 7), ("S-01-002", 6)):
        qs.append(
            {
                "USUBJID": usub,
                "QSTESTCD": "NRS",
                "QSORRES": str(base),
                "QSSTRESN": base,
                "VISITNUM": 1.0,
                "QSDTC": "2025-03-05",
            }
        )
        qs.append(
            {
                "USUBJID": usub,
                "QSTESTCD": "OMED",
                "QSORRES": "30",
                "QSSTRESN": 30.0,
                "VISITNUM": 1.0,
                "QSDTC": "2025-03-05",
            }
        )
        for vn, day in zip(visitnums, ("2025-03-17", "2025-04-08", "2025-06-10"), strict=True):
            qs.append(
                {
                    "USUBJID": usub,
                    "QSTESTCD": "NRS",
                    "QSORRES": "3",
                    "QSSTRESN": 3.0,
                    "VISITNUM": vn,
                    "QSDTC": day,
                }
            )
    qs.append(
        {
            "USUBJID": "S-01-001",
            "QSTESTCD": "NRS",
            "QSORRES": "5",
            "QSSTRESN": 5.0,
            "VISITNUM": 4.1,
            "QSDTC": "2025-04-20",
        }
    )  # unscheduled
    qs.append(
        {
            "USUBJID": "S-01-002",
            "QSTESTCD": "PAFI",
            "QSORRES": "8",
            "QSSTRESN": 8.0,
            "VISITNUM": visitnums[1],
            "QSDTC": "2025-04",
        }
    )  # partial date
    rs = [
        {
            "USUBJID": "S-01-001",
            "RSTESTCD": "MDARESP",
            "RSORRES": "SD",
            "RSSTRESC": "SD",
            "VISITNUM": visitnums[1],
            "RSDTC": "2025-04-08",
            "RSMETHOD": "MRI",
        }
    ]
    ae = [
        {
            "USUBJID": "S-01-002",
            "AESEQ": 1,
            "AETERM": "VERTEBRAL FRACTURE",
            "AEDECOD": "Spinal fracture",
            "AEBODSYS": "Injury",
            "AETOXGR": "3",
            "AESEV": "",
            "AESER": "Y",
            "AEREL": "SBRT",
            "AESTDTC": "2025-05-01",
            "AEENDTC": "",
            "AEOUT": "NOT RECOVERED/NOT RESOLVED",
        },
        {
            "USUBJID": "S-01-001",
            "AESEQ": 1,
            "AETERM": "back pain",
            "AEDECOD": "Back pain",
            "AEBODSYS": "Musculoskeletal",
            "AETOXGR": "",
            "AESEV": "MODERATE",
            "AESER": "N",
            "AEREL": "PROCEDURE",
            "AESTDTC": "2025-03",
            "AEENDTC": "2025-03-20",
            "AEOUT": "RECOVERED/RESOLVED",
        },
    ]
    ex = [
        {
            "USUBJID": "S-01-002",
            "EXTRT": "SBRT",
            "EXDOSE": 6.0,
            "EXSTDTC": f"2025-03-{d}",
            "EXENDTC": f"2025-03-{d}",
        }
        for d in (24, 25, 26, 27, 28)
    ]
    for name, rows in (
        ("DM", dm),
        ("DS", ds),
        ("PR", pr),
        ("QS", qs),
        ("RS", rs),
        ("AE", ae),
        ("EX", ex),
    ):
        write_xpt(folder, name, rows)


def test_sdtm_import_maps_and_reports(tmp_path):
    sdtm_study(tmp_path / "sdtm")
    url = f"sqlite:///{tmp_path}/sdtm.sqlite"
    # Site 09 is not in the mapping: 1 of 5 DM records would be skipped (20% > 1%): refused.
    with pytest.raises(ImportRejected) as refused:
        import_sdtm(tmp_path / "sdtm", url, MAPPING)
    assert "1 of 5 records (20.0%) would be skipped" in str(refused.value.problems[-1])
    assert not Path(f"{tmp_path}/sdtm.sqlite").exists()
    report = import_sdtm(tmp_path / "sdtm", url, MAPPING, options=ImportOptions(accept_skips=True))
    said = "\n".join(report.reconciliation.lines())
    db = TrialDb(url)
    from data_access.schema import adverse_events, assessments, sbrt_courses, subjects

    s = table_rows(db, subjects).set_index("subject_id")
    assert set(s.index) == {"S-01-001", "S-01-002", "S-02-001", "S-02-002"}
    assert "Skipped DM: site not in the mapping (09): 1 (e.g. row 5 S-09-001)" in said
    assert (s.at["S-01-001", "center_id"], s.at["S-01-001", "arm"]) == ("SH1", "RFA_PVA")
    assert s.at["S-01-002", "arm"] == "RFA_PVA_SBRT"
    assert s.at["S-01-002", "off_study_reason"] == "died"
    # Partial consent date 2025-03: completed to the 1st and reported.
    assert s.at["S-01-002", "consented_on"] == pd.Timestamp("2025-03-01")
    assert "RFICDTC completed to the 1st of the month" in said
    # Screen failure with no arm, reason from DSTERM.
    assert not s.at["S-02-001", "eligible"]
    assert s.at["S-02-001", "screen_failure_reason"] == "baseline pain NRS < 4"
    assert pd.isna(s.at["S-02-001", "arm"])
    # An arm code the mapping does not know is kept as recorded (data quality lists it).
    assert s.at["S-02-002", "arm"] == "ZZ" and pd.notna(s.at["S-02-002", "randomized_on"])
    assert s.at["S-01-001", "baseline_nrs"] == 7 and s.at["S-01-001", "baseline_omed_mg"] == 30
    assert s.at["S-01-001", "treated_levels"] == "T12,L1"
    a = table_rows(db, assessments)
    # Unscheduled visit 4.1 counted apart, not a visit.
    assert "Not used QS: visit 4.1 (unscheduled): 1" in said
    assert sorted(a[a.subject_id == "S-01-001"]["visit_code"]) == ["M3", "W1", "W4"]
    ae = table_rows(db, adverse_events).set_index("subject_id")
    assert ae.at["S-01-001", "grade"] == 2 and ae.at["S-01-001", "grade_scale"] == "severity"
    assert ae.at["S-01-002", "grade"] == 3 and bool(ae.at["S-01-002", "serious"])
    assert ae.at["S-01-002", "grade_scale"] == "ctcae"
    sb = table_rows(db, sbrt_courses).iloc[0]
    assert (sb.fractions, sb.total_dose_gy) == (5, 30.0)


def test_sdtm_other_study_with_its_own_mapping(tmp_path):
    # Another study: arms coded X/Y and visits numbered 10, 20, 30.
    sdtm_study(tmp_path / "sdtm", arm_a="X", arm_b="Y", visitnums=(10.0, 20.0, 30.0))
    mapping = (
        MAPPING.read_text()
        .replace('A = "RFA_PVA"', 'X = "RFA_PVA"')
        .replace('B = "RFA_PVA_SBRT"', 'Y = "RFA_PVA_SBRT"')
    )
    mapping = mapping.replace('"2" = "W1"', '"10" = "W1"').replace('"4" = "W4"', '"20" = "W4"')
    mapping = mapping.replace('"5" = "M3"', '"30" = "M3"')
    (tmp_path / "map.toml").write_text(mapping)
    url = f"sqlite:///{tmp_path}/other.sqlite"
    assert (
        main(
            [
                "import",
                "sdtm",
                str(tmp_path / "sdtm"),
                "--db",
                url,
                "--mapping",
                str(tmp_path / "map.toml"),
                "--as-of",
                "2025-07-01",
                "--accept-skips",
            ]
        )
        == 0
    )
    from data_access.schema import subjects

    s = table_rows(TrialDb(url), subjects).set_index("subject_id")
    assert s.at["S-01-001", "arm"] == "RFA_PVA" and s.at["S-01-002", "arm"] == "RFA_PVA_SBRT"

    # The dashboard draws every page on the imported database.
    from app import create_app
    from dashboard.auth import UserStore
    from dashboard.config import Settings
    from tests.pages.helpers import call, logged_in

    s = Settings(db_url=url, instance_dir=tmp_path, secret_key="k")
    UserStore(s.resolved_users_db_url).add("pi", "pi-test-password", "pi")
    app = create_app(s)
    client = logged_in(app)
    for path in (
        "/",
        "/randomization",
        "/visits",
        "/pain",
        "/local-control",
        "/safety",
        "/data-quality",
    ):
        out = call(
            client,
            app,
            "shell-page.children",
            {"shell-url.pathname": path, "shell-url.search": ""},
            ["shell-url.pathname"],
        )["response"]
        tree = str(out["shell-page"]["children"])
        assert "could not be drawn" not in tree and "cannot read" not in tree, path


def test_sdtm_without_dm_is_rejected(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportRejected, match="1 error"):
        import_sdtm(tmp_path / "empty", f"sqlite:///{tmp_path}/x.sqlite", MAPPING)
    assert not (tmp_path / "x.sqlite").exists()

"""DOSE-3 as a CDISC SDTM export: real SAS transport files written by pyreadstat, with the quirks
of real studies. Protocol: tests/fixtures/three_arm/protocol.toml (day 0 = randomization,
W4 = day 28 +-7, M3 = day 91 +-14); mapping: tests/fixtures/three_arm/sdtm_mapping.toml.
Data date 2026-06-30.

Quirks, each on purpose:
- the randomization date is in DS for most subjects, but D3-101-02 has only DM.RFSTDTC,
  D3-101-03 only DM.RFXSTDTC, D3-101-04 only its first treatment element in SE;
- D3-110-01's DS date is year-month only (2026-03 -> 1 March);
- attended visits only in SV (no QS, RS): VISITNUM 1 = screening (baseline), 2 = W4, 3 = M3,
  2.1 an unscheduled visit; D3-101-03's M3 is 2026-05 (-> 1 May, day 89, in the window);
- AE severity only (AESEV, no AETOXGR variable at all);
- D3-101-04's nausea onset is the year only (2026): 1 January is before its day 0 (15 Feb), the
  year holds day 0, so day 0; D3-102-02's rash onset is 2026-03 (-> 1 March);
- two subjects treated in another arm than randomized (ACTARMCD): D3-101-04 H -> P,
  D3-102-02 L -> H;
- a screen failure (ARMCD SCRNFAIL, DS SCREEN FAILURE);
- SUPPDM qualifiers: PRIMTUM is mapped, RACEOTH is not;
- the screening date from SE's screening element (D3-101-04: 8 Feb), else the screening visit
  SV VISITNUM 1 (D3-101-01..03: 8, 18, 30 Jan), else DM.RFICDTC (the other 18);
- TV lists visits 1, 2, 2.5 (a telephone contact) and 3: SV 2.5 of D3-103-01 is a scheduled
  visit the mapping leaves out, 2.1 an unscheduled one;
- two histories recorded as AEs with SUPPAE AETRTEM = N: D3-104-01 hypertension (severe,
  onset 2019) and D3-106-01 back pain (moderate, onset 2025-11 -> 1 Nov); every other AE Y;
- AEREL: sepsis RELATED, D3-113-01's second nausea blank (no attribution, counted);
- CM and MH (not part of the contract) and a define.xml: listed, not used.

Worked out by hand (the tests assert these):
  DM: 22 records, 21 randomized, 1 screen failure.
  Randomized per center x arm (as randomized): C01 P1 L1 H2 (+1 screen failure), C02 P1 L1,
    C03..C17 one each, arms in turn P, L, H from site 103: P 5, L 5, H 5.
    Totals: P 1 + 1 + 5 = 7, L 1 + 1 + 5 = 7, H 2 + 0 + 5 = 7.
  As treated: P 7 + 1 (D3-101-04) = 8, L 7 - 1 (D3-102-02) = 6, H 7 - 1 + 1 = 7.
  Visits (all windows closed by 30 June):
    C01: 01 W4 M3 done; 02 W4 done, M3 missed; 03 W4 done, M3 (1 May) done; 04 W4 missed,
         M3 done -> 6 done, 2 missed
    C02: 01 both done; 02 both missed -> 2 done, 2 missed
    C03..C09: W4 and M3 done -> 2 done each (14)
    C10, C12..C17: W4 done, M3 missed -> 1 done, 1 missed each (7 centers)
    C11: W4 done; died 5 May, before M3's window opened (17 May) -> M3 not expected
    Total: done 6 + 2 + 14 + 7 + 1 = 30, missed 2 + 2 + 7 = 11, compliance 30 / 41 = 73.2%.
    By visit: W4 done 19 (all but D3-101-04, D3-102-02), missed 2; M3 done 4 + 7 = 11, missed
    2 + 7 = 9 (D3-101-02, D3-102-02, sites 110 and 112..117), not expected 1.
  Safety by arm as treated, worst severity per subject (mild 1, moderate 2, severe 3), the
  two histories (not treatment-emergent) left out and counted apart (P 1, L 1, H 0):
    P (8): D3-101-01 headache mild then moderate; D3-101-04 nausea severe, serious
           -> any 2, severe 1, serious 1, fatal 0
    L (6): D3-113-01 nausea mild (twice) -> any 1, severe 0
    H (7): D3-102-02 rash moderate; D3-105-01 rash severe; D3-111-01 sepsis severe, serious,
           fatal -> any 3, severe 2, serious 1, fatal 1
  Without the emergent flag the histories count: P any 3 (+ D3-106-01, moderate: severe
  still 1), L any 2 and severe 1 (+ D3-104-01 severe), H unchanged.
  Reconciliation: DM 22 read, 22 imported; DS 22 read, 21 imported, 1 not used (a milestone);
    SE 3 read: SCRN (screening date) and H imported, FU not used; SV 36 read (13 for C01-C02,
    15 W4, 7 M3 and the 2.5 for C03-C17): 30 visits and 3 screening visits imported, 1
    baseline visit (D3-101-04's: its screening date came from SE), 2.1 and 2.5 not used;
    TV 4 read, not used (read for the schedule); AE 10 and SUPPAE 10 read and imported;
    CM 5 and MH 3 not used, define.xml listed; dates imputed: 3 in AE, 1 in SV, 1 in DS;
    randomization from a fallback source: RFSTDTC 1, RFXSTDTC 1, SE 1; screening from SV 3,
    from RFICDTC 18.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

ROOT = Path(__file__).resolve().parent / "fixtures" / "three_arm"
PROTOCOL = ROOT / "protocol.toml"
MAPPING = ROOT / "sdtm_mapping.toml"
AS_OF = "2026-06-30"
STUDY = "DOSE3"

# USUBJID, SITEID, ARMCD, ACTARMCD, SEX, AGE, RFICDTC, RFSTDTC, RFXSTDTC
DM: list[tuple[Any, ...]] = [
    ("D3-101-01", "101", "P", "P", "F", 61, "2026-01-05", "2026-01-10", "2026-01-10"),
    ("D3-101-02", "101", "L", "L", "M", 55, "2026-01-15", "2026-01-20", ""),
    ("D3-101-03", "101", "H", "H", "F", 70, "2026-01-27", "", "2026-02-01"),
    ("D3-101-04", "101", "H", "P", "M", 66, "2026-02-08", "", ""),
    ("D3-101-05", "101", "SCRNFAIL", "SCRNFAIL", "F", 80, "2026-02-27", "", ""),
    ("D3-102-01", "102", "P", "P", "M", 59, "2026-01-28", "2026-02-01", "2026-02-01"),
    ("D3-102-02", "102", "L", "H", "F", 62, "2026-02-05", "2026-02-10", "2026-02-10"),
    *[
        (
            f"D3-{site}-01",
            str(site),
            "PLH"[(site - 103) % 3],
            "PLH"[(site - 103) % 3],
            "FM"[site % 2],
            50 + site - 100,
            "2026-02-25",
            "2026-03-01",
            "2026-03-01",
        )
        for site in range(103, 118)
    ],
]
DM_VARS = ("USUBJID", "SITEID", "ARMCD", "ACTARMCD", "SEX", "AGE", "RFICDTC", "RFSTDTC", "RFXSTDTC")

# DS: USUBJID, DSDECOD, DSTERM, DSSTDTC (no RANDOMIZED record for 101-02, 101-03, 101-04)
DS: list[tuple[str, str, str, str]] = [
    ("D3-101-01", "INFORMED CONSENT OBTAINED", "CONSENTED", "2026-01-05"),
    ("D3-101-01", "RANDOMIZED", "RANDOMIZED", "2026-01-10"),
    ("D3-101-05", "SCREEN FAILURE", "INCLUSION CRITERIA NOT MET", "2026-03-01"),
    ("D3-102-01", "RANDOMIZED", "RANDOMIZED", "2026-02-01"),
    ("D3-102-02", "RANDOMIZED", "RANDOMIZED", "2026-02-10"),
    *[
        (f"D3-{site}-01", "RANDOMIZED", "RANDOMIZED", "2026-03" if site == 110 else "2026-03-01")
        for site in range(103, 118)
    ],
    ("D3-111-01", "DEATH", "SEPSIS", "2026-05-05"),
    ("D3-104-01", "PROTOCOL MILESTONE", "WEEK 4 REACHED", "2026-03-29"),  # not used
]

# SE: USUBJID, ETCD, SESTDTC (D3-101-04's randomization comes from its first treatment element)
SE: list[tuple[str, str, str]] = [
    ("D3-101-04", "SCRN", "2026-02-08"),
    ("D3-101-04", "H", "2026-02-15"),
    ("D3-101-04", "FU", "2026-05-20"),
]

# SV: USUBJID, VISITNUM, SVSTDTC (VISITNUM 1 is the screening visit; 2.5 a telephone contact
# that TV schedules and the mapping leaves out; 2.1 unscheduled, not in TV)
SV: list[tuple[str, float, str]] = [
    ("D3-101-01", 1.0, "2026-01-08"),
    ("D3-101-01", 2.0, "2026-02-07"),
    ("D3-101-01", 2.1, "2026-03-01"),  # unscheduled
    ("D3-101-01", 3.0, "2026-04-11"),
    ("D3-101-02", 1.0, "2026-01-18"),
    ("D3-101-02", 2.0, "2026-02-17"),
    ("D3-101-03", 1.0, "2026-01-30"),
    ("D3-101-03", 2.0, "2026-03-01"),
    ("D3-101-03", 3.0, "2026-05"),  # partial: 1 May = day 89
    ("D3-101-04", 1.0, "2026-02-12"),
    ("D3-101-04", 3.0, "2026-05-17"),
    ("D3-102-01", 2.0, "2026-03-01"),
    ("D3-102-01", 3.0, "2026-05-03"),
    *[(f"D3-{site}-01", 2.0, "2026-03-29") for site in range(103, 118)],
    *[(f"D3-{site}-01", 3.0, "2026-05-31") for site in range(103, 110)],
    ("D3-103-01", 2.5, "2026-03-15"),  # scheduled telephone contact (TV), not mapped
]

# TV: VISITNUM, VISIT (the trial's scheduled visits, a decimal one among them)
TV: list[tuple[float, str]] = [
    (1.0, "SCREENING"),
    (2.0, "WEEK 4"),
    (2.5, "TELEPHONE CONTACT"),
    (3.0, "MONTH 3"),
]

# AE: USUBJID, AESEQ, AETERM, AEDECOD, AEBODSYS, AESEV, AESER, AESTDTC, AEENDTC, AEOUT
AE: list[tuple[Any, ...]] = [
    (
        "D3-101-01",
        1,
        "headache",
        "Headache",
        "Nervous system disorders",
        "MILD",
        "N",
        "2026-01-15",
        "2026-01-20",
        "RECOVERED/RESOLVED",
    ),
    (
        "D3-101-01",
        2,
        "headache",
        "Headache",
        "Nervous system disorders",
        "MODERATE",
        "N",
        "2026-02-01",
        "2026-02-03",
        "RECOVERED/RESOLVED",
    ),
    (
        "D3-101-04",
        1,
        "nausea",
        "Nausea",
        "Gastrointestinal disorders",
        "SEVERE",
        "Y",
        "2026",
        "",
        "NOT RECOVERED/NOT RESOLVED",
    ),
    (
        "D3-102-02",
        1,
        "rash",
        "Rash",
        "Skin and subcutaneous tissue disorders",
        "MODERATE",
        "N",
        "2026-03",
        "2026-03-20",
        "RECOVERED/RESOLVED",
    ),
    (
        "D3-105-01",
        1,
        "rash",
        "Rash",
        "Skin and subcutaneous tissue disorders",
        "SEVERE",
        "N",
        "2026-04-01",
        "",
        "NOT RECOVERED/NOT RESOLVED",
    ),
    (
        "D3-111-01",
        1,
        "sepsis",
        "Sepsis",
        "Infections and infestations",
        "SEVERE",
        "Y",
        "2026-05-01",
        "2026-05-05",
        "FATAL",
    ),
    (
        "D3-113-01",
        1,
        "nausea",
        "Nausea",
        "Gastrointestinal disorders",
        "MILD",
        "N",
        "2026-04-10",
        "2026-04-12",
        "RECOVERED/RESOLVED",
    ),
    (
        "D3-113-01",
        2,
        "nausea",
        "Nausea",
        "Gastrointestinal disorders",
        "MILD",
        "N",
        "2026-04-20",
        "2026-04-22",
        "RECOVERED/RESOLVED",
    ),
]
AE += [
    # History recorded as AEs, flagged not treatment-emergent in SUPPAE (AETRTEM = N).
    (
        "D3-104-01",
        1,
        "hypertension",
        "Hypertension",
        "Vascular disorders",
        "SEVERE",
        "N",
        "2019-06-01",
        "",
        "NOT RECOVERED/NOT RESOLVED",
    ),
    (
        "D3-106-01",
        1,
        "back pain",
        "Back pain",
        "Musculoskeletal and connective tissue disorders",
        "MODERATE",
        "N",
        "2025-11",
        "",
        "NOT RECOVERED/NOT RESOLVED",
    ),
]
AE_VARS = (
    "USUBJID",
    "AESEQ",
    "AETERM",
    "AEDECOD",
    "AEBODSYS",
    "AESEV",
    "AESER",
    "AESTDTC",
    "AEENDTC",
    "AEOUT",
)
NOT_EMERGENT = {("D3-104-01", 1), ("D3-106-01", 1)}
# AEREL: the sepsis related, one blank (no attribution, counted), the others not related.
AEREL = {("D3-111-01", 1): "RELATED", ("D3-113-01", 2): ""}

# SUPPAE: USUBJID, IDVAR, IDVARVAL, QNAM, QVAL (every AE's AETRTEM)
SUPPAE: list[tuple[str, str, str, str, str]] = [
    (r[0], "AESEQ", str(r[1]), "AETRTEM", "N" if (r[0], r[1]) in NOT_EMERGENT else "Y") for r in AE
]

# Domains the dashboard does not read: counted and listed as not used.
CM: list[tuple[str, int, str]] = [
    ("D3-101-01", 1, "PARACETAMOL"),
    ("D3-101-01", 2, "MORPHINE"),
    ("D3-102-01", 1, "IBUPROFEN"),
    ("D3-105-01", 1, "ONDANSETRON"),
    ("D3-111-01", 1, "CEFTRIAXONE"),
]
MH: list[tuple[str, int, str]] = [
    ("D3-101-01", 1, "TYPE 2 DIABETES"),
    ("D3-104-01", 1, "HYPERTENSION"),
    ("D3-113-01", 1, "ASTHMA"),
]

# SUPPDM: USUBJID, QNAM, QVAL
SUPPDM: list[tuple[str, str, str]] = [
    ("D3-101-01", "PRIMTUM", "lung"),
    ("D3-102-01", "PRIMTUM", "breast"),
    ("D3-102-01", "RACEOTH", "not mapped"),
]


def frames() -> dict[str, pd.DataFrame]:
    """Each domain as a DataFrame (STUDYID and DOMAIN added as SDTM has them)."""

    def df(domain: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
        out = pd.DataFrame([dict(zip(names, r, strict=True)) for r in rows])
        out.insert(0, "DOMAIN", domain)
        out.insert(0, "STUDYID", STUDY)
        return out

    ae = df("AE", AE_VARS, AE)
    pairs = zip(ae.USUBJID, ae.AESEQ, strict=True)
    ae["AEREL"] = [AEREL.get((u, q), "NOT RELATED") for u, q in pairs]
    return {
        "DM": df("DM", DM_VARS, DM),
        "DS": df("DS", ("USUBJID", "DSDECOD", "DSTERM", "DSSTDTC"), DS),
        "SE": df("SE", ("USUBJID", "ETCD", "SESTDTC"), SE),
        "SV": df("SV", ("USUBJID", "VISITNUM", "SVSTDTC"), SV),
        "TV": df("TV", ("VISITNUM", "VISIT"), TV),
        "AE": ae,
        "SUPPAE": df("SUPPAE", ("USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"), SUPPAE),
        "SUPPDM": df("SUPPDM", ("USUBJID", "QNAM", "QVAL"), SUPPDM),
        "CM": df("CM", ("USUBJID", "CMSEQ", "CMTRT"), CM),
        "MH": df("MH", ("USUBJID", "MHSEQ", "MHTERM"), MH),
    }


def write_xpt(folder: Path, domain: str, df: pd.DataFrame) -> Path:
    """One domain as a SAS transport v5 file."""
    path = folder / f"{domain.lower()}.xpt"
    pyreadstat.write_xport(df, str(path), table_name=domain, file_format_version=5)
    return path


def write(folder: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """The export in a folder (given tables replace the fixture's), with its define.xml."""
    folder.mkdir(parents=True, exist_ok=True)
    for domain, df in (tables or frames()).items():
        write_xpt(folder, domain, df)
    (folder / "define.xml").write_text("<ODM/>\n", encoding="utf-8")
    return folder

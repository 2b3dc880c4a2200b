"""CDISC SDTM (.xpt) import: domains mapped onto the contract by a study's mapping file.

DM is required; DS, AE, EX, PR, QS, RS are used when present (SV and TV are read but the
assessment dates come from QS/RS). What can be imported is imported, the rest is reported,
and the write is all or nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from data_access.importers.csv_bundle import (
    ImportRejected,
    ImportReport,
    Progress,
    write_tables,
)
from data_access.schema import CONTRACT_TABLES
from data_access.validate import Problem, validate_bundle

DOMAINS = ("DM", "DS", "SV", "TV", "AE", "EX", "PR", "QS", "RS")
ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True)
class SdtmMapping:
    """The study's codes mapped onto ours (see dashboard/sdtm_mapping.toml)."""

    subject_var: str
    baseline_visitnum: tuple[float, ...]
    sites: dict[str, str]
    arms: dict[str, str]
    screen_failure_arms: tuple[str, ...]
    screen_failure_ds: tuple[str, ...]
    consent_ds: tuple[str, ...]
    randomized_ds: tuple[str, ...]
    off_study: dict[str, str]
    visits: dict[float, str]
    qs: dict[str, str]
    rs_testcd: tuple[str, ...]
    procedure_terms: tuple[str, ...]
    sbrt_terms: tuple[str, ...]
    severity: dict[str, int]
    relation: dict[str, str]
    outcome: dict[str, str]


def load_mapping(path: str | Path) -> SdtmMapping:
    """Read a mapping file; a missing section or key is reported by name."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ImportRejected(
            [Problem(str(file), None, None, f"cannot read mapping: {exc}")]
        ) from None

    def get(*keys: str) -> Any:
        node: Any = data
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                raise ImportRejected(
                    [Problem(str(file), None, ".".join(keys), "mapping key is missing")]
                )
            node = node[k]
        return node

    def upper(d: dict[str, Any]) -> dict[str, Any]:
        return {str(k).upper(): v for k, v in d.items()}

    return SdtmMapping(
        subject_var=str(get("study", "subject_id")).upper(),
        baseline_visitnum=tuple(float(x) for x in get("study", "baseline_visitnum")),
        sites={str(k): str(v) for k, v in get("sites").items()},
        arms=upper(get("arms")),
        screen_failure_arms=tuple(x.upper() for x in get("screen_failure", "arm_codes")),
        screen_failure_ds=tuple(x.upper() for x in get("screen_failure", "ds_decod")),
        consent_ds=tuple(x.upper() for x in get("ds", "consent")),
        randomized_ds=tuple(x.upper() for x in get("ds", "randomized")),
        off_study=upper(get("ds", "off_study")),
        visits={float(k): str(v) for k, v in get("visits").items()},
        qs=upper(get("qs")),
        rs_testcd=tuple(x.upper() for x in get("rs", "testcd")),
        procedure_terms=tuple(x.upper() for x in get("procedure", "terms")),
        sbrt_terms=tuple(x.upper() for x in get("sbrt", "terms")),
        severity={k: int(v) for k, v in upper(get("ae", "severity")).items()},
        relation=upper(get("ae", "relation")),
        outcome=upper(get("ae", "outcome")),
    )


@dataclass
class _Reader:
    """Collects problems while turning SDTM values into contract values."""

    problems: list[Problem] = field(default_factory=list)
    imputed: int = 0

    def date(self, value: Any, file: str, row: int, column: str) -> dt.date | None:
        """ISO 8601 (partial) date: a missing day is imputed as the 1st and reported."""
        if value is None or (isinstance(value, float) and pd.isna(value)) or str(value) == "":
            return None
        m = ISO.match(str(value).strip())
        if not m:
            self.problems.append(
                Problem(file, row, column, f"{value!r} is not an ISO date", error=False)
            )
            return None
        year, month, day = m.groups()
        if month is None:
            self.problems.append(
                Problem(
                    file,
                    row,
                    column,
                    f"partial date {value!r} has no month: left empty",
                    error=False,
                )
            )
            return None
        if day is None:
            self.imputed += 1
            self.problems.append(
                Problem(
                    file, row, column, f"partial date {value!r}: day imputed as 01", error=False
                )
            )
            day = "01"
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            self.problems.append(
                Problem(file, row, column, f"{value!r} is not a real date", error=False)
            )
            return None


def _read_domains(folder: Path) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    import pyreadstat

    found: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.xpt")) + sorted(folder.glob("*.XPT")):
        domain = path.stem.upper()
        if domain not in DOMAINS:
            continue
        try:
            df, _meta = pyreadstat.read_xport(str(path))
        except Exception as exc:  # pyreadstat raises its own error types
            raise ImportRejected(
                [Problem(str(path), None, None, f"cannot be read as SAS transport: {exc}")]
            ) from exc
        df.columns = [c.upper() for c in df.columns]
        found[domain] = df
        names[domain] = str(path)
    return found, names


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def build_tables(
    domains: dict[str, pd.DataFrame], names: dict[str, str], m: SdtmMapping
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Map SDTM domains onto the contract tables; problems say what was left out and why."""
    rd = _Reader()
    if "DM" not in domains:
        raise ImportRejected([Problem("DM.xpt", None, None, "the DM domain is required")])
    dm, dmf = domains["DM"], names["DM"]
    for var in (m.subject_var, "SITEID"):
        if var not in dm.columns:
            raise ImportRejected([Problem(dmf, None, var, "required variable is missing")])

    subjects: dict[str, dict[str, Any]] = {}
    usub_to_sid: dict[str, str] = {}
    for i, r in enumerate(dm.to_dict("records"), start=1):
        sid = _text(r.get(m.subject_var))
        site = _text(r.get("SITEID"))
        if sid is None:
            rd.problems.append(
                Problem(dmf, i, m.subject_var, "no subject identifier: skipped", error=False)
            )
            continue
        center = m.sites.get(site or "")
        if center is None:
            rd.problems.append(
                Problem(
                    dmf,
                    i,
                    "SITEID",
                    f"site {site!r} is not in the mapping: subject {sid} skipped",
                    error=False,
                )
            )
            continue
        usub = _text(r.get("USUBJID")) or sid
        usub_to_sid[usub] = sid
        arm_code = (_text(r.get("ACTARMCD")) or _text(r.get("ARMCD")) or "").upper()
        sex = (_text(r.get("SEX")) or "").upper()
        consent = rd.date(r.get("RFICDTC"), dmf, i, "RFICDTC")
        age = r.get("AGE")
        subjects[sid] = {
            "subject_id": sid,
            "center_id": center,
            "screened_on": consent,
            "eligible": arm_code not in m.screen_failure_arms,
            "screen_failure_reason": None,
            "consented_on": consent,
            "sex": sex if sex in ("F", "M") else None,
            "age_years": None if age is None or pd.isna(age) else int(age),
            "primary_tumor": None,
            "baseline_nrs": None,
            "baseline_pafi": None,
            "baseline_omed_mg": None,
            "baseline_imaging_on": None,
            "treated_levels": None,
            "procedure_on": None,
            "randomized_on": None,
            "arm": None,
            "off_study_on": None,
            "off_study_reason": None,
            "_arm_code": arm_code,
            "_row": i,
        }

    def subject_of(r: dict[str, Any]) -> str | None:
        usub = _text(r.get("USUBJID"))
        return usub_to_sid.get(usub or "")

    if "DS" in domains:
        f = names["DS"]
        for i, r in enumerate(domains["DS"].to_dict("records"), start=1):
            sid = subject_of(r)
            if sid is None:
                continue
            s = subjects[sid]
            decod = (_text(r.get("DSDECOD")) or "").upper()
            when = rd.date(r.get("DSSTDTC"), f, i, "DSSTDTC")
            if decod in m.consent_ds:
                s["consented_on"] = s["consented_on"] or when
                s["screened_on"] = s["screened_on"] or when
            elif decod in m.randomized_ds:
                s["randomized_on"] = when
            elif decod in m.screen_failure_ds:
                s["eligible"] = False
                s["screen_failure_reason"] = _text(r.get("DSTERM"))
                s["screened_on"] = s["screened_on"] or when
            elif decod in m.off_study:
                s["off_study_on"] = when
                s["off_study_reason"] = m.off_study[decod]
    for sid, s in subjects.items():
        if s["randomized_on"] is not None:
            code = s["_arm_code"]
            s["arm"] = m.arms.get(code)
            if s["arm"] is None:
                rd.problems.append(
                    Problem(
                        dmf,
                        s["_row"],
                        "ACTARMCD",
                        f"arm code {code!r} is not in the mapping: subject "
                        f"{sid} imported without an arm",
                        error=False,
                    )
                )
        elif s["eligible"] and s["_arm_code"] in m.arms:
            rd.problems.append(
                Problem(
                    dmf,
                    s["_row"],
                    "ARMCD",
                    f"subject {sid} has an arm but no randomization date in DS",
                    error=False,
                )
            )

    if "PR" in domains:
        f = names["PR"]
        levels: dict[str, list[str]] = defaultdict(list)
        for i, r in enumerate(domains["PR"].to_dict("records"), start=1):
            sid = subject_of(r)
            if sid is None or (_text(r.get("PRTRT")) or "").upper() not in m.procedure_terms:
                continue
            when = rd.date(r.get("PRSTDTC"), f, i, "PRSTDTC")
            s = subjects[sid]
            if when and (s["procedure_on"] is None or when < s["procedure_on"]):
                s["procedure_on"] = when
            loc = _text(r.get("PRLOC"))
            if loc:
                levels[sid] += [x.strip().upper() for x in loc.split(",") if x.strip()]
        for sid, ls in levels.items():
            subjects[sid]["treated_levels"] = ",".join(dict.fromkeys(ls))

    assessments: dict[tuple[str, str], dict[str, Any]] = {}
    skipped_visits: dict[float, int] = defaultdict(int)
    if "QS" in domains:
        f = names["QS"]
        for i, r in enumerate(domains["QS"].to_dict("records"), start=1):
            sid = subject_of(r)
            col = m.qs.get((_text(r.get("QSTESTCD")) or "").upper())
            if sid is None or col is None:
                continue
            value = r.get("QSSTRESN")
            if value is None or pd.isna(value):
                raw = _text(r.get("QSORRES"))
                try:
                    value = float(raw) if raw is not None else None
                except ValueError:
                    rd.problems.append(
                        Problem(f, i, "QSORRES", f"{raw!r} is not a number", error=False)
                    )
                    value = None
            visitnum = r.get("VISITNUM")
            vnum = None if visitnum is None or pd.isna(visitnum) else float(visitnum)
            if vnum in m.baseline_visitnum:
                subjects[sid][f"baseline_{col}"] = value
                continue
            code = m.visits.get(vnum) if vnum is not None else None
            if code is None:
                skipped_visits[vnum if vnum is not None else -1.0] += 1
                continue
            when = rd.date(r.get("QSDTC"), f, i, "QSDTC")
            key = (sid, code)
            row = assessments.setdefault(
                key,
                {
                    "subject_id": sid,
                    "visit_code": code,
                    "assessed_on": when,
                    "nrs": None,
                    "pafi": None,
                    "omed_mg": None,
                },
            )
            if when and (row["assessed_on"] is None or when < row["assessed_on"]):
                row["assessed_on"] = when
            row[col] = value
        for vnum, n in sorted(skipped_visits.items()):
            rd.problems.append(
                Problem(
                    f,
                    None,
                    "VISITNUM",
                    f"{n} record(s) at visit {vnum:g} (unscheduled or not in the mapping) skipped",
                    error=False,
                )
            )
    for key, row in list(assessments.items()):
        if row["assessed_on"] is None:
            rd.problems.append(
                Problem(
                    names.get("QS", "QS.xpt"),
                    None,
                    "QSDTC",
                    f"{key[0]} {key[1]} has no usable date: skipped",
                    error=False,
                )
            )
            del assessments[key]

    imaging: dict[tuple[str, str], dict[str, Any]] = {}
    if "RS" in domains:
        f = names["RS"]
        for i, r in enumerate(domains["RS"].to_dict("records"), start=1):
            sid = subject_of(r)
            if sid is None or (_text(r.get("RSTESTCD")) or "").upper() not in m.rs_testcd:
                continue
            vnum = r.get("VISITNUM")
            code = m.visits.get(float(vnum)) if vnum is not None and not pd.isna(vnum) else None
            when = rd.date(r.get("RSDTC"), f, i, "RSDTC")
            response = (_text(r.get("RSSTRESC")) or _text(r.get("RSORRES")) or "").upper()
            if code is None or when is None or not response:
                rd.problems.append(
                    Problem(
                        f,
                        i,
                        "VISITNUM",
                        "response without a mapped visit, a date or a result: skipped",
                        error=False,
                    )
                )
                continue
            imaging[(sid, code)] = {
                "subject_id": sid,
                "visit_code": code,
                "imaged_on": when,
                "modality": _text(r.get("RSMETHOD")),
                "mda_response": response,
            }

    aes: list[dict[str, Any]] = []
    if "AE" in domains:
        f = names["AE"]
        for i, r in enumerate(domains["AE"].to_dict("records"), start=1):
            sid = subject_of(r)
            if sid is None:
                rd.problems.append(
                    Problem(f, i, "USUBJID", "subject not in DM: skipped", error=False)
                )
                continue
            grade = r.get("AETOXGR")
            if grade is not None and _text(grade) is not None:
                try:
                    grade = int(float(grade))
                except ValueError:
                    grade = None
            else:
                grade = m.severity.get((_text(r.get("AESEV")) or "").upper())
            onset = rd.date(r.get("AESTDTC"), f, i, "AESTDTC")
            term = _text(r.get("AEDECOD")) or _text(r.get("AETERM"))
            if grade is None or onset is None or term is None:
                rd.problems.append(
                    Problem(
                        f,
                        i,
                        "AETOXGR/AESEV/AESTDTC",
                        "event without a grade, an onset date or a term: skipped",
                        error=False,
                    )
                )
                continue
            aes.append(
                {
                    "ae_id": len(aes) + 1,
                    "subject_id": sid,
                    "term": term,
                    "soc": _text(r.get("AEBODSYS")),
                    "grade": grade,
                    "serious": (_text(r.get("AESER")) or "N").upper() == "Y",
                    "attribution": m.relation.get((_text(r.get("AEREL")) or "").upper()),
                    "onset_on": onset,
                    "resolved_on": rd.date(r.get("AEENDTC"), f, i, "AEENDTC"),
                    "outcome": m.outcome.get((_text(r.get("AEOUT")) or "").upper()),
                    "reported_on": rd.date(r.get("AEDTC"), f, i, "AEDTC") if "AEDTC" in r else None,
                }
            )

    courses: dict[str, dict[str, Any]] = {}
    if "EX" in domains:
        f = names["EX"]
        for i, r in enumerate(domains["EX"].to_dict("records"), start=1):
            sid = subject_of(r)
            if sid is None or (_text(r.get("EXTRT")) or "").upper() not in m.sbrt_terms:
                continue
            start = rd.date(r.get("EXSTDTC"), f, i, "EXSTDTC")
            end = rd.date(r.get("EXENDTC"), f, i, "EXENDTC") or start
            dose = r.get("EXDOSE")
            c = courses.setdefault(
                sid,
                {
                    "subject_id": sid,
                    "started_on": start,
                    "completed_on": end,
                    "fractions": 0,
                    "total_dose_gy": 0.0,
                },
            )
            if start and (c["started_on"] is None or start < c["started_on"]):
                c["started_on"] = start
            if end and (c["completed_on"] is None or end > c["completed_on"]):
                c["completed_on"] = end
            c["fractions"] += 1
            c["total_dose_gy"] += 0.0 if dose is None or pd.isna(dose) else float(dose)
        for sid, c in list(courses.items()):
            if c["started_on"] is None:
                rd.problems.append(
                    Problem(
                        f, None, "EXSTDTC", f"SBRT of {sid} has no start date: skipped", error=False
                    )
                )
                del courses[sid]

    # Subjects the contract cannot hold (no screening date) are reported and left out.
    for sid, s in list(subjects.items()):
        if s["screened_on"] is None:
            s["screened_on"] = s["randomized_on"] or s["procedure_on"]
        if s["screened_on"] is None:
            rd.problems.append(
                Problem(
                    dmf,
                    s["_row"],
                    "RFICDTC",
                    f"subject {sid} has no screening or consent date: skipped",
                    error=False,
                )
            )
            del subjects[sid]
    kept = set(subjects)
    sites = sorted({s["center_id"] for s in subjects.values()})
    tables = {
        "centers": pd.DataFrame({"center_id": sites, "name": sites, "activated_on": None}),
        "subjects": pd.DataFrame(
            [{k: v for k, v in s.items() if not k.startswith("_")} for s in subjects.values()]
        ),
        "assessments": pd.DataFrame([a for a in assessments.values() if a["subject_id"] in kept]),
        "imaging": pd.DataFrame([x for x in imaging.values() if x["subject_id"] in kept]),
        "adverse_events": pd.DataFrame([a for a in aes if a["subject_id"] in kept]),
        "sbrt_courses": pd.DataFrame([c for c in courses.values() if c["subject_id"] in kept]),
        "deviations": pd.DataFrame(),
    }
    for t in CONTRACT_TABLES:
        tables[t.name] = tables[t.name].reindex(columns=[c.name for c in t.columns])
    return tables, rd.problems


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v)

    return df.astype(object).apply(lambda col: col.map(one))


def import_sdtm(
    folder: str | Path,
    url: str,
    mapping_file: str | Path,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Map the SDTM datasets of a folder and load them, all or nothing."""
    base = Path(folder)
    if not base.is_dir():
        raise ImportRejected([Problem(str(base), None, None, "is not a folder")])
    mapping = load_mapping(mapping_file)
    domains, names = _read_domains(base)
    tables, problems = build_tables(domains, names, mapping)
    checked = validate_bundle(
        {k: _as_text(v) for k, v in tables.items()}, {k: f"{k} (mapped from SDTM)" for k in tables}
    )
    problems += checked.problems
    if checked.errors:
        raise ImportRejected(problems)
    meta = {
        "as_of": (as_of or dt.date.today()).isoformat(),
        "source": f"sdtm {base.resolve()}",
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    rows = write_tables(
        url, {t.name: checked.tables[t.name] for t in CONTRACT_TABLES}, meta, progress
    )
    return ImportReport(rows, problems)

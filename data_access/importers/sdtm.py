"""CDISC SDTM (.xpt) import: domains mapped onto the contract by a study's mapping file.

The mapping file names where each fact comes from, with fallbacks in order (`[sources]`): the
randomization date from DS, else DM dates, else the first treatment element of SE; consent
from DS, else DM.RFICDTC; the arm as randomized (ARMCD) and as treated (ACTARMCD); attended
visits from SV (else the dates of QS and RS records); the AE grade from AETOXGR, else AESEV
kept as a severity. SUPP-- qualifiers are read where `[supp.*]` asks.

Integrity: a damaged or cut transport file, a duplicate key (USUBJID in DM; USUBJID + AESEQ in
AE) or a required variable missing is refused, naming file, row and variable. Every record ends
imported, skipped (with its reason) or not used (outside the mapping), and the reconciliation
says so per domain; partial dates are completed by the rule below and reported, never a reason
to drop a record:

- a missing day is the 1st of the month, a missing month and day 1 January;
- an AE onset so completed that falls before the subject's day 0 while the known part of the
  date (its year, or year and month) contains day 0 is day 0 instead;
- end dates (AEENDTC, EXENDTC) are completed to the last day of the month or year, and never
  later than the data date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from data_access.importers.pipeline import (
    ImportOptions,
    ImportRejected,
    ImportReport,
    Progress,
    finish,
)
from data_access.importers.reconcile import Reconciliation
from data_access.importers.xpt import XptDamaged, layout, read_xpt
from data_access.schema import CODED_VALUES, CONTRACT_TABLES
from data_access.tomlkeys import KeyLog, unknown_keys
from data_access.validate import Problem, validate_bundle

DOMAINS = ("DM", "DS", "SV", "SE", "AE", "EX", "PR", "QS", "RS", "SUPPDM", "SUPPAE", "TV")
ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
# Variables a domain must have when it is present ("A|B": one of them).
REQUIRED: dict[str, tuple[str, ...]] = {
    "DM": ("USUBJID", "SITEID", "ARMCD"),
    "DS": ("USUBJID", "DSDECOD", "DSSTDTC"),
    "SV": ("USUBJID", "VISITNUM", "SVSTDTC"),
    "SE": ("USUBJID", "ETCD", "SESTDTC"),
    "AE": ("USUBJID", "AESEQ", "AEDECOD|AETERM", "AESTDTC", "AETOXGR|AESEV"),
    "EX": ("USUBJID", "EXTRT", "EXSTDTC"),
    "PR": ("USUBJID", "PRTRT", "PRSTDTC"),
    "QS": ("USUBJID", "QSTESTCD", "VISITNUM", "QSDTC", "QSSTRESN|QSORRES"),
    "RS": ("USUBJID", "RSTESTCD", "VISITNUM", "RSDTC", "RSSTRESC|RSORRES"),
    "SUPPDM": ("USUBJID", "QNAM", "QVAL"),
    "SUPPAE": ("USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"),
    "TV": ("VISITNUM",),
}
DEFAULT_SOURCES: dict[str, Any] = {
    "randomized_on": ["DS:RANDOMIZED", "DM:RFSTDTC", "DM:RFXSTDTC", "SE:first_treatment"],
    "consented_on": ["DS:INFORMED CONSENT OBTAINED", "DM:RFICDTC"],
    # The screen-failure disposition's date, else consent, else randomization: each later
    # source is counted in the reconciliation (a study with a screening visit says so).
    "screened_on": ["DS:screen_failure", "consented_on", "randomized_on"],
    "arm": "DM:ARMCD",
    "actual_arm": "DM:ACTARMCD",
    "attended_visits": "SV",
    "grade": ["AE:AETOXGR", "AE:AESEV"],
}
CONTRACT_DATES = ("consented_on", "randomized_on")
# What each date may be read from (see Source): a DM variable, a DS decode, the first
# treatment element, the records of a domain where a variable has a value, or an earlier date.
DATE_SOURCES = {
    "randomized_on": ("DM", "DS", "SE:first_treatment"),
    "consented_on": ("DM", "DS"),
    "screened_on": ("DM", "DS", "DS:screen_failure", "@", *CONTRACT_DATES),
}
# Where the treatment-emergent flag may come from.
EMERGENT_FORMS = (
    "SUPPAE:<QNAM> (Y/N)",
    "AE:<VARIABLE> (Y/N)",
    "onset>=DM:<VARIABLE> (onset on or after that date)",
    "onset>=EX (onset on or after the first EX record)",
    "onset>=PR (onset on or after the first procedure of [procedure] terms)",
)
QS_COLUMNS = ("nrs", "pafi", "omed_mg")
WHERE_DOMAINS = ("SV", "SE")  # domains a source may pick records of (@VARIABLE=VALUE)
SUPP_TABLES = ("subjects", "adverse_events")


@dataclass(frozen=True)
class TrialCodes:
    """What the protocol file names: a mapping may map onto these codes only."""

    centers: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()
    visits: tuple[str, ...] = ()
    day_zero: str = "randomized_on"


@dataclass(frozen=True)
class Source:
    """One place a date may come from, as the mapping wrote it (`text`).

    `DOMAIN:WHAT` (a DM variable, a DS decode, `SE:first_treatment`, `DS:screen_failure`),
    `DOMAIN:VARIABLE@VARIABLE=VALUE` (the earliest value of the variable among the domain's
    records where the other variable has that value, e.g. `SV:SVSTDTC@VISITNUM=1`), or a
    contract date resolved before (`consented_on`, `randomized_on`).
    """

    text: str
    domain: str  # "" for a contract date
    what: str
    where: tuple[str, str] | None = None


def parse_source(text: str) -> Source | None:
    """A source as the mapping writes it, or None when it is not one."""
    raw = str(text).strip()
    if raw in CONTRACT_DATES:
        return Source(raw, "", raw)
    domain, sep, rest = raw.partition(":")
    domain = domain.strip().upper()
    if not sep or not domain.isalnum() or not rest.strip():
        return None
    where = None
    if "@" in rest:
        rest, cond = rest.split("@", 1)
        var, eq, value = cond.partition("=")
        if not eq or not var.strip() or not value.strip():
            return None
        where = (var.strip().upper(), value.strip())
    return Source(raw, domain, rest.strip(), where)


def _source_allowed(src: Source, allowed: tuple[str, ...]) -> bool:
    if not src.domain:
        return src.what in allowed
    if src.where is not None:
        return "@" in allowed and src.domain in WHERE_DOMAINS
    special = f"{src.domain}:{src.what}"
    if src.what in ("first_treatment", "screen_failure"):
        return special in allowed
    return src.domain in allowed


@dataclass(frozen=True)
class SdtmMapping:
    """The study's codes mapped onto ours (see dashboard/sdtm_mapping.toml)."""

    subject_var: str
    baseline_visitnum: tuple[float, ...]
    sites: dict[str, str]
    arms: dict[str, str]
    randomized_from: tuple[Source, ...]
    consent_from: tuple[Source, ...]
    screened_from: tuple[Source, ...]
    arm_var: str
    actual_arm_var: str | None
    visits_from_sv: bool
    grade_from: tuple[str, ...]
    screen_failure_arms: tuple[str, ...]
    screen_failure_ds: tuple[str, ...]
    se_non_treatment: tuple[str, ...]
    off_study: dict[str, str]
    visits: dict[float, str]
    qs: dict[str, str]
    rs_testcd: tuple[str, ...]
    procedure_terms: tuple[str, ...]
    sbrt_terms: tuple[str, ...]
    severity: dict[str, int]
    relation: dict[str, str]
    outcome: dict[str, str]
    supp: dict[str, dict[str, str]] = field(default_factory=dict)
    # Where the treatment-emergent flag comes from (EMERGENT_FORMS), None: not said.
    emergent_from: str | None = None


def _listed(codes: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def load_mapping(
    path: str | Path, codes: TrialCodes | None = None, log: KeyLog | None = None
) -> SdtmMapping:
    """Read a mapping file, strictly: every error named by its key, all of them at once.

    A key the loader does not know (a misspelled `[sourcse]`) is an error naming the nearest
    valid key; with the protocol's `codes`, every center, arm and visit code the mapping maps
    onto must exist in the protocol file, and every contract value (off-study reasons,
    attributions, outcomes, assessment columns) must be one the contract lists.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ImportRejected(
            [Problem(str(file), None, None, f"cannot read mapping: {exc}")]
        ) from None
    log = log if log is not None else KeyLog()
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        sep = " " if message.startswith("is ") else ": "
        problems.append(Problem(str(file), None, None, f"key '{key}'{sep}{message}"))

    def get(*keys: str, default: Any = ...) -> Any:
        for i in range(1, len(keys) + 1):
            log.ask(".".join(keys[:i]))
        node: Any = data
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                if default is ...:
                    raise ImportRejected(
                        [
                            *problems,
                            Problem(str(file), None, ".".join(keys), "mapping key is missing"),
                        ]
                    )
                return default
            node = node[k]
        return node

    def table(*keys: str) -> dict[str, Any]:
        """A table whose keys are the study's codes (any may appear)."""
        value = get(*keys, default={})
        log.open_table(".".join(keys))
        if not isinstance(value, dict):
            bad(".".join(keys), "must be a table of code = value")
            return {}
        return value

    def listed(*keys: str, default: Any = ...) -> tuple[str, ...]:
        value = get(*keys, default=default)
        return tuple(str(x).upper() for x in ([value] if isinstance(value, str) else value))

    def onto(key: str, mapped: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
        for k, v in mapped.items():
            if allowed and str(v) not in allowed:
                bad(
                    f"{key}.{k}",
                    f'"{v}" is not {what}; write one of: {_listed(allowed)}',
                )

    sources = {**DEFAULT_SOURCES, **table("sources")}
    for key in DEFAULT_SOURCES:
        log.ask(f"sources.{key}")
    for name in SUPP_TABLES:
        log.ask(f"supp.{name}")
    for key in sources:
        if key not in DEFAULT_SOURCES:
            near = difflib.get_close_matches(key, list(DEFAULT_SOURCES), n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            bad(f"sources.{key}", f"is not a source key.{hint}")
    dates: dict[str, tuple[Source, ...]] = {}
    for key, allowed in DATE_SOURCES.items():
        parsed = []
        for item in _as_list(sources[key]):
            src = parse_source(str(item))
            if src is None or not _source_allowed(src, allowed):
                bad(
                    f"sources.{key}",
                    f"{item!r} is not a source of {key}; write "
                    + {
                        "randomized_on": "DS:<DSDECOD>, DM:<VARIABLE> or SE:first_treatment",
                        "consented_on": "DS:<DSDECOD> or DM:<VARIABLE>",
                        "screened_on": "DM:<VARIABLE>, DS:<DSDECOD>, DS:screen_failure, "
                        "SV or SE:<VARIABLE>@<VARIABLE>=<VALUE> (e.g. SV:SVSTDTC@VISITNUM=1), "
                        "consented_on or randomized_on",
                    }[key],
                )
                continue
            parsed.append(src)
        dates[key] = tuple(parsed)
    for item in _as_list(sources["grade"]):
        if not str(item).upper().startswith("AE:"):
            bad("sources.grade", f"{item!r} is not AE:<VARIABLE>")
    actual = sources.get("actual_arm")

    sites = {str(k): str(v) for k, v in table("sites").items()}
    arms = {str(k).upper(): str(v) for k, v in table("arms").items()}
    visits: dict[float, str] = {}
    for k, v in table("visits").items():
        try:
            visits[float(k)] = str(v)
        except ValueError:
            bad(f"visits.{k}", f"{k!r} is not a VISITNUM (a number)")
    qs = {str(k).upper(): str(v) for k, v in table("qs").items()}
    off_study = {str(k).upper(): str(v) for k, v in table("ds", "off_study").items()}
    relation = {str(k).upper(): str(v) for k, v in table("ae", "relation").items()}
    outcome = {str(k).upper(): str(v) for k, v in table("ae", "outcome").items()}
    severity: dict[str, int] = {}
    for k, v in table("ae", "severity").items():
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
            bad(f"ae.severity.{k}", f"must be a whole number from 1 to 5, got {v!r}")
        else:
            severity[str(k).upper()] = v
    if codes is not None:
        onto("sites", sites, codes.centers, "a center code of the protocol file")
        onto("arms", arms, codes.arms, "an arm code of the protocol file")
        onto(
            "visits",
            {f"{k:g}": v for k, v in visits.items()},
            codes.visits,
            "a visit code of the protocol file",
        )
    onto("qs", qs, QS_COLUMNS, "an assessment column")
    onto("ds.off_study", off_study, CODED_VALUES["subjects.off_study_reason"], "a contract value")
    onto("ae.relation", relation, CODED_VALUES["adverse_events.attribution"], "a contract value")
    onto("ae.outcome", outcome, CODED_VALUES["adverse_events.outcome"], "a contract value")

    emergent = get("ae", "emergent", default=None)
    if emergent is not None and _emergent_form(str(emergent)) is None:
        bad("ae.emergent", f"{emergent!r} is not one of: {'; '.join(EMERGENT_FORMS)}")

    supp: dict[str, dict[str, str]] = {}
    for name, cols in table("supp").items():
        contract = next((t for t in CONTRACT_TABLES if t.name == name), None)
        if name not in SUPP_TABLES or contract is None or not isinstance(cols, dict):
            bad(f"supp.{name}", "must be one of [supp.subjects], [supp.adverse_events]")
            continue
        keys = {c.name for c in contract.primary_key.columns} | {"subject_id"}
        for col in cols:
            if col not in contract.c or col in keys:
                allowed = tuple(c.name for c in contract.columns if c.name not in keys)
                bad(f"supp.{name}.{col}", f"is not a column of {name}; one of: {_listed(allowed)}")
        supp[name] = {str(col): str(q).upper() for col, q in cols.items()}

    subject_var = str(get("study", "subject_id")).upper()
    baseline = tuple(float(x) for x in get("study", "baseline_visitnum", default=[]))
    mapping = SdtmMapping(
        subject_var=subject_var,
        baseline_visitnum=baseline,
        sites=sites,
        arms=arms,
        randomized_from=dates["randomized_on"],
        consent_from=dates["consented_on"],
        screened_from=dates["screened_on"],
        arm_var=str(sources["arm"]).split(":")[-1].upper(),
        actual_arm_var=str(actual).split(":")[-1].upper() if actual else None,
        visits_from_sv=str(sources.get("attended_visits", "SV")).upper() == "SV",
        grade_from=tuple(str(x).split(":")[-1].upper() for x in _as_list(sources["grade"])),
        screen_failure_arms=listed("screen_failure", "arm_codes", default=[]),
        screen_failure_ds=listed("screen_failure", "ds_decod", default=[]),
        se_non_treatment=listed("se", "non_treatment", default=[]),
        off_study=off_study,
        visits=visits,
        qs=qs,
        rs_testcd=listed("rs", "testcd", default=[]),
        procedure_terms=listed("procedure", "terms", default=[]),
        sbrt_terms=listed("sbrt", "terms", default=[]),
        severity=severity,
        relation=relation,
        outcome=outcome,
        supp=supp,
        emergent_from=str(emergent) if emergent is not None else None,
    )
    for key, nearest in unknown_keys(data, log):
        hint = f" Did you mean '{nearest}'?" if nearest else ""
        bad(key, f"is not a mapping key: it would be ignored.{hint} (docs/FORMATS.md lists them)")
    if problems:
        raise ImportRejected(problems)
    return mapping


def _emergent_form(text: str) -> tuple[str, str] | None:
    """('supp', QNAM), ('ae', VARIABLE), ('dm', VARIABLE) or ('ex', '') for a flag source."""
    raw = text.strip()
    up = raw.upper().replace(" ", "")
    if up.startswith("SUPPAE:") and len(up) > 7:
        return "supp", up[7:]
    if up.startswith("AE:") and len(up) > 3:
        return "ae", up[3:]
    if up.startswith("ONSET>=DM:") and len(up) > 10:
        return "dm", up[10:]
    if up in ("ONSET>=EX", "ONSET>=PR"):
        return up[-2:].lower(), ""
    return None


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def _same(recorded: Any, wanted: str) -> bool:
    """A record's value equals the mapping's (as numbers when both are: VISITNUM 1 = 1.0)."""
    a, b = _number(recorded), _number(wanted)
    if a is not None and b is not None:
        return a == b
    return (_text(recorded) or "").upper() == wanted.strip().upper()


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def _number(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    try:
        return float(str(v).strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class PartialDate:
    """An ISO 8601 date as recorded: year always, month and day when given."""

    year: int
    month: int | None
    day: int | None

    @property
    def complete(self) -> bool:
        """All three parts recorded."""
        return self.month is not None and self.day is not None

    def first(self) -> dt.date:
        """The earliest date the recorded parts allow."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last(self) -> dt.date:
        """The latest date the recorded parts allow."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)


def parse_partial(value: Any) -> PartialDate | None | str:
    """A PartialDate, None when empty, or the reason it is not a date."""
    text = _text(value)
    if text is None:
        return None
    m = ISO.match(text)
    if not m:
        return "not an ISO 8601 date"
    year, month, day = (int(x) if x else None for x in m.groups())
    assert year is not None
    if month is None and day is not None:
        return "a day without a month"
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return "not a real date"
    return PartialDate(year, month, day)


class _Mapper:
    """Turns SDTM records into contract rows, counting every record in the reconciliation."""

    def __init__(self, m: SdtmMapping, names: dict[str, str], as_of: dt.date) -> None:
        self.m = m
        self.names = names
        self.as_of = as_of
        self.recon = Reconciliation()
        self.problems: list[Problem] = []

    def where(self, domain: str, row: int, sid: str | None) -> str:
        return f"row {row}" + (f" {sid}" if sid else "")

    def date(
        self,
        domain: str,
        row: int,
        var: str,
        value: Any,
        sid: str | None,
        *,
        end: bool = False,
        floor: dt.date | None = None,
    ) -> dt.date | None | str:
        """A complete date, None when empty, or why it is not a date (the caller decides)."""
        parsed = parse_partial(value)
        if parsed is None or isinstance(parsed, str):
            return parsed
        if parsed.complete:
            return parsed.first()
        if end:
            got = min(parsed.last(), self.as_of)
            rule = "end date completed to the last day of its month or year"
        else:
            got = parsed.first()
            rule = "completed to the 1st of the month (1 January when the month is missing)"
            if floor is not None and got < floor <= parsed.last():
                got, rule = floor, "completed to day 0 (the recorded month or year holds day 0)"
        self.recon.impute(
            domain, f"{var} {rule}", f"{self.where(domain, row, sid)} {value!s} -> {got}"
        )
        return got


def _check_required(domains: dict[str, pd.DataFrame], names: dict[str, str]) -> list[Problem]:
    out = []
    for domain, df in domains.items():
        for need in REQUIRED.get(domain, ()):
            options = need.split("|")
            if not any(o in df.columns for o in options):
                what = " or ".join(options)
                out.append(
                    Problem(
                        names[domain],
                        None,
                        what,
                        f"required variable {what} is missing: every record of {domain} "
                        "would be lost",
                    )
                )
    return out


def _check_keys(
    domains: dict[str, pd.DataFrame], names: dict[str, str], m: SdtmMapping
) -> list[Problem]:
    out = []
    checks = {"DM": [m.subject_var], "AE": ["USUBJID", "AESEQ"]}
    for domain, key in checks.items():
        df = domains.get(domain)
        if df is None or not set(key) <= set(df.columns):
            continue
        dup = df[df.duplicated(subset=key, keep=False)]
        for value, group in dup.groupby(key, dropna=False, sort=False):
            rows = [int(i) + 1 for i in group.index]
            shown = value if isinstance(value, tuple) else (value,)
            out.append(
                Problem(
                    names[domain],
                    rows[1],
                    "+".join(key),
                    f"duplicate key {' + '.join(str(v) for v in shown)} in rows "
                    f"{', '.join(str(r) for r in rows)}: one would overwrite the other",
                )
            )
    return out


@dataclass(frozen=True)
class OtherFile:
    """A file of the folder the import does not map: named, counted, said why."""

    name: str
    rows: int | None
    reason: str


def _read_domains(
    folder: Path,
) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[OtherFile]]:
    """The mapped domains read whole (a damaged one refused); every other file listed."""
    found: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}
    others: list[OtherFile] = []
    problems = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name.upper()):
        if not path.is_file() or path.name.startswith("."):
            continue
        domain = path.stem.upper()
        if path.suffix.lower() != ".xpt":
            others.append(OtherFile(path.name, None, "not read (not a SAS transport file)"))
            continue
        if domain not in DOMAINS:
            try:
                rows: int | None = layout(path.read_bytes()).observations
                reason = "domain not part of the trial database contract"
            except XptDamaged as exc:
                rows, reason = None, f"not read (domain not part of the contract): {exc}"
            others.append(OtherFile(domain, rows, reason))
            continue
        try:
            found[domain] = read_xpt(path).reset_index(drop=True)
        except XptDamaged as exc:
            problems.append(Problem(str(path), None, None, f"refused: {exc}"))
            continue
        names[domain] = str(path)
    if problems:
        raise ImportRejected(problems)
    return found, names, others


def build_tables(
    domains: dict[str, pd.DataFrame],
    names: dict[str, str],
    m: SdtmMapping,
    as_of: dt.date,
    day_zero: str = "randomized_on",
    others: Sequence[OtherFile] = (),
) -> tuple[dict[str, pd.DataFrame], list[Problem], Reconciliation]:
    """Map SDTM domains onto the contract tables; every record (and file) is accounted for."""
    if "DM" not in domains:
        raise ImportRejected([Problem("DM.xpt", None, None, "the DM domain is required")])
    problems = _check_required(domains, names) + _check_keys(domains, names, m)
    if m.subject_var not in domains["DM"].columns and m.subject_var != "USUBJID":
        problems.append(Problem(names["DM"], None, m.subject_var, "required variable is missing"))
    if problems:
        raise ImportRejected(problems)
    mp = _Mapper(m, names, as_of)
    recon = mp.recon
    for domain, df in domains.items():
        recon.read(domain, len(df))
    for other in others:
        recon.unused_file(other.name, other.rows, other.reason)

    def rows(domain: str) -> list[tuple[int, dict[str, Any]]]:
        df = domains.get(domain)
        return [] if df is None else list(enumerate(df.to_dict("records"), start=1))

    # DM: one subject per record.
    subjects: dict[str, dict[str, Any]] = {}
    usub_to_sid: dict[str, str] = {}
    dm_row: dict[str, int] = {}
    for i, r in rows("DM"):
        sid = _text(r.get(m.subject_var))
        site = _text(r.get("SITEID"))
        if sid is None:
            recon.skip("DM", "no subject identifier", f"row {i}")
            continue
        center = m.sites.get(site or "")
        if center is None:
            recon.skip("DM", f"site not in the mapping ({site})", f"row {i} {sid}")
            continue
        usub_to_sid[_text(r.get("USUBJID")) or sid] = sid
        dm_row[sid] = i
        arm_code = (_text(r.get(m.arm_var)) or "").upper()
        actual_code = (_text(r.get(m.actual_arm_var)) or "").upper() if m.actual_arm_var else ""
        sex = (_text(r.get("SEX")) or "").upper()
        age = _number(r.get("AGE"))
        subjects[sid] = {
            "subject_id": sid,
            "center_id": center,
            "screened_on": None,
            "eligible": arm_code not in m.screen_failure_arms,
            "screen_failure_reason": None,
            "consented_on": None,
            "sex": sex if sex in ("F", "M") else None,
            "age_years": None if age is None else int(age),
            "primary_tumor": None,
            "baseline_nrs": None,
            "baseline_pafi": None,
            "baseline_omed_mg": None,
            "baseline_imaging_on": None,
            "treated_levels": None,
            "procedure_on": None,
            "randomized_on": None,
            "arm": None,
            "actual_arm": None,
            "off_study_on": None,
            "off_study_reason": None,
            "_arm_code": arm_code,
            "_actual_code": actual_code,
            "_dm": r,
            "_ds": {},
        }

    # DS and SE records used before a subject is dropped: recounted as skipped if it is.
    used_early: dict[str, list[tuple[str, int]]] = defaultdict(list)

    def drop(sid: str, reason: str) -> None:
        recon.skip("DM", reason, f"row {dm_row[sid]} {sid}")
        for domain, i in used_early.pop(sid, []):
            recon.source(domain).imported -= 1
            recon.skip(domain, "subject skipped in DM", f"row {i} {sid}")
        del subjects[sid]

    def subject_of(domain: str, i: int, r: dict[str, Any]) -> str | None:
        usub = _text(r.get("USUBJID"))
        sid = usub_to_sid.get(usub or "")
        if sid is None:
            recon.skip(domain, "subject not imported from DM", f"row {i} {usub}")
        return sid

    # DS: consent, randomization, screen failure, end of study.
    for i, r in rows("DS"):
        sid = subject_of("DS", i, r)
        if sid is None:
            continue
        s = subjects[sid]
        decod = (_text(r.get("DSDECOD")) or "").upper()
        when = mp.date("DS", i, "DSSTDTC", r.get("DSSTDTC"), sid)
        if isinstance(when, str):
            recon.skip("DS", f"DSSTDTC {when}", f"row {i} {sid}")
            continue
        if decod in m.screen_failure_ds:
            s["eligible"] = False
            s["screen_failure_reason"] = _text(r.get("DSTERM"))
            s["_ds"].setdefault("SCREEN", when)
        elif decod in m.off_study:
            s["off_study_on"] = when
            s["off_study_reason"] = m.off_study[decod]
        elif any(
            src.domain == "DS" and src.what.upper() == decod
            for src in (*m.randomized_from, *m.consent_from, *m.screened_from)
        ):
            s["_ds"][decod] = when
        else:
            recon.not_used("DS", f"disposition {decod or '(blank)'} not used", f"row {i} {sid}")
            continue
        recon.imported("DS")
        used_early[sid].append(("DS", i))

    # Screening dates from records of SV or SE (`DOMAIN:VARIABLE@VARIABLE=VALUE`): per source
    # and subject the earliest date, with the record it came from.
    picked: dict[str, dict[str, tuple[dt.date, str, int]]] = defaultdict(dict)
    candidates: set[tuple[str, int]] = set()
    for src in m.screened_from:
        if src.where is None:
            continue
        var, want = src.where
        for i, r in rows(src.domain):
            if not _same(r.get(var), want):
                continue
            sid = usub_to_sid.get(_text(r.get("USUBJID")) or "")
            if sid is None:
                continue  # counted when the domain's own loop meets it
            candidates.add((src.domain, i))
            got = mp.date(src.domain, i, src.what.upper(), r.get(src.what.upper()), sid)
            if isinstance(got, dt.date):
                best = picked[src.text].get(sid)
                if best is None or got < best[0]:
                    picked[src.text][sid] = (got, src.domain, i)
    screening_record: dict[str, tuple[str, int]] = {}  # the record a screening date came from

    # SE: the first treatment element.
    first_treatment: dict[str, dt.date] = {}
    deferred: list[tuple[int, str, str]] = []  # screening elements, counted once resolved
    for i, r in rows("SE"):
        sid = subject_of("SE", i, r)
        if sid is None:
            continue
        etcd = (_text(r.get("ETCD")) or "").upper()
        if etcd in m.se_non_treatment:
            if ("SE", i) in candidates:
                deferred.append((i, sid, etcd))
            else:
                recon.not_used("SE", f"element {etcd} is not treatment", f"row {i} {sid}")
            continue
        when = mp.date("SE", i, "SESTDTC", r.get("SESTDTC"), sid)
        if not isinstance(when, dt.date):
            recon.skip("SE", f"SESTDTC {when or 'empty'}", f"row {i} {sid}")
            continue
        if sid not in first_treatment or when < first_treatment[sid]:
            first_treatment[sid] = when
        recon.imported("SE")
        used_early[sid].append(("SE", i))

    def resolve(s: dict[str, Any], sources: tuple[Source, ...], what: str) -> dt.date | None:
        """The first source with a date wins; a later one is counted as a fallback."""
        sid = s["subject_id"]
        for src in sources:
            got: dt.date | None = None
            record: tuple[str, int] | None = None
            if not src.domain:
                got = s.get(src.what)
            elif src.domain == "DS":
                got = s["_ds"].get("SCREEN" if src.what == "screen_failure" else src.what.upper())
            elif src.domain == "SE" and src.what == "first_treatment":
                got = first_treatment.get(sid)
            elif src.where is not None:
                hit = picked.get(src.text, {}).get(sid)
                if hit is not None:
                    got, record = hit[0], (hit[1], hit[2])
            elif src.domain == "DM" and src.what.upper() in s["_dm"]:
                key = src.what.upper()
                value = mp.date("DM", dm_row[sid], key, s["_dm"].get(key), sid)
                if isinstance(value, str):
                    recon.skip("DM", f"{key} {value}", f"row {dm_row[sid]} {sid}")
                elif value is not None:
                    got = value
            if got is None:
                continue
            if src is not sources[0]:
                recon.fallback("DM", f"{what} from {src.text} (no {sources[0].text})", sid)
            if record is not None:
                screening_record[sid] = record
            return got
        return None

    for sid, s in list(subjects.items()):
        row = dm_row[sid]
        s["consented_on"] = resolve(s, m.consent_from, "consent")
        mapped = m.arms.get(s["_arm_code"])
        if s["eligible"]:
            s["randomized_on"] = resolve(s, m.randomized_from, "randomization")
            if s["randomized_on"] is None:
                if s["_arm_code"]:
                    drop(
                        sid,
                        "arm but no randomization date ("
                        + ", ".join(x.text for x in m.randomized_from)
                        + ")",
                    )
                    continue
                s["eligible"] = False
                s["screen_failure_reason"] = s["screen_failure_reason"] or "not randomized"
            else:
                # An arm code the mapping does not know is kept as recorded: the data-quality
                # page lists it (unknown arm) instead of the subject vanishing.
                s["arm"] = mapped or s["_arm_code"] or None
                actual = m.arms.get(s["_actual_code"])
                if actual:
                    s["actual_arm"] = actual
                elif s["_actual_code"]:
                    recon.impute(
                        "DM",
                        f"actual arm {s['_actual_code']} not in the mapping: "
                        "counted in the randomized arm",
                        f"row {row} {sid}",
                    )
        s["screened_on"] = resolve(s, m.screened_from, "screening")
        if s["screened_on"] is None:
            drop(sid, "no screening date (" + ", ".join(x.text for x in m.screened_from) + ")")
            continue
        recon.imported("DM")
    for i, sid, etcd in deferred:
        if sid not in subjects:
            recon.skip("SE", "subject skipped in DM", f"row {i} {sid}")
        elif screening_record.get(sid) == ("SE", i):
            recon.imported("SE")
        else:
            recon.not_used(
                "SE", f"element {etcd}: screening date from another source", f"row {i} {sid}"
            )

    def kept_rows(domain: str) -> Iterator[tuple[int, dict[str, Any], str]]:
        """Rows of a domain whose subject was imported from DM and kept; the others skipped."""
        for i, r in rows(domain):
            sid = subject_of(domain, i, r)
            if sid is None:
                continue
            if sid not in subjects:
                recon.skip(domain, "subject skipped in DM", f"row {i} {sid}")
                continue
            yield i, r, sid

    def day0(sid: str) -> dt.date | None:
        s = subjects.get(sid)
        return None if s is None else s.get(day_zero) or s.get("randomized_on")

    # PR: the procedure (day 0 of some trials) and treated levels.
    levels: dict[str, list[str]] = defaultdict(list)
    for i, r, sid in kept_rows("PR"):
        if (_text(r.get("PRTRT")) or "").upper() not in m.procedure_terms:
            recon.not_used("PR", "procedure not in the mapping", f"row {i} {sid}")
            continue
        when = mp.date("PR", i, "PRSTDTC", r.get("PRSTDTC"), sid)
        if not isinstance(when, dt.date):
            recon.skip("PR", f"PRSTDTC {when or 'empty'}", f"row {i} {sid}")
            continue
        s = subjects[sid]
        if s["procedure_on"] is None or when < s["procedure_on"]:
            s["procedure_on"] = when
        loc = _text(r.get("PRLOC"))
        if loc:
            levels[sid] += [x.strip().upper() for x in loc.split(",") if x.strip()]
        recon.imported("PR")
    for sid, ls in levels.items():
        subjects[sid]["treated_levels"] = ",".join(dict.fromkeys(ls))

    # Visits: attended visits from SV; QS and RS values attach to them.
    assessments: dict[tuple[str, str], dict[str, Any]] = {}

    # TV (trial visits), when delivered, says which visits are scheduled: a visit it lists
    # that the mapping leaves out (a telephone contact 8.1) is not an unscheduled one.
    scheduled: dict[float, str] = {}
    for _i, r in rows("TV"):
        vnum = _number(r.get("VISITNUM"))
        if vnum is not None:
            scheduled.setdefault(vnum, _text(r.get("VISIT")) or f"{vnum:g}")
        recon.not_used(
            "TV", "trial design: read to tell scheduled visits from unscheduled ones", ""
        )

    def visit_code(domain: str, i: int, sid: str, vnum: float | None) -> str | None:
        if vnum is None:
            recon.skip(domain, "no VISITNUM", f"row {i} {sid}")
            return None
        code = m.visits.get(vnum)
        if code is None:
            if "TV" in domains:
                kind = (
                    f"scheduled in TV as {scheduled[vnum]}, not in the mapping"
                    if vnum in scheduled
                    else "unscheduled: not in TV"
                )
            else:
                kind = "unscheduled" if not float(vnum).is_integer() else "not in the mapping"
            recon.not_used(domain, f"visit {vnum:g} ({kind})", f"row {i} {sid}")
        return code

    def assessment(sid: str, code: str, when: dt.date) -> dict[str, Any]:
        row = assessments.setdefault(
            (sid, code),
            {
                "subject_id": sid,
                "visit_code": code,
                "assessed_on": when,
                "nrs": None,
                "pafi": None,
                "omed_mg": None,
            },
        )
        if when < row["assessed_on"]:
            row["assessed_on"] = when
        return row

    for i, r, sid in kept_rows("SV"):
        vnum = _number(r.get("VISITNUM"))
        gave_screening = screening_record.get(sid) == ("SV", i)
        if vnum is not None and vnum in m.baseline_visitnum:
            if gave_screening:
                recon.imported("SV")
            else:
                recon.not_used("SV", "baseline visit (not a follow-up visit)", f"row {i} {sid}")
            continue
        if gave_screening and m.visits.get(vnum or -1.0) is None:
            recon.imported("SV")  # the screening visit: its date is the screening date
            continue
        code = visit_code("SV", i, sid, vnum)
        if code is None:
            continue
        when = mp.date("SV", i, "SVSTDTC", r.get("SVSTDTC"), sid)
        if not isinstance(when, dt.date):
            recon.skip("SV", f"SVSTDTC {when or 'empty'}", f"row {i} {sid}")
            continue
        assessment(sid, code, when)
        recon.imported("SV")

    for i, r, sid in kept_rows("QS"):
        col = m.qs.get((_text(r.get("QSTESTCD")) or "").upper())
        if col is None:
            recon.not_used("QS", "test code not in the mapping", f"row {i} {sid}")
            continue
        value = _number(r.get("QSSTRESN"))
        if value is None:
            value = _number(r.get("QSORRES"))
        if value is None:
            recon.skip("QS", "no numeric result", f"row {i} {sid}")
            continue
        vnum = _number(r.get("VISITNUM"))
        if vnum is not None and vnum in m.baseline_visitnum:
            subjects[sid][f"baseline_{col}"] = value
            recon.imported("QS")
            continue
        code = visit_code("QS", i, sid, vnum)
        if code is None:
            continue
        when = mp.date("QS", i, "QSDTC", r.get("QSDTC"), sid)
        if not isinstance(when, dt.date):
            recon.skip("QS", f"QSDTC {when or 'empty'}", f"row {i} {sid}")
            continue
        if m.visits_from_sv and "SV" in domains and (sid, code) not in assessments:
            recon.impute("QS", "visit not in SV: attended on the QS date", f"row {i} {sid}")
        assessment(sid, code, when)[col] = value
        recon.imported("QS")

    imaging: dict[tuple[str, str], dict[str, Any]] = {}
    for i, r, sid in kept_rows("RS"):
        if (_text(r.get("RSTESTCD")) or "").upper() not in m.rs_testcd:
            recon.not_used("RS", "test code not in the mapping", f"row {i} {sid}")
            continue
        code = visit_code("RS", i, sid, _number(r.get("VISITNUM")))
        if code is None:
            continue
        when = mp.date("RS", i, "RSDTC", r.get("RSDTC"), sid)
        response = (_text(r.get("RSSTRESC")) or _text(r.get("RSORRES")) or "").upper()
        if not isinstance(when, dt.date) or not response:
            recon.skip("RS", "no date or no result", f"row {i} {sid}")
            continue
        imaging[(sid, code)] = {
            "subject_id": sid,
            "visit_code": code,
            "imaged_on": when,
            "modality": _text(r.get("RSMETHOD")),
            "mda_response": response,
        }
        recon.imported("RS")

    # SUPPAE qualifiers keyed by subject and AESEQ.
    supp_ae: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    wanted_ae = {q: col for col, q in m.supp.get("adverse_events", {}).items()}
    flag = _emergent_form(m.emergent_from) if m.emergent_from else None
    if flag is not None and flag[0] == "supp":
        wanted_ae[flag[1]] = "_emergent"
    first_dose: dict[str, dt.date] = {}  # onset>=EX or PR: each subject's first record
    if flag is not None and flag[0] in ("ex", "pr"):
        domain = flag[0].upper()
        for _i, r in rows(domain):
            if domain == "PR" and (_text(r.get("PRTRT")) or "").upper() not in m.procedure_terms:
                continue
            begun = parse_partial(r.get(f"{domain}STDTC"))
            who = usub_to_sid.get(_text(r.get("USUBJID")) or "")
            if isinstance(begun, PartialDate) and who is not None:
                d = begun.first()
                first_dose[who] = min(first_dose.get(who, d), d)

    def _emergent(
        how: tuple[str, str] | None,
        supp_value: str | None,
        r: dict[str, Any],
        onset: dt.date,
        sid: str,
        where: str,
    ) -> bool | None:
        """The event's treatment-emergent flag as the mapping says to read it (None: unsaid)."""
        if how is None:
            return None
        kind, name = how
        if kind in ("supp", "ae"):
            value = (supp_value if kind == "supp" else _text(r.get(name))) or ""
            if value.upper() in ("Y", "N"):
                return value.upper() == "Y"
            recon.impute("AE", f"{m.emergent_from} {value or 'blank'}: counted as emergent", where)
            return None
        ref: dt.date | None = None
        if kind in ("ex", "pr"):
            ref = first_dose.get(sid)
        else:
            got = mp.date("DM", dm_row[sid], name, subjects[sid]["_dm"].get(name), sid)
            ref = got if isinstance(got, dt.date) else None
        if ref is None:
            recon.impute("AE", f"{m.emergent_from}: no first-dose date, counted as emergent", where)
            return None
        return onset >= ref

    for i, r in rows("SUPPAE"):
        sid = subject_of("SUPPAE", i, r)
        if sid is None:
            continue
        q = (_text(r.get("QNAM")) or "").upper()
        if q not in wanted_ae or (_text(r.get("IDVAR")) or "").upper() != "AESEQ":
            recon.not_used("SUPPAE", f"qualifier {q} not in the mapping", f"row {i} {sid}")
            continue
        seq = _number(r.get("IDVARVAL"))
        supp_ae[(sid, f"{seq:g}" if seq is not None else "")][wanted_ae[q]] = (
            _text(r.get("QVAL")) or ""
        )
        recon.imported("SUPPAE")

    aes: list[dict[str, Any]] = []
    for i, r, sid in kept_rows("AE"):
        grade, scale = None, None
        for var in m.grade_from:
            raw = _text(r.get(var))
            if raw is None:
                continue
            if var == "AESEV":
                grade = m.severity.get(raw.upper())
                scale = "severity"
            else:
                n = _number(raw)
                grade = int(n) if n is not None and n.is_integer() else None
                scale = "ctcae"
            if grade is not None:
                break
        term = _text(r.get("AEDECOD")) or _text(r.get("AETERM"))
        onset = mp.date("AE", i, "AESTDTC", r.get("AESTDTC"), sid, floor=day0(sid))
        if term is None:
            recon.skip("AE", "no term", f"row {i} {sid}")
            continue
        if grade is None:
            recon.skip("AE", "no grade (AETOXGR) and no mapped severity (AESEV)", f"row {i} {sid}")
            continue
        if not isinstance(onset, dt.date):
            recon.skip("AE", f"AESTDTC {onset or 'empty'}", f"row {i} {sid}")
            continue
        resolved = mp.date("AE", i, "AEENDTC", r.get("AEENDTC"), sid, end=True)
        reported = mp.date("AE", i, "AEDTC", r.get("AEDTC"), sid)
        seq = _number(r.get("AESEQ"))
        where = f"row {i} {sid}"
        relation: str | None = None
        if "AEREL" in r:
            raw_rel = (_text(r.get("AEREL")) or "").upper()
            relation = m.relation.get(raw_rel)
            if not raw_rel:
                recon.impute("AE", "AEREL blank: no attribution", where)
            elif relation is None:
                recon.impute("AE", f"AEREL {raw_rel} not in the mapping: no attribution", where)
        outcome: str | None = None
        if "AEOUT" in r:
            raw_out = (_text(r.get("AEOUT")) or "").upper()
            outcome = m.outcome.get(raw_out)
            if raw_out and outcome is None:
                recon.impute("AE", f"AEOUT {raw_out} not in the mapping: no outcome", where)
        event: dict[str, Any] = {
            "ae_id": len(aes) + 1,
            "subject_id": sid,
            "term": term,
            "soc": _text(r.get("AEBODSYS")),
            "grade": grade,
            "grade_scale": scale,
            "serious": (_text(r.get("AESER")) or "N").upper() == "Y",
            "attribution": relation,
            "onset_on": onset,
            "resolved_on": resolved if isinstance(resolved, dt.date) else None,
            "outcome": outcome,
            "reported_on": reported if isinstance(reported, dt.date) else None,
        }
        event.update(supp_ae.get((sid, f"{seq:g}" if seq is not None else ""), {}))
        event["emergent"] = _emergent(flag, event.pop("_emergent", None), r, onset, sid, where)
        aes.append(event)
        recon.imported("AE")

    # SUPPDM qualifiers onto subjects.
    wanted_dm = {q: col for col, q in m.supp.get("subjects", {}).items()}
    for i, r in rows("SUPPDM"):
        sid = subject_of("SUPPDM", i, r)
        if sid is None:
            continue
        q = (_text(r.get("QNAM")) or "").upper()
        if q not in wanted_dm:
            recon.not_used("SUPPDM", f"qualifier {q} not in the mapping", f"row {i} {sid}")
            continue
        if sid not in subjects:
            recon.skip("SUPPDM", "subject skipped in DM", f"row {i} {sid}")
            continue
        subjects[sid][wanted_dm[q]] = _text(r.get("QVAL"))
        recon.imported("SUPPDM")

    courses: dict[str, dict[str, Any]] = {}
    for i, r, sid in kept_rows("EX"):
        if (_text(r.get("EXTRT")) or "").upper() not in m.sbrt_terms:
            recon.not_used("EX", "treatment not in the mapping", f"row {i} {sid}")
            continue
        start = mp.date("EX", i, "EXSTDTC", r.get("EXSTDTC"), sid)
        if not isinstance(start, dt.date):
            recon.skip("EX", f"EXSTDTC {start or 'empty'}", f"row {i} {sid}")
            continue
        end = mp.date("EX", i, "EXENDTC", r.get("EXENDTC"), sid, end=True)
        end = end if isinstance(end, dt.date) else start
        dose = _number(r.get("EXDOSE")) or 0.0
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
        c["started_on"] = min(c["started_on"], start)
        c["completed_on"] = max(c["completed_on"], end)
        c["fractions"] += 1
        c["total_dose_gy"] += dose
        recon.imported("EX")

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
    return tables, mp.problems, recon


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return df.astype(object).apply(lambda col: col.map(one))


def import_sdtm(
    folder: str | Path,
    url: str,
    mapping_file: str | Path,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
    codes: TrialCodes | None = None,
) -> ImportReport:
    """Map the SDTM datasets of a folder and load them, all or nothing.

    `codes`: the protocol's centers, arms, visits and day 0; the mapping may map onto these
    only (without them the codes are not checked, and day 0 is the randomization).
    """
    base = Path(folder)
    if not base.is_dir():
        raise ImportRejected([Problem(str(base), None, None, "is not a folder")])
    mapping = load_mapping(mapping_file, codes)
    domains, names, others = _read_domains(base)
    data_date = as_of or dt.date.today()
    tables, problems, recon = build_tables(
        domains, names, mapping, data_date, codes.day_zero if codes else "randomized_on", others
    )
    checked = validate_bundle(
        {k: _as_text(v) for k, v in tables.items()}, {k: f"{k} (mapped from SDTM)" for k in tables}
    )
    problems += checked.problems
    if checked.errors:
        raise ImportRejected(problems, recon)
    meta = {
        "as_of": data_date.isoformat(),
        "source": f"sdtm {base.resolve()}",
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out = {t.name: checked.tables[t.name] for t in CONTRACT_TABLES}
    return finish(url, out, meta, problems, recon, options or ImportOptions(), progress)

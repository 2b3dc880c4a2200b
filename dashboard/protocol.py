"""Loads the protocol file (the trial's plan) into frozen dataclasses; bad keys fail loudly.

The file describes any parallel-group trial: 2-6 arms with their labels, colours and allocation
ratio, 1-100 centers with targets, the visit schedule and which measures each visit collects,
and, where they apply, a treatment-delivery check (`[sbrt]`), eligibility rules and events of
interest. Sections that do not apply are left out. Nothing about one trial is hard-coded
elsewhere: another trial is another protocol file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.palette import arm_default, center_dash, center_default, center_pattern
from data_access.tomlkeys import KeyLog, describe, unknown_keys

DEFAULT_PROTOCOL_FILE = Path(__file__).with_name("protocol.toml")

# Vertebral levels in cranio-caudal order; eligibility bounds are positions in this list.
VERTEBRAL_LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)
# What a visit can collect: pain (NRS), analgesics (OMED), function (PAFI), imaging (MDA).
MEASURES: tuple[str, ...] = ("nrs", "omed", "pafi", "imaging")
MAX_ARMS = 6
MAX_CENTERS = 100


# Who sees what (the protocol's [access] section): the roles given each kind of information.
ROLE_NAMES: tuple[str, ...] = ("pi", "monitor", "site", "committee", "dmc")
ACCESS_DEFAULTS: dict[str, tuple[str, ...]] = {
    # Outcomes by arm: pain, function, local control, their differences and tests.
    "comparisons": ("pi", "dmc", "committee"),
    # Allocation details: block sizes, per-center balance, allocation counts by center.
    "allocation": ("pi", "dmc"),
    # Adverse events by arm.
    "safety_by_arm": ("pi", "dmc", "committee", "monitor"),
}


@dataclass(frozen=True)
class Access:
    """Which roles see comparisons by arm, allocation details and safety by arm."""

    comparisons: tuple[str, ...] = ACCESS_DEFAULTS["comparisons"]
    allocation: tuple[str, ...] = ACCESS_DEFAULTS["allocation"]
    safety_by_arm: tuple[str, ...] = ACCESS_DEFAULTS["safety_by_arm"]

    def allows(self, kind: str, role: str | None) -> bool:
        """Whether a role may see this kind of information (no role: the CLI's full view)."""
        return role is None or role in getattr(self, kind)


# Central monitoring (the protocol's [risk] section and [[qtl]] tables).
KRI_CODES: tuple[str, ...] = (
    "ae_rate",
    "sae_rate",
    "grade3_rate",
    "missed_visits",
    "out_of_window",
    "major_deviations",
    "discontinued",
    "screen_failures",
    "ae_lag",
    "open_findings",
    "finding_age",
)
QTL_MEASURES: tuple[str, ...] = (
    "primary_missing",
    "major_deviation_subjects",
    "not_treated",
    "discontinued",
    "missed_visits",
)
RISK_METHODS = ("auto", "normal", "exact")


@dataclass(frozen=True)
class Qtl:
    """A quality tolerance limit: a study-level measure and the share it must not exceed."""

    measure: str
    limit: float


@dataclass(frozen=True)
class RiskRules:
    """How centers are scored (gsm's defaults) and which indicators and limits apply."""

    kris: tuple[str, ...] = KRI_CODES
    method: str = "auto"
    min_centers: int = 10  # auto: the normal approximation from this many centers with data
    amber: float = 2.0  # |z| (gsm's default thresholds -3, -2, 2, 3)
    red: float = 3.0
    lag_days: tuple[float, float] = (14.0, 30.0)  # median reporting lag: amber, red
    finding_age_days: tuple[float, float] = (30.0, 60.0)  # median age of open findings
    qtls: tuple[Qtl, ...] = (
        Qtl("primary_missing", 0.15),
        Qtl("major_deviation_subjects", 0.10),
        Qtl("not_treated", 0.05),
    )


class ProtocolError(ValueError):
    """The protocol file is missing, unreadable, or has a wrong or missing key."""


@dataclass(frozen=True)
class Center:
    """A recruiting center and its plan, with its fixed colour and line dash."""

    code: str
    name: str
    short_name: str
    target: int
    planned_first_enrollment: dt.date
    planned_last_enrollment: dt.date
    colour: str
    dash: str = "solid"
    pattern: str = ""
    main: bool = False


@dataclass(frozen=True)
class Arm:
    """A randomized arm, named by its treatment, with its fixed colour and allocation weight."""

    code: str
    label: str
    label_zh: str
    colour: str
    ratio: int = 1

    def name(self, lang: str) -> str:
        """The arm's label in a language."""
        return self.label_zh if lang == "zh" else self.label


@dataclass(frozen=True)
class Visit:
    """A scheduled follow-up visit: target day from day 0, its window and what it collects."""

    code: str
    label: str
    label_zh: str
    day: int
    window_before: int
    window_after: int
    collects: tuple[str, ...]

    @property
    def opens_day(self) -> int:
        """First day (from day 0) of the window."""
        return self.day - self.window_before

    @property
    def closes_day(self) -> int:
        """Last day (from day 0) of the window."""
        return self.day + self.window_after


@dataclass(frozen=True)
class Eligibility:
    """Eligibility rules the data-quality checks compare against (None: not checked)."""

    min_baseline_nrs: int | None = None
    highest_level: str | None = None
    lowest_level: str | None = None
    max_treated_levels: int | None = None
    max_imaging_days_before_enrollment: int | None = None


@dataclass(frozen=True)
class Sbrt:
    """The treatment-delivery check: which arm gets SBRT, allowed schemes, when it is due."""

    arm: str
    allowed_schemes: tuple[tuple[float, int], ...]
    planned_start_day: int
    late_start_day: int
    missing_after_days: int
    # The arm a subject of `arm` counts in as treated when SBRT was never given (as-treated
    # safety population); by default the other arm of a two-arm trial, else none.
    without_arm: str | None = None


@dataclass(frozen=True)
class Protocol:
    """The whole plan of the trial."""

    title: str
    short_title: str
    total_target: int
    day_zero: str
    block_sizes: tuple[int, ...]
    prior_weight: float
    forecast_interval: float
    centers: tuple[Center, ...]
    arms: tuple[Arm, ...]
    visits: tuple[Visit, ...]
    sbrt: Sbrt | None = None
    eligibility: Eligibility = Eligibility()
    nrs_ni_margin: float | None = None
    km_risk_months: tuple[int, ...] = (0, 3, 6, 9, 12)
    events_of_interest: tuple[tuple[str, tuple[str, ...]], ...] = ()
    title_zh: str = ""
    headline_visit_code: str | None = None
    # name -> (English label, Chinese label) of each event of interest.
    interest_labels: tuple[tuple[str, str, str], ...] = ()
    # recorded screen-failure reason -> (English, Chinese) wording
    reason_labels: tuple[tuple[str, str, str], ...] = ()
    # Enrolment closed on this date (None: open, unless nobody was randomized for idle_days).
    enrolment_closed_on: dt.date | None = None
    # Days without a randomization after which a center is stalled (no forecast) and, for the
    # whole trial, enrolment is taken as closed.
    idle_days: int = 180
    # The longest forecast shown as dates.
    forecast_horizon_days: int = 5 * 365
    # A center (or the total) is on track at this share of its plan by now or more.
    on_track_share: float = 0.9
    access: Access = Access()
    risk: RiskRules = RiskRules()
    # Set on a protocol whose arms are pooled into one (a role that may not compare arms):
    # the arm codes that went into it.
    pooled_from: tuple[str, ...] = ()

    @property
    def center_codes(self) -> tuple[str, ...]:
        """Center codes in protocol order."""
        return tuple(c.code for c in self.centers)

    @property
    def arm_codes(self) -> tuple[str, ...]:
        """Arm codes in protocol order."""
        return tuple(a.code for a in self.arms)

    @property
    def visit_codes(self) -> tuple[str, ...]:
        """Visit codes in schedule order."""
        return tuple(v.code for v in self.visits)

    @property
    def ratio(self) -> tuple[int, ...]:
        """The allocation ratio, one weight per arm in protocol order."""
        return tuple(a.ratio for a in self.arms)

    def center(self, code: str) -> Center:
        """The center with this code."""
        for c in self.centers:
            if c.code == code:
                return c
        raise KeyError(code)

    def arm(self, code: str) -> Arm:
        """The arm with this code."""
        for a in self.arms:
            if a.code == code:
                return a
        raise KeyError(code)

    def arm_label(self, code: object, lang: str) -> str:
        """The label of an arm code; an unknown code as recorded, no arm as '–'."""
        if code is None or str(code) in ("", "nan", "<NA>", "None"):
            return "–"
        for a in self.arms:
            if a.code == str(code):
                return a.name(lang)
        return str(code)

    def reason_label(self, reason: str, lang: str) -> str:
        """A recorded screen-failure reason in a language (as recorded when not listed)."""
        for text, en, zh in self.reason_labels:
            if text == reason:
                return zh if lang == "zh" and zh else en
        from dashboard.i18n import MESSAGES, t

        key = f"reason.{reason}"  # the dashboard's own codes ("not recorded")
        return t(key, lang) if key in MESSAGES else reason

    def interest_label(self, name: str, lang: str) -> str:
        """The label of an event-of-interest category, from the protocol file."""
        for code, en, zh in self.interest_labels:
            if code == name:
                return zh if lang == "zh" and zh else en
        return name.replace("_", " ")

    def arm_colour(self, code: str) -> str:
        """The arm's fixed colour (grey for a code the protocol does not know)."""
        for a in self.arms:
            if a.code == code:
                return a.colour
        return "#8c959f"

    def center_colour(self, code: str) -> str:
        """The center's fixed colour, whatever the filter."""
        for c in self.centers:
            if c.code == code:
                return c.colour
        return "#8c959f"

    def center_pattern(self, code: str) -> str:
        """The center's fixed bar pattern ('' for the first nine centers)."""
        for c in self.centers:
            if c.code == code:
                return c.pattern
        return ""

    def center_line_dash(self, code: str) -> str:
        """The center's fixed line dash."""
        for c in self.centers:
            if c.code == code:
                return c.dash
        return "solid"

    def visit_label(self, code: str, lang: str) -> str:
        """The visit's label in a language ('Week 1'), or the code."""
        for v in self.visits:
            if v.code == code:
                return v.label_zh if lang == "zh" else v.label
        return code

    def visits_collecting(self, measure: str) -> tuple[str, ...]:
        """Codes of the visits that collect a measure, in schedule order."""
        return tuple(v.code for v in self.visits if measure in v.collects)

    def collects(self, measure: str) -> bool:
        """Whether any visit of the schedule collects the measure."""
        return bool(self.visits_collecting(measure))

    def headline_visit(self, measure: str) -> str | None:
        """The visit the headline numbers of a measure show.

        The configured one when it collects the measure, else the first visit at or after
        about three months that does, else the last that does.
        """
        codes = self.visits_collecting(measure)
        if not codes:
            return None
        if self.headline_visit_code in codes:
            return self.headline_visit_code
        days = {v.code: v.day for v in self.visits}
        later = [c for c in codes if days[c] >= 84]
        return later[0] if later else codes[-1]

    def pair_bound(self, a: str, b: str) -> int:
        """Largest |n_a * r_b - n_b * r_a| permuted blocks allow within one stratum.

        Within a block of size B (a multiple of R = sum of the ratio) arm a gets r_a * B / R
        places; the weighted difference is largest when all of a's places come first, so it
        is r_a * r_b * B / R; completed blocks bring it back to 0. For 1:1 and blocks of up to
        4 that is 2: the arm counts differ by at most 2.
        """
        ra, rb = self.arm(a).ratio, self.arm(b).ratio
        total = sum(self.ratio)
        return max(ra * rb * size // total for size in self.block_sizes)


class _Reader:
    """Reads typed values from a TOML table, naming the full key path in every error.

    Every key asked for is logged (`log`), so that a key the file has and no reader asked
    for is reported as unknown, with the nearest known one (data_access.tomlkeys).
    """

    def __init__(
        self,
        source: str,
        data: dict[str, Any],
        path: str = "",
        log: KeyLog | None = None,
        optional: bool = False,
    ) -> None:
        self.source = source
        self.data = data
        self.path = path
        self.log = log if log is not None else KeyLog()
        self.optional = optional

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> ProtocolError:
        return ProtocolError(f"{self.source}: key '{self._key(key)}' {problem}")

    def missing(self, key: str) -> ProtocolError:
        """A required key is missing: say what is near it, and whether its table is optional."""
        near = difflib.get_close_matches(key, [str(k) for k in self.data], n=1, cutoff=0.6)
        problem = "is missing"
        if near:
            problem += f" (the table has '{near[0]}': a misspelling?)"
        if self.optional:
            problem += (
                f"; the whole [{self.path}] table is optional: leave it out if the trial "
                "does without it"
            )
        return self.fail(key, problem)

    def has(self, key: str) -> bool:
        self.log.ask(self._key(key))
        return key in self.data

    def raw(self, key: str, default: Any = ...) -> Any:
        self.log.ask(self._key(key))
        if key not in self.data:
            if default is ...:
                raise self.missing(key)
            return default
        return self.data[key]

    def open_table(self, key: str) -> None:
        """A table whose keys are data (reasons, category names), checked by its reader."""
        self.log.open_table(self._key(key))

    def text(self, key: str, default: Any = ...) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, got {value!r}")
        return value

    def whole(self, key: str, minimum: int | None = None, default: Any = ...) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def optional_whole(self, key: str, minimum: int = 0) -> int | None:
        return self.whole(key, minimum) if self.has(key) else None

    def number(self, key: str, lo: float, hi: float, default: Any = ...) -> float:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, got {value!r}")
        if not lo <= value <= hi:
            raise self.fail(key, f"must be between {lo} and {hi}, got {value}")
        return float(value)

    def date(self, key: str) -> dt.date:
        value = self.raw(key)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"must be an ISO date (YYYY-MM-DD), got {value!r}")

    def flag(self, key: str, default: Any = ...) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def colour(self, key: str, default: str) -> str:
        value = self.raw(key, default)
        if not (isinstance(value, str) and len(value) == 7 and value.startswith("#")):
            raise self.fail(key, f"must be a #RRGGBB colour, got {value!r}")
        try:
            int(value[1:], 16)
        except ValueError:
            raise self.fail(key, f"must be a #RRGGBB colour, got {value!r}") from None
        return value.upper()

    def table(self, key: str, optional: bool = False) -> _Reader:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return _Reader(self.source, value, self._key(key), self.log, optional)

    def absent(self, key: str) -> _Reader:
        """An optional table the file leaves out: every key takes its default."""
        self.log.ask(self._key(key))
        return _Reader(self.source, {}, self._key(key), self.log, True)

    def tables(self, key: str) -> list[_Reader]:
        value = self.raw(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "must be a non-empty array of tables ([[...]])")
        return [
            _Reader(self.source, v, f"{self._key(key)}[{i}]", self.log) for i, v in enumerate(value)
        ]


def _unique(reader: _Reader, key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise reader.fail(key, f"has the code {code!r} twice")
        seen.add(code)


def _centers(root: _Reader) -> tuple[Center, ...]:
    centers: list[Center] = []
    readers = root.tables("centers")
    if len(readers) > MAX_CENTERS:
        raise root.fail("centers", f"lists {len(readers)} centers; at most {MAX_CENTERS}")
    for i, c in enumerate(readers):
        first, last = c.date("planned_first_enrollment"), c.date("planned_last_enrollment")
        if last <= first:
            raise c.fail("planned_last_enrollment", "must be after planned_first_enrollment")
        code = c.text("code").upper()
        centers.append(
            Center(
                code=code,
                name=c.text("name"),
                short_name=c.text("short_name", default=code),
                target=c.whole("target", minimum=1),
                planned_first_enrollment=first,
                planned_last_enrollment=last,
                colour=c.colour("colour", center_default(i)),
                dash=center_dash(i),
                pattern=center_pattern(i),
                main=c.flag("main", default=False),
            )
        )
    _unique(root, "centers", [c.code for c in centers])
    return tuple(centers)


def _arms(root: _Reader, rand: _Reader) -> tuple[Arm, ...]:
    readers = root.tables("arms")
    if not 2 <= len(readers) <= MAX_ARMS:
        raise root.fail("arms", f"must list 2 to {MAX_ARMS} arms, got {len(readers)}")
    ratio = rand.raw("ratio", [1] * len(readers))
    if (
        not isinstance(ratio, list)
        or len(ratio) != len(readers)
        or any(isinstance(r, bool) or not isinstance(r, int) or r < 1 for r in ratio)
    ):
        raise rand.fail(
            "ratio",
            f"must list one positive whole number per arm ({len(readers)} arms), got {ratio!r}",
        )
    arms: list[Arm] = []
    for i, (a, r) in enumerate(zip(readers, ratio, strict=True)):
        label = a.text("label")
        arms.append(
            Arm(
                code=a.text("code").upper(),
                label=label,
                label_zh=a.text("label_zh", default=label),
                colour=a.colour("colour", arm_default(i)),
                ratio=r,
            )
        )
    _unique(root, "arms", [a.code for a in arms])
    return tuple(arms)


def _blocks(rand: _Reader, total: int) -> tuple[int, ...]:
    blocks = rand.raw("block_sizes")
    if (
        not isinstance(blocks, list)
        or not blocks
        or any(isinstance(b, bool) or not isinstance(b, int) or b <= 0 or b % total for b in blocks)
    ):
        raise rand.fail(
            "block_sizes",
            f"must be a list of positive multiples of the ratio's sum ({total}), got {blocks!r}",
        )
    return tuple(blocks)


def _visits(root: _Reader) -> tuple[Visit, ...]:
    visits: list[Visit] = []
    for v in root.tables("visits"):
        collects = v.raw("collects", [])
        if not isinstance(collects, list) or not all(isinstance(x, str) for x in collects):
            raise v.fail("collects", "must be a list of strings")
        unknown = [x for x in collects if x not in MEASURES]
        if unknown:
            raise v.fail(
                "collects", f"has unknown measure(s) {unknown}; known: {', '.join(MEASURES)}"
            )
        label = v.text("label")
        visits.append(
            Visit(
                code=v.text("code").upper(),
                label=label,
                label_zh=v.text("label_zh", default=label),
                day=v.whole("day", minimum=1),
                window_before=v.whole("window_before", minimum=0),
                window_after=v.whole("window_after", minimum=0),
                collects=tuple(collects),
            )
        )
    _unique(root, "visits", [v.code for v in visits])
    for prev, nxt in zip(visits, visits[1:], strict=False):
        if nxt.day <= prev.day:
            raise root.fail("visits", f"must be in schedule order ({nxt.code} after {prev.code})")
    return tuple(visits)


def _sbrt(root: _Reader, arm_codes: tuple[str, ...]) -> Sbrt | None:
    if not root.has("sbrt"):
        return None
    sb = root.table("sbrt", optional=True)
    arm = sb.text("arm").upper()
    if arm not in arm_codes:
        raise sb.fail("arm", f"must be one of the arms ({', '.join(arm_codes)}), got {arm!r}")
    schemes_raw = sb.raw("allowed_schemes")
    try:
        schemes = tuple((float(d), int(f)) for d, f in schemes_raw)
    except (TypeError, ValueError):
        raise sb.fail("allowed_schemes", "must be a list of [total_dose_gy, fractions]") from None
    without = sb.text("without_arm").upper() if sb.has("without_arm") else None
    if without is None and len(arm_codes) == 2:
        without = next(a for a in arm_codes if a != arm)
    if without is not None and without not in arm_codes:
        raise sb.fail("without_arm", f"must be one of the arms, got {without!r}")
    return Sbrt(
        without_arm=without,
        arm=arm,
        allowed_schemes=schemes,
        planned_start_day=sb.whole("planned_start_day", minimum=0),
        late_start_day=sb.whole("late_start_day", minimum=0),
        missing_after_days=sb.whole("missing_after_days", minimum=0),
    )


def _pair(reader: _Reader, key: str, default: tuple[float, float]) -> tuple[float, float]:
    value = reader.raw(key, list(default))
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not 0 <= value[0] < value[1]
    ):
        raise reader.fail(key, f"must be [amber, red] with 0 <= amber < red, got {value!r}")
    return float(value[0]), float(value[1])


def _risk(root: _Reader) -> RiskRules:
    base = RiskRules()
    risk = root.table("risk", optional=True) if root.has("risk") else root.absent("risk")
    off = risk.raw("off", [])
    if not isinstance(off, list) or not all(isinstance(k, str) for k in off):
        raise risk.fail("off", "must be a list of indicator codes")
    wrong = [k for k in off if k not in KRI_CODES]
    if wrong:
        raise risk.fail("off", f"has unknown indicator(s) {wrong}; known: {', '.join(KRI_CODES)}")
    method = risk.text("method", default=base.method)
    if method not in RISK_METHODS:
        raise risk.fail("method", f"must be one of {', '.join(RISK_METHODS)}, got {method!r}")
    amber = risk.number("amber", 0.5, 10.0, default=base.amber)
    red = risk.number("red", 0.5, 10.0, default=base.red)
    if red <= amber:
        raise risk.fail("red", f"must be above amber ({amber}), got {red}")
    qtls = base.qtls
    if root.has("qtl"):
        qtls = ()
        for q in root.tables("qtl"):
            measure = q.text("measure")
            if measure not in QTL_MEASURES:
                known = ", ".join(QTL_MEASURES)
                raise q.fail("measure", f"must be one of {known}, got {measure!r}")
            qtls += (Qtl(measure, q.number("limit", 0.0, 1.0)),)
        _unique(root, "qtl", [q.measure for q in qtls])
    return RiskRules(
        kris=tuple(k for k in KRI_CODES if k not in off),
        method=method,
        min_centers=risk.whole("min_centers", minimum=3, default=base.min_centers),
        amber=amber,
        red=red,
        lag_days=_pair(risk, "lag_days", base.lag_days),
        finding_age_days=_pair(risk, "finding_age_days", base.finding_age_days),
        qtls=qtls,
    )


def _access(root: _Reader) -> Access:
    if not root.has("access"):
        return Access()
    acc = root.table("access", optional=True)
    unknown = set(acc.data) - set(ACCESS_DEFAULTS)
    if unknown:
        raise acc.fail(
            sorted(unknown)[0], f"is not an access rule; known: {', '.join(ACCESS_DEFAULTS)}"
        )
    values: dict[str, tuple[str, ...]] = {}
    for kind, default in ACCESS_DEFAULTS.items():
        roles = acc.raw(kind, list(default))
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise acc.fail(kind, "must be a list of roles")
        wrong = [r for r in roles if r not in ROLE_NAMES]
        if wrong:
            raise acc.fail(kind, f"has unknown role(s) {wrong}; roles: {', '.join(ROLE_NAMES)}")
        values[kind] = tuple(roles)
    if "site" in values["allocation"]:
        raise acc.fail(
            "allocation",
            "must not list site: sites must never see allocation details (allocation "
            "concealment: with the block sizes and a center's balance the next allocation "
            "can be guessed)",
        )
    return Access(**values)


def _eligibility(root: _Reader) -> Eligibility:
    if not root.has("eligibility"):
        return Eligibility()
    el = root.table("eligibility", optional=True)
    levels: dict[str, str | None] = {}
    for key in ("highest_level", "lowest_level"):
        levels[key] = el.text(key) if el.has(key) else None
        if levels[key] is not None and levels[key] not in VERTEBRAL_LEVELS:
            raise el.fail(key, f"must be a vertebral level like T5 or L5, got {levels[key]!r}")
    if (levels["highest_level"] is None) != (levels["lowest_level"] is None):
        raise el.fail("lowest_level", "and highest_level must be given together")
    return Eligibility(
        min_baseline_nrs=el.optional_whole("min_baseline_nrs"),
        highest_level=levels["highest_level"],
        lowest_level=levels["lowest_level"],
        max_treated_levels=el.optional_whole("max_treated_levels", minimum=1),
        max_imaging_days_before_enrollment=el.optional_whole("max_imaging_days_before_enrollment"),
    )


def _events_of_interest(
    root: _Reader,
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[str, str, str], ...]]:
    """Categories of events to watch, with their labels (by default the name).

    Either `name = [terms]` or `name = { terms = [...], label = "...", label_zh = "..." }`.
    """
    if not root.has("safety"):
        return (), ()
    safety = root.table("safety", optional=True)
    raw = safety.raw("events_of_interest", {})
    safety.open_table("events_of_interest")
    if not isinstance(raw, dict):
        raise root.fail("safety.events_of_interest", "must be a table of name = [terms]")
    out, labels = [], []
    for name, spec in raw.items():
        key = f"safety.events_of_interest.{name}"
        en = zh = name.replace("_", " ")
        if isinstance(spec, dict):
            unknown = set(spec) - {"terms", "label", "label_zh"}
            if unknown:
                raise root.fail(key, f"unknown keys {sorted(unknown)}")
            terms = spec.get("terms")
            en = str(spec.get("label", en))
            zh = str(spec.get("label_zh", en))
        else:
            terms = spec
        if not isinstance(terms, list) or not all(isinstance(x, str) for x in terms) or not terms:
            raise root.fail(key, "must be a non-empty list of terms")
        out.append((name, tuple(terms)))
        labels.append((name, en, zh))
    return tuple(out), tuple(labels)


def _reason_labels(root: _Reader) -> tuple[tuple[str, str, str], ...]:
    raw = root.raw("screen_failure_reasons", {})
    root.open_table("screen_failure_reasons")
    if not isinstance(raw, dict):
        raise root.fail("screen_failure_reasons", 'must be a table of "reason" = { zh = "..." }')
    out = []
    for reason, spec in raw.items():
        if not isinstance(spec, dict) or not set(spec) <= {"en", "zh"}:
            raise root.fail(f"screen_failure_reasons.{reason}", "must give en and/or zh")
        out.append((str(reason), str(spec.get("en", reason)), str(spec.get("zh", ""))))
    return tuple(out)


def parse_protocol(
    data: dict[str, Any], source: str = "protocol", log: KeyLog | None = None
) -> Protocol:
    """Build a Protocol from parsed TOML, raising ProtocolError that names the bad key.

    `log` collects every key the reader asks for (the format reference is checked with it).
    """
    root = _Reader(source, data, log=log)
    trial = root.table("trial")
    rand = root.table("randomization")
    recr = (
        root.table("recruitment", optional=True)
        if root.has("recruitment")
        else root.absent("recruitment")
    )
    centers = _centers(root)
    arms = _arms(root, rand)
    blocks = _blocks(rand, sum(a.ratio for a in arms))
    strata = rand.raw("stratified_by", "center")
    if strata != "center":
        raise rand.fail(
            "stratified_by",
            f'must be "center" (the balance is checked within each center), got {strata!r}',
        )
    visits = _visits(root)
    interest, interest_labels = _events_of_interest(root)

    total = trial.whole("total_target", minimum=1)
    if total != sum(c.target for c in centers):
        raise trial.fail(
            "total_target",
            f"is {total} but the centers' targets add up to {sum(c.target for c in centers)}",
        )
    day_zero = trial.text("day_zero", default="randomized_on")
    if day_zero not in ("procedure_on", "randomized_on"):
        raise trial.fail("day_zero", f"must be procedure_on or randomized_on, got {day_zero!r}")

    out = root.table("outcomes", optional=True) if root.has("outcomes") else root.absent("outcomes")
    margin = out.number("nrs_ni_margin", 0.0, 10.0) if out.has("nrs_ni_margin") else None
    risk = out.raw("km_risk_months", [0, 3, 6, 9, 12])
    if (
        not isinstance(risk, list)
        or not risk
        or not all(isinstance(x, int) and x >= 0 for x in risk)
    ):
        raise out.fail("km_risk_months", "must be a non-empty list of whole months")
    headline = out.text("headline_visit").upper() if out.has("headline_visit") else None
    if headline is not None and headline not in {v.code for v in visits}:
        raise out.fail("headline_visit", f"must be one of the visit codes, got {headline!r}")

    title = trial.text("title")
    protocol = Protocol(
        title=title,
        title_zh=trial.text("title_zh", default=title),
        short_title=trial.text("short_title", default=title),
        total_target=total,
        day_zero=day_zero,
        block_sizes=blocks,
        prior_weight=recr.number("prior_weight", 0.0, 1.0, default=0.1),
        forecast_interval=recr.number("forecast_interval", 0.5, 0.99, default=0.8),
        enrolment_closed_on=recr.date("closed_on") if recr.has("closed_on") else None,
        idle_days=recr.whole("idle_days", minimum=30, default=180),
        forecast_horizon_days=months_to_days(
            recr.whole("forecast_horizon_months", minimum=6, default=60)
        ),
        on_track_share=recr.number("on_track_share", 0.5, 1.0, default=0.9),
        centers=centers,
        arms=arms,
        visits=visits,
        sbrt=_sbrt(root, tuple(a.code for a in arms)),
        eligibility=_eligibility(root),
        nrs_ni_margin=margin,
        km_risk_months=tuple(risk),
        events_of_interest=interest,
        interest_labels=interest_labels,
        reason_labels=_reason_labels(root),
        headline_visit_code=headline,
        access=_access(root),
        risk=_risk(root),
    )
    unknown = unknown_keys(data, root.log)
    if unknown:
        raise ProtocolError(
            f"{source}: "
            + " ".join(describe(unknown, "protocol file"))
            + " Every key is described in docs/FORMATS.md."
        )
    return protocol


def load_protocol(path: str | Path | None = None, log: KeyLog | None = None) -> Protocol:
    """Read and validate a protocol file (default: the one shipped with the package)."""
    file = Path(path) if path else DEFAULT_PROTOCOL_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError(f"{file}: cannot read the protocol file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{file}: not valid TOML ({exc})") from None
    return parse_protocol(data, str(file), log)


@lru_cache(maxsize=8)
def cached_protocol(path: str | None = None) -> Protocol:
    """The protocol for a path, parsed once per process (the file is read-only at run time)."""
    return load_protocol(path)


def months_to_days(months: float) -> int:
    """Whole days in a number of months (30.4375 days each)."""
    return int(math.floor(months * 30.4375 + 0.5))

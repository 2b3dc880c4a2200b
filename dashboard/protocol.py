"""Loads the protocol file (the trial's plan) into frozen dataclasses; bad keys fail loudly."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_PROTOCOL_FILE = Path(__file__).with_name("protocol.toml")

# Vertebral levels in cranio-caudal order; eligibility bounds are positions in this list.
VERTEBRAL_LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)


class ProtocolError(ValueError):
    """The protocol file is missing, unreadable, or has a wrong or missing key."""


@dataclass(frozen=True)
class Center:
    """A recruiting center and its plan."""

    code: str
    name: str
    short_name: str
    target: int
    planned_first_enrollment: dt.date
    planned_last_enrollment: dt.date
    main: bool = False


@dataclass(frozen=True)
class Arm:
    """A randomized arm, named by its treatment, with its fixed colour."""

    code: str
    label: str
    colour: str


@dataclass(frozen=True)
class Visit:
    """A scheduled follow-up visit: target day from day 0 and its window."""

    code: str
    label: str
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
    """Eligibility rules the data-quality checks compare against."""

    min_baseline_nrs: int
    highest_level: str
    lowest_level: str
    max_treated_levels: int
    max_imaging_days_before_enrollment: int


@dataclass(frozen=True)
class Sbrt:
    """SBRT delivery rules."""

    allowed_schemes: tuple[tuple[float, int], ...]
    planned_start_day: int
    late_start_day: int
    missing_after_days: int


@dataclass(frozen=True)
class Protocol:
    """The whole plan of the trial."""

    title: str
    short_title: str
    total_target: int
    day_zero: str
    ratio: tuple[int, int]
    block_sizes: tuple[int, ...]
    prior_weight: float
    forecast_interval: float
    centers: tuple[Center, ...]
    arms: tuple[Arm, ...]
    visits: tuple[Visit, ...]
    sbrt: Sbrt
    eligibility: Eligibility
    nrs_ni_margin: float | None = None
    km_risk_months: tuple[int, ...] = (0, 3, 6, 9, 12)
    events_of_interest: tuple[tuple[str, tuple[str, ...]], ...] = ()

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

    @property
    def arm_colours(self) -> dict[str, str]:
        """Arm code -> colour."""
        return {a.code: a.colour for a in self.arms}

    @property
    def max_block_imbalance(self) -> int:
        """Largest arm difference permuted blocks allow within one stratum (1:1 allocation)."""
        return max(self.block_sizes) // 2


class _Reader:
    """Reads typed values from a TOML table, naming the full key path in every error."""

    def __init__(self, source: str, data: dict[str, Any], path: str = "") -> None:
        self.source = source
        self.data = data
        self.path = path

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> ProtocolError:
        return ProtocolError(f"{self.source}: key '{self._key(key)}' {problem}")

    def raw(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "is missing")
            return default
        return self.data[key]

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

    def table(self, key: str) -> _Reader:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return _Reader(self.source, value, self._key(key))

    def tables(self, key: str) -> list[_Reader]:
        value = self.raw(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "must be a non-empty array of tables ([[...]])")
        return [_Reader(self.source, v, f"{self._key(key)}[{i}]") for i, v in enumerate(value)]


def _unique(reader: _Reader, key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise reader.fail(key, f"has the code {code!r} twice")
        seen.add(code)


def parse_protocol(data: dict[str, Any], source: str = "protocol") -> Protocol:
    """Build a Protocol from parsed TOML, raising ProtocolError that names the bad key."""
    root = _Reader(source, data)
    trial = root.table("trial")
    rand = root.table("randomization")
    recr = root.table("recruitment")

    centers: list[Center] = []
    for c in root.tables("centers"):
        first, last = c.date("planned_first_enrollment"), c.date("planned_last_enrollment")
        if last <= first:
            raise c.fail("planned_last_enrollment", "must be after planned_first_enrollment")
        centers.append(
            Center(
                code=c.text("code").upper(),
                name=c.text("name"),
                short_name=c.text("short_name", default=c.text("code")),
                target=c.whole("target", minimum=1),
                planned_first_enrollment=first,
                planned_last_enrollment=last,
                main=c.flag("main", default=False),
            )
        )
    _unique(root, "centers", [c.code for c in centers])

    arms: list[Arm] = []
    for a in root.tables("arms"):
        colour = a.text("colour")
        if not (len(colour) == 7 and colour.startswith("#")):
            raise a.fail("colour", f"must be a #RRGGBB colour, got {colour!r}")
        arms.append(Arm(code=a.text("code").upper(), label=a.text("label"), colour=colour))
    if len(arms) != 2:
        raise root.fail("arms", f"must list exactly 2 arms for 1:1 allocation, got {len(arms)}")
    _unique(root, "arms", [a.code for a in arms])

    visits: list[Visit] = []
    for v in root.tables("visits"):
        collects = v.raw("collects", [])
        if not isinstance(collects, list) or not all(isinstance(x, str) for x in collects):
            raise v.fail("collects", "must be a list of strings")
        visits.append(
            Visit(
                code=v.text("code").upper(),
                label=v.text("label"),
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

    ratio = rand.raw("ratio")
    if ratio != [1, 1]:
        raise rand.fail("ratio", f"must be [1, 1]: only 1:1 allocation is supported, got {ratio!r}")
    blocks = rand.raw("block_sizes")
    if (
        not isinstance(blocks, list)
        or not blocks
        or any(isinstance(b, bool) or not isinstance(b, int) or b <= 0 or b % 2 for b in blocks)
    ):
        raise rand.fail("block_sizes", f"must be a list of positive even numbers, got {blocks!r}")

    sb = root.table("sbrt")
    schemes_raw = sb.raw("allowed_schemes")
    try:
        schemes = tuple((float(d), int(f)) for d, f in schemes_raw)
    except (TypeError, ValueError):
        raise sb.fail("allowed_schemes", "must be a list of [total_dose_gy, fractions]") from None
    sbrt = Sbrt(
        allowed_schemes=schemes,
        planned_start_day=sb.whole("planned_start_day", minimum=0),
        late_start_day=sb.whole("late_start_day", minimum=0),
        missing_after_days=sb.whole("missing_after_days", minimum=0),
    )

    el = root.table("eligibility")
    for key in ("highest_level", "lowest_level"):
        if el.text(key) not in VERTEBRAL_LEVELS:
            raise el.fail(key, f"must be a vertebral level like T5 or L5, got {el.text(key)!r}")
    eligibility = Eligibility(
        min_baseline_nrs=el.whole("min_baseline_nrs", minimum=0),
        highest_level=el.text("highest_level"),
        lowest_level=el.text("lowest_level"),
        max_treated_levels=el.whole("max_treated_levels", minimum=1),
        max_imaging_days_before_enrollment=el.whole(
            "max_imaging_days_before_enrollment", minimum=0
        ),
    )

    total = trial.whole("total_target", minimum=1)
    if total != sum(c.target for c in centers):
        raise trial.fail(
            "total_target",
            f"is {total} but the centers' targets add up to {sum(c.target for c in centers)}",
        )
    day_zero = trial.text("day_zero")
    if day_zero not in ("procedure_on", "randomized_on"):
        raise trial.fail("day_zero", f"must be procedure_on or randomized_on, got {day_zero!r}")

    out = root.table("outcomes") if "outcomes" in data else None
    margin = out.number("nrs_ni_margin", 0.0, 10.0) if out and "nrs_ni_margin" in out.data else None
    risk = out.raw("km_risk_months", [0, 3, 6, 9, 12]) if out else [0, 3, 6, 9, 12]
    if not isinstance(risk, list) or not all(isinstance(x, int) and x >= 0 for x in risk):
        raise root.fail("outcomes.km_risk_months", "must be a list of whole months")

    interest: list[tuple[str, tuple[str, ...]]] = []
    if "safety" in data:
        raw = root.table("safety").raw("events_of_interest", {})
        if not isinstance(raw, dict):
            raise root.fail("safety.events_of_interest", "must be a table of name = [terms]")
        for name, terms in raw.items():
            if not isinstance(terms, list) or not all(isinstance(x, str) for x in terms):
                raise root.fail(f"safety.events_of_interest.{name}", "must be a list of terms")
            interest.append((name, tuple(terms)))

    return Protocol(
        events_of_interest=tuple(interest),
        nrs_ni_margin=margin,
        km_risk_months=tuple(risk),
        title=trial.text("title"),
        short_title=trial.text("short_title"),
        total_target=total,
        day_zero=day_zero,
        ratio=(1, 1),
        block_sizes=tuple(blocks),
        prior_weight=recr.number("prior_weight", 0.0, 1.0),
        forecast_interval=recr.number("forecast_interval", 0.5, 0.99),
        centers=tuple(centers),
        arms=tuple(arms),
        visits=tuple(visits),
        sbrt=sbrt,
        eligibility=eligibility,
    )


def load_protocol(path: str | Path | None = None) -> Protocol:
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
    return parse_protocol(data, str(file))


@lru_cache(maxsize=8)
def cached_protocol(path: str | None = None) -> Protocol:
    """The protocol for a path, parsed once per process (the file is read-only at run time)."""
    return load_protocol(path)

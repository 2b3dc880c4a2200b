"""Per-request context and the question -> queries -> metrics steps the pages and the CLI share."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from dashboard.auth import Rights, UserStore, current_rights
from dashboard.cache import memoize
from dashboard.config import Settings
from dashboard.metrics.data_quality import (
    counts_by_center,
    plausibility_findings,
    structure_findings,
    trend,
)
from dashboard.metrics.local_control import (
    KaplanMeier,
    dcr_table,
    kaplan_meier,
    mda_counts,
    time_to_progression,
)
from dashboard.metrics.outcomes import (
    add_pain_response,
    change_difference,
    nrs_bands_share,
    response_table,
    sample_subjects,
    trajectory,
)
from dashboard.metrics.randomization import (
    ConsortFlow,
    Delivery,
    TableRow,
    arm_balance,
    consort_flow,
    sbrt_delivery,
    table_one,
)
from dashboard.metrics.recruitment import (
    RecruitmentReport,
    cumulative_enrollment,
    recruitment_report,
)
from dashboard.metrics.safety import (
    attribution_by_arm,
    center_rates,
    events_of_interest,
    incidence_by_term,
    overview_by_arm,
    prepare_events,
    reporting_lag,
)
from dashboard.metrics.visits import (
    flagged_subjects,
    missed_by_month,
    state_counts,
    visit_schedule,
    worklist,
)
from dashboard.protocol import Protocol
from dashboard.scope import build_scope
from dashboard.urlstate import ViewState
from data_access import queries
from data_access.queries import TrialDb
from data_access.scope import Scope

T = TypeVar("T")


@dataclass(frozen=True)
class AppState:
    """What the app is configured with; built once by create_app, never mutated."""

    settings: Settings
    protocol: Protocol
    users: UserStore | None = None

    @property
    def db(self) -> TrialDb:
        """The trial database handle."""
        s = self.settings
        return TrialDb(s.resolved_db_url, s.query_timeout_ms, s.row_cap)


@dataclass(frozen=True)
class PageContext:
    """Everything a page needs to render one request."""

    state: AppState
    view: ViewState
    scope: Scope
    data_as_of: dt.date
    rights: Rights

    @property
    def identifiers(self) -> bool:
        """Whether subject identifiers and listings may be shown.

        Not to the committee, and not in presentation mode.
        """
        return self.rights.identifiers and not self.view.present

    @property
    def protocol(self) -> Protocol:
        """The trial plan."""
        return self.state.protocol

    @property
    def db(self) -> TrialDb:
        """The trial database handle."""
        return self.state.db

    @property
    def lang(self) -> str:
        """The display language."""
        return self.view.lang


def default_as_of(settings: Settings, db: TrialDb) -> dt.date:
    """The configured date, else the date the data describe (demo, import), else today."""
    return settings.as_of or queries.trial_as_of(db) or dt.date.today()


def page_context(state: AppState, view: ViewState, data_date: dt.date) -> PageContext:
    """The context of a request, with its query scope.

    Every page and page callback gets its scope here, and the logged-in user's rights are
    applied here, in one place: requested centers ∩ allowed centers.
    """
    rights = current_rights()
    scope = build_scope(view, state.protocol.center_codes, data_date, rights.centers)
    return PageContext(state, view, scope, data_date, rights)


def context_from_search(state: AppState, search: str | None) -> PageContext:
    """The context of a page callback, from the URL query string the page was drawn for."""
    protocol = state.protocol
    view = ViewState.from_search(search, protocol.center_codes, protocol.arm_codes)
    return page_context(state, view, default_as_of(state.settings, state.db))


def _load_recruitment(db: TrialDb, protocol: Protocol, scope: Scope) -> RecruitmentReport:
    """The recruitment report for a scope."""
    arm_codes = protocol.arm_codes
    centers = [c for c in protocol.centers if c.code in scope.centers]
    return recruitment_report(
        counts=queries.recruitment_counts(db, scope, arm_codes),
        by_day=queries.randomizations_by_day(db, scope),
        failures=queries.screen_failures(db, scope),
        activations=queries.center_list(db),
        centers=centers,
        arm_codes=arm_codes,
        as_of=scope.as_of,
        prior_weight=protocol.prior_weight,
        interval=protocol.forecast_interval,
    )


@dataclass(frozen=True)
class VisitsReport:
    """The visit engine's output for a scope, with its summaries."""

    as_of: dt.date
    subjects: pd.DataFrame
    schedule: pd.DataFrame
    overall: pd.DataFrame
    by_center: pd.DataFrame
    by_visit: pd.DataFrame
    by_arm: pd.DataFrame
    by_center_visit: pd.DataFrame
    missed_months: pd.DataFrame
    worklist: pd.DataFrame
    flags: pd.DataFrame
    sbrt: pd.DataFrame


def _load_visits(db: TrialDb, protocol: Protocol, scope: Scope) -> VisitsReport:
    """Visit states of every randomized subject in scope as of the scope's date."""
    subjects = queries.randomized_subjects(db, scope)
    schedule = visit_schedule(
        subjects,
        queries.visit_assessments(db, scope),
        protocol.visits,
        scope.as_of,
        protocol.day_zero,
    )
    return VisitsReport(
        as_of=scope.as_of,
        subjects=subjects,
        schedule=schedule,
        overall=state_counts(schedule, []),
        by_center=state_counts(schedule, ["center_id"]),
        by_visit=state_counts(schedule, ["visit_code"]),
        by_arm=state_counts(schedule, ["arm"]),
        by_center_visit=state_counts(schedule, ["center_id", "visit_code"]),
        missed_months=missed_by_month(schedule),
        worklist=worklist(schedule),
        flags=flagged_subjects(schedule),
        sbrt=queries.sbrt_courses_in_scope(db, scope),
    )


TUMOR_ORDER = ("lung", "breast", "prostate", "kidney", "liver", "thyroid", "other")
TABLE_ONE_ORDER: dict[str, tuple[str, ...]] = {
    "sex": ("F", "M"),
    "primary_tumor": TUMOR_ORDER,
    "nrs_band": ("none", "mild", "moderate", "severe", "out_of_range"),
    "levels_n": ("1", "2", "3+"),
    "region": ("thoracic", "lumbar", "thoracolumbar", "other"),
}


@dataclass(frozen=True)
class RandomizationReport:
    """Arm balance, cumulative randomizations by arm, Table 1, CONSORT and SBRT delivery."""

    as_of: dt.date
    balance: pd.DataFrame
    cumulative: pd.DataFrame  # date, arm, cumulative
    table_rows: list[TableRow]
    table_sizes: dict[str, int]
    consort: ConsortFlow
    delivery: Delivery


def _load_randomization(db: TrialDb, protocol: Protocol, scope: Scope) -> RandomizationReport:
    """Everything the randomization page and its summary section show, for a scope."""
    arms = protocol.arm_codes
    sbrt_arm = arms[1]
    screened = queries.screened_subjects(db, scope)
    d = pd.Timestamp(scope.as_of)
    randomized = screened[screened["randomized_on"].notna() & (screened["randomized_on"] <= d)]
    sbrt = queries.sbrt_courses_in_scope(db, scope)
    counts = queries.recruitment_counts(db, scope, arms)
    counts = counts.set_index("center_id").reindex(list(scope.centers), fill_value=0)
    rows, sizes = table_one(randomized, arms, {k: list(v) for k, v in TABLE_ONE_ORDER.items()})
    return RandomizationReport(
        as_of=scope.as_of,
        balance=arm_balance(counts.reset_index(), arms, protocol.max_block_imbalance),
        cumulative=cumulative_enrollment(queries.randomizations_by_day(db, scope), group="arm"),
        table_rows=rows,
        table_sizes=sizes,
        consort=consort_flow(
            screened,
            sbrt,
            queries.visit_assessments(db, scope),
            arms,
            sbrt_arm,
            scope.as_of,
            protocol.sbrt.missing_after_days,
            protocol.day_zero,
        ),
        delivery=sbrt_delivery(
            randomized,
            sbrt,
            sbrt_arm,
            protocol.sbrt.allowed_schemes,
            protocol.sbrt.late_start_day,
            protocol.sbrt.missing_after_days,
            scope.as_of,
            protocol.day_zero,
        ),
    )


INDIVIDUAL_SAMPLE = 40  # individual trajectories drawn per arm at most


@dataclass(frozen=True)
class PainReport:
    """Pain, analgesic use and function per arm over time."""

    as_of: dt.date
    n_randomized: dict[str, int]
    nrs: pd.DataFrame  # trajectory: arm, visit_code, week, n, mean, ci_low, ci_high
    pafi: pd.DataFrame
    omed: pd.DataFrame
    long: pd.DataFrame  # arm, subject_id, visit_code, week, nrs, pafi, omed_mg (baseline too)
    responses: pd.DataFrame
    change: pd.DataFrame
    bands: pd.DataFrame
    individual: pd.DataFrame  # sampled subjects' NRS over weeks
    excluded_values: int  # NRS or PAFI outside 0-10, left out of every statistic


def _in_range(x: pd.Series) -> pd.Series:
    return x.where((x >= 0) & (x <= 10))


def _load_pain(db: TrialDb, protocol: Protocol, scope: Scope) -> PainReport:
    """Pain (NRS), its response, OMED and PAFI per arm and visit for a scope."""
    visits = list(protocol.visit_codes)
    days = {v.code: v.day for v in protocol.visits}
    rows = queries.outcome_assessments(db, scope)
    rows = rows[rows["visit_code"].isin(visits)]
    base = queries.screened_subjects(db, scope)
    base = base[
        base["randomized_on"].notna() & (base["randomized_on"] <= pd.Timestamp(scope.as_of))
    ]
    excluded = 0
    for col in ("nrs", "pafi", "baseline_nrs", "baseline_pafi"):
        bad = rows[col].notna() & ~rows[col].between(0, 10)
        excluded += int(bad.sum())
        rows[col] = _in_range(rows[col])
    for col in ("baseline_nrs", "baseline_pafi"):
        bad = base[col].notna() & ~base[col].between(0, 10)
        excluded += int(bad.sum())
        base[col] = _in_range(base[col])
    baseline_long = pd.DataFrame(
        {
            "arm": base["arm"],
            "subject_id": base["subject_id"],
            "visit_code": "baseline",
            "nrs": base["baseline_nrs"],
            "pafi": base["baseline_pafi"],
            "omed_mg": base["baseline_omed_mg"],
        }
    )
    long = pd.concat(
        [baseline_long, rows[["arm", "subject_id", "visit_code", "nrs", "pafi", "omed_mg"]]],
        ignore_index=True,
    )
    long["week"] = long["visit_code"].map(lambda v: 0 if v == "baseline" else days[v] / 7)
    responses = add_pain_response(rows)
    arm_a, arm_b = protocol.arm_codes
    sample: list[str] = []
    for arm in protocol.arm_codes:
        sample += sample_subjects(
            base.loc[base["arm"] == arm, "subject_id"].tolist(), INDIVIDUAL_SAMPLE
        )
    individual = long[long["subject_id"].isin(sample) & long["nrs"].notna()].sort_values(
        ["subject_id", "week"]
    )
    return PainReport(
        as_of=scope.as_of,
        n_randomized={a: int((base["arm"] == a).sum()) for a in protocol.arm_codes},
        nrs=trajectory(long, "nrs", days),
        pafi=trajectory(
            long[
                long["visit_code"].isin(
                    ["baseline", *[v.code for v in protocol.visits if "pafi" in v.collects]]
                )
            ],
            "pafi",
            days,
        ),
        omed=trajectory(long, "omed_mg", days),
        long=long,
        responses=response_table(responses, visits),
        change=change_difference(rows, arm_a, arm_b, visits),
        bands=nrs_bands_share(long),
        individual=individual,
        excluded_values=excluded,
    )


@dataclass(frozen=True)
class LocalControlReport:
    """MDA responses, DCR and time to local progression per arm."""

    as_of: dt.date
    counts: pd.DataFrame
    dcr: pd.DataFrame
    ttp: pd.DataFrame
    km: dict[str, KaplanMeier]
    risk_days: tuple[int, ...]


def _load_local_control(db: TrialDb, protocol: Protocol, scope: Scope) -> LocalControlReport:
    """Local control per arm and imaging visit, and time to first PD, for a scope."""
    imaging_visits = [v.code for v in protocol.visits if "imaging" in v.collects]
    img = queries.imaging_results(db, scope)
    counts = mda_counts(img, imaging_visits)
    subjects = queries.randomized_subjects(db, scope).rename(columns={protocol.day_zero: "day0"})
    ttp = time_to_progression(img, subjects)
    risk_days = tuple(round(m * 30.4375) for m in protocol.km_risk_months)
    km = {}
    for arm in protocol.arm_codes:
        fit = kaplan_meier(ttp, arm, risk_days)
        if fit is not None:
            km[arm] = fit
    return LocalControlReport(scope.as_of, counts, dcr_table(counts), ttp, km, risk_days)


@dataclass(frozen=True)
class SafetyReport:
    """Adverse events of a scope, listed and summarised by arm and center."""

    as_of: dt.date
    events: pd.DataFrame
    n_by_arm: dict[str, int]
    n_by_center: dict[str, int]
    overview: pd.DataFrame
    incidence: pd.DataFrame
    attribution: pd.DataFrame
    interest: pd.DataFrame
    centers: pd.DataFrame
    lag: pd.DataFrame
    ungradable: int


def _load_safety(db: TrialDb, protocol: Protocol, scope: Scope) -> SafetyReport:
    """AEs, incidence by arm/term/worst grade, center rates and reporting lag for a scope."""
    subjects = queries.randomized_subjects(db, scope)
    arms = [a for a in protocol.arm_codes if scope.arms is None or a in scope.arms]
    n_by_arm = {a: int((subjects["arm"] == a).sum()) for a in arms}
    n_by_center = {c: int((subjects["center_id"] == c).sum()) for c in scope.centers}
    events = prepare_events(queries.adverse_event_rows(db, scope))
    return SafetyReport(
        as_of=scope.as_of,
        events=events,
        n_by_arm=n_by_arm,
        n_by_center=n_by_center,
        overview=overview_by_arm(events, n_by_arm),
        incidence=incidence_by_term(events, n_by_arm),
        attribution=attribution_by_arm(events),
        interest=events_of_interest(events, protocol.events_of_interest, n_by_arm),
        centers=center_rates(events, n_by_center),
        lag=reporting_lag(events, list(scope.centers), scope.as_of),
        ungradable=int((~events["valid_grade"]).sum()),
    )


@dataclass(frozen=True)
class SubjectTimeline:
    """One subject's events against the procedure and SBRT dates (empty when not in scope)."""

    subject_id: str
    events: pd.DataFrame
    day0: pd.Timestamp | None
    sbrt: pd.DataFrame


def load_subject_timeline(
    db: TrialDb, protocol: Protocol, scope: Scope, subject_id: str
) -> SubjectTimeline:
    """A subject's AEs, procedure and SBRT course, only if the subject is in the scope."""
    events = prepare_events(queries.adverse_event_rows(db, scope, subject_id))
    subjects = queries.randomized_subjects(db, scope)
    mine = subjects[subjects["subject_id"] == subject_id]
    day0 = mine.iloc[0][protocol.day_zero] if len(mine) else None
    sbrt = queries.sbrt_courses_in_scope(db, scope)
    return SubjectTimeline(
        subject_id,
        events if len(mine) else events.iloc[0:0],
        None if day0 is None or pd.isna(day0) else pd.Timestamp(day0),
        sbrt[sbrt["subject_id"] == subject_id] if len(mine) else sbrt.iloc[0:0],
    )


@dataclass(frozen=True)
class DataQualityReport:
    """Plausibility and structure findings, their counts and trend, recorded deviations."""

    as_of: dt.date
    findings: pd.DataFrame
    by_center: pd.DataFrame
    trend: pd.DataFrame
    deviations: pd.DataFrame
    structure_checked: bool


def _load_data_quality(db: TrialDb, protocol: Protocol, scope: Scope) -> DataQualityReport:
    """Every finding for the centers in scope, checked as of the scope's date.

    Structure findings (unknown codes, orphan rows) are about the whole database; they are
    computed only when the scope covers every center of the protocol.
    """
    from data_access import schema

    centers = list(scope.centers)
    tables = {
        t.name: queries.table_rows(db, t, centers)
        for t in (
            schema.subjects,
            schema.assessments,
            schema.imaging,
            schema.adverse_events,
            schema.sbrt_courses,
            schema.deviations,
        )
    }
    subj = tables["subjects"]
    for name in ("assessments", "imaging", "adverse_events", "sbrt_courses", "deviations"):
        tables[name] = tables[name].merge(
            subj[["subject_id", "center_id"]], on="subject_id", how="left"
        )
    findings = plausibility_findings(
        subj,
        tables["assessments"],
        tables["imaging"],
        tables["adverse_events"],
        tables["sbrt_courses"],
        protocol,
        scope.as_of,
    )
    full = set(protocol.center_codes) <= set(centers)
    if full:
        every = {
            t.name: queries.table_rows(db, t)
            for t in (schema.subjects, schema.assessments, schema.imaging, schema.adverse_events)
        }
        findings = pd.concat(
            [
                findings,
                structure_findings(
                    every["subjects"],
                    every["assessments"],
                    every["imaging"],
                    every["adverse_events"],
                    protocol,
                ),
            ],
            ignore_index=True,
        )
    return DataQualityReport(
        as_of=scope.as_of,
        findings=findings,
        by_center=counts_by_center(findings, centers),
        trend=trend(findings),
        deviations=tables["deviations"],
        structure_checked=full,
    )


def _cached(
    loader: Callable[[TrialDb, Protocol, Scope], T],
) -> Callable[[TrialDb, Protocol, Scope], T]:
    """The loader, memoized per scope and data version in the shared cache."""

    def load(db: TrialDb, protocol: Protocol, scope: Scope) -> T:
        return memoize(
            loader.__name__,
            db.url,
            (scope.cache_key(), id_of(protocol)),
            lambda: loader(db, protocol, scope),
        )

    load.__name__ = loader.__name__.lstrip("_")
    load.__doc__ = loader.__doc__
    return load


def id_of(protocol: Protocol) -> str:
    """A fingerprint of the protocol, the same in every process (its plan changes the numbers)."""
    return hashlib.sha256(repr(protocol).encode()).hexdigest()[:16]


load_recruitment = _cached(_load_recruitment)
load_visits = _cached(_load_visits)
load_randomization = _cached(_load_randomization)
load_pain = _cached(_load_pain)
load_local_control = _cached(_load_local_control)
load_safety = _cached(_load_safety)
load_data_quality = _cached(_load_data_quality)

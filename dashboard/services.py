"""Per-request context and the question -> queries -> metrics steps the pages and the CLI share."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dashboard import cuts
from dashboard.auth import Rights, UserStore, current_rights
from dashboard.cache import memoize
from dashboard.config import Settings
from dashboard.fairshare import FairShare
from dashboard.metrics.data_quality import DataQualityModel, classify_levels, data_quality_model
from dashboard.metrics.local_control import LocalControlModel, local_control_model
from dashboard.metrics.model import ScopeInfo
from dashboard.metrics.outcomes import (
    INDIVIDUAL_SAMPLE,
    PainModel,
    Trajectory,
    pain_model,
    trajectories,
)
from dashboard.metrics.pooling import pool_rows, pooled_protocol, pooled_scope
from dashboard.metrics.randomization import RandomizationModel, randomization_model
from dashboard.metrics.recruitment import RecruitmentModel, recruitment_model
from dashboard.metrics.risk import Count, RiskInputs, RiskModel, risk_model
from dashboard.metrics.safety import SafetyModel, reporting_lag, safety_model
from dashboard.metrics.visits import VisitsModel, swimmer, visits_model
from dashboard.protocol import Protocol
from dashboard.scope import build_scope
from dashboard.terms import protocol_terms
from dashboard.urlstate import ViewState
from data_access import queries
from data_access.queries import TrialDb
from data_access.queries import checks as cq
from data_access.queries import outcomes as oq
from data_access.queries import randomization as randq
from data_access.queries import recruitment as rq
from data_access.queries import risk as riskq
from data_access.queries import rows as rowq
from data_access.queries import safety as sq
from data_access.queries import visits as vq
from data_access.queries.checks import CheckRules
from data_access.queries.core import has_column
from data_access.queries.population import ArmRule
from data_access.queries.visits import PlannedVisit
from data_access.scope import Scope

T = TypeVar("T")


@dataclass(frozen=True)
class AppState:
    """What the app is configured with; built once by create_app, never mutated."""

    settings: Settings
    protocol: Protocol
    users: UserStore | None = None
    # pages being computed per account in this process (dashboard.fairshare)
    fair: FairShare = field(default_factory=lambda: FairShare(2))

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
    info: ScopeInfo

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

    @property
    def terms(self) -> dict[str, Any]:
        """The protocol's numbers and names that definitions quote, in the display language.

        Without allocation details, the block sizes and the bound they set are not quoted.
        """
        terms = protocol_terms(self.protocol, self.lang)
        if not self.may("allocation"):
            from dashboard.i18n import t

            terms["blocks"] = terms["bound"] = t("access.concealed", self.lang)
        return terms

    def may(self, kind: str) -> bool:
        """Whether this user may see `comparisons`, `allocation` or `safety_by_arm`."""
        return self.protocol.access.allows(kind, self.rights.role)

    def arms_view(self, kind: str) -> Protocol:
        """The plan as a page about `kind` shows it: its arms, or every arm as one."""
        return arms_view(self.protocol, not self.may(kind))

    def title(self, key: str, kind: str) -> str:
        """A title that names the arms ("... by arm"), or its `.pooled` wording.

        The pooled wording is for users the protocol's [access] rule shows every arm as one.
        """
        from dashboard.i18n import t

        return t(key if self.may(kind) else f"{key}.pooled", self.lang)


def arms_view(protocol: Protocol, pooled: bool) -> Protocol:
    """The plan with its arms, or with every arm as one (`ALL`, "All arms")."""
    if not pooled:
        return protocol
    from dashboard.i18n import t

    return pooled_protocol(protocol, t("arm.pooled", "en"), t("arm.pooled", "zh"))


def default_as_of(settings: Settings, db: TrialDb) -> dt.date:
    """The configured date, else the date the data describe (demo, import), else today."""
    return settings.as_of or queries.trial_as_of(db) or dt.date.today()


def page_context(state: AppState, view: ViewState, data_date: dt.date) -> PageContext:
    """The context of a request, with its query scope.

    Every page and page callback gets its scope here, and the logged-in user's rights are
    applied here, in one place: requested centers ∩ allowed centers.
    """
    rights = current_rights()
    p = state.protocol
    scope, info = build_scope(view, p.center_codes, p.arm_codes, data_date, rights.centers)
    return PageContext(state, view, scope, data_date, rights, info)


def context_from_search(state: AppState, search: str | None) -> PageContext:
    """The context of a page callback, from the URL query string the page was drawn for."""
    protocol = state.protocol
    view = ViewState.from_search(search, protocol.center_codes, protocol.arm_codes)
    return page_context(state, view, default_as_of(state.settings, state.db))


def _recruitment_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Recruitment aggregates over every center of the protocol (once per data version)."""
    codes = protocol.center_codes
    return (
        rq.recruitment_counts(db, codes, as_of),
        rq.randomizations_by_day(db, codes, as_of),
        rq.screen_failures(db, codes, as_of),
        rq.activations(db),
    )


def recruitment_page_model(
    db: TrialDb, protocol: Protocol, info: ScopeInfo, pooled: bool = False
) -> RecruitmentModel:
    """The recruitment page model for a scope; by arm, or (`pooled`) every arm as one."""

    def build() -> RecruitmentModel:
        counts, by_day, failures, activations = memoize(
            "inputs:recruitment",
            db.url,
            (info.as_of, id_of(protocol)),
            lambda: _recruitment_inputs(db, protocol, info.as_of),
        )
        p, i = protocol, info
        if pooled:  # recruitment counts every arm, whatever the arm filter
            counts, by_day = pool_rows(counts, p.arm_codes), pool_rows(by_day, p.arm_codes)
            p, i = arms_view(protocol, True), pooled_scope(info)
        return recruitment_model(counts, by_day, failures, activations, p, i)

    return memoize("model:recruitment", db.url, (info, pooled, id_of(protocol)), build)


def planned_visits(protocol: Protocol) -> tuple[PlannedVisit, ...]:
    """The protocol's visit schedule as the SQL visit engine needs it."""
    return tuple(
        PlannedVisit(v.code, i, v.day, v.window_before, v.window_after)
        for i, v in enumerate(protocol.visits)
    )


SWIMMER_MAX = 150  # subjects drawn in the swimmer plot at most (the most recently randomized)


def _visits_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Visit-state counts over every center of the protocol (once per data version)."""
    codes, rule, plan = protocol.center_codes, arm_rule(protocol), planned_visits(protocol)
    return vq.state_and_missed_counts(db, codes, as_of, rule, plan)


def visits_page_model(
    db: TrialDb,
    protocol: Protocol,
    info: ScopeInfo,
    identifiers: bool = True,
    pooled: bool = False,
) -> VisitsModel:
    """The visits page model for a scope; the swimmer only where identifiers may be shown.

    `pooled` (a role without allocation details): compliance of every arm as one, and no arm
    on the swimmer's lines (counts of expected visits by arm would tell arm sizes by center).
    """

    def build() -> VisitsModel:
        counts, months = memoize(
            "inputs:visits",
            db.url,
            (info.as_of, id_of(protocol)),
            lambda: _visits_inputs(db, protocol, info.as_of),
        )
        swim = None
        if identifiers and protocol.visits:
            rows = vq.swimmer_rows(
                db,
                info.centers,
                info.as_of,
                arm_rule(protocol),
                planned_visits(protocol),
                SWIMMER_MAX,
                info.arms if info.arm_filtered else None,
            )
            ids = sorted({r["subject_id"] for r in rows})
            courses = rowq.sbrt_courses_of(db, ids, info.as_of) if ids else []
            swim = swimmer(pool_rows(rows, info.arms) if pooled else rows, courses, info.as_of)
        if not pooled:
            return visits_model(counts, months, swim, protocol, info)
        arms = list(info.arms)
        return visits_model(
            pool_rows(counts, arms),
            pool_rows(months, arms),
            swim,
            arms_view(protocol, True),
            pooled_scope(info),
        )

    return memoize("model:visits", db.url, (info, identifiers, pooled, id_of(protocol)), build)


def arm_rule(protocol: Protocol) -> ArmRule:
    """What the queries need to know about day 0 and treatment delivery."""
    sb = protocol.sbrt
    return ArmRule(
        day_zero=protocol.day_zero,
        sbrt_arm=sb.arm if sb else None,
        without_arm=sb.without_arm if sb else None,
        missing_after_days=sb.missing_after_days if sb else 0,
    )


def _randomization_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Randomization aggregates over every center of the protocol (once per data version)."""
    codes, rule = protocol.center_codes, arm_rule(protocol)
    counts, by_day, failures, _ = memoize(
        "inputs:recruitment",
        db.url,
        (as_of, id_of(protocol)),
        lambda: _recruitment_inputs(db, protocol, as_of),
    )
    states, _ = memoize(  # the visit engine's counts, shared with the visits page
        "inputs:visits",
        db.url,
        (as_of, id_of(protocol)),
        lambda: _visits_inputs(db, protocol, as_of),
    )
    return (
        counts,
        by_day,
        failures,
        randq.baseline_histograms(db, codes, as_of),
        randq.consort_counts(db, codes, as_of, rule),
        randq.visits_done(db, codes, as_of),
        randq.delivery_counts(db, codes, as_of, rule),
        randq.delivery_missing(db, codes, as_of, rule),
        states,
    )


def randomization_page_model(
    db: TrialDb, protocol: Protocol, info: ScopeInfo, pooled: bool = False
) -> RandomizationModel:
    """The randomization page model for a scope.

    `pooled` (a role without allocation details): every arm as one, no balance, no delivery
    by arm: nothing from which the next allocation could be guessed.
    """

    def build() -> RandomizationModel:
        counts, by_day, failures, hist, flow, done, courses, missing, states = memoize(
            "inputs:randomization",
            db.url,
            (info.as_of, id_of(protocol)),
            lambda: _randomization_inputs(db, protocol, info.as_of),
        )
        if not pooled:
            return randomization_model(
                counts,
                by_day,
                failures,
                hist,
                flow,
                done,
                courses,
                missing,
                protocol,
                info,
                visit_states=states,
            )
        arms = protocol.arm_codes
        counts, by_day, hist = (
            pool_rows(counts, arms),
            pool_rows(by_day, arms),
            pool_rows(hist, arms),
        )
        flow, done = pool_rows(flow, arms), pool_rows(done, arms)
        return randomization_model(
            counts,
            by_day,
            failures,
            hist,
            flow,
            done,
            [],
            [],
            arms_view(protocol, True),
            pooled_scope(info),
            conceal=True,
            visit_states=pool_rows(states, arms),
        )

    return memoize("model:randomization", db.url, (info, pooled, id_of(protocol)), build)


def _pain_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Pain and function aggregates over every center (once per data version)."""
    codes, visits = protocol.center_codes, protocol.visit_codes
    return memoize(
        "inputs:pain",
        db.url,
        (as_of, id_of(protocol)),
        lambda: (
            oq.value_counts(db, codes, as_of, visits),
            oq.pain_responses(db, codes, as_of, visits),
            oq.nrs_change_sums(db, codes, as_of, visits),
            oq.out_of_range(db, codes, as_of, visits),
        ),
    )


def _local_control_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Imaging aggregates and progression times over every center (once per data version)."""
    codes = protocol.center_codes
    return memoize(
        "inputs:local_control",
        db.url,
        (as_of, id_of(protocol)),
        lambda: (
            oq.mda_counts(db, codes, as_of, protocol.visits_collecting("imaging")),
            oq.progression_times(db, codes, as_of, arm_rule(protocol)),
        ),
    )


def pain_page_model(
    db: TrialDb,
    protocol: Protocol,
    info: ScopeInfo,
    identifiers: bool = True,
    pooled: bool = False,
) -> PainModel:
    """The pain & function page model for a scope (sampled lines only with identifiers).

    `pooled` (a role without comparisons by arm): every arm of the view as one.
    """

    def build() -> PainModel:
        values, responses, change, bad = _pain_inputs(db, protocol, info.as_of)
        counts = memoize(
            "inputs:recruitment",
            db.url,
            (info.as_of, id_of(protocol)),
            lambda: _recruitment_inputs(db, protocol, info.as_of),
        )[0]
        lines: tuple[Trajectory, ...] = ()
        if identifiers and protocol.collects("nrs"):
            arms = [a for a in protocol.arm_codes if a in info.arms]
            sample = oq.sampled_ids(db, info.centers, info.as_of, arms, INDIVIDUAL_SAMPLE)
            rows = oq.nrs_rows_of(db, sample, info.as_of, protocol.visit_codes) if sample else []
            weeks = {"baseline": 0.0, **{v.code: v.day / 7 for v in protocol.visits}}
            lines = trajectories(pool_rows(rows, arms) if pooled else rows, weeks)
        if not pooled:
            return pain_model(values, responses, change, bad, counts, lines, protocol, info)
        arms = list(info.arms)
        return pain_model(
            pool_rows(values, arms),
            pool_rows(responses, arms),
            pool_rows(change, arms),
            pool_rows(bad, arms),
            pool_rows(counts, arms),
            lines,
            arms_view(protocol, True),
            pooled_scope(info),
        )

    return memoize("model:pain", db.url, (info, identifiers, pooled, id_of(protocol)), build)


def local_control_page_model(
    db: TrialDb, protocol: Protocol, info: ScopeInfo, pooled: bool = False
) -> LocalControlModel:
    """The local control page model for a scope (`pooled`: every arm as one)."""

    def build() -> LocalControlModel:
        mda, times = _local_control_inputs(db, protocol, info.as_of)
        if not pooled:
            return local_control_model(mda, times, protocol, info)
        arms = list(info.arms)
        return local_control_model(
            pool_rows(mda, arms),
            pool_rows(times, arms),
            arms_view(protocol, True),
            pooled_scope(info),
        )

    return memoize("model:local_control", db.url, (info, pooled, id_of(protocol)), build)


def _safety_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Safety aggregates over every center of the protocol (once per data version)."""
    codes, rule, interest = protocol.center_codes, arm_rule(protocol), protocol.events_of_interest
    return (
        sq.denominators(db, codes, as_of, rule),
        sq.subject_overview(db, codes, as_of, rule),
        sq.worst_by_term(db, codes, as_of, rule),
        sq.events_of_interest(db, codes, as_of, rule, interest),
        sq.onset_days(db, codes, as_of, rule, interest),
        sq.reporting_lags(db, codes, as_of, rule),
        sq.grade_scales(db, codes, as_of),
    )


def safety_page_model(
    db: TrialDb, protocol: Protocol, info: ScopeInfo, pooled: bool = False
) -> SafetyModel:
    """The safety page model for a scope (arms as treated; `pooled`: every arm as one)."""

    def build() -> SafetyModel:
        denominators, overview, terms, interest, onset, lags, scales = memoize(
            "inputs:safety",
            db.url,
            (info.as_of, id_of(protocol)),
            lambda: _safety_inputs(db, protocol, info.as_of),
        )
        if not pooled:
            return safety_model(
                denominators, overview, terms, interest, onset, lags, protocol, info, scales
            )
        arms = list(info.arms)
        return safety_model(
            pool_rows(denominators, arms),
            pool_rows(overview, arms),
            pool_rows(terms, arms),
            pool_rows(interest, arms),
            pool_rows(onset, arms),
            pool_rows(lags, arms),
            arms_view(protocol, True),
            pooled_scope(info),
            scales,
        )

    return memoize("model:safety", db.url, (info, pooled, id_of(protocol)), build)


# A page's model with the protocol's [access] rules applied to the request's user (one place,
# as the center rights are applied in page_context): by arm, or every arm as one.
def recruitment_for(ctx: PageContext) -> RecruitmentModel:
    """The recruitment model this user may see (arms pooled without allocation details)."""
    return recruitment_page_model(ctx.db, ctx.protocol, ctx.info, not ctx.may("allocation"))


def visits_for(ctx: PageContext, identifiers: bool | None = None) -> VisitsModel:
    """The visits model this user may see (compliance pooled without allocation details)."""
    shown = ctx.identifiers if identifiers is None else identifiers
    return visits_page_model(ctx.db, ctx.protocol, ctx.info, shown, not ctx.may("allocation"))


def randomization_for(ctx: PageContext) -> RandomizationModel:
    """The randomization model this user may see (concealed without allocation details)."""
    return randomization_page_model(ctx.db, ctx.protocol, ctx.info, not ctx.may("allocation"))


def pain_for(ctx: PageContext, identifiers: bool | None = None) -> PainModel:
    """The pain model this user may see (arms pooled without comparisons)."""
    shown = ctx.identifiers if identifiers is None else identifiers
    return pain_page_model(ctx.db, ctx.protocol, ctx.info, shown, not ctx.may("comparisons"))


def local_control_for(ctx: PageContext) -> LocalControlModel:
    """The local control model this user may see (arms pooled without comparisons)."""
    return local_control_page_model(ctx.db, ctx.protocol, ctx.info, not ctx.may("comparisons"))


def safety_for(ctx: PageContext) -> SafetyModel:
    """The safety model this user may see (arms pooled without safety by arm)."""
    return safety_page_model(ctx.db, ctx.protocol, ctx.info, not ctx.may("safety_by_arm"))


@dataclass(frozen=True)
class SubjectTimeline:
    """One subject's events against day 0 and SBRT (days from day 0)."""

    subject_id: str
    events: list[dict[str, Any]]
    day0: dt.date | None
    sbrt: list[tuple[int, int]]


def subject_timeline(ctx: PageContext, subject_id: str) -> SubjectTimeline | None:
    """A subject's AEs and SBRT course, only if the subject is in the request's scope."""
    rule, scope = arm_rule(ctx.protocol), ctx.scope
    found = sq.subject_day0(ctx.db, subject_id, scope.centers, scope.as_of, rule)
    if not found:
        return None
    day0 = found[0]["day0"]
    events = sq.subject_events(ctx.db, subject_id, scope.centers, scope.as_of, rule)
    courses = rowq.sbrt_courses_of(ctx.db, [subject_id], scope.as_of)
    ref = day0 or (events[0]["onset_on"] if events else scope.as_of)
    sbrt = [
        ((c["started_on"] - ref).days, ((c["completed_on"] or scope.as_of) - ref).days)
        for c in courses
    ]
    return SubjectTimeline(subject_id, events, day0, sbrt)


def check_rules(
    protocol: Protocol, treated_levels: Iterable[str], emergent_flag: bool = False
) -> CheckRules:
    """The protocol's rules as the SQL checks take them."""
    el, sb = protocol.eligibility, protocol.sbrt
    outside, too_many = classify_levels(treated_levels, protocol)
    return CheckRules(
        center_codes=protocol.center_codes,
        arm_codes=protocol.arm_codes,
        visit_codes=protocol.visit_codes,
        day_zero=protocol.day_zero,
        min_baseline_nrs=el.min_baseline_nrs,
        levels_outside=tuple(sorted(outside)),
        levels_too_many=tuple(sorted(too_many)),
        max_imaging_days=el.max_imaging_days_before_enrollment,
        sbrt_arm=sb.arm if sb else None,
        allowed_schemes=sb.allowed_schemes if sb else (),
        late_start_day=sb.late_start_day if sb else 0,
        missing_after_days=sb.missing_after_days if sb else 0,
        measures=tuple(m for m in ("nrs", "omed", "pafi", "imaging") if protocol.collects(m)),
        emergent_flag=emergent_flag,
    )


def rules_of(db: TrialDb, protocol: Protocol) -> CheckRules:
    """The check rules for the data in the database (its treated levels classified once)."""
    return memoize(
        "inputs:check_rules",
        db.url,
        (id_of(protocol),),
        lambda: check_rules(
            protocol,
            cq.treated_level_values(db),
            has_column(db, "adverse_events", "emergent"),
        ),
    )


def _quality_inputs(db: TrialDb, protocol: Protocol, as_of: dt.date) -> tuple[Any, ...]:
    """Every finding counted, and the recorded deviations (once per data version)."""
    return (
        cq.counts_of_keys(_finding_keys(db, protocol, as_of)),  # the checks run once
        cq.deviation_counts(db, protocol.center_codes, as_of),
        rq.first_screening(db, protocol.center_codes),
    )


def data_quality_page_model(db: TrialDb, protocol: Protocol, info: ScopeInfo) -> DataQualityModel:
    """The data-quality page model for a scope."""

    def build() -> DataQualityModel:
        counts, deviations, first = memoize(
            "inputs:data_quality",
            db.url,
            (info.as_of, id_of(protocol)),
            lambda: _quality_inputs(db, protocol, info.as_of),
        )
        return data_quality_model(counts, deviations, protocol, info, first)

    return memoize("model:data_quality", db.url, (info, id_of(protocol)), build)


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


def warm_defaults(db: TrialDb, protocol: Protocol, as_of: dt.date) -> int:
    """Compute the models of the default views of every page; how many were computed.

    Every center, and each center as its site sees it: the first visits after a data change
    then find them cached.
    """
    from dashboard.scope import build_scope
    from dashboard.urlstate import ViewState

    codes, arms = protocol.center_codes, protocol.arm_codes
    infos = [build_scope(ViewState(), codes, arms, as_of)[1]]
    infos += [build_scope(ViewState(), codes, arms, as_of, [c])[1] for c in codes]
    builders: list[Callable[[ScopeInfo], Any]] = [
        lambda i: recruitment_page_model(db, protocol, i),
        lambda i: randomization_page_model(db, protocol, i),
        lambda i: visits_page_model(db, protocol, i, True),
        lambda i: safety_page_model(db, protocol, i),
        lambda i: data_quality_page_model(db, protocol, i),
    ]
    if protocol.collects("nrs"):
        builders.append(lambda i: pain_page_model(db, protocol, i, True))
    if protocol.collects("imaging"):
        builders.append(lambda i: local_control_page_model(db, protocol, i))
    done = 0
    for info in infos:
        for build in builders:
            build(info)
            done += 1
    return done


_FIRST_SEEN: dict[tuple[int, ...], tuple[dict[str, dt.date], Any]] = {}


def work_states(engine: Any | None, today: dt.date) -> Callable[[str], Any]:
    """Key -> the finding's work state (status, age, comment, re-opened) as of a day.

    Statuses from the app's store (its engine; without one every finding is open, age 0); the
    age counts from the first data cut the finding was in (cuts' snapshots are read once per
    set of cuts and kept in the process).
    """
    from dashboard import workflow

    if engine is None:
        return lambda key: workflow.FindingState("open", None, None, 0, False)
    store = cuts.CutStore(engine)
    every = store.list()
    ids = tuple(c.cut_id for c in every)
    cached = _FIRST_SEEN.get(ids)
    if cached is None:
        found = [(c.data_as_of, store.snapshot(c.cut_id).get("findings", {}).keys()) for c in every]
        latest = (every[-1].created_at, set(found[-1][1])) if every else None
        cached = (workflow.first_seen(found), latest)
        _FIRST_SEEN.clear()
        _FIRST_SEEN[ids] = cached
    seen, latest = cached
    current = workflow.FindingStore(engine).current()

    def state(key: str) -> Any:
        return workflow.states([key], current, seen, latest, today)[key]

    return state


def finding_work(ctx: PageContext) -> Callable[[str], Any]:
    """Key -> the finding's work state for this request."""
    users = ctx.state.users
    return work_states(users.engine if users else None, ctx.scope.as_of)


def _finding_keys(db: TrialDb, protocol: Protocol, as_of: dt.date) -> list[Any]:
    """Key, center and category of every finding now (once per data version)."""
    return memoize(
        "inputs:finding_keys",
        db.url,
        (as_of, id_of(protocol)),
        lambda: cq.finding_keys(db, rules_of(db, protocol), as_of),
    )


def work_by_center(
    db: TrialDb,
    protocol: Protocol,
    as_of: dt.date,
    centers: Sequence[str],
    all_centers: bool,
    engine: Any | None,
) -> dict[str, Any]:
    """Per center: findings still to work, their median age and the oldest.

    The data-quality page's table and `summary --json` (see dashboard.workflow).
    """
    from dashboard import workflow

    found = cq.in_scope(_finding_keys(db, protocol, as_of), centers, all_centers)
    state = work_states(engine, as_of)
    return workflow.by_center(found, {r["key"]: state(r["key"]) for r in found})


def _risk_counts(db: TrialDb, protocol: Protocol, as_of: dt.date) -> RiskInputs:
    """Every indicator's counts per center (once per data version).

    From the pages' own models of the whole trial and one query of time on study.
    """
    from dashboard.scope import full_scope

    codes = protocol.center_codes
    _, every = full_scope(codes, protocol.arm_codes, as_of)
    exposure = {r["center_id"]: r for r in riskq.center_exposure(db, codes, as_of)}
    visits = visits_page_model(db, protocol, every, identifiers=False)
    recruitment = recruitment_page_model(db, protocol, every)
    safety_rows = memoize(
        "inputs:safety",
        db.url,
        (as_of, id_of(protocol)),
        lambda: _safety_inputs(db, protocol, as_of),
    )[5]
    randomization = randomization_page_model(db, protocol, every)

    def of(center: str, key: str) -> int:
        return int(exposure.get(center, {}).get(key, 0))

    counts: dict[str, dict[str, Count]] = {
        "ae_rate": {c: Count(of(c, "ae"), of(c, "patient_days")) for c in codes},
        "sae_rate": {c: Count(of(c, "sae"), of(c, "patient_days")) for c in codes},
        "grade3_rate": {c: Count(of(c, "grade3"), of(c, "patient_days")) for c in codes},
        "major_deviations": {c: Count(of(c, "major"), of(c, "subjects")) for c in codes},
        "discontinued": {c: Count(of(c, "discontinued"), of(c, "subjects")) for c in codes},
    }
    if protocol.visits:
        v = visits.by_center
        counts["missed_visits"] = {
            c: Count(v[c].missed, v[c].done + v[c].missed) for c in codes if c in v
        }
        counts["out_of_window"] = {
            c: Count(v[c].done_early + v[c].done_late, v[c].done) for c in codes if c in v
        }
    r = recruitment.by_center
    counts["screen_failures"] = {
        c: Count(r[c].screened - r[c].eligible, r[c].screened) for c in codes if c in r
    }
    lags: dict[str, list[Any]] = {c: [] for c in codes}
    for row in safety_rows:
        lags.setdefault(row["center_id"], []).append(row)
    per_center = {c: reporting_lag(lags[c], as_of) for c in codes}
    pooled = reporting_lag([row for rows in lags.values() for row in rows], as_of)
    counts["ae_lag"] = {
        c: Count(0, per_center[c].events - per_center[c].no_report_date, per_center[c].median)
        for c in codes
    }
    analysis = protocol.headline_visit("nrs")
    by_visit = visits.by_visit.get(analysis) if analysis else None
    consort = randomization.consort
    qtl_counts = {
        "primary_missing": (by_visit.missed, by_visit.done + by_visit.missed)
        if by_visit is not None
        else (0, 0),
        "major_deviation_subjects": (
            sum(of(c, "major_subjects") for c in codes),
            sum(of(c, "subjects") for c in codes),
        ),
        "not_treated": (sum(a.not_received for a in consort.arms.values()), consort.randomized),
        "discontinued": (
            sum(of(c, "discontinued") for c in codes),
            sum(of(c, "subjects") for c in codes),
        ),
        "missed_visits": (visits.overall.missed, visits.overall.done + visits.overall.missed)
        if protocol.visits
        else (0, 0),
    }
    return RiskInputs(counts=counts, medians={"ae_lag": pooled.median}, qtl_counts=qtl_counts)


def risk_page_model(
    db: TrialDb,
    protocol: Protocol,
    info: ScopeInfo,
    engine: Any | None = None,
    history: Sequence[tuple[str, dt.date, Any]] = (),
    compare: tuple[str, Any] | None = None,
) -> RiskModel:
    """The Center risk page model: every center scored against the trial, the view's shown.

    `engine`: the app's store (open findings and their age need its statuses; without it
    every finding is open); `history` and `compare`: the kept cuts' `risk` summaries.
    """
    from dashboard import workflow

    base = memoize(
        "inputs:risk",
        db.url,
        (info.as_of, id_of(protocol)),
        lambda: _risk_counts(db, protocol, info.as_of),
    )
    codes = protocol.center_codes
    found = _finding_keys(db, protocol, info.as_of)
    state = work_states(engine, info.as_of)
    states = {r["key"]: state(r["key"]) for r in found}
    work = workflow.by_center(found, states)
    pooled = workflow.by_center([{**r, "center_id": "*"} for r in found], states).get("*")
    subjects = base.counts["discontinued"]
    counts = dict(base.counts)
    counts["open_findings"] = {
        c: Count(work[c].open if c in work else 0, subjects[c].denominator) for c in codes
    }
    counts["finding_age"] = {
        c: Count(0, work[c].open, work[c].median_age) if c in work else Count(0, 0, None)
        for c in codes
    }
    inputs = RiskInputs(
        counts=counts,
        medians={**base.medians, "finding_age": pooled.median_age if pooled else None},
        qtl_counts=base.qtl_counts,
    )
    return risk_model(inputs, protocol.risk, info, codes, history, compare)


_CUT_RISK: dict[tuple[str, int, Any], Any] = {}


def risk_history(
    engine: Any | None, as_of: dt.date
) -> tuple[list[tuple[str, dt.date, Any]], tuple[str, Any] | None]:
    """The kept cuts' `risk` summaries up to a data date, oldest first.

    And the one "newly flagged" compares with: the last meeting's, else the latest cut's.
    """
    if engine is None:
        return [], None
    store = cuts.CutStore(engine)
    kept = [c for c in store.list() if cuts.usable(c, as_of)]

    def risk_of(cut: Any) -> Any:
        # A kept cut never changes: its scores are read once per process.
        key = (str(engine.url), cut.cut_id, cut.created_at)
        if key not in _CUT_RISK:
            if len(_CUT_RISK) > 500:
                _CUT_RISK.clear()
            _CUT_RISK[key] = store.summaries(cut.cut_id).get(cuts.ALL, {}).get("risk")
        return _CUT_RISK[key]

    history = [(c.name(), c.data_as_of, risk_of(c)) for c in kept]
    labelled = [c for c in kept if c.label]
    then = labelled[-1] if labelled else (kept[-1] if kept else None)
    return history, ((then.name(), risk_of(then)) if then is not None else None)


def _scope_findings(ctx: PageContext) -> list[dict[str, Any]]:
    """Key and center of every finding the request's user may see (their centers)."""
    every = _finding_keys(ctx.db, ctx.protocol, ctx.scope.as_of)
    return cq.in_scope(every, ctx.scope.centers, ctx.info.all_centers)


@dataclass(frozen=True)
class WorkItem:
    """An item of a work list this user may work now.

    Its center, and how a person names it ("SMU3-017 · M3 visit overdue 12 days").
    """

    center: str
    label: str


def finding_item(ctx: PageContext, key: str) -> WorkItem | None:
    """A finding this user may see (None: not one of theirs, or not found now)."""
    from dashboard.i18n import MESSAGES, t

    lang = ctx.lang
    for r in _scope_findings(ctx):
        if r["key"] == key:
            check = f"dq.check.{r['check']}"
            what = t(check, lang, **ctx.terms) if check in MESSAGES else str(r["check"])
            record = key.rsplit(":", 1)[-1] if key.count(":") >= 3 else ""
            words = "wf.item.finding_record" if record else "wf.item.finding"
            label = t(words, lang, subject=r["subject_id"] or "–", check=what, record=record)
            return WorkItem(str(r["center_id"]) if r["center_id"] is not None else "", label)
    return None


def visit_item(ctx: PageContext, key: str) -> WorkItem | None:
    """A worklist visit this user may work now (None: not theirs, or no longer on it)."""
    from dashboard import workflow
    from dashboard.i18n import t, tn

    parsed = workflow.parse_visit_key(key)
    if parsed is None:
        return None
    p, lang = ctx.protocol, ctx.lang
    row = vq.worklist_item(
        ctx.db, ctx.scope.centers, ctx.scope.as_of, arm_rule(p), planned_visits(p), *parsed
    )
    if row is None:
        return None
    subject, visit = parsed
    days = int(row["days_overdue"] or 0)
    span = tn("n.days", abs(days), lang)
    words = {
        "no_day_zero": "wf.item.no_day_zero",
        "missed": "wf.item.missed",
    }.get(str(row["state"]))
    if words is None:  # due: past the target day, before it, or on it
        words = "wf.item." + ("overdue" if days > 0 else "due_in" if days < 0 else "due_today")
    label = t(words, lang, subject=subject, visit=visit, days=span)
    return WorkItem(str(row["center_id"]), label)


def finding_work_by_center(ctx: PageContext) -> dict[str, Any]:
    """Per center of the view: open findings, median age and oldest (see dashboard.workflow)."""
    users = ctx.state.users
    return work_by_center(
        ctx.db,
        ctx.protocol,
        ctx.scope.as_of,
        ctx.scope.centers,
        ctx.info.all_centers,
        users.engine if users else None,
    )


def since_then(ctx: PageContext) -> tuple[Any, dict[str, Any] | None] | None:
    """The cut the view compares with, and its summary of the same view.

    The summary is None when the cut kept none of this view (it keeps every center together
    and each center, all arms).
    """
    if not ctx.view.since or ctx.state.users is None:
        return None
    store = cuts.CutStore(ctx.state.users.engine)
    cut = store.resolve(ctx.view.since)
    if cut is None or not cuts.usable(cut, ctx.scope.as_of):
        return None  # no such cut, or one newer than the view's data: nothing to compare
    info = ctx.info
    # A cut keeps every center together and each center alone (a site's one center is alone).
    one = len(info.centers) == 1
    scope = (
        info.centers[0]
        if one and (info.restricted or not info.all_centers)
        else (cuts.ALL if info.all_centers else None)
    )
    if scope is None or info.arm_filtered:
        return cut, None
    then = memoize(
        "cut-summary",
        ctx.db.url,
        (cut.cut_id, scope),
        lambda: store.summaries(cut.cut_id).get(scope),
    )
    return cut, then


def current_snapshot(db: TrialDb, protocol: Protocol, as_of: dt.date) -> dict[str, Any]:
    """The record snapshot of the data now (once per data version and date)."""
    from data_access.queries.snapshot import record_snapshot

    return memoize(
        "snapshot",
        db.url,
        (as_of, id_of(protocol)),
        lambda: record_snapshot(
            db,
            protocol.center_codes,
            as_of,
            arm_rule(protocol),
            planned_visits(protocol),
            check_rules(protocol, cq.treated_level_values(db)),
        ),
    )


def changes_since(ctx: PageContext) -> Any:
    """What changed since the view's cut, for the centers of the view.

    By default the last meeting, else the cut before the latest; None when there is no cut
    to compare with.
    """
    if ctx.state.users is None:
        return None
    store = cuts.CutStore(ctx.state.users.engine)
    cut = store.resolve(ctx.view.since or "last") or store.resolve("previous")
    if cut is None:
        return None
    if not cuts.usable(cut, ctx.scope.as_of):
        return NewerCut(cut, ctx.scope.as_of)
    then = memoize("cut-snapshot", ctx.db.url, (cut.cut_id,), lambda: store.snapshot(cut.cut_id))
    now = current_snapshot(ctx.db, ctx.protocol, ctx.scope.as_of)
    return cuts.compare(cut, then, now, ctx.scope.centers)


@dataclass(frozen=True)
class NewerCut:
    """The cut asked for is newer than the view's data: a comparison would run backwards."""

    cut: Any
    as_of: dt.date

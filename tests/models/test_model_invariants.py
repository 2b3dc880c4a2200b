"""Invariants every page model must keep on any data: Hypothesis builds small random trials
(1-4 centers, 2-3 arms, up to 30 people, random visits, images and events, some values out of
range) and checks each model, for all centers and for each center alone.

- sums over centers equal the all-centers figure (recruitment, visits, safety, data quality);
- per term: the worst grades (and the ungraded) add up to `any`, grade >= 3 = grades 3+4+5;
- numbers at risk never increase; Kaplan-Meier never rises and stays inside its band;
- every interval inside its scale (NRS and PAFI 0-10, OMED >= 0, proportions 0-1);
- every share between 0 and 100%.
"""

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.metrics.model import Estimate, Proportion
from dashboard.services import (
    data_quality_page_model,
    local_control_page_model,
    pain_page_model,
    randomization_page_model,
    recruitment_page_model,
    safety_page_model,
    visits_page_model,
)
from tests import trials

AS_OF = dt.date(2026, 6, 30)
START = dt.date(2025, 6, 1)
TRIED = {"n": 0}
VISITS = (
    ("W2", 14, 3, 3, ("nrs", "omed")),
    ("M1", 30, 7, 7, ("nrs", "omed", "pafi", "imaging")),
    ("M3", 91, 14, 14, ("nrs", "omed", "pafi", "imaging")),
)
DAYS = {code: day for code, day, *_ in VISITS}
MDA = ("CR", "PR", "SD", "PD", "NE")

people = st.lists(
    st.tuples(
        st.integers(0, 3),  # center index
        st.integers(0, 2),  # arm index
        st.integers(0, 380),  # screening day
        st.booleans(),  # randomized
        st.integers(-1, 12),  # baseline NRS (11, 12 and -1 out of range)
        st.sampled_from([None, 0, 10, 30, 60]),  # baseline OMED
        st.lists(  # visits: (index, NRS, OMED, PAFI, MDA, lateness)
            st.tuples(
                st.integers(0, 2),
                st.integers(-1, 11),
                st.sampled_from([None, 0, 5, 30, 80]),
                st.integers(0, 11),
                st.sampled_from(MDA),
                st.integers(-5, 20),
            ),
            max_size=3,
        ),
        st.lists(  # events: (term, grade 0..6, serious)
            st.tuples(
                st.sampled_from(["Pain", "Fracture", "Nausea"]), st.integers(0, 6), st.booleans()
            ),
            max_size=3,
        ),
        st.sampled_from([None, "died", "withdrew"]),
    ),
    max_size=30,
)


def build(n_centers: int, n_arms: int, rows):
    codes = [f"C{i}" for i in range(n_centers)]
    arms = ["X", "Y", "Z"][:n_arms]
    protocol = trials.protocol(
        centers=tuple((c, 10, "2025-06-01", "2027-06-01") for c in codes),
        arms=tuple(arms),
        blocks=(n_arms, 2 * n_arms),
        visits=VISITS,
        safety={"events_of_interest": {"pain_flare": ["Pain"]}},
    )
    subjects, assessments, imaging, events = [], [], [], []
    for k, (ci, ai, day, rand, nrs, omed, visits, aes, off) in enumerate(rows):
        center, arm = codes[ci % n_centers], arms[ai % n_arms]
        screened = START + dt.timedelta(days=day)
        sid = f"{center}-{k:03d}"
        day0 = screened + dt.timedelta(days=2)
        subjects.append(
            trials.subject(
                sid,
                center,
                screened.isoformat(),
                (screened + dt.timedelta(days=3)).isoformat() if rand else None,
                arm if rand else None,
                procedure_on=day0.isoformat() if rand else None,
                baseline_nrs=nrs,
                baseline_omed_mg=omed,
                baseline_pafi=5,
                off_study_on=(day0 + dt.timedelta(days=40)).isoformat() if rand and off else None,
                off_study_reason=off if rand else None,
            )
        )
        if not rand:
            continue
        seen = set()
        for vi, v_nrs, v_omed, pafi, mda, late in visits:
            code = VISITS[vi][0]
            if code in seen:
                continue
            seen.add(code)
            on = (day0 + dt.timedelta(days=DAYS[code] + late)).isoformat()
            assessments.append(
                {
                    "subject_id": sid,
                    "visit_code": code,
                    "assessed_on": on,
                    "nrs": v_nrs,
                    "omed_mg": v_omed,
                    "pafi": pafi,
                }
            )
            if code != "W2":
                imaging.append(
                    {"subject_id": sid, "visit_code": code, "imaged_on": on, "mda_response": mda}
                )
        for j, (term, grade, serious) in enumerate(aes):
            onset = day0 + dt.timedelta(days=5 + 7 * j)
            events.append(
                {
                    "ae_id": len(events) + 1,
                    "subject_id": sid,
                    "term": term,
                    "soc": "SOC",
                    "grade": grade,
                    "serious": serious,
                    "onset_on": onset.isoformat(),
                    "reported_on": (onset + dt.timedelta(days=2)).isoformat(),
                }
            )
    tables = {
        "centers": trials.centers(*codes),
        "subjects": subjects,
        "assessments": assessments,
        "imaging": imaging,
        "adverse_events": events,
    }
    return protocol, tables


def in_unit(p: Proportion) -> None:
    assert p.value is None or 0 <= p.value <= 1
    if p.low is not None:
        assert 0 <= p.low <= p.value <= p.high <= 1


def in_scale(e: Estimate, lo: float, hi: float) -> None:
    assert e.value is None or lo <= e.value <= hi
    if e.low is not None:
        assert lo <= e.low <= e.value <= e.high <= hi


def check_models(db, p, as_of):
    info = trials.scope(p, as_of.isoformat())
    singles = {c: trials.scope(p, as_of.isoformat(), centers=[c]) for c in p.center_codes}

    rec = recruitment_page_model(db, p, info)
    assert rec.overall.randomized == sum(c.randomized for c in rec.by_center.values())
    assert rec.overall.screened == sum(c.screened for c in rec.by_center.values())
    for a in p.arm_codes:
        assert rec.overall.by_arm[a] == sum(c.by_arm[a] for c in rec.by_center.values())
    for c, s in singles.items():
        assert recruitment_page_model(db, p, s).overall.randomized == rec.by_center[c].randomized

    rnd = randomization_page_model(db, p, info)
    assert rnd.consort.assessed == rnd.consort.excluded + rnd.consort.randomized
    for a in p.arm_codes:
        assert rnd.consort.allocated[a] == sum(c[a] for c in rnd.by_center.values())
        flow = rnd.consort.arms[a]
        assert flow.received + flow.not_received + flow.pending == flow.allocated
    for var in rnd.table_one.variables:
        for per_col in var.counts.values():
            for count in per_col.values():
                assert count.share is None or 0 <= count.share <= 1

    vis = visits_page_model(db, p, info)
    for field in ("done", "missed", "due", "not_expected", "upcoming", "no_day_zero"):
        total = getattr(vis.overall, field)
        assert total == sum(getattr(c, field) for c in vis.by_center.values())
        assert total == sum(getattr(c, field) for c in vis.by_visit.values())
    for c, s in singles.items():
        assert visits_page_model(db, p, s).overall.missed == vis.by_center[c].missed
    for counts in (vis.overall, *vis.by_center.values(), *vis.by_visit.values()):
        assert counts.compliance is None or 0 <= counts.compliance <= 1

    pain = pain_page_model(db, p, info)
    for per in (*pain.nrs.values(), *pain.pafi.values()):
        for e in per.values():
            in_scale(e, 0, 10)
    for per in pain.omed.values():
        for e in per.values():
            in_scale(e, 0, float("inf"))
    for per in pain.responses.values():
        for r in per.values():
            in_unit(r.responders)
            assert r.complete + r.partial + r.indeterminate + r.progression == r.n

    lc = local_control_page_model(db, p, info)
    for per in lc.dcr.values():
        for d in per.values():
            in_unit(d.rate)
            assert d.controlled <= d.evaluable
    for km in lc.km.values():
        survival = [s.survival for s in km.steps]
        assert all(a >= b for a, b in itertools.pairwise(survival))
        assert all(0 <= s <= 1 for s in survival)
        for s in km.steps:
            if s.low is not None:
                assert s.low <= s.survival + 1e-12 and s.survival <= s.high + 1e-12
        risk = [km.at_risk[d] for d in lc.risk_days]
        assert all(a >= b for a, b in itertools.pairwise(risk)) and risk[0] == km.subjects

    saf = safety_page_model(db, p, info)
    for term, per_arm in saf.by_term.items():
        for a, c in per_arm.items():
            assert sum(c.worst.values()) + c.ungraded == c.any, term
            assert c.grade3plus == c.worst["3"] + c.worst["4"] + c.worst["5"], term
            assert c.any <= saf.by_arm[a].subjects
    assert saf.total.subjects == sum(c.subjects for c in saf.by_center.values())
    assert saf.total.any_ae == sum(c.any_ae.k for c in saf.by_center.values())
    for a in saf.by_arm.values():
        assert a.grade3plus <= a.any_ae <= a.subjects and a.fatal <= a.any_ae
        for share in (a.any_ae_share, a.grade3plus_share, a.serious_share, a.fatal_share):
            in_unit(share)
    for c, s in singles.items():
        assert safety_page_model(db, p, s).total.any_ae == saf.by_center[c].any_ae.k

    dq = data_quality_page_model(db, p, info)
    for cat in dq.categories:
        if cat != "structure":
            assert dq.by_category[cat] == sum(c[cat] for c in dq.by_center.values())
    assert dq.total == sum(dq.by_category.values())


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # CI and local runs try the same trials
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(1, 4), st.integers(2, 3), people)
def test_model_invariants_on_generated_trials(tmp_path_factory, n_centers, n_arms, rows):
    protocol, tables = build(n_centers, n_arms, rows)
    db = trials.sqlite(tmp_path_factory.mktemp("gen"), tables, AS_OF.isoformat())
    check_models(db, protocol, AS_OF)
    TRIED["n"] += 1


def test_report_how_many_were_tried():
    # Runs after the property test in file order; printed with -s or in the -ra summary.
    print(f"generated trials checked for model invariants: {TRIED['n']}")
    assert TRIED["n"] >= 40

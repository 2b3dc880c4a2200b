"""The data-quality checks (SQL) and page model on two hand-made trials of at most 8 subjects
(D1-D6: eligibility and ranges; D7-D14: dates, SBRT and structure): each planted problem found
exactly once, nothing else.

Protocol: baseline NRS >= 4, levels T5-L5, at most 2 levels, imaging within 42 days before
randomization; SBRT in arm Y: 30 Gy / 5 only, start by day 28, given within 42 days.
Data date 2026-06-01. D1 and D12 are clean subjects carrying record-level problems.
"""

import datetime as dt

import pytest
from sqlalchemy import select

from dashboard.listings import format_value
from dashboard.services import check_rules, data_quality_page_model
from data_access.queries import checks
from data_access.queries.core import records
from tests import trials

P = trials.protocol(
    centers=(("A", 20, "2026-01-01", "2026-12-31"),),
    eligibility={
        "min_baseline_nrs": 4,
        "highest_level": "T5",
        "lowest_level": "L5",
        "max_treated_levels": 2,
        "max_imaging_days_before_enrollment": 42,
    },
    sbrt={
        "arm": "Y",
        "allowed_schemes": [[30.0, 5]],
        "planned_start_day": 14,
        "late_start_day": 28,
        "missing_after_days": 42,
    },
)
AS_OF = "2026-06-01"


def subject(sid, arm="X", center="A", **kw):
    values = {
        "procedure_on": "2026-01-04",
        "consented_on": "2026-01-01",
        "baseline_imaging_on": "2025-12-20",
        "baseline_nrs": 6,
        "baseline_pafi": 5,
        "age_years": 60,
        "treated_levels": "T10",
    }
    values.update(kw)
    return trials.subject(sid, center, "2026-01-01", "2026-01-05", arm, **values)


def course(sid, start, dose=30.0, fractions=5):
    return {"subject_id": sid, "started_on": start, "fractions": fractions, "total_dose_gy": dose}


ROWS = {
    "centers": trials.centers("A", "ZZ"),  # ZZ: in the database, not in the protocol
    "subjects": [
        subject("D1"),
        subject("D2", baseline_nrs=3),
        subject("D3", treated_levels="T3"),
        subject("D4", treated_levels="T10,T11,T12"),
        subject("D5", baseline_imaging_on="2025-11-01"),  # 65 days before randomization
        subject("D6", eligible=False, age_years=17),
        subject("D7", procedure_on=None),
        subject(
            "D8", consented_on="2025-12-01", off_study_on="2026-01-03", off_study_reason="withdrew"
        ),
        subject("D9", arm="Y", off_study_on="2026-03-01", off_study_reason="died"),
        subject("D10"),
        subject("D11", arm="Y"),
        subject("D12", arm="Y"),
        trials.subject("D13", "ZZ", "2026-01-01"),  # a center the protocol does not know
        subject("D14", arm="Q"),  # an arm the protocol does not know
    ],
    "sbrt_courses": [
        course("D10", "2026-01-18"),  # SBRT in arm X
        course("D11", "2026-02-03", 24.0, 4),  # day 30: late, and a scheme not allowed
        course("D12", "2026-01-18"),  # day 14, allowed: clean
    ],
    "assessments": [
        {"subject_id": "D1", "visit_code": "V1", "assessed_on": "2026-07-01", "nrs": 3},
        {
            "subject_id": "D1",
            "visit_code": "V2",
            "assessed_on": "2026-02-01",
            "nrs": 12,
            "pafi": -1,
        },
        {
            "subject_id": "D2",
            "visit_code": "V2",
            "assessed_on": "2026-02-01",
            "nrs": 3,
            "omed_mg": -5,
        },
        {"subject_id": "D9", "visit_code": "V2", "assessed_on": "2026-03-10", "nrs": 5},
        {"subject_id": "D12", "visit_code": "V9", "assessed_on": "2026-02-01", "nrs": 5},
    ],
    "imaging": [
        {"subject_id": "D3", "visit_code": "V2", "imaged_on": "2026-02-01", "mda_response": "XX"},
    ],
    "adverse_events": [
        {
            "ae_id": 1,
            "subject_id": "D2",
            "term": "Pain",
            "grade": 7,
            "serious": False,
            "onset_on": "2026-02-01",
            "reported_on": "2026-02-02",
        },
        {
            "ae_id": 2,
            "subject_id": "D9",
            "term": "Pain",
            "grade": 2,
            "serious": False,
            "onset_on": "2026-03-05",
            "reported_on": "2026-03-06",
        },
        {
            "ae_id": 3,
            "subject_id": "D12",
            "term": "Pain",
            "grade": 1,
            "serious": False,
            "onset_on": "2026-02-10",
            "resolved_on": "2026-02-01",
            "reported_on": "2026-02-11",
        },
    ],
}
EXPECTED = {
    "eligibility": {
        "baseline_nrs_low": ["D2"],
        "level_outside": ["D3"],
        "too_many_levels": ["D4"],
        "imaging_too_early": ["D5"],
        "ineligible_randomized": ["D6"],
    },
    "range": {
        "nrs_out_of_range": ["D1"],
        "pafi_out_of_range": ["D1"],
        "omed_negative": ["D2"],
        "grade_out_of_range": ["D2"],
        "age_years_out_of_range": ["D6"],
        "unknown_mda": ["D3"],
    },
    "dates": {
        "future_date": ["D1"],
        "before_screening": ["D8"],
        "randomized_without_day_zero": ["D7"],
        "off_study_before_randomization": ["D8"],
        "visit_after_death": ["D9"],
        "resolved_before_onset": ["D12"],
    },
    # D9 died on 03-01 with no fatal adverse event, and an event began on 03-05.
    "safety": {"event_after_death": ["D9"], "death_without_fatal_ae": ["D9"]},
    "sbrt": {
        "no_sbrt": ["D9"],
        "sbrt_in_other_arm": ["D10"],
        "scheme_not_allowed": ["D11"],
        "late_start": ["D11"],
    },
    "structure": {"unknown_center": ["D13"], "unknown_arm": ["D14"], "unknown_visit": ["D12"]},
}


PARTS = {
    "eligibility_and_ranges": {"D1", "D2", "D3", "D4", "D5", "D6"},
    "dates_sbrt_structure": {"D7", "D8", "D9", "D10", "D11", "D12", "D13", "D14"},
}


def part_rows(ids):
    return {
        table: rows if table == "centers" else [r for r in rows if r["subject_id"] in ids]
        for table, rows in ROWS.items()
    }


def part_expected(ids):
    out = {}
    for category, by_check in EXPECTED.items():
        kept = {c: [s for s in sids if s in ids] for c, sids in by_check.items()}
        kept = {c: sids for c, sids in kept.items() if sids}
        if kept:
            out[category] = kept
    return out


@pytest.fixture(scope="module", params=sorted(PARTS))
def part(request, make_db):
    ids = PARTS[request.param]
    return request.param, make_db(part_rows(ids), AS_OF), part_expected(ids)


def rules(db):
    from data_access.queries.checks import treated_level_values

    return check_rules(P, treated_level_values(db))


def found_in(db):
    import datetime as dt

    return records(db, select(checks.findings(rules(db), dt.date(2026, 6, 1))))


def test_every_planted_problem_found_once_and_nothing_else(part):
    _name, db, expected = part
    got: dict[str, dict[str, list[str]]] = {}
    for r in found_in(db):
        got.setdefault(r["category"], {}).setdefault(r["check"], []).append(r["subject_id"])
    assert got == expected
    # The two parts together plant every problem of EXPECTED once.
    assert set(EXPECTED) >= set(expected)


def test_finding_keys_and_values(make_db):
    found = [r for ids in PARTS.values() for r in found_in(make_db(part_rows(ids), AS_OF))]
    by_key = {r["key"]: r for r in found}
    # Keys are stable: check, subject, table.field and the record (visit, AE id).
    assert "nrs_out_of_range:D1:assessments.nrs:V2" in by_key
    assert "grade_out_of_range:D2:adverse_events.grade:1" in by_key
    too_early = next(r for r in found if r["check"] == "imaging_too_early")
    assert (too_early["value"], too_early["value_kind"]) == ("65", "days")
    assert format_value("65", "days", "en") == "65 days"
    assert format_value("65", "days", "zh") == "65 天"
    late = next(r for r in found if r["check"] == "late_start")
    assert (late["value"], late["value_kind"]) == ("30", "day")
    scheme = next(r for r in found if r["check"] == "scheme_not_allowed")
    assert format_value(scheme["value"], "scheme", "en") == "24 Gy in 4 fractions"
    # the finding names the dose it is about, its key stays the one it always had
    assert scheme["field"] == "total_dose_gy"
    assert scheme["key"] == "scheme_not_allowed:D11:sbrt_courses.started_on:"
    dead = next(r for r in found if r["check"] == "death_without_fatal_ae")
    assert (dead["value"], dead["value_kind"]) == ("died", "off_reason")
    assert format_value("died", "off_reason", "en") == "died"
    assert format_value("died", "off_reason", "zh") == "死亡"
    assert format_value("no-such-reason", "off_reason", "zh") == "no-such-reason"


def test_in_scope_lists_what_the_listing_query_lists(part):
    """The work list filters the data version's keys in Python; the listing filters in SQL.

    Both must keep the same findings for every choice of centers, with and without the
    structure checks (an unknown center's finding, ZZ, is nobody's but a structure one).
    """
    import datetime as dt

    _name, db, _expected = part
    as_of = dt.date(2026, 6, 1)
    every = checks.finding_keys(db, rules(db), as_of)
    for codes in ([], ["A"], ["ZZ"], ["A", "ZZ"]):
        for with_structure in (False, True):
            sub = checks.findings_select(rules(db), as_of, codes, with_structure).subquery()
            by_sql = sorted(r["key"] for r in records(db, select(sub.c.key)))
            by_python = sorted(r["key"] for r in checks.in_scope(every, codes, with_structure))
            assert by_python == by_sql, (codes, with_structure)
    # Not vacuous: A without structure keeps some findings and drops the structure ones.
    kept = checks.in_scope(every, ["A"], False)
    assert kept and all(r["category"] != "structure" for r in kept)


def test_page_model_counts(part):
    name, db, _expected = part
    m = data_quality_page_model(db, P, trials.scope(P, AS_OF))
    zero = dict.fromkeys(EXPECTED, 0)
    if name == "eligibility_and_ranges":
        # D2-D6 one eligibility finding each; D1 nrs, pafi, D2 omed, grade, D6 age, D3 mda;
        # D1's V1 in the future.
        want = {**zero, "eligibility": 5, "range": 6, "dates": 1}
        assert m.total == 12 and m.by_center["A"] == want
    else:
        # Dates: D8 twice, D7, D9, D12; deaths and fatal events: D9 twice; SBRT: D9, D10,
        # D11 twice; structure: D12-D14.
        want = {**zero, "dates": 5, "safety": 2, "sbrt": 4, "structure": 3}
        assert m.total == 14
        # By center: the structure finding of the unknown center ZZ (D13) is not A's.
        assert m.by_center["A"] == {**want, "structure": 2}
    assert {k: v for k, v in m.by_category.items() if v} == {k: v for k, v in want.items() if v}
    assert m.structure_checked
    # Selecting the only center is still every center: structure checks stay.
    only = data_quality_page_model(db, P, trials.scope(P, AS_OF, centers=["A"]))
    assert only.structure_checked


def test_trend_runs_from_the_first_screening_to_the_data_date():
    # Findings (center A): 3 about records of March 1977 (history typed as a date), 2 in
    # February 2026, 1 dated August 2026 (after the data date, 2026-06-01). First screening
    # 2026-01-05. The axis runs January to June 2026; the 1977 and August ones are counted
    # apart, not drawn (an axis from 1977 would squash the trial's months to nothing).
    from dashboard.metrics.data_quality import data_quality_model

    counts = [
        {
            "center_id": "A",
            "category": "dates",
            "check": "c1",
            "month": dt.date(1977, 3, 1),
            "n": 3,
        },
        {
            "center_id": "A",
            "category": "range",
            "check": "c2",
            "month": dt.date(2026, 2, 1),
            "n": 2,
        },
        {
            "center_id": "A",
            "category": "dates",
            "check": "c3",
            "month": dt.date(2026, 8, 1),
            "n": 1,
        },
    ]
    m = data_quality_model(counts, [], P, trials.scope(P, AS_OF), dt.date(2026, 1, 5))
    assert m.trend.months == tuple(dt.date(2026, k, 1) for k in range(1, 7))
    assert m.trend.by_category["range"] == (0, 2, 0, 0, 0, 0)
    assert m.trend.by_category["dates"] == (0,) * 6
    assert (m.trend.before, m.trend.after) == (3, 1)
    assert m.total == 6  # every finding still counts


def test_deaths_and_fatal_events_agree(make_db):
    # Data date 2026-06-01. Fatal: grade 5 or outcome fatal, known by the data date.
    # F1 died 03-01 with a serious grade 5 event that day: consistent, no finding.
    # F2 died 03-01, only a grade 2 event: death without a fatal event.
    # F3 alive, an event with outcome fatal (grade 4, serious): fatal event without a death.
    # F4 died 03-01, its grade 5 event not marked serious: fatal event not serious.
    # F5 dies 07-01 (after the data date) with its fatal event reported 07-02: not known yet.
    def s(sid, died=None):
        return trials.subject(
            sid,
            "A",
            "2026-01-01",
            "2026-01-05",
            "X",
            procedure_on="2026-01-04",
            off_study_on=died,
            off_study_reason="died" if died else None,
        )

    def ae(n, sid, grade, serious, outcome, onset, reported):
        return {
            "ae_id": n,
            "subject_id": sid,
            "term": "Event",
            "grade": grade,
            "serious": serious,
            "outcome": outcome,
            "onset_on": onset,
            "reported_on": reported,
        }

    rows = {
        "centers": trials.centers("A"),
        "subjects": [
            s("F1", "2026-03-01"),
            s("F2", "2026-03-01"),
            s("F3"),
            s("F4", "2026-03-01"),
            s("F5", "2026-07-01"),
        ],
        "adverse_events": [
            ae(1, "F1", 5, True, "fatal", "2026-03-01", "2026-03-02"),
            ae(2, "F2", 2, False, "recovered", "2026-02-01", "2026-02-02"),
            ae(3, "F3", 4, True, "fatal", "2026-02-01", "2026-02-02"),
            ae(4, "F4", 5, False, None, "2026-03-01", "2026-03-02"),
            ae(5, "F5", 5, True, "fatal", "2026-07-01", "2026-07-02"),
        ],
    }
    db = make_db(rows, AS_OF)
    rules = check_rules(P, [])
    found = records(db, select(checks.findings(rules, dt.date(2026, 6, 1))))
    safety = sorted((r["check"], r["subject_id"]) for r in found if r["category"] == "safety")
    assert safety == [
        ("death_without_fatal_ae", "F2"),
        ("fatal_ae_not_serious", "F4"),
        ("fatal_ae_without_death", "F3"),
    ]

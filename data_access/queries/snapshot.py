"""What a data cut keeps of the records, to say later what changed since.

Keys and the few values a monitor or the committee asks about (not a copy of the database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from data_access.queries.checks import CheckRules, findings
from data_access.queries.core import TrialDb, records
from data_access.queries.population import ArmRule
from data_access.queries.visits import PlannedVisit, visit_states
from data_access.schema import adverse_events, assessments, subjects


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def record_snapshot(
    db: TrialDb,
    center_codes: Sequence[str],
    as_of: dt.date,
    rule: ArmRule,
    visits: Sequence[PlannedVisit],
    check_rules: CheckRules,
) -> dict[str, Any]:
    """Subjects, visit values, AEs, missed visits and findings, keyed for comparison."""
    s, a, e = subjects.c, assessments.c, adverse_events.c
    subj = records(
        db,
        select(
            s.subject_id,
            s.center_id,
            s.arm,
            s.randomized_on,
            s.off_study_on,
            s.off_study_reason,
            s.eligible,
            s.age_years,
            s.baseline_nrs,
        ).where(s.center_id.in_(list(center_codes))),
    )
    visits_done = records(
        db,
        select(a.subject_id, a.visit_code, a.assessed_on, a.nrs, a.pafi, a.omed_mg)
        .join_from(assessments, subjects, a.subject_id == s.subject_id)
        .where(s.center_id.in_(list(center_codes))),
    )
    events = records(
        db,
        select(
            e.ae_id,
            e.subject_id,
            e.term,
            e.onset_on,
            e.grade,
            e.serious,
            e.outcome,
            e.resolved_on,
            e.reported_on,
        )
        .join_from(adverse_events, subjects, e.subject_id == s.subject_id)
        .where(s.center_id.in_(list(center_codes))),
    )
    st = visit_states(center_codes, as_of, rule, visits)
    missed = records(
        db,
        select(st.c.subject_id, st.c.center_id, st.c.arm, st.c.visit_code, st.c.closes_on).where(
            st.c.state == "missed"
        ),
    )
    f = findings(check_rules, as_of)
    found = records(
        db,
        select(f.c.key, f.c.subject_id, f.c.center_id, f.c.category, f.c.check, f.c.value),
    )
    return {
        "subjects": {
            r["subject_id"]: {k: _iso(v) for k, v in r.items() if k != "subject_id"} for r in subj
        },
        "assessments": {
            f"{r['subject_id']}|{r['visit_code']}": {
                k: _iso(v) for k, v in r.items() if k not in ("subject_id", "visit_code")
            }
            for r in visits_done
        },
        "adverse_events": {
            str(r["ae_id"]): {k: _iso(v) for k, v in r.items() if k != "ae_id"} for r in events
        },
        "missed": {
            f"{r['subject_id']}|{r['visit_code']}": {k: _iso(v) for k, v in r.items()}
            for r in missed
        },
        "findings": {r["key"]: {k: _iso(v) for k, v in r.items() if k != "key"} for r in found},
    }

"""Safety on a trial with many terms and history recorded as an AE, worked out by hand.

22 subjects s01..s22, all randomized to X on 2026-01-02 (day 0 = procedure 2026-01-01), one
center. Term Tk (k = 1..22) is reported by exactly k subjects (s01..sk), each once, onset
2026-02-01, reported 2026-02-03 (lag 2 days). s01 also has "Hypertension" that began on
2001-05-01 (history recorded as an AE: 9,011 days before day 0), reported at screening,
2026-01-03.
"""

import pytest

from dashboard.metrics.safety import COMMON_TERMS
from dashboard.services import safety_page_model
from tests import trials

P = trials.protocol(
    centers=(("C1", 30, "2026-01-01", "2026-12-31"),),
    arms=("X", "Y"),
    safety={"events_of_interest": {"pressure": ["Hypertension"], "t22": ["T22"]}},
)
AS_OF = "2026-06-01"
SUBJECTS = [f"s{i:02d}" for i in range(1, 23)]
EVENTS = [
    (f"s{i:02d}", f"T{k:02d}", "2026-02-01", "2026-02-03")
    for k in range(1, 23)
    for i in range(1, k + 1)
] + [("s01", "Hypertension", "2001-05-01", "2026-01-03")]
ROWS = {
    "centers": trials.centers("C1"),
    "subjects": [
        trials.subject(s, "C1", "2026-01-01", "2026-01-02", "X", procedure_on="2026-01-01")
        for s in SUBJECTS
    ],
    "adverse_events": [
        {
            "ae_id": n,
            "subject_id": s,
            "term": term,
            "soc": "SOC",
            "grade": 1,
            "serious": False,
            "onset_on": onset,
            "reported_on": reported,
        }
        for n, (s, term, onset, reported) in enumerate(EVENTS, start=1)
    ],
}


@pytest.fixture(scope="module")
def model(make_db):
    return safety_page_model(make_db(ROWS, AS_OF), P, trials.scope(P, AS_OF))


def test_the_commonest_terms_are_shown_first(model):
    # 23 terms (T01..T22 and Hypertension, 1 subject). By subjects the commonest 20 are
    # T22 (22), T21 (21) ... T03 (3); T01, T02 and Hypertension (1, 2, 1) are the rest.
    assert COMMON_TERMS == 20
    assert len(model.by_term) == 23
    assert set(model.common_terms) == {f"T{k:02d}" for k in range(3, 23)}
    # All terms stay in the model (summary --json, the "all terms" grid, the CSV).
    assert model.by_term["T01"]["X"].any == 1 and model.by_term["Hypertension"]["X"].any == 1


def test_history_is_counted_but_kept_out_of_lag_and_onset(model):
    # In the tables: s01's hypertension counts (1 subject).
    assert model.by_term["Hypertension"]["X"].any == 1
    # Events: 1 + 2 + ... + 22 = 253 on study, and the history event: 254.
    assert model.events == 254
    assert model.before_day0_events == 1
    lag = model.lag["C1"]
    # The lag is that of the 253 on-study events, all 2 days; the history event (9,013 days
    # from onset to report) is not among them.
    assert (lag.events, lag.before_day0) == (253, 1)
    assert lag.histogram == {"2": 253}
    assert (lag.median, lag.max) == (2.0, 2)
    # Time to onset of events of interest: T22 (22 events on day 31); hypertension (day
    # -9,011) is left out and counted.
    assert model.onset["t22"]["X"] == {"31": 22}
    assert model.onset["pressure"]["X"] == {}
    assert model.onset_before_day0 == 1

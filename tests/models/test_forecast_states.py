"""Forecasts that know where the trial is, on hand-made trials (dates worked out by hand).

Centers (targets): C1 2, C2 4, C3 4; all plan 2025-01-01 to 2025-12-31, activated 2025-01-01.
- C1 randomized 3 (2025-01-10, -02-10, -03-10): past its target.
- C2 randomized 1 on 2024-12-20 (before its plan: the data are right) and nobody since.
- C3 randomized 3 (2025-03-01, -05-01, -06-20).
The protocol's idle span is the default, 180 days.
"""

import datetime as dt

import pytest

from dashboard.services import recruitment_page_model
from tests import trials

CENTERS = (
    ("C1", 2, "2025-01-01", "2025-12-31"),
    ("C2", 4, "2025-01-01", "2025-12-31"),
    ("C3", 4, "2025-01-01", "2025-12-31"),
)
P = trials.protocol(centers=CENTERS)
S = trials.subject
ROWS = {
    "centers": trials.centers(
        "C1", "C2", "C3", activated=dict.fromkeys(("C1", "C2", "C3"), "2025-01-01")
    ),
    "subjects": [
        S("C1-1", "C1", "2025-01-05", "2025-01-10", "X"),
        S("C1-2", "C1", "2025-02-05", "2025-02-10", "Y"),
        S("C1-3", "C1", "2025-03-05", "2025-03-10", "X"),
        S("C2-1", "C2", "2024-12-15", "2024-12-20", "X"),
        S("C3-1", "C3", "2025-02-25", "2025-03-01", "Y"),
        S("C3-2", "C3", "2025-04-25", "2025-05-01", "X"),
        S("C3-3", "C3", "2025-06-15", "2025-06-20", "Y"),
    ],
}


@pytest.fixture(scope="module")
def db(make_db):
    return make_db(ROWS, "2026-03-01")


def test_open_trial_past_target_and_stalled_center(db):
    # 2025-06-30: the last randomization (C3, 2025-06-20) was 10 days ago: enrolment is open.
    m = recruitment_page_model(db, P, trials.scope(P, "2025-06-30"))
    assert not m.enrolment.closed and m.enrolment.last_randomized == dt.date(2025, 6, 20)
    c1, c2, c3 = (m.by_center[c] for c in ("C1", "C2", "C3"))
    # C1: 3 of 2, past its target: says so and when (its second subject, 2025-02-10); no
    # forecast dates, no fan.
    assert (c1.forecast.status, c1.forecast.median, c1.status) == ("reached", None, "reached")
    assert c1.forecast.since == dt.date(2025, 2, 10)
    assert m.fan_by_center["C1"] == ()
    # C2: nobody since 2024-12-20, 192 days >= 180: stalled, no forecast and no fan.
    assert (c2.forecast.status, c2.forecast.since) == ("stalled", dt.date(2024, 12, 20))
    assert c2.forecast.median is None and m.fan_by_center["C2"] == ()
    assert c2.status == "behind"  # 1 of the 4 * 180/364 = 1.98 planned by now
    # C3: recruiting (last 10 days ago): a forecast with dates and its fan.
    assert c3.forecast.status == "forecast" and c3.forecast.median is not None
    assert m.fan_by_center["C3"]


def test_stalled_counts_from_the_start_when_nobody_was_ever_randomized(make_db):
    # C5 (target 4), activated 2025-01-01, has randomized nobody. Prior only: Gamma(0.4,
    # 36.4 + t); with shape 0.4 the wait for 4 subjects has no finite mean and its 90% point lies
    # far beyond 5 years, so on day 179 (2025-06-29) there is no date: beyond the horizon. On day
    # 180 (2025-06-30) nobody randomized for the idle span since the start: stalled. The trial
    # never randomized anyone, so enrolment is not "closed".
    p = trials.protocol(centers=(("C5", 4, "2025-01-01", "2025-12-31"),))
    rows = {
        "centers": trials.centers("C5", activated={"C5": "2025-01-01"}),
        "subjects": [S("C5-1", "C5", "2025-03-01", eligible=False)],
    }
    db5 = make_db(rows, "2025-06-30")
    before = recruitment_page_model(db5, p, trials.scope(p, "2025-06-29"))
    assert before.by_center["C5"].forecast.status == "beyond_horizon"
    m = recruitment_page_model(db5, p, trials.scope(p, "2025-06-30"))
    fc = m.by_center["C5"].forecast
    assert (fc.status, fc.since) == ("stalled", dt.date(2025, 1, 1))
    assert not m.enrolment.closed and m.enrolment.last_randomized is None


def test_enrolment_taken_as_closed_after_the_idle_span(db):
    # 2026-03-01: nobody randomized since 2025-06-20, 254 days >= 180: taken as closed.
    m = recruitment_page_model(db, P, trials.scope(P, "2026-03-01"))
    e = m.enrolment
    assert (e.closed_on, e.declared) == (dt.date(2025, 6, 20), False)
    for code in ("C2", "C3"):
        fc = m.by_center[code].forecast
        assert (fc.status, fc.since, fc.median) == ("closed", dt.date(2025, 6, 20), None)
        assert m.fan_by_center[code] == ()
        assert m.by_center[code].status == "closed"
    assert m.by_center["C1"].forecast.status == "reached"
    # The trial: 7 of 10, closed below target: no forecast, no fan.
    assert m.overall.randomized == 7
    assert (m.overall.forecast.status, m.overall.status, m.fan) == ("closed", "closed", ())
    # 2025-12-16 is day 179 after the last randomization: still open.
    assert not recruitment_page_model(db, P, trials.scope(P, "2025-12-16")).enrolment.closed
    assert recruitment_page_model(db, P, trials.scope(P, "2025-12-17")).enrolment.closed


def test_a_site_of_an_open_trial_is_not_closed(db):
    # Closing is the trial's: C2 alone on 2025-06-30 is stalled, not "closed".
    m = recruitment_page_model(db, P, trials.scope(P, "2025-06-30", centers=["C2"]))
    assert not m.enrolment.closed
    assert m.overall.forecast.status == "stalled"


def test_closing_date_from_the_protocol(db):
    p = trials.protocol(centers=CENTERS, recruitment={"closed_on": "2025-06-25"})
    # Before the date: open (the last randomization was 4 days earlier).
    assert not recruitment_page_model(db, p, trials.scope(p, "2025-06-24")).enrolment.closed
    m = recruitment_page_model(db, p, trials.scope(p, "2025-07-01"))
    assert (m.enrolment.closed_on, m.enrolment.declared) == (dt.date(2025, 6, 25), True)
    assert m.by_center["C3"].forecast.status == "closed"


def test_no_date_beyond_the_horizon(make_db):
    # One center, target 50, horizon 6 months (183 days). One subject on 2025-06-01, activated
    # 2025-04-02 (90 days of recruiting by 2025-07-01). Posterior Gamma(0.1 * 50 + 1,
    # 0.1 * 364 + 90) = Gamma(6, 126.4): about 6 / 126.4 * 30.4 = 1.4 a month. The wait for the
    # other 49 is 126.4 * BetaPrime(49, 6), i.e. 126.4 * G49 / G6 for gamma variables; G49 is
    # about 49 +- 7 and G6 about 6 +- 2.4, so the wait is years and its 90% point (and even its
    # 10% point: G49/G6 < 183/126.4 = 1.45 is far in the tails) lies beyond 183 days.
    p = trials.protocol(
        centers=(("C9", 50, "2025-01-01", "2025-12-31"),),
        recruitment={"forecast_horizon_months": 6, "prior_weight": 0.1},
    )
    rows = {
        "centers": trials.centers("C9", activated={"C9": "2025-04-02"}),
        "subjects": [S("C9-1", "C9", "2025-05-28", "2025-06-01", "X")],
    }
    db9 = make_db(rows, "2025-07-01")
    m = recruitment_page_model(db9, p, trials.scope(p, "2025-07-01"))
    fc = m.overall.forecast
    assert (fc.status, fc.median, fc.low, fc.high) == ("beyond_horizon", None, None, None)
    assert m.fan == ()

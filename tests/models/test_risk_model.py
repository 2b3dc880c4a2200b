"""Center risk scoring, checked against numbers worked out here by other routes.

Tails of the Poisson and binomial distributions are summed term by term with `math` (not
SciPy, which the module uses); the normal approximation is written out with its φ.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.metrics.model import ScopeInfo
from dashboard.metrics.risk import KRIS, Count, RiskInputs, flag_of, risk_model, score
from dashboard.protocol import Qtl, RiskRules

AMBER_TAIL = 0.5 * math.erfc(2 / math.sqrt(2))  # P(Z >= 2) = 0.02275
RED_TAIL = 0.5 * math.erfc(3 / math.sqrt(2))  # P(Z >= 3) = 0.00135


def poisson_upper(x: int, mu: float) -> float:
    """P(X >= x) for X ~ Poisson(mu), by summing the terms below x."""
    below = sum(math.exp(-mu) * mu**k / math.factorial(k) for k in range(x))
    return 1 - below


def poisson_lower(x: int, mu: float) -> float:
    return sum(math.exp(-mu) * mu**k / math.factorial(k) for k in range(x + 1))


def binom_upper(x: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(x, n + 1))


def by_tail(tail: float) -> str:
    return "red" if tail < RED_TAIL else "amber" if tail < AMBER_TAIL else "green"


def test_four_centers_one_with_twice_the_ae_rate_one_missing_half_its_visits():
    """Four centers, exact limits (too few centers for the over-dispersion).

    AEs: A, B, C 40 events in 1,000 patient-days each, D 80 (twice the rate).
      θ = 200 / 4,000 = 0.05 per day; at 1,000 days the expected count is μ = 50.
      D: P(X >= 80 | μ 50) = 7.3e-5 < P(Z >= 3) = 0.00135 -> red (z about 3.8).
      A: P(X <= 40 | μ 50) = 0.086 > 0.0228 -> green (z about -1.4).
      Red limits at 1,000 days: counts with P(X >= x) < 0.00135, i.e. x >= 73 (0.073/day).
    Missed visits: A, B, C 10 of 100, D 50 of 100 (half).
      θ = 80 / 400 = 0.2; D: P(X >= 50 | Bin(100, 0.2)) = 1.7e-11 -> red;
      A: below the trial, and a missed-visit share is flagged only when high -> green.
    """
    ae = {c: Count(40, 1000) for c in "ABC"} | {"D": Count(80, 1000)}
    cells, trial, funnel = score(KRIS["ae_rate"], ae, "exact", 2.0, 3.0)
    assert poisson_upper(80, 50) < RED_TAIL
    assert {c: cells[c].flag for c in "ABCD"} == {c: "green" for c in "ABC"} | {"D": "red"}
    assert 3.6 < cells["D"].z < 4.0 and -1.5 < cells["A"].z < -1.2
    assert by_tail(poisson_upper(80, 50)) == "red" and by_tail(poisson_lower(40, 50)) == "green"
    per_100_months = 100 * 365.25 / 12
    assert math.isclose(trial.value, 0.05 * per_100_months)
    assert math.isclose(cells["D"].value, 0.08 * per_100_months)
    # The red limit at 1,000 days: the smallest count whose upper tail is below 0.00135.
    first_red = next(x for x in range(50, 200) if poisson_upper(x, 50) < RED_TAIL)
    assert first_red == 73
    i = min(range(len(funnel.denominators)), key=lambda j: abs(funnel.denominators[j] - 1000))
    n = funnel.denominators[i]
    want = next(x for x in range(0, 400) if poisson_upper(x, 0.05 * n) < RED_TAIL) / n
    assert math.isclose(funnel.red_high[i], want * per_100_months, rel_tol=1e-9)

    visits = {c: Count(10, 100) for c in "ABC"} | {"D": Count(50, 100)}
    cells, trial, _ = score(KRIS["missed_visits"], visits, "exact", 2.0, 3.0)
    assert binom_upper(50, 100, 0.2) < RED_TAIL
    assert trial.value == 0.2
    assert {c: cells[c].flag for c in "ABCD"} == {c: "green" for c in "ABC"} | {"D": "red"}
    assert cells["A"].z < -2  # low, but not a signal for missed visits


def test_the_normal_approximation_with_its_over_dispersion_written_out():
    """Twelve centers: ten with 50 events in 1,000 days, K with 110, L with 25.

    θ = 635 / 12,000 = 0.052917; sd at 1,000 days √(θ/1000) = 0.0072744;
    unadjusted z: K (0.110 − θ)/sd = 7.85, L (0.025 − θ)/sd = −3.84, the ten −0.40;
    φ = mean(z²) = (10 × 0.16 + 61.6 + 14.7) / 12 = 6.5 (≥ 1);
    adjusted z = z / √φ: K 3.08 (red), L −1.51 (green: the spread K and L make is chance
    enough once it is allowed for), the ten −0.16; limits θ ± k √(φ θ / t).
    """
    ae = {f"C{i}": Count(50, 1000) for i in range(10)} | {
        "K": Count(110, 1000),
        "L": Count(25, 1000),
    }
    theta = 635 / 12000
    sd = math.sqrt(theta / 1000)
    raw = {c: (n.numerator / 1000 - theta) / sd for c, n in ae.items()}
    phi = max(1.0, sum(z * z for z in raw.values()) / len(raw))
    assert phi > 1  # K and L spread the centers more than chance would
    cells, _, funnel = score(KRIS["ae_rate"], ae, "normal", 2.0, 3.0)
    assert math.isclose(funnel.phi, phi)
    for c, z in raw.items():
        assert math.isclose(cells[c].z, z / math.sqrt(phi))
    assert cells["K"].flag == flag_of(raw["K"] / math.sqrt(phi), "both", 2.0, 3.0)
    assert cells["K"].flag == "red" and cells["L"].flag == "green"
    assert 3.0 < cells["K"].z < 3.2 and -1.6 < cells["L"].z < -1.4
    assert all(cells[f"C{i}"].flag == "green" for i in range(10))
    i = len(funnel.denominators) // 2
    n = funnel.denominators[i]
    per = 100 * 365.25 / 12
    assert math.isclose(funnel.red_high[i], (theta + 3 * math.sqrt(phi * theta / n)) * per)
    assert math.isclose(funnel.amber_low[i], max(0.0, theta - 2 * math.sqrt(phi * theta / n)) * per)


def test_identity_indicators_take_their_thresholds():
    lag = {
        "A": Count(0, 30, 10.0),
        "B": Count(0, 30, 14.0),
        "C": Count(0, 30, 31.0),
        "D": Count(0, 0, None),
    }
    cells, trial, funnel = score(KRIS["ae_lag"], lag, "exact", 2, 3, (14.0, 30.0), 12.0)
    assert {c: cells[c].flag for c in "ABCD"} == {
        "A": "green",
        "B": "amber",
        "C": "red",
        "D": "none",
    }
    assert trial.value == 12.0 and funnel.method == "identity"


SCOPE = ScopeInfo(
    centers=("A", "B", "C", "D"),
    all_centers=True,
    restricted=False,
    arms=("X", "Y"),
    arm_filtered=False,
    as_of=dt.date(2026, 6, 30),
)


def inputs() -> RiskInputs:
    return RiskInputs(
        counts={
            "ae_rate": {c: Count(40, 1000) for c in "ABC"} | {"D": Count(80, 1000)},
            "missed_visits": {c: Count(10, 100) for c in "ABC"} | {"D": Count(50, 100)},
        },
        medians={},
        qtl_counts={"primary_missing": (20, 100), "not_treated": (2, 100)},
    )


RULES = RiskRules(qtls=(Qtl("primary_missing", 0.15), Qtl("not_treated", 0.05)))


def test_the_model_flags_trends_newly_flagged_and_qtls():
    history = [
        ("2026-04-30", dt.date(2026, 4, 30), None),  # a cut from before the page: no scores
        (
            "2026-05-31",
            dt.date(2026, 5, 31),
            {
                "by_center": {
                    "D": {"ae_rate": {"flag": "amber"}, "missed_visits": {"flag": "red"}}
                },
                "qtls": {"primary_missing": {"exceeded": True}},
            },
        ),
    ]
    compare = ("Steering committee 2026-05", history[1][2])
    m = risk_model(inputs(), RULES, SCOPE, "ABCD", history, compare)
    assert m.method == "exact"  # 4 centers < min_centers 10
    assert m.flagged["D"] == {"red": 2, "amber": 0}
    assert all(m.flagged[c] == {"red": 0, "amber": 0} for c in "ABC")
    # D's AE rate went from amber to red; its missed visits were red already.
    assert [(f.center, f.kri, f.then, f.now) for f in m.newly_flagged] == [
        ("D", "ae_rate", "amber", "red")
    ]
    assert [p.kept for p in m.trend] == [False, True]
    assert m.trend[1].red["D"] == 1 and m.trend[1].amber["D"] == 1
    q = m.qtls["primary_missing"]
    assert (q.value, q.exceeded, q.first_exceeded) == (0.2, True, "2026-05-31")
    n = m.qtls["not_treated"]
    assert (n.value, n.exceeded, n.first_exceeded) == (0.02, False, None)


def test_a_site_sees_its_center_beside_the_others_pooled():
    site = ScopeInfo(
        centers=("D",),
        all_centers=False,
        restricted=True,
        arms=("X", "Y"),
        arm_filtered=False,
        as_of=dt.date(2026, 6, 30),
    )
    m = risk_model(inputs(), RULES, site, "ABCD")
    assert m.centers == ("D",) and set(m.by_center) == {"D"}
    assert m.by_center["D"]["ae_rate"].flag == "red"  # scored against every center
    rest = m.rest["ae_rate"]
    assert (rest.numerator, rest.denominator) == (120, 3000)


def test_centers_from_one_distribution_are_rarely_flagged():
    """500 generated trials of 17 centers drawn from one AE rate and one missed-visit share:
    the share of red flags stays near the nominal 0.27% (|z| >= 3), amber below about 5%."""
    rng = random.Random(20261207)
    red = amber = scored = 0
    for _ in range(500):
        ae, vis = {}, {}
        for c in range(17):
            days = rng.randint(200, 4000)
            mu = 0.03 * days
            # Poisson by inversion (independent of the module's SciPy)
            x, p, u = 0, math.exp(-mu), rng.random()
            cum = p
            while u > cum:
                x += 1
                p *= mu / x
                cum += p
            ae[str(c)] = Count(x, days)
            n = rng.randint(20, 300)
            vis[str(c)] = Count(sum(rng.random() < 0.1 for _ in range(n)), n)
        for kri, counts in (("ae_rate", ae), ("missed_visits", vis)):
            cells, _, _ = score(KRIS[kri], counts, "normal", 2.0, 3.0)
            red += sum(c.flag == "red" for c in cells.values())
            amber += sum(c.flag == "amber" for c in cells.values())
            scored += len(cells)
    print(
        f"\n{scored} center scores: {red} red ({red / scored:.2%}), "
        f"{amber} amber ({amber / scored:.2%})"
    )
    assert red / scored <= 0.01
    assert amber / scored <= 0.06


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    counts=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 500)), min_size=3, max_size=25),
    method=st.sampled_from(["normal", "exact"]),
)
def test_scores_keep_their_invariants(counts, method):
    """On any data: a center at the trial's rate is green; flags grow with |z|; the trial's
    value is the pooled one; the limits widen as the denominator shrinks."""
    data = {str(i): Count(x, n) for i, (x, n) in enumerate(counts)}
    cells, trial, funnel = score(KRIS["ae_rate"], data, method, 2.0, 3.0)
    x = sum(c[0] for c in counts)
    t = sum(c[1] for c in counts)
    assert math.isclose(trial.value, x / t * KRIS["ae_rate"].scale)
    order = {"green": 0, "amber": 1, "red": 2}
    scored = sorted((abs(c.z), order[c.flag]) for c in cells.values() if c.z is not None)
    assert [f for _, f in scored] == sorted(f for _, f in scored)
    for c in cells.values():
        if c.z is not None and abs(c.z) < 2:
            assert c.flag == "green"
    highs = [h for h in funnel.red_high if h is not None]
    if method == "normal" and x > 0:
        assert all(a >= b - 1e-9 for a, b in zip(highs, highs[1:], strict=False))

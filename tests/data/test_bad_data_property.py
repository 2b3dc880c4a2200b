"""Bad data never breaks a page: Hypothesis builds damaged trial databases, every page draws.

Damage: out-of-range values, nulls where values are expected, dates in the wrong order, unknown
center, arm, visit and response codes, orphan rows. (Duplicate assessments cannot exist: the
contract's primary key refuses them, and the importers report them.)
"""

import datetime as dt
import json
from functools import lru_cache

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from data_access.demo import build_demo_trial, write_trial
from data_access.engine import dispose_engines, writable_engine
from tests.pages.helpers import call, logged_in

PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")
KINDS = (
    "nrs_out",
    "pafi_out",
    "grade_out",
    "null_procedure",
    "null_arm",
    "unknown_arm",
    "unknown_center",
    "unknown_visit",
    "randomized_before_screening",
    "visit_before_procedure",
    "orphan_assessment",
    "orphan_ae",
    "null_omed",
    "future_date",
    "bad_mda",
    "off_before_rand",
    "null_baseline_nrs",
    "negative_age",
    "zero_fractions",
    "resolved_before_onset",
    "null_center_activation",
    "no_randomized",
)
TRIED = {"n": 0}


@lru_cache(maxsize=1)
def base_trial():
    return build_demo_trial(as_of=dt.date(2026, 5, 31), scale=0.35, seed=99)


def damage(tables: dict[str, pd.DataFrame], kind: str, i: int, v: int) -> None:
    s, a, ae = tables["subjects"], tables["assessments"], tables["adverse_events"]
    img, sb = tables["imaging"], tables["sbrt_courses"]
    rand = s.index[s["randomized_on"].notna()]

    def pick(index):
        return index[i % len(index)] if len(index) else None

    r = pick(rand)
    if kind == "nrs_out" and len(a):
        a.at[pick(a.index), "nrs"] = 11 + abs(v) if v >= 0 else v
    elif kind == "pafi_out" and len(a):
        a.at[pick(a.index), "pafi"] = -abs(v) - 1
    elif kind == "grade_out" and len(ae):
        ae.at[pick(ae.index), "grade"] = 6 + abs(v) if v % 2 else 0
    elif kind == "null_procedure" and r is not None:
        s.at[r, "procedure_on"] = None
    elif kind == "null_arm" and r is not None:
        s.at[r, "arm"] = None
    elif kind == "unknown_arm" and r is not None:
        s.at[r, "arm"] = "PLACEBO"
    elif kind == "unknown_center" and len(s):
        s.at[pick(s.index), "center_id"] = "XYZ"
    elif kind == "unknown_visit" and len(a):
        k = pick(a.index)
        a.at[k, "visit_code"] = f"V{abs(v)}X{k}"  # unique: the primary key refuses duplicates
    elif kind == "randomized_before_screening" and r is not None:
        s.at[r, "randomized_on"] = s.at[r, "screened_on"] - dt.timedelta(days=abs(v) + 1)
    elif kind == "visit_before_procedure" and len(a):
        a.at[pick(a.index), "assessed_on"] = dt.date(2020, 1, 1)
    elif kind == "orphan_assessment":
        a.loc[len(a)] = {
            "subject_id": f"GHOST-{v}-{len(a)}",
            "visit_code": "W1",
            "assessed_on": dt.date(2026, 1, 1),
            "nrs": 5,
            "pafi": None,
            "omed_mg": None,
        }
    elif kind == "orphan_ae":
        ae.loc[len(ae)] = {
            "ae_id": 10_000 + len(ae),
            "subject_id": "GHOST-AE",
            "term": "X",
            "soc": None,
            "grade": 3,
            "serious": True,
            "attribution": None,
            "onset_on": dt.date(2026, 2, 1),
            "resolved_on": None,
            "outcome": None,
            "reported_on": None,
        }
    elif kind == "null_omed" and len(a):
        a["omed_mg"] = None
    elif kind == "future_date" and len(a):
        a.at[pick(a.index), "assessed_on"] = dt.date(2031, 1, 1)
    elif kind == "bad_mda" and len(img):
        img.at[pick(img.index), "mda_response"] = "??"
    elif kind == "off_before_rand" and r is not None:
        s.at[r, "off_study_on"] = s.at[r, "randomized_on"] - dt.timedelta(days=5)
        s.at[r, "off_study_reason"] = "died"
    elif kind == "null_baseline_nrs" and r is not None:
        s.at[r, "baseline_nrs"] = None
    elif kind == "negative_age" and len(s):
        s.at[pick(s.index), "age_years"] = -abs(v) - 1
    elif kind == "zero_fractions" and len(sb):
        sb.at[pick(sb.index), "fractions"] = 0
        sb.at[pick(sb.index), "total_dose_gy"] = 0.0
    elif kind == "resolved_before_onset" and len(ae):
        k = pick(ae.index)
        ae.at[k, "resolved_on"] = ae.at[k, "onset_on"] - dt.timedelta(days=3)
    elif kind == "null_center_activation":
        tables["centers"]["activated_on"] = None
    elif kind == "no_randomized":
        s["randomized_on"] = None
        s["arm"] = None


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # CI and local runs try the same damaged databases
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(KINDS), st.integers(0, 10_000), st.integers(-20, 20)),
        min_size=1,
        max_size=8,
    )
)
def test_every_page_draws_on_damaged_data(tmp_path_factory, settings_factory, ops):
    tables = {k: v.copy() for k, v in base_trial().tables.items()}
    for kind, i, v in ops:
        damage(tables, kind, i, v)
    folder = tmp_path_factory.mktemp("bad")
    url = f"sqlite:///{folder}/bad.sqlite"
    engine = writable_engine(url)
    write_trial(engine, tables, {"as_of": "2026-05-31", "loaded_at": "x"})
    engine.dispose()
    app = create_app(settings_factory(url, folder))
    client = logged_in(app)
    try:
        for path in PAGES:
            out = call(
                client,
                app,
                "shell-page.children",
                {"shell-url.pathname": path, "shell-url.search": ""},
                ["shell-url.pathname"],
            )
            body = json.dumps(out)
            assert "could not be drawn" not in body, (path, ops)
            assert "cannot read the trial database" not in body, (path, ops)
    finally:
        dispose_engines()
    TRIED["n"] += 1


def test_report_how_many_were_tried():
    # Runs after the property test in file order; printed with -s or in the -ra summary.
    print(f"damaged trial databases tried: {TRIED['n']}")

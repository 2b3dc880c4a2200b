"""Names that look like numbers stay names: every figure on every page, drawn for a trial whose
centers are "701", "702", "710", arms "1" and "2", visits "1" to "3" and a screen-failure
reason "2", puts them on categorical axes in the protocol's order.

Plotly treats strings of digits as numbers unless the axis says otherwise: the center axis then
runs 701, 702 ... 710 with gaps and ticks for centers that do not exist ("712"), and a
category range against numeric data draws nothing. Also: every center's bars have a visible
fill beyond the ninth center colour (the hatch drawn over the colour, not instead of it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app import create_app
from tests import trials
from tests.pages.helpers import page_tree
from tests.pages.test_figures import graphs

CENTERS = ("701", "702", "710")
ARMS = ("1", "2")
VISITS = ("1", "2", "3")
PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")


def rows() -> dict[str, list[dict[str, Any]]]:
    """Four subjects a center (one a screen failure), visits, images, AEs, a deviation."""
    subjects, assessments, imaging, aes = [], [], [], []
    n = 0
    for c in CENTERS:
        for i in range(4):
            sid = f"{c}-{i}"
            if i == 3:
                subjects.append(
                    trials.subject(sid, c, "2025-02-01", eligible=False, screen_failure_reason="2")
                )
                continue
            day0 = dt.date(2025, 1, 10 + i)
            subjects.append(
                trials.subject(
                    sid,
                    c,
                    "2025-01-05",
                    day0.isoformat(),
                    ARMS[i % 2],
                    procedure_on=day0.isoformat(),
                    baseline_nrs=7,
                    baseline_pafi=5,
                    baseline_omed_mg=30.0,
                )
            )
            for code, day in zip(VISITS, (7, 28, 91), strict=True):
                on = (day0 + dt.timedelta(days=day)).isoformat()
                assessments.append(
                    {
                        "subject_id": sid,
                        "visit_code": code,
                        "assessed_on": on,
                        "nrs": 12 if (sid, code) == ("710-1", "2") else 4 + i,  # a finding
                        "pafi": 6,
                        "omed_mg": 20.0,
                    }
                )
                if code != "1":
                    imaging.append(
                        {
                            "subject_id": sid,
                            "visit_code": code,
                            "imaged_on": on,
                            "mda_response": ("SD", "PR", "PD")[i],
                        }
                    )
            n += 1
            aes.append(
                {
                    "ae_id": n,
                    "subject_id": sid,
                    "term": ("Fatigue", "Back pain", "Nausea")[i],
                    "soc": "General disorders",
                    "grade": 1 + i,
                    "serious": i == 2,
                    "onset_on": (day0 + dt.timedelta(days=5)).isoformat(),
                    "reported_on": (day0 + dt.timedelta(days=9)).isoformat(),
                }
            )
    return {
        "centers": trials.centers(*CENTERS),
        "subjects": subjects,
        "assessments": assessments,
        "imaging": imaging,
        "adverse_events": aes,
        "deviations": [
            {
                "deviation_id": 1,
                "subject_id": "702-0",
                "occurred_on": "2025-02-01",
                "category": "other",
                "major": True,
            }
        ],
    }


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    """The trial's database and protocol file."""
    folder = tmp_path_factory.mktemp("numeric")
    protocol_file = trials.write_protocol(
        folder / "protocol.toml",
        centers=tuple((c, 6, "2025-01-01", "2025-12-31") for c in CENTERS),
        arms=ARMS,
        visits=(
            ("1", 7, 2, 2, ("nrs", "omed")),
            ("2", 28, 7, 7, ("nrs", "omed", "pafi", "imaging")),
            ("3", 91, 14, 14, ("nrs", "omed", "pafi", "imaging")),
        ),
        safety={"events_of_interest": {"pain": ["Back pain"], "tired": ["Fatigue"]}},
    )
    return trials.sqlite(folder, rows(), "2025-06-30"), protocol_file


@pytest.fixture(scope="module")
def app(trial, tmp_path_factory):
    from tests.conftest import make_settings

    db, protocol_file = trial
    folder = tmp_path_factory.mktemp("numeric-app")
    settings = make_settings(db.url, folder, protocol_file=protocol_file, cache_type="none")
    return create_app(settings)


def _is_name(value: Any) -> bool:
    """A string that is not an ISO date: a center, arm, visit, term, reason or label."""
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value[:10])
        return False
    except ValueError:
        return True


def _axis(layout: dict[str, Any], ref: str | None, kind: str) -> dict[str, Any]:
    ref = ref or kind
    name = f"{kind}axis" + ref[1:]
    return layout.get(name) or {}


def category_problems(fig: dict[str, Any]) -> list[str]:
    """Axes whose trace data are names but which are not categorical in a given order."""
    out = []
    layout = fig.get("layout", {})
    for i, trace in enumerate(fig["data"]):
        for kind in ("x", "y"):
            values = [v for v in trace.get(kind) or [] if v is not None]
            if not values or not all(_is_name(v) for v in values):
                continue
            ax = _axis(layout, trace.get(f"{kind}axis"), kind)
            if ax.get("type") != "category":
                out.append(f"trace {i} {kind}: names on a {ax.get('type', 'default')} axis")
                continue
            order = ax.get("categoryarray")
            if not order or not set(values) <= set(order):
                out.append(f"trace {i} {kind}: no categoryarray holding {sorted(set(values))}")
                continue
            codes = [v for v in order if v in CENTERS]
            if codes != [c for c in CENTERS if c in codes]:
                out.append(f"trace {i} {kind}: centers out of protocol order {codes}")
    return out


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("search", ["", "?center=702,710", "?present=1&lang=zh"])
def test_names_sit_on_categorical_axes_in_protocol_order(app, path, search):
    figures = graphs(page_tree(app, path, search))
    assert figures, f"{path}{search}: no figures drawn"
    problems = [f"{gid}: {p}" for gid, fig in figures for p in category_problems(fig)]
    assert not problems, problems


def test_center_axes_in_protocol_order_by_hand(app):
    figures = dict(graphs(page_tree(app, "/")))
    fig = figures["rec-graph-by-center"]
    y, y2 = fig["layout"]["yaxis"], fig["layout"]["yaxis2"]
    assert y["type"] == y2["type"] == "category"
    # The three centers in protocol order, then the pooled row.
    assert y["categoryarray"] == y2["categoryarray"] == ["701", "702", "710", "All centers"]
    heat = dict(graphs(page_tree(app, "/visits")))["vis-graph-heatmap"]["layout"]
    assert heat["xaxis"]["categoryarray"] == ["1", "2", "3"]
    assert heat["yaxis"]["categoryarray"] == ["All centers", "701", "702", "710"]


def test_every_patterned_bar_keeps_its_colour(app):
    # Centers past the ninth colour get a hatch; it is drawn over the colour (overlay), in a
    # colour that contrasts with it, so the bar and its legend swatch are never blank.
    from dashboard.figures.theme import bar_marker

    m = bar_marker("#332288", "/")
    assert m["color"] == "#332288"
    assert m["pattern"]["fillmode"] == "overlay"
    assert m["pattern"]["fgcolor"] == "#ffffff"  # on a dark ground, a light hatch
    assert bar_marker("#DDCC77", "x")["pattern"]["fgcolor"] == "#1f2328"
    assert "pattern" not in bar_marker("#332288")


def test_heatmap_cells_hold_what_fits(trial):
    # Three visits. At 690 px each cell is about (690 - left - 16) / 3 - 3 px wide, room for
    # "67%" and "2/3" both; at 160 px a cell is about 25 px wide: room for neither (the rate
    # alone, "100%", is 4 x 0.62 x 14 + 6 = 40.7 px), so cells stay empty and the hover has
    # the numbers.
    from dashboard.figures.visits import compliance_heatmap
    from dashboard.protocol import load_protocol
    from dashboard.services import visits_page_model

    db, protocol_file = trial
    p = load_protocol(protocol_file)
    m = visits_page_model(db, p, trials.scope(p, "2025-06-30"))
    wide = compliance_heatmap(m, p, "All centers", "en", False, width=690)["data"][0]
    narrow = compliance_heatmap(m, p, "All centers", "en", False, width=160)["data"][0]
    filled = [x for row in wide["text"] for x in row if x != "–"]
    assert filled and all("<br>" in x for x in filled)
    assert all(x in ("", "–") for row in narrow["text"] for x in row)
    assert narrow["customdata"] == wide["customdata"]  # the hover keeps both numbers

"""Every figure on every page names its own colours and drawing modes: nothing is left to
Plotly's defaults (the default purple, or markers on the vertices of a shaded band)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import create_app
from dashboard.figures.outcomes import step_band
from dashboard.metrics.local_control import KmStep
from tests.pages.helpers import page_tree

PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")


@pytest.fixture(scope="module")
def app(tmp_path_factory, sqlite_url):
    from tests.conftest import make_settings

    return create_app(make_settings(sqlite_url, tmp_path_factory.mktemp("fig")))


def graphs(tree: Any) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(tree, list):
        for x in tree:
            out += graphs(x)
    elif isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            if tree.get("type") == "Graph" and props.get("figure"):
                out.append((str(props.get("id")), props["figure"]))
            for v in props.values():
                out += graphs(v)
    return out


SUBPLOT = re.compile(r"^(xaxis|yaxis)(\d+)$")


def unknown_props(obj: Any, d: dict[str, Any], path: str) -> list[str]:
    """Keys plotly.js would silently ignore: misspellings and plotly.py's magic underscores
    (`line_shape`), which only the Python classes expand. Checked against plotly's schema."""
    out = []
    for k, v in d.items():
        m = SUBPLOT.match(k)
        name = m.group(1) if m and path == "layout" else k
        if name not in obj._valid_props:
            out.append(f"{path}.{k}")
        elif isinstance(v, dict):
            sub = obj[name]
            if hasattr(sub, "_valid_props"):
                out += unknown_props(sub, v, f"{path}.{k}")
    return out


def schema_problems(fig: dict[str, Any]) -> list[str]:
    import plotly.graph_objects as go

    out = unknown_props(go.Layout(), fig.get("layout", {}), "layout")
    for i, trace in enumerate(fig["data"]):
        cls = getattr(go, trace.get("type", "scatter").capitalize())
        out += unknown_props(cls(), {k: v for k, v in trace.items() if k != "type"}, f"data[{i}]")
    return out


def colour_problems(trace: dict[str, Any]) -> list[str]:
    """What a trace would leave to Plotly's default colours or modes."""
    kind = trace.get("type", "scatter")
    marker, line = trace.get("marker") or {}, trace.get("line") or {}
    if kind == "scatter":
        mode = trace.get("mode")
        if not mode:
            return ["no mode (Plotly adds markers to short traces)"]
        problems = []
        if "markers" in mode and "color" not in marker:
            problems.append("markers without a colour")
        if "lines" in mode and line.get("width", 2) > 0 and "color" not in line:
            problems.append("lines without a colour")
        if "text" in mode and "color" not in (trace.get("textfont") or {}):
            problems.append("text without a colour")
        if trace.get("fill") and "fillcolor" not in trace:
            problems.append("fill without a colour")
        return problems
    if kind == "bar":
        return [] if "color" in marker else ["bars without a colour"]
    if kind == "box":
        return [] if "color" in marker or "color" in line else ["box without a colour"]
    if kind == "heatmap":
        return [] if "colorscale" in trace else ["heatmap without a colour scale"]
    return []


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("search", ["", "?center=PKU", "?center=PKU&lang=zh&present=1"])
def test_every_trace_names_its_colour_and_mode(app, path, search):
    figures = graphs(page_tree(app, path, search))
    assert figures, f"{path}{search}: no figures"
    problems = [
        f"{gid} trace {i} ({trace.get('name')}): {p}"
        for gid, fig in figures
        for i, trace in enumerate(fig["data"])
        for p in colour_problems(trace)
    ]
    assert not problems, problems
    unknown = [f"{gid}: {p}" for gid, fig in figures for p in schema_problems(fig)]
    assert not unknown, unknown


def test_step_band_by_hand():
    steps = (
        KmStep(0, 1.0, 1.0, 1.0, 10, 0, 0),
        KmStep(10, 0.8, 0.5, 0.95, 10, 2, 0),
        KmStep(20, 0.8, None, None, 8, 0, 1),  # no interval here: the band breaks
        KmStep(30, 0.5, 0.2, 0.8, 3, 1, 0),
        KmStep(35, 0.5, 0.2, 0.8, 2, 0, 2),
    )
    xs, ys = step_band(steps, last_day=35)
    # First piece: [0, 10) at 1..1, [10, 20) at 0.5..0.95: upper edge forward, lower back.
    # Second piece: [30, 35) at 0.2..0.8; the step at 35 has no width and adds nothing.
    assert xs == [0, 10, 10, 20, 20, 10, 10, 0, None, 30, 35, 35, 30]
    assert ys == [1.0, 1.0, 0.95, 0.95, 0.5, 0.5, 1.0, 1.0, None, 0.8, 0.8, 0.2, 0.2]


def test_rates_say_their_denominators(protocol):
    """Each rate's denominator (subjects assessed) sits under its visit in the arm's row,
    0 where an arm has nobody assessed; the hover gives k of n."""
    from dashboard.figures.outcomes import visit_rates
    from dashboard.metrics.model import Proportion

    a, b = (arm.code for arm in protocol.arms[:2])
    small = Proportion(k=2, n=3, value=2 / 3, low=None, high=None, small_n=True)
    big = Proportion(k=5, n=12, value=5 / 12, low=0.15, high=0.72, small_n=False)
    fig = visit_rates(
        {a: {"W1": big, "W4": small}, b: {"W4": big}},
        [a, b],
        ["W1", "W2", "W4"],
        protocol,
        "Responders",
        "en",
        False,
    )
    rows = [d for d in fig["data"] if d.get("mode") == "text"]
    assert [r["text"] for r in rows] == [["12", "0", "3"], ["0", "0", "12"]]
    assert [r["y"] for r in rows] == [[0, 0, 0], [1, 1, 1]]
    assert fig["layout"]["yaxis2"]["title"]["text"] == "Assessed"
    points = [d for d in fig["data"] if d.get("mode") != "text"]
    assert points[0]["text"][0] == "W1: 42% (5 of 12 assessed; 95% CI 15%–72%)"
    assert points[0]["text"][1] == "W4: 67% (2 of 3 assessed; small n: no interval)"


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=-5, max_value=200, allow_nan=False), min_size=1, max_size=14).map(
        lambda xs: sorted(set(xs))
    ),
    st.integers(min_value=1, max_value=6),
    st.floats(min_value=0.01, max_value=3),
)
def test_dodged_arms_never_cross_a_neighbouring_visit(grid, k, width):
    """Whatever the visit times, arm count and dodge width: every arm's point of a visit lies
    left of every arm's point of the next visit, and within the width of its visit."""
    from dashboard.figures.outcomes import dodge, nearest_gap

    placed = [[x + dodge(i, k, width, nearest_gap(x, grid)) for i in range(k)] for x in grid]
    for here, after in zip(placed, placed[1:], strict=False):
        assert max(here) < min(after)
    for x, points in zip(grid, placed, strict=True):
        assert all(abs(p - x) <= width + 1e-9 for p in points)
    if k > 1 and len(grid) == 1:
        assert placed[0][0] == pytest.approx(grid[0] - width)


def test_the_pain_chart_keeps_baseline_left_of_week_one(protocol):
    """The case the dodge got wrong: two arms at 0 and 1 week, offsets of 0.8 weeks put the
    second arm's baseline right of the first arm's week 1."""
    from dashboard.figures.outcomes import dodge, nearest_gap

    grid = [0.0, 1.0, 2.0, 4.0, 13.0]
    second_baseline = 0.0 + dodge(1, 2, 0.8, nearest_gap(0.0, grid))
    first_week1 = 1.0 + dodge(0, 2, 0.8, nearest_gap(1.0, grid))
    assert (second_baseline, first_week1) == (0.25, 0.75)
    # far from its neighbours (week 13: 9 weeks away) the full 0.8 is used
    assert dodge(0, 2, 0.8, nearest_gap(13.0, grid)) == pytest.approx(-0.8)

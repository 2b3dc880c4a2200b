import datetime as dt

from dashboard.scope import build_scope
from dashboard.urlstate import ViewState
from data_access.scope import Scope

CENTERS = ("SH1", "SMU3", "PKU")
ARMS = ("RFA_PVA", "RFA_PVA_SBRT")
TODAY = dt.date(2026, 11, 15)


def test_parse_and_serialise_round_trip():
    v = ViewState.from_search(
        "?center=PKU,sh1&arm=RFA_PVA&as_of=2026-01-31&lang=zh&present=1", CENTERS, ARMS
    )
    assert v == ViewState(("SH1", "PKU"), ("RFA_PVA",), dt.date(2026, 1, 31), "zh", True)
    assert v.to_search() == "?center=SH1,PKU&arm=RFA_PVA&as_of=2026-01-31&lang=zh&present=1"
    assert ViewState.from_search(v.to_search(), CENTERS, ARMS) == v


def test_junk_is_ignored():
    v = ViewState.from_search("?center=XX&as_of=yesterday&lang=fr&foo=1", CENTERS, ARMS)
    assert v == ViewState(centers=(), as_of=None, lang="en")
    assert ViewState.from_search("", CENTERS, ARMS).to_search() == ""
    # Both arms = no arm filter.
    assert ViewState.from_search("?arm=RFA_PVA,RFA_PVA_SBRT", CENTERS, ARMS).arms is None


def test_controls_store_everything_selected_as_no_filter():
    v = ViewState.from_controls(
        list(CENTERS), list(ARMS), TODAY.isoformat(), "en", CENTERS, ARMS, TODAY
    )
    assert v.to_search() == ""
    v = ViewState.from_controls(["PKU"], [], "2026-10-01T00:00:00", "zh", CENTERS, ARMS, TODAY)
    assert v.to_search() == "?center=PKU&arm=&as_of=2026-10-01&lang=zh"


def test_scope_is_request_intersected_with_rights():
    view = ViewState(centers=("SH1", "PKU"))
    scope, info = build_scope(view, CENTERS, ARMS, TODAY)
    assert scope == Scope(("SH1", "PKU"), TODAY)
    assert not info.all_centers and info.pooled and not info.restricted
    scope, info = build_scope(view, CENTERS, ARMS, TODAY, allowed_centers=["PKU"])
    assert scope.centers == ("PKU",) and info.note == "scope.partly_outside_rights"
    assert info.note_centers == ("SH1",) and info.restricted and not info.pooled
    scope, info = build_scope(ViewState(), CENTERS, ARMS, TODAY, allowed_centers=["SMU3"])
    assert scope.centers == ("SMU3",) and info.note is None and not info.all_centers
    # Only centers outside the rights asked for: the user's own, with a one-line note.
    scope, info = build_scope(view, CENTERS, ARMS, TODAY, allowed_centers=["SMU3"])
    assert scope.centers == ("SMU3",) and info.note == "scope.outside_rights"
    assert info.note_centers == ("SH1", "PKU")
    scope, info = build_scope(ViewState(), CENTERS, ARMS, TODAY)
    assert info.all_centers and info.pooled
    one = build_scope(ViewState(as_of=dt.date(2026, 1, 1)), CENTERS, ARMS, TODAY)[0]
    assert one.as_of == dt.date(2026, 1, 1)


def test_page_parameters_are_kept_checked_and_ordered():
    v = ViewState.from_search(
        "?q_worklist=SMU3-0&only=serious&q_Bad=x&q_=y&evil=1&q_findings=" + "a" * 500,
        CENTERS,
        ARMS,
    )
    # Only q_<listing> (lower case) and only; values cut to 200 characters; sorted by name.
    assert v.page == (("only", "serious"), ("q_findings", "a" * 200), ("q_worklist", "SMU3-0"))
    assert v.param("q_worklist") == "SMU3-0" and v.param("q_deviations") == ""
    assert v.with_param("q_worklist", "").page == (("only", "serious"), ("q_findings", "a" * 200))
    assert v.with_param("evil", "1") == v.with_param("evil", "1").shared().with_param(
        "only", "serious"
    ).with_param("q_findings", "a" * 200).with_param("q_worklist", "SMU3-0")
    assert v.shared().to_search() == ""
    assert ViewState.from_search(v.to_search(), CENTERS, ARMS) == v

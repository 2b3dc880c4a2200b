"""One rule behind 'on track' and the difference from the plan, on a hand-made trial.

Center A plans 20 subjects linearly over 2025-01-01 .. 2025-12-31 (364 days); on the data
date 2025-07-02 (day 182) the plan expects 20 * 182 / 364 = 10. Nine are randomized: the
difference is 9 - 10 = -1 and the share 9 / 10 = 90%. With the default rule (on track at 90%
of the plan or more) that is on track, and the plan card says so beside its -1 (good tone);
with a protocol asking for 95% it is behind (warn tone), the same two numbers.
"""

from __future__ import annotations

import pytest

from app import create_app
from tests import trials
from tests.pages.helpers import find_by_id, page_tree, texts

CENTERS = (("A", 20, "2025-01-01", "2025-12-31"),)
AS_OF = "2025-07-02"
ROWS = {
    "centers": trials.centers("A"),
    "subjects": [
        trials.subject(f"A-{i}", "A", "2025-02-01", f"2025-02-{i + 10:02d}", "XY"[i % 2])
        for i in range(9)
    ],
}


def app_for(tmp_path, **recruitment):
    from tests.conftest import make_settings

    sections = {"recruitment": {"prior_weight": 0.1, **recruitment}} if recruitment else {}
    protocol = trials.write_protocol(tmp_path / "protocol.toml", centers=CENTERS, **sections)
    db = trials.sqlite(tmp_path, ROWS, AS_OF)
    return create_app(make_settings(db.url, tmp_path, protocol_file=protocol, cache_type="none"))


@pytest.mark.parametrize(
    ("share", "status", "tone"), [(None, "✓ on track", "kpi-good"), (0.95, "▼ behind", "kpi-warn")]
)
def test_the_plan_card_and_the_table_say_the_same_rule(tmp_path, share, status, tone):
    app = app_for(tmp_path, **({"on_track_share": share} if share else {}))
    page = page_tree(app, "/")
    card = find_by_id(page, "rec-kpi-plan")
    words = " ".join(texts(card))
    assert "−1" in words or "-1" in words
    assert "10 planned" in words
    assert f"90% of plan: {status}" in words
    assert tone in card["props"]["className"]
    table = " ".join(texts(find_by_id(page, "rec-center-table")))
    assert table.count(status) == 1  # center A; one center: no total row
    # the status column's "?" states the rule with this protocol's threshold
    rule = next(w for w in texts(find_by_id(page, "rec-center-table")) if "one rule" in w)
    assert f"at least {'95%' if share else '90%'} of the planned number" in rule

"""Every arm taken together as one: what a role that may not compare arms is shown.

The protocol file's [access] rules say which roles see outcomes, allocation details and safety
by arm (dashboard/protocol.py Access). For the others a page model is built from the same
aggregates with every arm of the view relabelled as one pseudo-arm, `ALL`, and a protocol whose
only arm is that one: counts add up, intervals are those of the pooled data, and nothing by arm
remains to be read off the model, its page, its export or `summary --json`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from dashboard.metrics.model import Record, ScopeInfo
from dashboard.protocol import Arm, Protocol

POOLED_ARM = "ALL"
POOLED_COLOUR = "#424a53"


def pooled_protocol(protocol: Protocol, label: str, label_zh: str) -> Protocol:
    """The plan with its arms replaced by one arm, `ALL`, labelled in both languages."""
    if protocol.pooled_from:
        return protocol
    arm = Arm(POOLED_ARM, label, label_zh, POOLED_COLOUR, 1)
    return dataclasses.replace(
        protocol, arms=(arm,), block_sizes=(1,), pooled_from=protocol.arm_codes
    )


def pooled_scope(info: ScopeInfo) -> ScopeInfo:
    """The scope with its arm selection as the one pooled arm (the rows are already chosen)."""
    return dataclasses.replace(info, arms=(POOLED_ARM,))


def pool_rows(rows: Iterable[Record], arms: Sequence[str]) -> list[Record]:
    """Aggregate rows of the selected arms relabelled `ALL`; other arms' rows dropped.

    Rows without an arm (a screened person not randomized) stay as they are. An arm as treated
    (`treated_arm`) of one of the arms becomes `ALL` too: treated in one of the pooled arms is
    treated as allocated.
    """
    keep = set(arms)
    out = []
    for r in rows:
        if "arm" not in r or r["arm"] is None:
            out.append(r)
        elif r["arm"] in keep:
            row = {**r, "arm": POOLED_ARM}
            if row.get("treated_arm") in keep:
                row["treated_arm"] = POOLED_ARM
            out.append(row)
    return out

"""Compare two `summary --json` outputs: every number at a path both carry that differs.

Usage: python scripts/compare_summary.py OLD.json NEW.json [--only recruitment,visits]

Keys only one side has are counted, not listed (a newer summary carries more keys); floats
equal to 1e-6 count as equal (older summaries rounded means to three decimals: 1e-3 with
--rounded).
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def differences(old: Any, new: Any, tol: float, path: str = "") -> tuple[list[str], int]:
    """Paths whose values differ, and how many keys only one side has."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        one_sided = 0
        for k in sorted(set(old) | set(new), key=str):
            if k not in old or k not in new:
                one_sided += 1
                continue
            d, n = differences(old[k], new[k], tol, f"{path}.{k}" if path else str(k))
            out += d
            one_sided += n
        return out, one_sided
    if (
        isinstance(old, int | float)
        and isinstance(new, int | float)
        and not (isinstance(old, bool) or isinstance(new, bool))
    ):
        return ([] if abs(old - new) <= tol else [f"{path}: {old} -> {new}"]), 0
    return ([] if old == new else [f"{path}: {old!r} -> {new!r}"]), 0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--only", default="", help="comma-separated top-level sections")
    p.add_argument("--rounded", action="store_true", help="compare floats to 1e-3")
    a = p.parse_args()
    with open(a.old, encoding="utf-8") as f:
        old = json.load(f)
    with open(a.new, encoding="utf-8") as f:
        new = json.load(f)
    if a.only:
        keep = a.only.split(",")
        old = {k: v for k, v in old.items() if k in keep}
        new = {k: v for k, v in new.items() if k in keep}
    diffs, one_sided = differences(old, new, 1e-3 if a.rounded else 1e-6)
    for d in diffs:
        print(d)
    print(f"{len(diffs)} values differ; {one_sided} keys on one side only")


if __name__ == "__main__":
    main()

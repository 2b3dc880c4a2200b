"""Strict TOML files: every key a file holds must be one its loader knows.

A loader records each key it asks for (present or not) in a `KeyLog`; afterwards
`unknown_keys` walks the file and names every key nobody asked for, with the nearest known
key beside it (`[sourcse]` -> `sources`). Tables whose keys are data (a code map such as
`[sites]`, where any site code may appear) are marked open: their keys are not checked here
(the loader checks their values).

Arrays of tables are written with `[]` (`centers[].code`), whatever the index.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_INDEX = re.compile(r"\[\d+\]")


def norm(path: str) -> str:
    """A key path with array indices as `[]`."""
    return _INDEX.sub("[]", path)


@dataclass
class KeyLog:
    """The key paths a loader asked for, and the tables whose keys are data."""

    known: set[str] = field(default_factory=set)
    open: set[str] = field(default_factory=set)

    def ask(self, path: str) -> None:
        """A key the loader reads (whether the file has it or not)."""
        self.known.add(norm(path))

    def open_table(self, path: str) -> None:
        """A table whose keys are data (codes), not names the loader knows."""
        self.ask(path)
        self.open.add(norm(path))


def _nearest(key: str, parent: str, known: set[str]) -> str | None:
    prefix = f"{parent}." if parent else ""
    rests = (k[len(prefix) :] for k in known if k.startswith(prefix))
    siblings = sorted(r for r in rests if r and "." not in r and "[" not in r)
    found = difflib.get_close_matches(key, siblings, n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_keys(data: Mapping[str, Any], log: KeyLog) -> list[tuple[str, str | None]]:
    """Every key of the file no loader asked for, as (path, nearest known key or None)."""
    out: list[tuple[str, str | None]] = []

    def walk(node: Mapping[str, Any], parent: str) -> None:
        for key, value in node.items():
            path = f"{parent}.{key}" if parent else str(key)
            if path not in log.known:
                out.append((path, _nearest(str(key), parent, log.known)))
                continue
            if path in log.open:
                continue
            if isinstance(value, Mapping):
                walk(value, path)
            elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                for item in value:
                    walk(item, f"{path}[]")

    walk(data, "")
    return out


def describe(unknown: list[tuple[str, str | None]], what: str) -> list[str]:
    """One sentence per unknown key: what it is not, and what was probably meant."""
    lines = []
    for path, near in unknown:
        hint = f" Did you mean '{near}'?" if near else ""
        lines.append(f"key '{path}' is not a {what} key.{hint}")
    return lines

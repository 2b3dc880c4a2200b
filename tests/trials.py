"""Hand-made trials for tests: a protocol from a dict, a database from literal rows.

Every column a test does not give is NULL; dates are ISO text. The rows go through the same
writer the importers use, into SQLite (and PostgreSQL when a test asks for it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.metrics.model import ScopeInfo
from dashboard.protocol import Protocol, parse_protocol
from dashboard.scope import build_scope
from dashboard.urlstate import ViewState
from data_access.demo import write_trial
from data_access.engine import dispose_engines, writable_engine
from data_access.queries import TrialDb
from data_access.schema import CONTRACT_TABLES

DATE_COLUMNS = {
    col.name
    for table in CONTRACT_TABLES
    for col in table.columns
    if str(col.type).upper() == "DATE"
}


def protocol(*args: Any, **kw: Any) -> Protocol:
    """A protocol for a small test trial: centers (code, target, first, last), arms, visits."""
    return parse_protocol(protocol_data(*args, **kw), "test protocol")


def write_protocol(path: Path, *args: Any, **kw: Any) -> Path:
    """The same protocol as a TOML file, for an app that reads its protocol file."""
    path.write_text(toml_text(protocol_data(*args, **kw)), encoding="utf-8")
    return path


def toml_text(data: Mapping[str, Any]) -> str:
    """TOML for a protocol dict: tables, arrays of tables, scalars, lists and inline tables."""
    import json

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, Mapping):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        raise TypeError(f"no TOML for {v!r}")

    lines: list[str] = []
    for key, v in data.items():
        if isinstance(v, Mapping):
            lines.append(f"[{key}]")
            lines += [f"{k} = {value(x)}" for k, x in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v):
            for item in v:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {value(x)}" for k, x in item.items()]
        else:
            raise TypeError(f"top-level {key!r} must be a table")
        lines.append("")
    return "\n".join(lines)


def protocol_data(
    centers: Sequence[tuple[str, int, str, str]] = (("A", 4, "2025-01-01", "2025-12-31"),),
    arms: Sequence[str] = ("X", "Y"),
    ratio: Sequence[int] | None = None,
    blocks: Sequence[int] = (2,),
    visits: Sequence[tuple[str, int, int, int, Sequence[str]]] = (
        ("V1", 7, 2, 2, ("nrs", "omed")),
        ("V2", 28, 7, 7, ("nrs", "omed", "pafi", "imaging")),
    ),
    **sections: Any,
) -> dict[str, Any]:
    """The protocol dict (as read from TOML) of a small test trial."""
    data: dict[str, Any] = {
        "trial": {
            "title": "Test trial",
            "total_target": sum(c[1] for c in centers),
            "day_zero": sections.pop("day_zero", "procedure_on"),
        },
        "randomization": {"ratio": list(ratio or [1] * len(arms)), "block_sizes": list(blocks)},
        "recruitment": {"prior_weight": 0.1, "forecast_interval": 0.8},
        "centers": [
            {
                "code": code,
                "name": f"Center {code}",
                "target": target,
                "planned_first_enrollment": first,
                "planned_last_enrollment": last,
            }
            for code, target, first, last in centers
        ],
        "arms": [{"code": a, "label": f"Arm {a}", "label_zh": f"{a}组"} for a in arms],
        "visits": [
            {
                "code": code,
                "label": code,
                "day": day,
                "window_before": before,
                "window_after": after,
                "collects": list(collects),
            }
            for code, day, before, after, collects in visits
        ],
    }
    data.update(sections)
    return data


def frames(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, pd.DataFrame]:
    """DataFrames with every contract column (missing ones NULL, dates parsed)."""
    out: dict[str, pd.DataFrame] = {}
    for table in CONTRACT_TABLES:
        rows = list(tables.get(table.name, ()))
        cols = [c.name for c in table.columns]
        unknown = {k for r in rows for k in r} - set(cols)
        assert not unknown, f"{table.name}: unknown columns {unknown}"
        df = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
        for c in cols:
            if c in DATE_COLUMNS:
                df[c] = pd.to_datetime(df[c]).dt.date
        out[table.name] = df
    return out


def write(url: str, tables: Mapping[str, Sequence[Mapping[str, Any]]], as_of: str) -> TrialDb:
    """Write a hand-made trial to a database URL (replacing it); the TrialDb to read it."""
    engine = writable_engine(url)
    write_trial(
        engine, frames(tables), {"as_of": as_of, "loaded_at": dt.datetime.now().isoformat()}
    )
    engine.dispose()
    dispose_engines()
    return TrialDb(url)


def sqlite(
    tmp_path: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]], as_of: str
) -> TrialDb:
    """Write a hand-made trial to a fresh SQLite file."""
    return write(f"sqlite:///{tmp_path / 'trial.sqlite'}", tables, as_of)


def scope(
    p: Protocol,
    as_of: str,
    centers: Sequence[str] | None = None,
    arms: Sequence[str] | None = None,
    allowed: Sequence[str] | None = None,
) -> ScopeInfo:
    """The ScopeInfo of a view, as the app builds it."""
    view = ViewState(
        centers=tuple(centers) if centers is not None else None,
        arms=tuple(arms) if arms is not None else None,
    )
    _, info = build_scope(view, p.center_codes, p.arm_codes, dt.date.fromisoformat(as_of), allowed)
    return info


def subject(
    sid: str,
    center: str,
    screened: str,
    randomized: str | None = None,
    arm: str | None = None,
    eligible: bool = True,
    **values: Any,
) -> dict[str, Any]:
    """A subjects row: screened (and randomized) on ISO dates."""
    return {
        "subject_id": sid,
        "center_id": center,
        "screened_on": screened,
        "eligible": eligible,
        "randomized_on": randomized,
        "arm": arm,
        **values,
    }


def centers(*codes: str, activated: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Center rows."""
    return [
        {"center_id": c, "name": f"Center {c}", "activated_on": (activated or {}).get(c)}
        for c in codes
    ]

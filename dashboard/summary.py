"""`summary --json`: every page's model as data (shared/design/SUMMARY.md).

The same models the pages and the meeting pack format, so one independent computation checks
all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from dashboard.cuts import ALL, file_checksums
from dashboard.metrics.model import to_json
from dashboard.protocol import Protocol
from dashboard.scope import centers_scope
from dashboard.services import (
    current_snapshot,
    data_quality_page_model,
    local_control_page_model,
    pain_page_model,
    randomization_page_model,
    recruitment_page_model,
    risk_history,
    risk_page_model,
    safety_page_model,
    visits_page_model,
)
from data_access.queries import TrialDb

PAGE_MODELS: dict[str, Callable[..., Any]] = {
    "recruitment": recruitment_page_model,
    "randomization": randomization_page_model,
    "visits": visits_page_model,
    "pain": pain_page_model,
    "local_control": local_control_page_model,
    "safety": safety_page_model,
    "data_quality": data_quality_page_model,
    "risk": risk_page_model,
}
# Which [access] rule decides whether a page's arms are shown apart or pooled.
ACCESS_OF = {
    "recruitment": "allocation",
    "visits": "allocation",
    "randomization": "allocation",
    "pain": "comparisons",
    "local_control": "comparisons",
    "safety": "safety_by_arm",
}
AGGREGATES_ONLY = ("committee", "dmc")  # roles that see no subject identifier
MEASURED = {"pain": "nrs", "local_control": "imaging"}


def outcomes_section(pain: dict[str, Any] | None, lc: dict[str, Any] | None) -> dict[str, Any]:
    """The contract's `outcomes` keys, read off the pain and local-control models."""
    out: dict[str, Any] = {"nrs_mean": {}, "nrs_n": {}, "pain_responders": {}, "dcr": {}}
    if pain:
        for arm, per in pain["nrs"].items():
            out["nrs_mean"][arm] = {v: e["value"] for v, e in per.items()}
            out["nrs_n"][arm] = {v: e["n"] for v, e in per.items()}
        for arm, per in pain["responses"].items():
            out["pain_responders"][arm] = {
                v: {"n": r["n"], "responders": r["responders"]["k"]} for v, r in per.items()
            }
    if lc:
        for arm, per in lc["dcr"].items():
            out["dcr"][arm] = {
                v: {"evaluable": d["evaluable"], "controlled": d["controlled"]}
                for v, d in per.items()
            }
    return out


def build_summary(
    db: TrialDb,
    protocol: Protocol,
    centers: Sequence[str],
    as_of: dt.date,
    page: str | None = None,
    role: str | None = None,
    engine: Any | None = None,
) -> dict[str, Any]:
    """Every page model (or one) for some centers as of a date, as JSON-ready data.

    `engine`: the app's store, for what the monitors' statuses and the kept data cuts
    decide (open findings and their age, the flags' trend on the Center risk page).

    With a `role`, what that role is shown: arms pooled where the protocol's [access] rules
    withhold them (an `access` section says which and why), no subject identifier for the
    committee and the data monitoring committee.
    """
    _, info = centers_scope(centers, protocol.center_codes, protocol.arm_codes, as_of)
    names = [page] if page else list(PAGE_MODELS)
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "centers": list(info.centers)}
    if role is not None:
        from dashboard.i18n import t

        withheld = [
            k
            for k in ("comparisons", "allocation", "safety_by_arm")
            if not protocol.access.allows(k, role)
        ]
        out["access"] = {
            "role": role,
            "pooled": withheld,
            "notes": [
                t(f"access.note.{k}", "en", roles=", ".join(getattr(protocol.access, k)))
                for k in withheld
            ],
        }
    identifiers = role not in AGGREGATES_ONLY
    for name in names:
        measure = MEASURED.get(name)
        if measure and not protocol.collects(measure):
            out[name] = {"collected": False}
            continue
        kwargs: dict[str, Any] = {}
        if name in ("visits", "pain"):
            kwargs["identifiers"] = identifiers
        if name in ACCESS_OF:
            kwargs["pooled"] = not protocol.access.allows(ACCESS_OF[name], role)
        if name == "risk":
            history, compare = risk_history(engine, as_of)
            kwargs.update(engine=engine, history=history, compare=compare)
        out[name] = to_json(PAGE_MODELS[name](db, protocol, info, **kwargs))
    if page is None:
        out["outcomes"] = outcomes_section(
            out["pain"] if "nrs" in out["pain"] else None,
            out["local_control"] if "dcr" in out["local_control"] else None,
        )
    return out


def summary_text(summary: dict[str, Any]) -> str:
    """A readable table of the summary for a terminal or an e-mail."""
    lines = [f"Data as of {summary['as_of']}"]
    rec = summary.get("recruitment")
    if rec:
        o = rec["overall"]
        lines += [
            "",
            f"{'center':<8}{'target':>8}{'screened':>10}{'eligible':>10}{'random.':>9}"
            f"{'plan':>8}  status",
        ]
        for code, c in rec["by_center"].items():
            lines.append(
                f"{code:<8}{c['target']:>8}{c['screened']:>10}{c['eligible']:>10}"
                f"{c['randomized']:>9}{c['planned_by_now']:>8.1f}  {c['status']}"
            )
        lines.append(
            f"{'all':<8}{o['target']:>8}{o['screened']:>10}{o['eligible']:>10}"
            f"{o['randomized']:>9}{o['planned_by_now']:>8.1f}  {o['status']}"
        )
        f = o["forecast"]
        if f["status"] == "forecast":
            lines.append(
                f"Target forecast: {f['median']} ({f['interval']:.0%} interval {f['low']} to "
                f"{f['high']})"
            )
        else:
            since = f" since {f['since']}" if f["since"] else ""
            lines.append(f"Forecast: {f['status'].replace('_', ' ')}{since}.")
    vis = summary.get("visits")
    if vis and vis.get("by_center"):
        lines += [
            "",
            f"{'visits':<8}{'done':>8}{'missed':>8}{'due':>6}{'not exp.':>10}{'compliance':>12}",
        ]
        for code, c in vis["by_center"].items():
            comp = "–" if c["compliance"] is None else f"{c['compliance']:.0%}"
            lines.append(
                f"{code:<8}{c['done']:>8}{c['missed']:>8}{c['due']:>6}"
                f"{c['not_expected']:>10}{comp:>12}"
            )
    saf = summary.get("safety")
    if saf and saf.get("by_arm"):
        lines += ["", f"safety ({saf['population']}): subjects, any AE, grade >= 3, SAE, fatal"]
        for arm, a in saf["by_arm"].items():
            lines.append(
                f"  {arm:<16}{a['subjects']:>5}{a['any_ae']:>6}{a['grade3plus']:>6}"
                f"{a['serious']:>6}{a['fatal']:>6}"
            )
    risk = summary.get("risk")
    if risk and risk.get("by_center"):
        lines += ["", f"center risk ({risk['method']}): red and amber indicators"]
        for code, flags in risk["flagged"].items():
            named = [
                f"{k} {v['flag']}"
                for k, v in risk["by_center"][code].items()
                if v["flag"] in ("amber", "red")
            ]
            lines.append(
                f"  {code:<8}{flags['red']:>3} red{flags['amber']:>3} amber  {', '.join(named)}"
            )
        for measure, q in risk["qtls"].items():
            value = "–" if q["value"] is None else f"{q['value']:.1%}"
            state = "EXCEEDED" if q["exceeded"] else "within"
            lines.append(f"  QTL {measure}: {value} (limit {q['limit']:.0%}) {state}")
    return "\n".join(lines)


# --- Keeping a data cut --------------------------------------------------------------------------


def cut_state(
    db: TrialDb, protocol: Protocol, as_of: dt.date, engine: Any | None = None
) -> tuple[dict[str, Any], Any]:
    """The summaries of the default views and the record snapshot of the data now."""
    every = list(protocol.center_codes)
    summaries = {ALL: build_summary(db, protocol, every, as_of, engine=engine)}
    # A cut keeps the risk flags and limits it had (the trend reads them back), not the
    # funnels' curves nor its own history; a center's view repeats the trial's scores.
    risk = summaries[ALL].get("risk")
    if isinstance(risk, dict):
        for key in ("funnels", "trend", "newly_flagged"):
            risk.pop(key, None)
    for code in protocol.center_codes:
        summaries[code] = build_summary(db, protocol, [code], as_of, engine=engine)
        summaries[code].pop("risk", None)
    return summaries, current_snapshot(db, protocol, as_of)


def keep_cut(
    store: Any,
    db: TrialDb,
    protocol: Protocol,
    as_of: dt.date,
    source: str | None,
    folder: Any = None,
    created_by: str | None = None,
    label: str | None = None,
) -> int:
    """Keep the cut of the data as they are now (after an import, or a demo's month)."""
    summaries, snapshot = cut_state(db, protocol, as_of, getattr(store, "engine", None))
    return int(
        store.add(
            as_of,
            summaries,
            snapshot,
            source,
            file_checksums(folder),
            created_by or "import",
            label,
        )
    )

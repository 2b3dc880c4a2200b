"""The headline numbers as data (shared/design/SUMMARY.md), computed by the pages' own code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dashboard.protocol import Protocol
from dashboard.services import (
    load_data_quality,
    load_local_control,
    load_pain,
    load_randomization,
    load_recruitment,
    load_safety,
    load_visits,
)
from data_access.queries import TrialDb
from data_access.scope import Scope


def recruitment_section(db: TrialDb, protocol: Protocol, scope: Scope) -> dict[str, Any]:
    """The `recruitment` section."""
    report = load_recruitment(db, protocol, scope)
    o = report.overall
    fc = report.forecast.target

    def iso(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    by_center: dict[str, Any] = {}
    for row in report.table.itertuples():
        cfc = report.center_forecasts[str(row.center_id)]
        by_center[str(row.center_id)] = {
            "target": int(row.target),
            "screened": int(row.screened),
            "eligible": int(row.eligible),
            "randomized": int(row.randomized),
            "by_arm": {a: int(getattr(row, f"arm_{a}")) for a in protocol.arm_codes},
            "planned_by_now": round(float(row.planned), 1),
            "status": str(row.status),
            "forecast": {
                "reached": cfc.target.reached,
                "median": iso(cfc.target.median),
                "low": iso(cfc.target.low),
                "high": iso(cfc.target.high),
            },
        }
    return {
        "overall": {
            "target": int(o["target"]),
            "screened": int(o["screened"]),
            "eligible": int(o["eligible"]),
            "randomized": int(o["randomized"]),
            "randomized_this_month": report.this_month,
            "planned_by_now": round(float(o["planned"]), 1),
            "forecast": {
                "reached": fc.reached,
                "median": iso(fc.median),
                "low": iso(fc.low),
                "high": iso(fc.high),
                "interval": fc.interval,
            },
        },
        "by_center": by_center,
    }


def _state_block(row: Any, extra: Sequence[str] = ()) -> dict[str, Any]:
    compliance = row["compliance"]
    out = {
        "done": int(row["done_any"]),
        "missed": int(row["missed"]),
        "due": int(row["due"]),
        "not_expected": int(row["not_expected"]),
        "compliance": None if compliance != compliance else round(float(compliance), 4),
    }
    out.update({k: int(row[k]) for k in extra})
    return out


def visits_section(db: TrialDb, protocol: Protocol, scope: Scope) -> dict[str, Any]:
    """The `visits` section: states and compliance per center, visit and arm."""
    report = load_visits(db, protocol, scope)
    extra = ("done_early", "done_late", "upcoming", "no_day_zero")
    by_center = {r["center_id"]: _state_block(r, extra) for _, r in report.by_center.iterrows()}
    by_visit = {r["visit_code"]: _state_block(r) for _, r in report.by_visit.iterrows()}
    by_arm = {r["arm"]: _state_block(r) for _, r in report.by_arm.iterrows()}
    overall = _state_block(report.overall.iloc[0], extra) if len(report.overall) else None
    return {
        "overall": overall,
        "by_center": by_center,
        "by_visit": {v: by_visit[v] for v in protocol.visit_codes if v in by_visit},
        "by_arm": by_arm,
    }


def randomization_section(db: TrialDb, protocol: Protocol, scope: Scope) -> dict[str, Any]:
    """The `randomization` section: arm counts and balance per center, CONSORT, SBRT delivery."""
    report = load_randomization(db, protocol, scope)
    arms = protocol.arm_codes
    by_center: dict[str, Any] = {}
    balance: dict[str, Any] = {}
    for r in report.balance.to_dict("records"):
        key = str(r["center_id"])
        if key != "ALL":
            by_center[key] = {a: int(r[a]) for a in arms}
        balance[key] = {
            "difference": int(r["difference"]),
            "block_bound": int(r["bound"]),
            "exceeds_blocks": bool(r["exceeds_blocks"]),
            "binomial_p": round(float(r["p_value"]), 4),
        }
    c = report.consort
    dl = report.delivery
    return {
        "by_center": by_center,
        "balance": balance,
        "consort": {
            "assessed": c.assessed,
            "excluded": c.excluded,
            "excluded_reasons": c.excluded_reasons,
            "randomized": c.randomized,
            "allocated": {a: c.arms[a].allocated for a in arms},
            "received_allocated": {a: c.arms[a].received for a in arms},
            "not_received_allocated": {a: c.arms[a].not_received for a in arms},
            "off_study": {a: c.arms[a].off_study for a in arms},
            "with_m3": {a: c.arms[a].with_m3 for a in arms},
            "with_m12": {a: c.arms[a].with_m12 for a in arms},
        },
        "sbrt": {
            "arm_n": dl.sbrt_arm_n,
            "started": dl.started,
            "completed": dl.completed,
            "other_arm_with_sbrt": dl.other_arm_with_sbrt,
            "departures": int(len(dl.departures)),
        },
    }


def outcomes_section(db: TrialDb, protocol: Protocol, scope: Scope) -> dict[str, Any]:
    """The `outcomes` section: NRS means and n, pain responders, DCR, per arm and visit."""
    pain = load_pain(db, protocol, scope)
    lc = load_local_control(db, protocol, scope)
    arms = protocol.arm_codes

    def per_arm(frame: Any, make: Any) -> dict[str, dict[str, Any]]:
        return {
            a: {str(r["visit_code"]): make(r) for r in frame[frame["arm"] == a].to_dict("records")}
            for a in arms
        }

    def ci(r: dict[str, Any], low: str, high: str) -> list[float] | None:
        lo, hi = r[low], r[high]
        return None if lo != lo else [round(float(lo), 4), round(float(hi), 4)]

    return {
        "nrs_mean": per_arm(pain.nrs, lambda r: round(float(r["mean"]), 3)),
        "nrs_n": per_arm(pain.nrs, lambda r: int(r["n"])),
        "pafi_mean": per_arm(pain.pafi, lambda r: round(float(r["mean"]), 3)),
        "pain_responders": per_arm(
            pain.responses,
            lambda r: {
                "n": int(r["n"]),
                "responders": int(r["responders"]),
                "complete": int(r["complete"]),
                "partial": int(r["partial"]),
                "progression": int(r["progression"]),
                "nrs_only": int(r["nrs_only"]),
                "ci": ci(r, "ci_low", "ci_high"),
            },
        ),
        "dcr": per_arm(
            lc.dcr,
            lambda r: {
                "evaluable": int(r["evaluable"]),
                "controlled": int(r["controlled"]),
                "not_evaluable": int(r["not_evaluable"]),
                "ci": ci(r, "ci_low", "ci_high"),
            },
        ),
        "local_progression": {
            a: {"subjects": km.n, "events": km.events} for a, km in lc.km.items()
        },
        "excluded_out_of_range": pain.excluded_values,
    }


def safety_section(db: TrialDb, protocol: Protocol, scope: Scope) -> dict[str, Any]:
    """The `safety` section: subjects with AEs by arm, center rates and reporting lag."""
    report = load_safety(db, protocol, scope)
    by_arm = {
        str(r["arm"]): {
            k: int(r[k]) for k in ("subjects", "events", "any_ae", "grade3plus", "serious", "fatal")
        }
        for r in report.overview.to_dict("records")
    }
    by_center = {
        str(r["center_id"]): {
            "subjects": int(r["subjects"]),
            "any_ae": int(r["any_ae"]),
            "serious": int(r["serious"]),
        }
        for r in report.centers.to_dict("records")
        if r["center_id"] != "ALL"
    }
    lag = {
        str(r["center_id"]): {
            "events": int(r["events"]),
            "median_lag_days": None if r["median_lag"] != r["median_lag"] else r["median_lag"],
            "days_since_last_report": None
            if r["days_since_last_report"] is None
            or r["days_since_last_report"] != r["days_since_last_report"]
            else int(r["days_since_last_report"]),
        }
        for r in report.lag.to_dict("records")
    }
    return {
        "by_arm": by_arm,
        "by_center": by_center,
        "reporting_lag": lag,
        "ungradable_events": report.ungradable,
    }


def data_quality_section(db: TrialDb, protocol: Protocol, scope: Scope) -> dict[str, Any]:
    """The `data_quality` section: findings per center and category, and per check."""
    report = load_data_quality(db, protocol, scope)
    by_center = {
        str(r["center_id"]): {k: int(v) for k, v in r.items() if k != "center_id"}
        for r in report.by_center.to_dict("records")
    }
    by_check = report.findings.groupby("check").size().astype(int).to_dict()
    return {
        "by_center": by_center,
        "by_check": {str(k): int(v) for k, v in by_check.items()},
        "total": len(report.findings),
        "deviations": {
            "recorded": len(report.deviations),
            "major": int(report.deviations["major"].astype(bool).sum())
            if len(report.deviations)
            else 0,
        },
    }


def build_summary(
    db: TrialDb, protocol: Protocol, centers: Sequence[str], as_of: dt.date
) -> dict[str, Any]:
    """The whole summary for some centers as of a date."""
    scope = Scope(centers=tuple(centers), as_of=as_of)
    return {
        "as_of": as_of.isoformat(),
        "centers": list(centers),
        "recruitment": recruitment_section(db, protocol, scope),
        "randomization": randomization_section(db, protocol, scope),
        "visits": visits_section(db, protocol, scope),
        "outcomes": outcomes_section(db, protocol, scope),
        "safety": safety_section(db, protocol, scope),
        "data_quality": data_quality_section(db, protocol, scope),
    }


def summary_text(summary: dict[str, Any]) -> str:
    """A readable table of the summary for a terminal or an e-mail."""
    rec = summary["recruitment"]
    o = rec["overall"]
    lines = [
        f"Data as of {summary['as_of']}",
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
        f"{o['randomized']:>9}{o['planned_by_now']:>8.1f}"
    )
    f = o["forecast"]
    if f["reached"]:
        lines.append("Target reached.")
    elif f["median"]:
        lines.append(
            f"Target forecast: {f['median']} ({f['interval']:.0%} interval {f['low']} to "
            f"{f['high']})"
        )
    vis = summary.get("visits", {})
    if vis.get("by_center"):
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
    return "\n".join(lines)

"""`python -m dashboard ...`: serve, demo, summary, schema."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from dashboard.config import Settings, SettingsError
from dashboard.protocol import ProtocolError, load_protocol
from dashboard.terminal import printable
from data_access.engine import DatabaseUnavailable
from data_access.queries import TrialDb


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the dashboard (gunicorn; --dev: Flask's server)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--dev", action="store_true", help="Flask's development server instead")

    demo = sub.add_parser("demo", help="write the synthetic demo trial to a database")
    demo.add_argument("--db", required=True, help="SQLAlchemy URL (replaced!)")
    demo.add_argument("--as-of", type=_date, help="the demo's data date")
    demo.add_argument("--seed", type=int)
    demo.add_argument("--scale", type=float, default=1.0, help="multiply recruitment rates")
    demo.add_argument(
        "--months",
        type=int,
        default=12,
        help="monthly data cuts to keep before the data date (those the store lacks)",
    )

    summ = sub.add_parser("summary", help="the headline numbers, as a table or JSON")
    summ.add_argument("--db", help="SQLAlchemy URL (default: TRIAL_DB_URL, then the demo)")
    summ.add_argument("--as-of", type=_date)
    summ.add_argument("--center", action="append", help="center code (repeatable)")
    summ.add_argument(
        "--since", help="a data cut (id, 'last' = last labelled, 'previous'): add changes"
    )
    summ.add_argument(
        "--page",
        choices=[
            "recruitment",
            "randomization",
            "visits",
            "pain",
            "local_control",
            "safety",
            "data_quality",
            "risk",
        ],
        help="print one page's model only",
    )
    summ.add_argument(
        "--role",
        choices=["pi", "monitor", "site", "committee", "dmc"],
        help="what this role is shown (arms pooled where the protocol's [access] withholds them)",
    )
    summ.add_argument("--json", action="store_true")

    sub.add_parser("schema", help="print the trial database contract as Markdown")

    usr = sub.add_parser("users", help="manage the dashboard's logins (its own store)")
    usr_sub = usr.add_subparsers(dest="action", required=True)
    add = usr_sub.add_parser("add", help="add or replace a user")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["pi", "monitor", "site", "committee", "dmc"])
    add.add_argument("--centers", default="", help="comma-separated center codes (site: one)")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    rem = usr_sub.add_parser("remove", help="remove a user (their audit history stays)")
    rem.add_argument("username")
    dis = usr_sub.add_parser("disable", help="disable an account (sessions end; history kept)")
    dis.add_argument("username")
    ena = usr_sub.add_parser("enable", help="enable a disabled account again")
    ena.add_argument("username")
    usr_sub.add_parser("list", help="list users")

    cut = sub.add_parser("cuts", help="data cuts: list, show, label (what changed since)")
    cut_sub = cut.add_subparsers(dest="action", required=True)
    cut_sub.add_parser("list", help="every cut, oldest first")
    show = cut_sub.add_parser("show", help="one cut: when, by whom, files, size")
    show.add_argument("cut")
    lab = cut_sub.add_parser("label", help='name a cut, e.g. "Steering committee 2026-11"')
    lab.add_argument("cut")
    lab.add_argument("label")

    fnd = sub.add_parser("findings", help="statuses of data-quality findings (history, set)")
    fnd_sub = fnd.add_subparsers(dest="action", required=True)
    hist = fnd_sub.add_parser("history", help="every status of one finding, oldest first")
    hist.add_argument("key")
    fset = fnd_sub.add_parser("set", help="set a finding's status (as a named user)")
    fset.add_argument("key")
    fset.add_argument("--status", required=True, choices=list(_statuses()))
    fset.add_argument("--comment", default="")
    fset.add_argument("--user", required=True)

    i18n = sub.add_parser("i18n", help="translation catalogs: extract, update, check")
    i18n.add_argument("action", choices=["extract", "update", "check"])

    aud = sub.add_parser("audit", help="who logged in, saw, opened and exported what (and when)")
    aud.add_argument("--since", type=_date, help="from this date (UTC) on")
    aud.add_argument("--user", help="one user only")
    aud.add_argument("--json", action="store_true", help="one JSON object per line")

    imp = sub.add_parser("import", help="load an EDC export into a trial database (all or nothing)")
    imp.add_argument("kind", choices=["csv", "sdtm"])
    imp.add_argument("folder")
    imp.add_argument("--db", required=True, help="SQLAlchemy URL of the target (replaced!)")
    imp.add_argument("--as-of", type=_date, help="the data date of the export")
    imp.add_argument("--mapping", help="SDTM mapping file (default: dashboard/sdtm_mapping.toml)")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="print what the import would change in the target, write nothing",
    )
    imp.add_argument(
        "--accept-skips",
        action="store_true",
        help="import even when more than --max-skip-share of a source would be skipped",
    )
    imp.add_argument(
        "--max-skip-share",
        type=float,
        default=0.01,
        help="largest share of a source's records that may be skipped (default 0.01 = 1%%)",
    )
    imp.add_argument(
        "--accept-removals",
        action="store_true",
        help="import even when it removes more than 1%% of the randomized subjects, visits "
        "or AEs the target holds now",
    )

    exp = sub.add_parser("export", help="write the trial database as a CSV bundle")
    exp.add_argument("kind", choices=["csv"])
    exp.add_argument("folder")
    exp.add_argument("--db", help="SQLAlchemy URL (default: TRIAL_DB_URL, then the demo)")

    chk = sub.add_parser("check", help="structure and plausibility findings of a database")
    chk.add_argument("--db", help="SQLAlchemy URL (default: TRIAL_DB_URL, then the demo)")
    chk.add_argument("--as-of", type=_date)
    chk.add_argument("--json", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "schema":
            from data_access.schema import schema_markdown

            print(schema_markdown())
            return 0
        if args.command == "demo":
            import getpass

            from dashboard import cuts
            from dashboard.demo_history import build_demo
            from data_access.demo import DEFAULT_AS_OF

            store = cuts.store_of(settings)
            before = len(store.list())
            trial = build_demo(
                args.db,
                store,
                load_protocol(settings.protocol_file),
                args.as_of or DEFAULT_AS_OF,
                args.seed if args.seed is not None else settings.demo_seed,
                args.scale,
                args.months,
                getpass.getuser(),
            )
            n = int(trial.tables["subjects"]["randomized_on"].notna().sum())
            print(
                f"Demo trial written to {args.db}: {len(trial.tables['subjects'])} screened, "
                f"{n} randomized, as of {trial.as_of}; {len(store.list()) - before} data "
                "cut(s) kept (cuts list)."
            )
            return 0
        if args.command == "import":
            return _import(args)
        if args.command == "users":
            return _users(args, settings)
        if args.command == "audit":
            return _audit(args, settings)
        if args.command == "i18n":
            return _i18n(args)
        if args.command == "cuts":
            return _cuts(args, settings)
        if args.command == "findings":
            return _findings(args, settings)
        if args.command == "export":
            from data_access.importers.csv_bundle import export_csv

            url = args.db or settings.resolved_db_url
            counts = export_csv(url, args.folder)
            print(
                f"Exported {sum(counts.values())} rows to {args.folder}: "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
            )
            return 0
        protocol = load_protocol(settings.protocol_file)
        if args.command == "check":
            return _check(args, settings, protocol)
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "summary":
            from app import ensure_demo_database
            from dashboard.services import current_snapshot, default_as_of
            from dashboard.summary import build_summary, summary_text

            if args.db:
                settings = settings.with_(db_url=args.db)
            ensure_demo_database(settings)
            db = TrialDb(settings.resolved_db_url, settings.query_timeout_ms, settings.row_cap)
            centers = (
                [c.upper() for c in args.center] if args.center else list(protocol.center_codes)
            )
            unknown = [c for c in centers if c not in protocol.center_codes]
            if unknown:
                print(
                    f"error: unknown center code(s) {', '.join(unknown)}; the protocol has "
                    f"{', '.join(protocol.center_codes)}",
                    file=sys.stderr,
                )
                return 2
            as_of = args.as_of or default_as_of(settings, db)
            from dashboard.auth import UserStore

            engine = UserStore(settings.resolved_users_db_url).engine
            summary = build_summary(db, protocol, centers, as_of, args.page, args.role, engine)
            if "data_quality" in summary:
                summary["data_quality"]["work"] = _findings_work(
                    settings, db, protocol, as_of, centers
                )
            if args.since:
                from dashboard import cuts

                store = cuts.store_of(settings)
                cut = store.resolve(args.since)
                if cut is None:
                    print(f"error: no data cut {args.since!r} (see: cuts list)", file=sys.stderr)
                    return 2
                now = current_snapshot(db, protocol, as_of)
                summary = cuts.since_summary(
                    store, cut, summary, now, centers, set(centers) == set(protocol.center_codes)
                )
            print(
                json.dumps(summary, indent=2, ensure_ascii=False)
                if args.json
                else summary_text(summary)
            )
            return 0
    except (ProtocolError, SettingsError, DatabaseUnavailable) as exc:
        detail = getattr(exc, "detail", "")
        print(f"error: {exc}" + (f" [{detail}]" if detail else ""), file=sys.stderr)
        return 2
    return 1


def _findings_work(
    settings: Settings, db: TrialDb, protocol: Any, as_of: dt.date, centers: list[str]
) -> dict[str, Any]:
    """Per center: findings still to work, median age, oldest (the data-quality page's table)."""
    from dashboard.auth import UserStore
    from dashboard.metrics.model import to_json
    from dashboard.services import work_by_center
    from dashboard.workflow import CenterWork

    engine = UserStore(settings.resolved_users_db_url).engine
    every = set(centers) == set(protocol.center_codes)
    work = work_by_center(db, protocol, as_of, centers, every, engine)
    return {c: to_json(work.get(c, CenterWork(0, None, None))) for c in centers}


def _import(args: argparse.Namespace) -> int:
    """Import a CSV bundle or SDTM folder; on any error nothing is written (exit 1)."""
    from pathlib import Path

    from data_access.importers.csv_bundle import ImportRejected, import_csv, stderr_progress
    from data_access.importers.pipeline import ImportOptions
    from data_access.importers.reconcile import change_lines
    from data_access.importers.sdtm import TrialCodes, import_sdtm

    options = ImportOptions(
        dry_run=args.dry_run,
        accept_skips=args.accept_skips,
        max_skip_share=args.max_skip_share,
        accept_removals=args.accept_removals,
        max_removal_share=args.max_skip_share,
    )
    progress = None if args.dry_run else stderr_progress
    try:
        if args.kind == "csv":
            report = import_csv(args.folder, args.db, args.as_of, progress, options)
        else:
            settings = Settings.from_env()
            protocol = load_protocol(settings.protocol_file)
            mapping = args.mapping or Path(__file__).with_name("sdtm_mapping.toml")
            codes = TrialCodes(
                protocol.center_codes, protocol.arm_codes, protocol.visit_codes, protocol.day_zero
            )
            report = import_sdtm(
                args.folder, args.db, mapping, args.as_of, progress, options, codes
            )
    except ImportRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if exc.reconciliation is not None and exc.reconciliation.sources:
            print("\nReconciliation (nothing was written):", file=sys.stderr)
            for line in exc.reconciliation.lines():
                print("  " + line, file=sys.stderr)
        print(f"Import rejected: {exc}. The database {args.db} was not changed.", file=sys.stderr)
        return 1
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print("Reconciliation:")
    for line in report.reconciliation.lines():
        print("  " + line)
    print("Changes against the database as it was:" if report.written else "Would change:")
    for line in change_lines(report.changes):
        print("  " + line)
    if not report.written:
        print(f"Dry run: nothing was written to {args.db}.")
        return 0
    print(f"Imported into {args.db}: " + ", ".join(f"{k} {v}" for k, v in report.rows.items()))
    settings = Settings.from_env()
    meta_as_of = args.as_of or _data_date(args.db)
    _record_cut(settings, args.db, meta_as_of, f"{args.kind} {args.folder}", args.folder)
    return 0


def _data_date(url: str) -> dt.date:
    from data_access.queries import trial_as_of

    return trial_as_of(TrialDb(url)) or dt.date.today()


def _check(args: argparse.Namespace, settings: Settings, protocol: object) -> int:
    """Print the data-quality findings; exit 1 only when the database cannot be checked."""
    from dashboard.protocol import Protocol
    from dashboard.services import default_as_of, rules_of
    from data_access.queries import checks
    from data_access.queries.core import records

    assert isinstance(protocol, Protocol)
    if args.db:
        settings = settings.with_(db_url=args.db)
    db = TrialDb(settings.resolved_db_url, settings.query_timeout_ms, settings.row_cap)
    as_of = args.as_of or default_as_of(settings, db)
    stmt = checks.findings_select(rules_of(db, protocol), as_of, protocol.center_codes, True)
    rows = records(db, stmt.order_by("category", "check", "subject_id", "key"), dates=["record_on"])
    if args.json:
        print(json.dumps({"as_of": as_of.isoformat(), "findings": rows}, indent=2, default=str))
        return 0
    print(f"{len(rows)} finding(s), checked as of {as_of}")
    for r in rows:
        print(
            f"{r['category']:<12} {r['check']:<32} {r['subject_id'] or '-':<12} "
            f"{r['table_name']}.{r['field']} = {r['value']}"
        )
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Build the demo if needed, then serve with gunicorn; the address and accounts come last."""
    from app import create_app

    s = settings.with_(host=args.host or settings.host, port=args.port or settings.port)
    app = create_app(s)  # builds the demo trial first when there is none

    def announce() -> None:
        print(f"\nTrial dashboard on http://{s.host}:{s.port}  (Ctrl+C stops it)", flush=True)
        if s.uses_demo:
            from dashboard.auth import DEMO_USERS

            print("Demo accounts (user / password):", flush=True)
            for name, password, role, centers in DEMO_USERS:
                print(
                    f"  {name:<10} {password:<22} {role}"
                    f"{' ' + ','.join(centers) if centers else ''}",
                    flush=True,
                )

    if args.dev:
        announce()
        app.run(host=s.host, port=s.port, debug=s.debug)
        return 0
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{s.host}:{s.port}",
                "workers": args.workers,
                "threads": 4,
                "timeout": 60,
                "graceful_timeout": 3,  # a page takes well under a second; stop quickly
                "control_socket_disable": True,
                "accesslog": None,
                "loglevel": "warning",
                "post_fork": lambda server, worker: _dispose(),
                "when_ready": lambda server: announce(),
            }.items():
                self.cfg.set(key, value)

        def load(self) -> object:
            return app.server

    Server().run()
    return 0


def _dispose() -> None:
    from data_access.engine import dispose_engines

    dispose_engines()


def _record_cut(
    settings: Settings, url: str, as_of: dt.date, source: str, folder: str | None
) -> None:
    """Keep a data cut of what was just written (the app's store; never fatal)."""
    import getpass

    from dashboard import cuts
    from dashboard.summary import keep_cut

    try:
        protocol = load_protocol(settings.protocol_file)
        db = TrialDb(url, max(settings.query_timeout_ms, 60_000), 100_000_000)
        store = cuts.store_of(settings)
        cut_id = keep_cut(store, db, protocol, as_of, source, folder, getpass.getuser())
        print(f"Data cut {cut_id} kept ({store.size(cut_id) / 1024:.0f} KB): cuts show {cut_id}")
    except Exception as exc:  # the import stands; the cut is what is missing
        print(f"warning: no data cut kept: {exc}", file=sys.stderr)


def _statuses() -> tuple[str, ...]:
    from dashboard.workflow import STATUSES

    return STATUSES


def _findings(args: argparse.Namespace, settings: Settings) -> int:
    """Findings history|set (the app's store; every change also in the audit trail)."""
    from dashboard.auth import UserStore
    from dashboard.workflow import FindingStore

    users = UserStore(settings.resolved_users_db_url)
    store = FindingStore(users.engine)
    if args.action == "set":
        if not users.exists(args.user):
            print(f"error: no user {printable(args.user)!s} (see: users list)", file=sys.stderr)
            return 2
        entry = store.set(args.key, args.status, args.user, args.comment or None)
        users.record("finding_status", args.user, {"key": args.key, "status": args.status})
        print(
            f"{printable(entry.key)}: {entry.status} ({printable(entry.username)}, "
            f"{entry.at:%Y-%m-%d %H:%M} UTC)"
        )
        return 0
    entries = store.history(args.key)
    if not entries:
        print(f"{printable(args.key)}: no status yet (open)")
    for e in entries:
        comment = f"  {printable(e.comment)}" if e.comment else ""
        print(f"{e.at:%Y-%m-%d %H:%M}  {printable(e.username):<12} {e.status:<13}{comment}")
    return 0


def _cuts(args: argparse.Namespace, settings: Settings) -> int:
    """Cuts list|show|label."""
    from dashboard import cuts

    store = cuts.store_of(settings)
    if args.action == "list":
        for c in store.list():
            print(
                f"{c.cut_id:>4}  data as of {c.data_as_of}  made {c.created_at:%Y-%m-%d %H:%M} "
                f"by {printable(c.created_by):<10} {printable(c.label) if c.label else ''}"
            )
        return 0
    cut = store.resolve(args.cut)
    if cut is None:
        print(f"error: no data cut {args.cut!r}", file=sys.stderr)
        return 2
    if args.action == "label":
        store.label(cut.cut_id, args.label)
        print(f"Cut {cut.cut_id} labelled {printable(args.label)}.")
        return 0
    print(f"cut {cut.cut_id}: data as of {cut.data_as_of}, label {printable(cut.label)}")
    print(
        f"made {cut.created_at:%Y-%m-%d %H:%M} UTC by {printable(cut.created_by)} "
        f"from {printable(cut.source)}"
    )
    print(f"size in the store: {store.size(cut.cut_id) / 1024:.0f} KB")
    for name, digest in cut.files.items():
        print(f"  {printable(name):<28} sha256 {digest}")
    return 0


def _i18n(args: argparse.Namespace) -> int:
    """Extract the template, merge it into the catalogs, or list what is not translated."""
    from dashboard import catalog

    if args.action == "extract":
        print(f"Wrote {catalog.extract()}")
        return 0
    if args.action == "update":
        for path in catalog.update():
            print(f"Updated {path}")
        return 0
    found = [p for lang in catalog.LOCALES for p in catalog.problems(lang)]
    for line in found:
        print(line)
    print(f"{len(found)} message(s) without a current translation", file=sys.stderr)
    return 1 if found else 0


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    """Print the audit trail (oldest first)."""
    from dashboard.auth import UserStore

    since = dt.datetime.combine(args.since, dt.time()) if args.since else None
    rows = UserStore(settings.resolved_users_db_url).audit(since, args.user)
    for r in rows:
        if args.json:
            print(json.dumps({**r, "at": r["at"].isoformat()}, ensure_ascii=False))
        else:
            # the detail is JSON (its control characters escaped by json itself)
            print(
                f"{r['at']:%Y-%m-%d %H:%M:%S}  {printable(r['username']):<14} "
                f"{printable(r['event']):<16} {printable(r['detail'] or '')}  "
                f"{printable(r['address'] or '')}".rstrip()
            )
    if not args.json:
        print(f"{len(rows)} event(s)", file=sys.stderr)
    return 0


def _users(args: argparse.Namespace, settings: Settings) -> int:
    """Users add|remove|list on the app's own store (TRIAL_USERS_DB_URL)."""
    import getpass

    from dashboard.auth import UserError, UserStore

    store = UserStore(settings.resolved_users_db_url)
    if args.action == "list":
        for u in store.list():
            locked = (
                f" locked until {u['locked_until']:%Y-%m-%d %H:%M}" if u["locked_until"] else ""
            )
            off = " DISABLED" if u["disabled"] else ""
            print(
                f"{printable(u['username']):<20} {u['role']:<10} "
                f"{printable(u['centers'] or 'all centers'):<16} {u['lang']}{locked}{off}"
            )
        return 0
    if args.action in ("disable", "enable"):
        if store.set_disabled(args.username, args.action == "disable"):
            print(f"{args.username}: {args.action}d.")
            return 0
        print(f"error: no user {args.username!r}", file=sys.stderr)
        return 1
    if args.action == "remove":
        if store.remove(args.username):
            print(f"Removed {args.username}.")
            return 0
        print(f"error: no user {args.username!r}", file=sys.stderr)
        return 1
    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass(f"Password for {args.username}: ")
    )
    protocol = load_protocol(settings.protocol_file)
    centers = [c for c in args.centers.split(",") if c]
    try:
        store.add(args.username, password, args.role, centers, protocol.center_codes)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Added {args.username} ({args.role}{', ' + ','.join(centers) if centers else ''}).")
    return 0

"""Engines for the trial database: read-only and bounded for the dashboard, lazy per process."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

_ENGINES: dict[tuple[int, str, int, str], Engine] = {}
_LOCK = threading.Lock()


class DatabaseUnavailable(RuntimeError):
    """The trial database cannot be read; the message says why and what to do, for a person.

    The message never names a file, host or port (any logged-in user may read it); `detail`
    does, for the operator: the server log and the command line print it.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail
        if detail:
            logging.getLogger("trial.database").warning("%s [%s]", message, detail)


def _sqlite_path(url: URL) -> Path | None:
    db = url.database
    if not db or db == ":memory:":
        return None
    if db.startswith("file:"):
        db = db[5:]
    return Path(db).resolve()


def is_sqlite(url: str | URL) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def _install_sqlite_timeout(engine: Engine, timeout_ms: int) -> None:
    # SQLite has no statement timeout: a progress handler aborts a statement past its deadline.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        state = {"deadline": float("inf")}

        def _check() -> int:
            return 1 if time.monotonic() > state["deadline"] else 0

        dbapi_conn.set_progress_handler(_check, 20_000)
        _record.info["timeout_state"] = state

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: Connection, *_args: Any) -> None:
        state = conn.connection.info.get("timeout_state") if conn.connection else None
        if state is not None:
            state["deadline"] = time.monotonic() + timeout_ms / 1000


def _read_only_engine(url_text: str, timeout_ms: int) -> Engine:
    url = make_url(url_text)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if path is None:
            raise DatabaseUnavailable("An in-memory SQLite database cannot be shared read-only.")
        if not path.exists():
            raise DatabaseUnavailable(
                "The trial database file does not exist. Check TRIAL_DB_URL, or unset it "
                "to use the demo trial.",
                f"missing file {path}",
            )
        # mode=ro: SQLite itself refuses every write on these connections.
        ro_url = f"sqlite:///file:{path}?mode=ro&uri=true"
        engine = create_engine(ro_url, connect_args={"check_same_thread": False})
        _install_sqlite_timeout(engine, timeout_ms)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        options = (
            f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms} "
            f"-c idle_in_transaction_session_timeout={2 * timeout_ms} "
            f"-c lock_timeout={timeout_ms}"
        )
        # The server's own timeouts stop slow queries; a server (or proxy) that accepts the
        # connection and then says nothing is handled on our side: libpq's connect timeout,
        # TCP keepalives and user timeout, and the watchdog of read_connection.
        return create_engine(
            url,
            pool_pre_ping=False,  # read_connection pings itself, under its watchdog
            pool_size=3,
            max_overflow=2,
            pool_timeout=5,
            pool_recycle=1800,
            connect_args={
                "options": options,
                "connect_timeout": 3,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 3,
                "keepalives_count": 3,
                "tcp_user_timeout": 5000,
            },
        )
    raise DatabaseUnavailable(
        f"Unsupported database {url.get_backend_name()!r}: use a sqlite:/// or postgresql:// URL."
    )


def _file_identity(url: str) -> str:
    """For SQLite, which file the path names now (a replaced file is a new database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return ""
    path = _sqlite_path(parsed)
    try:
        st = path.stat() if path else None
    except OSError:
        return "missing"
    return f"{st.st_dev}:{st.st_ino}" if st else ""


def get_engine(url: str, timeout_ms: int = 5000) -> Engine:
    """The read-only engine for a URL in this process (created on first use, after any fork).

    A SQLite file replaced on disk (a new demo, an import into a fresh file moved into place)
    gets a new engine: pooled connections would otherwise keep reading the old file.
    """
    key = (os.getpid(), url, timeout_ms, _file_identity(url))
    engine = _ENGINES.get(key)
    if engine is None:
        with _LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                stale = [k for k in _ENGINES if k[:3] == key[:3]]
                for k in stale:
                    _ENGINES.pop(k).dispose()
                engine = _read_only_engine(url, timeout_ms)
                _ENGINES[key] = engine
    return engine


def dispose_engines() -> None:
    """Forget every engine (call in a worker after fork, and in tests)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose(close=False)
        _ENGINES.clear()


def describe_error(exc: BaseException) -> str:
    """A sentence for a person about a database failure, without a traceback."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    msg = error_detail(exc)
    low = msg.lower()
    if "interrupted" in low or "statement timeout" in low or "canceling statement" in low:
        return "A query took too long and was stopped. Narrow the filters or try again later."
    if "file is not a database" in low or "malformed" in low:
        return "The trial database file is damaged or is not a SQLite database."
    if "no such table" in low or "does not exist" in low and "relation" in low:
        table = re.search(r'(?:table:?|relation) "?([A-Za-z_][A-Za-z0-9_]*)', msg)
        named = f" ({table.group(1)})" if table else ""
        return f"The trial database lacks a table the dashboard needs{named}. Was it imported?"
    if "connection" in low or "could not connect" in low or "server closed" in low:
        return (
            "The trial database server cannot be reached. Check that PostgreSQL is running; "
            "the page recovers by itself when it is back."
        )
    return (
        f"The trial database could not be read ({type(getattr(exc, 'orig', None) or exc).__name__})"
        ". The server log has the details."
    )


def error_detail(exc: BaseException) -> str:
    """The driver's own words about a failure (may name a file, host or port: operators only)."""
    if isinstance(exc, DatabaseUnavailable):
        return exc.detail
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else ""


class _Watchdog:
    """Cuts a PostgreSQL connection's socket when its work outlives the deadline.

    A silent server (or proxy) keeps the TCP connection open and answers nothing: no server
    timeout can fire, and the reading thread would wait forever. Shutting the socket down makes
    the blocked read fail at once; the connection is then discarded and the request answers
    "cannot be reached" instead of hanging.
    """

    def __init__(self, conn: Connection, seconds: float) -> None:
        self.fired = False
        self._fd = -1
        try:
            dbapi = conn.connection.dbapi_connection
            self._fd = int(dbapi.fileno()) if dbapi is not None else -1
        except Exception:  # not a socket connection: nothing to watch
            self._fd = -1
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        if self._fd >= 0:
            self._timer.start()

    def _fire(self) -> None:
        import socket

        self.fired = True
        try:
            sock = socket.socket(fileno=os.dup(self._fd))
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.close()
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


PING_AFTER_IDLE_S = 30.0
WATCHDOG_MARGIN_S = 2.0


@contextmanager
def read_connection(url: str, timeout_ms: int = 5000) -> Iterator[Connection]:
    """A read-only connection; any database failure becomes DatabaseUnavailable.

    On PostgreSQL a connection idle for a while is pinged first (and replaced if the server
    dropped it), and every use runs under a watchdog of the statement timeout plus a margin.
    """
    try:
        engine = get_engine(url, timeout_ms)
        if engine.dialect.name != "postgresql":
            with engine.connect() as conn:
                yield conn
            return
        conn, dog = _pg_connection(engine, timeout_ms)
        try:
            yield conn
        except SQLAlchemyError as exc:
            if dog.fired:
                raise DatabaseUnavailable(_SILENT) from exc
            raise
        finally:
            dog.cancel()
            if dog.fired or conn.invalidated:
                if not conn.invalidated:
                    conn.invalidate()
            else:
                conn.connection.info["used_at"] = time.monotonic()
            conn.close()
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(describe_error(exc), error_detail(exc)) from exc


_SILENT = (
    "The trial database server does not answer (it accepts connections but says nothing). "
    "The page recovers by itself when it answers again."
)


def _pg_connection(engine: Engine, timeout_ms: int) -> tuple[Connection, _Watchdog]:
    """A pooled connection known to answer, with its watchdog running."""
    seconds = timeout_ms / 1000 + WATCHDOG_MARGIN_S
    for attempt in (1, 2):
        conn = engine.connect()
        dog = _Watchdog(conn, seconds)
        used = conn.connection.info.get("used_at", 0.0)
        if time.monotonic() - used < PING_AFTER_IDLE_S:
            return conn, dog
        try:
            conn.exec_driver_sql("SELECT 1").scalar()
            return conn, dog
        except SQLAlchemyError:
            dog.cancel()
            conn.invalidate()
            conn.close()
            if dog.fired:
                raise DatabaseUnavailable(_SILENT) from None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def health_check(url: str, timeout_ms: int = 2000) -> tuple[bool, str]:
    """(ok, reason code) after a trivial query, within about timeout_ms whatever happens.

    Codes: ok, timeout, unreachable, missing, damaged, not_imported, error (never a host,
    port or path: /healthz is public).
    """
    result: list[tuple[bool, str]] = []

    def probe() -> None:
        try:
            with read_connection(url, timeout_ms) as conn:
                conn.execute(text("SELECT count(*) FROM subjects")).scalar_one()
            result.append((True, "ok"))
        except DatabaseUnavailable as exc:
            result.append((False, reason_code(str(exc))))
        except Exception:  # the probe must answer, whatever happened
            result.append((False, "error"))

    thread = threading.Thread(target=probe, name="health-probe", daemon=True)
    thread.start()
    thread.join(timeout_ms / 1000 + 0.5)
    return result[0] if result else (False, "timeout")


def reason_code(message: str) -> str:
    """A short code for a DatabaseUnavailable message."""
    low = message.lower()
    if "does not answer" in low or "took too long" in low:
        return "timeout"
    if "does not exist" in low and "file" in low:
        return "missing"
    if "damaged" in low:
        return "damaged"
    if "lacks a table" in low:
        return "not_imported"
    if "cannot be reached" in low:
        return "unreachable"
    return "error"


def data_version(url: str, timeout_ms: int = 2000) -> str:
    """A token that changes whenever the trial data change (for cache keys)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        parts = []
        for p in (path, Path(f"{path}-wal")) if path else ():
            try:
                st = p.stat()
                parts.append(f"{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                parts.append("-")
        return "sqlite:" + "/".join(parts)
    with read_connection(url, timeout_ms) as conn:
        loaded = conn.execute(text("SELECT value FROM trial_meta WHERE key = 'loaded_at'"))
        stamp = loaded.scalar_one_or_none() or ""
        changes = conn.execute(
            text(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_user_tables"
            )
        ).scalar_one()
    return f"pg:{stamp}:{changes}"


def writable_engine(url: str) -> Engine:
    """A read-write engine: for the demo generator and the importers only, never the app."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)

        # pysqlite only opens a transaction before DML, so DROP/CREATE would commit at once:
        # take transaction control ourselves so an import is all or nothing.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(parsed)

"""Faults: PostgreSQL gone mid-session and back; the trial database is never written.

The database "goes away" by cutting a loopback TCP proxy in front of PostgreSQL (stopping the
shared server would break everything else that runs): to the app it is the same fault.
"""

import contextlib
import hashlib
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from data_access.engine import dispose_engines
from tests.pages.helpers import call, logged_in, texts

PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")


class Proxy:
    """A loopback TCP forwarder that can be cut and restored on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.listener: socket.socket | None = None
        # Frozen: connections are accepted and kept open, nothing is forwarded either way
        # (a hung server, or a network that silently drops everything).
        self.frozen = threading.Event()

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.frozen.is_set():
                self.conns.append(client)  # accepted, never answered
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                while self.frozen.is_set():  # hold the bytes: nothing gets through
                    time.sleep(0.05)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            # close() alone does not wake a thread blocked in accept(): shut it down first.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self.conns.clear()


def render(client, app, path="/"):
    out = call(
        client,
        app,
        "shell-page.children",
        {"shell-url.pathname": path, "shell-url.search": ""},
        ["shell-url.pathname"],
    )
    return " ".join(texts(out["response"]["shell-page"]["children"]))


def app_through_proxy(pg_url, settings, query_timeout_ms):
    """The app reading PostgreSQL through a started proxy the test can stop or freeze."""
    url = make_url(pg_url)
    proxy = Proxy(url.port or 5432)
    proxy.start()
    via = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    db = settings.with_(db_url=via, cache_type="none", query_timeout_ms=query_timeout_ms)
    return proxy, create_app(db)


def test_postgres_away_and_back(pg_url, settings):
    proxy, app = app_through_proxy(pg_url, settings, query_timeout_ms=3000)
    client = logged_in(app)
    try:
        assert "randomized of 120 planned" in render(client, app)
        assert app.server.test_client().get("/healthz").status_code == 200
        proxy.stop()
        for path in PAGES:  # a clear message on every page, no traceback
            text = render(client, app, path)
            assert "cannot read the trial database" in text, path
            assert "cannot be reached" in text and "Traceback" not in text
        health = app.server.test_client().get("/healthz")
        assert health.status_code == 503
        assert health.get_json() == {"status": "unavailable", "reason": "unreachable"}
        proxy.start()  # PostgreSQL is back: no restart of the app
        assert "randomized of 120 planned" in render(client, app)
        assert app.server.test_client().get("/healthz").status_code == 200
    finally:
        proxy.stop()
        dispose_engines()


def sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def drive_everything(app, client) -> None:
    for path in PAGES:
        for search in ("", "?center=PKU&lang=zh", "?present=1&arm=RFA_PVA"):
            out = call(
                client,
                app,
                "shell-page.children",
                {"shell-url.pathname": path, "shell-url.search": search},
                ["shell-url.pathname"],
            )
            assert "could not be drawn" not in json.dumps(out)
    call(
        client,
        app,
        "shell-pack-html.data",
        {"shell-pack-button.n_clicks": 1, "shell-url.search": ""},
        ["shell-pack-button.n_clicks"],
    )


def test_nothing_is_written_to_sqlite(settings, sqlite_url):
    path = sqlite_url.split(":///", 1)[1]
    before = sha(path)
    app = create_app(settings)
    drive_everything(app, logged_in(app))
    assert sha(path) == before


def test_nothing_is_written_to_postgres_through_a_read_only_role(pg_url, settings):
    admin = create_engine(
        pg_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    role = "trial_reader_test"
    with admin.connect() as conn:
        conn.execute(text(f"DROP OWNED BY {role}")) if conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first() else None
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
        tables = [
            r[0]
            for r in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
        ]
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    reader = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
    try:
        app = create_app(settings.with_(db_url=reader))
        drive_everything(app, logged_in(app))
        with admin.connect() as conn:
            after = {
                t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
            }
        assert after == counts
        # And the role itself cannot write, whatever the dashboard tried.
        engine = create_engine(reader.replace("postgresql://", "postgresql+psycopg://", 1))
        with pytest.raises(Exception, match="permission denied"), engine.begin() as conn:
            conn.execute(text("DELETE FROM deviations"))
        engine.dispose()
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_postgres_silent_gives_503_within_5_s_and_recovers(pg_url, settings):
    """A server that accepts connections and then says nothing (frozen proxy): /healthz answers
    503 within 5 s, pages say the database does not answer, and all recovers by itself."""
    proxy, app = app_through_proxy(pg_url, settings, query_timeout_ms=1000)
    client = logged_in(app)
    try:
        assert "randomized of 120 planned" in render(client, app)
        proxy.frozen.set()
        t = time.monotonic()
        health = app.server.test_client().get("/healthz")
        assert time.monotonic() - t < 5
        assert health.status_code == 503
        assert health.get_json() == {"status": "unavailable", "reason": "timeout"}
        t = time.monotonic()
        text_ = render(client, app, "/safety")
        assert time.monotonic() - t < 10
        assert "cannot read the trial database" in text_ and "does not answer" in text_
        proxy.frozen.clear()
        deadline = time.monotonic() + 10
        while app.server.test_client().get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            time.sleep(0.2)
        assert "randomized of 120 planned" in render(client, app)
    finally:
        proxy.frozen.clear()
        proxy.stop()
        dispose_engines()

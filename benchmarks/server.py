"""The dashboard under gunicorn on 127.0.0.1 for a benchmark, from a cold start.

The demo trial by default; with a database URL, that database and a benchmark user of role pi.
The app's own store (users, cuts, cache) lives in a temporary folder and goes with it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/", "/randomization", "/visits", "/pain", "/local-control", "/safety", "/data-quality")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn_server(
    db: str = "",
    extra_args: Sequence[str] = (),
    stderr: int | IO[Any] | None = subprocess.DEVNULL,
) -> Iterator[tuple[str, str, str]]:
    """(base URL, user, password) of a served dashboard; stopped on leaving."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TRIAL_INSTANCE_DIR": tmp, "HOME": tmp}
        user, password = "pi", "pi-demo-pass"
        if db:
            env.update(TRIAL_DB_URL=db, TRIAL_SECRET_KEY="benchmark")
            user, password = "bench", "bench-password"
            subprocess.run(
                [sys.executable, "-m", "dashboard", "users", "add", user]
                + ["--role", "pi", "--password-stdin"],
                input=password + "\n",
                text=True,
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen(
            [gunicorn, "app:server", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
            + list(extra_args),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            for _ in range(300):
                try:
                    if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.5)
            yield base, user, password
        finally:
            server.terminate()
            server.wait(timeout=30)

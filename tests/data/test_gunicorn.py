"""`gunicorn app:server` serves the dashboard (the documented production command)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_refuses_to_start_without_a_secret(sqlite_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TRIAL_SECRET_KEY"}
    env.update({"TRIAL_DB_URL": sqlite_url, "TRIAL_INSTANCE_DIR": str(tmp_path)})
    out = subprocess.run(
        [sys.executable, "-c", "import app; app.server"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    assert "TRIAL_SECRET_KEY must be set" in out.stderr


def test_gunicorn_serves_the_app(sqlite_url, tmp_path):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which(
        "gunicorn"
    )
    assert gunicorn, "gunicorn is a dependency and must be installed"
    port = free_port()
    env = {
        **os.environ,
        "TRIAL_DB_URL": sqlite_url,
        "HOME": str(tmp_path),
        "TRIAL_SECRET_KEY": "gunicorn-test-secret",
        "TRIAL_INSTANCE_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [
            gunicorn,
            "app:server",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--preload",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode()[-2000:])
                time.sleep(0.3)
        assert body and '"status":"ok"' in body.replace(" ", "")
        # Without a login the dashboard sends people to the login page.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200 and r.url.endswith("/login?next=%2F")
            assert b'name="csrf_token"' in r.read()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

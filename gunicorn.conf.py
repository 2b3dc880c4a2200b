"""gunicorn settings for `gunicorn app:server` (override any of them on the command line)."""

import os

bind = os.environ.get("TRIAL_BIND", "127.0.0.1:8050")
workers = int(os.environ.get("TRIAL_WORKERS", "2"))
threads = int(os.environ.get("TRIAL_THREADS", "4"))
timeout = 60
# A stop (SIGTERM) waits this long for requests in flight, not gunicorn's default 30 s.
graceful_timeout = 10
preload_app = True
# gunicorn 27 opens a control socket under $HOME by default; several instances (tests, load
# tests) would fight over it and a read-only $HOME breaks start-up, so it is off unless asked for.
control_socket_disable = os.environ.get("TRIAL_GUNICORN_CONTROL_SOCKET") is None
if not control_socket_disable:
    control_socket = os.environ["TRIAL_GUNICORN_CONTROL_SOCKET"]


def post_fork(server, worker):  # noqa: ANN001, ANN201 - gunicorn hook signature
    """With --preload the parent may have opened the database: start each worker clean."""
    from data_access.engine import dispose_engines

    dispose_engines()

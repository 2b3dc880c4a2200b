"""Shared cache (flask-caching): keyed by what was asked and the trial data's version.

Every key carries the database's data version, so a data refresh (an import, a new demo) is
never hidden by the cache. Redis is the backend when CACHE_REDIS_URL is set (several gunicorn
workers and hosts share it); otherwise each process keeps a small in-memory cache. Outside a
Flask app (the CLI) nothing is cached.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context
from flask_caching import Cache

from dashboard.config import Settings
from data_access.engine import data_version

T = TypeVar("T")
log = logging.getLogger(__name__)
EXTENSION = "trial_cache"


def init_cache(server: Flask, settings: Settings) -> Cache:
    """Attach the cache to the Flask app (Redis, in-memory, or none)."""
    if settings.cache_type == "none":
        config: dict[str, Any] = {"CACHE_TYPE": "NullCache"}
    elif settings.cache_redis_url:
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.cache_redis_url,
            "CACHE_KEY_PREFIX": "trial-dashboard:",
        }
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 500}
    config["CACHE_DEFAULT_TIMEOUT"] = settings.cache_timeout_s
    cache = Cache(config=config)
    cache.init_app(server)
    server.extensions[EXTENSION] = cache
    if settings.cache_redis_url:
        warn_unbounded_redis(cache)
    return cache


def warn_unbounded_redis(cache: Cache) -> str | None:
    """A warning (logged, and returned) when Redis would grow without bound.

    Every key expires (TRIAL_CACHE_TIMEOUT_S), but many distinct views within that time can
    still fill memory: Redis needs a `maxmemory` and an evicting policy (allkeys-lru), as
    the README's production section says.
    """
    client = getattr(cache.cache, "_write_client", None)
    try:
        conf = client.config_get("maxmemory*") if client is not None else {}
    except Exception:  # CONFIG may be disabled on a managed Redis: nothing to check
        return None
    policy = str(conf.get("maxmemory-policy", ""))
    if str(conf.get("maxmemory", "0")) in ("0", "") or policy == "noeviction":
        message = (
            f"Redis has no memory bound (maxmemory {conf.get('maxmemory')}, policy {policy}): "
            "set maxmemory and maxmemory-policy allkeys-lru"
        )
        log.warning(message)
        return message
    return None


def _current() -> Cache | None:
    if not has_app_context():
        return None
    cache = current_app.extensions.get(EXTENSION)
    return cache if isinstance(cache, Cache) else None


def request_data_version(url: str) -> str:
    """The data version, looked up once per request."""
    versions = g.setdefault("trial_data_versions", {})
    if url not in versions:
        versions[url] = data_version(url)
    return str(versions[url])


# Single flight: one computation per cache key at a time; the others wait for its result.
_guard = threading.Lock()
_flights: dict[str, list[Any]] = {}  # key -> [lock, waiters]
FLIGHT_WAIT_S = 60


@contextmanager
def _local_flight(key: str) -> Iterator[None]:
    with _guard:
        entry = _flights.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _guard:
            entry[1] -= 1
            if entry[1] == 0:
                _flights.pop(key, None)


@contextmanager
def _shared_flight(cache: Cache, key: str) -> Iterator[None]:
    """Across processes too when the cache is Redis (gunicorn workers share one flight)."""
    client = getattr(cache.cache, "_write_client", None)
    if client is None or not hasattr(client, "lock"):
        yield
        return
    lock = client.lock(f"trial-dashboard:flight:{key}", timeout=FLIGHT_WAIT_S)
    acquired = False
    try:
        acquired = bool(lock.acquire(blocking=True, blocking_timeout=FLIGHT_WAIT_S))
    except Exception as exc:  # Redis down: compute anyway
        log.warning("cache lock unavailable: %s", exc)
    try:
        yield
    finally:
        if acquired:
            try:
                lock.release()
            except Exception as exc:  # expired: the result is stored all the same
                log.warning("cache lock release failed: %s", exc)


def memoize(kind: str, url: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute() once per (kind, parts, data version); cache failures fall back to compute().

    Single flight: while one request computes a key, others asking for it wait and get its
    result (in the process, and across processes with Redis) instead of computing it again.
    """
    cache = _current()
    if cache is None:
        return compute()
    try:
        raw = repr((kind, request_data_version(url), parts)).encode()
        key = f"{kind}:{hashlib.sha256(raw).hexdigest()}"
        hit = cache.get(key)
    except Exception as exc:  # a cache outage must not take the dashboard down
        log.warning("cache unavailable: %s", exc)
        return compute()
    if hit is not None:
        return hit
    with _local_flight(key), _shared_flight(cache, key):
        try:
            hit = cache.get(key)
        except Exception:
            hit = None
        if hit is not None:
            return hit
        value = compute()
        try:
            cache.set(key, value)
        except Exception as exc:
            log.warning("cache write failed: %s", exc)
        return value


# Warming: after the data version changes, the default views are computed in the background.
_warmed: dict[str, str] = {}
_warm_lock = threading.Lock()


def warm_in_background(
    server: Flask, url: str, warm: Callable[[], object], version: str | None = None
) -> threading.Thread | None:
    """Run warm() once per data version of `url`, in a daemon thread with an app context.

    Returns the thread when one was started (None when this version is warm or warming).
    """
    try:
        version = version if version is not None else str(data_version(url))
    except Exception:  # the database is down: nothing to warm
        return None
    with _warm_lock:
        if _warmed.get(url) == version:
            return None
        _warmed[url] = version

    def run() -> None:
        with server.app_context():
            try:
                warm()
            except Exception as exc:  # warming is an optimisation, never an error
                log.warning("warming the cache failed: %s", exc)

    thread = threading.Thread(target=run, name="cache-warm", daemon=True)
    thread.start()
    return thread

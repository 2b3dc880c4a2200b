"""Shared cache (flask-caching): keyed by what was asked and the trial data's version.

Every key carries the database's data version, so a data refresh (an import, a new demo) is
never hidden by the cache. Redis is the backend when CACHE_REDIS_URL is set (several gunicorn
workers and hosts share it); otherwise each process keeps a small in-memory cache. Outside a
Flask app (the CLI) nothing is cached.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
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
    return cache


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


def memoize(kind: str, url: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute() once per (kind, parts, data version); cache failures fall back to compute()."""
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
    value = compute()
    try:
        cache.set(key, value)
    except Exception as exc:
        log.warning("cache write failed: %s", exc)
    return value

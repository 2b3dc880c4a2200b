"""The shared cache: keyed by the data version (a refresh is never hidden), Redis when set."""

import os
import uuid

import pytest

from app import create_app
from data_access.demo import create_demo_database
from tests.pages.helpers import call, find_by_id, logged_in, texts


def kpi(client, app):
    out = call(
        client,
        app,
        "shell-page.children",
        {"shell-url.pathname": "/", "shell-url.search": ""},
        ["shell-url.pathname"],
    )
    return " ".join(
        texts(find_by_id(out["response"]["shell-page"]["children"], "rec-kpi-randomized"))
    )


def test_a_data_refresh_is_never_hidden_by_the_cache(settings, tmp_path):
    url = f"sqlite:///{tmp_path}/live.sqlite"
    first = create_demo_database(url, seed=1)
    app = create_app(settings.with_(db_url=url))
    client = logged_in(app)
    n1 = int(first.tables["subjects"]["randomized_on"].notna().sum())
    assert f"{n1} / 120" in kpi(client, app)
    assert f"{n1} / 120" in kpi(client, app)  # served from the cache
    second = create_demo_database(url, seed=2, scale=1.3)  # the data change (new import)
    n2 = int(second.tables["subjects"]["randomized_on"].notna().sum())
    assert n1 != n2
    assert f"{n2} / 120" in kpi(client, app)


def test_redis_backend_is_shared_between_instances(settings):
    redis_url = os.environ.get("TRIAL_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set TRIAL_TEST_REDIS_URL to test the Redis cache")
    import redis

    r = redis.Redis.from_url(redis_url)
    r.flushdb()
    s = settings.with_(cache_redis_url=redis_url, secret_key=uuid.uuid4().hex)
    a, b = create_app(s), create_app(s)
    kpi(logged_in(a), a)
    keys = r.keys("trial-dashboard:*")
    assert any(k.startswith(b"trial-dashboard:page:") for k in keys)
    assert any(k.startswith(b"trial-dashboard:inputs:recruitment:") for k in keys)
    assert any(k.startswith(b"trial-dashboard:model:recruitment:") for k in keys)
    before = len(keys)
    kpi(logged_in(b), b)  # the second instance finds everything in Redis
    assert len(r.keys("trial-dashboard:*")) == before
    r.flushdb()

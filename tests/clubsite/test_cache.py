"""The Redis cache the workers share: Django's, with one redis-py client per pool."""

import os
import subprocess
import sys
import threading
import uuid

import pytest

from clubsite.cache import RedisCache
from tests.clubsite.redis_server import needs_redis, redis_url

REDIS_URL = redis_url(14)
pytestmark = needs_redis(REDIS_URL)


@pytest.fixture
def cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.clear()


def test_every_call_uses_the_same_client_for_the_same_pool(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client(write=False) is client  # one server: reads share its pool


def test_values_set_through_one_call_are_read_back_by_the_next(cache):
    cache.set("session", {"user": 7}, 30)
    assert cache.get("session") == {"user": 7}
    cache.add("tries", 0)
    assert cache.incr("tries") == 1
    cache.delete("session")
    assert cache.get("session") is None


def test_threads_sharing_the_client_each_get_their_own_answers(cache):
    errors = []

    def worker(n: int):
        for i in range(50):
            cache.set(f"k{n}", (n, i))
            if cache.get(f"k{n}") != (n, i):
                errors.append((n, i))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_production_settings_use_it_whenever_the_cache_url_names_redis():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clubsite.settings", "CACHE_URL": REDIS_URL}
    env.pop("DATABASE_URL", None)
    shown = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert shown == "clubsite.cache.RedisCache"

"""The Redis server tests of production's Redis paths (broker, cache) talk to."""

import os

import pytest
import redis


def redis_url(db: int) -> str:
    return os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{db}")


def needs_redis(url: str):
    """Skip when no Redis answers at `url`, except in CI, where a missing Redis is a failure:
    these tests are about the real server."""
    try:
        up = redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        up = False
    return pytest.mark.skipif(
        not up and not os.environ.get("CI"),
        reason=f"needs a Redis server at {url} (start one, or set TEST_REDIS_URL)",
    )

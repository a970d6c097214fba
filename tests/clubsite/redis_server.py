"""The Redis server tests of production's Redis paths (broker, cache) talk to."""

import os
from contextlib import contextmanager

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from clubsite.celery import app


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


@contextmanager
def celery_worker_on(url: str):
    """Tasks go through the Redis at `url` to a real Celery worker (a thread of this process)
    while the block runs; everywhere else tests run them eagerly. Each test file that uses
    it has a Redis database of its own: tests in other processes must not take its tasks."""
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_connections()
    redis.Redis.from_url(url).flushdb()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections():
    # Celery builds its connection and producer pools from broker_url on first use. An
    # earlier test may have built them for the default broker (amqp://localhost), and the
    # task would silently go there; drop them whenever the broker changes.
    app._pool = None
    app.amqp._producer_pool = None

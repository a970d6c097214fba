"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache operation. Building one
is not free: its ``__init__`` registers some 170 response callbacks, a tenth of a millisecond
of CPU, and the session read on every signed-in request pays it (the till's "register
purchase" made it one of its larger single costs). A client holds no connection of its own:
it takes one from the pool for each command and gives it back, and redis-py documents it as
safe to share between threads, so one per pool serves every call.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class _SharedClients(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id(pool) -> client (the pools live in self._pools for good)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClients

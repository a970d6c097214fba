"""Reading the owner's heavy pages from a read replica, when the club has one.

With DATABASE_REPLICA_URL set, the views that only read and read a lot (the dashboard and
its CSV files, the usage report, a campaign's report in admin) run inside `from_replica()`: the router
sends their queries to the "replica" database. Everything else, every write and all of the
till, stays on the primary: a replica lags behind by a moment, and a till must see the
points it has just credited. Without a replica the router answers None, which is Django's
own choice: the one database.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading = ContextVar("reading_from_replica", default=False)


def replica_in_use() -> bool:
    return bool(getattr(settings, "READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def from_replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_view(view):
    """A view whose reads go to the replica (its writes, if any, still go to the primary)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with from_replica():
            return view(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    return REPLICA if _reading.get() and replica_in_use() else DEFAULT_DB_ALIAS


def reading_connection():
    """The connection for hand-written reporting SQL: the replica's inside from_replica()."""
    return connections[read_alias()]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() and replica_in_use() else None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication

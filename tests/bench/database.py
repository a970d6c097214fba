"""A throwaway PostgreSQL database for one bench run: created fresh, dropped at the end.

The bench never touches an existing database: it connects to the `postgres` maintenance
database of the server named by DATABASE_URL and creates `lojal_bench_<pid>` next to it.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests.bench.log import log

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lojal_bench"


def server_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"bench: DATABASE_URL must point at PostgreSQL, not {urlsplit(url).scheme!r}")
    return url


def with_dbname(url: str, name: str) -> str:
    """The same server and credentials, another database (keeps any ?options)."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def conninfo(url: str, name: str) -> str:
    """A libpq conninfo for psycopg (it reads URLs too; this only swaps the database)."""
    return make_conninfo(url, dbname=name)


def _maintenance(url: str) -> psycopg.Connection:
    # CREATE/DROP DATABASE cannot run inside a transaction block: autocommit.
    return psycopg.connect(conninfo(url, "postgres"), autocommit=True)


def create(url: str, suffix: str = "") -> str:
    """Drop-and-create a database named after this process (and `suffix`); return its name."""
    name = f"lojal_bench_{os.getpid()}{suffix}"
    with _maintenance(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created database {name}")
    return name


def drop(url: str, name: str) -> None:
    # FORCE: a thread that died mid-run may still hold a connection; the run is over anyway.
    with _maintenance(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    log(f"dropped database {name}")

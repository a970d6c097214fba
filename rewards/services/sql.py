"""Hand-written SQL for the few statements every wallet write repeats.

The ORM builds each query afresh, and on the hot path (a purchase, a deduction) that cost
more than the database's own work. The statements here are written out (or built once
from a model's fields), run on PostgreSQL and on SQLite (>= 3.35: RETURNING, ON CONFLICT)
alike, and only move rows: every rule stays in the services.

Ledger rows (AppendOnlyModel) are only ever inserted here; of a lot, only `remaining`
moves (lot_remaining_add). On PostgreSQL the trigger of migration 0002 still watches.
No pre_save/post_save signals are sent for these rows (nothing listens to them: the
wallet tells the other apps through rewards.signals, after commit).
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from rewards.models import Wallet
from rewards.models.wallet import AppendOnlyModel, LedgerImmutable


def _q(name: str) -> str:
    return f'"{name}"'  # how PostgreSQL and SQLite both quote a name


_kept = threading.local()  # this thread's database cursor, with the connection it belongs to


def _db() -> BaseDatabaseWrapper:
    # This thread's connection, looked up once: every attribute read through
    # django.db.connection is a lookup of its own.
    return connections[DEFAULT_DB_ALIAS]


def _cursor(db: BaseDatabaseWrapper):
    """A cursor, wrapped as Django wraps every cursor (query logging, execute_wrapper,
    error translation). Opening a database cursor costs more than running one of these
    statements, so the one underneath is kept for as long as its connection lives."""
    db.ensure_connection()
    kept = getattr(_kept, "cursor", None)
    if kept is None or kept[0] is not db.connection:
        kept = _kept.cursor = (db.connection, db.create_cursor())
    return db.make_debug_cursor(kept[1]) if db.queries_logged else db.make_cursor(kept[1])


def _run(db: BaseDatabaseWrapper, sql: str, params: list | tuple, *, rows: bool = False) -> list[tuple]:
    cursor = _cursor(db)
    cursor.execute(sql, params)
    return cursor.fetchall() if rows else []


def _prep(db: BaseDatabaseWrapper, field: models.Field, obj: models.Model, *, add: bool):
    # What Model.save() would store for this field (defaults, auto_now, FK ids, JSON, time zones).
    return field.get_db_prep_save(field.pre_save(obj, add), db)


@cache
def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f is not model._meta.pk]


@cache
def _insert_sql(model: type[models.Model], unless_taken: str | None) -> str:
    meta, fields = model._meta, _insert_fields(model)
    columns = ", ".join(_q(f.column) for f in fields)
    # Names from the model's metadata only, never from input: nothing to inject.
    sql = f"INSERT INTO {_q(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if unless_taken:
        sql += f" ON CONFLICT ({_q(meta.get_field(unless_taken).column)}) DO NOTHING"
    return f"{sql} RETURNING {_q(meta.pk.column)}"


def insert(obj: models.Model, *, unless_taken: str | None = None) -> bool:
    """INSERT the unsaved `obj` (its pk is generated) and set its pk; True when stored.

    With `unless_taken` (a unique field), a row already holding that value makes this do
    nothing and return False. On PostgreSQL an uncommitted row with the value makes it wait
    for that transaction: after its commit the value is taken, after its rollback it is not.
    """
    if obj.pk is not None:
        raise ValueError(f"{type(obj).__name__} is saved already")
    db = _db()
    values = [_prep(db, f, obj, add=True) for f in _insert_fields(type(obj))]
    returned = _run(db, _insert_sql(type(obj), unless_taken), values, rows=True)
    if not returned:
        return False
    obj.pk = returned[0][0]
    obj._state.adding, obj._state.db = False, db.alias
    return True


@cache
def _update_sql(model: type[models.Model], field_names: tuple[str, ...]) -> str:
    meta = model._meta
    sets = ", ".join(f"{_q(meta.get_field(name).column)} = %s" for name in field_names)
    return f"UPDATE {_q(meta.db_table)} SET {sets} WHERE {_q(meta.pk.column)} = %s"  # noqa: S608 (as above)


def update(obj: models.Model, *field_names: str) -> None:
    """UPDATE these fields of the saved `obj`, as save(update_fields=...) would (auto_now too)."""
    if isinstance(obj, AppendOnlyModel):
        raise LedgerImmutable(f"{type(obj).__name__} rows are append-only")
    db = _db()
    values = [_prep(db, obj._meta.get_field(name), obj, add=False) for name in field_names]
    _run(db, _update_sql(type(obj), field_names), [*values, obj.pk])


# The hot statements, written out. Table and column names are the models' (checked by
# tests/rewards/test_wallet_sql.py against the models' metadata).
WALLET_FIELDS = ["id", "member_id", "balance", "tier_id", "tier_review_at"]  # in the model's order
LOCK_WALLET = (
    "SELECT id, member_id, balance, tier_id, tier_review_at FROM rewards_wallet WHERE member_id = %s"
)
OPEN_LOTS = (
    "SELECT id, remaining, expires_at IS NOT NULL AND expires_at <= %s FROM rewards_ledgerentry"
    " WHERE wallet_id = %s AND remaining > 0 ORDER BY created_at, id"
)
LOT_REMAINING_ADD = "UPDATE rewards_ledgerentry SET remaining = remaining + %s WHERE id = %s"
QUALIFYING_MONTH_ADD = (
    "INSERT INTO rewards_qualifyingmonth (wallet_id, month, points, spend_ore) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (wallet_id, month) DO UPDATE SET points = rewards_qualifyingmonth.points + excluded.points,"
    " spend_ore = rewards_qualifyingmonth.spend_ore + excluded.spend_ore"
)


def wallet_lock(member_id: int) -> Wallet | None:
    """The member's wallet row, locked FOR UPDATE until the transaction ends (None: no wallet).

    `tier` is not joined: the caller takes it from the cached tiers (or Django loads it when
    it is first read). `updated_at` is not read: the next save sets it.
    """
    db = _db()
    sql = (
        LOCK_WALLET + " FOR UPDATE" if db.features.has_select_for_update else LOCK_WALLET
    )  # SQLite: one writer
    rows = _run(db, sql, [member_id], rows=True)
    return Wallet.from_db(db.alias, WALLET_FIELDS, rows[0]) if rows else None


def open_lots(wallet_id: int, now: datetime) -> list[tuple[int, int, bool]]:
    """Every lot with points left, oldest first, as (id, remaining, lapsed by `now`)."""
    db = _db()
    rows = _run(db, OPEN_LOTS, [db.ops.adapt_datetimefield_value(now), wallet_id], rows=True)
    return [(lot_id, remaining, bool(lapsed)) for lot_id, remaining, lapsed in rows]


def lot_remaining_add(lot_id: int, points: int) -> None:
    """Move a lot's `remaining` (the one ledger column that may change) by `points`."""
    _run(_db(), LOT_REMAINING_ADD, [points, lot_id])


def qualifying_month_add(wallet_id: int, month: date, points: int, spend_ore: int) -> None:
    """Add to the wallet's sums for `month`, creating its row with the month's first entry."""
    db = _db()
    _run(db, QUALIFYING_MONTH_ADD, [wallet_id, db.ops.adapt_datefield_value(month), points, spend_ore])

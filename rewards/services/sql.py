"""Hand-written SQL for the few statements every wallet write repeats.

The ORM builds each query afresh, and on the hot path (a purchase, a deduction) that cost
more than the database's own work. The statements here are written out (or built once
from a model's fields), run on PostgreSQL and on SQLite (>= 3.35: RETURNING, ON CONFLICT)
alike, and only move rows: every rule stays in the services.

Ledger rows (AppendOnlyModel) are only ever inserted here; of a lot, only `remaining`
moves (lot_remaining_add), and a typed reason that names an erased member is blanked
(ledger_reasons_blank). On PostgreSQL the trigger (migrations 0002, 0007) still watches.
No pre_save/post_save signals are sent for these rows (nothing listens to them: the
wallet tells the other apps through rewards.signals, after commit).
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from rewards.models import LedgerAllocation, LedgerEntry, Operation, Wallet
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
    update_rows((obj, field_names))


def update_rows(*changes: tuple[models.Model, tuple[str, ...]]) -> None:
    """UPDATE several saved rows, each (obj, field names) as update() does, in one round trip
    on PostgreSQL: every UPDATE but the last rides in a WITH, which PostgreSQL runs to
    completion whether or not the main statement reads it. SQLite has no UPDATE in WITH:
    there, one statement each (a local call, no round trip to save)."""
    db = _db()
    statements, params = [], []
    for obj, field_names in changes:
        if isinstance(obj, AppendOnlyModel):
            raise LedgerImmutable(f"{type(obj).__name__} rows are append-only")
        statements.append(_update_sql(type(obj), tuple(field_names)))
        params.append([*(_prep(db, obj._meta.get_field(n), obj, add=False) for n in field_names), obj.pk])
    if db.vendor != "postgresql":
        for statement, values in zip(statements, params, strict=True):
            _run(db, statement, values)
        return
    *first, last = statements
    ctes = ", ".join(f"u{i} AS ({statement})" for i, statement in enumerate(first))
    _run(db, f"WITH {ctes} {last}" if ctes else last, [value for values in params for value in values])


# The hot statements, written out. Table and column names are the models' (checked by
# tests/rewards/test_wallet_sql.py against the models' metadata).
WALLET_FIELDS = ["id", "member_id", "balance", "tier_id", "tier_review_at"]  # in the model's order
LOCK_WALLET = (
    "SELECT id, member_id, balance, tier_id, tier_review_at FROM rewards_wallet WHERE member_id = %s"
)
OPERATION_CLAIMED = ["key", "kind", "fingerprint", "result", "created_at"]  # and wallet_id
LOCK_WALLET_CLAIMING = (
    "WITH op AS (INSERT INTO rewards_operation (key, kind, fingerprint, result, created_at, wallet_id)"
    " SELECT %s, %s, %s, %s, %s, id FROM rewards_wallet WHERE member_id = %s"
    " ON CONFLICT (key) DO NOTHING RETURNING id)"
    " SELECT id, member_id, balance, tier_id, tier_review_at, (SELECT id FROM op) FROM rewards_wallet"
    " WHERE member_id = %s FOR UPDATE"
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
QUALIFYING_WINDOW = (
    "SELECT COALESCE(SUM(points), 0), COALESCE(SUM(spend_ore), 0) FROM rewards_qualifyingmonth"
    " WHERE wallet_id = %s AND month >= %s AND month <= %s"
)
# The upsert in a WITH, and the window's sums after it: the other months' rows plus the
# month's new row from RETURNING. Constants only (the values are parameters): nothing to inject.
_MONTH_UPSERT = f"up AS ({QUALIFYING_MONTH_ADD} RETURNING points, spend_ore)"
_WINDOW_SUMS = (
    " CASE WHEN %s THEN up.points ELSE 0 END + others.points,"
    " CASE WHEN %s THEN up.spend_ore ELSE 0 END + others.spend_ore"
)
_OTHER_MONTHS = f"({QUALIFYING_WINDOW} AND month <> %s) AS others(points, spend_ore)"
QUALIFYING_MONTH_ADD_SUMMED = f"WITH {_MONTH_UPSERT} SELECT{_WINDOW_SUMS} FROM up, {_OTHER_MONTHS}"


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


def wallet_lock_claiming(member_id: int, op: Operation) -> tuple[Wallet, bool] | None:
    """Lock the member's wallet row (as wallet_lock) and INSERT the unsaved operation `op` on
    it unless its key is taken; (wallet, whether `op` was stored), or None: no wallet.

    On PostgreSQL one statement: the INSERT rides in a WITH. A key held by a transaction
    still running makes the INSERT wait for it, as the lock waits for a wallet's holder;
    both wait only on transactions that already hold what they need, so no cycle forms.
    SQLite (one writer at a time): the lock, then the INSERT.
    """
    db = _db()
    if db.vendor != "postgresql":
        wallet = wallet_lock(member_id)
        if wallet is None:
            return None
        op.wallet = wallet
        return wallet, insert(op, unless_taken="key")
    values = [_prep(db, op._meta.get_field(name), op, add=True) for name in OPERATION_CLAIMED]
    rows = _run(db, LOCK_WALLET_CLAIMING, [*values, member_id, member_id], rows=True)
    if not rows:
        return None
    *wallet_row, op_id = rows[0]
    wallet = Wallet.from_db(db.alias, WALLET_FIELDS, wallet_row)
    if op_id is None:
        return wallet, False
    op.pk, op.wallet = op_id, wallet
    op._state.adding, op._state.db = False, db.alias
    return wallet, True


def open_lots(wallet_id: int, now: datetime) -> list[tuple[int, int, bool]]:
    """Every lot with points left, oldest first, as (id, remaining, lapsed by `now`)."""
    db = _db()
    rows = _run(db, OPEN_LOTS, [db.ops.adapt_datetimefield_value(now), wallet_id], rows=True)
    return [(lot_id, remaining, bool(lapsed)) for lot_id, remaining, lapsed in rows]


def debit_insert(entry: models.Model, takes: list[tuple[int, int]]) -> None:
    """INSERT the unsaved debit `entry` (its pk is set), take each (lot id, points) of `takes`
    from that lot's `remaining` and record it as a LedgerAllocation of the entry.

    On PostgreSQL one statement, whatever the number of lots: the entry's INSERT, the lots'
    UPDATE and the allocations' INSERT ride in a WITH (the allocations take the entry's id
    from its RETURNING). SQLite: one statement each.
    """
    db = _db()
    if db.vendor != "postgresql":
        insert(entry)
        for lot_id, take in takes:
            lot_remaining_add(lot_id, -take)
            insert(LedgerAllocation(entry=entry, lot_id=lot_id, points=take))
        return
    values = [_prep(db, f, entry, add=True) for f in _insert_fields(type(entry))]
    rows = _run(db, _debit_sql(len(takes)), [*values, *(n for take in takes for n in take)], rows=True)
    entry.pk = rows[0][0]
    entry._state.adding, entry._state.db = False, db.alias


@cache
def _debit_sql(lots: int) -> str:
    # Names from the models' metadata and constants only, never from input: nothing to inject.
    takes = ", ".join(["(%s::bigint, %s::integer)"] * lots)
    return (
        f"WITH entry AS ({_insert_sql(LedgerEntry, None)}), takes (lot, points) AS (VALUES {takes}),"  # noqa: S608
        " lots AS (UPDATE rewards_ledgerentry SET remaining = remaining - takes.points FROM takes"
        " WHERE rewards_ledgerentry.id = takes.lot),"
        " allocations AS (INSERT INTO rewards_ledgerallocation (entry_id, lot_id, points)"
        " SELECT entry.id, takes.lot, takes.points FROM entry, takes)"
        " SELECT id FROM entry"
    )


def ledger_reasons_blank(entry_ids: list[int]) -> int:
    """Blank the `reason` of these ledger entries (GDPR erasure: text staff typed that names
    the member); return how many changed. Points, times and links stay as they were: the
    books still add up, and the trigger refuses any other change."""
    if not entry_ids:
        return 0
    cursor = _cursor(_db())
    marks = ", ".join(["%s"] * len(entry_ids))
    statement = f"UPDATE rewards_ledgerentry SET reason = '' WHERE id IN ({marks}) AND reason <> ''"  # noqa: S608
    cursor.execute(statement, entry_ids)  # placeholders only: nothing to inject
    return cursor.rowcount


def lot_remaining_add(lot_id: int, points: int) -> None:
    """Move a lot's `remaining` (the one ledger column that may change) by `points`."""
    _run(_db(), LOT_REMAINING_ADD, [points, lot_id])


def qualifying_month_add(
    wallet_id: int, month: date, points: int, spend_ore: int, *, window: tuple[date, date]
) -> tuple[int, int]:
    """Add to the wallet's sums for `month` (creating its row with the month's first entry);
    return the sums (points, spend_ore) of the months in `window` (first, last) afterwards.

    On PostgreSQL one statement: the sums of the other months plus the row just written
    (a WITH's changes are not visible to the statement's own reads, so `month` is left out
    of them and its new row added from RETURNING). SQLite: the upsert, then the sums.
    """
    db = _db()
    if db.vendor != "postgresql":
        _run(db, QUALIFYING_MONTH_ADD, [wallet_id, db.ops.adapt_datefield_value(month), points, spend_ore])
        return qualifying_window(wallet_id, window)
    params = _month_params(db, wallet_id, month, points, spend_ore, window)
    ((total_points, total_spend),) = _run(db, QUALIFYING_MONTH_ADD_SUMMED, params, rows=True)
    return total_points, total_spend


def _month_params(db, wallet_id: int, month: date, points: int, spend_ore: int, window: tuple[date, date]):
    """The parameters of _MONTH_UPSERT, _WINDOW_SUMS and _OTHER_MONTHS, in that order."""
    first, last = (db.ops.adapt_datefield_value(m) for m in window)
    in_window = window[0] <= month <= window[1]
    month_value = db.ops.adapt_datefield_value(month)
    upsert = [wallet_id, month_value, points, spend_ore]
    return [*upsert, in_window, in_window, wallet_id, first, last, month_value]


def insert_qualifying(entry: models.Model, month: date, *, window: tuple[date, date]) -> tuple[int, int]:
    """INSERT the unsaved qualifying ledger `entry` (as insert()) and add it to its wallet's
    sums for `month` (as qualifying_month_add, which says what is returned).

    A purchase's points, the till's most frequent write: on PostgreSQL one statement, both
    INSERTs riding in a WITH. SQLite: one statement each.
    """
    db = _db()
    spend_ore = entry.amount_ore or 0
    if db.vendor != "postgresql":
        insert(entry)
        return qualifying_month_add(entry.wallet_id, month, entry.points, spend_ore, window=window)
    values = [_prep(db, f, entry, add=True) for f in _insert_fields(type(entry))]
    params = _month_params(db, entry.wallet_id, month, entry.points, spend_ore, window)
    rows = _run(db, _entry_qualifying_sql(), [*values, *params], rows=True)
    ((entry_id, total_points, total_spend),) = rows
    entry.pk = entry_id
    entry._state.adding, entry._state.db = False, db.alias
    return total_points, total_spend


@cache
def _entry_qualifying_sql() -> str:
    # Names from the models' metadata and constants only, never from input: nothing to inject.
    entry = _insert_sql(LedgerEntry, None)
    return (
        f"WITH entry AS ({entry}), {_MONTH_UPSERT}"  # noqa: S608
        f" SELECT entry.id,{_WINDOW_SUMS} FROM entry, up, {_OTHER_MONTHS}"
    )


def qualifying_window(wallet_id: int, window: tuple[date, date]) -> tuple[int, int]:
    """The wallet's sums (points, spend_ore) over the months in `window` (first, last)."""
    db = _db()
    first, last = (db.ops.adapt_datefield_value(m) for m in window)
    ((points, spend_ore),) = _run(db, QUALIFYING_WINDOW, [wallet_id, first, last], rows=True)
    return points, spend_ore

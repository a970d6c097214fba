"""The machinery every wallet write shares: locking, idempotency, lots and entries.

A write goes like this, inside one transaction:
    wallet, op = start(member, key=..., ...)   # lock the wallet row and claim the key
                                               # (a repeated key: replay or refuse)
    lots = live_lots(wallet, now)              # before spending: dead points are never spent
    ... post entries, consume lots, change the cached balance ...
    finish(op, result, wallet=wallet)          # the balance, and what a repeat gets back

The statements every write repeats are hand-written in rewards.services.sql (the ORM's
query building cost more than the database's work); the rules stay here and in the services.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.models import Member
from members.services import NUMBER_ALPHABET
from rewards import config, signals
from rewards.errors import RewardsError
from rewards.models import (
    LedgerAllocation,
    LedgerEntry,
    Operation,
    PointsProgram,
    Reward,
    StampEntry,
    Tier,
    Voucher,
    Wallet,
)
from rewards.services import sql, tiers

MAX_POINTS = 10_000_000  # per operation; anything larger is a typo or an attack


@dataclass
class WalletResult:
    """What a wallet write returns, the first time and on every replay of its key."""

    balance: int
    entries: list[LedgerEntry] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)
    stamp_entries: list[StampEntry] = field(default_factory=list)
    replayed: bool = False
    operation_id: int | None = None  # the Operation row of the key (the counter links to it)

    @property
    def entry(self) -> LedgerEntry | None:
        return self.entries[0] if self.entries else None

    @property
    def voucher(self) -> Voucher | None:
        return self.vouchers[0] if self.vouchers else None


class Replay(Exception):  # control flow: the key was seen before
    def __init__(self, result: WalletResult):
        self.result = result


def wallet_get_or_create(member: Member) -> Wallet:
    wallet, _created = Wallet.objects.get_or_create(member=member)
    return wallet


def lock(member: Member, *, tiers: list[Tier] | None = None) -> Wallet:
    """Lock and return the member's wallet row; call inside transaction.atomic().

    With `tiers` (the cached settings) the wallet's tier is taken from them, sparing a
    join; otherwise Django loads it if it is read.
    """
    wallet = sql.wallet_lock(member.pk)
    if wallet is None:  # the first write ever for this member
        wallet_get_or_create(member)
        wallet = sql.wallet_lock(member.pk)
    if tiers is not None and wallet.tier_id is not None:
        wallet.tier = next((t for t in tiers if t.pk == wallet.tier_id), None) or wallet.tier
    return wallet


def _fingerprint(kind: str, params: dict) -> str:
    payload = json.dumps([kind, params], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def start(
    member: Member, *, key: str, kind: str, params: dict, now: datetime, tiers: list[Tier] | None = None
) -> tuple[Wallet, Operation]:
    """Lock the member's wallet and start an operation under `key` on it; call inside
    transaction.atomic(). Raises Replay with the first result when the key was used before
    for the same thing, and RewardsError("duplicate_request") when it was used for another
    (other parameters, or another wallet).

    On PostgreSQL one statement does both (sql.wallet_lock_claiming). A second arrival of
    the key waits, in it, for the first one's transaction to end, and then sees its row.
    `tiers` as for lock().
    """
    op = _operation(key=key, kind=kind, params=params, now=now)
    claimed = sql.wallet_lock_claiming(member.pk, op)
    if claimed is None:  # the first write ever for this member
        wallet_get_or_create(member)
        claimed = sql.wallet_lock_claiming(member.pk, op)
    wallet, stored = claimed
    op.wallet = wallet
    if not stored:
        raise _replay_of(op)
    if tiers is not None and wallet.tier_id is not None:
        wallet.tier = next((t for t in tiers if t.pk == wallet.tier_id), None) or wallet.tier
    return wallet, op


def _operation(*, key: str, kind: str, params: dict, now: datetime) -> Operation:
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise RewardsError("duplicate_request")
    return Operation(key=key, kind=kind, fingerprint=_fingerprint(kind, params), created_at=now)


def _replay_of(op: Operation) -> Replay | RewardsError:
    """The error to raise for `op`, whose key is taken: a replay of the first arrival if it
    was the same request on the same wallet, else a refusal."""
    existing = Operation.objects.get(key=op.key)
    if existing.fingerprint != op.fingerprint or existing.wallet_id != op.wallet_id:
        return RewardsError("duplicate_request")
    return Replay(replay(existing))


def finish(
    op: Operation, result: WalletResult, *, wallet: Wallet | None = None, changed_from: int | None = None
) -> WalletResult:
    """Store what a second arrival of the key gets back. With `wallet`, also write its cached
    balance and tier (and tell listeners after commit if the balance moved from
    `changed_from`): both rows in one statement, the last of the write."""
    op.result = {
        "balance": result.balance,
        "entries": [e.pk for e in result.entries],
        "vouchers": [v.pk for v in result.vouchers],
        "stamp_entries": [s.pk for s in result.stamp_entries],
    }
    if wallet is None:
        sql.update(op, "result")
    else:
        sql.update_rows((wallet, WALLET_SAVED), (op, ("result",)))
        _tell_balance(wallet, changed_from=changed_from)
    result.operation_id = op.pk
    return result


def replay(op: Operation) -> WalletResult:
    data = op.result or {}

    def in_order(model, ids):
        rows = model.objects.in_bulk(ids or [])
        return [rows[i] for i in ids or [] if i in rows]

    return WalletResult(
        balance=data.get("balance", 0),
        entries=in_order(LedgerEntry, data.get("entries")),
        vouchers=in_order(Voucher, data.get("vouchers")),
        stamp_entries=in_order(StampEntry, data.get("stamp_entries")),
        replayed=True,
        operation_id=op.pk,
    )


def expires_at_for(program: PointsProgram, now: datetime) -> datetime | None:
    """Expiry of points earned `now` under today's program (later changes do not touch it)."""
    if not program.expiry_months:
        return None
    return now + relativedelta(months=program.expiry_months)


def post_credit(
    wallet: Wallet, op: Operation, *, points: int, kind: str, now: datetime, **fields
) -> LedgerEntry:
    """Add a lot of `points` (a new earning) and raise the cached balance."""
    entry = _lot(wallet, op, points=points, kind=kind, now=now, **fields)
    sql.insert(entry)
    wallet.balance += points
    return entry


def _lot(wallet: Wallet, op: Operation, *, points: int, kind: str, now: datetime, **fields) -> LedgerEntry:
    """An unsaved credit entry: a lot of `points`, all of them still unspent."""
    return LedgerEntry(
        wallet=wallet, operation=op, kind=kind, points=points, remaining=points, created_at=now, **fields
    )


def post_debit(
    wallet: Wallet,
    op: Operation,
    *,
    points: int,
    kind: str,
    now: datetime,
    first_lot: LedgerEntry | None = None,
    lots: list[tuple[int, int]] | None = None,
    **fields,
) -> LedgerEntry:
    """Take `points` from the wallet, consuming lots oldest first (`first_lot` before all).

    `lots` are the open lots as live_lots() returned them (read here when not given).
    Raises RewardsError("insufficient_points") when the balance is too small.
    """
    if wallet.balance < points:
        raise RewardsError("insufficient_points")
    if lots is None:
        lots = [(lot_id, left) for lot_id, left, lapsed in sql.open_lots(wallet.pk, now) if not lapsed]
    if first_lot is not None:
        lots = sorted(lots, key=lambda lot: lot[0] != first_lot.pk)
    takes, left = [], points
    for lot_id, remaining in lots:
        take = min(remaining, left)
        takes.append((lot_id, take))
        left -= take
        if not left:
            break
    if left:  # the cached balance said yes but the lots say no: the invariant is broken
        raise RewardsError("insufficient_points")
    entry = LedgerEntry(wallet=wallet, operation=op, kind=kind, points=-points, created_at=now, **fields)
    sql.debit_insert(entry, takes)
    wallet.balance -= points
    return entry


def restore(wallet: Wallet, original: LedgerEntry, reversal: LedgerEntry) -> None:
    """Give back to each lot what `original` consumed from it (reversal of a debit)."""
    for allocation in original.allocations.all():
        LedgerEntry.objects.filter(pk=allocation.lot_id).update(remaining=F("remaining") + allocation.points)
        LedgerAllocation.objects.create(entry=reversal, lot_id=allocation.lot_id, points=-allocation.points)
    wallet.balance += -original.points


def live_lots(wallet: Wallet, now: datetime) -> list[tuple[int, int]]:
    """Expire what has lapsed (expire_lapsed), then return the open lots as (id, remaining),
    oldest first, for post_debit. Call under the wallet lock before a debit.

    One query in the usual case, when no lot has lapsed: the lapse check rides along with
    the read of the lots that a debit needs anyway.
    """
    lots = sql.open_lots(wallet.pk, now)
    if any(lapsed for _lot_id, _left, lapsed in lots):
        expire_lapsed(wallet, now)  # exactly the lots flagged: the same condition, under the lock
    return [(lot_id, left) for lot_id, left, lapsed in lots if not lapsed]


def expire_lapsed(wallet: Wallet, now: datetime) -> list[LedgerEntry]:
    """Post an expiry entry for the unspent rest of every lot whose time has come.

    Called under the wallet lock before every debit (so that lapsed points are never spent;
    credits need not wait for it; see live_lots), and by the daily job. Spent points have
    remaining 0, so they can never be expired; a second run finds nothing to do.
    """
    posted = []
    for lot in wallet.entries.filter(remaining__gt=0, expires_at__lte=now).order_by("expires_at", "id"):
        # A lot lapses again only if a reversal gave points back to it after it lapsed.
        times = LedgerAllocation.objects.filter(lot=lot, entry__kind=LedgerEntry.Kind.EXPIRE).count()
        op = Operation.objects.create(
            key=f"expire:{lot.pk}:{times}", kind="expire", fingerprint="", wallet=wallet, created_at=now
        )
        entry = LedgerEntry.objects.create(
            wallet=wallet, operation=op, kind=LedgerEntry.Kind.EXPIRE, points=-lot.remaining, created_at=now
        )
        LedgerEntry.objects.filter(pk=lot.pk).update(remaining=0)
        LedgerAllocation.objects.create(entry=entry, lot=lot, points=lot.remaining)
        wallet.balance -= lot.remaining
        posted.append(entry)
    return posted


def qualify(wallet: Wallet, entry: LedgerEntry, *, now: datetime) -> tuple[int, int]:
    """Add a qualifying entry (a purchase or its reversal) to its month's tier sums; return
    the tier window's sums (points, spend in øre) as of `now`, for tier_raise."""
    # One upsert: the wallet is locked, so nobody else is changing this wallet's rows.
    return sql.qualifying_month_add(
        wallet.pk, _month_of(entry), entry.points, entry.amount_ore or 0, window=tiers.window(now)
    )


def post_qualifying_credit(
    wallet: Wallet, op: Operation, *, points: int, kind: str, now: datetime, **fields
) -> tuple[LedgerEntry, tuple[int, int]]:
    """post_credit() and qualify() of a purchase's points, in one round trip where the
    database allows: the new entry, and the tier window's sums afterwards."""
    entry = _lot(wallet, op, points=points, kind=kind, now=now, qualifying=True, **fields)
    window_sums = sql.insert_qualifying(entry, _month_of(entry), window=tiers.window(now))
    wallet.balance += points
    return entry, window_sums


def _month_of(entry: LedgerEntry) -> date:
    """The month whose tier sums the entry counts in, in the club's time zone."""
    return timezone.localtime(entry.created_at).date().replace(day=1)


WALLET_SAVED = ("balance", "tier", "tier_review_at", "updated_at")  # what a write may change


def save_balance(wallet: Wallet, *, changed_from: int) -> None:
    """Write the cached balance and tell listeners after commit (if it moved)."""
    sql.update(wallet, *WALLET_SAVED)
    _tell_balance(wallet, changed_from=changed_from)


def _tell_balance(wallet: Wallet, *, changed_from: int | None) -> None:
    if changed_from is not None and wallet.balance != changed_from:
        member_id, balance = wallet.member_id, wallet.balance
        transaction.on_commit(
            lambda: signals.points_changed.send(sender=Wallet, member_id=member_id, balance=balance)
        )


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def check_points(points) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise RewardsError("invalid_points")
    return points


VOUCHER_CODE_LENGTH = 10  # 31**10 ≈ 8e14 codes: not guessable at any rate a till allows


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(VOUCHER_CODE_LENGTH))
        if not Voucher.objects.filter(code=code).exists():
            return code


def voucher_issue_locked(
    wallet: Wallet,
    *,
    reward: Reward,
    source: str,
    now: datetime,
    redeem_entry: LedgerEntry | None = None,
    stamp_entry: StampEntry | None = None,
) -> Voucher:
    return Voucher.objects.create(
        wallet=wallet,
        reward=reward,
        code=_new_code(),
        source=source,
        redeem_entry=redeem_entry,
        stamp_entry=stamp_entry,
        issued_at=now,
        expires_at=now + timedelta(days=reward.voucher_valid_days),
    )


def stock_take(reward: Reward) -> bool:
    """Take one of a limited reward; False when none is left. (The row's CHECK keeps stock >= 0.)"""
    taken = Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1)
    transaction.on_commit(config.forget)  # the cached catalogue shows stock (rewards.config)
    return bool(taken)


def stock_return(reward: Reward) -> None:
    Reward.objects.filter(pk=reward.pk, stock__isnull=False).update(stock=F("stock") + 1)
    transaction.on_commit(config.forget)

"""The machinery every wallet write shares: locking, idempotency, lots and entries.

Every write goes through wallet_write(), inside the service's transaction:

    with core.wallet_write(member, key=key, kind="purchase", params=params, now=now) as write:
        if write.replayed:
            return write.result          # the key was seen: the first result, nothing done
        entry = core.post_credit(write, points=..., kind=..., now=now)
        write.result.entries.append(entry)
    return write.result                  # balance, tier and the stored result are saved

Plain ORM throughout: the wallet row is locked with select_for_update() before anything
is read or written for it, so every rule below may read, decide and write without racing
another write to the same wallet (lock order: the wallet first, then the rows it owns).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Sum
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
    QualifyingMonth,
    Reward,
    StampEntry,
    Voucher,
    Wallet,
)
from rewards.services.lots import expire_lapsed, live_lots

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
    amount_ore: int | None = None  # of a purchase: what a refund of it may give back

    @property
    def entry(self) -> LedgerEntry | None:
        return self.entries[0] if self.entries else None

    @property
    def voucher(self) -> Voucher | None:
        return self.vouchers[0] if self.vouchers else None


@dataclass
class Write:
    """One wallet write under way: the locked wallet, the operation of its key, and the
    result being built: every entry, stamp entry and voucher posted through it is added to
    `result`. `replayed`: the key was used before, and `result` is the first one."""

    wallet: Wallet | None
    op: Operation | None
    result: WalletResult
    replayed: bool = False


def wallet_get_or_create(member: Member) -> Wallet:
    """The member's wallet; a new one starts in the base tier (the tier from 0), if any."""
    base_tier = config.config().base_tier
    wallet, _created = Wallet.objects.get_or_create(member=member, defaults={"tier": base_tier})
    return wallet


def lock(member: Member) -> Wallet:
    """Lock and return the member's wallet row (with its tier); call inside a transaction.

    Every write to a wallet's balance, lots, stamp cards and vouchers holds this lock, so
    they happen one after another for a member (and side by side for different members).
    """
    wallet = locked_wallets().filter(member=member).first()
    if wallet is None:  # the first write ever for this member
        wallet_get_or_create(member)
        wallet = locked_wallets().get(member=member)
    return wallet


def locked_wallets(*, skip_locked: bool = False):
    """Wallets read with their tier and locked FOR UPDATE until the transaction ends
    (skip_locked: leave out those another transaction holds now, instead of waiting)."""
    return Wallet.objects.select_for_update(of=("self",), skip_locked=skip_locked).select_related("tier")


@contextmanager
def wallet_write(member: Member, *, key: str, kind: str, params: dict, now: datetime) -> Iterator[Write]:
    """Lock the member's wallet and claim the idempotency `key` for this write.

    Yields a Write. When the key was used before for the same request on the same wallet,
    the Write is `replayed` with the first result and the block must change nothing; for
    another request the key is refused (RewardsError "duplicate_request"). When the block
    ends without an error, the wallet's balance and tier are saved (if they moved), the
    result is stored for a repeat of the key, and listeners hear of a new balance after
    commit. Call inside a transaction (the services are @transaction.atomic).
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("a wallet write needs a transaction")
    op = _operation(key=key, kind=kind, params=params, now=now)
    wallet = lock(member)
    # After the lock: a concurrent arrival of the key on this wallet has committed by now.
    first = Operation.objects.filter(key=op.key).first()
    if first is not None:
        if first.fingerprint != op.fingerprint or first.wallet_id != wallet.pk:
            raise RewardsError("duplicate_request")
        yield Write(wallet=None, op=None, result=replay(first), replayed=True)
        return
    op.wallet = wallet
    try:
        op.save(force_insert=True)
    except IntegrityError:  # the same key, claimed for another wallet at this very moment
        raise RewardsError("duplicate_request") from None
    was = (wallet.balance, wallet.tier_id, wallet.tier_review_at)
    write = Write(wallet=wallet, op=op, result=WalletResult(balance=wallet.balance))
    yield write
    write.result.balance = wallet.balance
    if (wallet.balance, wallet.tier_id, wallet.tier_review_at) != was:
        save_balance(wallet, changed_from=was[0])
    _store_result(op, write.result, tier_before=was[1:])


def _fingerprint(kind: str, params: dict) -> str:
    payload = json.dumps([kind, params], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _operation(*, key: str, kind: str, params: dict, now: datetime) -> Operation:
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise RewardsError("duplicate_request")
    return Operation(key=key, kind=kind, fingerprint=_fingerprint(kind, params), created_at=now)


def _store_result(op: Operation, result: WalletResult, *, tier_before: tuple) -> None:
    """What a second arrival of the key gets back, and the tier the wallet had before the
    write (a reversal of it later puts back a tier that only this write's progress reached)."""
    tier_id, review_at = tier_before
    op.result = {
        "balance": result.balance,
        "entries": [e.pk for e in result.entries],
        "vouchers": [v.pk for v in result.vouchers],
        "stamp_entries": [s.pk for s in result.stamp_entries],
        "tier_before": [tier_id, review_at.isoformat() if review_at else None],
    }
    if result.amount_ore is not None:
        op.result["amount_ore"] = result.amount_ore
    # update() rather than save(): one column of a row just written, on every wallet write;
    # save()'s machinery cost more than the statement here.
    Operation.objects.filter(pk=op.pk).update(result=op.result)
    result.operation_id = op.pk


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
        amount_ore=data.get("amount_ore"),
    )


def expires_at_for(program: PointsProgram, now: datetime) -> datetime | None:
    """Expiry of points earned `now` under today's program (later changes do not touch it)."""
    if not program.expiry_months:
        return None
    return now + relativedelta(months=program.expiry_months)


def post_credit(write: Write, *, points: int, kind: str, now: datetime, **fields) -> LedgerEntry:
    """Add a lot of `points` (a new earning, all of it unspent) and raise the balance.
    A qualifying entry (a purchase) also counts in its month's tier sums."""
    wallet = write.wallet
    entry = LedgerEntry.objects.create(
        wallet=wallet,
        operation=write.op,
        kind=kind,
        points=points,
        remaining=points,
        created_at=now,
        **fields,
    )
    wallet.balance += points
    if entry.qualifying:
        qualify(wallet, entry)
    write.result.entries.append(entry)
    return entry


def post_debit(
    write: Write,
    *,
    points: int,
    kind: str,
    now: datetime,
    first_lot: LedgerEntry | None = None,
    **fields,
) -> LedgerEntry:
    """Take `points` from the wallet, consuming lots oldest first (`first_lot` before all).

    Lapsed lots are expired first: dead points are never spent. Raises
    RewardsError("insufficient_points") when the balance is too small.
    """
    wallet = write.wallet
    lots = live_lots(wallet, now)
    if wallet.balance < points:
        raise RewardsError("insufficient_points")
    if first_lot is not None:
        lots.sort(key=lambda lot: lot[0] != first_lot.pk)
    takes, emptied, left = [], [], points
    for lot_id, remaining in lots:
        take = min(remaining, left)
        takes.append((lot_id, take))
        if take == remaining:
            emptied.append(lot_id)
        left -= take
        if not left:
            break
    if left:  # the cached balance said yes but the lots say no: the invariant is broken
        raise RewardsError("insufficient_points")
    entry = LedgerEntry.objects.create(
        wallet=wallet, operation=write.op, kind=kind, points=-points, created_at=now, **fields
    )
    # Every lot taken is emptied but perhaps the last: two UPDATEs, however many lots.
    LedgerEntry.objects.filter(pk__in=emptied).update(remaining=0)
    if takes[-1][0] not in emptied:
        lot_id, take = takes[-1]
        LedgerEntry.objects.filter(pk=lot_id).update(remaining=F("remaining") - take)
    LedgerAllocation.objects.bulk_create(
        LedgerAllocation(entry=entry, lot_id=lot_id, points=take) for lot_id, take in takes
    )
    wallet.balance -= points
    if entry.qualifying:
        qualify(wallet, entry)
    write.result.entries.append(entry)
    return entry


def post_restore(write: Write, original: LedgerEntry, *, now: datetime, **fields) -> LedgerEntry:
    """Reverse a debit: give back to each lot what `original` took from it. What has lapsed
    is expired first, as before every change of the lots (a lot given back points after it
    lapsed lapses again at the next one)."""
    wallet = write.wallet
    expire_lapsed([wallet], now)
    reversal = LedgerEntry.objects.create(
        wallet=wallet,
        operation=write.op,
        kind=LedgerEntry.Kind.REVERSAL,
        points=-original.points,
        created_at=now,
        **fields,
    )
    given_back = []
    for allocation in original.allocations.all():
        LedgerEntry.objects.filter(pk=allocation.lot_id).update(remaining=F("remaining") + allocation.points)
        given_back.append(
            LedgerAllocation(entry=reversal, lot_id=allocation.lot_id, points=-allocation.points)
        )
    LedgerAllocation.objects.bulk_create(given_back)
    wallet.balance += reversal.points
    if reversal.qualifying:
        qualify(wallet, reversal)
    write.result.entries.append(reversal)
    return reversal


def qualify(wallet: Wallet, entry: LedgerEntry) -> None:
    """Add a qualifying entry (a purchase or its reversal) to its month's tier sums. Under
    the wallet lock nobody else changes this wallet's months: update, or create the row."""
    month = month_of(entry.created_at)
    spend = entry.amount_ore or 0
    added = QualifyingMonth.objects.filter(wallet=wallet, month=month).update(
        points=F("points") + entry.points, spend_ore=F("spend_ore") + spend
    )
    if not added:
        QualifyingMonth.objects.create(wallet=wallet, month=month, points=entry.points, spend_ore=spend)


def month_of(moment: datetime) -> date:
    """The month whose tier sums an entry made at `moment` counts in, in the club's time zone."""
    return timezone.localtime(moment).date().replace(day=1)


def qualifying_sums(wallet: Wallet, first: date, last: date) -> tuple[int, int]:
    """The wallet's qualifying (points, spend in øre) over the months first..last."""
    sums = QualifyingMonth.objects.filter(wallet=wallet, month__gte=first, month__lte=last).aggregate(
        points=Sum("points", default=0), spend=Sum("spend_ore", default=0)
    )
    return sums["points"], sums["spend"]


def save_balance(wallet: Wallet, *, changed_from: int) -> None:
    """Write the cached balance and tier; tell listeners after commit if the balance moved."""
    wallet.updated_at = timezone.now()  # update() does not set auto_now fields (as for the result)
    Wallet.objects.filter(pk=wallet.pk).update(
        balance=wallet.balance,
        tier=wallet.tier,
        tier_review_at=wallet.tier_review_at,
        updated_at=wallet.updated_at,
    )
    if wallet.balance != changed_from:
        _tell_balance(wallet)


def balances_lower(entries: Sequence[LedgerEntry]) -> None:
    """Take a batch's new entries (the expiry job's) off their wallets' cached balances, in
    one statement, and tell listeners after commit. (bulk_update() writes the same with a
    CASE per wallet, which Django builds so slowly that it was most of the job's time.)"""
    ids = [entry.pk for entry in entries]
    batch_sum = (
        LedgerEntry.objects.filter(wallet=OuterRef("pk"), pk__in=ids)
        .order_by()
        .values("wallet")
        .annotate(total=Sum("points"))
        .values("total")
    )
    wallets = {entry.wallet_id: entry.wallet for entry in entries}
    Wallet.objects.filter(pk__in=list(wallets)).update(
        balance=F("balance") + Subquery(batch_sum), updated_at=timezone.now()
    )
    for wallet in wallets.values():
        _tell_balance(wallet)


def _tell_balance(wallet: Wallet) -> None:
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


def voucher_issue(
    write: Write,
    *,
    reward: Reward,
    source: str,
    now: datetime,
    redeem_entry: LedgerEntry | None = None,
    stamp_entry: StampEntry | None = None,
) -> Voucher:
    voucher = Voucher.objects.create(
        wallet=write.wallet,
        reward=reward,
        code=_new_code(),
        source=source,
        redeem_entry=redeem_entry,
        stamp_entry=stamp_entry,
        issued_location_id=getattr(redeem_entry or stamp_entry, "location_id", None),
        issued_at=now,
        expires_at=now + timedelta(days=reward.voucher_valid_days),
    )
    write.result.vouchers.append(voucher)
    member_id = write.wallet.member_id
    transaction.on_commit(
        lambda: signals.voucher_issued.send(sender=Voucher, member_id=member_id, voucher_id=voucher.pk)
    )
    return voucher


def voucher_status_move(voucher: Voucher, *, old: str, **changes) -> bool:
    """Move a voucher from status `old` by compare-and-set; False when it was not in `old`
    (used or cancelled meanwhile). The voucher object is updated to match."""
    moved = Voucher.objects.filter(pk=voucher.pk, status=old).update(**changes)
    if moved:
        for name, value in changes.items():
            setattr(voucher, name, value)
    return bool(moved)


def stock_take(reward: Reward) -> bool:
    """Take one of a limited reward; False when none is left. (The row's CHECK keeps stock >= 0.)"""
    taken = Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1)
    transaction.on_commit(config.forget)  # the cached catalogue shows stock (rewards.config)
    return bool(taken)


def stock_return(reward: Reward) -> None:
    Reward.objects.filter(pk=reward.pk, stock__isnull=False).update(stock=F("stock") + 1)
    transaction.on_commit(config.forget)

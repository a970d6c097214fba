"""A wallet's lots: which are open, and expiring those that have lapsed. Called under the
wallet's lock (rewards.services.core), by every debit and by the daily expiry job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count

from rewards.models import LedgerAllocation, LedgerEntry, Operation, Wallet


def live_lots(wallet: Wallet, now: datetime) -> list[tuple[int, int]]:
    """Expire what has lapsed, then return the open lots as (id, remaining), oldest first.
    Call under the wallet lock. One query when nothing has lapsed (the usual case)."""
    open_lots = wallet.entries.filter(remaining__gt=0).order_by("created_at", "id")
    lots = list(open_lots.values_list("id", "remaining", "expires_at"))
    if any(expires_at is not None and expires_at <= now for _id, _left, expires_at in lots):
        expire_lapsed([wallet], now)  # exactly those lots: the same condition, under the lock
        return [(lot_id, left) for lot_id, left, expires_at in lots if expires_at is None or expires_at > now]
    return [(lot_id, left) for lot_id, left, _expires_at in lots]


def expire_lapsed(wallets: Sequence[Wallet], now: datetime) -> list[LedgerEntry]:
    """Post an expiry entry for the unspent rest of every lot of `wallets` whose time has come.

    Called under the wallets' locks: for one wallet before every debit (so that lapsed points
    are never spent), and by the daily job for a batch of wallets at once, in the same few
    statements however many lots. Spent points have remaining 0, so they can never be
    expired; a second run finds nothing to do.
    """
    by_id = {wallet.pk: wallet for wallet in wallets}
    lots = list(
        LedgerEntry.objects.filter(wallet_id__in=list(by_id), remaining__gt=0, expires_at__lte=now)
        .order_by("wallet_id", "expires_at", "id")
        .only("pk", "wallet_id", "remaining")
    )
    if not lots:
        return []
    # A lot lapses again only if a reversal gave points back to it after it lapsed: its
    # key then says how many times it has lapsed before.
    times = dict(
        LedgerAllocation.objects.filter(lot__in=lots, entry__kind=LedgerEntry.Kind.EXPIRE)
        .values_list("lot_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ops = Operation.objects.bulk_create(
        Operation(
            key=f"expire:{lot.pk}:{times.get(lot.pk, 0)}",
            kind="expire",
            fingerprint="",
            wallet_id=lot.wallet_id,
            created_at=now,
        )
        for lot in lots
    )
    entries = LedgerEntry.objects.bulk_create(
        LedgerEntry(
            wallet=by_id[lot.wallet_id],
            operation=op,
            kind=LedgerEntry.Kind.EXPIRE,
            points=-lot.remaining,
            created_at=now,
        )
        for lot, op in zip(lots, ops, strict=True)
    )
    LedgerEntry.objects.filter(pk__in=[lot.pk for lot in lots]).update(remaining=0)
    LedgerAllocation.objects.bulk_create(
        LedgerAllocation(entry=entry, lot=lot, points=lot.remaining)
        for lot, entry in zip(lots, entries, strict=True)
    )
    for lot in lots:
        by_id[lot.wallet_id].balance -= lot.remaining
    return entries

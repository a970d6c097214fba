"""Stamp cards: "10 purchases = 1 free". A full card issues its voucher in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from members.models import Location, Member, User
from rewards.errors import RewardsError
from rewards.models import MemberStampCard, Operation, StampCard, StampEntry, Voucher, Wallet
from rewards.services import core


def add_stamps_locked(
    wallet: Wallet,
    op: Operation,
    *,
    card: StampCard,
    stamps: int,
    now: datetime,
    location: Location | None = None,
    staff: User | None = None,
) -> tuple[StampEntry, list[Voucher]]:
    """Add stamps with the wallet already locked. Every full card gives a voucher and starts
    a new one; surplus stamps carry over."""
    progress, _created = MemberStampCard.objects.get_or_create(wallet=wallet, card=card)
    if (
        card.valid_days
        and progress.started_at
        and progress.started_at + timedelta(days=card.valid_days) < now
    ):
        progress.stamps, progress.started_at = 0, None  # the card lapsed unfilled: start over
    total = progress.stamps + stamps
    completed, progress.stamps = divmod(total, card.stamps_needed)
    if progress.stamps == 0:
        progress.started_at = None
    elif progress.started_at is None or completed:
        progress.started_at = now
    progress.save(update_fields=["stamps", "started_at"])
    entry = StampEntry.objects.create(
        progress=progress,
        operation=op,
        stamps=stamps,
        completed=completed,
        location=location,
        staff=staff,
        created_at=now,
    )
    vouchers = [
        core.voucher_issue_locked(
            wallet, reward=card.reward, source=Voucher.Source.STAMP_CARD, now=now, stamp_entry=entry
        )
        for _ in range(completed)
    ]
    return entry, vouchers


@transaction.atomic
def stamps_add(
    *,
    member: Member,
    card: StampCard,
    stamps: int,
    idempotency_key: str,
    location: Location | None = None,
    staff: User | None = None,
    at: datetime | None = None,
) -> core.WalletResult:
    if isinstance(stamps, bool) or not isinstance(stamps, int) or stamps < 1:
        raise RewardsError("invalid_stamps")
    if not card.is_active:
        raise RewardsError("card_inactive")
    if stamps > card.max_stamps_per_visit:
        raise RewardsError("stamp_limit_per_visit")
    now = core.now_or(at)
    params = {"card": card.pk, "stamps": stamps, "location": getattr(location, "pk", None)}
    try:
        wallet, op = core.start(member, key=idempotency_key, kind="stamps", params=params, now=now)
    except core.Replay as replay:
        return replay.result
    entry, vouchers = add_stamps_locked(
        wallet, op, card=card, stamps=stamps, now=now, location=location, staff=staff
    )
    result = core.WalletResult(balance=wallet.balance, stamp_entries=[entry], vouchers=vouchers)
    return core.finish(op, result)


@transaction.atomic
def stamp_entry_reverse(
    *, entry: StampEntry, idempotency_key: str, staff: User | None = None, at: datetime | None = None
) -> core.WalletResult:
    """Undo a stamp entry: take its stamps back and cancel the vouchers it issued (refused if
    one was used, or if the card has moved on so far that the stamps are no longer there)."""
    now = core.now_or(at)
    progress = MemberStampCard.objects.select_related("card", "wallet__member").get(pk=entry.progress_id)
    try:
        wallet, op = core.start(
            progress.wallet.member,
            key=idempotency_key,
            kind="stamps_reverse",
            params={"entry": entry.pk},
            now=now,
        )
    except core.Replay as replay:
        return replay.result
    if entry.stamps < 0:
        raise RewardsError("cannot_reverse")
    if StampEntry.objects.filter(reverses=entry).exists():
        raise RewardsError("already_reversed")
    progress = MemberStampCard.objects.select_for_update().get(pk=progress.pk)
    stamps = progress.stamps - entry.stamps + entry.completed * progress.card.stamps_needed
    if stamps < 0:
        raise RewardsError("cannot_reverse")
    for voucher in Voucher.objects.filter(stamp_entry=entry):
        changed = Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.ACTIVE).update(
            status=Voucher.Status.CANCELLED, cancelled_at=now
        )
        if not changed:
            raise RewardsError("voucher_used")
    # As if the reversed entry had never been: stamps added since may fill the card again.
    completed, progress.stamps = divmod(stamps, progress.card.stamps_needed)
    if progress.stamps == 0:
        progress.started_at = None
    progress.save(update_fields=["stamps", "started_at"])
    reversal = StampEntry.objects.create(
        progress=progress,
        operation=op,
        stamps=-entry.stamps,
        completed=completed,
        location=entry.location,
        staff=staff,
        reverses=entry,
        created_at=now,
    )
    vouchers = [
        core.voucher_issue_locked(
            wallet,
            reward=progress.card.reward,
            source=Voucher.Source.STAMP_CARD,
            now=now,
            stamp_entry=reversal,
        )
        for _ in range(completed)
    ]
    return core.finish(
        op, core.WalletResult(balance=wallet.balance, stamp_entries=[reversal], vouchers=vouchers)
    )

"""Stamp cards: "10 purchases = 1 free". A full card issues its voucher in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from members.models import Location, Member, User
from rewards import config, signals
from rewards.errors import RewardsError
from rewards.models import MemberStampCard, StampCard, StampEntry, Voucher
from rewards.services import core


def add_stamps_locked(
    write: core.Write,
    *,
    card: StampCard,
    stamps: int,
    now: datetime,
    location: Location | None = None,
    staff: User | None = None,
) -> StampEntry:
    """Add stamps within a wallet write (the wallet locked: nobody else moves this card).
    Every full card gives a voucher and starts a new one; surplus stamps carry over."""
    progress, _created = MemberStampCard.objects.get_or_create(wallet=write.wallet, card=card)
    progress.card = card  # with its reward, as the caller read it
    if (
        card.valid_days
        and progress.started_at
        and progress.started_at + timedelta(days=card.valid_days) < now
    ):
        progress.stamps, progress.started_at, progress.needed = 0, None, None  # lapsed unfilled: start over
    completed, progress.stamps = _fill(progress, progress.stamps + stamps)
    if progress.stamps == 0:
        progress.started_at = None
    elif progress.started_at is None or completed:
        progress.started_at = now
    progress.save(update_fields=["stamps", "started_at", "needed"])
    return _post(write, progress, stamps=stamps, completed=completed, now=now, location=location, staff=staff)


def _fill(progress: MemberStampCard, total: int) -> tuple[int, int]:
    """(cards completed, stamps on the new card) for `total` stamps on the card: the card
    being filled on its own size (the old one, if the card's size changed since it began),
    the next ones on the card's size now."""
    if total < progress.size:
        return 0, total
    rest = total - progress.size
    progress.needed = None
    more, left = divmod(rest, progress.card.stamps_needed)
    return 1 + more, left


def stamp_card_resize(*, card: StampCard, stamps_needed: int) -> int:
    """Change the card's size: cards being filled finish on the size they began with (never
    a stamp taken away, never a card made longer under a member). Returns how many."""
    with transaction.atomic():
        kept = MemberStampCard.objects.filter(card=card, stamps__gt=0, needed=None).update(
            needed=card.stamps_needed
        )
        StampCard.objects.filter(pk=card.pk).update(stamps_needed=stamps_needed)
        transaction.on_commit(config.forget)  # an update() sends no signal to drop the cached cards
    card.stamps_needed = stamps_needed
    return kept


def _post(write: core.Write, progress: MemberStampCard, *, stamps: int, completed: int, now, **fields):
    """The stamp entry of a change of the card, and a voucher for each card it completed."""
    entry = StampEntry.objects.create(
        progress=progress, operation=write.op, stamps=stamps, completed=completed, created_at=now, **fields
    )
    write.result.stamp_entries.append(entry)
    for _ in range(completed):
        core.voucher_issue(
            write, reward=progress.card.reward, source=Voucher.Source.STAMP_CARD, now=now, stamp_entry=entry
        )
    return entry


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
    with core.wallet_write(member, key=idempotency_key, kind="stamps", params=params, now=now) as write:
        if write.replayed:
            return write.result
        add_stamps_locked(write, card=card, stamps=stamps, now=now, location=location, staff=staff)
    _tell(member)
    return write.result


def _tell(member: Member) -> None:
    member_id = member.pk
    transaction.on_commit(lambda: signals.stamps_changed.send(sender=StampEntry, member_id=member_id))


@transaction.atomic
def stamp_entry_reverse(
    *, entry: StampEntry, idempotency_key: str, staff: User | None = None, at: datetime | None = None
) -> core.WalletResult:
    """Undo a stamp entry: take its stamps back and cancel the vouchers it issued (refused if
    one was used, or if the card has moved on so far that the stamps are no longer there)."""
    now = core.now_or(at)
    member = Member.objects.get(wallet__stamp_cards__pk=entry.progress_id)
    params = {"entry": entry.pk}
    with core.wallet_write(
        member, key=idempotency_key, kind="stamps_reverse", params=params, now=now
    ) as write:
        if write.replayed:
            return write.result
        if entry.stamps < 0:
            raise RewardsError("cannot_reverse")
        if StampEntry.objects.filter(reverses=entry).exists():
            raise RewardsError("already_reversed")
        # Read under the wallet lock, which every change of the card holds: no row lock of its own.
        progress = MemberStampCard.objects.select_related("card__reward").get(pk=entry.progress_id)
        stamps = progress.stamps - entry.stamps + entry.completed * progress.card.stamps_needed
        if stamps < 0:
            raise RewardsError("cannot_reverse")
        for voucher in Voucher.objects.filter(stamp_entry=entry):
            if not core.voucher_status_move(
                voucher, old=Voucher.Status.ACTIVE, status=Voucher.Status.CANCELLED, cancelled_at=now
            ):
                raise RewardsError("voucher_used")
        # As if the reversed entry had never been: stamps added since may fill the card again.
        completed, progress.stamps = divmod(stamps, progress.card.stamps_needed)
        if progress.stamps == 0:
            progress.started_at = None
        progress.save(update_fields=["stamps", "started_at"])
        _post(
            write,
            progress,
            stamps=-entry.stamps,
            completed=completed,
            now=now,
            location=entry.location,
            staff=staff,
            reverses=entry,
        )
    _tell(member)
    return write.result

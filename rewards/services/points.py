"""Points: purchases, bonuses, adjustments, reversals and expiry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from clubsite.batches import in_batches
from members.models import Location, Member, User
from members.services import home_shop_settle, profile_is_complete
from rewards import signals
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import LedgerEntry, Membership, PointsProgram, Refund, StampCard, Voucher, Wallet
from rewards.services import core, lots, perks
from rewards.services.stamps import add_stamps_locked
from rewards.services.tiers import tier_after_reversal, tier_raise

MAX_AMOUNT_ORE = 100_000_000  # one million kroner: more is a typo at a bakery's till


def points_for_purchase(
    amount_ore: int, *, program: PointsProgram, wallet: Wallet, membership: Membership | None = None
) -> tuple[int, int]:
    """(points for the purchase, of which the paid membership added): the tier's multiplier,
    and the membership's on top (with the tier it lifts the member to, if higher)."""
    own, with_membership = perks.multiplier(wallet.tier, membership)
    kroner = Decimal(amount_ore) / 100 * program.points_per_krone
    total = int((kroner * with_membership).to_integral_value(rounding=ROUND_DOWN))
    base = int((kroner * own).to_integral_value(rounding=ROUND_DOWN))
    return total, total - base


@transaction.atomic
def purchase_register(
    *,
    member: Member,
    amount_ore: int,
    idempotency_key: str,
    location: Location | None = None,
    staff: User | None = None,
    at: datetime | None = None,
    lines: Sequence[tuple[str, int]] = (),
) -> core.WalletResult:
    """Register a purchase: points (tier multiplier applied) and a stamp on every card that
    counts purchases, as the program says; with the receipt's `lines` (category, quantity),
    a stamp per item on a card of that category, up to its most per visit. Sends
    purchase_recorded after commit."""
    if (
        isinstance(amount_ore, bool)
        or not isinstance(amount_ore, int)
        or not 0 < amount_ore <= MAX_AMOUNT_ORE
    ):
        raise RewardsError("invalid_amount")
    now = core.now_or(at)
    settings = config()
    program = settings.program
    if amount_ore > program.purchase_max_kr * 100:
        raise RewardsError("amount_above_limit")
    params = {"amount_ore": amount_ore, "location": getattr(location, "pk", None)}
    items = items_by_category(lines)
    if items:  # only then: the till's purchases keep the parameters they were keyed with
        params["lines"] = sorted(items.items())
    # Before the wallet's lock: the member row is locked before the wallet everywhere else
    # (erasure, a campaign's batch), and one order means no deadlock.
    home_shop_settle(member, location)
    with core.wallet_write(member, key=idempotency_key, kind="purchase", params=params, now=now) as write:
        if write.replayed:
            return write.result
        wallet = write.wallet
        write.result.amount_ore = amount_ore
        membership = perks.membership_current(member, now)
        points, from_membership = (
            points_for_purchase(amount_ore, program=program, wallet=wallet, membership=membership)
            if program.earns_points
            else (0, 0)
        )
        if points > 0:
            core.post_credit(
                write,
                points=points,
                kind=LedgerEntry.Kind.EARN,
                now=now,
                expires_at=core.expires_at_for(program, now),
                location=location,
                staff=staff,
                amount_ore=amount_ore,
                qualifying=True,
                membership_points=from_membership,
            )
            tier_raise(wallet, now=now, program=program, tiers=settings.tiers)
        if program.earns_stamps:
            for card, stamps in purchase_stamps(settings.cards, items):
                add_stamps_locked(write, card=card, stamps=stamps, now=now, location=location, staff=staff)
    entry_id, operation_id = write.result.entry.pk if write.result.entry else None, write.op.pk
    transaction.on_commit(
        lambda: signals.purchase_recorded.send(
            sender=LedgerEntry,
            member_id=member.pk,
            entry_id=entry_id,
            operation_id=operation_id,
            amount_ore=amount_ore,
            location_id=getattr(location, "pk", None),
        )
    )
    return write.result


def items_by_category(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    """How many items of each category a receipt holds (categories compared case-blind)."""
    items: dict[str, int] = {}
    for category, quantity in lines:
        key = category.strip().casefold()
        if key and quantity > 0:
            items[key] = items.get(key, 0) + quantity
    return items


def purchase_stamps(cards: list[StampCard], items: dict[str, int]) -> list[tuple[StampCard, int]]:
    """Which cards a purchase stamps and how often: one stamp on a card that counts every
    purchase, one per item on a card of a category the receipt holds (at most per visit)."""
    stamps = []
    for card in cards:
        count = 1 if card.counts_purchases else 0
        if card.category:
            count = max(count, min(items.get(card.category.strip().casefold(), 0), card.max_stamps_per_visit))
        if count:
            stamps.append((card, count))
    return stamps


def _manual_reason(points, reason: str) -> str:
    """Points given or taken by hand need a valid amount and a reason, kept with the entry."""
    core.check_points(points)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise RewardsError("reason_required")
    return reason


@transaction.atomic
def points_award(
    *,
    member: Member,
    points: int,
    reason: str,
    idempotency_key: str,
    kind: str = LedgerEntry.Kind.BONUS,
    staff: User | None = None,
    location: Location | None = None,
    at: datetime | None = None,
    action: str = "",
) -> core.WalletResult:
    """Give points outside a purchase: welcome, profile and birthday bonuses, owner grants,
    and the actions of rewards.services.actions (`action` names which)."""
    reason = _manual_reason(points, reason)
    now = core.now_or(at)
    params = {"points": points, "kind": kind, "reason": reason}
    with core.wallet_write(member, key=idempotency_key, kind="award", params=params, now=now) as write:
        if write.replayed:
            return write.result
        core.post_credit(
            write,
            points=points,
            kind=kind,
            now=now,
            expires_at=core.expires_at_for(config().program, now),
            reason=reason,
            staff=staff,
            location=location,
            action=action,
        )
    return write.result


@transaction.atomic
def points_deduct(
    *,
    member: Member,
    points: int,
    reason: str,
    idempotency_key: str,
    staff: User | None = None,
    location: Location | None = None,
    at: datetime | None = None,
) -> core.WalletResult:
    """Take points away with a reason (customer service correcting a mistake)."""
    reason = _manual_reason(points, reason)
    now = core.now_or(at)
    params = {"points": points, "reason": reason}
    with core.wallet_write(member, key=idempotency_key, kind="deduct", params=params, now=now) as write:
        if write.replayed:
            return write.result
        core.post_debit(
            write,
            points=points,
            kind=LedgerEntry.Kind.ADJUST,
            now=now,
            reason=reason,
            staff=staff,
            location=location,
        )
    return write.result


@transaction.atomic
def entry_reverse(
    *,
    entry: LedgerEntry,
    reason: str,
    idempotency_key: str,
    staff: User | None = None,
    at: datetime | None = None,
) -> core.WalletResult:
    """Correct a mistake with a reversal entry linked to the original (nothing is edited).

    A credit (purchase, bonus) is taken back from its own lot first, then oldest first; a
    debit (redemption, adjustment) gives each lot back what it took. Reversing a
    redemption cancels its voucher (refused if the voucher was used) and returns the stock.
    Expiries and reversals cannot be reversed.
    """
    now = core.now_or(at)
    member = Member.objects.get(wallet__pk=entry.wallet_id)
    params = {"entry": entry.pk}
    with core.wallet_write(member, key=idempotency_key, kind="reverse", params=params, now=now) as write:
        if write.replayed:
            return write.result
        entry = LedgerEntry.objects.get(pk=entry.pk)
        if entry.kind in (LedgerEntry.Kind.EXPIRE, LedgerEntry.Kind.REVERSAL, LedgerEntry.Kind.REFUND):
            raise RewardsError("cannot_reverse")
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise RewardsError("already_reversed")
        if Refund.objects.filter(purchase_id=entry.operation_id).exists():
            raise RewardsError("already_refunded")  # the rest is refunded, not undone
        fields = {
            "reverses": entry,
            "reason": (reason or "").strip()[:200],
            "staff": staff,
            "location": entry.location,
            "qualifying": entry.qualifying,
            "amount_ore": -entry.amount_ore if entry.amount_ore else None,
        }
        if entry.points > 0:
            core.post_debit(
                write, points=entry.points, kind=LedgerEntry.Kind.REVERSAL, now=now, first_lot=entry, **fields
            )
            if entry.qualifying:
                rules = config()
                tier_after_reversal(write.wallet, entry, now=now, program=rules.program, tiers=rules.tiers)
        else:
            _cancel_voucher_of(entry, now=now)
            core.post_restore(write, entry, now=now, **fields)
    if entry.kind == LedgerEntry.Kind.EARN:
        member_id, reversal_id = member.pk, write.result.entry.pk
        transaction.on_commit(
            lambda: signals.purchase_reversed.send(
                sender=LedgerEntry,
                member_id=member_id,
                entry_id=reversal_id,
                reverses_id=entry.pk,
                remaining_ore=0,
            )
        )
    return write.result


def _cancel_voucher_of(entry: LedgerEntry, *, now: datetime) -> None:
    voucher = Voucher.objects.filter(redeem_entry=entry).select_related("reward").first()
    if voucher is None:
        return
    if not core.voucher_status_move(
        voucher, old=Voucher.Status.ACTIVE, status=Voucher.Status.CANCELLED, cancelled_at=now
    ):
        raise RewardsError("voucher_used" if voucher.status == Voucher.Status.USED else "already_reversed")
    core.stock_return(voucher.reward)


def points_expire_due(*, now: datetime | None = None) -> int:
    """The daily expiry job: post expiry entries for every lapsed lot. Returns how many.

    A batch of wallets per transaction, a few statements per batch (core.expire_lapsed). The
    batch locks the wallets no till holds at that moment (SKIP LOCKED): the job never waits
    for a till, nor can it deadlock with one, and a till that wants a wallet of the batch
    waits for one batch's statements at most. The wallets a till held come after, one at a
    time, waiting for their lock as a till would. Running it twice (or twice at once)
    changes nothing the second time.
    """
    now = now or timezone.now()
    lapsing = (
        LedgerEntry.objects.filter(remaining__gt=0, expires_at__lte=now)
        .values_list("wallet_id", flat=True)
        .distinct()
    )
    posted, busy = 0, []
    for batch in in_batches(lapsing, key="wallet_id"):  # bounded memory at any size
        with transaction.atomic():
            wallets = list(core.locked_wallets(skip_locked=True).filter(pk__in=batch).order_by("pk"))
            posted += _expire(wallets, now)
        busy += sorted(set(batch) - {wallet.pk for wallet in wallets})
    for wallet_id in busy:
        with transaction.atomic():
            posted += _expire(list(core.locked_wallets().filter(pk=wallet_id)), now)
    return posted


def _expire(wallets: list[Wallet], now: datetime) -> int:
    """Expire the lapsed lots of these locked wallets and lower their balances."""
    posted = lots.expire_lapsed(wallets, now)
    if posted:
        core.balances_lower(posted)
    return len(posted)


def bonus_profile_award(*, member: Member) -> core.WalletResult | None:
    """Once per member, when the profile is complete (a second call replays the first)."""
    program = PointsProgram.load()
    if not program.profile_bonus or not profile_is_complete(member):
        return None
    return points_award(
        member=member,
        points=program.profile_bonus,
        reason="profile",
        idempotency_key=f"bonus:profile:{member.pk}",
    )


def bonus_birthdays_due(*, today: date | None = None) -> int:
    """The daily birthday job: a bonus in the birthday month, once a year, and not for a
    birthday entered in the last 30 days. Returns how many were newly paid."""
    today = today or timezone.localdate()
    program = PointsProgram.load()
    if not program.birthday_bonus:
        return 0
    # Counted back from the job's day, not the wall clock: a run for another day (a catch-up)
    # applies the same rule, whatever the hour it runs at.
    entered_before = timezone.make_aware(datetime.combine(today, datetime.min.time())) - timedelta(days=30)
    members = Member.objects.filter(birthday__month=today.month, erased_at=None).exclude(
        birthday_set_at__gt=entered_before
    )
    paid = 0
    for member in members.iterator():
        result = points_award(
            member=member,
            points=program.birthday_bonus,
            reason="birthday",
            idempotency_key=f"bonus:birthday:{member.pk}:{today.year}",
        )
        paid += not result.replayed
    return paid

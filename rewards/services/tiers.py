"""Tiers: up at once on a qualifying earning, down at most one level at the yearly review.

The qualifying window is the last twelve calendar months: this month and the eleven before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from rewards import signals
from rewards.models import LedgerEntry, PointsProgram, QualifyingMonth, Tier, Wallet
from rewards.services.core import qualifying_sums

REVIEW_AFTER = timedelta(days=365)  # a tier, once reached, is kept for a year


def window(now: datetime) -> tuple[date, date]:
    """The tier window's first and last month: this month and the eleven before it."""
    this_month = timezone.localtime(now).date().replace(day=1)
    return this_month - relativedelta(months=11), this_month


def _in_units(total: int, program: PointsProgram) -> int:
    return total // 100 if program.tier_basis == PointsProgram.TierBasis.SPEND else total


def qualifying_units(sums: tuple[int, int], program: PointsProgram) -> int:
    """Of a window's (points, spend in øre), what the program's tiers count, in its units."""
    points, spend_ore = sums
    return _in_units(spend_ore if program.tier_basis == PointsProgram.TierBasis.SPEND else points, program)


def qualifying_total(wallet: Wallet, *, now: datetime, program: PointsProgram | None = None) -> int:
    """Qualifying points (or whole kroner spent) in the tier window before `now`.

    Read from the monthly sums kept with every qualifying entry: twelve rows at most.
    """
    program = program or PointsProgram.load()
    return qualifying_units(qualifying_sums(wallet, *window(now)), program)


@transaction.atomic
def qualifying_months_rebuild(*, wallet: Wallet) -> None:
    """Recompute the wallet's monthly tier sums from its ledger (after a bulk import)."""
    zone = timezone.get_current_timezone()
    rows = (
        LedgerEntry.objects.filter(wallet=wallet, qualifying=True)
        .annotate(m=TruncMonth("created_at", tzinfo=zone))
        .values("m")
        .annotate(points=Sum("points"), spend=Sum("amount_ore"))
        .order_by()
    )
    QualifyingMonth.objects.filter(wallet=wallet).delete()
    QualifyingMonth.objects.bulk_create(
        QualifyingMonth(wallet=wallet, month=r["m"].date(), points=r["points"], spend_ore=r["spend"] or 0)
        for r in rows
    )


def tier_base_assign() -> int:
    """Put every wallet without a tier in the base tier (the lowest, when it starts at 0):
    after the owner adds such a tier, members already in the club are in it too, as new
    ones are from joining. Returns how many wallets moved."""
    base = Tier.objects.order_by("threshold").first()
    if base is None or base.threshold > 0:
        return 0
    return Wallet.objects.filter(tier=None).update(tier=base)


def tier_for(total: int, tiers: list[Tier]) -> Tier | None:
    reached = [t for t in tiers if t.threshold <= total]
    return reached[-1] if reached else None


def tier_rank(tier: Tier | None, tiers: list[Tier]) -> int:
    return -1 if tier is None else [t.pk for t in tiers].index(tier.pk)


def tier_raise(
    wallet: Wallet,
    *,
    now: datetime,
    program: PointsProgram,
    tiers: list[Tier],
) -> None:
    """After a qualifying earning (wallet locked): move up if a higher tier is reached.

    A new tier is kept until its review a year later, whatever happens before then.
    `tiers` are all tiers, lowest threshold first.
    """
    if not tiers or (wallet.tier_id is not None and wallet.tier_id == tiers[-1].pk):
        return  # nothing higher to reach
    target = tier_for(qualifying_total(wallet, now=now, program=program), tiers)
    if tier_rank(target, tiers) > tier_rank(wallet.tier, tiers):
        _tell_tier_change(wallet, wallet.tier_id, target, upgrade=True, at=now)
        wallet.tier = target
        wallet.tier_review_at = (now + REVIEW_AFTER).date()


def tier_after_reversal(
    wallet: Wallet,
    reversed_entry: LedgerEntry,
    *,
    now: datetime,
    program: PointsProgram,
    tiers: list[Tier],
) -> None:
    """After a qualifying entry was reversed (wallet locked): take back a tier that only the
    reversed progress reached, judged the way earning judges it.

    A tier the wallet still qualifies for stays, and so does one held before the reversed
    entry was made (kept until its review, as always). Otherwise the wallet goes back to the
    higher of the tier its remaining qualifying total reaches and the tier it had before the
    reversed entry's write, with that tier's review date.
    """
    current = wallet.tier
    if current is None:
        return
    total = qualifying_total(wallet, now=now, program=program)
    if total >= current.threshold:
        return
    reached_on = wallet.tier_review_at - REVIEW_AFTER if wallet.tier_review_at else None
    if reached_on is None or reached_on < reversed_entry.created_at.date():
        return  # held before the reversed progress was made
    before_id, before_review = (reversed_entry.operation.result or {}).get("tier_before", [None, None])
    before = next((t for t in tiers if t.pk == before_id), None)
    earned = tier_for(total, tiers)
    target = max(before, earned, key=lambda tier: tier_rank(tier, tiers))
    if tier_rank(target, tiers) >= tier_rank(current, tiers):
        return
    _tell_tier_change(wallet, wallet.tier_id, target, upgrade=False, at=now)
    wallet.tier = target
    if target is None:
        wallet.tier_review_at = None
    elif target == before:
        wallet.tier_review_at = date.fromisoformat(before_review) if before_review else None


def _tell_tier_change(wallet: Wallet, from_id: int | None, to: Tier | None, *, upgrade: bool, at) -> None:
    """Send tier_changed after commit (nothing is said of a change that is rolled back)."""
    member_id, to_id = wallet.member_id, getattr(to, "pk", None)
    transaction.on_commit(
        lambda: signals.tier_changed.send(
            sender=Wallet, member_id=member_id, from_tier_id=from_id, to_tier_id=to_id, upgrade=upgrade, at=at
        )
    )


@dataclass(frozen=True)
class TierProgress:
    tier: Tier | None
    next_tier: Tier | None
    total: int
    missing: int  # to the next tier
    percent: int


def tier_progress(
    wallet: Wallet,
    *,
    now: datetime | None = None,
    program: PointsProgram | None = None,
    tiers: list[Tier] | None = None,
) -> TierProgress:
    """Where the wallet stands on the way to the next tier."""
    now = now or timezone.now()
    program = program or PointsProgram.load()
    tiers = tiers if tiers is not None else list(Tier.objects.order_by("threshold"))
    total = qualifying_total(wallet, now=now, program=program)
    current_rank = tier_rank(wallet.tier, tiers)
    next_tier = tiers[current_rank + 1] if current_rank + 1 < len(tiers) else None
    if next_tier is None:
        return TierProgress(wallet.tier, None, total, 0, 100)
    floor = wallet.tier.threshold if wallet.tier else 0
    span = max(next_tier.threshold - floor, 1)
    percent = max(0, min(100, (total - floor) * 100 // span))
    return TierProgress(wallet.tier, next_tier, total, max(next_tier.threshold - total, 0), percent)


def tier_review_due(*, today: date | None = None) -> int:
    """The yearly review of every wallet whose date has come: down at most one level.

    Returns how many wallets were reviewed. Safe to run twice a day: a reviewed wallet
    gets its next review a year later.
    """
    today = today or timezone.localdate()
    program = PointsProgram.load()
    tiers = list(Tier.objects.order_by("threshold"))
    reviewed = 0
    for wallet_id in Wallet.objects.filter(tier_review_at__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            wallet = Wallet.objects.select_for_update(of=("self",)).select_related("tier").get(pk=wallet_id)
            if wallet.tier_review_at is None or wallet.tier_review_at > today:
                continue
            now = timezone.make_aware(datetime.combine(today, datetime.min.time()))
            target = tier_for(qualifying_total(wallet, now=now, program=program), tiers)
            current = tier_rank(wallet.tier, tiers)
            new_rank = max(tier_rank(target, tiers), current - 1)  # the soft landing
            new_tier = tiers[new_rank] if new_rank >= 0 else None
            if new_rank != current:
                _tell_tier_change(wallet, wallet.tier_id, new_tier, upgrade=new_rank > current, at=now)
            wallet.tier = new_tier
            wallet.tier_review_at = today + REVIEW_AFTER if wallet.tier else None
            wallet.save(update_fields=["tier", "tier_review_at", "updated_at"])
            reviewed += 1
    return reviewed

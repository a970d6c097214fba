"""Changing a live programme safely: the preview the owner sees before saving a change, and
the change applied on its date.

Nothing earned is taken away. Points keep the expiry they were earned with (a new expiry is
for points earned from the date on); a new earning rate is for purchases from the date on;
a tier is raised at once when a lower threshold reaches it, and lowered only at the member's
yearly review; a stamp card being filled finishes on the size it began with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from rewards.config import config
from rewards.models import (
    LedgerEntry,
    MemberStampCard,
    PointsProgram,
    ProgrammeChange,
    QualifyingMonth,
    StampCard,
    Tier,
    Wallet,
)
from rewards.services import core
from rewards.services.stamps import stamp_card_resize
from rewards.services.tiers import qualifying_units, tier_for, tier_raise, tier_rank, window

ACCRUAL_DAYS = 30  # the earning rate's effect is shown on the last 30 days' purchases


@dataclass(frozen=True)
class CardEffect:
    card: str
    size_before: int
    size_after: int
    in_progress: int  # cards being filled now: they finish on the size before


@dataclass(frozen=True)
class Preview:
    tiers_up: int  # members raised at once by lower thresholds
    tiers_down_at_review: int  # members whose tier would not hold: lowered at their review, not now
    liability_before_ore: int  # the points owed now, at their value today …
    liability_after_ore: int  # … and at the new value
    month_points_before: int  # points the last 30 days' purchases earned …
    month_points_after: int  # … and would earn at the new rate
    cards: list[CardEffect]
    expiry_before: int
    expiry_after: int

    def as_dict(self) -> dict:
        return asdict(self)


def _new_tiers(change: ProgrammeChange, tiers: list[Tier]) -> list[Tier]:
    """The tiers with the change's thresholds, lowest first (copies: nothing is saved)."""
    moved = [
        Tier(pk=t.pk, name=t.name, threshold=int(change.tier_thresholds.get(str(t.pk), t.threshold)))
        for t in tiers
    ]
    return sorted(moved, key=lambda t: t.threshold)


def _tier_moves(
    change: ProgrammeChange, now: datetime, program: PointsProgram, tiers: list[Tier]
) -> tuple[list[int], int]:
    """(the wallets the new thresholds raise, how many they would lower at review). Two
    queries: every wallet's tier, and every wallet's qualifying sums over the window."""
    new = _new_tiers(change, tiers)
    first, last = window(now)
    sums = {
        row["wallet"]: (row["points"], row["spend"])
        for row in QualifyingMonth.objects.filter(month__gte=first, month__lte=last)
        .values("wallet")
        .annotate(points=Sum("points"), spend=Sum("spend_ore"))
        .order_by()
    }
    up, down = [], 0
    by_pk = {t.pk: t for t in new}
    for wallet_id, tier_id in Wallet.objects.filter(member__erased_at=None).values_list("pk", "tier_id"):
        target = tier_for(qualifying_units(sums.get(wallet_id, (0, 0)), program), new)
        here = tier_rank(by_pk.get(tier_id), new)
        if tier_rank(target, new) > here:
            up.append(wallet_id)
        elif tier_rank(target, new) < here:
            down += 1
    return up, down


def programme_preview(change: ProgrammeChange, now: datetime | None = None) -> Preview:
    """What the change would do if it applied now."""
    now = now or timezone.now()
    settings = config()
    program = settings.program
    up, down = _tier_moves(change, now, program, settings.tiers) if change.tier_thresholds else ([], 0)
    owed = (
        LedgerEntry.objects.filter(remaining__gt=0)
        .filter(Q(expires_at=None) | Q(expires_at__gt=now))
        .aggregate(points=Sum("remaining", default=0))["points"]
    )
    points, value = (
        change.redeem_points or program.redeem_points,
        change.redeem_value_kr or program.redeem_value_kr,
    )
    earned = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.EARN, created_at__gte=now - timedelta(days=ACCRUAL_DAYS), created_at__lt=now
    ).aggregate(points=Sum("points", default=0))["points"]
    rate = change.points_per_krone if change.points_per_krone is not None else program.points_per_krone
    after = int(Decimal(earned) * rate / program.points_per_krone) if program.points_per_krone else 0
    cards = [
        CardEffect(
            card.name,
            card.stamps_needed,
            int(change.card_sizes[str(card.pk)]),
            MemberStampCard.objects.filter(card=card, stamps__gt=0).count(),
        )
        for card in StampCard.objects.filter(pk__in=[int(pk) for pk in change.card_sizes]).order_by("name")
    ]
    return Preview(
        tiers_up=len(up),
        tiers_down_at_review=down,
        liability_before_ore=program.value_ore(owed),
        liability_after_ore=owed * value * 100 // points,
        month_points_before=earned,
        month_points_after=after,
        cards=cards,
        expiry_before=program.expiry_months,
        expiry_after=change.expiry_months if change.expiry_months is not None else program.expiry_months,
    )


def programme_change_apply(*, change: ProgrammeChange, now: datetime | None = None) -> bool:
    """Apply the change (once: a second call, or a second worker, does nothing). Returns
    whether this call applied it."""
    now = now or timezone.now()
    with transaction.atomic():
        if not ProgrammeChange.objects.filter(pk=change.pk, applied_at=None, effective_at__lte=now).update(
            applied_at=now
        ):
            return False
        settings = config()
        raised = (
            _tier_moves(change, now, settings.program, settings.tiers)[0] if change.tier_thresholds else []
        )
        program = PointsProgram.load()
        for field in ("points_per_krone", "redeem_points", "redeem_value_kr", "expiry_months"):
            if getattr(change, field) is not None:
                setattr(program, field, getattr(change, field))
        program.save()
        _move_thresholds(change)
        for card in StampCard.objects.filter(pk__in=[int(pk) for pk in change.card_sizes]):
            stamp_card_resize(card=card, stamps_needed=int(change.card_sizes[str(card.pk)]))
        tiers = list(Tier.objects.order_by("threshold"))
        for wallet in core.locked_wallets().filter(pk__in=raised).order_by("pk"):
            tier_raise(wallet, now=now, program=program, tiers=tiers)
            wallet.save(update_fields=["tier", "tier_review_at"])
    return True


def _move_thresholds(change: ProgrammeChange) -> None:
    """Raised thresholds from the highest down, lowered ones from the lowest up: the form
    keeps the tiers' order, so no two share a threshold on the way (it is unique)."""
    moves = [
        (tier, int(change.tier_thresholds[str(tier.pk)]))
        for tier in Tier.objects.filter(pk__in=[int(pk) for pk in change.tier_thresholds])
    ]
    ups = sorted((m for m in moves if m[1] > m[0].threshold), key=lambda m: -m[0].threshold)
    downs = sorted((m for m in moves if m[1] < m[0].threshold), key=lambda m: m[0].threshold)
    for tier, threshold in [*ups, *downs]:
        tier.threshold = threshold
        tier.save(update_fields=["threshold"])


def programme_changes_apply_due(*, now: datetime | None = None) -> int:
    """Beat: apply every change whose date has come. Returns how many were applied."""
    now = now or timezone.now()
    due = ProgrammeChange.objects.filter(applied_at=None, effective_at__lte=now).order_by(
        "effective_at", "pk"
    )
    return sum(programme_change_apply(change=change, now=now) for change in due)

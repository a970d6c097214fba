"""What a paid membership gives, read at the moment of use: the running membership, the
tier it lifts a member to, and its value meter (what it has given against its price and its
promise). The top-up at renewal and the member's pages read the same meter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, Membership, Tier, Voucher


def membership_current(member: Member | int, now: datetime) -> Membership | None:
    """The member's membership running at `now` (with its plan), or None."""
    return (
        Membership.objects.select_related("plan__tier", "plan__monthly_reward")
        .filter(member=member, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )


def effective_tier(own: Tier | None, membership: Membership | None) -> Tier | None:
    """The higher of the member's own tier and the one their membership lifts them to."""
    lifted = membership.plan.tier if membership is not None else None
    if lifted is None or (own is not None and own.threshold >= lifted.threshold):
        return own
    return lifted


def multiplier(own: Tier | None, membership: Membership | None) -> tuple[Decimal, Decimal]:
    """(the multiplier without the membership, the multiplier with it)."""
    base = own.multiplier if own else Decimal(1)
    if membership is None:
        return base, base
    tier = effective_tier(own, membership)
    return base, (tier.multiplier if tier else Decimal(1)) * membership.plan.points_multiplier


@dataclass(frozen=True)
class ValueMeter:
    since: datetime  # the start of the period measured (the trial, or the period paid)
    price_ore: int
    promised_ore: int
    extra_points: int
    extra_points_ore: int
    vouchers_used: int
    vouchers_ore: int
    discount_ore: int  # an estimate: the discount on what was registered at the till

    @property
    def total_ore(self) -> int:
        return self.extra_points_ore + self.vouchers_ore + self.discount_ore

    @property
    def percent_of_price(self) -> int:
        return min(round(100 * self.total_ore / self.price_ore), 999) if self.price_ore else 0


def period_start(membership: Membership) -> datetime:
    last = membership.payments.order_by("-period_start").values_list("period_start", flat=True).first()
    return last if last is not None else membership.starts_at


def value_meter(membership: Membership, now: datetime) -> ValueMeter:
    """What the membership has given in its current period, up to `now`: the points its
    multiplier added (in kr, as they are worth when redeemed), its monthly vouchers used (at
    the value the owner gives them) and the discount on purchases registered at the till
    (what was paid is after the discount: p % off means paid * p / (100 - p) saved). Two
    queries."""
    plan, since = membership.plan, period_start(membership)
    in_period = Q(created_at__gte=since, created_at__lt=now)
    sums = LedgerEntry.objects.filter(
        in_period, wallet__member=membership.member_id, kind=LedgerEntry.Kind.EARN
    ).aggregate(extra=Sum("membership_points", default=0), paid=Sum("amount_ore", default=0))
    used = Voucher.objects.filter(
        wallet__member=membership.member_id,
        source=Voucher.Source.MEMBERSHIP,
        status=Voucher.Status.USED,
        used_at__gte=since,
        used_at__lt=now,
    ).aggregate(n=Count("pk"))["n"]
    discount = plan.discount_percent
    return ValueMeter(
        since=since,
        price_ore=plan.price_kr * 100,
        promised_ore=plan.promised_value_kr * 100,
        extra_points=sums["extra"],
        extra_points_ore=config().program.value_ore(sums["extra"]),
        vouchers_used=used,
        vouchers_ore=used * plan.monthly_reward_value_kr * 100,
        discount_ore=sums["paid"] * discount // (100 - discount) if discount else 0,
    )

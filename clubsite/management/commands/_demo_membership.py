"""The demo club's paid membership, as the guides put it: "VIP", 199 kr a year, worth 600 kr,
a 30-day trial, a free coffee each month and double points (Medlemmer -> Betalt medlemskap).

Four members bought it at the till in the last months and have used it since (their value
meters show it), one is in the last days of a trial (the reminder flow enters them), and
Kari has never been a member: log in as her to try it, or sell it to her at the till.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from members.models import Location, Member, User
from rewards.models import Plan, Reward, Tier, Voucher
from rewards.services import purchase_register, voucher_use
from rewards.services.membership import counter_membership, membership_drop, trial_start


def load_membership_demo(staff: list[User], kari: Member) -> None:
    coffee = Reward.objects.get(name="Gratis kaffe")
    vip = Plan.objects.create(
        name="VIP",
        price_kr=199,
        period=Plan.Period.YEAR,
        promised_value_kr=600,
        promise="Gratis kaffe hver måned, dobbel poeng på alt du handler og 10 % rabatt på bursdagskaker.",
        trial_days=30,
        points_multiplier=Decimal("2.00"),
        monthly_reward=coffee,
        monthly_reward_value_kr=45,
        discount_percent=10,
        top_up_shortfall=True,
    )
    now = timezone.now()
    shop = Location.objects.order_by("pk").first()
    buyers = list(Member.objects.filter(erased_at=None).exclude(pk=kari.pk).order_by("-pk")[:5])
    for n, member in enumerate(buyers[:4]):
        sold_at = now - timedelta(days=40 + 25 * n)
        till = staff[n % len(staff)]
        counter_membership(member=member, plan=vip, nonce=uuid.uuid4(), staff=till, location=shop, at=sold_at)
        _months_of_use(member, vip, sold_at, now, shop, till)
    trial_start(member=buyers[4], plan=vip, at=now - timedelta(days=25))  # ends in five days
    _early_weekend_bake(vip, now)


def _early_weekend_bake(vip: Plan, now) -> None:
    """The guides' "early access to popular weekend bakes": open to everyone the morning after
    tomorrow, to VIPs and Gull already (three days early), who see «Bare for deg til …»."""
    opens = timezone.localdate(now) + timedelta(days=2)
    Reward.objects.create(
        name="Lussekatter til helgen",
        description="Seks nybakte lussekatter, hentes lørdag.",
        cost_points=300,
        stock=20,
        valid_from=timezone.make_aware(datetime.combine(opens, time(8))),
        early_days=3,
        early_plan=vip,
        early_tier=Tier.objects.get(name="Gull"),
    )


def _months_of_use(member: Member, vip: Plan, since, now, shop: Location, till: User) -> None:
    """Each month's coffee (used, mostly) and a purchase a fortnight, with double points."""
    membership = member.memberships.get(plan=vip)
    month = since
    while month < now:
        voucher = membership_drop(membership=membership, at=month)
        if (
            voucher is not None
            and month + timedelta(days=3) < now
            and voucher.status == Voucher.Status.ACTIVE
        ):
            voucher_use(
                code=voucher.code,
                idempotency_key=f"demo:vip:{voucher.pk}",
                location=shop,
                staff=till,
                at=month + timedelta(days=3),
            )
        month += timedelta(days=30)
    day = since + timedelta(days=2)
    while day < now:
        purchase_register(
            member=member,
            amount_ore=14900,
            idempotency_key=f"demo:vip:{member.pk}:{day:%Y%m%d}",
            location=shop,
            staff=till,
            at=day,
        )
        day += timedelta(days=14)

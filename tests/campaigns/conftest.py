"""A small club with a known March 2025, built through the wallet's services, for the
dashboard's figures to be computed by hand in the tests.

Period: 1 to 31 March 2025 (31 days); the previous period: 29 January to 28 February 2025.
Shops: Sentrum (S1) and Torget (S2). 1 point per krone; 1000 points = 100 kr, so a point is
worth 10 øre. Points expire after 12 months. One tier, Sølv, at 1000 points.

    A  joined 2024-03-01. 200 kr at S1 on 2024-03-10 (those points expire on 2025-03-15),
       300 kr at S1 on 03-05, 100 kr at S2 on 03-20; redeems a reward (100 points) at S1 on
       03-21 and hands the voucher back on 03-22. Withdraws e-mail consent on 03-15.
    B  joined 2024-06-01. 500 kr at S1 on 02-10; redeems the reward at S1 on 03-02 and uses
       the voucher at S1 on 03-08; 400 kr at S2 on 03-12, refunded on 03-13. SMS consent.
    C  joined 2025-02-15. Gets a gift voucher (no points price, 10 days) on 02-20, never
       used; 1000 kr at S2 on 03-25, which lifts C to Sølv.
    D  joined 2025-03-10, invited by A. 50 bonus points on 03-10; a visit at S1 on 03-11.
       E-mail consent.
    E  joined 2024-01-01. 250 kr at S1 on 2024-12-20; erased on 2025-03-20.
    F  joined 2024-01-01; nothing since.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.insights.selectors import Period
from campaigns.models import ClubEconomics
from members.models import Location, Member
from referrals.models import Referral
from rewards import services
from rewards.models import Reward, Visit
from tests.campaigns.sending_helpers import consent
from tests.factories import LocationFactory, MemberFactory, RewardFactory, TierFactory

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def at(year, month, day, hour=12) -> datetime:
    """A moment in the club's time zone."""
    return timezone.make_aware(datetime(year, month, day, hour))


NOW = at(2025, 4, 15)


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Club:
    s1: Location
    s2: Location
    reward: Reward
    a: Member
    b: Member
    c: Member
    d: Member
    e: Member
    f: Member


def buy(member, kr, shop, when):
    return services.purchase_register(
        member=member, amount_ore=kr * 100, idempotency_key=key(), location=shop, at=when
    )


@pytest.fixture
def economics(db):
    economics = ClubEconomics.load()
    economics.gross_margin_percent = Decimal("40")
    economics.monthly_operating_cost_kr = 3000
    economics.uplift_percent = Decimal("10")
    economics.member_discount_percent = Decimal("5")
    economics.free_voucher_value_kr = 50
    economics.save()
    return economics


@pytest.fixture
def club(db, economics, django_capture_on_commit_callbacks) -> Club:
    TierFactory(name="Sølv", threshold=1000)
    s1, s2 = LocationFactory(name="Sentrum"), LocationFactory(name="Torget")
    reward = RewardFactory(name="Kaffe", cost_points=100, voucher_valid_days=30)
    gift = RewardFactory(name="Gave", cost_points=None, voucher_valid_days=10)
    joined = {
        "a": at(2024, 3, 1),
        "b": at(2024, 6, 1),
        "c": at(2025, 2, 15),
        "d": at(2025, 3, 10),
        "e": at(2024, 1, 1),
        "f": at(2024, 1, 1),
    }
    m = {name: MemberFactory(joined_at=when) for name, when in joined.items()}
    # Signals after commit (the tier history among them) run as in production.
    with django_capture_on_commit_callbacks(execute=True):
        a, b, c, d, e = m["a"], m["b"], m["c"], m["d"], m["e"]
        buy(a, 200, s1, at(2024, 3, 10))
        buy(e, 250, s1, at(2024, 12, 20))
        buy(b, 500, s1, at(2025, 2, 10))
        services.voucher_gift(member=c, reward=gift, idempotency_key=key(), at=at(2025, 2, 20, 10))
        voucher = services.reward_redeem(
            member=b, reward=reward, idempotency_key=key(), location=s1, at=at(2025, 3, 2)
        ).voucher
        buy(a, 300, s1, at(2025, 3, 5))
        services.voucher_use(code=voucher.code, idempotency_key=key(), location=s1, at=at(2025, 3, 8))
        services.points_award(
            member=d, points=50, reason="welcome", idempotency_key=key(), at=at(2025, 3, 10)
        )
        refunded = buy(b, 400, s2, at(2025, 3, 12)).entry
        services.entry_reverse(entry=refunded, reason="refund", idempotency_key=key(), at=at(2025, 3, 13))
        services.points_expire_due(now=at(2025, 3, 15, 9))
        buy(a, 100, s2, at(2025, 3, 20))
        handed_back = services.reward_redeem(
            member=a, reward=reward, idempotency_key=key(), location=s1, at=at(2025, 3, 21)
        ).voucher
        services.voucher_cancel(voucher=handed_back, member=a, idempotency_key=key(), at=at(2025, 3, 22))
        buy(c, 1000, s2, at(2025, 3, 25))
    Visit.objects.create(member=d, location=s1, started_at=at(2025, 3, 11))
    consent(a, "email", True, joined["a"])
    consent(a, "email", False, at(2025, 3, 15))
    consent(b, "sms", True, joined["b"])
    consent(d, "email", True, joined["d"])
    consent(e, "email", True, joined["e"])
    Referral.objects.create(referrer=a, friend=d, channel=Referral.Channel.LINK, created_at=at(2025, 3, 10))
    # As members.services.member_erase leaves the row, on that day.
    Member.objects.filter(pk=e.pk).update(erased_at=at(2025, 3, 20))
    return Club(s1, s2, reward, a, b, c, d, m["e"], m["f"])

"""The other flows of issue 16 with a set clock: the welcome gift reminder, the next tier
within reach, tier reached and about to lapse, the anniversary and activation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from campaigns.flows.services import flows_enter
from campaigns.models import CampaignSettings, Message, TierChange
from members.models import Member
from rewards import services
from rewards.models import Voucher, Wallet
from tests.campaigns.flow_helpers import flow_on, oslo
from tests.campaigns.sending_helpers import subscriber
from tests.factories import LocationFactory, RewardFactory, TierFactory
from tests.rewards.wallet_helpers import set_tier

pytestmark = pytest.mark.django_db
ON = oslo(2026, 11, 2, 9, 0)  # a Monday


@pytest.fixture(autouse=True)
def room_in_the_budget():
    rules = CampaignSettings.load()
    rules.emails_per_month = 10
    rules.save()


def entered(now) -> dict[int, str]:
    flows_enter(now=now)
    return dict(Message.objects.values_list("member_id", "occasion"))


def test_the_welcome_gift_reminder_comes_before_it_expires_and_only_while_unused():
    flow_on("welcome_gift", at=ON, days=2)
    gift = RewardFactory(name="Velkomstkaffe", cost_points=None, voucher_valid_days=14)
    kari, ola = subscriber(), subscriber()
    vouchers = {
        m.pk: services.voucher_gift(
            member=m, reward=gift, idempotency_key=f"w{m.pk}", at=ON, source=Voucher.Source.WELCOME
        )
        for m in (kari, ola)
    }
    services.voucher_use(code=vouchers[ola.pk].code, idempotency_key="use", location=LocationFactory(), at=ON)

    assert entered(ON + timedelta(days=10)) == {}  # four days left: not yet
    assert entered(ON + timedelta(days=12, hours=1)) == {kari.pk: str(vouchers[kari.pk].pk)}


def test_a_member_near_the_next_tier_hears_of_it_once_a_month():
    gold = TierFactory(name="Gull", threshold=1000)
    flow_on("next_tier", at=ON, points=200)
    shop = LocationFactory()
    near, far = subscriber(), subscriber()
    services.purchase_register(member=near, amount_ore=85_000, idempotency_key="n", location=shop, at=ON)
    services.purchase_register(member=far, amount_ore=50_000, idempotency_key="f", location=shop, at=ON)

    assert entered(ON + timedelta(hours=1)) == {near.pk: f"{gold.pk}:2026-11"}
    flows_enter(now=ON + timedelta(days=3))
    assert Message.objects.count() == 1


def test_tier_reached_greets_each_upgrade_once():
    flow_on("tier_reached", at=ON)
    silver = TierFactory(name="Sølv", threshold=500)
    kari, ola = subscriber(), subscriber()
    up = TierChange.objects.create(
        member=kari, to_tier=silver, upgrade=True, changed_at=ON + timedelta(hours=1)
    )
    TierChange.objects.create(member=ola, from_tier=silver, upgrade=False, changed_at=ON + timedelta(hours=1))

    assert entered(ON + timedelta(hours=2)) == {kari.pk: str(up.pk)}


def test_a_tier_that_will_not_hold_at_its_review_gets_a_soft_landing():
    silver = TierFactory(name="Sølv", threshold=500)
    flow_on("tier_lapsing", at=ON, days=30)
    shop = LocationFactory()
    short, safe = subscriber(), subscriber()
    for member, kr in ((short, 100), (safe, 600)):
        services.purchase_register(
            member=member, amount_ore=kr * 100, idempotency_key=f"{kr}", location=shop, at=ON
        )
        set_tier(member, silver)
        Wallet.objects.filter(member=member).update(tier_review_at=date(2026, 11, 20))

    assert entered(ON + timedelta(hours=1)) == {short.pk: "2026-11-20"}


def test_the_anniversary_of_joining_comes_in_its_week_from_the_first_year():
    flow_on("anniversary", at=ON)
    a_year, new = subscriber(), subscriber()
    Member.objects.filter(pk=a_year.pk).update(joined_at=oslo(2025, 11, 4, 15))
    Member.objects.filter(pk=new.pk).update(joined_at=oslo(2026, 11, 2, 8))  # this week itself

    assert entered(oslo(2026, 11, 3, 10)) == {a_year.pk: "2026"}


def test_activation_reaches_those_who_joined_two_weeks_ago_and_never_used_a_benefit():
    flow_on("activation", at=ON, days=14)
    gift = RewardFactory(cost_points=None, voucher_valid_days=30)
    idle, active = subscriber(), subscriber()
    for member in (idle, active):
        Member.objects.filter(pk=member.pk).update(joined_at=ON - timedelta(days=14, hours=1))
    voucher = services.voucher_gift(
        member=active, reward=gift, idempotency_key="g", at=ON - timedelta(days=10)
    )
    services.voucher_use(
        code=voucher.code, idempotency_key="u", location=LocationFactory(), at=ON - timedelta(days=9)
    )

    assert entered(ON) == {idle.pk: ""}
    assert mail.outbox == []  # entered only; the pipeline sends

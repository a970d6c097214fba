"""Early access (issue 17): a reward opens to VIPs or a tier some days before everyone else,
marked for them «Bare for deg til fredag»; the others see it on its day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import roles
from rewards.services import reward_availability, wallet_get_or_create
from rewards.services.membership import trial_start
from tests.factories import MemberFactory, PlanFactory, RewardFactory, TierFactory, staff_user
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db
FRIDAY = timezone.make_aware(datetime(2026, 12, 11, 8, 0))


def test_a_weekend_bake_opens_to_vips_two_days_early_and_to_everyone_on_friday(program):
    vip = PlanFactory()
    bake = RewardFactory(name="Helgebakst", valid_from=FRIDAY, early_days=2, early_plan=vip)
    member, other = MemberFactory(), MemberFactory()
    trial_start(member=member, plan=vip, at=FRIDAY - timedelta(days=10))
    wednesday = FRIDAY - timedelta(days=2)

    assert reward_availability(bake, wallet_get_or_create(member), now=wednesday) == (True, "early")
    assert reward_availability(bake, wallet_get_or_create(other), now=wednesday) == (
        False,
        "reward_unavailable",
    )
    assert (
        reward_availability(bake, wallet_get_or_create(member), now=wednesday - timedelta(hours=1))[0]
        is False
    )
    assert reward_availability(bake, wallet_get_or_create(other), now=FRIDAY) == (True, "")


def test_a_tier_gets_it_early_and_the_tiers_above_too(program):
    silver, gold = TierFactory(name="Sølv", threshold=2000), TierFactory(name="Gull", threshold=5000)
    bake = RewardFactory(valid_from=FRIDAY, early_days=1, early_tier=silver)
    member = MemberFactory()
    wallet = wallet_get_or_create(member)
    wallet.tier = gold
    wallet.save()

    assert reward_availability(bake, wallet, now=FRIDAY - timedelta(hours=12)) == (True, "early")


def test_the_member_sees_it_marked_only_for_them_until_the_day(member_client, member, program):
    vip = PlanFactory()
    trial_start(member=member, plan=vip)
    give(member, 500)
    friday = timezone.now() + timedelta(days=1)
    RewardFactory(name="Helgebakst-boks", valid_from=friday, early_days=3, early_plan=vip)

    page = member_client.get(reverse("rewards:catalogue")).content.decode()

    assert "Helgebakst-boks" in page and "Bare for deg til" in page


def test_early_days_without_a_date_or_a_group_are_refused_in_admin(client, program):
    client.force_login(staff_user(roles.OWNER))
    form = {
        "name": "Helgebakst",
        "cost_points": "100",
        "voucher_valid_days": "30",
        "early_days": "2",
        "is_active": "on",
    }

    page = client.post(reverse("admin:rewards_reward_add"), form).content.decode()

    assert "Tidlig tilgang regnes bakover fra «gyldig fra»" in page
    assert "Velg nivået eller medlemskapet som får den tidlig." in page

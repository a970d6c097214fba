"""Issue 17's "done when", in the club `make run` shows: VIP at 199 kr a year, worth 600 kr,
with a 30-day trial, a free coffee each month and double points; Kari may try it; those
who bought it at the till see what it has given them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clubsite.management.commands.load_demo import MEMBER
from rewards.models import (
    Cause,
    CounterAction,
    Membership,
    Partner,
    Plan,
    PointsProgram,
    Poll,
    Review,
    SurpriseDraw,
    SurpriseSettings,
    Voucher,
)
from rewards.services.causes import cause_totals
from rewards.services.perks import value_meter

pytestmark = pytest.mark.django_db


def test_vip_is_on_sale_as_the_guides_put_it(demo_club):
    vip = Plan.objects.get(name="VIP")
    assert (vip.price_kr, vip.promised_value_kr, vip.trial_days, vip.points_multiplier) == (199, 600, 30, 2)
    assert vip.monthly_reward.name == "Gratis kaffe"


def test_kari_may_try_it_and_the_buyers_see_what_it_has_given(demo_club):
    assert not Membership.objects.filter(member__user__email=MEMBER[0]).exists()
    sold = Membership.objects.filter(paid_from__isnull=False)
    assert sold.count() == CounterAction.objects.filter(kind=CounterAction.Kind.MEMBERSHIP).count() == 4
    for membership in sold:
        meter = value_meter(membership, timezone.now())
        assert meter.extra_points > 0 and meter.vouchers_used > 0


def test_the_demo_prices_actions_and_has_a_poll_and_reviews_to_approve(demo_club):
    program = PointsProgram.load()
    assert program.review_points and program.poll_points and program.action_points_monthly_cap
    assert Poll.objects.filter(is_active=True).exists()
    assert Review.objects.filter(status=Review.Status.PENDING).exists()
    assert Review.objects.filter(status=Review.Status.APPROVED).count() == 2


def test_the_demo_has_a_cause_with_gifts_already(demo_club):
    cause = Cause.objects.get()
    assert cause_totals()[cause.pk] > 0


def test_the_demo_draws_surprises_from_now_on_not_for_its_history(demo_club):
    assert SurpriseSettings.load().on and not SurpriseDraw.objects.exists()


def test_the_demo_has_a_florist_with_a_voucher_used_and_one_waiting_for_kari(demo_club):
    florist = Partner.objects.get()
    assert florist.redemptions.count() == 1
    assert Voucher.objects.filter(
        wallet__member__user__email=MEMBER[0], reward__partner=florist, status=Voucher.Status.ACTIVE
    ).exists()

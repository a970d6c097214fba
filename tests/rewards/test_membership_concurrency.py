"""Paid membership under concurrency (PostgreSQL): two taps on "try it free" start one trial,
two beat runs at once give one monthly voucher, two tills selling at once sell once each."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from members import roles
from rewards.models import Membership, MembershipPayment, Voucher
from rewards.services.membership import counter_membership, membership_drops_due, trial_start
from tests.conftest import requires_postgres
from tests.factories import LocationFactory, MemberFactory, PlanFactory, staff_user
from tests.rewards.wallet_helpers import run_together

pytestmark = [requires_postgres(), pytest.mark.django_db(transaction=True)]


def test_two_taps_on_try_it_free_start_one_trial():
    vip, member = PlanFactory(), MemberFactory()

    outcomes = run_together(2, lambda n: trial_start(member=member, plan=vip))

    assert sorted(o if isinstance(o, str) else type(o).__name__ for o in outcomes) == [
        "Membership",
        "trial_used",
    ]
    assert Membership.objects.filter(member=member).count() == 1


def test_two_beat_runs_at_once_give_one_voucher_a_month():
    vip, members = PlanFactory(), [MemberFactory() for _ in range(5)]
    start = timezone.now() - timedelta(days=3)
    for member in members:
        Membership.objects.create(
            member=member, plan=vip, starts_at=start, ends_at=start + timedelta(days=30)
        )

    run_together(2, lambda n: membership_drops_due())

    assert Voucher.objects.filter(source=Voucher.Source.MEMBERSHIP).count() == len(members)


def test_two_tills_sending_the_same_sale_at_once_sell_it_once():
    shop, vip, member = LocationFactory(), PlanFactory(), MemberFactory()
    cashier, nonce = staff_user(roles.COUNTER_STAFF, shop), uuid.uuid4()

    run_together(
        2, lambda n: counter_membership(member=member, plan=vip, nonce=nonce, staff=cashier, location=shop)
    )

    assert MembershipPayment.objects.count() == 1

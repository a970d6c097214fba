"""Paid membership (issue 17): a trial once per member, perks that stop the instant it lapses,
a monthly voucher once per month, a value meter that adds up to the ledger, and a sale at the
till that is idempotent like any counter action."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from members import roles
from rewards.errors import RewardsError
from rewards.models import CounterAction, LedgerEntry, Membership, MembershipPayment, Voucher
from rewards.services import purchase_register, reward_availability, voucher_use, wallet_get_or_create
from rewards.services.membership import (
    counter_membership,
    membership_cancel,
    membership_drops_due,
    membership_pay,
    trial_start,
)
from rewards.services.membership_payments import marked_paid_by_owner
from rewards.services.perks import value_meter
from tests.factories import MemberFactory, PlanFactory, RewardFactory, TierFactory, staff_user

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 12, 3, 12, 0))


@pytest.fixture
def vip(program):
    return PlanFactory()


def buy(member, kroner: int, at: datetime, key: str = "") -> LedgerEntry:
    result = purchase_register(
        member=member, amount_ore=kroner * 100, idempotency_key=key or str(uuid.uuid4()), at=at
    )
    return result.entry


def test_a_trial_is_once_per_member(vip):
    member = MemberFactory()
    trial_start(member=member, plan=vip, at=NOW)
    membership_cancel(membership=Membership.objects.get(member=member), at=NOW + timedelta(days=1))

    with pytest.raises(RewardsError) as refused:
        trial_start(member=member, plan=vip, at=NOW + timedelta(days=2))
    assert refused.value.code == "trial_used"


def test_points_are_doubled_while_it_runs_and_not_a_minute_after_it_lapses(vip):
    member = MemberFactory()
    membership = trial_start(member=member, plan=vip, at=NOW)

    during = buy(member, 100, NOW + timedelta(days=1))
    after = buy(member, 100, membership.ends_at + timedelta(minutes=1))

    assert (during.points, during.membership_points) == (200, 100)
    assert (after.points, after.membership_points) == (100, 0)


def test_the_monthly_voucher_comes_once_a_month_however_often_beat_runs(
    vip, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        trial_start(member=member, plan=vip, at=NOW)  # the first month's at once
    membership_drops_due(at=NOW + timedelta(hours=1))
    membership_drops_due(at=NOW + timedelta(days=3))
    assert Voucher.objects.filter(wallet__member=member, source=Voucher.Source.MEMBERSHIP).count() == 1

    membership_pay(
        member=member,
        plan=vip,
        payment=marked_paid_by_owner(plan=vip, key="p1", owner=staff_user(roles.OWNER)),
        at=NOW + timedelta(days=20),
    )
    membership_drops_due(at=NOW + timedelta(days=32))
    membership_drops_due(at=NOW + timedelta(days=32, hours=2))
    assert Voucher.objects.filter(wallet__member=member, source=Voucher.Source.MEMBERSHIP).count() == 2


def test_the_value_meter_adds_up_the_ledger_and_the_vouchers_used(
    vip, program, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        membership = trial_start(member=member, plan=vip, at=NOW)
    for day in range(1, 4):
        buy(member, 150, NOW + timedelta(days=day))
    drop = Voucher.objects.get(wallet__member=member, source=Voucher.Source.MEMBERSHIP)
    voucher_use(code=drop.code, idempotency_key="use", at=NOW + timedelta(days=5))

    meter = value_meter(membership, NOW + timedelta(days=6))

    ledger = LedgerEntry.objects.filter(wallet__member=member).aggregate(extra=Sum("membership_points"))[
        "extra"
    ]
    assert meter.extra_points == ledger == 450
    assert meter.extra_points_ore == program.value_ore(450) == 4500
    assert (meter.vouchers_used, meter.vouchers_ore) == (1, 4500)
    assert meter.total_ore == 9000 and meter.promised_ore == 60000


def test_a_sale_at_the_till_turns_the_trial_into_a_year_and_a_double_tap_sells_once(vip, shop, cashier):
    member = MemberFactory()
    trial_start(member=member, plan=vip, at=NOW)
    nonce = uuid.uuid4()
    sold_at = NOW + timedelta(days=10)

    first = counter_membership(member=member, plan=vip, nonce=nonce, staff=cashier, location=shop, at=sold_at)
    again = counter_membership(member=member, plan=vip, nonce=nonce, staff=cashier, location=shop, at=sold_at)

    assert again.replayed and again.action == first.action
    payment = MembershipPayment.objects.get()
    assert (payment.kind, payment.amount_ore, payment.staff, payment.location) == (
        "till",
        19900,
        cashier,
        shop,
    )
    membership = Membership.objects.get(member=member)
    assert membership.paid_from == sold_at and membership.ends_at == sold_at.replace(year=2027)
    assert CounterAction.objects.filter(kind=CounterAction.Kind.MEMBERSHIP).count() == 1


def test_a_renewal_adds_a_year_to_the_end_and_tops_up_what_fell_short_when_the_owner_wants(vip, program):
    vip.top_up_shortfall = True
    vip.save()
    member, owner = MemberFactory(), staff_user(roles.OWNER)
    membership_pay(
        member=member, plan=vip, payment=marked_paid_by_owner(plan=vip, key="y1", owner=owner), at=NOW
    )
    buy(member, 100, NOW + timedelta(days=30))  # 100 extra points: worth 10 kr of the promised 600

    membership_pay(
        member=member,
        plan=vip,
        payment=marked_paid_by_owner(plan=vip, key="y2", owner=owner),
        at=NOW + timedelta(days=360),
    )

    assert Membership.objects.get(member=member).ends_at == NOW.replace(year=2028)
    top_up = LedgerEntry.objects.get(wallet__member=member, kind=LedgerEntry.Kind.BONUS)
    assert top_up.points == (60000 - 1000) * program.redeem_points // (program.redeem_value_kr * 100)


def test_cancelling_a_trial_stops_it_at_once_and_a_paid_year_runs_to_its_end(vip):
    trying, paying = MemberFactory(), MemberFactory()
    trial = trial_start(member=trying, plan=vip, at=NOW)
    membership_pay(
        member=paying,
        plan=vip,
        payment=marked_paid_by_owner(plan=vip, key="k", owner=staff_user(roles.OWNER)),
        at=NOW,
    )
    paid = Membership.objects.get(member=paying)

    membership_cancel(membership=trial, at=NOW + timedelta(days=1))
    membership_cancel(membership=paid, at=NOW + timedelta(days=1))

    assert buy(trying, 100, NOW + timedelta(days=2)).membership_points == 0
    assert buy(paying, 100, NOW + timedelta(days=2)).membership_points == 100


def test_members_only_rewards_and_the_lifted_tier_last_as_long_as_the_membership(vip):
    gold = TierFactory(name="Gull", threshold=5000)
    vip.tier = gold
    vip.save()
    lounge = RewardFactory(name="Smakekveld", cost_points=100, members_only=vip)
    gold_only = RewardFactory(name="Gullkake", cost_points=100, min_tier=gold)
    member = MemberFactory()
    membership = trial_start(member=member, plan=vip, at=NOW)
    wallet = wallet_get_or_create(member)

    assert reward_availability(lounge, wallet, now=NOW + timedelta(days=1)) == (True, "")
    assert reward_availability(gold_only, wallet, now=NOW + timedelta(days=1)) == (True, "")
    after = membership.ends_at + timedelta(minutes=1)
    assert reward_availability(lounge, wallet, now=after) == (False, "members_only")
    assert reward_availability(gold_only, wallet, now=after) == (False, "tier_too_low")

"""Reversals: a mistake is corrected by a new entry that points to the original."""

from datetime import timedelta

import pytest

from rewards.models import LedgerEntry, Reward, Voucher
from rewards.services import (
    entry_reverse,
    points_deduct,
    purchase_register,
    reward_redeem,
    voucher_use,
    wallets_reconcile,
)
from tests.factories import LocationFactory, RewardFactory, UserFactory
from tests.rewards.wallet_helpers import (
    T0,
    allocations,
    balance,
    give,
    new_key,
    refused,
    remaining,
    wallet_state,
)

pytestmark = pytest.mark.django_db


def reverse(entry, **kwargs):
    return entry_reverse(entry=entry, reason="mistake at the till", idempotency_key=new_key(), **kwargs)


def test_a_reversed_purchase_points_to_the_original_and_mirrors_it(member, program):
    location, staff = LocationFactory(), UserFactory()
    purchase = purchase_register(
        member=member, amount_ore=12_345, idempotency_key=new_key(), location=location
    ).entry

    reversal = reverse(purchase, staff=staff).entry

    assert reversal.kind == LedgerEntry.Kind.REVERSAL
    assert reversal.reverses == purchase
    assert reversal.points == -123
    assert reversal.amount_ore == -12_345
    assert reversal.qualifying is True
    assert (reversal.location, reversal.staff) == (location, staff)
    assert reversal.reason == "mistake at the till"
    assert LedgerEntry.objects.get(pk=purchase.pk).points == 123  # the original is untouched
    assert balance(member) == 0


def test_a_reversed_credit_is_taken_from_its_own_lot_first(member, program):
    older = give(member, 100, at=T0)
    mistake = give(member, 50, at=T0 + timedelta(days=1))

    reversal = reverse(mistake, at=T0 + timedelta(days=2)).entry

    assert allocations(reversal) == {mistake.pk: 50}
    assert (remaining(older), remaining(mistake)) == (100, 0)


def test_a_partly_spent_credit_is_reversed_from_its_rest_and_then_the_oldest_points(member, program):
    first = give(member, 100, at=T0)
    mistake = give(member, 100, at=T0 + timedelta(days=1))
    later = give(member, 100, at=T0 + timedelta(days=2))
    points_deduct(
        member=member, points=150, reason="spent", idempotency_key=new_key(), at=T0 + timedelta(days=3)
    )

    reversal = reverse(mistake, at=T0 + timedelta(days=4)).entry

    assert allocations(reversal) == {mistake.pk: 50, later.pk: 50}
    assert (remaining(first), remaining(mistake), remaining(later)) == (0, 0, 50)
    assert balance(member) == 50
    assert wallets_reconcile() == []


def test_a_credit_whose_points_are_gone_cannot_be_reversed(member, program):
    mistake = give(member, 100)
    reward_redeem(member=member, reward=RewardFactory(cost_points=80), idempotency_key=new_key())
    before = wallet_state()

    refused("insufficient_points", entry_reverse, entry=mistake, reason="mistake", idempotency_key=new_key())

    assert wallet_state() == before


def test_a_reversed_deduction_gives_each_lot_back_what_it_took(member, program):
    a = give(member, 60, at=T0)
    b = give(member, 60, at=T0 + timedelta(days=1))
    deduction = points_deduct(
        member=member, points=100, reason="wrong member", idempotency_key=new_key(), at=T0 + timedelta(days=2)
    ).entry

    reversal = reverse(deduction, at=T0 + timedelta(days=3)).entry

    assert reversal.points == 100
    assert allocations(reversal) == {a.pk: -60, b.pk: -40}
    assert (remaining(a), remaining(b)) == (60, 60)
    assert balance(member) == 120


def test_a_reversed_redemption_cancels_the_voucher_and_returns_the_stock(member, program):
    give(member, 100)
    reward = RewardFactory(cost_points=100, stock=1)
    redemption = reward_redeem(member=member, reward=reward, idempotency_key=new_key())

    reverse(redemption.entry)

    assert Voucher.objects.get(pk=redemption.voucher.pk).status == Voucher.Status.CANCELLED
    assert Reward.objects.get(pk=reward.pk).stock == 1
    assert balance(member) == 100


def test_a_redemption_whose_voucher_was_used_cannot_be_reversed(member, program):
    give(member, 100)
    redemption = reward_redeem(
        member=member, reward=RewardFactory(cost_points=100), idempotency_key=new_key()
    )
    voucher_use(code=redemption.voucher.code, idempotency_key=new_key())
    before = wallet_state()

    refused("voucher_used", entry_reverse, entry=redemption.entry, reason="refund", idempotency_key=new_key())

    assert wallet_state() == before

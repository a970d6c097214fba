"""Refunds: a purchase given back in whole or in part takes back, in proportion, what it
earned (points, stamps, tier progress), never more and never twice (issue 14, item 3)."""

from datetime import timedelta

import pytest

from rewards.models import LedgerEntry, MemberStampCard, Operation, Refund, Voucher, Wallet
from rewards.services import entry_reverse, purchase_register, reward_redeem, voucher_use, wallets_reconcile
from rewards.services.refunds import purchase_refund
from tests.factories import RewardFactory, StampCardFactory
from tests.rewards.wallet_helpers import T0, balance, give, new_key, refused

pytestmark = pytest.mark.django_db


def buy(member, ore, *, at=T0):
    result = purchase_register(member=member, amount_ore=ore, idempotency_key=new_key(), at=at)
    return Operation.objects.get(pk=result.operation_id)


def refund(purchase, ore, *, key=None, at=T0 + timedelta(days=3)):
    return purchase_refund(purchase=purchase, amount_ore=ore, idempotency_key=key or new_key(), at=at)


def test_a_whole_refund_takes_back_every_point_of_the_purchase(member, program):
    purchase = buy(member, 12_950)

    refund(purchase, 12_950)

    assert balance(member) == 0
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.REFUND)
    assert (entry.points, entry.amount_ore, entry.qualifying) == (-129, -12_950, True)
    assert wallets_reconcile() == []


@pytest.mark.parametrize(
    "parts",
    [[3_333, 3_333, 3_333, 1], [1, 9_999], [5_000, 5_000], [7, 7, 7, 9_979], [10_000]],
)
def test_part_refunds_add_up_to_exactly_what_the_purchase_earned_never_more(member, program, parts):
    give(member, 1_000, at=T0)  # other points the refunds must never reach
    purchase = buy(member, 10_000)  # 100 points

    taken = []
    for part in parts:
        refund(purchase, part)
        taken.append(Refund.objects.latest("id").points)
        assert sum(taken) <= 100

    assert sum(taken) == 100
    assert balance(member) == 1_000


def test_a_part_refund_takes_back_points_in_proportion_rounded_in_the_members_favour(member, program):
    purchase = buy(member, 10_000)

    refund(purchase, 3_350)

    assert Refund.objects.get().points == 33
    assert balance(member) == 67


def test_more_than_is_left_to_refund_is_refused_and_nothing_changes(member, program):
    purchase = buy(member, 10_000)
    refund(purchase, 6_000)

    refused("refund_too_large", refund, purchase=purchase, ore=4_001)

    assert Refund.objects.count() == 1 and balance(member) == 40


def test_a_repeated_refund_request_refunds_once(member, program):
    purchase = buy(member, 10_000)

    first = refund(purchase, 4_000, key="pos-refund-1")
    again = refund(purchase, 4_000, key="pos-refund-1")

    assert again.replayed and again.entry == first.entry
    assert Refund.objects.count() == 1 and balance(member) == 60


def test_points_spent_already_are_recorded_not_taken_from_other_earnings_to_go_negative(member, program):
    purchase = buy(member, 50_000)  # 500 points
    reward_redeem(member=member, reward=RewardFactory(cost_points=400), idempotency_key=new_key())

    refund(purchase, 50_000)

    row = Refund.objects.get()
    assert (row.points, row.points_short) == (100, 400)
    assert balance(member) == 0


def test_a_refunded_purchase_cannot_then_be_undone_and_an_undone_one_cannot_be_refunded(member, program):
    refunded, undone = buy(member, 10_000), buy(member, 20_000)
    refund(refunded, 1_000)
    entry_reverse(entry=undone.entries.get(), reason="undo", idempotency_key=new_key())

    refused(
        "already_refunded", entry_reverse, entry=refunded.entries.get(), reason="x", idempotency_key=new_key()
    )
    refused("already_reversed", refund, purchase=undone, ore=1_000)


def test_a_refund_takes_back_the_tier_the_purchase_reached(member, program, tiers):
    purchase = buy(member, 600_000)  # 6 000 points: Gull
    assert Wallet.objects.get(member=member).tier.name == "Gull"

    refund(purchase, 400_000)  # 2 000 points left: Sølv

    assert Wallet.objects.get(member=member).tier.name == "Sølv"


def test_a_whole_refund_takes_back_the_purchase_stamp_and_the_voucher_it_completed(member, program):
    card = StampCardFactory(stamps_needed=2, counts_purchases=True)
    buy(member, 5_000)
    purchase = buy(member, 5_000)  # the second stamp fills the card
    voucher = Voucher.objects.get(stamp_entry__operation=purchase)

    refund(purchase, 2_500)
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE  # a part refund keeps the stamp

    refund(purchase, 2_500)
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.CANCELLED
    assert MemberStampCard.objects.get(card=card).stamps == 1
    assert Refund.objects.latest("id").stamps == 1


def test_a_stamp_whose_voucher_was_used_stays_and_the_refund_still_stands(member, program):
    StampCardFactory(stamps_needed=1, counts_purchases=True)
    purchase = buy(member, 5_000)
    voucher_use(code=Voucher.objects.get().code, idempotency_key=new_key())

    refund(purchase, 5_000)

    row = Refund.objects.get()
    assert (row.stamps, row.stamps_kept, row.points) == (0, 1, 50)
    assert balance(member) == 0


def test_only_a_purchase_can_be_refunded(member, program):
    give(member, 100)
    grant = Operation.objects.get(kind="award")

    refused("not_a_purchase", refund, purchase=grant, ore=100)

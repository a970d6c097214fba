"""Tier progress goes back with the purchase: a reversal (an undo at the till, a refund)
takes back a tier that only the reversed progress reached, as earning would have judged it."""

from datetime import timedelta

import pytest

from rewards.models import Wallet
from rewards.services import counter, entry_reverse, purchase_register
from tests.rewards.wallet_helpers import T0, new_key

pytestmark = pytest.mark.django_db


def buy(member, kroner, *, at=T0):
    return purchase_register(member=member, amount_ore=kroner * 100, idempotency_key=new_key(), at=at)


def reverse(entry, *, at):
    return entry_reverse(entry=entry, reason="mistake", idempotency_key=new_key(), at=at)


def tier_of(member):
    wallet = Wallet.objects.select_related("tier").get(member=member)
    return (wallet.tier.name if wallet.tier else None), wallet.tier_review_at


def test_reversing_the_purchase_that_reached_gull_puts_the_member_back(member, program, tiers):
    buy(member, 100, at=T0 - timedelta(days=40))
    bronse_review = tier_of(member)[1]
    big = buy(member, 100_000, at=T0).entry
    assert tier_of(member)[0] == "Gull"

    reverse(big, at=T0 + timedelta(minutes=2))

    assert tier_of(member) == ("Bronse", bronse_review)
    assert buy(member, 200, at=T0 + timedelta(minutes=3)).entry.points == 200  # Bronse's rate, not Gull's 1.5


def test_an_undo_at_the_till_takes_the_tier_back_too(member, program, tiers, cashier, shop):
    def at_till():
        return {"staff": cashier, "location": shop, "nonce": counter.new_nonce()}

    counter.counter_purchase(member=member, amount_ore=10_000_000, confirmed=True, **at_till())
    assert tier_of(member)[0] == "Gull"

    counter.counter_undo(member=member, **at_till())

    assert tier_of(member)[0] == "Bronse"


def test_what_the_remaining_purchases_reach_is_kept(member, program, tiers):
    buy(member, 100, at=T0)
    first = buy(member, 2_500, at=T0 + timedelta(days=1)).entry  # Sølv
    buy(member, 2_500, at=T0 + timedelta(days=2))  # 3 125 points at Sølv's 1.25: Gull
    assert tier_of(member)[0] == "Gull"

    reverse(first, at=T0 + timedelta(days=3))

    assert tier_of(member)[0] == "Sølv"  # 100 + 3 125 qualifying points still reach Sølv


def test_a_tier_held_before_the_reversed_purchase_is_kept_until_its_review(member, program, tiers):
    buy(member, 5_000, at=T0)  # Gull
    later = buy(member, 100, at=T0 + timedelta(days=20)).entry
    gull = tier_of(member)

    reverse(later, at=T0 + timedelta(days=21))

    assert tier_of(member) == gull


def test_a_partial_reversal_that_still_reaches_the_tier_keeps_it(member, program, tiers):
    buy(member, 5_000, at=T0)
    small = buy(member, 10, at=T0 + timedelta(minutes=1)).entry

    reverse(small, at=T0 + timedelta(minutes=2))

    assert tier_of(member)[0] == "Gull"

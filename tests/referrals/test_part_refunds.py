"""A part refund of the friend's qualifying purchase: the referral stands while what is
left still qualifies, and is taken back whole once it does not."""

import pytest

from referrals.models import Referral
from rewards.models import Operation
from rewards.services.refunds import purchase_refund
from tests.referrals.helpers import balance, buy, fresh, invited

pytestmark = pytest.mark.django_db


def refund(purchase, ore, key):
    operation = Operation.objects.get(pk=purchase.operation_id)
    return purchase_refund(purchase=operation, amount_ore=ore, idempotency_key=key)


def test_a_part_refund_that_leaves_a_qualifying_purchase_keeps_the_referral(kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        purchase = buy(referral.friend, 15_000)  # the minimum is 100 kr

    with after_commit():
        refund(purchase, 5_000, "part-1")  # 100 kr kept

    assert fresh(referral).status == Referral.Status.PAID
    assert balance(kari_code.member) == 200


def test_a_part_refund_below_the_minimum_takes_both_rewards_back(kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        purchase = buy(referral.friend, 15_000)

    with after_commit():
        refund(purchase, 5_001, "part-2")  # 99,99 kr kept

    referral = fresh(referral)
    assert referral.status == Referral.Status.REVERSED and referral.reason_list == ["refunded"]
    assert balance(kari_code.member) == 0

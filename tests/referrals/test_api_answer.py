"""A register's purchase through the POS API says whether it qualifies the referral that
brought the member in (issue 19), and the referral then qualifies as the answer said."""

from __future__ import annotations

import pytest

from referrals.models import Referral
from tests.referrals.helpers import fresh, invited
from tests.rewards.api_client import Register, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(client, shop, program):
    _key, raw = make_key(shop)
    return Register(client, raw)


def test_a_purchase_below_the_minimum_says_no_and_the_referral_waits(register, kari_code, after_commit):
    referral = invited(kari_code)

    with after_commit():
        answer = register.buy(referral.friend, amount="99.99", receipt="R-1").json()

    assert answer["referral_qualified"] is False
    assert fresh(referral).status == Referral.Status.PENDING


def test_a_big_enough_purchase_says_yes_and_the_referral_qualifies(register, kari_code, after_commit):
    referral = invited(kari_code)

    with after_commit():
        answer = register.buy(referral.friend, amount="100.00", receipt="R-2").json()

    assert answer["referral_qualified"] is True
    assert fresh(referral).status == Referral.Status.QUALIFIED


def test_a_member_nobody_referred_is_told_no(register, kari_code):
    answer = register.buy(kari_code.member, amount="500.00", receipt="R-3").json()

    assert answer["referral_qualified"] is False

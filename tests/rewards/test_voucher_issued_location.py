"""A voucher knows the shop it was issued in: where it was bought with points or its stamp
card filled up (a shop's dashboard counts it there without reading the ledger)."""

import importlib
import uuid

import pytest
from django.apps import apps

from members.services import member_export
from rewards import services
from rewards.models import Voucher
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory

pytestmark = pytest.mark.django_db


def key() -> str:
    return uuid.uuid4().hex


def issued_in(*vouchers):
    return [Voucher.objects.get(pk=voucher.pk).issued_location for voucher in vouchers]


@pytest.fixture
def three_vouchers():
    """Bought with points at Sentrum, filled up at Torget, and a gift from no shop."""
    sentrum, torget = LocationFactory(name="Sentrum"), LocationFactory(name="Torget")
    member = MemberFactory()
    services.purchase_register(member=member, amount_ore=100_000, idempotency_key=key(), location=torget)
    bought = services.reward_redeem(
        member=member, reward=RewardFactory(cost_points=100), idempotency_key=key(), location=sentrum
    ).voucher
    card = StampCardFactory(stamps_needed=2, max_stamps_per_visit=2)
    filled = services.stamps_add(member=member, card=card, stamps=2, idempotency_key=key(), location=torget)
    gift = services.voucher_gift(member=member, reward=RewardFactory(cost_points=None), idempotency_key=key())
    return (bought, filled.vouchers[0], gift), (sentrum, torget)


def test_a_voucher_is_issued_in_the_shop_where_it_was_bought_or_its_card_filled(three_vouchers):
    vouchers, (sentrum, torget) = three_vouchers
    assert issued_in(*vouchers) == [sentrum, torget, None]


def test_the_vouchers_from_before_get_the_shop_of_the_entry_that_issued_them(three_vouchers):
    vouchers, (sentrum, torget) = three_vouchers
    Voucher.objects.update(issued_location=None)

    importlib.import_module("rewards.migrations.0028_voucher_issued_location").place(apps, None)

    assert issued_in(*vouchers) == [sentrum, torget, None]


def test_the_members_export_says_where_each_voucher_was_issued(three_vouchers):
    (bought, _filled, _gift), _shops = three_vouchers

    exported = member_export(member=bought.wallet.member)["vouchers"]

    assert [voucher["issued_location"] for voucher in exported] == ["Sentrum", "Torget", None]

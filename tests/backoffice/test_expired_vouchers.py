"""Admin says "utløpt" of a voucher past its date, never "klar til bruk" (issue 14, item 18)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rewards.models import Voucher
from rewards.services import reward_redeem
from tests.factories import MemberFactory, RewardFactory
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def vouchers(db, program):
    member = MemberFactory()
    give(member, 1_000)
    fresh = reward_redeem(member=member, reward=RewardFactory(name="Fersk"), idempotency_key="a").voucher
    old = reward_redeem(member=member, reward=RewardFactory(name="Gammel"), idempotency_key="b").voucher
    Voucher.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    return member, fresh, old


@pytest.fixture
def norwegian_owner(owner):
    client = Client()
    client.force_login(owner)
    return client


def test_the_voucher_list_says_expired_and_filters_by_it(norwegian_owner, vouchers):
    _member, fresh, old = vouchers
    url = reverse("admin:rewards_voucher_changelist")

    page = norwegian_owner.get(url).content.decode()
    expired_only = norwegian_owner.get(url, {"state": "expired"}).content.decode()

    assert page.count("utløpt") >= 2  # the old voucher's row and the filter
    assert old.code in expired_only and fresh.code not in expired_only
    ready_only = norwegian_owner.get(url, {"state": "active"}).content.decode()
    assert fresh.code in ready_only and old.code not in ready_only


def test_the_member_page_says_expired(norwegian_owner, vouchers):
    member, _fresh, _old = vouchers

    page = norwegian_owner.get(reverse("admin:members_member_change", args=[member.pk])).content.decode()

    assert "<td>utløpt</td>" in page and "<td>klar til bruk</td>" in page

"""Odd input on every referral page gets an answer, never a server error, and pays nothing."""

import pytest
from django.urls import reverse

from referrals.models import Referral, ReferralPayout
from tests.referrals.helpers import new_friend

pytestmark = pytest.mark.django_db

ODD = ["", " ", "0", "-1", "1e9", "abc", "🙂", "<script>", "' OR 1=1 --", "x" * 10_000, "\x00", "ABCD-2345-"]


@pytest.mark.parametrize("value", ODD)
def test_the_sign_up_pages_answer_odd_values_without_a_server_error(client, kari_code, value):
    data = {"code": value, "contact": value, "first_name": value, "marketing_consent": value}

    assert client.post(reverse("referrals:enter"), data).status_code < 500
    assert client.post(reverse("referrals:landing", args=[kari_code.code]), data).status_code < 500
    link = value.replace("/", "").strip() or "x"
    assert client.get(f"/verv/{link[:300]}/").status_code < 500
    assert not Referral.objects.exists()


@pytest.mark.parametrize("value", ODD)
def test_the_counter_answers_odd_codes_without_a_server_error(till, shop, kari_code, value):
    friend = new_friend()
    url = reverse("referrals:counter_code", args=[shop.pk, friend.number])

    assert till.post(url, {"code": value, "nonce": value}).status_code < 500
    assert not ReferralPayout.objects.exists()


def test_the_counter_url_refuses_get(till, shop):
    assert till.get(reverse("referrals:counter_code", args=[shop.pk, new_friend().number])).status_code == 405

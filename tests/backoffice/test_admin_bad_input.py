"""The owner's admin answers a bad posted value or a made-up address with a message, not a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from referrals.models import ReferralProgram
from rewards.models import StampCard
from tests.factories import MemberFactory, RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_page(owner_client) -> Client:
    owner_client.raise_request_exception = False  # a 500 as the browser would see it
    return owner_client


@pytest.mark.parametrize("reward", ["abc", "1e9", "-5", "\x00", "x" * 10_000])
def test_a_stamp_card_with_a_reward_that_is_no_reward_is_shown_again_with_an_error(owner_page, reward):
    RewardFactory(name="Kaffe")
    data = {"name": "Kaffekort", "reward": reward, "stamps_needed": "10", "max_stamps_per_visit": "1"}

    response = owner_page.post(reverse("admin:rewards_stampcard_add"), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["reward"]
    assert 'class="errorlist' in response.content.decode()
    assert not StampCard.objects.exists()


def test_the_referral_settings_with_a_reward_that_is_no_reward_are_shown_again_with_an_error(owner_page):
    ReferralProgram.load()
    url = reverse("admin:referrals_referralprogram_change", args=[1])

    response = owner_page.post(
        url, {"referrer_kind": "voucher", "referrer_reward": "abc", "friend_reward": "1e9"}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"referrer_reward", "friend_reward"} <= set(errors)
    assert "Select a valid choice" in str(errors["referrer_reward"])


@pytest.mark.parametrize("model", ["members_member", "rewards_ledgerentry"])
def test_an_export_address_with_a_made_up_filter_exports_nothing_and_says_why(owner_page, model):
    MemberFactory()
    changelist = reverse(f"admin:{model}_changelist")

    response = owner_page.get(reverse(f"admin:{model}_export"), {"start": "2026-01-01"}, follow=True)

    assert response.redirect_chain == [(changelist, 302)]
    assert "nothing was exported" in response.content.decode()

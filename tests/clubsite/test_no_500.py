"""Odd input anywhere a person can type or paste gets an answer, never a server error."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from clubsite import sms
from members.models import ConsentEvent, Interest, Member
from rewards.errors import RewardsError
from rewards.models import Voucher
from tests.factories import MemberFactory, RewardFactory

ODD = ["", " ", "0", "-1", "1e9", "12,50", "abc", "🙂", "<script>", "' OR 1=1 --", "x" * 10_000, "\x00"]


@pytest.fixture
def member(db):
    Interest.objects.create(name="Brød")  # the interests question has something to choose
    return MemberFactory(user__first_name="Kari")


@pytest.fixture
def client_of_member(client, member):
    client.force_login(member.user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_odd_values_in_the_members_forms_are_refused_with_a_reason_and_change_nothing(
    client_of_member, member, value
):
    reward = RewardFactory(cost_points=100)  # a real one: the nonce is what the view must check
    consents_before = ConsentEvent.objects.filter(member=member).count()

    redeemed = client_of_member.post(
        reverse("rewards:redeem", args=[reward.pk]), {"nonce": value}, follow=True
    )
    consents = client_of_member.post(reverse("members:consents"), {"email": value, "frequency": value})
    deleted = client_of_member.post(reverse("members:delete"), {"confirm": value})

    with translation.override("nb"):
        assert messages_of(redeemed) == [RewardsError("reward_unavailable").message]
    assert not Voucher.objects.exists()
    assert consents.status_code == 400 and "invalid-feedback" in consents.content.decode()
    assert ConsentEvent.objects.filter(member=member).count() == consents_before
    assert deleted.status_code == 400
    member.refresh_from_db()
    assert not member.is_erased


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_odd_values_in_the_profile_are_refused_or_stored_clean(client_of_member, member, value):
    posts = {
        reverse("members:profile"): {"first_name": value, "birthday": value, "postcode": value},
        reverse("members:answer", args=["birthday"]): {"q-birthday": value},
        reverse("members:answer", args=["interests"]): {"q-interests": value},
    }
    for url, data in posts.items():
        response = client_of_member.post(url, data)
        member.refresh_from_db()
        member.user.refresh_from_db()
        if response.status_code == 400:  # refused: the form says why, the profile is as it was
            assert "invalid-feedback" in response.content.decode(), url
            assert member.user.first_name == "Kari"
        else:  # taken: only what fits the fields, and no NUL
            assert response.status_code == 302, url
            stored = [member.user.first_name, member.postcode or "", str(member.birthday or "")]
            assert all("\x00" not in text and len(text) <= 100 for text in stored), url


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_anonymous_forms_and_links_refuse_odd_values_and_change_nothing(client, value):
    joined = client.post(reverse("members:join"), {"contact": value, "first_name": value})
    asked = client.post(reverse("account_request_login_code"), {"login": value})
    token = value.replace("/", "") or "x"
    unsubscribed = client.get(f"/avmeld/{token[:300]}/")

    assert joined.status_code in (200, 400) and "invalid-feedback" in joined.content.decode()
    assert not Member.objects.exists()
    assert asked.status_code < 500 and mail.outbox == [] and sms.outbox == []  # no code sent anywhere
    assert unsubscribed.status_code in (400, 404) and not ConsentEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1e9"])
def test_odd_page_numbers_in_the_history_are_answered(client_of_member, page):
    assert client_of_member.get(reverse("rewards:history"), {"page": page}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["x", "ABCDEFGHJK", "🙂", "x" * 500])
def test_unknown_voucher_codes_are_not_found(client_of_member, code):
    assert client_of_member.get(reverse("rewards:voucher", args=[code])).status_code == 404

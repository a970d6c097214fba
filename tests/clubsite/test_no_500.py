"""Odd input anywhere a person can type or paste gets an answer, never a server error."""

import pytest
from django.urls import reverse

from tests.factories import MemberFactory

ODD = ["", " ", "0", "-1", "1e9", "12,50", "abc", "🙂", "<script>", "' OR 1=1 --", "x" * 10_000, "\x00"]


@pytest.fixture
def client_of_member(client, db):
    client.force_login(MemberFactory().user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_forms_answer_odd_values_without_a_server_error(client_of_member, value):
    posts = {
        reverse("members:profile"): {"first_name": value, "birthday": value, "postcode": value},
        reverse("members:consents"): {"email": value, "frequency": value},
        reverse("members:answer", args=["birthday"]): {"q-birthday": value},
        reverse("members:answer", args=["interests"]): {"q-interests": value},
        reverse("rewards:redeem", args=[1]): {"nonce": value},
        reverse("members:delete"): {"confirm": value},
    }
    for url, data in posts.items():
        assert client_of_member.post(url, data).status_code < 500, url


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_anonymous_forms_and_links_answer_odd_values_without_a_server_error(client, value):
    assert client.post(reverse("members:join"), {"contact": value, "first_name": value}).status_code < 500
    assert client.post(reverse("account_request_login_code"), {"login": value}).status_code < 500
    token = value.replace("/", "") or "x"
    assert client.get(f"/avmeld/{token[:300]}/").status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1e9"])
def test_odd_page_numbers_in_the_history_are_answered(client_of_member, page):
    assert client_of_member.get(reverse("rewards:history"), {"page": page}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["x", "ABCDEFGHJK", "🙂", "x" * 500])
def test_unknown_voucher_codes_are_not_found(client_of_member, code):
    assert client_of_member.get(reverse("rewards:voucher", args=[code])).status_code == 404

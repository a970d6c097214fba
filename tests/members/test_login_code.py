"""Logging in without a password: a one-time code by e-mail or SMS (allauth login-by-code)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clubsite import sms
from members import roles
from tests.factories import MemberFactory, UserFactory, staff_user

REQUEST = reverse("account_request_login_code")
CONFIRM = reverse("account_confirm_login_code")


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.mark.django_db
def test_a_member_logs_in_with_a_code_sent_by_email(client):
    member = MemberFactory(user__email="kari@example.com")
    response = client.post(REQUEST, {"login": "Kari@Example.com"})
    assert response.status_code == 302
    assert response.url.startswith(CONFIRM)
    code = code_in(mail.outbox[-1].body)

    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 302
    assert response.url == reverse("members:card")
    assert client.get(reverse("members:card")).context["member"] == member


@pytest.mark.django_db
def test_a_member_logs_in_with_a_code_sent_by_sms_to_a_locally_typed_number(client):
    member = MemberFactory(user__email=None, user__phone="+4791234567")
    client.post(REQUEST, {"login": "912 34 567"})
    [message] = sms.outbox
    assert message.to == "+4791234567"
    response = client.post(CONFIRM, {"code": code_in(message.body)})
    assert response.status_code == 302
    assert client.get(reverse("members:card")).context["member"] == member


@pytest.mark.django_db
def test_a_wrong_code_does_not_log_in(client):
    MemberFactory(user__email="kari@example.com")
    client.post(REQUEST, {"login": "kari@example.com"})
    response = client.post(CONFIRM, {"code": "AAAAAA"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_unknown_number_gets_an_sms_inviting_to_join_and_no_code(client):
    client.post(REQUEST, {"login": "91234567"})
    [message] = sms.outbox
    assert reverse("members:join") in message.body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_bad_login_value_gets_a_clear_error(client):
    response = client.post(REQUEST, {"login": "12"})
    assert response.status_code == 200
    assert response.context["form"].errors["login"]
    assert sms.outbox == [] and mail.outbox == []


@pytest.mark.django_db
def test_code_requests_for_one_address_are_rate_limited_across_sessions(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "2/h/key"}
    MemberFactory(user__email="kari@example.com")
    for _ in range(2):
        assert Client().post(REQUEST, {"login": "kari@example.com"}).status_code == 302
    response = Client().post(REQUEST, {"login": "kari@example.com"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_staff_log_in_with_a_password_and_land_at_the_counter(client):
    user = staff_user(roles.COUNTER_STAFF, email="kasse@example.com")
    response = client.post(
        reverse("account_login"), {"login": "kasse@example.com", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == reverse("rewards:counter")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_user_without_a_member_profile_is_sent_to_join(client):
    client.force_login(UserFactory())
    assert client.get(reverse("members:card")).url == reverse("members:join")


@pytest.mark.django_db
def test_social_login_buttons_appear_only_when_the_owner_switches_a_provider_on(client):
    from allauth.socialaccount.models import SocialApp

    assert "/accounts/google/login/" not in client.get(reverse("members:join")).content.decode()
    SocialApp.objects.create(provider="google", name="Google", client_id="id", secret="s")
    for page in (reverse("members:join"), REQUEST):
        assert "/accounts/google/login/" in client.get(page).content.decode()


@pytest.mark.django_db
def test_a_social_sign_up_gets_a_member_profile_and_card(rf):
    from allauth.socialaccount.models import SocialAccount, SocialLogin
    from django.contrib.sessions.middleware import SessionMiddleware

    from members.adapter import SocialAccountAdapter
    from members.models import User

    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    sociallogin = SocialLogin(
        user=User(email="kari@gmail.example", first_name="Kari"),
        account=SocialAccount(provider="google", uid="1234"),
    )
    user = SocialAccountAdapter(request).save_user(request, sociallogin)
    assert user.member.source == "social"
    assert len(user.member.number) == 8

"""Right of access (export) and right to erasure."""

import io
import json
import re
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from members.models import Interest, Member, User
from members.selectors import consent_current
from members.services import MembersError, consent_set, member_erase, member_export, member_join
from tests.factories import LocationFactory

# Fields that are bookkeeping, not about the person; everything else must be exported.
NOT_PERSONAL = {"password", "card_secret", "is_superuser"}


@pytest.fixture
def kari(db):
    member = member_join(
        first_name="Zelmira", email="zelmira.quist@example.com", marketing_consent=True, welcome=False
    )
    user = member.user
    user.last_name, user.phone = "Quist-Ødegård", "+4791234567"
    user.save()
    member.birthday, member.postcode = date(1987, 3, 14), "7043"
    member.save()
    member.interests.add(Interest.objects.create(name="Surdeig"))
    consent_set(member=member, channel="sms", granted=True, source="preferences")
    return member


def test_the_export_contains_every_personal_field_of_user_and_member(kari):
    data = member_export(member=kari)
    for model, section in [(User, "user"), (Member, "member")]:
        for field in model._meta.concrete_fields:
            if field.name in NOT_PERSONAL or field.name == "user":
                continue
            assert field.name in data[section], f"{model.__name__}.{field.name} is missing from the export"
    assert data["user"]["last_name"] == "Quist-Ødegård"
    assert data["member"]["birthday"] == "1987-03-14"
    assert data["member"]["interests"] == ["Surdeig"]
    assert {e["channel"] for e in data["consent_log"]} == {"email", "sms"}
    assert data["email_addresses"][0]["email"] == "zelmira.quist@example.com"


def test_the_member_downloads_the_export_as_a_json_file(client, kari):
    client.force_login(kari.user)
    response = client.post(reverse("members:my_data"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["user"]["phone"] == "+4791234567"


def _dump_everything() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out, natural_foreign=False)
    return out.getvalue()


def _holds(dump: str, value: str) -> bool:
    # Whole values only: a short one like the postcode also turns up inside random hashes and
    # the microseconds of timestamps, which are nobody's personal data.
    return re.search(rf"(?<![\w+]){re.escape(value)}(?!\w)", dump) is not None


@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_personal_value_in_any_table(kari):
    client = Client()
    client.force_login(kari.user)  # a live session holds the user id too
    personal = [
        "zelmira.quist@example.com",
        "Zelmira",
        "Quist-Ødegård",
        "+4791234567",
        "1987-03-14",
        "7043",
        kari.number,
    ]
    before = _dump_everything()
    assert all(_holds(before, value) for value in personal)

    member_erase(member=kari)

    after = _dump_everything()
    survivors = [value for value in personal if _holds(after, value)]
    assert survivors == []
    assert client.get(reverse("members:card")).status_code == 302  # logged out everywhere


def test_erasure_withdraws_consent_and_the_member_can_no_longer_log_in(kari):
    member_erase(member=kari)
    kari.refresh_from_db()
    assert consent_current(kari) == {"email": False, "sms": False}
    assert not kari.user.is_active
    assert not EmailAddress.objects.filter(user=kari.user).exists()
    mail.outbox.clear()
    Client().post(reverse("account_request_login_code"), {"login": "zelmira.quist@example.com"})
    assert mail.outbox, "the address gets the 'no account here' e-mail"
    assert not any(re.search(r"\b\d{6}\b", message.body) for message in mail.outbox)


def test_a_session_open_when_the_member_is_erased_is_logged_out(kari):
    browser = Client()
    browser.force_login(kari.user, backend="django.contrib.auth.backends.ModelBackend")
    assert browser.get(reverse("members:card")).status_code == 200  # the session is cached now

    member_erase(member=kari)

    assert SessionStore(session_key=browser.session.session_key).load() == {}
    response = browser.get(reverse("members:card"))
    assert response.status_code == 302 and "login" in response.url


def test_the_rows_stay_for_accounting_and_a_second_erasure_is_refused(kari):
    member_erase(member=kari)
    assert Member.objects.filter(pk=kari.pk).exists()
    with pytest.raises(MembersError) as error:
        member_erase(member=kari)
    assert error.value.code == "already_erased"


def test_an_erased_member_can_join_again_as_new(kari):
    member_erase(member=kari)
    again = member_join(first_name="Zelmira", email="zelmira.quist@example.com", welcome=False)
    assert again.pk != kari.pk


def test_deleting_my_membership_needs_the_confirmation_box(client, kari):
    client.force_login(kari.user)
    response = client.post(reverse("members:delete"), {})
    assert response.status_code == 400
    kari.refresh_from_db()
    assert kari.erased_at is None

    response = client.post(reverse("members:delete"), {"confirm": "yes"})
    assert response.status_code == 302
    kari.refresh_from_db()
    assert kari.erased_at is not None
    assert "_auth_user_id" not in client.session


def test_staff_locations_are_exported_too(kari):
    kari.user.locations.add(LocationFactory(name="Bakeriet Løkka"))
    assert member_export(member=kari)["locations"] == ["Bakeriet Løkka"]

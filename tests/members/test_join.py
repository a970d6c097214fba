"""Joining: at most three fields, e-mail or mobile, consent unticked by default."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from clubsite import sms
from members.models import ConsentEvent, Member, User
from members.services import NUMBER_ALPHABET, MembersError, member_join

JOIN = reverse("members:join")


def join(client, contact="kari@example.com", first_name="Kari", consent=False):
    data = {"contact": contact, "first_name": first_name}
    if consent:
        data["marketing_consent"] = "on"
    return client.post(JOIN, data)


@pytest.mark.django_db
def test_join_form_has_three_fields_and_the_consent_box_is_unticked(client):
    response = client.get(JOIN)
    form = response.context["form"]
    assert list(form.fields) == ["contact", "first_name", "marketing_consent"]
    box = re.search(r'<input[^>]*name="marketing_consent"[^>]*>', response.content.decode()).group(0)
    assert "checked" not in box
    # The exact wording is on the page, and the terms are a link, not another field.
    assert form.fields["marketing_consent"].label in response.content.decode()
    assert reverse("terms") in response.content.decode()


@pytest.mark.django_db
def test_joining_with_email_logs_in_and_lands_on_the_welcome_card(client):
    response = join(client, contact="Kari@Example.com")
    assert response.status_code == 302
    assert response.url == reverse("members:welcome")
    member = Member.objects.get()
    assert member.user.email == "kari@example.com"
    assert member.user.phone is None
    assert not member.user.has_usable_password()
    assert member.terms_accepted_at is not None

    welcome = client.get(response.url)
    body = welcome.content.decode()
    assert welcome.status_code == 200
    assert "<svg" in body and member.display_number in body


@pytest.mark.django_db(transaction=True)
def test_joining_sends_a_welcome_email_after_commit(client):
    join(client, contact="kari@example.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kari@example.com"]
    assert Member.objects.get().display_number in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_joining_with_a_phone_sends_the_welcome_by_sms(client):
    join(client, contact="912 34 567")
    assert [m.to for m in sms.outbox] == ["+4791234567"]
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["91234567", "912 34 567", "+47 912 34 567", "0047 912 34 567"])
def test_a_mobile_number_in_local_or_international_form_is_stored_as_e164(client, typed):
    assert join(client, contact=typed).status_code == 302
    assert User.objects.get().phone == "+4791234567"


@pytest.mark.django_db
def test_a_foreign_mobile_number_is_accepted_with_its_country_code(client):
    join(client, contact="+46 70 123 45 67")
    assert User.objects.get().phone == "+46701234567"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["12", "letters", "22 22 22 22", "kari@", "@example.com", "9" * 40])
def test_a_bad_phone_or_email_gets_a_clear_error_and_creates_nothing(client, typed):
    response = join(client, contact=typed)
    assert response.status_code == 400
    [error] = response.context["form"].errors.as_data()["contact"]
    assert error.code == "invalid"
    assert error.messages[0] in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_joining_with_neither_email_nor_phone_is_refused_clearly(client):
    response = join(client, contact="  ")
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["contact"][0].code == "required"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_first_name_is_required_and_must_be_a_name(client):
    assert join(client, first_name="").status_code == 400
    assert join(client, first_name="<script>").status_code == 400
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_email_that_differs_only_in_case_is_the_same_member(client):
    join(client, contact="kari@example.com")
    client.logout()
    response = join(client, contact="KARI@EXAMPLE.COM", first_name="Kari")
    assert response.status_code == 400
    assert response.context["form"].errors["contact"]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_same_phone_cannot_join_twice_in_another_format(client):
    join(client, contact="91234567")
    client.logout()
    assert join(client, contact="+47 912 34 567").status_code == 400
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_ticked_consent_is_logged_with_the_exact_wording_shown(client):
    label = client.get(JOIN).context["form"].fields["marketing_consent"].label
    join(client, contact="kari@example.com", consent=True)
    event = ConsentEvent.objects.get()
    assert (event.channel, event.granted, event.source) == ("email", True, "signup")
    assert event.wording == label
    assert event.wording_version


@pytest.mark.django_db
def test_consent_given_with_a_phone_number_is_for_sms(client):
    join(client, contact="91234567", consent=True)
    assert ConsentEvent.objects.get().channel == "sms"


@pytest.mark.django_db
def test_an_unticked_box_grants_nothing(client):
    join(client, contact="kari@example.com", consent=False)
    assert not ConsentEvent.objects.exists()


@pytest.mark.django_db
def test_sign_up_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for n in range(2):
        join(client, contact=f"person{n}@example.com")
        client.logout()
    response = join(client, contact="person3@example.com")
    assert response.status_code == 400
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_member_numbers_are_unique_and_use_the_unambiguous_alphabet():
    numbers = {
        member_join(first_name="A", email=f"a{n}@example.com", welcome=False).number for n in range(200)
    }
    assert len(numbers) == 200
    assert all(len(n) == 8 and set(n) <= set(NUMBER_ALPHABET) for n in numbers)
    assert not set(NUMBER_ALPHABET) & set("01OIL")


@pytest.mark.django_db
def test_the_service_refuses_a_join_without_contact():
    with pytest.raises(MembersError) as error:
        member_join(first_name="Kari")
    assert error.value.code == "contact_missing"


@pytest.mark.django_db
def test_allauths_own_signup_page_leads_to_the_join_form(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 302
    assert response.url == JOIN

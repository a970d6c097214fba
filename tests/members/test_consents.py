"""The consent ledger: every grant and withdrawal is a row; the current state is derived."""

import pytest
from django.urls import reverse

from members.models import ConsentEvent
from members.selectors import consent_current
from members.services import consent_set, unsubscribe_token
from tests.factories import MemberFactory

CONSENTS = reverse("members:consents")


def preferences(email=False, sms=False, paused=False, frequency="monthly_2"):
    data = {"frequency": frequency}
    data.update({k: "on" for k, v in {"email": email, "sms": sms, "paused": paused}.items() if v})
    return data


@pytest.mark.django_db
def test_nothing_is_consented_until_the_member_says_yes(member):
    assert consent_current(member) == {}


@pytest.mark.django_db
def test_granting_and_withdrawing_each_write_a_row_and_the_latest_wins(member_client, member):
    member_client.post(CONSENTS, preferences(email=True))
    member_client.post(CONSENTS, preferences(email=False))
    rows = list(
        member.consent_events.order_by("created_at", "id").values_list("channel", "granted", "source")
    )
    assert rows == [("email", True, "preferences"), ("email", False, "preferences")]
    assert consent_current(member) == {"email": False}


@pytest.mark.django_db
def test_saving_unchanged_choices_writes_no_new_row(member_client, member):
    member_client.post(CONSENTS, preferences(email=True))
    member_client.post(CONSENTS, preferences(email=True))
    assert member.consent_events.count() == 1


@pytest.mark.django_db
def test_the_row_keeps_the_wording_the_member_saw(member_client, member):
    label = member_client.get(CONSENTS).context["form"].fields["email"].label
    member_client.post(CONSENTS, preferences(email=True))
    assert member.consent_events.get().wording == label


@pytest.mark.django_db
def test_sms_cannot_be_consented_without_a_mobile_number(member_client, member):
    assert member.user.phone is None
    member_client.post(CONSENTS, preferences(email=True, sms=True))
    assert consent_current(member) == {"email": True}


@pytest.mark.django_db
def test_pause_and_frequency_are_preferences_not_consents(member_client, member):
    member_client.post(CONSENTS, preferences(paused=True, frequency="monthly_1"))
    member.refresh_from_db()
    assert (member.marketing_paused, member.frequency) == (True, "monthly_1")
    assert not member.consent_events.exists()


@pytest.mark.django_db
def test_an_invalid_frequency_is_refused_and_nothing_changes(member_client, member):
    response = member_client.post(CONSENTS, preferences(email=True, frequency="daily"))
    assert response.status_code == 400
    assert response.context["form"].errors["frequency"]
    assert not member.consent_events.exists()


@pytest.mark.django_db
def test_consent_events_cannot_be_edited():
    member = MemberFactory()
    event = consent_set(member=member, channel="email", granted=True, source="signup")
    event.granted = False
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@pytest.mark.django_db
def test_the_unsubscribe_link_asks_first_then_withdraws_without_login(client):
    member = MemberFactory()
    consent_set(member=member, channel="email", granted=True, source="signup")
    url = reverse("members:unsubscribe", args=[unsubscribe_token(member=member, channel="email")])

    assert client.get(url).status_code == 200
    assert consent_current(member) == {"email": True}  # a link scanner's GET changes nothing

    assert client.post(url).status_code == 200
    assert consent_current(member) == {"email": False}
    assert member.consent_events.latest("created_at").source == "unsubscribe"


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["flip_last_char", "other_payload", "garbage"])
def test_an_unsubscribe_link_with_a_tampered_signature_is_refused(client, tamper):
    member, victim = MemberFactory(), MemberFactory()
    consent_set(member=victim, channel="email", granted=True, source="signup")
    token = unsubscribe_token(member=member, channel="email")
    if tamper == "flip_last_char":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif tamper == "other_payload":  # the victim's payload with my signature
        victim_payload = unsubscribe_token(member=victim, channel="email").split(":")[0]
        token = victim_payload + ":" + token.split(":", 1)[1]
    else:
        token = "not-a-token"
    response = client.post(reverse("members:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert consent_current(victim) == {"email": True}
    assert ConsentEvent.objects.filter(granted=False).count() == 0

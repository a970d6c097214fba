"""The owner writes, previews, tests and sends a campaign in admin; every bad input gets a
clear message and nothing goes twice (issue 15)."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignSettings, Message, Segment
from members import roles
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import MemberFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_quiet_hours(db):
    # The suite runs at any hour and on Sundays; quiet hours have tests of their own.
    rules = CampaignSettings.load()
    rules.day_starts, rules.day_ends, rules.quiet_sundays = time(0), time(23, 59, 59), False
    rules.save()


def form(name="Lørdagskaffe", subject="Hei {first_name}", body="Kaffe på huset", sms="", **extra) -> dict:
    data = {
        "name": name,
        "segment": str(Segment.objects.get_or_create(name="Alle")[0].pk),
        "channel": "email",
        "offer": "",
        "send_at_0": "",
        "send_at_1": "",
        "contents-TOTAL_FORMS": "1",
        "contents-INITIAL_FORMS": "0",
        "contents-MIN_NUM_FORMS": "0",
        "contents-MAX_NUM_FORMS": "3",
        "contents-0-language": "nb",
        "contents-0-subject": subject,
        "contents-0-body": body,
        "contents-0-sms": sms,
    }
    data.update(extra)
    return data


def act(client, made, action, **data):
    url = reverse("admin:campaigns_campaign_act", args=[made.pk, action])
    return client.post(url, data, follow=True).content.decode()


def test_a_typo_in_a_merge_field_is_refused_in_the_form(owner_client):
    response = owner_client.post(reverse("admin:campaigns_campaign_add"), form(subject="Hei {fornavn}"))

    assert response.status_code == 200
    assert "Unknown merge field: {fornavn}" in response.content.decode()
    assert not Campaign.objects.exists()


def test_an_sms_of_2000_characters_is_refused(owner_client):
    response = owner_client.post(reverse("admin:campaigns_campaign_add"), form(sms="x" * 2000, channel="sms"))

    assert "at most 612 characters" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_draft_shows_who_would_get_it_and_who_would_not(owner_client):
    subscriber(), subscriber(), subscriber(marketing_paused=True)
    MemberFactory()  # never said yes
    made = campaign()

    page = owner_client.get(reverse("admin:campaigns_campaign_change", args=[made.pk])).content.decode()

    assert "4 members in the segment now; 2 would get it." in page
    assert "The member paused marketing: 1" in page
    assert "No consent for the channel: 1" in page


def test_send_now_sends_and_a_double_click_sends_nobody_twice(
    owner_client, django_capture_on_commit_callbacks
):
    kari = subscriber()
    made = campaign()

    with django_capture_on_commit_callbacks(execute=True):
        first = act(owner_client, made, "send")
    with django_capture_on_commit_callbacks(execute=True):
        second = act(owner_client, made, "send")

    assert "The campaign is on its way." in first
    assert "Only a draft can be scheduled or sent" in second
    assert [m.to for m in mail.outbox] == [[kari.user.email]]
    assert "Sent: 1" in second


def test_a_campaign_nobody_can_get_is_not_sent_and_says_why(owner_client):
    MemberFactory()
    made = campaign()

    page = act(owner_client, made, "send")

    assert "Nobody in the segment can be reached on this channel right now" in page
    made.refresh_from_db()
    assert made.status == Campaign.Status.DRAFT


def test_a_send_time_in_the_past_is_refused(owner_client):
    subscriber()
    made = campaign(send_at=timezone.now() - timedelta(hours=1))

    page = act(owner_client, made, "schedule")

    assert "The time to send has passed" in page
    assert not Message.objects.exists()


def test_the_preview_shows_a_real_member_and_the_test_goes_to_the_owner(owner, owner_client):
    kari = subscriber(user__first_name="Kari")
    made = campaign()

    preview = owner_client.get(
        reverse("admin:campaigns_campaign_preview", args=[made.pk]), {"member": kari.display_number}
    ).content.decode()
    act(owner_client, made, "test", member=kari.number)

    assert "Hei Kari" in preview
    assert [(m.to, m.subject) for m in mail.outbox] == [([owner.email], "[TEST] Hei Kari!")]
    assert not Message.objects.exists()  # a test is not a message to the member


def test_pause_resume_and_cancel_from_the_page(owner_client):
    subscriber()
    made = campaign(status=Campaign.Status.SENDING)

    assert "The campaign is paused" in act(owner_client, made, "pause")
    assert "Only a campaign that is sending can be paused." in act(owner_client, made, "pause")
    assert "The campaign goes on." in act(owner_client, made, "resume")
    assert "The campaign is cancelled" in act(owner_client, made, "cancel")
    made.refresh_from_db()
    assert made.status == Campaign.Status.CANCELLED


@pytest.mark.parametrize("role", [roles.CUSTOMER_SERVICE, roles.COUNTER_STAFF])
def test_only_the_owner_writes_or_sends_campaigns(role):
    subscriber()
    made = campaign()
    other = Client()
    other.force_login(staff_user(role))

    page = other.get(reverse("admin:campaigns_campaign_change", args=[made.pk]))
    sent = other.post(reverse("admin:campaigns_campaign_act", args=[made.pk, "send"]))

    assert page.status_code in (302, 403) and sent.status_code in (302, 403)
    made.refresh_from_db()
    assert made.status == Campaign.Status.DRAFT and not mail.outbox

"""The owner's side of webhooks: adding an endpoint with its events in admin, reading each
delivery's tries and sending one again; and the events that come from tiers and referrals."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clubsite.webhooks.models import Delivery, Endpoint, EventType
from members import roles
from referrals import services as referral_services
from referrals.models import Referral, ReferralProgram
from rewards.services import purchase_register
from tests.factories import MemberFactory, TierFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    client = Client()
    client.force_login(staff_user(roles.OWNER))
    return client


def buy(member, amount_ore=15_000):
    return purchase_register(member=member, amount_ore=amount_ore, idempotency_key=f"buy:{uuid.uuid4().hex}")


def test_the_owner_adds_an_endpoint_picks_events_and_sees_its_secret(owner, receiver):
    response = owner.post(
        reverse("admin:clubsite_endpoint_add"),
        {
            "url": receiver.url,
            "description": "Kassesystemet",
            "events": ["purchase.recorded", "refund.recorded"],
        },
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["purchase.recorded", "refund.recorded"] and endpoint.secret.startswith(
        "whsec_"
    )
    page = owner.get(reverse("admin:clubsite_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in page


def test_an_endpoint_without_events_or_with_a_bad_url_is_refused_with_a_message(owner):
    response = owner.post(reverse("admin:clubsite_endpoint_add"), {"url": "ikke en adresse", "events": []})
    assert response.status_code == 200 and not Endpoint.objects.exists()
    assert len(response.context["adminform"].form.errors) == 2


def test_the_owner_reads_a_delivery_and_sends_it_again_from_its_page(owner, receiver, program, after_commit):
    endpoint = Endpoint.objects.create(url=receiver.url, events=EventType.values)
    receiver.secret, receiver.answers = endpoint.secret, [500, 200]
    with after_commit():
        buy(MemberFactory(user__first_name="Kari"))
    delivery = Delivery.objects.get()

    page = owner.get(reverse("admin:clubsite_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "webhook-signature" in text and "not now" in text and "Kari" in text
    assert owner.get(reverse("admin:clubsite_delivery_changelist")).status_code == 200

    with after_commit():
        sent = owner.post(reverse("admin:clubsite_delivery_send_again", args=[delivery.pk]))
    assert sent.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 2
    assert owner.get(reverse("admin:clubsite_delivery_send_again", args=[delivery.pk])).status_code == 405


def test_counter_staff_cannot_reach_the_webhooks(receiver):
    staff = Client()
    staff.force_login(staff_user(roles.COUNTER_STAFF))
    assert staff.get(reverse("admin:clubsite_endpoint_changelist")).status_code in (302, 403)


def test_a_tier_change_is_announced(receiver, program, after_commit):
    TierFactory(name="Bronse", threshold=0)
    TierFactory(name="Sølv", threshold=100)
    endpoint = Endpoint.objects.create(url=receiver.url, events=[EventType.TIER_CHANGED])
    receiver.secret = endpoint.secret
    with after_commit():
        buy(MemberFactory(), 20_000)

    [heard] = receiver.heard
    assert heard.verified and heard.payload["data"]["to"] == "Sølv" and heard.payload["data"]["upgrade"]


def test_a_rewarded_referral_is_announced_with_both_members(receiver, program, after_commit):
    referral_program = ReferralProgram.load()
    referral_program.is_active, referral_program.hold_days = True, 0
    referral_program.referrer_points, referral_program.friend_points = 200, 100
    referral_program.min_purchase_ore = 10_000
    referral_program.save()
    kari = MemberFactory(user__first_name="Kari")
    kari.joined_at = timezone.now() - timedelta(days=400)
    kari.save(update_fields=["joined_at"])
    code = referral_services.referral_code_get_or_create(member=kari)
    ola = MemberFactory(user__first_name="Ola")
    endpoint = Endpoint.objects.create(url=receiver.url, events=[EventType.REFERRAL_REWARDED])
    receiver.secret = endpoint.secret
    referral = referral_services.referral_attribute(friend=ola, code=code.code, channel=Referral.Channel.LINK)
    with after_commit():
        buy(ola)
    with after_commit():
        referral_services.referral_pay(referral_id=referral.pk, at=timezone.now() + timedelta(minutes=1))

    [heard] = receiver.heard
    assert heard.verified and heard.type == "referral.rewarded"
    assert heard.payload["data"]["referrer"]["first_name"] == "Kari"
    assert heard.payload["data"]["friend"]["first_name"] == "Ola"


def test_an_endpoint_added_in_admin_hears_the_very_next_purchase(owner, receiver, program, after_commit):
    kari = MemberFactory()
    with after_commit():
        buy(kari)  # nobody listens yet (and that is remembered for a while)
    with after_commit():
        owner.post(
            reverse("admin:clubsite_endpoint_add"),
            {"url": receiver.url, "events": ["purchase.recorded"], "is_active": "on"},
        )
    with after_commit():
        buy(kari)

    assert [h.type for h in receiver.heard] == ["purchase.recorded"]

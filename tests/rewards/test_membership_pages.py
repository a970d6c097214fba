"""The member's membership page (issue 17): the promise, price and refund rule before
joining, a trial in one tap, then the status, renewal date and value meter, and cancelling."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from members import roles
from rewards.models import Membership, MembershipPayment
from rewards.services.membership import trial_start
from tests.factories import PlanFactory, TierFactory, staff_user

pytestmark = pytest.mark.django_db
PAGE = reverse("rewards:membership")


def test_before_joining_the_member_sees_price_value_trial_and_the_refund_rule(member_client, program):
    PlanFactory()

    page = member_client.get(PAGE).content.decode()

    assert "kr 199 i året" in page and "verdt kr 600" in page
    assert "Prøv gratis i 30 dager" in page
    assert "en påbegynt periode refunderes ikke" in page


def test_a_trial_begins_in_one_tap_and_a_double_tap_is_no_error(member_client, member, program):
    vip = PlanFactory()
    url = reverse("rewards:membership_try", args=[vip.pk])

    member_client.post(url)
    page = member_client.post(url, follow=True).content.decode()

    assert Membership.objects.filter(member=member).count() == 1
    assert "Prøveperioden din varer til" in page and 'id="value-meter"' in page
    assert "alert-danger" not in page


def test_ending_the_trial_stops_it_and_it_cannot_begin_again(member_client, member, program):
    vip = PlanFactory()
    member_client.post(reverse("rewards:membership_try", args=[vip.pk]))

    member_client.post(reverse("rewards:membership_stop"))
    page = member_client.get(PAGE).content.decode()

    assert "Prøv gratis" not in page and "Spør i kassen" in page
    again = member_client.post(reverse("rewards:membership_try", args=[vip.pk]), follow=True).content.decode()
    assert "én gang per medlem" in again


def test_the_card_page_offers_the_trial_and_then_links_to_what_it_has_given(member_client, program):
    vip = PlanFactory()
    card = reverse("members:card")
    assert "Prøv VIP gratis i 30 dager" in member_client.get(card).content.decode()

    member_client.post(reverse("rewards:membership_try", args=[vip.pk]))

    assert "VIP: se hva det har gitt deg" in member_client.get(card).content.decode()


def test_the_owner_marks_a_period_paid_once_however_often_the_form_is_sent(client, member, program):
    client.force_login(staff_user(roles.OWNER))
    vip = PlanFactory()
    url = reverse("admin:rewards_membership_mark_paid")
    nonce = uuid.uuid4()

    for _ in range(2):
        answer = client.post(url, {"member": member.number, "plan": vip.pk, "nonce": nonce})
        assert answer.status_code == 302

    payment = MembershipPayment.objects.get()
    assert payment.kind == MembershipPayment.Kind.OWNER and payment.amount_ore == 19900
    assert client.get(reverse("admin:rewards_membership_changelist")).status_code == 200


def test_marking_paid_for_a_number_that_is_no_member_says_so(client, program):
    client.force_login(staff_user(roles.OWNER))
    vip = PlanFactory()

    page = client.post(
        reverse("admin:rewards_membership_mark_paid"),
        {"member": "NOSUCH99", "plan": vip.pk, "nonce": uuid.uuid4()},
    )

    assert page.status_code == 200 and "Ingen medlem i klubben har det nummeret" in page.content.decode()
    assert not MembershipPayment.objects.exists()


def test_a_member_lifted_to_a_higher_tier_sees_it_on_the_wallet_page(member_client, member, program):
    trial_start(member=member, plan=PlanFactory(tier=TierFactory(name="Gull", threshold=5000)))

    page = member_client.get(reverse("rewards:wallet")).content.decode()

    assert "Med VIP teller du som Gull." in page

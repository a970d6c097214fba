"""The member's membership page (issue 17): the promise, price and refund rule before
joining, a trial in one tap, then the status, renewal date and value meter, and cancelling."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rewards.models import Membership
from tests.factories import PlanFactory

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

"""Challenges and donations as they are used (issue 18): a member watches a challenge's
progress move after a purchase at the till, is congratulated once it is done, and gives
points to the football club from the phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import roles
from members.services import card_code
from rewards.models import Cause, Challenge, ChallengeCompletion, Donation
from rewards.services import points_award, purchase_register
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_member_sees_a_challenge_move_after_a_purchase_at_the_till_and_gives_points(logged_in, artifacts):
    shop = LocationFactory(name="Bakeriet Løkka")
    cashier = staff_user(roles.COUNTER_STAFF, shop, first_name="Ola")
    kari = MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann")
    today = timezone.localdate()
    Challenge.objects.create(
        name="To kjøp i desember",
        goal="purchases",
        target=2,
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=20),
        points=50,
    )
    purchase_register(member=kari, amount_ore=4_500, idempotency_key="earlier", location=shop)
    points_award(member=kari, points=300, reason="test", idempotency_key="gift")
    football = Cause.objects.create(name="Løkka IL", points=100, kr=10)

    phone = logged_in(kari.user, **PHONE).new_page()
    phone.goto("/medlem/kort/")
    progress = phone.get_by_role("progressbar", name="To kjøp i desember")
    assert progress.get_attribute("aria-valuenow") == "1"

    till = logged_in(cashier, **PHONE).new_page()
    till.goto("/kasse/")
    till.locator("#scan-input").type(card_code(member=kari))
    till.locator("#scan-input").press("Enter")
    till.wait_for_selector("#member-name:has-text('Kari Nordmann')")
    till.fill("#amount", "89,00")
    till.press("#amount", "Enter")
    till.wait_for_selector(".counter-feedback[data-kind='purchase']")

    phone.reload()
    phone.wait_for_selector(".celebration:has-text('Du fullførte «To kjøp i desember»')")
    assert progress.get_attribute("aria-valuenow") == "2"
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=artifacts / "challenge-phone.png", full_page=True)
    assert ChallengeCompletion.objects.get(member=kari).entry.points == 50

    phone.get_by_role("link", name="Gi poeng til en god sak").click()
    phone.get_by_label("Poeng å gi").fill("200")
    phone.get_by_role("button", name="Gi til Løkka IL").click()
    phone.wait_for_selector("text=Gaven din til Løkka IL")
    assert Donation.objects.get(cause=football).points == 200

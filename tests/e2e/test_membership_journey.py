"""Paid membership as it is used (issue 17): a member starts the trial on the phone and sees
what it has given; staff sell it at the till, where the panel tells them the discount."""

import pytest

from members import roles
from members.services import card_code
from rewards.models import Membership, MembershipPayment
from rewards.services import purchase_register
from tests.factories import LocationFactory, MemberFactory, PlanFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_member_tries_vip_on_the_phone_and_staff_sell_it_at_the_till(logged_in, artifacts):
    shop = LocationFactory(name="Bakeriet Løkka")
    cashier = staff_user(roles.COUNTER_STAFF, shop, first_name="Ola")
    kari = MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann")
    PlanFactory(discount_percent=10)

    phone = logged_in(kari.user, **PHONE).new_page()
    phone.goto("/medlem/kort/")
    phone.get_by_role("link", name="Prøv VIP gratis i 30 dager").click()
    phone.wait_for_selector("text=kr 199 i året")
    phone.get_by_role("button", name="Prøv gratis i 30 dager").click()
    phone.wait_for_selector("#membership-status:has-text('Gratis prøveperiode')")
    purchase_register(member=kari, amount_ore=20000, idempotency_key="p", location=shop)
    phone.reload()
    meter = phone.locator("#value-meter")
    meter.wait_for()
    assert "200 ekstra poeng" in meter.inner_text()
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=artifacts / "membership-phone.png", full_page=True)

    till = logged_in(cashier, **PHONE).new_page()
    till.goto("/kasse/")
    till.locator("#scan-input").type(card_code(member=kari))
    till.locator("#scan-input").press("Enter")
    till.wait_for_selector("#till-membership:has-text('Gi 10 prosent rabatt')")
    till.get_by_role("button", name="Selg, kr 199 betalt").click()
    till.wait_for_selector(".counter-feedback[data-kind='membership']")
    till.screenshot(path=artifacts / "membership-till.png", full_page=True)

    assert MembershipPayment.objects.get().staff == cashier
    assert Membership.objects.get(member=kari).paid_from is not None

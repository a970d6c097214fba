"""Staff sell the paid membership at the till (issue 17): the panel shows what to give a
member now (the discount) and sells or renews with one tap, once per tap."""

from __future__ import annotations

import pytest

from members.services import card_code
from rewards.models import Membership, MembershipPayment
from rewards.services.membership import trial_start
from tests.counter.test_counter_pages import HTMX, act, find, nonce_in
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def test_the_panel_tells_staff_the_discount_and_a_tap_sells_the_membership_once(
    till, shop, guest, program, cashier
):
    vip = PlanFactory(discount_percent=10)
    trial_start(member=guest, plan=vip)
    panel = find(till, shop, card_code(member=guest), **HTMX)
    assert "Gi 10 prosent rabatt på kvitteringen." in panel.content.decode()

    nonce = nonce_in(panel)
    sold = act(till, shop, guest, "vip", {"nonce": nonce, "plan": vip.pk}, **HTMX)
    again = act(till, shop, guest, "vip", {"nonce": nonce, "plan": vip.pk}, **HTMX)

    assert sold.status_code == again.status_code == 200
    assert "medlemskap solgt" in sold.content.decode() and "Allerede gjort" in again.content.decode()
    payment = MembershipPayment.objects.get()
    assert (payment.amount_ore, payment.staff, payment.location) == (19900, cashier, shop)
    assert Membership.objects.get(member=guest).paid_from is not None


def test_a_plan_taken_off_sale_is_refused_with_a_reason(till, shop, guest, program):
    vip = PlanFactory(is_active=False)
    panel = find(till, shop, card_code(member=guest), **HTMX)

    refused = act(till, shop, guest, "vip", {"nonce": nonce_in(panel), "plan": vip.pk}, **HTMX)

    assert refused.status_code == 409
    assert "ikke til salgs lenger" in refused.content.decode()
    assert not MembershipPayment.objects.exists()


def test_a_bad_plan_number_is_a_clear_refusal_not_an_error(till, shop, guest, program):
    panel = find(till, shop, card_code(member=guest), **HTMX)

    refused = act(till, shop, guest, "vip", {"nonce": nonce_in(panel), "plan": "abc"}, **HTMX)

    assert refused.status_code == 400

"""Staff refund a past purchase from the member panel, whole or in part."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rewards.models import CounterAction, Refund
from rewards.services import counter
from tests.rewards.wallet_helpers import balance

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel(till, shop, member):
    return till.get(reverse("rewards:counter_member", args=[shop.pk, member.number]), **HTMX)


def refund_form(page: str) -> tuple[str, str]:
    """The nonce and the purchase of the first refund form on the panel."""
    form = re.search(r'action="[^"]*/refusjon/".*?</form>', page, re.S)[0]
    nonce = re.search(r'name="nonce" value="([0-9a-f]{32})"', form)[1]
    return nonce, re.search(r'name="purchase" value="(\d+)"', form)[1]


def refund(till, shop, member, amount=""):
    nonce, purchase = refund_form(panel(till, shop, member).content.decode())
    url = reverse("rewards:counter_action", args=[shop.pk, member.number, "refusjon"])
    return till.post(url, {"nonce": nonce, "purchase": purchase, "amount": amount}, **HTMX)


def bought_yesterday(member, cashier, shop, ore=12_950):
    return counter.counter_purchase(
        member=member,
        amount_ore=ore,
        nonce=counter.new_nonce(),
        staff=cashier,
        location=shop,
        at=timezone.now() - timezone.timedelta(days=1),
    )


def test_the_panel_lists_recent_purchases_to_refund_after_the_undo_window(
    till, shop, guest, cashier, program
):
    bought_yesterday(guest, cashier, shop)

    page = panel(till, shop, guest).content.decode()

    assert "Siste kjøp" in page and "kr\xa0129,50" in page
    assert "Refunder" in page and "Angre" not in page


def test_an_empty_amount_refunds_all_that_is_left(till, shop, guest, cashier, program):
    bought_yesterday(guest, cashier, shop)

    response = refund(till, shop, guest)

    assert response.status_code == 200
    assert balance(guest) == 0
    action = CounterAction.objects.get(kind=CounterAction.Kind.REFUND)
    assert action.summary == "kr\xa0129,50 → −129"
    assert "<strong>refusjon</strong>" in response.content.decode()


def test_a_part_refund_leaves_the_rest_to_refund_later(till, shop, guest, cashier, program):
    bought_yesterday(guest, cashier, shop)

    page = refund(till, shop, guest, amount="29,50").content.decode()

    assert balance(guest) == 100
    assert "kr\xa029,50 refundert" in page  # the purchase stays on the list with what is left


def test_refunding_more_than_is_left_is_refused_with_a_reason(till, shop, guest, cashier, program):
    bought_yesterday(guest, cashier, shop)

    response = refund(till, shop, guest, amount="200")

    assert response.status_code == 409
    assert "mer enn det som er igjen å refundere" in response.content.decode()
    assert not Refund.objects.exists() and balance(guest) == 129


def test_a_purchase_of_another_member_cannot_be_refunded_here(
    till, shop, guest, other_member, cashier, program
):
    other = bought_yesterday(other_member, cashier, shop)
    nonce, _purchase = refund_form(panel(till, shop, other_member).content.decode())
    url = reverse("rewards:counter_action", args=[shop.pk, guest.number, "refusjon"])

    response = till.post(url, {"nonce": nonce, "purchase": other.action.operation_id, "amount": ""}, **HTMX)

    assert response.status_code == 409
    assert not Refund.objects.exists()

"""A purchase above what a shop normally sees is confirmed first; above the club's limit it
is refused everywhere; large amounts and points raise flags for the owner (issue 14, item 2)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rewards.models import CounterFlag, LedgerEntry
from rewards.services import counter, purchase_register
from rewards.services.flags import counter_flags_scan
from tests.rewards.wallet_helpers import balance, new_key, refused

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def nonce_in(response) -> str:
    return re.search(r'name="nonce" value="([0-9a-f]{32})"', response.content.decode())[1]


def buy_at_till(till, shop, member, **data):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, member.number]), **HTMX)
    url = reverse("rewards:counter_action", args=[shop.pk, member.number, "kjop"])
    return till.post(url, {"nonce": nonce_in(panel), **data}, **HTMX)


def test_a_large_amount_asks_are_you_sure_with_the_amount_and_registers_nothing(till, shop, guest, program):
    response = buy_at_till(till, shop, guest, amount="100000")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Er du sikker? kr\xa0100\xa0000,00" in page
    assert 'name="confirmed" value="1"' in page
    assert not LedgerEntry.objects.exists()


def test_confirming_registers_the_purchase_once(till, shop, guest, program):
    buy_at_till(till, shop, guest, amount="100000", confirmed="1")

    assert balance(guest) == 100_000


def test_an_amount_under_the_confirmation_amount_goes_straight_through(till, shop, guest, program):
    buy_at_till(till, shop, guest, amount="9999,99")

    assert balance(guest) == 9_999


def test_above_the_clubs_limit_a_purchase_is_refused_even_when_confirmed(till, shop, guest, program):
    response = buy_at_till(till, shop, guest, amount="150000", confirmed="1")

    assert response.status_code == 409
    assert "mer enn klubben tillater" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_the_limit_holds_for_every_caller_of_the_wallet(member, program):
    program.purchase_max_kr = 5_000
    program.save()

    refused(
        "amount_above_limit", purchase_register, member=member, amount_ore=500_001, idempotency_key=new_key()
    )
    assert (
        purchase_register(member=member, amount_ore=500_000, idempotency_key=new_key()).entry.points == 5_000
    )


def test_the_service_asks_for_confirmation_without_the_page(guest, cashier, shop, program):
    args = {"member": guest, "amount_ore": 1_000_001, "staff": cashier, "location": shop}

    with pytest.raises(counter.AmountToConfirm):
        counter.counter_purchase(nonce=counter.new_nonce(), **args)
    counter.counter_purchase(nonce=counter.new_nonce(), confirmed=True, **args)

    assert balance(guest) == 10_000


def test_the_confirmation_amount_must_be_below_the_limit(program):
    program.purchase_confirm_above_kr, program.purchase_max_kr = 20_000, 20_000

    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "purchase_confirm_above_kr" in error.value.message_dict


def test_a_confirmed_large_purchase_and_many_points_raise_flags(guest, cashier, shop, program):
    program.flag_credits_per_day = 0  # only the amount flags here
    program.save()
    counter.counter_purchase(
        member=guest,
        amount_ore=2_000_000,
        nonce=counter.new_nonce(),
        staff=cashier,
        location=shop,
        confirmed=True,
    )

    counter_flags_scan()

    flags = {flag.kind: flag for flag in CounterFlag.objects.all()}
    assert set(flags) == {CounterFlag.Kind.LARGE_PURCHASE, CounterFlag.Kind.MEMBER_POINTS}
    assert flags[CounterFlag.Kind.LARGE_PURCHASE].detail == "kr\xa020\xa0000,00"
    assert flags[CounterFlag.Kind.MEMBER_POINTS].count == 20_000


def test_ordinary_purchases_raise_no_amount_flags(guest, cashier, shop, program):
    counter.counter_purchase(
        member=guest, amount_ore=12_950, nonce=counter.new_nonce(), staff=cashier, location=shop
    )

    counter_flags_scan()

    assert not CounterFlag.objects.exists()


def test_the_till_shows_a_purchase_in_kroner_as_everywhere_else(guest, cashier, shop, program):
    outcome = counter.counter_purchase(
        member=guest, amount_ore=129_990, nonce=counter.new_nonce(), staff=cashier, location=shop
    )

    assert outcome.action.summary == "kr\xa01\xa0299,90 → +1299"

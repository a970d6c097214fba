"""A register's receipt lines (issue 19): items of a category stamp the stamp card of that
category, as many as the card allows a visit; the lines are part of what a receipt is."""

from __future__ import annotations

import pytest

from rewards.models import MemberStampCard
from tests.factories import StampCardFactory
from tests.rewards.api_client import error

pytestmark = pytest.mark.django_db

COFFEE_AND_BUN = [
    {"category": "Kaffe", "amount": "78.00", "quantity": 2},
    {"category": "bakst", "amount": "30.00"},
]


def stamps(member, card) -> int:
    progress = MemberStampCard.objects.filter(wallet__member=member, card=card).first()
    return progress.stamps if progress else 0


@pytest.fixture
def coffee_card(db):
    return StampCardFactory(name="Kaffekort", category="kaffe", max_stamps_per_visit=3)


def test_each_coffee_on_the_receipt_stamps_the_coffee_card(register, member, coffee_card):
    bread_card = StampCardFactory(name="Brødkort", category="brød")

    bought = register.buy(member, amount="108.00", lines=COFFEE_AND_BUN)

    assert bought.status_code == 201 and bought.json()["stamps"] == 2
    assert (stamps(member, coffee_card), stamps(member, bread_card)) == (2, 0)


def test_a_card_gives_no_more_stamps_than_it_allows_a_visit(register, member, coffee_card):
    register.buy(member, amount="300.00", lines=[{"category": "kaffe", "amount": "300.00", "quantity": 7}])

    assert stamps(member, coffee_card) == 3


def test_without_lines_a_category_card_gets_nothing_and_a_purchase_card_one(register, member, coffee_card):
    every_purchase = StampCardFactory(name="Handlekort", counts_purchases=True)

    register.buy(member, amount="50.00")

    assert (stamps(member, coffee_card), stamps(member, every_purchase)) == (0, 1)


def test_a_receipt_sent_again_with_other_lines_is_refused(register, member, coffee_card):
    register.buy(member, amount="108.00", receipt="R-7", lines=COFFEE_AND_BUN)
    other = register.buy(member, amount="108.00", receipt="R-7", lines=COFFEE_AND_BUN[1:])

    assert (other.status_code, error(other)) == (409, "receipt_reused")
    assert stamps(member, coffee_card) == 2


def test_refunding_the_whole_receipt_takes_the_coffee_stamps_back(register, member, coffee_card):
    register.buy(member, amount="108.00", receipt="R-8", lines=COFFEE_AND_BUN)

    refunded = register.post("refunds/", {"receipt_id": "R-8"})

    assert refunded.status_code == 201 and stamps(member, coffee_card) == 0


def test_the_preview_counts_the_lines_stamps(register, member, coffee_card):
    body = {"member": member.number, "amount": "108.00", "lines": COFFEE_AND_BUN}

    preview = register.post("purchases/preview/", body, key=None)

    assert preview.json()["stamps"] == 2


def test_a_line_without_items_is_a_clear_error_and_nothing_is_registered(register, member, coffee_card):
    response = register.buy(
        member, amount="10.00", lines=[{"category": "kaffe", "amount": "10.00", "quantity": 0}]
    )

    assert (response.status_code, error(response)) == (422, "invalid_input")
    assert "lines" in response.json()["error"]["fields"]
    assert stamps(member, coffee_card) == 0

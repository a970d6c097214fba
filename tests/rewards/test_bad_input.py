"""Bad input is refused with a clear code and changes nothing."""

from decimal import Decimal

import pytest

from rewards.models import LedgerEntry
from rewards.services import (
    entry_reverse,
    points_award,
    points_deduct,
    points_expire_due,
    purchase_register,
    stamps_add,
)
from rewards.services.core import MAX_POINTS
from tests.factories import StampCardFactory
from tests.rewards.wallet_helpers import T0, balance, give, new_key, refused, wallet_state

pytestmark = pytest.mark.django_db

BAD_POINTS = [0, -1, -100, True, False, 1.0, 10.5, Decimal("10"), "10", None, MAX_POINTS + 1]
BAD_AMOUNTS = [0, -1, -10_000, 10**12, True, 100.0, Decimal("100"), "100", None]


@pytest.fixture
def funded(member, program):
    """A member with 100 points, and the state of the world to compare against."""
    give(member, 100)
    return member


@pytest.mark.parametrize("points", BAD_POINTS, ids=repr)
def test_awarding_a_bad_number_of_points_is_refused(funded, points):
    before = wallet_state()

    refused(
        "invalid_points", points_award, member=funded, points=points, reason="gift", idempotency_key=new_key()
    )

    assert wallet_state() == before


@pytest.mark.parametrize("points", BAD_POINTS, ids=repr)
def test_deducting_a_bad_number_of_points_is_refused(funded, points):
    before = wallet_state()

    refused(
        "invalid_points", points_deduct, member=funded, points=points, reason="fix", idempotency_key=new_key()
    )

    assert wallet_state() == before


def test_the_largest_allowed_award_is_accepted(member, program):
    points_award(member=member, points=MAX_POINTS, reason="jackpot", idempotency_key=new_key())

    assert balance(member) == MAX_POINTS


@pytest.mark.parametrize("amount_ore", BAD_AMOUNTS, ids=repr)
def test_registering_a_bad_purchase_amount_is_refused(funded, amount_ore):
    before = wallet_state()

    refused(
        "invalid_amount", purchase_register, member=funded, amount_ore=amount_ore, idempotency_key=new_key()
    )

    assert wallet_state() == before


def test_a_purchase_below_one_krone_is_registered_without_points(member, program):
    result = purchase_register(member=member, amount_ore=99, idempotency_key=new_key())

    assert result.entries == []
    assert balance(member) == 0


@pytest.mark.parametrize("stamps", [0, -1, True, 1.0, None], ids=repr)
def test_adding_a_bad_number_of_stamps_is_refused(funded, stamps):
    card = StampCardFactory(max_stamps_per_visit=5)
    before = wallet_state()

    refused("invalid_stamps", stamps_add, member=funded, card=card, stamps=stamps, idempotency_key=new_key())

    assert wallet_state() == before


def test_reversing_an_expiry_is_refused(member, program):
    give(member, 100, at=T0)
    points_expire_due(now=T0.replace(year=T0.year + 1))
    expiry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.EXPIRE)
    before = wallet_state()

    refused("cannot_reverse", entry_reverse, entry=expiry, reason="oops", idempotency_key=new_key())

    assert wallet_state() == before


def test_reversing_a_reversal_is_refused(funded):
    entry = give(funded, 40)
    reversal = entry_reverse(entry=entry, reason="mistake", idempotency_key=new_key()).entry
    before = wallet_state()

    refused(
        "cannot_reverse", entry_reverse, entry=reversal, reason="undo the undo", idempotency_key=new_key()
    )

    assert wallet_state() == before


def test_reversing_an_entry_twice_is_refused(funded):
    entry = give(funded, 40)
    entry_reverse(entry=entry, reason="mistake", idempotency_key=new_key())
    before = wallet_state()

    refused("already_reversed", entry_reverse, entry=entry, reason="mistake", idempotency_key=new_key())

    assert wallet_state() == before


def test_deducting_more_than_the_balance_is_refused(funded):
    before = wallet_state()

    refused(
        "insufficient_points",
        points_deduct,
        member=funded,
        points=101,
        reason="fix",
        idempotency_key=new_key(),
    )

    assert wallet_state() == before
    points_deduct(
        member=funded, points=100, reason="fix", idempotency_key=new_key()
    )  # the whole balance is fine
    assert balance(funded) == 0


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_award_without_a_reason_is_refused(funded, reason):
    before = wallet_state()

    refused(
        "reason_required", points_award, member=funded, points=10, reason=reason, idempotency_key=new_key()
    )

    assert wallet_state() == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_deduction_without_a_reason_is_refused(funded, reason):
    before = wallet_state()

    refused(
        "reason_required", points_deduct, member=funded, points=10, reason=reason, idempotency_key=new_key()
    )

    assert wallet_state() == before

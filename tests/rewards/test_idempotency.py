"""Idempotency keys: a retried write returns the first result and changes nothing; a key
reused with other details, or for another member, is refused."""

import pytest

from rewards.models import LedgerEntry, Operation, StampEntry, Voucher
from rewards.services import (
    entry_reverse,
    points_award,
    purchase_register,
    reward_redeem,
    stamps_add,
    voucher_use,
)
from tests.factories import LocationFactory, RewardFactory, StampCardFactory
from tests.rewards.wallet_helpers import balance, give, new_key, refused, wallet_state

pytestmark = pytest.mark.django_db


def test_second_purchase_with_the_same_key_credits_once(member, program):
    first = purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-9")
    second = purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-9")

    assert (first.replayed, second.replayed) == (False, True)
    assert second.entry.pk == first.entry.pk
    assert second.balance == first.balance == 100
    assert LedgerEntry.objects.filter(wallet__member=member).count() == 1
    assert balance(member) == 100


def test_a_late_retry_returns_the_first_answer_not_todays_balance(member, program):
    first = purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-9")
    give(member, 50)

    again = purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-9")

    assert again.replayed
    assert again.balance == first.balance == 100
    assert balance(member) == 150


def test_the_same_key_with_another_amount_is_refused_and_changes_nothing(member, program):
    purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-9")
    before = wallet_state()

    refused(
        "duplicate_request",
        purchase_register,
        member=member,
        amount_ore=20_000,
        idempotency_key="till-1:receipt-9",
    )

    assert wallet_state() == before


def test_the_same_key_at_another_location_is_refused(member, program):
    purchase_register(member=member, amount_ore=10_000, idempotency_key="k1", location=LocationFactory())
    before = wallet_state()

    refused(
        "duplicate_request",
        purchase_register,
        member=member,
        amount_ore=10_000,
        idempotency_key="k1",
        location=LocationFactory(),
    )

    assert wallet_state() == before


def test_the_same_key_for_another_member_is_refused(member, other_member, program):
    purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-9")
    before = wallet_state()

    refused(
        "duplicate_request",
        purchase_register,
        member=other_member,
        amount_ore=10_000,
        idempotency_key="till-1:receipt-9",
    )

    assert wallet_state() == before
    assert not LedgerEntry.objects.filter(wallet__member=other_member).exists()


def test_the_same_key_for_another_kind_of_write_is_refused(member, program):
    purchase_register(member=member, amount_ore=10_000, idempotency_key="k1")
    before = wallet_state()

    refused("duplicate_request", points_award, member=member, points=100, reason="gift", idempotency_key="k1")

    assert wallet_state() == before


@pytest.mark.parametrize("key", ["", "   ", "x" * 101])
def test_a_missing_or_overlong_key_is_refused(member, program, key):
    before = wallet_state()

    refused("duplicate_request", points_award, member=member, points=100, reason="gift", idempotency_key=key)

    assert wallet_state() == before


def test_a_refused_write_does_not_use_up_its_key(member, program):
    reward = RewardFactory(cost_points=100)
    refused(
        "insufficient_points", reward_redeem, member=member, reward=reward, idempotency_key="app:redeem-1"
    )
    give(member, 100)

    result = reward_redeem(member=member, reward=reward, idempotency_key="app:redeem-1")

    assert not result.replayed
    assert result.voucher is not None
    assert balance(member) == 0


def test_a_retried_redemption_returns_the_same_voucher_and_charges_once(member, program):
    give(member, 300)
    reward = RewardFactory(cost_points=100, stock=5)

    first = reward_redeem(member=member, reward=reward, idempotency_key="app:redeem-1")
    again = reward_redeem(member=member, reward=reward, idempotency_key="app:redeem-1")

    assert again.replayed
    assert again.voucher.pk == first.voucher.pk
    assert again.entry.pk == first.entry.pk
    assert Voucher.objects.filter(wallet__member=member).count() == 1
    assert balance(member) == 200
    reward.refresh_from_db()
    assert reward.stock == 4


def test_a_retried_stamp_that_filled_the_card_returns_the_same_voucher(member, program):
    card = StampCardFactory(stamps_needed=2, max_stamps_per_visit=2)

    first = stamps_add(member=member, card=card, stamps=2, idempotency_key="till-2:stamp-1")
    again = stamps_add(member=member, card=card, stamps=2, idempotency_key="till-2:stamp-1")

    assert again.replayed
    assert [v.pk for v in again.vouchers] == [v.pk for v in first.vouchers]
    assert [s.pk for s in again.stamp_entries] == [s.pk for s in first.stamp_entries]
    assert StampEntry.objects.count() == 1
    assert Voucher.objects.count() == 1


def test_a_retried_scan_of_a_voucher_replays_instead_of_refusing(member, program):
    give(member, 100)
    voucher = reward_redeem(
        member=member, reward=RewardFactory(cost_points=100), idempotency_key=new_key()
    ).voucher

    first = voucher_use(code=voucher.code, idempotency_key="till-1:scan-5")
    again = voucher_use(code=voucher.code, idempotency_key="till-1:scan-5")

    assert again.replayed
    assert again.voucher.pk == first.voucher.pk
    # A new scan (new key) of the used voucher is a second use, and is refused.
    refused("voucher_used", voucher_use, code=voucher.code, idempotency_key="till-1:scan-6")


def test_a_retried_reversal_reverses_once(member, program):
    entry = give(member, 100)

    first = entry_reverse(entry=entry, reason="mistake", idempotency_key="cs:undo-1")
    again = entry_reverse(entry=entry, reason="mistake", idempotency_key="cs:undo-1")

    assert again.replayed
    assert again.entry.pk == first.entry.pk
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1
    assert balance(member) == 0


def test_each_key_is_stored_once_with_the_result_it_returned(member, program):
    result = purchase_register(member=member, amount_ore=4_200, idempotency_key="till-1:receipt-1")

    operation = Operation.objects.get(key="till-1:receipt-1")
    assert operation.wallet.member == member
    assert operation.result["entries"] == [result.entry.pk]
    assert operation.result["balance"] == 42

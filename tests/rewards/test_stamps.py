"""Stamp cards: a full card gives its voucher in the same transaction and starts a new card."""

from datetime import timedelta

import pytest

from rewards.models import MemberStampCard, StampEntry, Voucher
from rewards.services import core, purchase_register, stamp_entry_reverse, stamps_add, voucher_use
from tests.factories import StampCardFactory
from tests.rewards.wallet_helpers import T0, new_key, refused, wallet_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(program):
    """Ten stamps for a free coffee; at most three stamps per visit."""
    return StampCardFactory(stamps_needed=10, max_stamps_per_visit=3)


def stamp(member, card, stamps, **kwargs):
    return stamps_add(member=member, card=card, stamps=stamps, idempotency_key=new_key(), **kwargs)


def stamps_on(member, card) -> int:
    return MemberStampCard.objects.get(wallet__member=member, card=card).stamps


def fill_to(member, card, stamps):
    while stamps:
        step = min(stamps, card.max_stamps_per_visit)
        stamp(member, card, step)
        stamps -= step


def test_stamps_add_up_on_the_members_card(member, card):
    stamp(member, card, 2)
    stamp(member, card, 3)

    assert stamps_on(member, card) == 5
    assert not Voucher.objects.exists()


def test_a_full_card_issues_its_voucher_and_the_surplus_starts_the_next_card(member, card):
    fill_to(member, card, 9)

    result = stamp(member, card, 3)

    [voucher] = result.vouchers
    [entry] = result.stamp_entries
    assert stamps_on(member, card) == 2
    assert entry.stamps == 3
    assert entry.completed == 1
    assert voucher.reward == card.reward
    assert voucher.source == Voucher.Source.STAMP_CARD
    assert voucher.stamp_entry == entry
    assert voucher.status == Voucher.Status.ACTIVE
    assert Voucher.objects.filter(wallet__member=member).count() == 1


def test_one_visit_can_fill_more_than_one_card(member, program):
    card = StampCardFactory(stamps_needed=10, max_stamps_per_visit=25)

    result = stamp(member, card, 25)

    assert len(result.vouchers) == 2
    assert result.stamp_entries[0].completed == 2
    assert stamps_on(member, card) == 5


def test_the_voucher_is_issued_in_the_same_transaction_as_the_stamps(member, card, monkeypatch):
    fill_to(member, card, 9)
    before = wallet_state()

    def printer_on_fire(*args, **kwargs):
        raise RuntimeError("voucher could not be issued")

    monkeypatch.setattr(core, "voucher_issue", printer_on_fire)
    with pytest.raises(RuntimeError):
        stamps_add(member=member, card=card, stamps=1, idempotency_key="till-1:stamp-10")

    # Neither the stamp nor its key survived: a retry will fill the card and issue the voucher.
    assert wallet_state() == before
    monkeypatch.undo()
    result = stamps_add(member=member, card=card, stamps=1, idempotency_key="till-1:stamp-10")
    assert len(result.vouchers) == 1


def test_more_stamps_than_one_visit_allows_are_refused(member, card):
    stamp(member, card, 1)
    before = wallet_state()

    refused(
        "stamp_limit_per_visit", stamps_add, member=member, card=card, stamps=4, idempotency_key=new_key()
    )

    assert wallet_state() == before


def test_stamps_on_a_card_no_longer_in_use_are_refused(member, program):
    card = StampCardFactory(is_active=False)
    before = wallet_state()

    refused("card_inactive", stamps_add, member=member, card=card, stamps=1, idempotency_key=new_key())

    assert wallet_state() == before


def test_reversing_the_entry_that_filled_the_card_cancels_its_voucher(member, card):
    fill_to(member, card, 9)
    filling = stamp(member, card, 3)

    result = stamp_entry_reverse(entry=filling.stamp_entries[0], idempotency_key=new_key())

    [reversal] = result.stamp_entries
    assert reversal.stamps == -3
    assert reversal.reverses == filling.stamp_entries[0]
    assert stamps_on(member, card) == 9
    assert Voucher.objects.get(pk=filling.voucher.pk).status == Voucher.Status.CANCELLED


def test_reversing_is_refused_when_the_cards_voucher_was_used(member, card):
    fill_to(member, card, 9)
    filling = stamp(member, card, 3)
    voucher_use(code=filling.voucher.code, idempotency_key=new_key())
    before = wallet_state()

    refused(
        "voucher_used",
        stamp_entry_reverse,
        entry=filling.stamp_entries[0],
        idempotency_key=new_key(),
    )

    assert wallet_state() == before
    assert stamps_on(member, card) == 2


def test_reversing_a_plain_stamp_takes_it_back(member, card):
    first = stamp(member, card, 2)
    stamp(member, card, 3)

    stamp_entry_reverse(entry=first.stamp_entries[0], idempotency_key=new_key())

    assert stamps_on(member, card) == 3


def test_a_stamp_entry_can_be_reversed_only_once(member, card):
    entry = stamp(member, card, 2).stamp_entries[0]
    reversal = stamp_entry_reverse(entry=entry, idempotency_key=new_key()).stamp_entries[0]
    before = wallet_state()

    refused("already_reversed", stamp_entry_reverse, entry=entry, idempotency_key=new_key())
    refused("cannot_reverse", stamp_entry_reverse, entry=reversal, idempotency_key=new_key())

    assert wallet_state() == before


def test_reversing_stamps_the_card_no_longer_holds_is_refused(member, program):
    card = StampCardFactory(stamps_needed=10, max_stamps_per_visit=3, valid_days=30)
    old = stamp(member, card, 3, at=T0).stamp_entries[0]
    stamp(member, card, 1, at=T0 + timedelta(days=40))  # the card lapsed and started over at 1
    before = wallet_state()

    refused(
        "cannot_reverse",
        stamp_entry_reverse,
        entry=old,
        idempotency_key=new_key(),
        at=T0 + timedelta(days=41),
    )

    assert wallet_state() == before


def test_a_card_not_filled_in_time_starts_over(member, program):
    card = StampCardFactory(stamps_needed=10, max_stamps_per_visit=3, valid_days=30)
    stamp(member, card, 3, at=T0)
    stamp(member, card, 3, at=T0 + timedelta(days=20))

    stamp(member, card, 1, at=T0 + timedelta(days=31))

    assert stamps_on(member, card) == 1
    assert StampEntry.objects.filter(progress__card=card).count() == 3


def test_a_purchase_stamps_every_card_that_counts_purchases(member, program):
    counted = StampCardFactory(counts_purchases=True, stamps_needed=2)
    by_hand = StampCardFactory(counts_purchases=False)

    purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key())
    result = purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key())

    assert stamps_on(member, counted) == 0
    assert len(result.vouchers) == 1
    assert result.vouchers[0].reward == counted.reward
    assert not MemberStampCard.objects.filter(card=by_hand).exists()


def test_a_purchase_gives_no_stamps_when_the_program_earns_points_only(member, program):
    program.earn_mode = program.EarnMode.POINTS
    program.save()
    StampCardFactory(counts_purchases=True)

    result = purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key())

    assert result.stamp_entries == []
    assert result.entry.points == 50
    assert not StampEntry.objects.exists()


def test_undoing_an_old_filling_lets_later_stamps_fill_the_card_again(member, card):
    fill_to(member, card, 9)
    filling = stamp(member, card, 1)  # full: voucher, 0 left
    fill_to(member, card, 5)

    result = stamp_entry_reverse(entry=filling.stamp_entries[0], idempotency_key=new_key())

    # As if the undone stamp had never been given: 9 + 5 = 14 = one full card and 4.
    assert Voucher.objects.get(pk=filling.voucher.pk).status == Voucher.Status.CANCELLED
    assert len(result.vouchers) == 1 and result.vouchers[0].status == Voucher.Status.ACTIVE
    assert stamps_on(member, card) == 4

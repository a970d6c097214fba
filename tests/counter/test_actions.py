"""What staff do at the till: stamps, purchases, vouchers, rewards, corrections and undo."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rewards.errors import RewardsError
from rewards.models import CounterAction, LedgerEntry, StampEntry, Voucher, Wallet
from rewards.selectors import rewards_within_reach
from rewards.services import counter, reward_redeem, wallets_reconcile
from tests.factories import MemberFactory, RewardFactory
from tests.rewards.wallet_helpers import balance, give

pytestmark = pytest.mark.django_db


def refused(expected, call, **kwargs):
    with pytest.raises(RewardsError) as error:
        call(**kwargs)
    assert error.value.code == expected


@pytest.fixture
def at_till(cashier, shop):
    """The arguments every action at this till shares, with a fresh nonce each time."""

    def make(**kwargs):
        return {"staff": cashier, "location": shop, "nonce": counter.new_nonce(), **kwargs}

    return make


def test_a_purchase_earns_points_and_is_logged_with_staff_and_shop(guest, at_till, cashier, shop, program):
    outcome = counter.counter_purchase(member=guest, amount_ore=12_950, **at_till())

    assert balance(guest) == 129
    entry = LedgerEntry.objects.get(wallet__member=guest)
    assert (entry.staff, entry.location, entry.amount_ore) == (cashier, shop, 12_950)
    assert outcome.action.kind == CounterAction.Kind.PURCHASE and not outcome.replayed


def test_the_same_nonce_sent_again_credits_once_and_shows_the_first_result(guest, at_till, program):
    args = at_till()
    first = counter.counter_purchase(member=guest, amount_ore=10_000, **args)
    again = counter.counter_purchase(member=guest, amount_ore=10_000, **args)

    assert again.replayed and again.action == first.action
    assert balance(guest) == 100
    assert CounterAction.objects.count() == 1


def test_the_same_nonce_for_another_action_is_refused(guest, coffee_card, at_till, program):
    args = at_till()
    counter.counter_purchase(member=guest, amount_ore=10_000, **args)

    refused("duplicate_request", counter.counter_stamps, member=guest, card=coffee_card, stamps=1, **args)


def test_stamps_fill_the_card_and_a_full_card_gives_a_voucher(guest, coffee_card, at_till, program):
    counter.counter_stamps(member=guest, card=coffee_card, stamps=2, **at_till())
    outcome = counter.counter_stamps(member=guest, card=coffee_card, stamps=1, **at_till())

    assert len(outcome.result.vouchers) == 1


def test_more_stamps_than_a_visit_allows_are_refused(guest, coffee_card, at_till, program):
    refused(
        "stamp_limit_per_visit", counter.counter_stamps, member=guest, card=coffee_card, stamps=3, **at_till()
    )
    assert not StampEntry.objects.exists()


def test_the_daily_stamp_limit_holds_across_visits(guest, coffee_card, at_till, program):
    program.max_stamps_per_day = 3
    program.save()
    counter.counter_stamps(member=guest, card=coffee_card, stamps=2, **at_till())

    refused(
        "stamp_limit_per_day", counter.counter_stamps, member=guest, card=coffee_card, stamps=2, **at_till()
    )
    assert StampEntry.objects.count() == 1


def test_a_voucher_of_the_member_is_used_once(guest, at_till, program):
    give(guest, 300)
    voucher = reward_redeem(member=guest, reward=RewardFactory(), idempotency_key="r").voucher

    counter.counter_voucher(member=guest, code=voucher.code.lower(), **at_till())

    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.USED
    refused("voucher_used", counter.counter_voucher, member=guest, code=voucher.code, **at_till())


def test_another_members_voucher_is_refused(guest, other_member, at_till, program):
    give(other_member, 300)
    voucher = reward_redeem(member=other_member, reward=RewardFactory(), idempotency_key="r").voucher

    refused("voucher_other_member", counter.counter_voucher, member=guest, code=voucher.code, **at_till())


def test_a_reward_taken_at_the_till_costs_its_points_and_is_handed_over(guest, at_till, program):
    give(guest, 300)
    outcome = counter.counter_reward(member=guest, reward=RewardFactory(cost_points=120), **at_till())

    assert balance(guest) == 180
    assert Voucher.objects.get(pk=outcome.result.voucher.pk).status == Voucher.Status.USED


def test_undo_reverses_the_last_purchase_with_reversal_entries(guest, coffee_card, at_till, program):
    coffee_card.counts_purchases = True
    coffee_card.save()
    counter.counter_purchase(member=guest, amount_ore=5_000, **at_till())

    outcome = counter.counter_undo(member=guest, **at_till())

    assert balance(guest) == 0
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL, reverses__isnull=False).count() == 1
    assert StampEntry.objects.filter(reverses__isnull=False).count() == 1
    assert outcome.action.undoes.kind == CounterAction.Kind.PURCHASE
    assert wallets_reconcile() == []


def test_undo_of_a_used_voucher_makes_it_ready_again(guest, at_till, program):
    give(guest, 300)
    voucher = reward_redeem(member=guest, reward=RewardFactory(), idempotency_key="r").voucher
    counter.counter_voucher(member=guest, code=voucher.code, **at_till())

    counter.counter_undo(member=guest, **at_till())

    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ACTIVE


def test_undo_of_a_reward_taken_at_the_till_gives_the_points_back(guest, at_till, program):
    give(guest, 300)
    outcome = counter.counter_reward(member=guest, reward=RewardFactory(cost_points=120), **at_till())

    counter.counter_undo(member=guest, **at_till())

    assert balance(guest) == 300
    assert Voucher.objects.get(pk=outcome.result.voucher.pk).status == Voucher.Status.CANCELLED


def test_a_double_tapped_undo_undoes_once(guest, at_till, program):
    counter.counter_purchase(member=guest, amount_ore=5_000, **at_till())
    counter.counter_purchase(member=guest, amount_ore=7_000, **at_till())
    args = at_till()

    counter.counter_undo(member=guest, **args)
    again = counter.counter_undo(member=guest, **args)

    assert again.replayed
    assert balance(guest) == 50


def test_undo_after_the_window_is_refused(guest, at_till, program):
    then = timezone.now() - timedelta(minutes=program.undo_minutes + 1)
    counter.counter_purchase(member=guest, amount_ore=5_000, at=then, **at_till())

    refused("undo_window_passed", counter.counter_undo, member=guest, **at_till())
    assert balance(guest) == 50


def test_undo_with_nothing_done_here_is_refused(guest, at_till, other_shop, program):
    counter.counter_purchase(member=guest, amount_ore=5_000, **{**at_till(), "location": other_shop})

    refused("nothing_to_undo", counter.counter_undo, member=guest, **at_till())


def test_counter_staff_cannot_grant_points(guest, at_till, program):
    refused("not_allowed", counter.counter_adjust, member=guest, points=100, reason="sorry", **at_till())


def test_customer_service_grants_and_deducts_points_with_a_reason(guest, service_desk, shop, program):
    def args():
        return {"staff": service_desk, "location": shop, "nonce": counter.new_nonce()}

    counter.counter_adjust(member=guest, points=100, reason="broken cup", **args())
    counter.counter_adjust(member=guest, points=-30, reason="double credit", **args())

    assert balance(guest) == 70
    assert list(LedgerEntry.objects.order_by("pk").values_list("reason", flat=True)) == [
        "broken cup",
        "double credit",
    ]
    refused("reason_required", counter.counter_adjust, member=guest, points=10, reason=" ", **args())


def test_a_nonce_that_is_not_a_uuid_is_refused(guest, at_till, program):
    refused(
        "duplicate_request",
        counter.counter_purchase,
        member=guest,
        amount_ore=100,
        **{**at_till(), "nonce": "x"},
    )


def test_rewards_and_deductions_at_the_till_carry_staff_and_shop(guest, service_desk, shop, program):
    give(guest, 500)
    args = {"staff": service_desk, "location": shop}
    counter.counter_reward(
        member=guest, reward=RewardFactory(cost_points=100), nonce=counter.new_nonce(), **args
    )
    counter.counter_adjust(member=guest, points=-50, reason="typo", nonce=counter.new_nonce(), **args)

    debits = LedgerEntry.objects.filter(points__lt=0)
    assert {(e.kind, e.staff, e.location) for e in debits} == {
        (LedgerEntry.Kind.REDEEM, service_desk, shop),
        (LedgerEntry.Kind.ADJUST, service_desk, shop),
    }


@pytest.mark.parametrize("points", [0, True, "5", 10**9])
def test_adjustments_of_no_or_absurd_points_are_refused(guest, service_desk, shop, program, points):
    refused(
        "invalid_points",
        counter.counter_adjust,
        member=guest,
        points=points,
        reason="x",
        staff=service_desk,
        location=shop,
        nonce=counter.new_nonce(),
    )


def test_a_reward_whose_last_item_is_taken_leaves_the_tills_list_at_once(
    guest, at_till, program, django_capture_on_commit_callbacks
):
    reward = RewardFactory(cost_points=100, stock=1)
    other_guest = MemberFactory()
    give(guest, 150)
    give(other_guest, 150)
    wallet = Wallet.objects.get(member=guest)
    assert reward in rewards_within_reach(wallet, now=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        counter.counter_reward(member=other_guest, reward=reward, **at_till())

    assert reward not in rewards_within_reach(wallet, now=timezone.now())

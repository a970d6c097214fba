"""A referral qualifies on the friend's first purchase (not the sign-up), is held, then paid
once to each side; a refund cancels it during the hold and reverses it after payment."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from referrals import selectors, services, tasks
from referrals.models import Referral, ReferralPayout
from rewards.models import LedgerEntry, Voucher
from rewards.services import entry_reverse, reward_redeem, visits, wallets_reconcile
from tests.factories import RewardFactory
from tests.referrals.helpers import balance, buy, fresh, invited

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def test_joining_alone_pays_nothing(kari_code, after_commit):
    with after_commit():
        referral = invited(kari_code)

    assert fresh(referral).status == Referral.Status.PENDING
    assert balance(kari_code.member) == 0 and balance(referral.friend) == 0


def test_a_purchase_below_the_minimum_does_not_qualify_and_a_later_big_one_does(kari_code, after_commit):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend, 9_999)
    assert fresh(referral).status == Referral.Status.PENDING

    with after_commit():
        big = buy(referral.friend, 10_000)

    referral = fresh(referral)
    assert referral.status == Referral.Status.QUALIFIED and referral.qualifying_entry == big.entry
    assert referral.qualifying_amount_ore == 10_000
    assert referral.payable_at == referral.qualified_at + timedelta(days=14)


def test_a_purchase_refunded_before_its_signal_is_handled_does_not_qualify(kari_code):
    referral = invited(kari_code)
    purchase = buy(referral.friend)  # its signal waits in a queue (not run: no after_commit)
    entry_reverse(entry=purchase.entry, reason="returned", idempotency_key="refund")

    tasks.qualify_purchase(referral.friend_id, purchase.entry.pk, 15_000)

    assert fresh(referral).status == Referral.Status.PENDING
    assert not ReferralPayout.objects.exists()


def test_a_purchase_after_the_qualifying_window_closes_the_referral(kari_code, after_commit):
    referral = invited(kari_code)

    with after_commit():
        buy(referral.friend, at=referral.friend.joined_at + timedelta(days=30, minutes=1))

    referral = fresh(referral)
    assert referral.status == Referral.Status.CANCELLED and referral.reason_list == ["window_passed"]


def test_a_friend_who_never_buys_is_closed_by_the_scheduled_job_after_the_window(kari_code):
    referral = invited(kari_code)

    services.referrals_pay_due(now=timezone.now() + timedelta(days=31))

    assert (
        fresh(referral).status == Referral.Status.CANCELLED and "window_passed" in fresh(referral).reason_list
    )


def test_the_hold_keeps_the_reward_back_until_the_task_pays_both_sides(kari_code, after_commit):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)
    assert tasks.pay_due() == 0  # still on hold
    assert balance(kari_code.member) == 0

    paid = services.referrals_pay_due(now=timezone.now() + 14 * DAY + timedelta(minutes=1))

    assert paid == 1
    referral = fresh(referral)
    assert referral.status == Referral.Status.PAID and referral.paid_at is not None
    assert balance(kari_code.member) == 200 and balance(referral.friend) == 150 + 100
    assert sorted(referral.payouts.values_list("side", "value_points")) == [
        ("friend", 100),
        ("referrer", 200),
    ]
    assert services.referrals_pay_due(now=timezone.now() + 20 * DAY) == 0  # a second run: nothing


def test_the_reward_entries_carry_the_referral_reason_and_an_idempotency_key(
    kari_code, no_hold, after_commit
):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)

    entry = ReferralPayout.objects.get(referral=referral, side="referrer").entry
    assert (entry.kind, entry.points, entry.reason) == (LedgerEntry.Kind.BONUS, 200, "referral_referrer")
    assert entry.operation.key == f"referral:{referral.pk}:referrer"


def test_the_qualifying_signal_twice_pays_each_side_once(kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        purchase = buy(referral.friend)

    for _again in range(2):
        tasks.qualify_purchase(referral.friend_id, purchase.entry.pk, 15_000)
        services.referral_pay(referral_id=referral.pk)

    assert ReferralPayout.objects.filter(referral=referral).count() == 2
    assert balance(kari_code.member) == 200
    assert wallets_reconcile() == []


def test_the_database_refuses_a_second_payout_for_one_side(kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)
    first = ReferralPayout.objects.get(referral=referral, side="referrer")

    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralPayout.objects.create(
            referral=referral, side="referrer", member=kari_code.member, entry=first.entry
        )


def test_a_visit_qualifies_when_the_owner_says_so(kari_code, program, shop, cashier, after_commit):
    referral = invited(kari_code)
    with after_commit():
        visits.visit_record(member=referral.friend, location=shop, staff=cashier)
    assert fresh(referral).status == Referral.Status.PENDING  # visits do not count by default

    program.qualifies_on_visit = True
    program.save()
    with after_commit():
        visits.visit_record(member=referral.friend, location=shop, staff=cashier, now=timezone.now() + DAY)

    referral = fresh(referral)
    assert referral.status == Referral.Status.QUALIFIED and referral.qualifying_visit is not None


def test_a_refund_during_the_hold_cancels_the_referral(kari_code, after_commit):
    referral = invited(kari_code)
    with after_commit():
        purchase = buy(referral.friend)

    with after_commit():
        entry_reverse(entry=purchase.entry, reason="refund", idempotency_key="refund-1")
    services.referrals_pay_due(now=timezone.now() + 30 * DAY)

    referral = fresh(referral)
    assert referral.status == Referral.Status.CANCELLED and referral.reason_list == ["refunded"]
    assert balance(kari_code.member) == 0 and not referral.payouts.exists()


def test_refunding_another_purchase_changes_nothing(kari_code, after_commit):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)
        other = buy(referral.friend, 5_000)

    with after_commit():
        entry_reverse(entry=other.entry, reason="refund", idempotency_key="refund-2")

    assert fresh(referral).status == Referral.Status.QUALIFIED


def test_a_refund_after_payment_reverses_both_rewards_in_the_ledger(kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        purchase = buy(referral.friend)
    assert balance(kari_code.member) == 200

    with after_commit():
        entry_reverse(entry=purchase.entry, reason="refund", idempotency_key="refund-3")

    referral = fresh(referral)
    assert referral.status == Referral.Status.REVERSED and referral.reason_list == ["refunded"]
    assert balance(kari_code.member) == 0 and balance(referral.friend) == 0
    for payout in referral.payouts.all():
        assert payout.reversed_at and payout.reversal_entry.reverses == payout.entry
    assert wallets_reconcile() == []


def test_a_reward_already_spent_cannot_be_taken_back_and_the_owner_is_told(kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        purchase = buy(referral.friend)
    reward_redeem(member=kari_code.member, reward=RewardFactory(cost_points=200), idempotency_key="spend")

    with after_commit():
        entry_reverse(entry=purchase.entry, reason="refund", idempotency_key="refund-4")

    referral = fresh(referral)
    assert referral.status == Referral.Status.REVERSED
    assert referral.reason_list == ["refunded", "not_reversible"]
    kept = referral.payouts.get(side="referrer")
    assert kept.reverse_error == "insufficient_points" and kept.reversed_at is None
    assert referral.payouts.get(side="friend").reversed_at is not None


def test_voucher_rewards_are_given_as_gifts_and_cancelled_after_a_refund(kari_code, no_hold, after_commit):
    coffee = RewardFactory(name="Gratis kaffe", cost_points=150)
    no_hold.referrer_kind = no_hold.friend_kind = "voucher"
    no_hold.referrer_reward = no_hold.friend_reward = coffee
    no_hold.save()
    referral = invited(kari_code)

    with after_commit():
        purchase = buy(referral.friend)

    vouchers = Voucher.objects.filter(source=Voucher.Source.GIFT, reward=coffee)
    assert sorted(v.wallet.member_id for v in vouchers) == sorted([kari_code.member.pk, referral.friend_id])
    assert balance(kari_code.member) == 0
    assert set(referral.payouts.values_list("value_points", flat=True)) == {150}

    with after_commit():
        entry_reverse(entry=purchase.entry, reason="refund", idempotency_key="refund-5")

    assert set(vouchers.values_list("status", flat=True)) == {Voucher.Status.CANCELLED}
    assert fresh(referral).status == Referral.Status.REVERSED


def test_a_side_the_owner_gives_nothing_gets_no_payout(kari_code, no_hold, after_commit):
    no_hold.referrer_points = 0
    no_hold.save()
    referral = invited(kari_code)

    with after_commit():
        buy(referral.friend)

    assert fresh(referral).status == Referral.Status.PAID
    assert list(referral.payouts.values_list("side", flat=True)) == ["friend"]


def test_a_purchase_registered_before_the_invitation_does_not_qualify_it(kari_code):
    referral = invited(kari_code)
    earlier = buy(referral.friend, at=referral.created_at - timedelta(minutes=5))

    services.referral_qualify(friend_id=referral.friend_id, entry_id=earlier.entry.pk, amount_ore=15_000)

    assert fresh(referral).status == Referral.Status.PENDING


def test_the_receivers_checks_see_a_pending_friend_and_the_purchase_that_qualified(kari_code, after_commit):
    referral = invited(kari_code)
    friend = referral.friend
    assert selectors.waits_for_qualifying(friend.pk)
    assert not selectors.waits_for_qualifying(kari_code.member.pk)

    with after_commit():
        purchase = buy(friend, 20_000)

    assert not selectors.waits_for_qualifying(friend.pk)
    assert selectors.qualified_by(friend.pk, purchase.entry.pk)
    assert not selectors.qualified_by(kari_code.member.pk, purchase.entry.pk)

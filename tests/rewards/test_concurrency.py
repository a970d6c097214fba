"""Real races against PostgreSQL: threads released together by a barrier try to double spend.

SQLite serialises whole transactions and ignores SELECT ... FOR UPDATE, so it cannot prove
any of this; these tests skip there (visibly) and run in CI on PostgreSQL.
"""

import pytest

from rewards.models import LedgerEntry, MemberStampCard, Operation, Reward, StampEntry, Voucher, Wallet
from rewards.services import (
    WalletResult,
    entry_reverse,
    points_expire_due,
    purchase_register,
    reward_redeem,
    stamps_add,
    voucher_use,
    wallet_get_or_create,
    wallets_reconcile,
)
from tests.conftest import requires_postgres
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory
from tests.rewards.wallet_helpers import T0, balance, give, new_key, run_together

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def wins(outcomes) -> list[WalletResult]:
    return [o for o in outcomes if isinstance(o, WalletResult)]


def test_fifty_concurrent_redemptions_of_100_points_from_250_let_exactly_two_through(member):
    give(member, 250)
    reward = RewardFactory(cost_points=100)

    outcomes = run_together(
        50, lambda n: reward_redeem(member=member, reward=reward, idempotency_key=f"redeem-{n}")
    )

    assert len(wins(outcomes)) == 2
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["insufficient_points"] * 48
    assert balance(member) == 50
    assert Voucher.objects.filter(wallet__member=member).count() == 2
    assert LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.REDEEM).count() == 2
    assert wallets_reconcile() == []


def test_twenty_members_taking_a_reward_with_stock_three_get_exactly_three_vouchers():
    members = [MemberFactory() for _ in range(20)]
    for m in members:
        give(m, 150)
    reward = RewardFactory(cost_points=100, stock=3)

    outcomes = run_together(
        20, lambda n: reward_redeem(member=members[n], reward=reward, idempotency_key=f"take-{n}")
    )

    winners = [members[n] for n, o in enumerate(outcomes) if isinstance(o, WalletResult)]
    assert len(winners) == 3
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["out_of_stock"] * 17
    reward.refresh_from_db()
    assert reward.stock == 0
    assert Voucher.objects.filter(reward=reward).count() == 3
    # The losers were not charged: their debit rolled back with the failed stock update.
    assert sorted(balance(m) for m in members) == [50] * 3 + [150] * 17
    assert {v.wallet.member for v in Voucher.objects.filter(reward=reward)} == set(winners)
    assert wallets_reconcile() == []


def test_concurrent_stamps_are_never_lost_and_every_full_card_gives_one_voucher(member):
    card = StampCardFactory(stamps_needed=10, max_stamps_per_visit=1)

    outcomes = run_together(
        30, lambda n: stamps_add(member=member, card=card, stamps=1, idempotency_key=f"stamp-{n}")
    )

    assert len(wins(outcomes)) == 30
    assert Voucher.objects.filter(wallet__member=member, source=Voucher.Source.STAMP_CARD).count() == 3
    assert MemberStampCard.objects.get(wallet__member=member, card=card).stamps == 0
    entries = StampEntry.objects.filter(progress__wallet__member=member)
    assert entries.count() == 30
    assert sorted(e.completed for e in entries) == [0] * 27 + [1] * 3


def test_one_key_sent_by_ten_threads_at_once_makes_one_entry_and_one_answer(member):
    location = LocationFactory()
    wallet_get_or_create(member)  # (the first write ever is its own race, tested below)

    outcomes = run_together(
        10,
        lambda n: purchase_register(
            member=member, amount_ore=12_300, location=location, idempotency_key="till-1:receipt-77"
        ),
    )

    results = wins(outcomes)
    assert len(results) == 10
    assert LedgerEntry.objects.filter(wallet__member=member).count() == 1
    assert Operation.objects.filter(key="till-1:receipt-77").count() == 1
    entry = LedgerEntry.objects.get(wallet__member=member)
    assert {r.entry.pk for r in results} == {entry.pk}
    assert {r.balance for r in results} == {123}
    assert sorted(r.replayed for r in results) == [False] + [True] * 9
    assert balance(member) == 123


def test_two_tills_crediting_one_member_at_once_both_land(member):
    give(member, 10)
    amounts = [10_000 + 100 * n for n in range(2 * 15)]  # 15 receipts per till

    def till(n):
        # Each till rings up its own receipts as fast as it can, against the other till.
        return [
            purchase_register(member=member, amount_ore=amount, idempotency_key=f"till-{n}:{i}")
            for i, amount in enumerate(amounts[n::2])
        ]

    outcomes = run_together(2, till)

    assert all(len(results) == 15 for results in outcomes)
    assert balance(member) == 10 + sum(amount // 100 for amount in amounts)
    assert LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EARN).count() == 30
    assert wallets_reconcile() == []


def test_first_purchases_for_a_member_without_a_wallet_make_one_wallet():
    member = MemberFactory()
    assert not Wallet.objects.filter(member=member).exists()

    outcomes = run_together(
        8, lambda n: purchase_register(member=member, amount_ore=5_000, idempotency_key=f"first-{n}")
    )

    assert len(wins(outcomes)) == 8
    assert Wallet.objects.filter(member=member).count() == 1
    assert balance(member) == 8 * 50


def test_one_voucher_scanned_at_five_tills_at_once_is_used_once(member):
    give(member, 100)
    voucher = reward_redeem(
        member=member, reward=RewardFactory(cost_points=100), idempotency_key=new_key()
    ).voucher

    outcomes = run_together(5, lambda n: voucher_use(code=voucher.code, idempotency_key=f"scan-{n}"))

    assert len(wins(outcomes)) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["voucher_used"] * 4
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.USED


def test_expiry_jobs_and_purchases_racing_after_a_lapse_expire_each_lot_once(member):
    lots = [give(member, 100, at=T0), give(member, 40, at=T0)]
    lapsed = T0.replace(year=T0.year + 1)

    def actor(n):
        if n % 2:
            return points_expire_due(now=lapsed)
        return purchase_register(member=member, amount_ore=1_000, idempotency_key=f"after-{n}", at=lapsed)

    run_together(10, actor)

    expiries = LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EXPIRE)
    assert sorted(e.points for e in expiries) == [-100, -40]
    assert {a.lot_id for e in expiries for a in e.allocations.all()} == {lot.pk for lot in lots}
    assert balance(member) == 5 * 10
    assert wallets_reconcile() == []


def test_redemptions_by_many_members_against_one_stock_never_drive_it_negative():
    members = [MemberFactory() for _ in range(12)]
    for m in members:
        give(m, 300)
    reward = RewardFactory(cost_points=100, stock=5)

    # Every member tries twice, with two keys, at the same moment as everybody else.
    outcomes = run_together(
        24, lambda n: reward_redeem(member=members[n // 2], reward=reward, idempotency_key=f"r-{n}")
    )

    assert len(wins(outcomes)) == 5
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert sum(300 - balance(m) for m in members) == 5 * 100
    assert wallets_reconcile() == []


def test_one_key_sent_for_two_members_at_once_is_honoured_for_one_only(member, other_member):
    members = [member, other_member]
    for m in members:
        wallet_get_or_create(m)

    outcomes = run_together(
        2,
        lambda n: purchase_register(member=members[n], amount_ore=10_000, idempotency_key="till-1:receipt-1"),
    )

    assert sorted(o if isinstance(o, str) else "ok" for o in outcomes) == ["duplicate_request", "ok"]
    assert sorted(balance(m) for m in members) == [0, 100]
    assert Operation.objects.filter(key="till-1:receipt-1").count() == 1


def test_a_member_racing_for_a_once_per_member_reward_gets_it_once(member):
    give(member, 1_000)
    reward = RewardFactory(cost_points=100, per_member_limit=1)

    outcomes = run_together(
        6, lambda n: reward_redeem(member=member, reward=reward, idempotency_key=f"limited-{n}")
    )

    assert len(wins(outcomes)) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["limit_reached"] * 5
    assert balance(member) == 900


def test_a_refund_and_a_redemption_racing_for_the_same_points_cannot_both_win(member):
    purchase = purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key()).entry
    reward = RewardFactory(cost_points=100)

    def actor(n):
        if n == 0:
            return entry_reverse(entry=purchase, reason="returned", idempotency_key="refund")
        return reward_redeem(member=member, reward=reward, idempotency_key=f"redeem-{n}")

    outcomes = run_together(4, actor)

    assert len(wins(outcomes)) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["insufficient_points"] * 3
    assert balance(member) == 0
    assert wallets_reconcile() == []

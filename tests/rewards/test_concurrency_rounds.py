"""Many rounds of mixed wallet writes released together against PostgreSQL: earn, spend,
expire, refund, stamp and the yearly tier review racing each other on one member.

Each round checks every invariant, so that taking away any one lock, conditional update or
constraint makes a round fail (python -m tests.mutants takes each away in turn).
"""

from datetime import timedelta

import pytest
from django.db.models import Sum

from rewards.models import LedgerEntry, MemberStampCard, Reward, StampCard, StampEntry, Voucher, Wallet
from rewards.services import (
    entry_reverse,
    points_deduct,
    points_expire_due,
    purchase_register,
    reward_redeem,
    stamps_add,
    tier_review_due,
    wallets_reconcile,
)
from rewards.services.tiers import REVIEW_AFTER
from tests.conftest import requires_postgres
from tests.factories import RewardFactory, StampCardFactory
from tests.rewards.wallet_helpers import T0, balance, give, run_together, set_tier

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12
THREADS = 8


def assert_invariants(member, card: StampCard, reward: Reward, stock: int) -> None:
    """What no interleaving of writes may break."""
    assert wallets_reconcile() == []
    assert balance(member) >= 0
    progress = MemberStampCard.objects.filter(wallet__member=member, card=card).first()
    if progress is not None:
        entries = StampEntry.objects.filter(progress=progress)
        stamped = entries.aggregate(n=Sum("stamps"))["n"]
        completed = entries.filter(reversal=None).aggregate(n=Sum("completed"))["n"]
        # Every stamp given is on the card or in a card completed, and each completed card
        # is one voucher.
        assert progress.stamps == stamped - completed * card.stamps_needed
        kept = Voucher.objects.filter(stamp_entry__progress=progress).exclude(status=Voucher.Status.CANCELLED)
        assert kept.count() == completed
    taken = Voucher.objects.filter(reward=reward).exclude(status=Voucher.Status.CANCELLED).count()
    assert Reward.objects.get(pk=reward.pk).stock == stock - taken >= 0


def test_rounds_of_earning_spending_expiring_refunding_and_stamping_keep_every_invariant(member, program):
    card = StampCardFactory(stamps_needed=4, max_stamps_per_visit=2, valid_days=None)
    reward = RewardFactory(cost_points=60, stock=9)
    give(member, 3_000, at=T0)  # lapses a year later, in the middle of the rounds
    now = T0 + timedelta(days=200)
    purchases: list[LedgerEntry] = []

    def actor(round_no: int, n: int, at):
        key = f"{round_no}:{n}"
        kind = n % THREADS
        if kind in (0, 1):
            return purchase_register(member=member, amount_ore=3_000 + n * 100, idempotency_key=key, at=at)
        if kind == 2:
            return reward_redeem(member=member, reward=reward, idempotency_key=key, at=at)
        if kind == 3:
            return points_deduct(member=member, points=7, reason="till", idempotency_key=key, at=at)
        if kind == 4:
            return points_expire_due(now=at)
        if kind == 5:
            return stamps_add(member=member, card=card, stamps=1 + n % 2, idempotency_key=key, at=at)
        if kind == 6 and purchases:
            refund = purchases[(round_no * 7) % len(purchases)]
            return entry_reverse(
                entry=refund, reason="returned", idempotency_key=f"refund:{refund.pk}", at=at
            )
        # The same key as thread 0: a retried request racing the first.
        return purchase_register(member=member, amount_ore=3_000, idempotency_key=f"{round_no}:0", at=at)

    for round_no in range(ROUNDS):
        at = now + timedelta(days=20 * round_no)
        outcomes = run_together(THREADS, lambda n, r=round_no, at=at: actor(r, n, at))
        for outcome in outcomes:
            if isinstance(outcome, str):  # refused, with a reason a shop could see
                assert outcome in {"insufficient_points", "out_of_stock", "already_reversed"}, outcome
        purchases = list(LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EARN))
        assert_invariants(member, card, reward, stock=9)

    assert LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EXPIRE).exists()


def test_the_yearly_review_racing_purchases_never_steps_down_a_member_who_just_earned_the_tier(
    member, program, tiers
):
    """A review that read the sums before a purchase must not overwrite the tier after it."""
    gull = tiers[2]
    for round_no in range(ROUNDS):
        set_tier(member, gull)
        wallet = Wallet.objects.get(member=member)
        review_day = (T0 + timedelta(days=400 * round_no)).date()
        Wallet.objects.filter(pk=wallet.pk).update(tier_review_at=review_day)
        at = T0 + timedelta(days=400 * round_no)

        def actor(n, r=round_no, at=at, day=review_day):
            if n == 0:
                return tier_review_due(today=day)
            # Together these purchases lift the year's sum past Gull's threshold.
            return purchase_register(member=member, amount_ore=1_000_000, idempotency_key=f"{r}:{n}", at=at)

        run_together(4, actor)

        wallet = Wallet.objects.select_related("tier").get(member=member)
        assert wallet.tier == gull, f"round {round_no}: stepped down to {wallet.tier}"
        assert wallet.tier_review_at >= review_day + REVIEW_AFTER
        assert wallets_reconcile() == []

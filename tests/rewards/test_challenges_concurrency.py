"""A challenge's reward is paid once when two tills complete it at the same moment, or when
its evaluation runs twice at once (PostgreSQL: SQLite cannot prove row locks)."""

from __future__ import annotations

import pytest

from rewards.models import ChallengeCompletion, LedgerEntry, Voucher
from rewards.services import purchase_register
from rewards.services.achievements import achievements_evaluate
from tests.conftest import requires_postgres
from tests.factories import MemberFactory, RewardFactory
from tests.rewards.test_challenges import challenge
from tests.rewards.wallet_helpers import new_key, run_together

pytestmark = [requires_postgres(), pytest.mark.django_db(transaction=True)]


def paid(member) -> tuple[int, int, int]:
    return (
        ChallengeCompletion.objects.filter(member=member).count(),
        LedgerEntry.objects.filter(wallet__member=member, reason__startswith="challenge:").count(),
        Voucher.objects.filter(wallet__member=member, source=Voucher.Source.CHALLENGE).count(),
    )


def test_two_tills_completing_a_challenge_at_once_pay_its_reward_once():
    member = MemberFactory()
    challenge(name="To kjøp", goal="purchases", target=2, points=30, reward=RewardFactory(name="Bolle"))
    purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key())

    def till(n: int):
        # Each purchase's commit queues an evaluation (run at once here: Celery is eager in
        # the tests); the till's worker may run one more: four evaluations race in all.
        purchase_register(member=member, amount_ore=4_000 + n, idempotency_key=new_key())
        return achievements_evaluate(member=member)

    run_together(2, till)

    assert paid(member) == (1, 1, 1)


def test_an_evaluation_run_four_times_at_once_pays_once():
    member = MemberFactory()
    challenge(name="Ett kjøp", goal="purchases", target=1, points=30)
    purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key())

    run_together(4, lambda n: achievements_evaluate(member=member))

    assert paid(member) == (1, 1, 0)

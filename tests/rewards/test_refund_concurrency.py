"""Refunds racing each other, an undo and spending, on PostgreSQL: the refunds of a
purchase never add up to more than it was, nor take back more than it earned."""

import pytest
from django.db.models import Sum

from rewards.models import Operation, Refund
from rewards.services import entry_reverse, points_deduct, purchase_register, wallets_reconcile
from rewards.services.refunds import purchase_refund
from tests.conftest import requires_postgres
from tests.rewards.wallet_helpers import T0, balance, give, new_key, run_together

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6
THREADS = 8


def test_rounds_of_refunds_undo_and_spending_at_once_never_refund_more_than_the_purchase(member, program):
    give(member, 10_000, at=T0)
    for round_no in range(ROUNDS):
        bought = purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key(), at=T0)
        purchase = Operation.objects.get(pk=bought.operation_id)

        with_undo = round_no % 2  # every other round, an undo races the refunds

        def act(n, purchase=purchase, bought=bought, with_undo=with_undo):
            if n == 0 and with_undo:
                return entry_reverse(entry=bought.entry, reason="undo", idempotency_key=new_key(), at=T0)
            if n == 1:
                return points_deduct(member=member, points=30, reason="x", idempotency_key=new_key(), at=T0)
            return purchase_refund(purchase=purchase, amount_ore=3_000, idempotency_key=new_key(), at=T0)

        outcomes = run_together(THREADS, act)

        refunds = Refund.objects.filter(purchase=purchase).aggregate(
            amount=Sum("amount_ore", default=0),
            points=Sum("points", default=0),
            short=Sum("points_short", default=0),
        )
        undone = with_undo and not isinstance(outcomes[0], str)
        assert refunds["amount"] <= 10_000 and refunds["points"] + refunds["short"] <= 100
        assert not (undone and refunds["amount"]), f"round {round_no}: undone and refunded"
        refused = outcomes.count("refund_too_large") + outcomes.count("already_reversed")
        assert refused >= 3, f"round {round_no}: {outcomes}"  # at most three of 3 000 fit in 10 000
        assert wallets_reconcile() == [] and balance(member) >= 0

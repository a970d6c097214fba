"""Real races at the till against PostgreSQL (skipped visibly on SQLite, run in CI)."""

import pytest

from members import roles
from rewards.models import CounterAction, LedgerEntry
from rewards.services import counter, wallets_reconcile
from tests.conftest import requires_postgres
from tests.factories import staff_user
from tests.rewards.wallet_helpers import balance, run_together

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_nonce_from_ten_threads_credits_once(guest, cashier, shop, program):
    nonce = counter.new_nonce()

    outcomes = run_together(
        10,
        lambda n: counter.counter_purchase(
            member=guest, amount_ore=10_000, nonce=nonce, staff=cashier, location=shop
        ),
    )

    assert balance(guest) == 100
    assert LedgerEntry.objects.count() == 1 and CounterAction.objects.count() == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert {o.action.pk for o in outcomes} == {CounterAction.objects.get().pk}


def test_two_tills_crediting_the_same_member_at_once_both_land(guest, shop, other_shop, program):
    tills = [staff_user(roles.COUNTER_STAFF, shop), staff_user(roles.COUNTER_STAFF, other_shop)]
    places = [shop, other_shop]

    run_together(
        2,
        lambda n: counter.counter_purchase(
            member=guest,
            amount_ore=5_000 * (n + 1),
            nonce=counter.new_nonce(),
            staff=tills[n],
            location=places[n],
        ),
    )

    assert balance(guest) == 150
    assert LedgerEntry.objects.count() == 2
    assert wallets_reconcile() == []

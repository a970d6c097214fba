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


def test_ten_tills_stamping_one_member_at_the_daily_limit_give_exactly_the_limit(
    guest, shop, program, coffee_card
):
    program.max_stamps_per_day = 3
    program.save()
    tills = [staff_user(roles.COUNTER_STAFF, shop) for _ in range(10)]

    outcomes = run_together(
        10,
        lambda n: counter.counter_stamps(
            member=guest, card=coffee_card, stamps=1, nonce=counter.new_nonce(), staff=tills[n], location=shop
        ),
    )

    assert sorted(o if isinstance(o, str) else "stamped" for o in outcomes) == (
        ["stamp_limit_per_day"] * 7 + ["stamped"] * 3
    )
    assert CounterAction.objects.filter(kind=CounterAction.Kind.STAMPS).count() == 3


def test_one_undo_nonce_sent_by_eight_threads_at_once_undoes_once_and_answers_each(
    guest, cashier, shop, program
):
    for amount in (10_000, 20_000):
        counter.counter_purchase(
            member=guest, amount_ore=amount, nonce=counter.new_nonce(), staff=cashier, location=shop
        )
    nonce = counter.new_nonce()

    outcomes = run_together(
        8, lambda n: counter.counter_undo(member=guest, nonce=nonce, staff=cashier, location=shop)
    )

    assert sum(not o.replayed for o in outcomes) == 1
    assert CounterAction.objects.filter(kind=CounterAction.Kind.UNDO).count() == 1
    assert balance(guest) == 100  # the 200 kr purchase undone, the 100 kr one kept
    assert wallets_reconcile() == []

"""Expiry: every earning lapses 12 calendar months later, oldest points are spent first, and
only the unspent rest of a lot ever expires."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rewards.errors import RewardsError
from rewards.models import LedgerEntry, Operation
from rewards.services import (
    entry_reverse,
    points_deduct,
    points_expire_due,
    purchase_register,
    reward_redeem,
    wallets_reconcile,
)
from tests.factories import MemberFactory, RewardFactory
from tests.rewards.wallet_helpers import T0, allocations, balance, give, new_key, remaining, wallet_state

pytestmark = pytest.mark.django_db

YEAR_LATER = T0 + relativedelta(months=12)


def spend(member, points, *, at):
    return points_deduct(
        member=member, points=points, reason="used at the till", idempotency_key=new_key(), at=at
    )


def expiries(member) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EXPIRE).order_by("pk")
    )


def test_an_earning_lapses_twelve_calendar_months_after_it_was_earned(member, program):
    lot = give(member, 100, at=T0)

    assert lot.expires_at == datetime(2031, 3, 4, 12, 0, tzinfo=UTC)
    assert points_expire_due(now=YEAR_LATER - timedelta(seconds=1)) == 0
    assert balance(member) == 100
    assert points_expire_due(now=YEAR_LATER) == 1
    assert balance(member) == 0


def test_the_job_posts_an_expiry_entry_for_the_unspent_rest_of_a_lapsed_lot(member, program):
    lot = give(member, 100, at=T0)

    assert points_expire_due(now=YEAR_LATER) == 1

    [expiry] = expiries(member)
    assert expiry.points == -100
    assert expiry.created_at == YEAR_LATER
    assert allocations(expiry) == {lot.pk: 100}
    assert remaining(lot) == 0
    assert balance(member) == 0
    assert wallets_reconcile() == []


def test_running_the_job_twice_changes_nothing_the_second_time(member, other_member, program):
    give(member, 100, at=T0)
    give(other_member, 70, at=T0)
    points_expire_due(now=YEAR_LATER)
    after_first = wallet_state()

    assert points_expire_due(now=YEAR_LATER) == 0
    assert points_expire_due(now=YEAR_LATER + timedelta(days=30)) == 0

    assert wallet_state() == after_first


def test_the_job_writes_a_batch_of_wallets_in_the_same_statements_however_many_lots_lapsed(
    member, other_member, program
):
    def statements_of_a_run(now) -> int:
        with CaptureQueriesContext(connection) as queries:
            points_expire_due(now=now)
        return len(queries.captured_queries)

    give(member, 10, at=T0)
    one_lot = statements_of_a_run(YEAR_LATER)
    for who in (member, other_member, MemberFactory()):
        for _ in range(3):
            give(who, 10, at=T0 + timedelta(days=1))
    nine_lots = statements_of_a_run(YEAR_LATER + timedelta(days=1))

    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPIRE).count() == 10
    assert nine_lots == one_lot
    assert wallets_reconcile() == []


def test_spent_points_are_never_expired(member, program):
    purchase = purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key(), at=T0).entry
    spend(member, 60, at=T0 + timedelta(days=10))

    points_expire_due(now=YEAR_LATER)

    [expiry] = expiries(member)
    assert expiry.points == -40
    assert allocations(expiry) == {purchase.pk: 40}
    assert balance(member) == 0


def test_a_fully_spent_lot_posts_no_expiry_at_all(member, program):
    give(member, 100, at=T0)
    spend(member, 100, at=T0 + timedelta(days=1))

    assert points_expire_due(now=YEAR_LATER) == 0
    assert expiries(member) == []


def test_spending_takes_the_oldest_points_first(member, program):
    # Written newest first, so that the order cannot come from the row ids.
    newer = give(member, 100, at=T0 + relativedelta(months=6))
    older = give(member, 100, at=T0)

    debit = spend(member, 150, at=T0 + relativedelta(months=7)).entry

    assert allocations(debit) == {older.pk: 100, newer.pk: 50}
    assert (remaining(older), remaining(newer)) == (0, 50)
    # The older lot was used up, so its lapse expires nothing; the newer one lapses later.
    assert points_expire_due(now=YEAR_LATER) == 0
    assert points_expire_due(now=T0 + relativedelta(months=18)) == 1
    assert [e.points for e in expiries(member)] == [-50]
    assert balance(member) == 0


def test_lapsed_points_cannot_be_spent_even_before_the_nightly_job(member, program):
    give(member, 100, at=T0)
    reward = RewardFactory(cost_points=100)
    before = wallet_state()

    with pytest.raises(RewardsError) as refused:
        reward_redeem(member=member, reward=reward, idempotency_key=new_key(), at=YEAR_LATER)

    assert refused.value.code == "insufficient_points"
    assert wallet_state() == before


def test_a_spend_after_a_lapse_posts_the_expiry_first_and_spends_only_live_points(member, program):
    old = give(member, 100, at=T0)
    young = give(member, 80, at=T0 + relativedelta(months=3))

    debit = spend(member, 30, at=YEAR_LATER).entry

    [expiry] = expiries(member)
    assert expiry.pk < debit.pk
    assert allocations(expiry) == {old.pk: 100}
    assert allocations(debit) == {young.pk: 30}
    assert balance(member) == 50


def test_a_new_expiry_period_applies_to_new_earnings_only(member, program):
    first = give(member, 100, at=T0)
    program.expiry_months = 6
    program.save()
    second = give(member, 50, at=T0 + relativedelta(months=1))

    assert LedgerEntry.objects.get(pk=first.pk).expires_at == T0 + relativedelta(months=12)
    assert second.expires_at == T0 + relativedelta(months=7)
    assert points_expire_due(now=T0 + relativedelta(months=7)) == 1
    assert [e.points for e in expiries(member)] == [-50]
    assert balance(member) == 100


def test_a_new_earning_rate_applies_to_new_purchases_only(member, program):
    first = purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key(), at=T0).entry
    program.points_per_krone = Decimal("2.00")
    program.save()

    second = purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key(), at=T0).entry

    assert LedgerEntry.objects.get(pk=first.pk).points == 100
    assert second.points == 200
    assert balance(member) == 300


def test_points_never_lapse_when_the_program_says_zero_months(member, program):
    program.expiry_months = 0
    program.save()
    lot = give(member, 100, at=T0)

    assert lot.expires_at is None
    assert points_expire_due(now=T0 + relativedelta(years=50)) == 0
    assert balance(member) == 100


def test_calendar_months_end_at_the_end_of_a_shorter_month(member, program):
    program.expiry_months = 1
    program.save()

    lot = give(member, 100, at=datetime(2030, 1, 31, 12, 0, tzinfo=UTC))

    assert lot.expires_at == datetime(2030, 2, 28, 12, 0, tzinfo=UTC)


def test_points_given_back_to_a_lapsed_lot_lapse_again(member, program):
    lot = give(member, 100, at=T0)
    redemption = reward_redeem(
        member=member, reward=RewardFactory(cost_points=60), idempotency_key=new_key(), at=T0
    ).entry
    points_expire_due(now=YEAR_LATER)  # the unspent 40

    # Undoing the redemption gives its 60 back to the lot they came from, which has lapsed.
    entry_reverse(
        entry=redemption, reason="refund", idempotency_key=new_key(), at=YEAR_LATER + timedelta(days=1)
    )
    assert balance(member) == 60

    assert points_expire_due(now=YEAR_LATER + timedelta(days=2)) == 1
    assert [e.points for e in expiries(member)] == [-40, -60]
    assert all(allocations(e) == {lot.pk: -e.points} for e in expiries(member))
    assert balance(member) == 0
    assert wallets_reconcile() == []


def test_the_expire_points_command_runs_the_job(member, program):
    give(member, 100, at=datetime(2020, 1, 1, tzinfo=UTC))  # long lapsed by any clock
    operations = Operation.objects.count()

    call_command("expire_points", stdout=StringIO())

    assert balance(member) == 0
    assert Operation.objects.count() == operations + 1

"""The wallet's hot path in hand-written SQL (rewards.services.sql): few statements, the same
answers as before, and the ledger still append-only."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rewards.models import LedgerEntry, Operation, QualifyingMonth, Wallet
from rewards.models.wallet import LedgerImmutable
from rewards.services import (
    points_deduct,
    purchase_register,
    sql,
    wallet_get_or_create,
    wallets_reconcile,
)
from rewards.services.tiers import window
from tests.conftest import requires_postgres
from tests.factories import MemberFactory
from tests.rewards.wallet_helpers import T0, allocations, balance, give, new_key, refused, set_tier

pytestmark = pytest.mark.django_db


def statements(queries) -> list[str]:
    # The test's own transaction turns each atomic block into a savepoint: not the service's work.
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


@requires_postgres()  # SQLite has no UPDATE or INSERT inside WITH: there they run one by one
def test_on_postgresql_an_earn_takes_three_statements_and_a_spend_four(member, program, tiers):
    warm = purchase_register(member=member, amount_ore=100, idempotency_key=new_key())  # wallet, settings
    points_deduct(member=member, points=warm.entry.points, reason="till", idempotency_key=new_key())

    with CaptureQueriesContext(connection) as earn:
        earned = purchase_register(member=member, amount_ore=12_300, idempotency_key=new_key())
    with CaptureQueriesContext(connection) as spend:
        points_deduct(member=member, points=earned.entry.points, reason="till", idempotency_key=new_key())

    # lock with operation, entry with the month's sums and the tier window's, balance with stored result
    assert len(statements(earn.captured_queries)) == 3
    # lock with operation, open lots (with the lapse check), entry with lot and allocation,
    # balance with stored result
    assert len(statements(spend.captured_queries)) == 4


def test_the_month_sums_returned_with_an_earning_are_the_tier_windows(member, program, tiers):
    now = timezone.now()
    purchase_register(
        member=member, amount_ore=10_000, idempotency_key=new_key(), at=now - relativedelta(months=2)
    )
    purchase_register(
        member=member, amount_ore=5_000, idempotency_key=new_key(), at=now - relativedelta(months=13)
    )
    wallet = Wallet.objects.get(member=member)
    this_month = timezone.localtime(now).date().replace(day=1)

    with transaction.atomic():
        sums = sql.qualifying_month_add(wallet.pk, this_month, 20, 2_000, window=window(now))

    # 100 points two months ago and this month's 20; the purchase 13 months ago is outside
    assert sums == (120, 12_000)
    assert sql.qualifying_window(wallet.pk, window(now)) == sums


def test_a_month_outside_the_window_is_stored_but_not_summed(member, program):
    wallet = wallet_get_or_create(member)
    now = timezone.now()
    long_ago = timezone.localtime(now).date().replace(day=1) - relativedelta(months=20)

    with transaction.atomic():
        sums = sql.qualifying_month_add(wallet.pk, long_ago, 50, 5_000, window=window(now))

    assert sums == (0, 0)
    assert QualifyingMonth.objects.get(wallet=wallet, month=long_ago).points == 50


def test_rows_updated_together_are_all_written(member, program):
    wallet = wallet_get_or_create(member)
    other = wallet_get_or_create(MemberFactory())
    wallet.balance, other.balance = 7, 9

    with transaction.atomic():
        sql.update_rows((wallet, ("balance",)), (other, ("balance",)))

    assert Wallet.objects.get(pk=wallet.pk).balance == 7
    assert Wallet.objects.get(pk=other.pk).balance == 9


def test_the_written_out_statements_name_the_models_tables_and_columns():
    assert {Wallet._meta.db_table, LedgerEntry._meta.db_table, QualifyingMonth._meta.db_table} == {
        "rewards_wallet",
        "rewards_ledgerentry",
        "rewards_qualifyingmonth",
    }
    attnames = [f.attname for f in Wallet._meta.concrete_fields]
    assert [name for name in attnames if name in sql.WALLET_FIELDS] == sql.WALLET_FIELDS
    for name in ("id", "wallet_id", "remaining", "expires_at", "created_at"):
        assert LedgerEntry._meta.get_field(name.removesuffix("_id")).column == name
    for name in ("wallet_id", "month", "points", "spend_ore"):
        assert QualifyingMonth._meta.get_field(name.removesuffix("_id")).column == name


def test_the_lock_reads_the_wallet_as_stored(member, program, tiers):
    set_tier(member, tiers[1])
    stored = Wallet.objects.get(member=member)

    with transaction.atomic():
        locked = sql.wallet_lock(member.pk)

    assert (locked.pk, locked.member_id, locked.balance, locked.tier_id) == (
        stored.pk,
        member.pk,
        stored.balance,
        tiers[1].pk,
    )
    assert sql.wallet_lock(MemberFactory().pk) is None  # no wallet yet


def test_ledger_rows_can_be_inserted_but_never_updated_through_it(member, program):
    entry = give(member, 10)

    with pytest.raises(LedgerImmutable):
        sql.update(entry, "points")
    with pytest.raises(ValueError):
        sql.insert(entry)  # saved already: an insert would duplicate it
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


def test_the_first_result_is_stored_and_replayed_after_the_balance_moved(member, program):
    first = purchase_register(member=member, amount_ore=4_200, idempotency_key="till-1:receipt-1")
    give(member, 8)

    again = purchase_register(member=member, amount_ore=4_200, idempotency_key="till-1:receipt-1")

    assert again.replayed and not first.replayed
    assert (again.balance, again.entry.pk, again.entry.points) == (42, first.entry.pk, 42)
    assert Operation.objects.get(key="till-1:receipt-1").result["entries"] == [first.entry.pk]
    assert balance(member) == 50


def test_a_spend_checks_for_lapsed_lots_every_time_as_time_passes(member, program):
    old = give(member, 100, at=T0)
    young = give(member, 80, at=T0 + relativedelta(months=6))
    points_deduct(member=member, points=30, reason="till", idempotency_key=new_key(), at=T0)  # none lapsed

    later = points_deduct(
        member=member, points=20, reason="till", idempotency_key=new_key(), at=T0 + relativedelta(months=13)
    ).entry

    expiry = LedgerEntry.objects.get(wallet__member=member, kind=LedgerEntry.Kind.EXPIRE)
    assert allocations(expiry) == {old.pk: 70}  # the unspent rest of the lapsed lot
    assert allocations(later) == {young.pk: 20}
    assert balance(member) == 60
    assert wallets_reconcile() == []


def test_a_lot_lapses_at_the_exact_moment_it_expires_not_a_microsecond_before(member, program):
    lot = give(member, 50, at=T0)

    points_deduct(
        member=member,
        points=10,
        reason="till",
        idempotency_key=new_key(),
        at=lot.expires_at - timedelta(microseconds=1),
    )
    refused(
        "insufficient_points",
        points_deduct,
        member=member,
        points=10,
        reason="till",
        idempotency_key=new_key(),
        at=lot.expires_at,
    )

    assert balance(member) == 40  # the refusal rolled its expiry back too; the nightly job posts it
    assert not LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EXPIRE).exists()


def test_the_month_sums_grow_with_each_purchase_in_one_row(member, program):
    purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key(), at=T0)
    purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key(), at=T0)

    [month] = QualifyingMonth.objects.filter(wallet__member=member)
    assert (month.points, month.spend_ore) == (150, 15_000)


def test_a_changed_tier_multiplier_applies_to_the_next_purchase(member, program, tiers):
    solv = tiers[1]
    set_tier(member, solv)
    assert purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key()).entry.points == 125

    solv.multiplier = Decimal("2.00")
    solv.save()  # drops the cached settings the lock takes the tier from

    assert purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key()).entry.points == 200


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_commits", [True, False])
def test_a_key_being_written_for_another_member_makes_the_second_wait_for_the_first(
    member, other_member, first_commits
):
    """The second arrival's INSERT ... ON CONFLICT waits for the first's transaction: refused
    if that commits, written if it rolls back (a refused write does not use up its key)."""
    for m in (member, other_member):
        wallet_get_or_create(m)
    holding, outcome = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                purchase_register(member=member, amount_ore=10_000, idempotency_key="till-1:receipt-1")
                holding.set()
                threading.Event().wait(0.5)  # the second is waiting on the key meanwhile
                if not first_commits:
                    transaction.set_rollback(True)
        finally:
            connection.close()

    def second():
        try:
            holding.wait(10)
            outcome["result"] = purchase_register(
                member=other_member, amount_ore=10_000, idempotency_key="till-1:receipt-1"
            )
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    if first_commits:
        assert getattr(outcome.get("error"), "code", None) == "duplicate_request"
        assert (balance(member), balance(other_member)) == (100, 0)
    else:
        assert not outcome["result"].replayed
        assert (balance(member), balance(other_member)) == (0, 100)
    assert Operation.objects.filter(key="till-1:receipt-1").count() == 1
    assert wallets_reconcile() == []

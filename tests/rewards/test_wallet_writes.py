"""The wallet's writes on the ORM: a bounded number of statements whatever the history, the
same answers, and the ledger still append-only."""

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
    core,
    points_deduct,
    purchase_register,
    wallet_get_or_create,
    wallets_reconcile,
)
from rewards.services.tiers import qualifying_total, window
from tests.conftest import requires_postgres
from tests.factories import MemberFactory
from tests.rewards.wallet_helpers import T0, allocations, balance, give, new_key, refused, set_tier

pytestmark = pytest.mark.django_db

# Upper bounds, whatever the length of the member's history (see the test below for what
# each statement is). They only fail when a write starts doing more work.
EARN_STATEMENTS = 10
SPEND_STATEMENTS = 11


def statements(queries) -> list[str]:
    # The test's own transaction turns each atomic block into a savepoint: not the service's work.
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


def test_an_earn_and_a_spend_take_a_bounded_number_of_statements_however_long_the_history(
    member, program, tiers
):
    def earn_and_spend():
        with CaptureQueriesContext(connection) as earn:
            earned = purchase_register(member=member, amount_ore=12_300, idempotency_key=new_key())
        with CaptureQueriesContext(connection) as spend:
            points_deduct(member=member, points=earned.entry.points, reason="till", idempotency_key=new_key())
        return len(statements(earn.captured_queries)), len(statements(spend.captured_queries))

    earn_and_spend()  # the wallet and the cached settings
    short = earn_and_spend()
    for _ in range(30):
        purchase_register(member=member, amount_ore=500, idempotency_key=new_key())
    points_deduct(member=member, points=30 * 5, reason="till", idempotency_key=new_key())
    long = earn_and_spend()

    # Earn: lock the wallet, look up and claim the key, the entry, the month's tier sums
    # (update, or create), the tier window's sum, the wallet, the stored result.
    # Spend: lock, key, the lapse check, the open lots, the entry, the lots emptied, the
    # lot left partly spent, the allocations, the wallet, the stored result.
    assert short[0] <= EARN_STATEMENTS and short[1] <= SPEND_STATEMENTS
    assert long == short  # the history's length does not enter


def test_a_spend_across_many_lots_takes_no_more_statements_than_one_from_a_single_lot(member, program):
    for _ in range(30):
        give(member, 5)
    give(member, 1)

    with CaptureQueriesContext(connection) as spend:
        points_deduct(member=member, points=30 * 5 + 1, reason="till", idempotency_key=new_key())

    assert len(statements(spend.captured_queries)) <= SPEND_STATEMENTS
    assert balance(member) == 0 and wallets_reconcile() == []


def test_the_tier_window_sums_this_month_and_the_eleven_before(member, program):
    now = timezone.now()
    purchase_register(
        member=member, amount_ore=10_000, idempotency_key=new_key(), at=now - relativedelta(months=2)
    )
    purchase_register(
        member=member, amount_ore=5_000, idempotency_key=new_key(), at=now - relativedelta(months=13)
    )
    purchase_register(member=member, amount_ore=2_000, idempotency_key=new_key(), at=now)
    wallet = Wallet.objects.get(member=member)

    # 100 points two months ago and this month's 20; the purchase 13 months ago is outside
    assert core.qualifying_sums(wallet, *window(now)) == (120, 12_000)
    assert qualifying_total(wallet, now=now, program=program) == 120


def test_a_month_outside_the_window_is_stored_but_not_summed(member, program):
    now = timezone.now()
    long_ago = now - relativedelta(months=20)

    purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key(), at=long_ago)

    wallet = Wallet.objects.get(member=member)
    assert core.qualifying_sums(wallet, *window(now)) == (0, 0)
    assert QualifyingMonth.objects.get(wallet=wallet, month=core.month_of(long_ago)).points == 50


def test_the_lock_reads_the_wallet_as_stored_and_makes_one_for_a_new_member(member, program, tiers):
    set_tier(member, tiers[1])
    stored = Wallet.objects.get(member=member)
    newcomer = MemberFactory()

    with transaction.atomic():
        locked = core.lock(member)
        made = core.lock(newcomer)

    assert (locked.pk, locked.member_id, locked.balance, locked.tier) == (
        stored.pk,
        member.pk,
        stored.balance,
        tiers[1],
    )
    assert made.member_id == newcomer.pk and made.balance == 0


@pytest.mark.django_db(transaction=True)
def test_a_wallet_write_outside_a_transaction_is_refused(member):
    with (
        pytest.raises(transaction.TransactionManagementError),
        core.wallet_write(member, key=new_key(), kind="award", params={}, now=T0),
    ):
        pass


def test_ledger_rows_can_be_inserted_but_never_updated(member, program):
    entry = give(member, 10)

    entry.points = 99
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=99)
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


def test_only_a_typed_reason_may_be_blanked(member, program):
    entry = give(member, 10)

    assert LedgerEntry.objects.filter(pk=entry.pk).reasons_blank() == 1
    assert LedgerEntry.objects.filter(pk=entry.pk).reasons_blank() == 0  # blank already
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.reason, stored.points, stored.remaining) == ("", 10, 10)


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
    """The second arrival's INSERT of the key waits for the first's transaction (the unique
    index): refused if that commits, written if it rolls back (a refusal uses up no key)."""
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

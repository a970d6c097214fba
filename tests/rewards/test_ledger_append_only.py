"""The ORM refuses to edit or delete ledger rows: entries, their allocations and stamp entries.

Only the bookkeeping column `remaining` of a ledger entry may move, through a queryset.
(On PostgreSQL a trigger refuses raw SQL too: test_ledger_trigger.py.)
"""

import pytest
from django.db import transaction
from django.db.models import F

from rewards.models import LedgerAllocation, LedgerEntry, LedgerImmutable, StampEntry
from rewards.services import points_deduct, stamps_add
from tests.factories import StampCardFactory
from tests.rewards.wallet_helpers import give, new_key

pytestmark = pytest.mark.django_db

# (model, a column that must never change)
ROWS = [(LedgerEntry, "points"), (LedgerAllocation, "points"), (StampEntry, "stamps")]


@pytest.fixture
def rows(member, program):
    """One row of each append-only model, written by the services."""
    give(member, 100)
    debit = points_deduct(member=member, points=30, reason="correction", idempotency_key=new_key()).entry
    stamps_add(member=member, card=StampCardFactory(), stamps=1, idempotency_key=new_key())
    return {
        LedgerEntry: LedgerEntry.objects.get(pk=debit.pk),
        LedgerAllocation: LedgerAllocation.objects.get(entry=debit),
        StampEntry: StampEntry.objects.get(),
    }


def stored(instance, column):
    return type(instance).objects.filter(pk=instance.pk).values_list(column, flat=True).get()


@pytest.mark.parametrize(("model", "column"), ROWS)
def test_saving_a_changed_row_is_refused(rows, model, column):
    row = rows[model]
    was = getattr(row, column)
    setattr(row, column, was + 1000)

    with pytest.raises(LedgerImmutable):
        row.save()
    with pytest.raises(LedgerImmutable):
        row.save(update_fields=[column])
    with pytest.raises(LedgerImmutable):
        row.save(force_update=True)

    assert stored(row, column) == was


@pytest.mark.parametrize(("model", "column"), ROWS)
def test_deleting_a_row_is_refused(rows, model, column):
    row = rows[model]

    with pytest.raises(LedgerImmutable):
        row.delete()

    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(("model", "column"), ROWS)
def test_a_queryset_update_is_refused(rows, model, column):
    row = rows[model]
    was = getattr(row, column)

    with pytest.raises(LedgerImmutable):
        model.objects.filter(pk=row.pk).update(**{column: was + 1000})
    with pytest.raises(LedgerImmutable):
        model.objects.all().update(**{column: F(column) + 1})

    assert stored(row, column) == was


@pytest.mark.parametrize(("model", "column"), ROWS)
def test_a_queryset_delete_is_refused(rows, model, column):
    count = model.objects.count()

    with pytest.raises(LedgerImmutable):
        model.objects.filter(pk=rows[model].pk).delete()
    with pytest.raises(LedgerImmutable):
        model.objects.all().delete()

    assert model.objects.count() == count


@pytest.mark.parametrize(("model", "column"), ROWS)
def test_a_bulk_update_is_refused(rows, model, column):
    row = rows[model]
    was = getattr(row, column)
    setattr(row, column, was + 1000)

    # bulk_update runs in atomic(savepoint=False); our own savepoint keeps the test's
    # transaction usable after the refusal.
    with pytest.raises(LedgerImmutable), transaction.atomic():
        model.objects.bulk_update([row], [column])

    assert stored(row, column) == was


def test_the_wallets_related_manager_cannot_edit_or_delete_entries_either(member, program, rows):
    wallet = member.wallet

    with pytest.raises(LedgerImmutable):
        wallet.entries.update(points=1)
    with pytest.raises(LedgerImmutable):
        wallet.entries.all().delete()

    assert sorted(wallet.entries.values_list("points", flat=True)) == [-30, 100]


def test_only_the_remaining_column_of_an_entry_may_be_updated_through_a_queryset(member, program):
    lot = give(member, 100)

    assert LedgerEntry.objects.filter(pk=lot.pk).update(remaining=F("remaining") - 10) == 1
    assert LedgerEntry.objects.get(pk=lot.pk).remaining == 90
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(pk=lot.pk).update(remaining=50, points=50)
    assert LedgerEntry.objects.filter(pk=lot.pk).values_list("points", "remaining").get() == (100, 90)


def test_remaining_is_not_a_loophole_on_rows_without_it(rows):
    with pytest.raises(LedgerImmutable):
        StampEntry.objects.update(completed=5)
    with pytest.raises(LedgerImmutable):
        LedgerAllocation.objects.update(lot=rows[LedgerEntry])


@pytest.mark.parametrize("model", [LedgerEntry, LedgerAllocation, StampEntry])
def test_the_base_manager_refuses_edits_too(rows, model):
    with pytest.raises(LedgerImmutable):
        model._base_manager.all().update(created_at=None)
    with pytest.raises(LedgerImmutable):
        model._base_manager.all().delete()

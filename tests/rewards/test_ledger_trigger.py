"""On PostgreSQL the database refuses raw edits and deletes of ledger rows, too."""

import pytest
from django.db import DatabaseError, connection, transaction

from rewards import services
from rewards.models import LedgerEntry
from tests.conftest import requires_postgres
from tests.factories import MemberFactory


def _entry_with_reason(reason: str) -> LedgerEntry:
    return services.points_award(member=MemberFactory(), points=100, reason=reason, idempotency_key="k").entry


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE rewards_ledgerentry SET points = points + 100 WHERE id = %s",
        "UPDATE rewards_ledgerentry SET created_at = now() - interval '1 year' WHERE id = %s",
        "DELETE FROM rewards_ledgerentry WHERE id = %s",
        # A reason may only be blanked (erasure), never rewritten nor blanked with more.
        "UPDATE rewards_ledgerentry SET reason = 'a better story' WHERE id = %s",
        "UPDATE rewards_ledgerentry SET reason = '', points = points + 1 WHERE id = %s",
    ],
)
def test_raw_sql_cannot_edit_or_delete_a_ledger_entry(sql):
    entry = _entry_with_reason("gift")
    with (
        pytest.raises(DatabaseError, match="rewards_ledgerentry"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert (entry.points, entry.reason) == (100, "gift")


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_remaining_bookkeeping_may_still_move():
    entry = _entry_with_reason("gift")
    with connection.cursor() as c:
        c.execute("UPDATE rewards_ledgerentry SET remaining = 40 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).remaining == 40


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_typed_reason_may_be_blanked_and_nothing_else_with_it():
    entry = _entry_with_reason("Kari Nordmann got the wrong price")
    with connection.cursor() as c:
        c.execute("UPDATE rewards_ledgerentry SET reason = '' WHERE id = %s", [entry.pk])
    blanked = LedgerEntry.objects.get(pk=entry.pk)
    assert blanked.reason == "" and blanked.points == 100 and blanked.created_at == entry.created_at

"""On PostgreSQL the database refuses raw edits and deletes of ledger rows, too."""

import pytest
from django.db import DatabaseError, connection, transaction

from rewards import services
from rewards.models import LedgerEntry
from tests.conftest import requires_postgres
from tests.factories import MemberFactory


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE rewards_ledgerentry SET points = points + 100 WHERE id = %s",
        "UPDATE rewards_ledgerentry SET created_at = now() - interval '1 year' WHERE id = %s",
        "DELETE FROM rewards_ledgerentry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_edit_or_delete_a_ledger_entry(sql):
    entry = services.points_award(
        member=MemberFactory(), points=100, reason="gift", idempotency_key="k"
    ).entry
    with (
        pytest.raises(DatabaseError, match="rewards_ledgerentry"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.points == 100


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_remaining_bookkeeping_may_still_move():
    entry = services.points_award(
        member=MemberFactory(), points=100, reason="gift", idempotency_key="k"
    ).entry
    with connection.cursor() as c:
        c.execute("UPDATE rewards_ledgerentry SET remaining = 40 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).remaining == 40

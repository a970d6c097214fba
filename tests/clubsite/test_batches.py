"""The nightly jobs' walk through a big table: a batch of rows at a time, each row once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubsite.batches import in_batches
from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_every_row_comes_once_in_key_order_a_batch_at_a_time():
    made = sorted(MemberFactory().pk for _ in range(7))
    with CaptureQueriesContext(connection) as captured:
        batches = list(in_batches(Member.objects.all(), size=3))
    assert [[m.pk for m in batch] for batch in batches] == [made[:3], made[3:6], made[6:]]
    assert len(captured.captured_queries) == 3  # the short last batch ends the walk


def test_rows_that_stop_matching_during_the_walk_do_not_make_it_skip_any():
    made = sorted(MemberFactory().pk for _ in range(6))
    seen = []
    for batch in in_batches(Member.objects.filter(erasure_warned_at=None), size=2):
        seen += [m.pk for m in batch]
        # As the retention sweep does: the rows it handled no longer match its query.
        Member.objects.filter(pk__in=[m.pk for m in batch]).update(erasure_warned_at="2026-01-01T00:00:00Z")
    assert seen == made


def test_a_flat_values_list_walks_by_its_own_values():
    made = sorted(MemberFactory().pk for _ in range(5))
    ids = Member.objects.values_list("pk", flat=True)
    assert [list(batch) for batch in in_batches(ids, size=2)] == [made[:2], made[2:4], made[4:]]

"""Walking a large queryset a batch at a time, for the nightly jobs.

Keyset pagination: each batch is one query for the next `size` rows after the last key
seen, so memory holds one batch whatever the club's size, without a server-side cursor
(Django's iterator() has none behind PgBouncer in transaction pooling, and then fetches the
whole result at once). Rows that stop matching while the job works (a lot expired, a member
erased) do not shift the walk, as an OFFSET would.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

BATCH = 1000


def in_batches(queryset: QuerySet, *, key: str = "pk", size: int | None = None) -> Iterator[list]:
    """Lists of up to `size` (BATCH) rows of `queryset` in ascending `key` (unique in the
    result): model instances, a flat values_list() of the key, or a values_list() whose first
    column is the key."""
    size = size or BATCH
    last = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        batch = list(page.order_by(key)[:size])
        if not batch:
            return
        yield batch
        if len(batch) < size:  # the last page: no need to ask for an empty one
            return
        last = _key(batch[-1], key)


def _key(row, key: str):
    if isinstance(row, tuple):  # values_list(key, ...)
        return row[0]
    return getattr(row, key, row)  # an instance; a flat values_list's rows are the keys themselves

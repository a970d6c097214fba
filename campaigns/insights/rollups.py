"""Bringing the dashboard's daily rollups up to date (campaigns.models.rollups): the ledger's
sums, the vouchers issued and used, and the active members of closed days.

Beat runs `ledger_roll_up` every few minutes; the dashboard asks for a run when the rollups
have fallen behind (beat stopped), and `manage.py rollups_update` runs one by hand.

The watermark follows the time an entry was written (`recorded_at`), not the time of the
sale it records: a till that was offline sends sales from the past. Each run finds the days
of the entries written since the watermark and rewrites those days whole from the ledger,
so a second run, or two at once, changes nothing, and a day is exact whatever order its
entries came in. Entries younger than SETTLE wait for the next run (the dashboard reads them
directly meanwhile): an entry's times are stamped before its transaction commits, and one
committed after a run had read past it would otherwise be missed.
"""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.insights.selectors.ledger import flow_groups, rolled_until
from campaigns.insights.selectors.members import active_at_midnights
from campaigns.insights.selectors.period import local_midnight
from campaigns.insights.selectors.vouchers import issued_by_day, used_by_day
from campaigns.models import ActiveDay, ClubEconomics, LedgerDay, RollupState, VoucherDay
from members.models import Location
from rewards.models import LedgerEntry, Visit, Voucher, VoucherUse

SETTLE = timedelta(minutes=2)
# A day's active members are kept once its window lies this far back: the POS API takes a
# sale up to 30 days late (its sold_at), a day more for the time zones.
CLOSED = timedelta(days=31)
# Behind by more than this, and the dashboard asks for a run (beat runs every five minutes).
STALE = timedelta(minutes=30)


@transaction.atomic
def ledger_roll_up(*, now: datetime | None = None) -> int:
    """Roll up the entries written before `now` - SETTLE. Returns the days rewritten."""
    up_to = (now or timezone.now()) - SETTLE
    RollupState.load()  # made on first use, then locked: runs at the same time take turns
    state = RollupState.objects.select_for_update().get()
    since = state.ledger_until
    if since is not None and since >= up_to:
        return 0
    written = LedgerEntry.objects.filter(recorded_at__lt=up_to)
    if since is None:  # the first run: every day
        LedgerDay.objects.all().delete()
        days = None
    else:
        days = sorted(
            written.filter(recorded_at__gte=since)
            .annotate(day=TruncDate("created_at"))
            .order_by()
            .values_list("day", flat=True)
            .distinct()
        )
        LedgerDay.objects.filter(day__in=days).delete()
        written = written.filter(_on(days))
    rows = flow_groups(written, "location_id", day=TruncDate("created_at"))
    LedgerDay.objects.bulk_create(
        LedgerDay(
            day=row["day"],
            location_id=row["location_id"],
            kind=row["kind"],
            positive=bool(row["positive"]),
            gives_back_redemption=bool(row["gives_back"]),
            points=row["sum_points"],
            amount_ore=row["sum_amount"],
            entries=row["entries"],
            with_amount=row["with_amount"],
        )
        for row in rows
    )
    _voucher_days_update(since, up_to)
    _active_days_update(up_to, late=days or [])
    state.ledger_until = up_to
    state.save(update_fields=["ledger_until"])
    return len({row["day"] for row in rows}) if days is None else len(days)


def _voucher_days_update(since: datetime | None, up_to: datetime) -> None:
    """The vouchers issued and used per day and shop, the same way: the days of the vouchers
    and uses written since the watermark are rewritten whole (a voucher's issue and a use
    never change once written; an undone use is a use of its own: rewards.VoucherUse)."""
    vouchers = Voucher.objects.filter(recorded_at__lt=up_to)
    uses = VoucherUse.objects.filter(recorded_at__lt=up_to)
    if since is None:
        VoucherDay.objects.all().delete()
    else:
        days = _days(vouchers.filter(recorded_at__gte=since), "issued_at")
        days |= _days(uses.filter(recorded_at__gte=since), "created_at")
        VoucherDay.objects.filter(day__in=days).delete()
        vouchers, uses = vouchers.filter(_on(days, "issued_at")), uses.filter(_on(days, "created_at"))
    VoucherDay.objects.bulk_create(
        VoucherDay(
            day=row["day"],
            location_id=row["place"],
            kind=kind,
            vouchers=row["vouchers"],
            points=row["points"],
            unpriced=row["unpriced"],
        )
        for kind, rows in (
            (VoucherDay.Kind.ISSUED, issued_by_day(vouchers)),
            (VoucherDay.Kind.USED, used_by_day(uses)),
        )
        for row in rows
    )


def _days(rows, field: str) -> set:
    """The local days of `field` among `rows`."""
    return set(rows.annotate(day=TruncDate(field)).order_by().values_list("day", flat=True).distinct())


def _active_days_update(now: datetime, *, late: list) -> None:
    """Active members at the start of every closed day, anywhere and at each shop, for the
    owner's window: the days a late entry falls in the window of are cleared first, then
    the missing days counted, one query per shop from the first to the last missing day
    (selectors.members.active_at_midnights)."""
    window = ClubEconomics.load().active_window_days
    for day in late:  # an entry of `day` counts for the days after it, as far as the window reaches
        ActiveDay.objects.filter(day__gt=day, day__lte=day + timedelta(days=window)).delete()
    first = _first_activity_day()
    if first is None:
        return
    last = timezone.localdate(now - CLOSED)
    wanted = [first + timedelta(days=n) for n in range(1, (last - first).days + 1)]
    for scope in [0, *Location.objects.values_list("pk", flat=True)]:
        have = set(ActiveDay.objects.filter(scope=scope, window_days=window).values_list("day", flat=True))
        missing = [day for day in wanted if day not in have]
        if not missing:
            continue
        counts = active_at_midnights(
            missing[0], missing[-1], window=timedelta(days=window), location_id=scope or None
        )
        ActiveDay.objects.bulk_create(
            ActiveDay(day=day, scope=scope, window_days=window, members=counts[day]) for day in missing
        )


def _first_activity_day():
    """The day of the club's first purchase or visit (none: no day to count)."""
    firsts = [
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EARN).aggregate(first=Min("created_at"))["first"],
        Visit.objects.aggregate(first=Min("started_at"))["first"],
    ]
    firsts = [moment for moment in firsts if moment is not None]
    return timezone.localdate(min(firsts)) if firsts else None


def _on(days, field: str = "created_at") -> Q:
    """Rows whose `field` falls on any of `days` (local days), as time ranges the index can
    use: one range per run of consecutive days, so that a run after an import or a long
    offline spell (every day for months) reads one range, not hundreds OR-ed together."""
    if not days:
        return Q(pk__in=[])
    return functools.reduce(
        operator.or_,
        (
            Q(
                **{
                    f"{field}__gte": local_midnight(first),
                    f"{field}__lt": local_midnight(last + timedelta(days=1)),
                }
            )
            for first, last in _runs(days)
        ),
    )


def _runs(days) -> list[tuple[date, date]]:
    """`days` as runs of consecutive days, each as (its first day, its last day), in order."""
    runs = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def rollups_stale(*, now: datetime | None = None) -> bool:
    until = rolled_until()
    return until is None or until < (now or timezone.now()) - STALE

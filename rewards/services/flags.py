"""Anomaly flags for the owner: patterns at the counter worth a second look.

Flags are raised, never acted on: the owner decides. Computed with aggregate queries over
a recent window; run by Celery beat every hour and whenever the owner opens the flag list
(not at the till: a credit must not pay for them).
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from clubsite.money import kr
from rewards.config import config
from rewards.models import CounterAction, CounterFlag, LedgerEntry

WINDOW = timedelta(days=7)
OUTLIER_FACTOR = 3  # "far above": more than three times the colleagues' median
OUTLIER_MIN = {"credits": 20, "undos": 5}  # below these counts nothing is unusual yet
GRANT_REDEEM_GAP = timedelta(hours=24)


def counter_flags_scan(*, now: datetime | None = None) -> int:
    """Raise (or refresh) every flag of the last WINDOW. Returns how many flags are current."""
    now = now or timezone.now()
    since = now - WINDOW
    return (
        _member_credits(since, now)
        + _member_points(since, now)
        + _large_purchases(since, now)
        + _staff_outliers(since, now)
        + _grant_then_redeem(since, now)
    )


def _flag(kind, *, day, subject, count, detail="", member_id=None, staff_id=None) -> None:
    CounterFlag.objects.update_or_create(
        kind=kind,
        day=day,
        subject=subject,
        defaults={"count": count, "detail": detail[:200], "member_id": member_id, "staff_id": staff_id},
    )


def _member_credits(since: datetime, now: datetime) -> int:
    limit = config().program.flag_credits_per_day
    if not limit:
        return 0
    zone = timezone.get_current_timezone()
    actions = CounterAction.objects.filter(
        kind__in=CounterAction.CREDITS, created_at__gte=since, created_at__lte=now
    )
    rows = (
        actions.annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("member_id", "day")
        .annotate(n=Count("id"))
        .filter(n__gt=limit)
        .order_by()
    )
    for row in rows:
        _flag(
            CounterFlag.Kind.MEMBER_CREDITS,
            day=row["day"],
            subject=f"member:{row['member_id']}",
            count=row["n"],
            member_id=row["member_id"],
        )
    return len(rows)


def _counter_entries(since: datetime, now: datetime):
    """Credits made by staff (at the till or in admin) in the window, with their local day."""
    zone = timezone.get_current_timezone()
    return (
        LedgerEntry.objects.filter(
            staff__isnull=False, points__gt=0, created_at__gte=since, created_at__lte=now
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by()
    )


def _member_points(since: datetime, now: datetime) -> int:
    """Members given more points by staff in a day than the owner's limit: one purchase of
    100 000 kr is one credit, but far from a normal day."""
    limit = config().program.flag_points_per_day
    if not limit:
        return 0
    rows = (
        _counter_entries(since, now)
        .values("wallet__member_id", "day")
        .annotate(points=Sum("points"))
        .filter(points__gt=limit)
    )
    for row in rows:
        _flag(
            CounterFlag.Kind.MEMBER_POINTS,
            day=row["day"],
            subject=f"member:{row['wallet__member_id']}",
            count=row["points"],
            member_id=row["wallet__member_id"],
        )
    return len(rows)


def _large_purchases(since: datetime, now: datetime) -> int:
    """Purchases above the amount staff must confirm (confirmed, but worth a second look)."""
    ask_above = config().program.purchase_confirm_above_kr
    if not ask_above:
        return 0
    rows = (
        _counter_entries(since, now)
        .filter(kind=LedgerEntry.Kind.EARN, amount_ore__gt=ask_above * 100)
        .values("wallet__member_id", "day")
        .annotate(n=Count("id"), largest=Max("amount_ore"))
    )
    for row in rows:
        _flag(
            CounterFlag.Kind.LARGE_PURCHASE,
            day=row["day"],
            subject=f"member:{row['wallet__member_id']}",
            count=row["n"],
            detail=kr(row["largest"]),
            member_id=row["wallet__member_id"],
        )
    return len(rows)


def _staff_outliers(since: datetime, now: datetime) -> int:
    """Staff whose credits or undos in the window are far above their colleagues' median."""
    rows = list(
        CounterAction.objects.filter(created_at__gte=since, created_at__lte=now)
        .values("staff_id")
        .annotate(
            credits=Count("id", filter=Q(kind__in=CounterAction.CREDITS)),
            undos=Count("id", filter=Q(kind=CounterAction.Kind.UNDO)),
        )
        .order_by()
    )
    if len(rows) < 3:  # one colleague is no norm to compare with
        return 0
    raised = 0
    day = timezone.localdate(now)
    for measure, kind in (
        ("credits", CounterFlag.Kind.STAFF_CREDITS),
        ("undos", CounterFlag.Kind.STAFF_UNDOS),
    ):
        for row in rows:
            others = [r[measure] for r in rows if r is not row]
            norm = statistics.median(others)
            if row[measure] >= OUTLIER_MIN[measure] and row[measure] > OUTLIER_FACTOR * max(norm, 1):
                _flag(
                    kind,
                    day=day,
                    subject=f"staff:{row['staff_id']}",
                    count=row[measure],
                    detail=f"median {norm:g}",
                    staff_id=row["staff_id"],
                )
                raised += 1
    return raised


def _grant_then_redeem(since: datetime, now: datetime) -> int:
    """A redemption within GRANT_REDEEM_GAP after points were granted by hand."""
    manual_grants = LedgerEntry.objects.filter(
        wallet_id=OuterRef("wallet_id"),
        staff__isnull=False,
        points__gt=0,
        kind__in=[LedgerEntry.Kind.BONUS, LedgerEntry.Kind.ADJUST],
        created_at__lte=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - GRANT_REDEEM_GAP,
    )
    zone = timezone.get_current_timezone()
    rows = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REDEEM, created_at__gte=since, created_at__lte=now)
        .filter(Exists(manual_grants))
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("wallet__member_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        member_id = row["wallet__member_id"]
        _flag(
            CounterFlag.Kind.GRANT_THEN_REDEEM,
            day=row["day"],
            subject=f"member:{member_id}",
            count=row["n"],
            member_id=member_id,
        )
    return len(rows)

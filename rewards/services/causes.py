"""Giving points to a good cause: a debit of the member's points (oldest first, as any use of
points), recorded with what it is worth to the cause; the running total per cause; and the
owner's payout report. The owner reverses a gift with a reason through entry_reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from members.models import Member
from rewards.errors import RewardsError
from rewards.models import Cause, Donation, LedgerEntry
from rewards.services import core


@transaction.atomic
def points_donate(
    *, member: Member, cause: Cause, points: int, idempotency_key: str, at: datetime | None = None
) -> core.WalletResult:
    """Give `points` to `cause` (at least what one step of its conversion is); refused when the
    cause is closed or the balance too small."""
    core.check_points(points)
    if not cause.is_active:
        raise RewardsError("cause_closed")
    if points < cause.points:
        raise RewardsError("donation_too_small")
    now = core.now_or(at)
    params = {"cause": cause.pk, "points": points}
    with core.wallet_write(member, key=idempotency_key, kind="donate", params=params, now=now) as write:
        if write.replayed:
            return write.result
        entry = core.post_debit(
            write, points=points, kind=LedgerEntry.Kind.DONATION, now=now, reason=cause.name[:200]
        )
        Donation.objects.create(
            cause=cause, entry=entry, points=points, value_ore=cause.value_ore(points), created_at=now
        )
    return write.result


def _standing() -> Q:
    """Gifts not reversed by the owner."""
    return ~Q(Exists(LedgerEntry.objects.filter(reverses=OuterRef("entry"))))


def cause_totals() -> dict[int, int]:
    """Each cause's running total in øre, reversed gifts left out. One query."""
    rows = Donation.objects.filter(_standing()).values("cause").annotate(ore=Sum("value_ore")).order_by()
    return {row["cause"]: row["ore"] for row in rows}


@dataclass(frozen=True)
class Payout:
    cause: Cause
    gifts: int
    points: int
    value_ore: int


def payout_report(start: datetime, end: datetime) -> list[Payout]:
    """What to pay each cause for the gifts given in [start, end), reversed ones left out."""
    rows = {
        row["cause"]: row
        for row in Donation.objects.filter(_standing(), created_at__gte=start, created_at__lt=end)
        .values("cause")
        .annotate(n=Count("pk"), points=Sum("points"), ore=Sum("value_ore"))
        .order_by()
    }
    return [
        Payout(
            cause,
            rows.get(cause.pk, {}).get("n", 0),
            rows.get(cause.pk, {}).get("points", 0),
            rows.get(cause.pk, {}).get("ore", 0),
        )
        for cause in Cause.objects.order_by("name")
    ]

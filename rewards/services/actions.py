"""Points for what a member does besides buying: filling in the profile (per field), answering
a survey or a poll, a review the owner approved, the anniversary of joining.

Each is an earning of its own on the ledger (LedgerEntry.action), keyed by member, action and
occasion, so that it pays once however often it is asked for; all of them together stay
within the owner's monthly cap per member (PointsProgram.action_points_monthly_cap), the
last one paying what is left under it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, Operation
from rewards.services import core
from rewards.services.points import points_award

PROFILE_FIELDS = ("birthday", "postcode", "interests")


def _month_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def action_points_award(
    *, member: Member, action: str, occasion: str, points: int, reason: str, at: datetime | None = None
) -> core.WalletResult | None:
    """Pay `points` for `action` on `occasion` (once), within the monthly cap. None when
    nothing is paid (no points set, or the cap reached this month)."""
    now = core.now_or(at)
    key = f"action:{action}:{member.pk}:{occasion}"[:100]
    wallet = core.lock(member)  # the month's sum must not move while it is read and added to
    first = Operation.objects.filter(key=key).first()
    if first is not None:
        return core.replay(first)
    cap = config().program.action_points_monthly_cap
    if cap:
        used = LedgerEntry.objects.filter(wallet=wallet, created_at__gte=_month_start(now)).exclude(action="")
        points = min(points, cap - used.aggregate(n=Sum("points", default=0))["n"])
    if points <= 0:
        return None
    return points_award(
        member=member, points=points, reason=reason, idempotency_key=key, at=now, action=action
    )


def profile_fields_award(*, member: Member, at: datetime | None = None) -> int:
    """Points for each profile field the member has filled in, once per field. Returns how
    many fields were paid now."""
    points = config().program.profile_field_points
    if not points:
        return 0
    filled = {
        "birthday": member.birthday is not None,
        "postcode": bool(member.postcode),
        "interests": member.interests.exists(),
    }
    paid = 0
    for field in PROFILE_FIELDS:
        if filled[field]:
            result = action_points_award(
                member=member,
                action="profile",
                occasion=field,
                points=points,
                reason=f"profile:{field}",
                at=at,
            )
            paid += bool(result and not result.replayed)
    return paid


def anniversaries_award(*, today: date | None = None) -> int:
    """The daily job: points to members who joined on this day in an earlier year, once a year
    (those who joined on 29 February get theirs on the 28th in other years)."""
    today = today or timezone.localdate()
    points = config().program.anniversary_points
    if not points:
        return 0
    days = [(today.month, today.day)]
    if (today.month, today.day) == (2, 28) and not _leap(today.year):
        days.append((2, 29))
    paid = 0
    for month, day in days:
        members = Member.objects.filter(erased_at=None, joined_at__month=month, joined_at__day=day).exclude(
            joined_at__year=today.year
        )
        for member in members.iterator():
            result = action_points_award(
                member=member,
                action="anniversary",
                occasion=str(today.year),
                points=points,
                reason="anniversary",
            )
            paid += bool(result and not result.replayed)
    return paid


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

"""A member shown at the till is a visit."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from members.models import Location, Member, User
from members.services import home_shop_settle
from rewards import signals
from rewards.models import Visit
from rewards.services import core

VISIT_GAP = timedelta(minutes=30)  # scans of one member at one shop closer than this: one visit


def visit_record(*, member: Member, location: Location, staff: User, now: datetime | None = None) -> Visit:
    """Record a visit; another scan of the member at the same shop soon after is the same visit."""
    now = core.now_or(now)
    visit = (
        Visit.objects.filter(member=member, location=location, last_seen_at__gte=now - VISIT_GAP)
        .order_by("-last_seen_at")
        .first()
    )
    if visit is None:
        home_shop_settle(member, location)
        visit = Visit.objects.create(
            member=member, location=location, staff=staff, started_at=now, last_seen_at=now
        )
        transaction.on_commit(
            lambda: signals.visit_recorded.send(
                sender=Visit,
                member_id=member.pk,
                visit_id=visit.pk,
                location_id=location.pk,
                staff_id=staff.pk,
            )
        )
        return visit
    Visit.objects.filter(pk=visit.pk).update(last_seen_at=now)
    return visit

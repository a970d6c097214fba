"""Demo history at the counter: visits behind the purchases, a few refused scans, a flag."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone

from members.models import Member, User
from members.services import MembersError, card_code
from rewards.errors import RewardsError
from rewards.models import LedgerEntry, PointsProgram, Visit
from rewards.services import counter, member_search
from rewards.services.flags import counter_flags_scan


def load_counter_demo(staff: list[User], kari: Member) -> None:
    # One visit per member, shop and day a purchase was registered (the history came first).
    days = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EARN, location__isnull=False)
        .annotate(day=TruncDate("created_at"))
        .values("wallet__member_id", "location_id", "staff_id", "day")
        .distinct()
        .order_by()
    )
    opening = time(10)  # the history has days, not hours: say the visit was mid-morning
    Visit.objects.bulk_create(
        Visit(
            member_id=row["wallet__member_id"],
            location_id=row["location_id"],
            staff_id=row["staff_id"],
            started_at=(at := timezone.make_aware(datetime.combine(row["day"], opening))),
            last_seen_at=at,
        )
        for row in days
    )
    till = staff[0]
    location = till.locations.first()
    old_screenshot = card_code(member=kari, at=timezone.now() - timedelta(hours=2))
    for raw in [old_screenshot, "ZZZZ2345", "kari@example"]:
        with contextlib.suppress(MembersError, RewardsError):  # refused on purpose: kept for the owner
            member_search.member_find(raw=raw, staff=till, location=location, ip="192.0.2.10")
    # Someone credited unusually often today: the owner finds a flag in admin.
    per = Member.objects.exclude(pk=kari.pk).order_by("pk").first()
    for _ in range(PointsProgram.load().flag_credits_per_day + 1):
        counter.counter_purchase(
            member=per, amount_ore=4_500, nonce=counter.new_nonce(), staff=till, location=location
        )
    counter_flags_scan()

"""The rollups count a day's active members from each member's covered span
(selectors.members.active_at_midnights); the dashboard counts any other moment with a flag
per moment (activity()). Both must give the same number for every midnight."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.insights.selectors.members import active_at_midnights, activity
from campaigns.insights.selectors.period import local_midnight
from members import roles
from members.models import Member
from rewards import services
from rewards.services.visits import visit_record
from tests.campaigns.random_club import RandomClub, key
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def flagged(first: date, last: date, *, window: timedelta, location_id=None) -> dict:
    """activity() at every midnight from `first` to `last`, a season at a time (one column
    per moment)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counts = {}
    for start in range(0, len(days), 60):
        moments = {local_midnight(day): day for day in days[start : start + 60]}
        active, _ = activity(moments, window=window, churn={}, location_id=location_id)
        counts.update({moments[moment]: members for moment, members in active.items()})
    return counts


def buy(member, at: datetime, location=None):
    services.purchase_register(
        member=member, amount_ore=10_000, idempotency_key=key(), location=location, at=at
    )


@pytest.mark.parametrize("seed, window_days", [(11, 7), (12, 30), (13, 90)])
def test_for_a_random_club_every_midnight_has_as_many_active_members_either_way(seed, window_days):
    rng = random.Random(seed)
    club = RandomClub(rng)
    now = timezone.now()
    club.events(now - timedelta(days=420), now - timedelta(days=1), 80)
    # Erased in the middle of the history: active until then, not after.
    gone = club.members[1]
    Member.objects.filter(pk=gone.pk).update(erased_at=now - timedelta(days=rng.randint(30, 300)))
    window = timedelta(days=window_days)
    first, last = timezone.localdate(now) - timedelta(days=430), timezone.localdate(now)
    club_wide = active_at_midnights(first, last, window=window, location_id=None)
    assert club_wide == flagged(first, last, window=window)
    assert len(set(club_wide.values())) > 2, "members came and went"
    shops_active = False
    for shop in club.shops:
        spans = active_at_midnights(first, last, window=window, location_id=shop.pk)
        assert spans == flagged(first, last, window=window, location_id=shop.pk), shop
        shops_active = shops_active or any(spans.values())
    assert shops_active, "some shop's own members were active"


def test_the_window_is_whole_days_of_the_calendar_also_when_summer_time_shortens_one():
    # Summer time starts on 29 March 2026: that day has 23 hours. A purchase at 23:30 on the
    # 28th is within a one-day window of the 29th's midnight only; a window of 24 hours would
    # also reach the 30th's, which is 22.5 hours later.
    member = MemberFactory()
    buy(member, datetime(2026, 3, 28, 23, 30, tzinfo=OSLO))
    window = timedelta(days=1)
    counts = active_at_midnights(date(2026, 3, 27), date(2026, 4, 1), window=window, location_id=None)
    assert [day for day, members in counts.items() if members] == [date(2026, 3, 29)]
    assert counts == flagged(date(2026, 3, 27), date(2026, 4, 1), window=window)


def test_a_visit_and_a_purchase_at_the_same_moment_make_one_active_member_not_two():
    shop = LocationFactory()
    member = MemberFactory()
    at = datetime(2026, 5, 4, 12, 0, tzinfo=OSLO)
    visit_record(member=member, location=shop, staff=staff_user(roles.COUNTER_STAFF, shop), now=at)
    buy(member, at, shop)
    buy(member, at + timedelta(days=2), shop)
    counts = active_at_midnights(
        date(2026, 5, 4), date(2026, 5, 20), window=timedelta(days=7), location_id=None
    )
    assert set(counts.values()) == {0, 1}
    assert [day for day, members in counts.items() if members] == [
        date(2026, 5, 5) + timedelta(days=n)
        for n in range(9)  # 5 May to 13 May
    ]


def test_a_purchase_at_midnight_counts_from_the_next_midnight_and_an_erasure_ends_it():
    member = MemberFactory()
    buy(member, datetime(2026, 6, 10, 0, 0, tzinfo=OSLO))  # [T - window, T): not yet at 10 June
    Member.objects.filter(pk=member.pk).update(erased_at=datetime(2026, 6, 13, 0, 0, tzinfo=OSLO))
    counts = active_at_midnights(
        date(2026, 6, 9), date(2026, 6, 15), window=timedelta(days=30), location_id=None
    )
    # Erased at midnight of the 13th: still counted at that moment (erased_at >= T), not after.
    assert [day for day, members in counts.items() if members] == [
        date(2026, 6, 11),
        date(2026, 6, 12),
        date(2026, 6, 13),
    ]
    assert counts == flagged(date(2026, 6, 9), date(2026, 6, 15), window=timedelta(days=30))
    # A count may start on any day: one starting on the 11th sees the span opened by the 10th.
    one_day = active_at_midnights(
        date(2026, 6, 11), date(2026, 6, 11), window=timedelta(days=30), location_id=None
    )
    assert one_day == {date(2026, 6, 11): 1}

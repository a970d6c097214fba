"""With a shop chosen, the figures about members are its own members' (issue 20): a member
belongs to one shop, so for random clubs the shops' counts and sums add up to the club's."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.insights.selectors import Period, dashboard
from members.models import Member
from tests.campaigns.random_club import RandomClub
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

ADDITIVE = ("members", "new_members", "liability", "breakage", "partner_usage")


def additive(data) -> tuple:
    kpis = data.kpis
    return (
        *((kpis[k].current, kpis[k].previous) for k in ADDITIVE),
        data.owed.points,
        data.owed.vouchers,
        tuple(row.members for row in data.tiers),
        tuple(row.liability_ore for row in data.trend),
        tuple(row.points_expired for row in data.breakage),
        tuple(row.vouchers_expired for row in data.breakage),
    )


def added(rows: list[tuple]) -> tuple:
    """Element by element, into nested tuples."""
    first = rows[0]
    if isinstance(first, tuple):
        return tuple(added([row[i] for row in rows]) for i in range(len(first)))
    return sum(rows)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_the_shops_member_figures_add_up_to_the_clubs(seed):
    rng = random.Random(seed)
    club = RandomClub(rng)
    now = timezone.now()
    club.events(now - timedelta(days=420), now - timedelta(days=10), 50)
    ledger_roll_up(now=timezone.now() + SETTLE)
    club.events(now - timedelta(days=10), now, 10)
    # Members never seen at a shop have no home: give them one, so every member is in a shop.
    elsewhere = LocationFactory(name="Nett")
    Member.objects.filter(home_location=None).update(home_location=elsewhere)
    shops = [*club.shops, elsewhere]

    shown_at = timezone.now() + timedelta(minutes=5)
    today = timezone.localdate(shown_at)
    for _ in range(3):
        last = today - timedelta(days=rng.randint(0, 300))
        period = Period(last - timedelta(days=rng.randint(0, 60)), last)
        whole = additive(dashboard(period=period, now=shown_at))
        parts = [additive(dashboard(period=period, location=shop, now=shown_at)) for shop in shops]
        assert added(parts) == whole, period

"""The owner's page at any size: the member-level figures kept per period and shop.

The ledger's sums, and the vouchers issued and used, come from the daily rollups and are
read afresh on every visit. The figures that count members (members, active members, buyers
and repeat buyers, the VIP split, consents, vouchers expired and outstanding, tiers,
referrals: selectors.dashboard.Counted) cannot be added up
from days, and counting them reads the whole period again: seconds at a chain's size. So
the page shows them as last counted, and says when; when that is more than FRESH ago a
count is asked for in the background and the next visit has it. Beat keeps the default
period (the last 30 days) counted for the whole club and for every shop someone looked at
in the last two days, so the owner's first look of the day is quick too; any other period
is counted on its first visit and then kept like the default: within the request in a
small club, by a worker in a large one while the page says so and asks again every few
seconds (the view's HX-Request answers).

The counts live in the cache (Redis once there are several processes: settings.CACHES),
keyed by period and shop: a lost one is only counted again, never wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.utils import timezone

from campaigns.experiments.results import ProgrammeResult, club_holdout_result
from campaigns.insights.forms import DEFAULT_DAYS
from campaigns.insights.goals import GoalProgress, goals_progress
from campaigns.insights.selectors import Dashboard, Period, dashboard
from campaigns.insights.selectors.dashboard import Counted, counted
from clubsite.replica import from_replica
from members.models import Location, Member

FRESH = timedelta(minutes=15)
# Beat comes every five minutes and counts the default period again once its count is this
# old: within FRESH between two ticks. One count reads a period's visits and purchases
# (at a million members about half a minute of database time per shop: bench `dashboard`).
RECOUNT = timedelta(minutes=10)
# Up to this many members a period's first visit counts it within the request: well under a
# second (bench dashboard: about 0.3 s at 10,000). A larger club's page says that a worker
# is counting and asks again every few seconds: the owner never waits on a blank page, nor
# does a count of half a minute run into the server's request timeout.
COUNT_AT_ONCE = 20_000
KEEP_SECONDS = 2 * 24 * 3600  # a period nobody has looked at for two days is forgotten
COUNTING_SECONDS = 15 * 60  # one count in the background at a time per period and shop
# Part of every key: a change to Kept's or Counted's fields bumps it; old ones are never read.
VERSION = 4


@dataclass(frozen=True)
class Kept:
    """What is counted for the page, member by member: the period's figures, and beside them
    the standing holdout's result and the goals' progress (each a pass over the members)."""

    counts: Counted
    programme: ProgrammeResult | None
    goals: list[GoalProgress]

    @property
    def at(self):
        return self.counts.at


@dataclass(frozen=True)
class OwnerView:
    data: Dashboard
    programme: ProgrammeResult | None
    goals: list[GoalProgress]


def _key(period: Period, location_id: int | None) -> str:
    return f"dashboard-counted:{period.first.isoformat()}:{period.last.isoformat()}:{location_id or 'all'}"


def kept(period: Period, location_id: int | None) -> Kept | None:
    """The last count of the period at the shop (None: the whole club), if any."""
    return cache.get(_key(period, location_id), version=VERSION)


def owner_dashboard(*, period: Period, location: Location | None, wait: bool = False) -> OwnerView | None:
    """The dashboard as the owner's page shows it: sums up to now, member-level figures
    from the last count. A period not counted yet is counted at once in a small club (or
    when the caller must `wait`: a download), by a worker in a large one: None until then."""
    location_id = getattr(location, "pk", None)
    if location_id is not None:
        looked_at(location_id)
    last = kept(period, location_id)
    if last is None:
        if wait or Member.objects.count() < COUNT_AT_ONCE:
            last = count(period, location)
        else:
            count_later(period, location_id)
            last = kept(period, location_id)  # without a broker the task ran eagerly: counted now
            if last is None:
                return None
    elif timezone.now() - last.at > FRESH:
        count_later(period, location_id)
    data = dashboard(period=period, location=location, counts=last.counts)
    return OwnerView(data, last.programme, last.goals)


def count(period: Period, location: Location | None) -> Kept:
    """Count the member-level figures now and keep them."""
    with from_replica():
        made = Kept(counted(period=period, location=location), club_holdout_result(), goals_progress())
    keep(period, getattr(location, "pk", None), made)
    return made


def keep(period: Period, location_id: int | None, made: Kept) -> None:
    cache.set(_key(period, location_id), made, KEEP_SECONDS, version=VERSION)


def count_later(period: Period, location_id: int | None) -> bool:
    """Ask a worker to count (once: a second visit meanwhile does not ask again)."""
    from campaigns.tasks import dashboard_count

    if not cache.add(f"counting:{_key(period, location_id)}", True, COUNTING_SECONDS, version=VERSION):
        return False
    dashboard_count.delay(period.first.isoformat(), period.last.isoformat(), location_id)
    return True


def count_in_background(first: str, last: str, location_id: int | None) -> None:
    """The worker's part of count_later."""
    period = Period(date.fromisoformat(first), date.fromisoformat(last))
    location = Location.objects.filter(pk=location_id).first() if location_id else None
    try:
        if location_id is None or location is not None:  # a shop deleted meanwhile: nothing to count
            count(period, location)
    finally:
        cache.delete(f"counting:{_key(period, location_id)}", version=VERSION)


def keep_default_counted(*, today: date | None = None) -> int:
    """Beat: count the default period again for the club, and for each shop whose page
    someone opened in the last two days, when its count is more than RECOUNT old. Returns
    how many were counted. (A shop's count costs about as much as the club's: a chain of
    fifty shops counted every ten minutes would keep the database busy for nothing.)"""
    period = Period.last_days(DEFAULT_DAYS, today=today or timezone.localdate())
    shops = list(Location.objects.order_by("pk"))
    looked = cache.get_many([_looked_key(shop.pk) for shop in shops], version=VERSION)
    done = 0
    for location in [None, *(shop for shop in shops if _looked_key(shop.pk) in looked)]:
        last = kept(period, getattr(location, "pk", None))
        if last is None or timezone.now() - last.at > RECOUNT:
            count(period, location)
            done += 1
    return done


def looked_at(location_id: int) -> None:
    """Someone opened the shop's page: beat keeps its default period counted for two days."""
    cache.set(_looked_key(location_id), True, KEEP_SECONDS, version=VERSION)


def _looked_key(location_id: int) -> str:
    return f"dashboard-looked:{location_id}"

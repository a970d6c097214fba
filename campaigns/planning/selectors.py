"""The campaign calendar's month: what is planned and sent, what repeats, and the occasions
to plan around, day by day."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import Coalesce, ExtractDay
from django.utils import timezone

from campaigns.models import Campaign, Flow
from campaigns.planning.occasions import Occasion, next_date, occasions_between
from members.models import Member

MAX_REPEATS_SHOWN = 40  # a weekly series seen from months ahead: enough, and never endless


@dataclass(frozen=True)
class Entry:
    """A campaign on a day: one that exists, or the next of a series that will be made."""

    campaign: Campaign
    moment: datetime
    projected: bool = False


@dataclass
class Day:
    day: date
    in_month: bool
    occasions: list[Occasion] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    birthdays: int = 0

    @property
    def empty(self) -> bool:
        return not (self.occasions or self.entries or self.birthdays)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    previous: date
    next: date
    birthdays: int
    flows: list[Flow]  # on now: they send all month, at each member's own moment


def _grid(first: date) -> list[list[Day]]:
    """Whole weeks, Monday first, around the month."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    days = [
        Day(start + timedelta(days=n), first <= start + timedelta(days=n) <= last)
        for n in range(0, (end - start).days + 1)
    ]
    return [days[n : n + 7] for n in range(0, len(days), 7)]


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    return start, start + timedelta(days=(last - first).days + 1)


def _campaigns(first: date, last: date) -> list[Entry]:
    """Campaigns that went out or are planned in the days shown (cancelled ones left out),
    and the future dates of repeating series, up to the last day."""
    start, end = _bounds(first, last)
    planned = (
        Campaign.objects.exclude(status=Campaign.Status.CANCELLED)
        .annotate(moment=Coalesce("started_at", "send_at"))
        .filter(moment__gte=start, moment__lt=end)
        .select_related("segment")
    )
    entries = [Entry(campaign, campaign.moment) for campaign in planned]
    # Each series continues from its scheduled campaign (the one the next will be copied from).
    series = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, send_at__lt=end).exclude(repeat="")
    for campaign in series.select_related("repeat_of"):
        first_day = timezone.localtime((campaign.repeat_of or campaign).send_at).day
        moment = timezone.localtime(campaign.send_at)
        for _ in range(MAX_REPEATS_SHOWN):
            day = next_date(campaign.repeat, moment.date(), first_day)
            moment = timezone.make_aware(datetime.combine(day, moment.time().replace(tzinfo=None)))
            if moment >= end:
                break
            if moment >= start:
                entries.append(Entry(campaign, moment, projected=True))
    return sorted(entries, key=lambda entry: entry.moment)


def _birthdays(first: date) -> dict[int, int]:
    """How many members have their birthday on each day of the month (for the birthday flow)."""
    rows = (
        Member.objects.filter(erased_at=None, birthday__month=first.month)
        .annotate(day=ExtractDay("birthday"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def calendar_month(first: date) -> Month:
    first = first.replace(day=1)
    weeks = _grid(first)
    shown_first, shown_last = weeks[0][0].day, weeks[-1][-1].day
    by_day: dict[date, Day] = {day.day: day for week in weeks for day in week}
    for occasion in occasions_between(shown_first, shown_last):
        # A local event of several days is marked on each of them.
        day = max(occasion.day, shown_first)
        while day <= min(occasion.last_day or occasion.day, shown_last):
            by_day[day].occasions.append(occasion)
            day += timedelta(days=1)
    for entry in _campaigns(shown_first, shown_last):
        by_day[timezone.localtime(entry.moment).date()].entries.append(entry)
    birthdays = _birthdays(first)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    for number, count in birthdays.items():
        # Born on 29 February: the 28th in other years.
        by_day[first.replace(day=min(number, days_in_month))].birthdays += count
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    flows = list(Flow.objects.filter(enabled=True))
    return Month(first, weeks, previous, following, sum(birthdays.values()), flows)

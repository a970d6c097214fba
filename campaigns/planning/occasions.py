"""The dates a shop plans its messages around, as the guides name them: payday, season
starts, public holidays and the days shops sell for (Mother's Day, Black Friday), plus the
owner's own local events. Computed for any year; only the local events are stored.

The same public holidays make the quiet days of campaigns.sending.rules, and payday is the
date a campaign repeating "on payday" goes out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import LocalEvent

PAYDAY = 20  # the usual Norwegian payday, moved to the working day before when it is not one

# The package's English names, translated here so that the owner reads them in their language.
HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Maundy Thursday": _("Maundy Thursday"),
    "Good Friday": _("Good Friday"),
    "Easter Sunday": _("Easter Sunday"),
    "Easter Monday": _("Easter Monday"),
    "Labor Day": _("Labour Day"),
    "Ascension Day": _("Ascension Day"),
    "Constitution Day": _("Constitution Day (17 May)"),
    "Pentecost": _("Whit Sunday"),
    "Pentecost Monday": _("Whit Monday"),
    "Christmas Day": _("Christmas Day"),
    "Second Day of Christmas": _("Boxing Day"),
}


@dataclass(frozen=True)
class Occasion:
    day: date
    name: str
    kind: str  # holiday, payday, season, shopping, local
    last_day: date | None = None


@lru_cache(maxsize=8)
def norwegian_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NO", years=year, language="en_US")


def working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in norwegian_holidays(day.year)


def payday(year: int, month: int) -> date:
    day = date(year, month, PAYDAY)
    while not working_day(day):
        day -= timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _first_advent(year: int) -> date:
    christmas = date(year, 12, 25)
    last_sunday_before = christmas - timedelta(days=christmas.weekday() + 1)
    return last_sunday_before - timedelta(weeks=3)


def _fixed(year: int) -> list[Occasion]:
    season = [
        (date(year, 3, 1), _("Spring season starts")),
        (date(year, 6, 1), _("Summer season starts")),
        (_nth_weekday(year, 8, 0, 3), _("School starts (around this week)")),
        (date(year, 9, 1), _("Autumn season starts")),
        (_first_advent(year), _("First Sunday of Advent: the Christmas season")),
    ]
    shopping = [
        (date(year, 2, 14), _("Valentine's Day")),
        (_nth_weekday(year, 2, 6, 2), _("Mother's Day")),
        (_nth_weekday(year, 11, 6, 2), _("Father's Day")),
        (_nth_weekday(year, 11, 3, 4) + timedelta(days=1), _("Black Friday")),
    ]
    return [Occasion(day, str(name), "season") for day, name in season] + [
        Occasion(day, str(name), "shopping") for day, name in shopping
    ]


def _local(first: date, last: date) -> list[Occasion]:
    """The owner's events that touch [first, last], yearly ones moved into those years."""
    found = []
    once = LocalEvent.objects.filter(every_year=False, starts_on__lte=last).filter(
        Q(ends_on__gte=first) | Q(ends_on=None, starts_on__gte=first)
    )
    for event in once:
        found.append(Occasion(event.starts_on, event.name, "local", event.ends_on))
    for event in LocalEvent.objects.filter(every_year=True):
        for year in range(first.year, last.year + 1):
            start = _in_year(event.starts_on, year)
            end = event.ends_on and start + (event.ends_on - event.starts_on)
            if start <= last and (end or start) >= first:
                found.append(Occasion(start, event.name, "local", end))
    return found


def _in_year(day: date, year: int) -> date:
    """The same date in another year; 29 February becomes the 28th."""
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def occasions_between(first: date, last: date) -> list[Occasion]:
    """Every occasion from `first` to `last` (both included), by date."""
    found: list[Occasion] = []
    for year in range(first.year, last.year + 1):
        for day, name in norwegian_holidays(year).items():
            found.append(Occasion(day, str(HOLIDAY_NAMES.get(name, name)), "holiday"))
        for month in range(1, 13):
            found.append(Occasion(payday(year, month), str(_("Payday")), "payday"))
        found.extend(_fixed(year))
    inside = [o for o in found if first <= o.day <= last]
    return sorted(inside + _local(first, last), key=lambda o: (o.day, o.kind, o.name))


def next_date(repeat: str, previous: date, day_of_month: int) -> date:
    """The next date of a repeating campaign after `previous`: a week later, the same date
    next month (`day_of_month`, the series' first, kept short months aside), or next payday."""
    if repeat == "weekly":
        return previous + timedelta(weeks=1)
    if repeat == "payday" and payday(previous.year, previous.month) > previous:
        return payday(previous.year, previous.month)
    year, month = (previous.year + 1, 1) if previous.month == 12 else (previous.year, previous.month + 1)
    if repeat == "payday":
        return payday(year, month)
    if repeat == "monthly":
        return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))
    raise ValueError(f"not a repeat: {repeat!r}")

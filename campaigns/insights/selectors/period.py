"""The dashboard's time: a period of whole days in the club's time zone, the one before it,
and the months of the trend charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

TREND_MONTHS = 12


def local_midnight(day: date) -> datetime:
    """The start of `day` in the club's time zone (periods are whole local days)."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both days included: [start, end) as instants."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @property
    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    @classmethod
    def last_days(cls, days: int, *, today: date) -> Period:
        return cls(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class Month:
    first: date  # the 1st of the month

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.first + relativedelta(months=1))


def trend_months(last: date, count: int = TREND_MONTHS) -> list[Month]:
    """The `count` calendar months up to the one holding `last`, oldest first."""
    this_month = last.replace(day=1)
    return [Month(this_month - relativedelta(months=count - 1 - i)) for i in range(count)]

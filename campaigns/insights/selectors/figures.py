"""What the dashboard shows, as plain values: the KPI rows with their definitions, the seed
formulas with their terms, the money owed, and the tables behind the charts.

Everything here is arithmetic on the aggregates the other modules return: no queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise


def percent(part, whole) -> Decimal | None:
    """part / whole * 100 to one decimal; None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratio(part, whole, places: str = "0.01") -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def ore(value) -> int | None:
    """A Decimal amount of øre rounded to whole øre (None stays None)."""
    return None if value is None else int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# How a value is shown and written to CSV.
COUNT, PERCENT, KR, NUMBER, POINTS = "count", "percent", "kr", "number", "points"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str | Promise
    definition: str | Promise
    unit: str
    current: int | Decimal | None
    previous: int | Decimal | None
    # About members (with a shop chosen: its own members, wherever they bought), not about
    # what happened at the shop.
    of_members: bool = False

    @property
    def change(self) -> int | Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    rows: list[Kpi]


@dataclass(frozen=True)
class Term:
    """One term of a seed formula: its name, how it is computed and its value."""

    label: str | Promise
    definition: str | Promise
    unit: str
    current: int | Decimal | None
    previous: int | Decimal | None


@dataclass(frozen=True)
class Formula:
    key: str
    label: str | Promise
    formula: str | Promise  # the seed's formula in words
    unit: str
    current: int | Decimal | None
    previous: int | Decimal | None
    terms: list[Term] = field(default_factory=list)


@dataclass(frozen=True)
class TrendRow:
    month: date
    members: int
    active_share: Decimal | None
    points_redeemed: int
    vouchers_used: int
    liability_ore: int


@dataclass(frozen=True)
class BreakageRow:
    month: date
    points_expired: int
    points_expired_ore: int
    vouchers_expired: int
    vouchers_expired_ore: int

    @property
    def total_ore(self) -> int:
        return self.points_expired_ore + self.vouchers_expired_ore


@dataclass(frozen=True)
class SegmentRow:
    key: str
    label: str | Promise
    members: int
    spend_ore: int
    share: Decimal | None  # of the buyers' spend in the period

    @property
    def average_ore(self) -> int | None:
        return self.spend_ore // self.members if self.members else None


@dataclass(frozen=True)
class ChannelRow:
    """New members by how they found the way in (members.Member.Channel)."""

    label: str | Promise
    members: int  # who joined in the period
    previous: int  # who joined in the period before
    share: Decimal | None  # of the period's new members


@dataclass(frozen=True)
class TierRow:
    name: str | Promise
    members: int
    share: Decimal | None


@dataclass(frozen=True)
class Owed:
    """What the club owes its members right now."""

    points: int  # unexpired, unspent points
    points_ore: int
    vouchers: int  # usable vouchers not yet used
    vouchers_ore: int

    @property
    def total_ore(self) -> int:
        return self.points_ore + self.vouchers_ore

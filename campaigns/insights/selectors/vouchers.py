"""The dashboard's figures about vouchers: issued, used, expired unused (breakage) and still
outstanding, with what they are worth. One aggregate query.

A voucher's worth is its reward's points price at the program's point value; a reward with
no points price (a stamp card's, a gift) counts at the owner's "value of a voucher without a
points price" (campaigns.models.ClubEconomics).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, Sum

from campaigns.insights.selectors.period import Month, Period
from rewards.models import Voucher

Status = Voucher.Status


@dataclass(frozen=True)
class Worth:
    """A number of vouchers and what they are worth: the points price of those that have
    one, and how many have none."""

    count: int
    points: int
    unpriced: int


class VoucherFigures:
    def __init__(self, row: dict):
        self.row = row

    def get(self, key: str) -> Worth:
        return Worth(self.row[f"{key}_n"] or 0, self.row[f"{key}_points"] or 0, self.row[f"{key}_free"] or 0)


def _worth(key: str, condition: Q) -> dict:
    return {
        f"{key}_n": Count("pk", filter=condition),
        f"{key}_points": Sum("reward__cost_points", filter=condition),
        f"{key}_free": Count("pk", filter=condition & Q(reward__cost_points=None)),
    }


def voucher_figures(
    periods: dict[str, Period], months: list[Month], *, now: datetime, location_id: int | None
) -> VoucherFigures:
    """Per period: issued and used (at the location, if one is chosen); per month: used (there)
    and expired unused; now: outstanding. Expired and outstanding vouchers are, with a shop
    chosen, those of its own members (their home shop). Keys "<what>_<period or month index>"."""
    issued_here = used_here = mine = Q()
    if location_id is not None:
        mine = Q(wallet__member__home_location=location_id)
        # Where it was bought with points or its stamp card filled up (none for a gift).
        issued_here = Q(issued_location_id=location_id)
        used_here = Q(used_location_id=location_id)
    aggregates = {}
    for name, period in periods.items():
        aggregates |= _worth(
            f"issued_{name}", Q(issued_at__gte=period.start, issued_at__lt=period.end) & issued_here
        )
        used = Q(used_at__gte=period.start, used_at__lt=period.end)
        aggregates |= _worth(f"used_{name}", used & used_here)
        aggregates |= _worth(f"usedall_{name}", used)  # the ROI's benefits are the whole club's
        aggregates |= _worth(f"expired_{name}", _expired(period.start, period.end, now) & mine)
    for i, month in enumerate(months):
        aggregates |= _worth(f"used_m{i}", Q(used_at__gte=month.start, used_at__lt=month.end) & used_here)
        aggregates |= _worth(f"expired_m{i}", _expired(month.start, month.end, now) & mine)
    aggregates |= _worth("outstanding", Q(status=Status.ACTIVE, expires_at__gt=now) & mine)
    return VoucherFigures(Voucher.objects.aggregate(**aggregates))


def _expired(start: datetime, end: datetime, now: datetime) -> Q:
    """Never used, and its last day passed in [start, end) (and before now)."""
    return Q(status=Status.ACTIVE, expires_at__gte=start, expires_at__lt=min(end, now))

"""The dashboard's figures about vouchers: issued, used, expired unused (breakage) and still
outstanding, with what they are worth.

Issued and used are sums over days, read like the ledger's: the daily rollups
(campaigns.models.VoucherDay) plus what was written since, grouped the same way
(issued_by_day, used_by_day). A use undone at the till is a use taken back on the day of the undo
(rewards.VoucherUse), so an old day never changes. Expired and outstanding depend on the
moment they are taken and on the vouchers of a shop's own members: they are counted
(voucher_figures), with the member-level figures.

A voucher's worth is its reward's points price at the program's point value; a reward with
no points price (a stamp card's, a gift) counts at the owner's "value of a voucher without a
points price" (campaigns.models.ClubEconomics).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from campaigns.insights.selectors.period import Month, Period, local_midnight
from campaigns.models import VoucherDay
from rewards.models import Voucher, VoucherUse

Status = Voucher.Status
ISSUED, USED = VoucherDay.Kind.ISSUED, VoucherDay.Kind.USED


@dataclass(frozen=True)
class Worth:
    """A number of vouchers and what they are worth: the points price of those that have
    one, and how many have none."""

    count: int
    points: int
    unpriced: int

    def __add__(self, other: Worth) -> Worth:
        return Worth(self.count + other.count, self.points + other.points, self.unpriced + other.unpriced)


NONE = Worth(0, 0, 0)


class VoucherFigures:
    """Worths by key: "<what>_<period name or month index>" (see voucher_sums and
    voucher_figures)."""

    def __init__(self, worths: dict[str, Worth]):
        self.worths = worths

    def get(self, key: str) -> Worth:
        return self.worths[key]

    def __or__(self, other: VoucherFigures) -> VoucherFigures:
        return VoucherFigures(self.worths | other.worths)


# --- Issued and used: sums of days


def issued_by_day(vouchers) -> list[dict]:
    """`vouchers` counted per local day of issue and shop where issued, with their worth:
    the rows of VoucherDay, from the rollups or read directly."""
    return list(
        vouchers.order_by()
        .annotate(day=TruncDate("issued_at"), place=F("issued_location_id"))
        .values("day", "place")
        .annotate(
            vouchers=Count("pk"),
            points=Sum("reward__cost_points", default=0),
            unpriced=Count("pk", filter=Q(reward__cost_points=None)),
        )
    )


def used_by_day(uses) -> list[dict]:
    """`uses` (rewards.VoucherUse) summed per local day and shop, net of uses undone."""
    return list(
        uses.order_by()
        .annotate(day=TruncDate("created_at"), place=F("location_id"))
        .values("day", "place")
        .annotate(
            vouchers=Sum("uses"),
            points=Sum(F("uses") * F("voucher__reward__cost_points"), default=0),
            unpriced=Sum("uses", filter=Q(voucher__reward__cost_points=None), default=0),
        )
    )


def voucher_sums(
    periods: dict[str, Period], months: list[Month], *, location_id: int | None, rolled_until: datetime | None
) -> VoucherFigures:
    """Per period: issued and used at the location (if one is chosen), and used anywhere (the
    ROI's benefits are the whole club's); per month: used at the location. From the days
    rolled up before `rolled_until` and the rows written since (None: all read directly).
    Three queries."""
    first = min([p.first for p in periods.values()] + [m.first for m in months])
    after = max(p.last for p in periods.values()) + timedelta(days=1)
    rows = [
        (row["kind"], row["day"], row["place"], _worth(row)) for row in _rolled(first, after, rolled_until)
    ]
    vouchers = Voucher.objects.filter(
        issued_at__gte=local_midnight(first), issued_at__lt=local_midnight(after)
    )
    uses = VoucherUse.objects.filter(
        created_at__gte=local_midnight(first), created_at__lt=local_midnight(after)
    )
    if rolled_until is not None:
        vouchers, uses = (
            vouchers.filter(recorded_at__gte=rolled_until),
            uses.filter(recorded_at__gte=rolled_until),
        )
    rows += [(ISSUED, row["day"], row["place"], _worth(row)) for row in issued_by_day(vouchers)]
    rows += [(USED, row["day"], row["place"], _worth(row)) for row in used_by_day(uses)]

    def total(kind: str, start: date, end: date, *, here: bool) -> Worth:
        """The rows of `kind` on days in [start, end), at the location when `here`."""
        here = here and location_id is not None
        return sum(
            (
                w
                for k, day, place, w in rows
                if k == kind and start <= day < end and (not here or place == location_id)
            ),
            NONE,
        )

    worths = {}
    for name, period in periods.items():
        days = (period.first, period.last + timedelta(days=1))
        worths[f"issued_{name}"] = total(ISSUED, *days, here=True)
        worths[f"used_{name}"] = total(USED, *days, here=True)
        worths[f"usedall_{name}"] = total(USED, *days, here=False)
    for i, month in enumerate(months):
        worths[f"used_m{i}"] = total(USED, month.first, month.first + relativedelta(months=1), here=True)
    return VoucherFigures(worths)


def _rolled(first: date, after: date, rolled_until: datetime | None):
    if rolled_until is None:
        return []
    rolled = VoucherDay.objects.filter(day__gte=first, day__lt=after)
    return rolled.values("kind", "day", "vouchers", "points", "unpriced", place=F("location_id"))


def _worth(row: dict) -> Worth:
    return Worth(row["vouchers"] or 0, row["points"] or 0, row["unpriced"] or 0)


# --- Expired and outstanding: counted


def _counted(key: str, condition: Q) -> dict:
    return {
        f"{key}_n": Count("pk", filter=condition),
        f"{key}_points": Sum("reward__cost_points", filter=condition),
        f"{key}_free": Count("pk", filter=condition & Q(reward__cost_points=None)),
    }


def voucher_figures(
    periods: dict[str, Period], months: list[Month], *, now: datetime, location_id: int | None
) -> VoucherFigures:
    """Per period and month: expired unused; now: outstanding. With a shop chosen, those of
    its own members (their home shop). Keys "expired_<period or month index>", "outstanding".
    One aggregate query."""
    mine = Q(wallet__member__home_location=location_id) if location_id is not None else Q()
    spans = {name: (period.start, period.end) for name, period in periods.items()}
    spans |= {f"m{i}": (month.start, month.end) for i, month in enumerate(months)}
    aggregates = {}
    for name, (start, end) in spans.items():
        aggregates |= _counted(f"expired_{name}", _expired(start, end, now) & mine)
    aggregates |= _counted("outstanding", Q(status=Status.ACTIVE, expires_at__gt=now) & mine)
    row = Voucher.objects.aggregate(**aggregates)
    keys = [f"expired_{name}" for name in spans] + ["outstanding"]
    return VoucherFigures(
        {k: Worth(row[f"{k}_n"] or 0, row[f"{k}_points"] or 0, row[f"{k}_free"] or 0) for k in keys}
    )


def _expired(start: datetime, end: datetime, now: datetime) -> Q:
    """Never used, and its last day passed in [start, end) (and before now)."""
    return Q(status=Status.ACTIVE, expires_at__gte=start, expires_at__lt=min(end, now))

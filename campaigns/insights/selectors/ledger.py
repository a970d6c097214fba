"""The dashboard's figures from the points ledger: purchases, points issued, redeemed and
expired, the points liability over time, buyers and the VIP/regulars/occasional split.

Each function is one aggregate query, however many members and entries there are.
Reversals net out: a refunded purchase carries a negative amount and a credit taken back
negative points, in the period the reversal happened.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from campaigns.insights.selectors.period import Period, local_midnight
from campaigns.models import CampaignSettings, LedgerDay, RollupState
from campaigns.segments import rfm
from clubsite.replica import reading_connection
from rewards.models import LedgerEntry

Kind = LedgerEntry.Kind
CLUB, HERE = "club", "here"  # the whole club, or only what happened at the chosen location


@dataclass(frozen=True)
class Flow:
    """One group of the bucketed ledger (see ledger_flows)."""

    bucket: int
    kind: str
    positive: bool
    here: bool
    gives_back_redemption: bool
    points: int
    amount_ore: int
    entries: int
    with_amount: int


class Flows:
    """The ledger summed per time bucket, kind and location, for any period whose ends are
    among the boundaries. Bucket i holds entries in [boundaries[i-1], boundaries[i])."""

    def __init__(self, boundaries: list[datetime], rows: list[Flow], rolled_until: datetime | None = None):
        self.boundaries, self.rows = boundaries, _merged(rows)
        # Entries written before this came from the daily rollups; None: all read directly.
        self.rolled_until = rolled_until

    def _within(self, start: datetime, end: datetime, scope: str) -> Iterable[Flow]:
        a, b = self.boundaries.index(start), self.boundaries.index(end)
        return (r for r in self.rows if a < r.bucket <= b and (scope == CLUB or r.here))

    def revenue_ore(self, start, end, scope=HERE) -> int:
        """Members' purchases, refunds subtracted (only purchases and their reversals carry
        an amount)."""
        return sum(r.amount_ore for r in self._within(start, end, scope))

    def purchases(self, start, end, scope=HERE) -> int:
        """Purchases registered, less purchases refunded."""
        rows = list(self._within(start, end, scope))
        bought = sum(r.entries for r in rows if r.kind == Kind.EARN)
        refunded = sum(r.with_amount for r in rows if r.kind == Kind.REVERSAL)
        return bought - refunded

    def issued(self, start, end, scope=HERE) -> int:
        """Points credited (purchases, bonuses, grants), less credits reversed or refunded."""
        return sum(
            r.points
            for r in self._within(start, end, scope)
            if r.kind in (Kind.EARN, Kind.BONUS)
            or (r.kind == Kind.ADJUST and r.positive)
            or (r.kind in (Kind.REVERSAL, Kind.REFUND) and not r.positive)
        )

    def redeemed(self, start, end, scope=HERE) -> int:
        """Points spent on rewards, less points given back when a redemption was reversed."""
        spent = sum(-r.points for r in self._within(start, end, scope) if r.kind == Kind.REDEEM)
        back = sum(r.points for r in self._within(start, end, scope) if r.gives_back_redemption)
        return spent - back

    def expired(self, start, end, scope=CLUB) -> int:
        return sum(-r.points for r in self._within(start, end, scope) if r.kind == Kind.EXPIRE)

    def balance_before(self, moment: datetime) -> int:
        """The sum of every balance at `moment`: all points ever entered before it (the
        liability as the books show it; lapsed points leave with the daily expiry entry)."""
        k = self.boundaries.index(moment)
        return sum(r.points for r in self.rows if r.bucket <= k)


def _merged(rows: list[Flow]) -> list[Flow]:
    """Rows of the same bucket and group added together: a year of daily rollups per shop
    is thousands of rows, which every figure would otherwise walk again."""
    sums: dict[tuple, list[int]] = {}
    for r in rows:
        key = (r.bucket, r.kind, r.positive, r.here, r.gives_back_redemption)
        total = sums.setdefault(key, [0, 0, 0, 0])
        total[0] += r.points
        total[1] += r.amount_ore
        total[2] += r.entries
        total[3] += r.with_amount
    return [Flow(*key, *total) for key, total in sums.items()]


def flow_groups(entries, *fields: str, **group_by) -> list[dict]:
    """`entries` summed per kind, sign and "gives back a redemption", and per `group_by`
    (expressions): the grouping the dashboard's flows are made of, read directly from the
    ledger (ledger_flows) or rolled up per day (campaigns.insights.rollups).

    A reversal giving points back is a redemption handed back only if the entry it
    reverses was a redemption (otherwise it undoes a deduction): the inner CASE asks
    only for those few rows, by primary key.
    """
    reverses_redemption = Exists(LedgerEntry.objects.filter(pk=OuterRef("reverses_id"), kind=Kind.REDEEM))
    gives_back = Case(
        When(
            Q(kind=Kind.REVERSAL, points__gt=0),
            then=Case(When(reverses_redemption, then=Value(1)), default=Value(0)),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    positive = Case(When(points__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField())
    return list(
        entries.order_by()
        .annotate(positive=positive, gives_back=gives_back, **group_by)
        .values(*fields, *group_by, "kind", "positive", "gives_back")
        .annotate(
            sum_points=Sum("points"),
            sum_amount=Sum("amount_ore", default=0),
            entries=Count("id"),
            with_amount=Count("amount_ore"),
        )
    )


def ledger_flows(boundaries: Iterable[datetime], *, location_id: int | None) -> Flows:
    """The ledger grouped by time bucket, kind, sign and location: the days rolled up
    (campaigns.insights.rollups) plus the entries made since, read directly."""
    boundaries = sorted(set(boundaries))
    rolled, until = _rolled_flows(boundaries, location_id=location_id)
    entries = (
        LedgerEntry.objects.all() if until is None else LedgerEntry.objects.filter(recorded_at__gte=until)
    )
    bucket = Case(
        *[When(created_at__lt=moment, then=Value(i)) for i, moment in enumerate(boundaries)],
        default=Value(len(boundaries)),
        output_field=IntegerField(),
    )
    here = (
        Case(When(location_id=location_id, then=Value(1)), default=Value(0), output_field=IntegerField())
        if location_id is not None
        else Value(1, output_field=IntegerField())
    )
    tail = [
        flow(r, bucket=r["bucket"], here=bool(r["here"]))
        for r in flow_groups(entries, bucket=bucket, here=here)
    ]
    return Flows(boundaries, rolled + tail, until)


def _rolled_flows(
    boundaries: list[datetime], *, location_id: int | None
) -> tuple[list[Flow], datetime | None]:
    """The rolled-up days as flows, and the moment they reach (None: nothing rolled up).

    A day's row holds entries from its local midnight to the next (or to the watermark),
    so it falls in one bucket whenever every boundary before the watermark is a local
    midnight, as the dashboard's are (period ends, month starts; "now" is past it). Any
    other boundary, and the ledger is read directly."""
    until = rolled_until()
    if until is None or any(b < until and b != local_midnight(timezone.localdate(b)) for b in boundaries):
        return [], None
    rows = LedgerDay.objects.values(
        "day",
        "location_id",
        "kind",
        "positive",
        "entries",
        "with_amount",
        gives_back=F("gives_back_redemption"),
        sum_points=F("points"),
        sum_amount=F("amount_ore"),
    )
    flows = []
    for row in rows:
        bucket = bisect.bisect_right(boundaries, local_midnight(row["day"]))
        here = location_id is None or row["location_id"] == location_id
        flows.append(flow(row, bucket=bucket, here=here))
    return flows, until


def rolled_until() -> datetime | None:
    """How far the rollups reach (read only: the row is made by the first roll-up)."""
    return RollupState.objects.filter(pk=1).values_list("ledger_until", flat=True).first()


def flow(row: dict, *, bucket: int, here: bool) -> Flow:
    """A Flow from a row of flow_groups (or of the rollups, which keep its columns)."""
    return Flow(
        bucket=bucket,
        kind=row["kind"],
        positive=bool(row["positive"]),
        here=here,
        gives_back_redemption=bool(row["gives_back"]),
        points=row["sum_points"],
        amount_ore=row["sum_amount"],
        entries=row["entries"],
        with_amount=row["with_amount"],
    )


@dataclass(frozen=True)
class Buyers:
    buyers: int  # members with at least one purchase (net of refunds) in the period
    repeat: int  # of those, members with two or more


def buyers(periods: dict[str, Period], *, location_id: int | None) -> dict[tuple[str, str], Buyers]:
    """Buyers and repeat buyers per (period name, scope), from one query: the purchases
    net of refunds are counted per wallet in a subquery, the wallets counted around it."""
    earliest = min(p.start for p in periods.values())
    latest = max(p.end for p in periods.values())
    sign = Case(When(kind=Kind.EARN, then=Value(1)), default=Value(-1), output_field=IntegerField())
    scopes = {CLUB: Q()} | ({HERE: Q(location_id=location_id)} if location_id is not None else {})
    per_wallet = {}
    for name, period in periods.items():
        for scope, where in scopes.items():
            inside = Q(created_at__gte=period.start, created_at__lt=period.end) & where
            per_wallet[f"n_{name}_{scope}"] = Sum(Case(When(inside, then=sign), default=Value(0)))
    counted = {}
    for column in per_wallet:
        counted[f"{column}_buyers"] = Count("wallet_id", filter=Q(**{f"{column}__gt": 0}))
        counted[f"{column}_repeat"] = Count("wallet_id", filter=Q(**{f"{column}__gte": 2}))
    totals = (
        LedgerEntry.objects.filter(qualifying=True, created_at__gte=earliest, created_at__lt=latest)
        .order_by()
        .values("wallet_id")
        .annotate(**per_wallet)
        .aggregate(**counted)
    )
    result = {}
    for name in periods:
        for scope in (CLUB, HERE):
            column = f"n_{name}_{scope if scope in scopes else CLUB}"
            result[name, scope] = Buyers(totals[f"{column}_buyers"], totals[f"{column}_repeat"])
    return result


# VIP, regulars, occasional: the definition is campaigns.segments.rfm's, shared with segments.
SEGMENTS = rfm.CLASSES


@dataclass(frozen=True)
class Segment:
    key: str
    members: int
    spend_ore: int


def segments(period: Period, *, location_id: int | None, shares: CampaignSettings) -> list[Segment]:
    """Members who bought in the period (net spend above zero) split by spend. One query."""
    ranked, params = rfm.ranked_sql(period.start, period.end, location_id=location_id, shares=shares)
    with reading_connection().cursor() as cursor:  # the replica's, for the owner's pages
        cursor.execute(rfm.SPLIT_SQL.format(ranked=ranked), params)
        found = {row[0]: row for row in cursor.fetchall()}
    return [
        Segment(key, int(found[i][1]) if i in found else 0, int(found[i][2] or 0) if i in found else 0)
        for i, key in enumerate(SEGMENTS)
    ]


@dataclass(frozen=True)
class ShopPoints:
    """The points of one shop's own members (their home shop): the sum of their balances at
    each moment (as the books show it, like Flows.balance_before), what lapsed from them in
    each window, and the points in lapsed lots the nightly expiry has not yet taken out. The
    club's figures come from the flows (the rollups); a shop's cannot, since a member's
    entries are made at any shop."""

    held: dict[datetime, int]
    expired: dict[tuple[datetime, datetime], int]
    lapsed: int


def shop_points(
    moments: Iterable[datetime],
    windows: Iterable[tuple[datetime, datetime]],
    *,
    now: datetime,
    location_id: int,
) -> ShopPoints:
    """One query over the ledger entries of the shop's members."""
    moments, windows = sorted(set(moments)), sorted(set(windows))
    sums = {f"held_{i}": Sum("points", filter=Q(created_at__lt=m), default=0) for i, m in enumerate(moments)}
    sums |= {
        f"expired_{i}": Sum(
            "points", filter=Q(kind=Kind.EXPIRE, created_at__gte=s, created_at__lt=e), default=0
        )
        for i, (s, e) in enumerate(windows)
    }
    sums["lapsed"] = Sum(
        "remaining", filter=Q(remaining__gt=0, expires_at__lte=now, created_at__lt=now), default=0
    )
    row = LedgerEntry.objects.filter(wallet__member__home_location=location_id).order_by().aggregate(**sums)
    return ShopPoints(
        held={m: row[f"held_{i}"] for i, m in enumerate(moments)},
        expired={w: -row[f"expired_{i}"] for i, w in enumerate(windows)},
        lapsed=row["lapsed"],
    )

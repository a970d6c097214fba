"""A campaign's holdout: who is in it, and what the campaign added over it.

The comparison is everyone picked to get the campaign (sent or not: no consent, a full
budget) against everyone held out, each over the same window from the start of sending. A
member's spend counts purchases less refunds, as the campaign report does. Comparing only
those it reached with the holdout would flatter the campaign: the reachable members are
the keener buyers to begin with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BigIntegerField, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.experiments.assignment import group_for
from campaigns.experiments.stats import (
    Interval,
    conversion_lift,
    mean_lift_from_sums,
    smallest_detectable_lift,
)
from campaigns.models import Campaign, CampaignSettings
from campaigns.segments.selectors import segment_members
from rewards.models import LedgerEntry, Voucher

HOLDOUT = "holdout"
# Below this many members in a group neither interval's normal approximation can be
# trusted: the page says "too few to compare yet" rather than a verdict.
MIN_GROUP = 10


def in_holdout(member_id: int, campaign: Campaign) -> bool:
    shares = [(HOLDOUT, campaign.holdout_percent), ("", 100 - campaign.holdout_percent)]
    return group_for(member_id, f"campaign:{campaign.pk}", shares) == HOLDOUT


@dataclass(frozen=True)
class Group:
    members: int
    buyers: int
    revenue_ore: int
    redeemed: int

    @property
    def conversion(self) -> float:
        return self.buyers / self.members if self.members else 0.0

    @property
    def revenue_per_member_ore(self) -> float:
        return self.revenue_ore / self.members if self.members else 0.0


@dataclass(frozen=True)
class HoldoutResult:
    picked: Group
    holdout: Group
    window_days: int
    conversion: Interval | None  # None: a group too small to say anything
    revenue_per_member_ore: Interval | None


def _spend(start: datetime, end: datetime) -> Coalesce:
    spent = (
        LedgerEntry.objects.filter(
            wallet__member=OuterRef("member"), qualifying=True, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values("wallet")
        .annotate(ore=Sum("amount_ore"))
        .values("ore")
    )
    return Coalesce(Subquery(spent, output_field=IntegerField()), 0)


def holdout_result(campaign: Campaign) -> HoldoutResult | None:
    """The two groups' figures and the lift with its 95 % interval; None before sending or
    without a holdout. One query, whatever the number of members."""
    if not campaign.holdout_percent or campaign.started_at is None:
        return None
    window_days = CampaignSettings.load().attribution_days
    start = campaign.started_at
    rows = (
        campaign.messages.annotate(spent=_spend(start, start + timedelta(days=window_days)))
        .values("group")
        .annotate(
            members=Count("pk"),
            buyers=Count("pk", filter=Q(spent__gt=0)),
            revenue=Sum("spent", default=0),
            squares=Sum(F("spent") * F("spent"), output_field=BigIntegerField(), default=0),
            redeemed=Count("pk", filter=Q(voucher__status=Voucher.Status.USED)),
        )
        .order_by()
    )
    by_group = {row["group"]: row for row in rows}
    empty = {"members": 0, "buyers": 0, "revenue": 0, "squares": 0, "redeemed": 0}
    picked, held = by_group.get("", empty), by_group.get(HOLDOUT, empty)

    def group(row) -> Group:
        return Group(row["members"], row["buyers"], row["revenue"], row["redeemed"])

    conversion = revenue = None
    if picked["members"] >= MIN_GROUP and held["members"] >= MIN_GROUP:
        conversion = conversion_lift(picked["buyers"], picked["members"], held["buyers"], held["members"])
        revenue = mean_lift_from_sums(
            (picked["members"], picked["revenue"], picked["squares"]),
            (held["members"], held["revenue"], held["squares"]),
        )
    return HoldoutResult(group(picked), group(held), window_days, conversion, revenue)


@dataclass(frozen=True)
class Detectable:
    members: int
    holdout: int
    baseline: float  # the segment's share of buyers over a window of the same length, lately
    lift: float | None


def detectable_lift(campaign: Campaign, now: datetime | None = None) -> Detectable | None:
    """Before sending: the smallest lift in conversion this segment and holdout can show."""
    if not campaign.holdout_percent:
        return None
    now = now or timezone.now()
    window = timedelta(days=CampaignSettings.load().attribution_days)
    bought = LedgerEntry.objects.filter(
        wallet__member=OuterRef("pk"), qualifying=True, amount_ore__gt=0, created_at__gte=now - window
    )
    segment = campaign.segment
    counted = (
        segment_members(segment.match, segment.conditions.all(), now)
        .annotate(bought=Exists(bought))
        .aggregate(members=Count("pk"), buyers=Count("pk", filter=Q(bought=True)))
    )
    members = counted["members"]
    holdout = round(members * campaign.holdout_percent / 100)
    baseline = counted["buyers"] / members if members else 0.0
    return Detectable(
        members, holdout, baseline, smallest_detectable_lift(members - holdout, holdout, baseline)
    )

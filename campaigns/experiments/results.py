"""A campaign's experiment: its holdout and its variants (texts B, C, D beside A), who is
in which group, and what each variant added over the holdout (or, without one, over A).

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
from campaigns.experiments.groups import HOLDOUT
from campaigns.experiments.stats import (
    Interval,
    conversion_lift,
    mean_lift_from_sums,
    smallest_detectable_lift,
)
from campaigns.models import Campaign, CampaignSettings
from campaigns.segments.selectors import segment_members
from members.models import Member
from rewards.models import LedgerEntry, Voucher

# Below this many members in a group neither interval's normal approximation can be
# trusted: the page says "too few to compare yet" rather than a verdict.
MIN_GROUP = 10


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
class Comparison:
    group: str  # a variant letter, or "" for everyone picked
    against: str  # "holdout", or "A"
    conversion: Interval | None  # None: a group too small to say anything
    revenue_per_member_ore: Interval | None


@dataclass(frozen=True)
class ExperimentResult:
    groups: dict[str, Group]  # "" or the variants, then "holdout"
    comparisons: list[Comparison]
    window_days: int

    @property
    def winner(self) -> str | None:
        """The variant that clearly did best: the one whose buying beat A's by the clearest
        margin, or A when every other variant bought clearly less. None while any of it
        could be chance: a result that is not clear names no winner."""
        against_a = [c for c in self.comparisons if c.against == "A" and c.conversion]
        if not against_a or len(against_a) < len(self.groups) - 1 - (HOLDOUT in self.groups):
            return None
        better = [c for c in against_a if c.conversion.clear and c.conversion.low > 0]
        if better:
            return max(better, key=lambda c: c.conversion.low).group
        if all(c.conversion.clear and c.conversion.high < 0 for c in against_a):
            return "A"
        return None


def _spend(start, end, member: str = "member") -> Coalesce:
    """What the member (`member`: the outer query's path to it) spent in [start, end),
    purchases less refunds. `start` and `end` are moments or expressions on the outer row."""
    spent = (
        LedgerEntry.objects.filter(
            wallet__member=OuterRef(member), qualifying=True, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values("wallet")
        .annotate(ore=Sum("amount_ore"))
        .values("ore")
    )
    return Coalesce(Subquery(spent, output_field=IntegerField()), 0)


def experiment_result(campaign: Campaign) -> ExperimentResult | None:
    """Each group's figures and each variant's lift over the holdout (without a holdout:
    over variant A; with one, over A as well) with its 95 % interval; None before sending or
    with nothing to compare. One query, whatever the number of members.

    Each member's window starts when their row was written: the start of sending for a
    campaign, the day they entered for a flow's step (whose members enter over months)."""
    if campaign.started_at is None:
        return None
    window_days = CampaignSettings.load().attribution_days
    entered = OuterRef("created_at")
    rows = (
        campaign.messages.annotate(spent=_spend(entered, entered + timedelta(days=window_days)))
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
    baseline = HOLDOUT if HOLDOUT in by_group else "A"
    if baseline not in by_group or len(by_group) < 2:
        return None
    named = sorted(name for name in by_group if name not in (baseline, HOLDOUT))
    comparisons = [_compare(name, by_group[name], baseline, by_group[baseline]) for name in named]
    if baseline == HOLDOUT and "A" in by_group:  # which variant did best, besides each against nothing
        comparisons += [_compare(name, by_group[name], "A", by_group["A"]) for name in named if name != "A"]
    ordered = sorted(by_group, key=lambda name: (name == HOLDOUT, name))
    groups = {
        name: Group(
            by_group[name]["members"],
            by_group[name]["buyers"],
            by_group[name]["revenue"],
            by_group[name]["redeemed"],
        )
        for name in ordered
    }
    return ExperimentResult(groups, comparisons, window_days)


def _compare(name: str, row: dict, against: str, base: dict) -> Comparison:
    if row["members"] < MIN_GROUP or base["members"] < MIN_GROUP:
        return Comparison(name, against, None, None)
    return Comparison(
        name,
        against,
        conversion_lift(row["buyers"], row["members"], base["buyers"], base["members"]),
        mean_lift_from_sums(
            (row["members"], row["revenue"], row["squares"]),
            (base["members"], base["revenue"], base["squares"]),
        ),
    )


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


# --- The club's standing holdout: no marketing at all for a period, for a share of members.


def club_holdout_period(moment: datetime, months: int) -> tuple[datetime, datetime, str]:
    """The holdout period holding `moment`: its start, its end and its name ("2026-3" for
    the fourth of the year's periods of three months). Periods start on 1 January."""
    local = timezone.localtime(moment)
    index = (local.month - 1) // months
    first = local.date().replace(month=index * months + 1, day=1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end_month = index * months + months  # the period's last month; the year's last ends in December
    end_first = (
        first.replace(year=first.year + 1, month=1) if end_month >= 12 else first.replace(month=end_month + 1)
    )
    return (
        start,
        timezone.make_aware(datetime.combine(end_first, datetime.min.time())),
        f"{first.year}-{index}",
    )


def in_club_holdout(member_id: int, moment: datetime, limits: CampaignSettings) -> bool:
    if not limits.club_holdout_percent:
        return False
    _start, _end, name = club_holdout_period(moment, limits.club_holdout_months)
    shares = [(HOLDOUT, limits.club_holdout_percent), ("", 100 - limits.club_holdout_percent)]
    return group_for(member_id, f"club:{name}", shares) == HOLDOUT


@dataclass(frozen=True)
class ProgrammeResult:
    start: datetime
    until: datetime
    comparison: Comparison  # everyone else ("") against the standing holdout
    groups: dict[str, Group]


def club_holdout_result(now: datetime | None = None) -> ProgrammeResult | None:
    """What the whole programme of messages adds this period so far: members who joined
    before it began, the standing holdout against everyone else, buying from its start.
    One query; the groups are drawn here by the same hash as at sending."""
    limits = CampaignSettings.load()
    if not limits.club_holdout_percent:
        return None
    now = now or timezone.now()
    start, _end, _name = club_holdout_period(now, limits.club_holdout_months)
    rows = Member.objects.filter(erased_at=None, joined_at__lt=start).annotate(spent=_spend(start, now, "pk"))
    sums = {HOLDOUT: [0, 0, 0, 0], "": [0, 0, 0, 0]}  # members, buyers, revenue, squares
    for member_id, ore in rows.values_list("pk", "spent").iterator(chunk_size=5000):
        group = sums[HOLDOUT if in_club_holdout(member_id, now, limits) else ""]
        group[0], group[1], group[2], group[3] = (
            group[0] + 1,
            group[1] + (ore > 0),
            group[2] + ore,
            group[3] + ore * ore,
        )
    as_rows = {
        name: {"members": m, "buyers": b, "revenue": r, "squares": q, "redeemed": 0}
        for name, (m, b, r, q) in sums.items()
    }
    groups = {name: Group(row["members"], row["buyers"], row["revenue"], 0) for name, row in as_rows.items()}
    return ProgrammeResult(start, now, _compare("", as_rows[""], HOLDOUT, as_rows[HOLDOUT]), groups)

"""The owner's dashboard: every figure for a period (and the one before it) at one location
or the whole club, in a fixed number of aggregate queries whatever the club's size.

Queries, in order: the economics settings, the points program, members at each moment,
the ledger (how far the daily rollups reach, the rolled-up days, the entries since: see
campaigns.insights.rollups), activity (the rolled-up active members of closed days, late
purchases, the other moments counted), buyers per wallet, segments, the vouchers (issued
and used per day: rolled-up days, vouchers and uses since; then expired and outstanding), the
lapsed lots not yet expired, consents at the two period ends, tiers (two), tier upgrades,
and the referral figures of both periods (referrals.selectors: five, then four), the
partner vouchers used at the partners (one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.insights.selectors import kpis, ledger, members, vouchers
from campaigns.insights.selectors.figures import (
    BreakageRow,
    ChannelRow,
    Formula,
    Kpi,
    Owed,
    Section,
    SegmentRow,
    TierRow,
    TrendRow,
    percent,
)
from campaigns.insights.selectors.formulas import formulas
from campaigns.insights.selectors.memberships import MembershipRow, memberships_by_month
from campaigns.insights.selectors.nps import NpsRow, nps_by_month
from campaigns.insights.selectors.period import Month, Period, trend_months
from campaigns.models import CampaignSettings, ClubEconomics
from campaigns.sending.report import CampaignFigures, campaigns_in
from members.models import Location, Member
from referrals.selectors import Figures, referral_figures
from rewards.models import LedgerEntry, PointsProgram
from rewards.services.partners import partner_usage

CUR, PREV = kpis.CUR, "previous"


@dataclass(frozen=True)
class Dashboard:
    period: Period
    location: Location | None
    now: datetime
    economics: ClubEconomics
    program: PointsProgram
    shares: CampaignSettings  # VIP and regulars' shares of the buyers
    sections: list[Section]
    formulas: list[Formula]
    owed: Owed
    trend: list[TrendRow]
    breakage: list[BreakageRow]
    segments: list[SegmentRow]
    channels: list[ChannelRow]
    campaigns: list[CampaignFigures]
    tiers: list[TierRow]
    nps: list[NpsRow]
    memberships: list[MembershipRow]
    rolled_until: datetime | None  # how far the daily rollups reach (the rest read directly)
    counted_at: datetime  # when the member-level figures were counted (see Counted)

    @property
    def previous(self) -> Period:
        return self.period.previous

    @property
    def kpis(self) -> dict[str, Kpi]:
        return {kpi.key: kpi for section in self.sections for kpi in section.rows}


@dataclass(frozen=True)
class Facts:
    """What the queries returned, for the KPI rows (selectors.kpis) to combine. `ends` gives
    each period's (start, end) as the moments the ledger's sums are taken at; the member-level
    figures were counted at `counted.ends`, the same moments unless counted earlier."""

    economics: ClubEconomics
    program: PointsProgram
    ends: dict[str, tuple[datetime, datetime]]
    flows: ledger.Flows
    counted: Counted
    voucher: vouchers.VoucherFigures  # issued and used (sums of days), expired and outstanding (counted)

    def kpi(self, key, label, definition, unit, fn, of_members=False) -> Kpi:
        """A row: `fn(period name)` gives its value for the period and the one before."""
        return Kpi(key, label, definition, unit, fn(CUR), fn(PREV), of_members)

    def members_at(self, name: str, end: int) -> int:
        """Members at the start (0) or the end (1) of the period."""
        return self.counted.counts[self.counted.ends[name][end]]

    def active_at(self, name: str, end: int) -> int:
        return self.counted.active[self.counted.ends[name][end]]

    def members_at_end(self, name: str) -> int:
        return self.members_at(name, 1)

    @property
    def here(self) -> dict[str, dict[str, int]]:
        return {name: self.sales(name, ledger.HERE) for name in self.ends}

    def sales(self, name: str, scope: str) -> dict[str, int]:
        start, end = self.ends[name]
        flows = self.flows
        return {
            "revenue": flows.revenue_ore(start, end, scope),
            "purchases": flows.purchases(start, end, scope),
            "issued": flows.issued(start, end, scope),
            "redeemed": flows.redeemed(start, end, scope),
        }

    def worth(self, w: vouchers.Worth) -> int:
        """What vouchers are worth in øre (see selectors.vouchers)."""
        return self.program.value_ore(w.points) + w.unpriced * self.economics.free_voucher_value_kr * 100

    def held_at(self, end: datetime, counted_end: datetime) -> int:
        """Points held at a moment: the club's from the ledger's sums (at `end`), a shop's
        members' as counted (at `counted_end`, the same moment unless counted earlier)."""
        if self.counted.points is None:
            return self.flows.balance_before(end)
        return self.counted.points.held[counted_end]

    def expired_in(self, window: tuple[datetime, datetime], counted_window: tuple[datetime, datetime]) -> int:
        """Points expired in a window, as held_at."""
        if self.counted.points is None:
            return self.flows.expired(*window)
        return self.counted.points.expired[counted_window]

    def held(self, name: str) -> int:
        """Points held at the end of the period."""
        return self.held_at(self.ends[name][1], self.counted.ends[name][1])

    def expired(self, name: str) -> int:
        return self.expired_in(self.ends[name], self.counted.ends[name])

    def breakage(self, name: str) -> int:
        return self.program.value_ore(self.expired(name)) + self.worth(self.voucher.get(f"expired_{name}"))


@dataclass(frozen=True)
class Counted:
    """The figures counted member by member or taken at moments (members, active members,
    buyers, the VIP split, consents, vouchers expired and outstanding, tiers, referrals, NPS,
    paid memberships), as
    they stood at `at`. Unlike the ledger's sums they cannot be added up from daily rollups:
    a member who bought on two days is one buyer. The owner's page keeps them per period and
    shop (campaigns.insights.snapshots) and counts them again in the background."""

    at: datetime
    ends: dict[str, tuple[datetime, datetime]]  # each period's ends, no later than `at`
    month_ends: list[datetime]
    counts: dict[datetime, int]
    members_now: int  # members at `at`
    joined: dict[str, int]
    active: dict[datetime, int]
    churned: dict[str, int]
    buyers: dict[tuple[str, str], ledger.Buyers]
    segments: list[ledger.Segment]
    channels: dict[str, dict[str, int]]
    campaigns: list[CampaignFigures]
    voucher: vouchers.VoucherFigures
    consent: dict[str, dict[str, int]]
    tiers: list
    per_tier: dict
    upgraded: dict[str, int]
    referrals: dict[str, Figures]
    partners: dict[str, tuple[int, int]]
    nps: list[NpsRow]
    memberships: list[MembershipRow]
    # A shop's members' points (None for the whole club, whose come from the ledger's sums).
    points: ledger.ShopPoints | None


def _ends(period: Period, now: datetime) -> tuple[dict, list[datetime]]:
    """Each period's (start, end) and the trend's month ends, none later than now: stock
    figures are taken no later than now."""
    periods = {CUR: period, PREV: period.previous}
    ends = {name: (min(p.start, now), min(p.end, now)) for name, p in periods.items()}
    return ends, [min(m.end, now) for m in trend_months(period.last)]


def counted(
    *,
    period: Period,
    location: Location | None = None,
    now: datetime | None = None,
    rolled_until: datetime | None = None,
    settings: tuple[ClubEconomics, CampaignSettings, PointsProgram] | None = None,
) -> Counted:
    """Count the member-level figures now (see Counted). The dashboard passes what it has
    read already: the rollups' reach and the club's settings."""
    now = now or timezone.now()
    if rolled_until is None:
        rolled_until = ledger.rolled_until()
    economics, shares, program = settings or (
        ClubEconomics.load(),
        CampaignSettings.load(),
        PointsProgram.load(),
    )
    location_id = getattr(location, "pk", None)
    periods = {CUR: period, PREV: period.previous}
    months = trend_months(period.last)
    ends, month_ends = _ends(period, now)
    moments = {m for pair in ends.values() for m in pair} | set(month_ends)
    counts, joined = members.member_counts(moments | {now}, periods, location_id=location_id)
    active, churned = members.active_with_rollups(
        moments,
        window=timedelta(days=economics.active_window_days),
        churn=ends,
        location_id=location_id,
        rolled_until=rolled_until,
    )
    tiers, per_tier = members.tier_counts(location_id=location_id)
    windows = set(ends.values()) | {(m.start, end) for m, end in zip(months, month_ends, strict=True)}
    return Counted(
        at=now,
        ends=ends,
        month_ends=month_ends,
        counts=counts,
        members_now=counts[now],
        joined=joined,
        active=active,
        churned=churned,
        buyers=ledger.buyers(periods, location_id=location_id),
        segments=ledger.segments(period, location_id=location_id, shares=shares),
        channels=members.joins_by_channel(periods, location_id=location_id),
        campaigns=campaigns_in(
            period.start, period.end, window_days=shares.attribution_days, location_id=location_id
        ),
        voucher=vouchers.voucher_figures(periods, months, now=now, location_id=location_id),
        consent={
            name: members.consents(end, location_id=location_id) for name, (_start, end) in ends.items()
        },
        tiers=tiers,
        per_tier=per_tier,
        upgraded=members.upgrades(periods, location_id=location_id),
        referrals={
            CUR: referral_figures(since=ends[CUR][0], until=ends[CUR][1], location_id=location_id),
            # The spend of referred members is all-time: once is enough.
            PREV: referral_figures(
                since=ends[PREV][0], until=ends[PREV][1], with_spend=False, location_id=location_id
            ),
        },
        partners=partner_usage(ends, location_id=location_id),
        nps=nps_by_month(months, location_id=location_id),
        memberships=memberships_by_month(months, now=now, program=program, location_id=location_id),
        points=None
        if location_id is None
        else ledger.shop_points(
            {end for _start, end in windows} | {now}, windows, now=now, location_id=location_id
        ),
    )


def dashboard(
    *,
    period: Period,
    location: Location | None = None,
    now: datetime | None = None,
    counts: Counted | None = None,
) -> Dashboard:
    """Every figure for the period: the ledger's sums now (daily rollups plus what came
    after), the member-level figures from `counts` (as they stood when counted), or counted
    now when not given."""
    now = now or timezone.now()
    economics = ClubEconomics.load()
    shares = CampaignSettings.load()
    program = PointsProgram.load()
    location_id = getattr(location, "pk", None)
    periods = {CUR: period, PREV: period.previous}
    months = trend_months(period.last)
    ends, month_ends = _ends(period, now)
    moments = {m for pair in ends.values() for m in pair} | set(month_ends)
    flows = ledger.ledger_flows(moments | {m.start for m in months} | {now}, location_id=location_id)
    if counts is None:
        counts = counted(
            period=period,
            location=location,
            now=now,
            rolled_until=flows.rolled_until,
            settings=(economics, shares, program),
        )
    if counts.points is None:
        owed_points = flows.balance_before(now) - _lapsed_points(now)
    else:  # a shop's members' points, as counted
        owed_points = counts.points.held[counts.at] - counts.points.lapsed
    voucher = counts.voucher | vouchers.voucher_sums(
        periods, months, location_id=location_id, rolled_until=flows.rolled_until
    )
    facts = Facts(economics, program, ends, flows, counts, voucher)
    seed = formulas(
        periods=periods,
        active_start={n: counts.active[counts.ends[n][0]] for n in periods},
        churned=counts.churned,
        sales={n: facts.sales(n, ledger.CLUB) for n in periods},
        here=facts.here,
        buyers_here={n: counts.buyers[n, ledger.HERE].buyers for n in periods},
        benefits_ore={n: facts.worth(voucher.get(f"usedall_{n}")) for n in periods},
        economics=economics,
    )
    expired_by_month = [
        facts.expired_in((month.start, end), (month.start, counted_end))
        for month, end, counted_end in zip(months, month_ends, counts.month_ends, strict=True)
    ]
    return Dashboard(
        period=period,
        location=location,
        now=now,
        counted_at=counts.at,
        economics=economics,
        program=program,
        shares=shares,
        sections=kpis.sections(facts),
        formulas=seed,
        owed=Owed(
            points=owed_points,
            points_ore=program.value_ore(owed_points),
            vouchers=voucher.get("outstanding").count,
            vouchers_ore=facts.worth(voucher.get("outstanding")),
        ),
        trend=[
            TrendRow(
                month=month.first,
                members=counts.counts[counted_end],
                active_share=percent(counts.active[counted_end], counts.counts[counted_end]),
                points_redeemed=flows.redeemed(month.start, end),
                vouchers_used=voucher.get(f"used_m{i}").count,
                liability_ore=program.value_ore(facts.held_at(end, counted_end)),
            )
            for i, (month, end, counted_end) in enumerate(
                zip(months, month_ends, counts.month_ends, strict=True)
            )
        ],
        breakage=[
            BreakageRow(
                month=month.first,
                points_expired=expired,
                points_expired_ore=program.value_ore(expired),
                vouchers_expired=voucher.get(f"expired_m{i}").count,
                vouchers_expired_ore=facts.worth(voucher.get(f"expired_m{i}")),
            )
            for i, (month, expired) in enumerate(zip(months, expired_by_month, strict=True))
        ],
        segments=_segment_rows(counts.segments, shares),
        channels=_channel_rows(counts.channels),
        campaigns=counts.campaigns,
        tiers=_tier_rows(counts.tiers, counts.per_tier, counts.members_now),
        nps=counts.nps,
        memberships=counts.memberships,
        rolled_until=flows.rolled_until,
    )


def _lapsed_points(now: datetime) -> int:
    """Points in lots that have lapsed and that the nightly expiry has not yet taken out.

    What the club owes is every point in unspent lots that have not lapsed. By the wallet's
    rule every balance equals the sum of its entries and of its unspent lots, so that is
    the ledger's sum (from the rollups) less these few lots: the expiry runs every night, and
    the partial index on lapsing lots finds them without reading the millions of others.
    """
    return (
        LedgerEntry.objects.filter(remaining__gt=0, expires_at__lte=now, created_at__lt=now)
        .order_by()
        .aggregate(points=Sum("remaining", default=0))["points"]
    )


SEGMENT_LABELS = {
    "vip": lambda shares: _("VIP (top %(percent)s %%)") % {"percent": shares.vip_percent},
    "regular": lambda shares: _("Regulars (next %(percent)s %%)") % {"percent": shares.regular_percent},
    "occasional": lambda shares: _("Occasional (the rest)"),
}


def _channel_rows(joined: dict[str, dict[str, int]]) -> list[ChannelRow]:
    """Every channel, in the model's order, with a share of the period's new members."""
    total = sum(counts[CUR] for counts in joined.values())
    return [
        ChannelRow(
            label,
            joined.get(channel, {}).get(CUR, 0),
            joined.get(channel, {}).get(PREV, 0),
            percent(joined.get(channel, {}).get(CUR, 0), total),
        )
        for channel, label in Member.Channel.choices
    ]


def _segment_rows(segments: list[ledger.Segment], shares: CampaignSettings) -> list[SegmentRow]:
    total = sum(s.spend_ore for s in segments)
    return [
        SegmentRow(s.key, SEGMENT_LABELS[s.key](shares), s.members, s.spend_ore, percent(s.spend_ore, total))
        for s in segments
    ]


def _tier_rows(tiers, per_tier: dict, members_now: int) -> list[TierRow]:
    """Members per tier. A member with no wallet yet (nothing earned, card never opened) is
    in the base tier (one from 0) like every member; only without one is there "no tier"."""
    per_tier = dict(per_tier)
    untiered = members_now - sum(per_tier.values())
    rows = []
    if tiers and tiers[0].threshold <= 0:
        per_tier[tiers[0].pk] = per_tier.get(tiers[0].pk, 0) + untiered
    else:
        rows.append(TierRow(_("No tier yet"), untiered, percent(untiered, members_now)))
    rows += [
        TierRow(tier.name, per_tier.get(tier.pk, 0), percent(per_tier.get(tier.pk, 0), members_now))
        for tier in tiers
    ]
    return rows


__all__ = ["CUR", "PREV", "Counted", "Dashboard", "Facts", "Month", "counted", "dashboard"]

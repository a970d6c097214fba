"""The owner's dashboard: every figure for a period (and the one before it) at one location
or the whole club, in a fixed number of aggregate queries whatever the club's size.

Queries, in order: the economics settings, the points program, members at each moment,
the ledger (how far the daily rollups reach, the rolled-up days, the entries since: see
campaigns.insights.rollups), activity (the rolled-up active members of closed days, late
purchases, the other moments counted), buyers per wallet, segments, the vouchers, the
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

    @property
    def previous(self) -> Period:
        return self.period.previous

    @property
    def kpis(self) -> dict[str, Kpi]:
        return {kpi.key: kpi for section in self.sections for kpi in section.rows}


@dataclass(frozen=True)
class Facts:
    """What the queries returned, for the KPI rows (selectors.kpis) to combine. `ends` gives
    each period's (start, end) as the moments its stock figures are taken at."""

    economics: ClubEconomics
    program: PointsProgram
    ends: dict[str, tuple[datetime, datetime]]
    counts: dict[datetime, int]  # members at each moment
    joined: dict[str, int]
    active: dict[datetime, int]
    churned: dict[str, int]
    flows: ledger.Flows
    buyers: dict[tuple[str, str], ledger.Buyers]
    voucher: vouchers.VoucherFigures
    consent: dict[str, dict[str, int]]
    upgraded: dict[str, int]
    referrals: dict[str, Figures]
    partners: dict[str, tuple[int, int]]  # partner vouchers used at the partners: (count, øre)

    def kpi(self, key, label, definition, unit, fn, club_wide=False) -> Kpi:
        """A row: `fn(period name)` gives its value for the period and the one before."""
        return Kpi(key, label, definition, unit, fn(CUR), fn(PREV), club_wide)

    def members_at_end(self, name: str) -> int:
        return self.counts[self.ends[name][1]]

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

    def breakage(self, name: str) -> int:
        start, end = self.ends[name]
        return self.program.value_ore(self.flows.expired(start, end)) + self.worth(
            self.voucher.get(f"expired_{name}")
        )


def dashboard(*, period: Period, location: Location | None = None, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    economics = ClubEconomics.load()
    shares = CampaignSettings.load()
    program = PointsProgram.load()
    location_id = getattr(location, "pk", None)
    periods = {CUR: period, PREV: period.previous}
    months = trend_months(period.last)

    def at(moment: datetime) -> datetime:  # stock figures are taken no later than now
        return min(moment, now)

    ends = {name: (at(p.start), at(p.end)) for name, p in periods.items()}
    month_ends = [at(m.end) for m in months]
    moments = {m for pair in ends.values() for m in pair} | set(month_ends)

    counts, joined = members.member_counts(moments | {now}, periods)
    flows = ledger.ledger_flows(moments | {m.start for m in months} | {now}, location_id=location_id)
    active, churned = members.active_with_rollups(
        moments,
        window=timedelta(days=economics.active_window_days),
        churn=ends,
        location_id=location_id,
        rolled_until=flows.rolled_until,
    )
    buyers = ledger.buyers(periods, location_id=location_id)
    segments = ledger.segments(period, location_id=location_id, shares=shares)
    channels = members.joins_by_channel(periods, location_id=location_id)
    # Club-wide: a campaign has no shop.
    sent = campaigns_in(period.start, period.end, window_days=shares.attribution_days)
    voucher = vouchers.voucher_figures(periods, months, now=now, location_id=location_id)
    owed_points = flows.balance_before(now) - _lapsed_points(now)
    consent = {name: members.consents(end) for name, (_start, end) in ends.items()}
    tiers, per_tier = members.tier_counts()
    upgraded = members.upgrades(periods)
    referrals = {
        CUR: referral_figures(since=ends[CUR][0], until=ends[CUR][1]),
        # The spend of referred members is all-time: once is enough.
        PREV: referral_figures(since=ends[PREV][0], until=ends[PREV][1], with_spend=False),
    }
    facts = Facts(
        economics,
        program,
        ends,
        counts,
        joined,
        active,
        churned,
        flows,
        buyers,
        voucher,
        consent,
        upgraded,
        referrals,
        partner_usage(ends),
    )
    seed = formulas(
        periods=periods,
        active_start={n: active[ends[n][0]] for n in periods},
        churned=churned,
        sales={n: facts.sales(n, ledger.CLUB) for n in periods},
        buyers={n: buyers[n, ledger.CLUB].buyers for n in periods},
        benefits_ore={n: facts.worth(voucher.get(f"usedall_{n}")) for n in periods},
        economics=economics,
    )
    return Dashboard(
        period=period,
        location=location,
        now=now,
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
                members=counts[end],
                active_share=percent(active[end], counts[end]),
                points_redeemed=flows.redeemed(month.start, end),
                vouchers_used=voucher.get(f"used_m{i}").count,
                liability_ore=program.value_ore(flows.balance_before(end)),
            )
            for i, (month, end) in enumerate(zip(months, month_ends, strict=True))
        ],
        breakage=[
            BreakageRow(
                month=month.first,
                points_expired=flows.expired(month.start, end),
                points_expired_ore=program.value_ore(flows.expired(month.start, end)),
                vouchers_expired=voucher.get(f"expired_m{i}").count,
                vouchers_expired_ore=facts.worth(voucher.get(f"expired_m{i}")),
            )
            for i, (month, end) in enumerate(zip(months, month_ends, strict=True))
        ],
        segments=_segment_rows(segments, shares),
        channels=_channel_rows(channels),
        campaigns=sent,
        tiers=_tier_rows(tiers, per_tier, counts[now]),
        nps=nps_by_month(months, location_id=location_id),
        memberships=memberships_by_month(months, now=now, program=program),
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


__all__ = ["CUR", "PREV", "Dashboard", "Facts", "Month", "dashboard"]

"""Reads about referrals used in more than one place: the receivers' cheap checks, the
member's progress, the counter panel, and the owner's figures (admin now, the dashboard later).

The figures are database aggregates: a fixed number of queries however many members there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from members.models import Member
from referrals.models import Referral, ReferralCode, ReferralLinkOpen, ReferralPayout
from rewards.models import LedgerEntry, PointsProgram

OPENS_SHOWN = 10  # "someone opened your link" lines on the member's page
# Qualified and not undone: a referral whose qualifying purchase was refunded (cancelled in
# the hold, reversed after payment) did not bring a customer.
QUALIFIED = (Referral.Status.QUALIFIED, Referral.Status.PAID)


# --- Cheap checks for the receivers: most purchases and refunds have nothing to do with
# referrals, and these run after every purchase, visit and refund (indexed lookups).


def waits_for_qualifying(member_id: int) -> bool:
    return Referral.objects.filter(friend_id=member_id, status=Referral.Status.PENDING).exists()


def qualified_by(member_id: int, entry_id: int) -> bool:
    return Referral.objects.filter(friend_id=member_id, qualifying_entry_id=entry_id).exists()


# --- The member's page and the counter.


@dataclass(frozen=True)
class Progress:
    code: ReferralCode
    referrals: list[Referral]  # with the friend's user, newest first
    opens: list[ReferralLinkOpen]  # link opened by someone who has not joined (yet)
    rewarded: int


def member_progress(member: Member, code: ReferralCode) -> Progress:
    """What the member's invitations came to. Three queries."""
    referrals = list(
        Referral.objects.filter(referrer=member).select_related("friend__user").order_by("-created_at", "-id")
    )
    opens = list(ReferralLinkOpen.objects.filter(code=code, referral=None)[:OPENS_SHOWN])
    return Progress(
        code=code,
        referrals=referrals,
        opens=opens,
        rewarded=sum(r.status == Referral.Status.PAID for r in referrals),
    )


def invited_by(member: Member) -> Referral | None:
    """The member's own referral as a friend (who invited them), for the counter panel."""
    return Referral.objects.select_related("referrer__user").filter(friend=member).first()


# --- The owner's figures.


@dataclass(frozen=True)
class Figures:
    members: int
    referrers: int  # members who brought at least one friend (not refused)
    joined: int  # friends who joined through an invitation (not refused)
    qualified: int  # of those, friends whose qualifying purchase or visit stands (not refunded)
    cost_ore: int  # what the rewards not taken back are worth, in øre
    referred_spend_ore: int
    referred_members: int
    other_spend_ore: int
    other_members: int

    @property
    def referral_rate(self) -> Decimal | None:
        """Percent of members who referred at least once."""
        return _percent(self.referrers, self.members)

    @property
    def conversion(self) -> Decimal | None:
        """Percent of friends who joined that went on to qualify."""
        return _percent(self.qualified, self.joined)

    @property
    def cost_per_qualified_ore(self) -> int | None:
        return self.cost_ore // self.qualified if self.qualified else None

    @property
    def referred_average_spend_ore(self) -> int | None:
        return self.referred_spend_ore // self.referred_members if self.referred_members else None

    @property
    def other_average_spend_ore(self) -> int | None:
        return self.other_spend_ore // self.other_members if self.other_members else None


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def referral_figures(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    with_spend: bool = True,
    location_id: int | None = None,
) -> Figures:
    """Referral rate, conversion, cost per qualified referral and the spend of referred
    members against the others, over referrals recorded in [since, until). Five queries.

    Spend is every qualifying purchase (refunds subtracted) of the member, ever: the
    figure the seeds call lifetime value, compared per member. It reads the whole ledger;
    `with_spend=False` skips it (four queries, spend figures 0) when only the rates are wanted.
    With `location_id`, one shop's own members (their home shop) and the friends they brought.
    """
    referrals = Referral.objects.exclude(status=Referral.Status.REFUSED)
    members = Member.objects.all()
    if location_id is not None:
        referrals = referrals.filter(referrer__home_location=location_id)
        members = members.filter(home_location=location_id)
    if since is not None:
        referrals = referrals.filter(created_at__gte=since)
    if until is not None:
        referrals = referrals.filter(created_at__lt=until)
    counts = referrals.aggregate(
        joined=Count("pk"),
        qualified=Count("pk", filter=Q(status__in=QUALIFIED)),
        referrers=Count("referrer", distinct=True),
    )
    friends = referrals.values("friend_id")
    # The members of the period's end: an erasure later on must not change a past figure,
    # so a member counts until the moment they were erased.
    end = until or timezone.now()
    counted = Q(erased_at=None) | Q(erased_at__gte=end)
    members = members.filter(counted, joined_at__lt=end)
    member_counts = members.aggregate(all=Count("pk"), referred=Count("pk", filter=Q(pk__in=friends)))
    spend = {}
    if with_spend:
        of_members = Q(wallet__member__erased_at=None) | Q(wallet__member__erased_at__gte=end)
        if location_id is not None:
            of_members &= Q(wallet__member__home_location=location_id)
        spend = LedgerEntry.objects.filter(
            of_members, qualifying=True, wallet__member__joined_at__lt=end
        ).aggregate(
            all=Sum("amount_ore"), referred=Sum("amount_ore", filter=Q(wallet__member_id__in=friends))
        )
    cost_points = (
        ReferralPayout.objects.filter(referral__in=referrals, reversed_at=None).aggregate(
            points=Sum("value_points")
        )["points"]
        or 0
    )
    all_spend, referred_spend = spend.get("all") or 0, spend.get("referred") or 0
    return Figures(
        members=member_counts["all"],
        referrers=counts["referrers"],
        joined=counts["joined"],
        qualified=counts["qualified"],
        cost_ore=PointsProgram.load().value_ore(cost_points),
        referred_spend_ore=referred_spend,
        referred_members=member_counts["referred"],
        other_spend_ore=all_spend - referred_spend,
        other_members=member_counts["all"] - member_counts["referred"],
    )

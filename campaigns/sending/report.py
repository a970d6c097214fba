"""How a campaign went: sent, not sent and why, vouchers used, unsubscribed, and the
recipients who bought within the settings' attribution window, with their revenue.

"Bought after the message" is not "bought because of it": the report says so, and a
holdout group (issue 16) is what will tell the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from campaigns.models import Campaign, CampaignSettings, Message
from members.models import ConsentEvent
from rewards.models import LedgerEntry, Voucher

Status = Message.Status


@dataclass(frozen=True)
class Day:
    day: date
    buyers: int
    revenue_ore: int


@dataclass(frozen=True)
class Report:
    by_status: dict[str, int]
    suppressed: dict[str, int]
    vouchers_used: int
    clicked: int
    unsubscribed: int
    buyers: int
    revenue_ore: int
    window_days: int
    days: list[Day]

    @property
    def written(self) -> int:
        return sum(self.by_status.values())


def _spend_after(window: timedelta) -> Subquery:
    """Per sent message: what its member spent (refunds subtracted) in the window after it."""
    spent = (
        LedgerEntry.objects.filter(
            wallet__member=OuterRef("member"),
            qualifying=True,
            created_at__gte=OuterRef("sent_at"),
            created_at__lt=OuterRef("sent_at") + window,
        )
        .order_by()
        .values("wallet")
        .annotate(ore=Sum("amount_ore"))
        .values("ore")
    )
    return Coalesce(Subquery(spent, output_field=IntegerField()), 0)


def _unsubscribed_after() -> Exists:
    """Per sent message: its member used an unsubscribe link after it."""
    return Exists(
        ConsentEvent.objects.filter(
            member=OuterRef("member"),
            granted=False,
            source=ConsentEvent.Source.UNSUBSCRIBE,
            created_at__gte=OuterRef("sent_at"),
        )
    )


def campaign_report(campaign: Campaign) -> Report:
    rows = campaign.messages.values("status", "reason").annotate(n=Count("pk")).order_by()
    by_status: dict[str, int] = {}
    suppressed: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["status"] == Status.SUPPRESSED:
            suppressed[row["reason"]] = row["n"]
    window_days = CampaignSettings.load().attribution_days
    window = timedelta(days=window_days)
    sent = campaign.messages.filter(status=Status.SENT)
    totals = sent.annotate(spent=_spend_after(window), stopped=_unsubscribed_after()).aggregate(
        buyers=Count("pk", filter=Q(spent__gt=0)),
        revenue=Sum("spent", default=0),
        unsubscribed=Count("pk", filter=Q(stopped=True)),
        vouchers_used=Count("pk", filter=Q(voucher__status=Voucher.Status.USED)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
    return Report(
        by_status=by_status,
        suppressed=suppressed,
        vouchers_used=totals["vouchers_used"],
        clicked=totals["clicked"],
        unsubscribed=totals["unsubscribed"],
        buyers=totals["buyers"],
        revenue_ore=totals["revenue"],
        window_days=window_days,
        days=_days(campaign, window) if campaign.started_at else [],
    )


def _days(campaign: Campaign, window: timedelta) -> list[Day]:
    """Purchases by the recipients on each day from the start of sending through the window."""
    recipients = Message.objects.filter(campaign=campaign, status=Status.SENT).values("member")
    entries = LedgerEntry.objects.filter(
        wallet__member__in=recipients,
        qualifying=True,
        created_at__gte=campaign.started_at,
        created_at__lt=campaign.started_at + window,
    )
    per_day = (
        entries.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(buyers=Count("wallet", distinct=True), ore=Sum("amount_ore"))
        .order_by("day")
    )
    found = {row["day"]: row for row in per_day}
    days, day = [], timezone.localdate(campaign.started_at)  # TruncDate counts in local days too
    for _ in range(window.days):
        row = found.get(day)
        days.append(Day(day, row["buyers"] if row else 0, int(row["ore"] or 0) if row else 0))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign's line on the dashboard: the report's main figures."""

    name: str
    sent: int
    clicked: int
    unsubscribed: int
    vouchers_used: int
    buyers: int
    revenue_ore: int


def campaigns_in(start, end, *, window_days: int, location_id: int | None = None) -> list[CampaignFigures]:
    """Every campaign that started sending in [start, end), with its figures (buyers within
    `window_days` of their message). One query, whatever the number of campaigns or messages.
    With `location_id`, only the messages to that shop's own members (their home shop)."""
    window = timedelta(days=window_days)
    messages = Message.objects.all()
    if location_id is not None:
        messages = messages.filter(member__home_location=location_id)
    rows = (
        messages.filter(status=Status.SENT, campaign__started_at__gte=start, campaign__started_at__lt=end)
        .annotate(spent=_spend_after(window), stopped=_unsubscribed_after())
        .values("campaign", "campaign__name", "campaign__started_at")
        .annotate(
            sent=Count("pk"),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            unsubscribed=Count("pk", filter=Q(stopped=True)),
            vouchers_used=Count("pk", filter=Q(voucher__status=Voucher.Status.USED)),
            buyers=Count("pk", filter=Q(spent__gt=0)),
            revenue=Sum("spent", default=0),
        )
        .order_by("campaign__started_at", "campaign")
    )
    return [
        CampaignFigures(
            row["campaign__name"],
            row["sent"],
            row["clicked"],
            row["unsubscribed"],
            row["vouchers_used"],
            row["buyers"],
            row["revenue"],
        )
        for row in rows
    ]

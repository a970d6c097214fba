"""The rules a marketing message meets at the moment it is sent: quiet hours and the contact
budget. Consent, pause, erasure and address are in members.selectors.reachable.

Quiet hours are in the club's time zone (settings.TIME_ZONE, Europe/Oslo): a message due in
them waits for the next allowed moment, never for a Celery countdown (campaigns.tasks polls
`due_at`). Public holidays are Norway's (campaigns.planning.occasions).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import CampaignSettings, Message
from campaigns.planning.occasions import norwegian_holidays
from members.models import ConsentEvent, Member

EMAIL, SMS = ConsentEvent.Channel.EMAIL, ConsentEvent.Channel.SMS


def _quiet_day(day, rules: CampaignSettings) -> bool:
    return rules.quiet_sundays and (day.weekday() == 6 or day in norwegian_holidays(day.year))


def next_allowed(channel: str, moment: datetime, rules: CampaignSettings) -> datetime | None:
    """None if a message on `channel` may go at `moment`; otherwise the next moment it may."""
    if channel == EMAIL and not rules.email_quiet_too:
        return None
    local = timezone.localtime(moment)
    day, clock = local.date(), local.time()
    if not _quiet_day(day, rules) and rules.day_starts <= clock < rules.day_ends:
        return None
    if clock >= rules.day_ends or _quiet_day(day, rules):
        day += timedelta(days=1)
    while _quiet_day(day, rules):
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, rules.day_starts))


def month_start(moment: datetime) -> datetime:
    """The start of the calendar month of `moment`, in the club's time zone."""
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def reserved(rules: CampaignSettings, *, from_flow: bool) -> int:
    """The places of a member's budget a message may not take: the last one, when messages
    of its kind (flow or campaign) come second."""
    second = rules.Priority.CAMPAIGNS if from_flow else rules.Priority.FLOWS
    return 1 if rules.priority == second else 0


def budget_left(
    member: Member, channel: str, sent: dict[str, int], rules: CampaignSettings, *, from_flow: bool = False
) -> bool:
    """Whether one more message on `channel` fits this member's budget this month, given
    `sent`: {channel: marketing messages already sent or being sent this month}. The kind of
    message that comes second (rules.priority) may not take the budget's last place."""
    reserve = reserved(rules, from_flow=from_flow)
    per_channel = {EMAIL: rules.emails_per_month, SMS: rules.sms_per_month}[channel]
    if sent.get(channel, 0) >= per_channel - reserve:
        return False
    total_cap = {Member.Frequency.MONTHLY_1: 1, Member.Frequency.MONTHLY_2: 2}.get(member.frequency)
    return total_cap is None or sum(sent.values()) < total_cap - reserve


def counted_this_month(moment: datetime) -> Q:
    """The messages that use up budget: those that passed the rules since the month began
    (being sent, sent, or failed at the provider: a failure may still have reached them);
    service messages about a member's own membership are not marketing and do not count."""
    return Q(sending_at__gte=month_start(moment), service=False)


def used_this_month(channel: str, moment: datetime, *, besides: list[int] | None = None) -> Coalesce:
    """An expression on Member: the messages on `channel` counted against this month's budget
    (other than those `besides`, the ones being decided)."""

    counted = Message.objects.filter(counted_this_month(moment), member=OuterRef("pk"), channel=channel)
    if besides:
        counted = counted.exclude(pk__in=besides)
    per_member = counted.order_by().values("member").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_member, output_field=IntegerField()), 0)

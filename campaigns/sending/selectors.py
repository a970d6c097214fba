"""What the owner sees of a campaign: who it would reach before sending, and how it went.

The preview applies the rules of the moment of sending to the segment as it is now (one
query), so the owner knows before clicking; the messages themselves are checked again when
they go, so a consent withdrawn in between still counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.lookups import LessThan
from django.utils import timezone

from campaigns.models import Campaign, CampaignSettings, Message
from campaigns.segments.selectors import segment_members
from campaigns.sending import rules
from members.models import ConsentEvent, Member
from members.selectors import consent_given

EMAIL, SMS = ConsentEvent.Channel.EMAIL, ConsentEvent.Channel.SMS
Reason = Message.Reason


@dataclass(frozen=True)
class Preview:
    members: int
    reached: int
    suppressed: dict[str, int]  # Message.Reason -> members


def _address(channel: str) -> Q:
    field = "user__email" if channel == EMAIL else "user__phone"
    return Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})


def _either(parts: dict[str, Q]) -> Q:
    either = Q()
    for part in parts.values():
        either |= part
    return either


def audience_preview(campaign: Campaign, now: datetime | None = None) -> Preview:
    """The segment now, split by what would happen to each member's message. One query.
    For "the member's preferred channel", e-mail where it would go, else SMS."""
    now = now or timezone.now()
    limits = CampaignSettings.load()
    segment = campaign.segment
    members = Member.objects.filter(
        pk__in=segment_members(segment.match, segment.conditions.all(), now).values("pk")
    )
    channels = [EMAIL, SMS] if campaign.channel == Campaign.Channel.PREFERRED else [campaign.channel]
    reserve = rules.reserved(limits, from_flow=campaign.flow_id is not None)
    per_channel = {EMAIL: limits.emails_per_month - reserve, SMS: limits.sms_per_month - reserve}
    ok = {c: _address(c) & Q(consent_given(c)) for c in channels}
    fits = {c: ok[c] & Q(LessThan(rules.used_this_month(c, now), per_channel[c])) for c in channels}
    any_fits, any_ok, any_address = (
        _either(parts) for parts in (fits, ok, {c: _address(c) for c in channels})
    )
    active = Q(marketing_paused=False)
    row = members.aggregate(
        members=Count("pk"),
        reached=Count("pk", filter=active & any_fits),
        paused=Count("pk", filter=~active),
        no_address=Count("pk", filter=active & ~any_address),
        no_consent=Count("pk", filter=active & any_address & ~any_ok),
        budget=Count("pk", filter=active & any_ok & ~any_fits),
    )
    suppressed = {
        reason: row[reason]
        for reason in (Reason.PAUSED, Reason.NO_ADDRESS, Reason.NO_CONSENT, Reason.BUDGET)
        if row[reason]
    }
    return Preview(row["members"], row["reached"], suppressed)

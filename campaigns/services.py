"""The owner's actions on a campaign: schedule or send now, pause, resume, cancel, test.

Each moves the campaign's status by a conditional update, so that a double click or two
owners at once do it once; the second is refused with a clear reason.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.errors import CampaignsError
from campaigns.models import Campaign, Message
from campaigns.planning.occasions import next_date
from campaigns.segments.selectors import segment_count
from campaigns.sending.content import render
from clubsite.sms import send_sms
from members.mail import club_from_email
from members.models import Member

SENDING, PAUSED = Campaign.Status.SENDING, Campaign.Status.PAUSED


def _check_texts(campaign: Campaign, norwegian) -> None:
    if campaign.channel != Campaign.Channel.SMS and not (
        norwegian.subject.strip() and norwegian.body.strip()
    ):
        raise CampaignsError("no_email_text")
    if campaign.channel != Campaign.Channel.EMAIL and not norwegian.sms.strip():
        raise CampaignsError("no_sms_text")


def _check_shares(campaign: Campaign, letters: set[str]) -> None:
    """The variants' set shares may not pass 100 %, nor leave nothing for a variant without one."""
    if len(letters) < 2:
        return
    shares = {v.letter: v.share for v in campaign.variants.all() if v.share and v.letter in letters}
    total = sum(shares.values())
    if total > 100 or (total == 100 and len(shares) < len(letters)):
        raise CampaignsError("shares")


def _check_ready(campaign: Campaign) -> None:
    contents = list(campaign.contents.all())
    norwegian = {c.variant: c for c in contents if c.language == settings.LANGUAGE_CODE}
    if not norwegian or set(norwegian) != {c.variant for c in contents}:
        raise CampaignsError("no_text")  # every variant needs its Norwegian text, everyone's fallback
    for text in norwegian.values():
        _check_texts(campaign, text)
    _check_shares(campaign, set(norwegian))
    counted = segment_count(campaign.segment.match, campaign.segment.conditions.all())
    reachable = {
        Campaign.Channel.EMAIL: counted.email,
        Campaign.Channel.SMS: counted.sms,
        Campaign.Channel.PREFERRED: max(counted.email, counted.sms),
    }[campaign.channel]
    if reachable == 0:
        raise CampaignsError("nobody")


def campaign_schedule(
    *, campaign: Campaign, send_at: datetime | None = None, now: datetime | None = None
) -> None:
    """Send at `send_at` (Europe/Oslo in the form), or now when it is None."""
    now = now or timezone.now()
    if send_at is not None and send_at < now:
        raise CampaignsError("in_the_past")
    _check_ready(campaign)
    moved = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
        status=Campaign.Status.SCHEDULED, send_at=send_at or now
    )
    if not moved:
        raise CampaignsError("not_draft")
    campaign.refresh_from_db()


def campaign_pause(*, campaign: Campaign) -> None:
    if not Campaign.objects.filter(pk=campaign.pk, status=SENDING).update(status=PAUSED):
        raise CampaignsError("not_sending")
    campaign.refresh_from_db()


def campaign_resume(*, campaign: Campaign) -> None:
    if not Campaign.objects.filter(pk=campaign.pk, status=PAUSED).update(status=SENDING):
        raise CampaignsError("not_paused")
    campaign.refresh_from_db()


def campaign_cancel(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Stop it for good: rows not yet handed to a provider are marked cancelled. Returns how many."""
    now = now or timezone.now()
    open_statuses = [Campaign.Status.DRAFT, Campaign.Status.SCHEDULED, SENDING, PAUSED]
    if not Campaign.objects.filter(pk=campaign.pk, status__in=open_statuses).update(
        status=Campaign.Status.CANCELLED, finished_at=now
    ):
        raise CampaignsError("finished")
    campaign.refresh_from_db()
    # Claimed rows are left to their delivery, which sees the cancellation under its lock.
    return Message.objects.filter(campaign=campaign, status=Message.Status.QUEUED).update(
        status=Message.Status.SUPPRESSED, reason=Message.Reason.CANCELLED
    )


def campaign_test_send(*, campaign: Campaign, member: Member, to_user) -> str:
    """Send the campaign as `member` would get it to the staff user's own address, marked
    as a test: no Message row, no voucher, no budget. Returns the channel used."""
    channel = Campaign.Channel.SMS if campaign.channel == Campaign.Channel.SMS else Campaign.Channel.EMAIL
    address = to_user.phone if channel == Campaign.Channel.SMS else to_user.email
    if not address:
        raise CampaignsError("no_test_address")
    rendered = render(campaign, member)
    if channel == Campaign.Channel.SMS:
        send_sms(address, f"[TEST] {rendered.sms}")
    else:
        email = EmailMultiAlternatives(
            f"[TEST] {rendered.subject}", rendered.text, club_from_email(), [address]
        )
        email.attach_alternative(rendered.html, "text/html")
        email.send()
    return channel


def campaign_repeat_next(*, campaign: Campaign) -> Campaign | None:
    """Schedule the next campaign of a repeating series, a copy of `campaign` (texts, segment,
    offer, channel, the same local time) at the series' next date. Called when `campaign`
    starts sending; a second call finds the one already made. None if it does not repeat."""
    if not campaign.repeat or campaign.send_at is None:
        return None
    first = campaign.repeat_of or campaign
    local = timezone.localtime(campaign.send_at)
    day = next_date(campaign.repeat, local.date(), timezone.localtime(first.send_at).day)
    send_at = timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))
    existing = Campaign.objects.filter(repeat_of=first, send_at=send_at).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = Campaign.objects.create(
                name=campaign.name,
                segment=campaign.segment,
                channel=campaign.channel,
                offer=campaign.offer,
                holdout_percent=campaign.holdout_percent,
                repeat=campaign.repeat,
                repeat_of=first,
                send_at=send_at,
                status=Campaign.Status.SCHEDULED,
            )
            for part in [*campaign.contents.all(), *campaign.variants.all()]:
                part.pk, part.campaign = None, made
                part.save()
    except IntegrityError:  # two runs at once: the other one made it
        return Campaign.objects.get(repeat_of=first, send_at=send_at)
    return made

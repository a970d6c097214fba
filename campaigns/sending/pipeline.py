"""The sending pipeline: the one way a marketing message leaves Lojal.

1. `campaign_audience_write`: a due campaign gets a queued Message row per member of its
   segment (read now, not when it was planned), in batches, before any provider is called.
   The unique (campaign, member) makes a second run write only what is missing.
2. `messages_claim`: a dispatcher takes a batch of due rows (FOR UPDATE SKIP LOCKED, so that
   two dispatchers never take the same row) and marks them claimed.
3. `messages_deliver`: a batch of claimed rows and their members are locked together and
   the rules checked for each as they are at this moment (campaign paused or cancelled,
   erasure, pause, address, consent, quiet hours, contact budget); the outcomes are written
   (one statement per kind) and committed, so that those that passed are now "sending" and
   count against the budget; then each is handed to the provider and marked sent (or
   failed) as the provider answers. A twin delivery finds the rows no longer claimed.
4. `messages_recover`: a claim or a send left behind by a worker that died is put back in
   the queue after the lease (settings.LOJAL_MESSAGE_LEASE_SECONDS); a message that was
   handed to a provider goes again with the same key (its Message-ID), so that a provider
   that deduplicates sees one message. Only a worker killed between the provider's answer
   and the commit of "sent" can cause that second attempt.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.experiments.groups import HOLDOUT, group_of, split
from campaigns.experiments.results import in_club_holdout
from campaigns.models import Campaign, CampaignSettings, Message
from campaigns.segments.selectors import segment_members
from campaigns.sending import rules
from campaigns.sending.handover import hand_over
from campaigns.services import campaign_repeat_next
from members.mail import club_from_email
from members.models import ConsentEvent, Member
from members.selectors import consent_given
from rewards.models import Reward, Voucher, Wallet
from rewards.services import voucher_gift

log = logging.getLogger(__name__)

BATCH = 200  # messages per claim and per delivery task
AUDIENCE_BATCH = 2000  # rows per insert when the audience is written
MAX_BATCHES_PER_RUN = 50  # per tick; the next minute's tick takes the rest
EMAIL, SMS = ConsentEvent.Channel.EMAIL, ConsentEvent.Channel.SMS
Status, Reason = Message.Status, Message.Reason


def campaign_audience_write(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Write the queued rows of a due campaign; return how many were new. Safe to repeat."""
    now = now or timezone.now()
    started = Campaign.objects.filter(
        pk=campaign.pk, status=Campaign.Status.SCHEDULED, send_at__lte=now
    ).update(status=Campaign.Status.SENDING, started_at=now)
    campaign.refresh_from_db()
    if campaign.status != Campaign.Status.SENDING or (campaign.audience_written_at and not started):
        return 0
    if started:
        campaign_repeat_next(campaign=campaign)
    conditions = list(campaign.segment.conditions.all())
    ids = segment_members(campaign.segment.match, conditions, now).values_list("pk", flat=True).order_by("pk")
    written, members, row = 0, ids.iterator(chunk_size=AUDIENCE_BATCH), row_maker(campaign, now)
    while batch := list(itertools.islice(members, AUDIENCE_BATCH)):
        written += len(Message.objects.bulk_create([row(pk) for pk in batch], ignore_conflicts=True))
    Campaign.objects.filter(pk=campaign.pk, audience_written_at=None).update(audience_written_at=now)
    return written


def row_maker(campaign: Campaign, now: datetime) -> Callable[..., Message]:
    """A function that makes a member's queued row for the campaign or flow step, in their
    experiment group drawn before anything is sent: the holdout (written as not sent), a
    variant (due after its delay, when it tests timing), or "" when it tests nothing."""
    service = campaign.flow is not None and campaign.flow.is_service
    groups = [("", 100)] if service else split(campaign)  # a service message is never held out
    delays = {variant.letter: timedelta(hours=variant.delay_hours) for variant in campaign.variants.all()}

    def row(member_id: int, occasion: str = "") -> Message:
        group = group_of(member_id, campaign.pk, groups)
        fields = {"campaign": campaign, "member_id": member_id, "occasion": occasion, "group": group}
        fields["service"] = service
        if group == HOLDOUT:
            return Message(
                **fields, due_at=now, created_at=now, status=Status.SUPPRESSED, reason=Reason.HOLDOUT
            )
        return Message(**fields, due_at=now + delays.get(group, timedelta()), created_at=now)

    return row


def messages_claim(*, now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Take up to `limit` due messages of campaigns that are sending; return their ids."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Status.QUEUED, due_at__lte=now, campaign__status=Campaign.Status.SENDING)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        Message.objects.filter(pk__in=ids, status=Status.QUEUED).update(status=Status.CLAIMED, claimed_at=now)
    return ids


def lease() -> timedelta:
    """How old a claim or a send must be to count as left by a dead worker: longer than a
    batch ever takes (ten minutes by default)."""
    return timedelta(seconds=settings.LOJAL_MESSAGE_LEASE_SECONDS)


def messages_recover(*, now: datetime | None = None) -> int:
    """Put claims and sends older than the lease back in the queue; return how many."""
    stale = (now or timezone.now()) - lease()
    claims = Message.objects.filter(status=Status.CLAIMED, claimed_at__lt=stale).update(status=Status.QUEUED)
    sends = Message.objects.filter(status=Status.SENDING, sending_at__lt=stale).update(
        status=Status.QUEUED, attempts=F("attempts") + 1
    )
    return claims + sends


def _members_locked(messages: list[Message], now: datetime) -> dict[int, Member]:
    """The batch's members, locked in id order (two batches that share a member wait for each
    other, never deadlock), then read with what the rules need: the latest consent per
    channel and the messages already counted against this month's budget (besides this
    batch's own, which are counted as they are decided).

    Two statements on purpose: PostgreSQL evaluates a statement's subqueries in the snapshot
    taken when it started, so a read that had to wait for the lock would count the budget as
    it was before the other batch committed (tests/campaigns/test_sending_batches.py)."""
    member_ids = {message.member_id for message in messages}
    list(Member.objects.select_for_update(of=("self",)).filter(pk__in=member_ids).order_by("pk").values("pk"))
    ids = [message.pk for message in messages]
    read = (
        Member.objects.select_related("user")
        .annotate(
            email_ok=consent_given(EMAIL),
            sms_ok=consent_given(SMS),
            email_used=rules.used_this_month(EMAIL, now, besides=ids),
            sms_used=rules.used_this_month(SMS, now, besides=ids),
            points_balance=Coalesce(
                Subquery(Wallet.objects.filter(member=OuterRef("pk")).values("balance")), 0
            ),
        )
        .filter(pk__in=member_ids)
    )
    return {member.pk: member for member in read}


def _channel(campaign: Campaign, member: Member, service: bool = False) -> str:
    if campaign.channel != Campaign.Channel.PREFERRED:
        return campaign.channel
    if service:  # no consent is asked: e-mail where there is an address
        return EMAIL if member.user.email else SMS
    # E-mail first (free, and room for the whole offer); SMS for those who only said yes to SMS.
    return SMS if member.sms_ok and not (member.email_ok and member.user.email) else EMAIL


def _why_not(
    member: Member, channel: str, limits: CampaignSettings, now: datetime, *, from_flow: bool, service: bool
) -> str | None:
    if member.erased_at is not None:
        return Reason.ERASED
    if service:  # about the member's own membership: only an address is needed
        return None if (member.user.email if channel == EMAIL else member.user.phone) else Reason.NO_ADDRESS
    if in_club_holdout(member.pk, now, limits):
        return Reason.CLUB_HOLDOUT
    if member.marketing_paused:
        return Reason.PAUSED
    if not (member.user.email if channel == EMAIL else member.user.phone):
        return Reason.NO_ADDRESS
    if not (member.email_ok if channel == EMAIL else member.sms_ok):
        return Reason.NO_CONSENT
    used = {EMAIL: member.email_used, SMS: member.sms_used}
    if not rules.budget_left(member, channel, used, limits, from_flow=from_flow):
        return Reason.BUDGET
    return None


class Batch:
    """What every message of a delivery batch shares, read once: the settings, the sender,
    and each campaign's texts (fixed once it has started)."""

    def __init__(self):
        self.limits = CampaignSettings.load()
        self.sender = club_from_email()
        self._texts: dict[int, Campaign] = {}
        self._offers: dict[int, tuple[dict[str, Reward], Reward | None]] = {}

    def offer(self, message: Message) -> Reward | None:
        """The offer the message's variant gives: its own, else the campaign's."""
        campaign = message.campaign
        if campaign.pk not in self._offers:
            own = {v.letter: v.offer for v in campaign.variants.select_related("offer") if v.offer_id}
            self._offers[campaign.pk] = (own, campaign.offer)
        own, default = self._offers[campaign.pk]
        return own.get(message.group, default)

    def texts(self, campaign_id: int) -> Campaign:
        if campaign_id not in self._texts:
            self._texts[campaign_id] = Campaign.objects.prefetch_related("contents").get(pk=campaign_id)
        return self._texts[campaign_id]


def _decide(message: Message, member: Member, now: datetime, batch: Batch) -> dict:
    """The message's fate as the fields to write: suppressed (why), back in the queue (paused
    campaign, quiet hours), or sending (with the offer's voucher issued)."""
    campaign = message.campaign
    if campaign.status == Campaign.Status.CANCELLED:
        return {"status": Status.SUPPRESSED, "reason": Reason.CANCELLED}
    if campaign.status != Campaign.Status.SENDING:  # paused: back in the queue, due as it was
        return {"status": Status.QUEUED}
    channel, limits = _channel(campaign, member, message.service), batch.limits
    reason = _why_not(
        member, channel, limits, now, from_flow=campaign.flow_id is not None, service=message.service
    )
    if reason is not None:
        return {"status": Status.SUPPRESSED, "reason": reason, "channel": channel}
    wait = rules.next_allowed(channel, now, limits)
    if wait is not None:
        return {"status": Status.QUEUED, "due_at": wait, "channel": channel}
    offer = batch.offer(message)
    if offer is not None and message.voucher_id is None:
        # A flow's step gives one voucher per occasion (a birthday each year), a campaign one.
        occasion = f":{message.occasion}" if message.occasion else ""
        message.voucher = voucher_gift(
            member=member,
            reward=offer,
            idempotency_key=f"campaign:{campaign.pk}:member:{member.pk}{occasion}",
            at=now,
            source=Voucher.Source.CAMPAIGN,
        )
    # Two campaigns' messages to one member in the same batch: the second sees the first.
    if message.service:
        pass  # not marketing: not counted in the budget
    elif channel == EMAIL:
        member.email_used += 1
    else:
        member.sms_used += 1
    return {"status": Status.SENDING, "channel": channel, "sending_at": now}


def _decide_batch(ids: list[int], now: datetime, batch: Batch) -> list[tuple[Message, Member]]:
    """With the batch's rows and members locked, decide every message and write the outcomes
    (one statement for each kind: sent now, suppressed for a reason, waiting until…); return
    those to hand to the provider. Rows no longer claimed (a twin task, or a lease that ran
    out and another worker has them) are left alone."""
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(pk__in=ids, status=Status.CLAIMED)
            .order_by("pk")
        )
        if not messages:
            return []
        members = _members_locked(messages, now)
        outcomes: dict[tuple, list[int]] = defaultdict(list)
        to_send = []
        for message in messages:
            member = members[message.member_id]
            changes = _decide(message, member, now, batch)
            outcomes[tuple(sorted(changes.items()))].append(message.pk)
            for field, value in changes.items():
                setattr(message, field, value)
            if message.status == Status.SENDING:
                to_send.append((message, member))
        for changes, pks in outcomes.items():
            Message.objects.filter(pk__in=pks).update(**dict(changes))
        given = [message for message, _member in to_send if message.voucher_id]
        Message.objects.bulk_update(given, ["voucher"])
    return to_send


def messages_deliver(*, ids: list[int], now: datetime | None = None) -> list[str]:
    """A delivery task's batch: the rules checked for all of it at once, under lock, then
    each message that passed handed to the provider and marked sent at once (so that a worker
    killed in the batch leaves at most the one message in flight to go again). Returns each
    id's status afterwards."""
    now = now or timezone.now()
    batch = Batch()
    for message, member in _decide_batch(ids, now, batch):
        try:
            provider_id = hand_over(message, member, batch.texts(message.campaign_id), batch.sender)
        except Exception as error:  # the provider's own exceptions vary; the row says what happened
            log.warning("message %s failed: %s", message.pk, error)
            Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=Status.FAILED, error=str(error)[:300]
            )
        else:
            Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=Status.SENT, sent_at=now, provider_id=provider_id
            )
    statuses = dict(Message.objects.filter(pk__in=ids).values_list("pk", "status"))
    return [statuses.get(pk, "") for pk in ids]


def message_deliver(*, message_id: int, now: datetime | None = None) -> str:
    """Check and send one claimed message (a batch of one); return its status afterwards."""
    return messages_deliver(ids=[message_id], now=now)[0]


def campaigns_finish(*, now: datetime | None = None) -> int:
    """Sending campaigns with every row written and none left to send are done (a flow's
    steps go on while the flow is on)."""
    open_rows = Message.objects.filter(
        campaign=OuterRef("pk"), status__in=[Status.QUEUED, Status.CLAIMED, Status.SENDING]
    )
    return (
        Campaign.objects.filter(status=Campaign.Status.SENDING, audience_written_at__isnull=False, flow=None)
        .exclude(Exists(open_rows))
        .update(status=Campaign.Status.DONE, finished_at=now or timezone.now())
    )


def campaigns_run(*, now: datetime, hand_out: Callable[[list[int]], object]) -> int:
    """One tick of the pipeline (beat's, every minute): recover what dead workers left, write
    the audience of due campaigns, hand out batches of claimed ids (to delivery tasks), close
    finished campaigns. Returns how many messages were handed out."""
    messages_recover(now=now)
    due = Campaign.objects.filter(flow=None).filter(
        Q(status=Campaign.Status.SCHEDULED, send_at__lte=now)
        | Q(status=Campaign.Status.SENDING, audience_written_at=None)
    )
    for campaign in due:
        campaign_audience_write(campaign=campaign, now=now)
    handed_out = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        ids = messages_claim(now=now)
        if not ids:
            break
        hand_out(ids)
        handed_out += len(ids)
    campaigns_finish(now=now)
    return handed_out

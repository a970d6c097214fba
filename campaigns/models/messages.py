"""Campaigns and the one outbox every marketing message goes through.

A `Message` row per (campaign, member) is written before anything reaches a provider, and its
status moves only by conditional updates (campaigns.sending.pipeline):

    queued -> claimed (a dispatcher took it) -> sending (it passed the rules, it counts
    against the member's budget) -> sent | failed
    claimed -> queued again (quiet hours: `due_at` moves to the morning) | suppressed (why)

so that a task delivered twice, a worker killed mid-batch, pause and resume, or two beat ticks
at once never send a message twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models.flows import Flow
from campaigns.models.segments import Segment
from members.models import Member
from rewards.models import Reward, Voucher


class Campaign(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")
        PREFERRED = "preferred", _("the member's preferred channel")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        PAUSED = "paused", _("paused")
        DONE = "done", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    class Repeat(models.TextChoices):
        NEVER = "", _("does not repeat")
        WEEKLY = "weekly", _("every week, the same weekday")
        MONTHLY = "monthly", _("every month, the same date")
        PAYDAY = "payday", _("every month on payday (the 20th, earlier when it is a holiday)")

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("segment"),
        null=True,
        blank=True,
        help_text=_("A flow's step may leave it empty: then everyone the flow's trigger meets."),
    )
    # A step of a lifecycle flow (campaigns.models.flows): its messages are entered by the
    # flow's trigger, `delay_days` after the occasion, instead of written for a segment.
    flow = models.ForeignKey(
        Flow, on_delete=models.PROTECT, null=True, blank=True, related_name="steps", verbose_name=_("flow")
    )
    delay_days = models.PositiveSmallIntegerField(
        _("days after the occasion"), default=0, help_text=_("Flow steps only: 0 is on the day itself.")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    offer = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
        help_text=_(
            "Each recipient gets this reward as a personal voucher when the message goes out, valid "
            "as long as the reward's vouchers are."
        ),
    )
    repeat = models.CharField(
        _("repeat"),
        max_length=10,
        choices=Repeat.choices,
        default=Repeat.NEVER,
        blank=True,
        help_text=_(
            "When a repeating campaign starts sending, the next one is scheduled with the same "
            "texts, segment and offer. Cancel the scheduled one to stop the series."
        ),
    )
    holdout_percent = models.PositiveSmallIntegerField(
        _("holdout (%)"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "A share of the segment, drawn at random, that gets nothing: comparing their buying with "
            "the others' shows what the campaign itself added. 0: no holdout."
        ),
    )
    # A flow step's experiment, decided: the variant every member entering from now on gets
    # (campaigns.experiments.services.experiment_use_winner). The holdout stays, to go on
    # measuring the step.
    winner = models.CharField(_("variant used for everyone"), max_length=1, blank=True, editable=False)
    # The first campaign of a repeating series; each later one is its own campaign with its
    # own messages and report.
    repeat_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="repeats", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Set once a message row exists for every member of the segment (the audience is read
    # when sending starts): until then the next run goes on writing the missing rows.
    audience_written_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"], name="campaign_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(flow__isnull=False) | models.Q(segment__isnull=False),
                name="campaign_has_segment",
                violation_error_message=_("Choose the segment the campaign goes to."),
            ),
            # A series gets one campaign per date, however often its start is run.
            models.UniqueConstraint(
                fields=["repeat_of", "send_at"],
                condition=models.Q(repeat_of__isnull=False),
                name="one_repeat_per_date",
            ),
        ]

    def __str__(self):
        return self.name


class CampaignContent(models.Model):
    """What a campaign says in one language; a member gets theirs, or Norwegian."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contents")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("e-mail subject"), max_length=150, blank=True)
    body = models.TextField(
        _("e-mail text"),
        blank=True,
        help_text=_("Markdown: **bold**, *italic*, [a link](https://…), lists with -. HTML is cleaned."),
    )
    sms = models.TextField(_("SMS text"), blank=True, max_length=612)
    variant = models.CharField(
        _("variant"),
        max_length=1,
        choices=[(letter, letter) for letter in "ABCD"],
        default="A",
        help_text=_(
            "To test one thing at a time, write it again as variant B (up to D): the members not "
            "held out are split between the variants (evenly, or by the shares set above), and the "
            "page compares them."
        ),
    )

    class Meta:
        verbose_name = _("text")
        verbose_name_plural = _("texts per language")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language", "variant"], name="one_content_per_variant"
            )
        ]

    def __str__(self):
        return f"{self.get_language_display()} ({self.variant})"


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        CLAIMED = "claimed", _("being checked")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SUPPRESSED = "suppressed", _("not sent")

    class Reason(models.TextChoices):
        NO_CONSENT = "no_consent", _("no consent for the channel")
        PAUSED = "paused", _("the member paused marketing")
        BUDGET = "budget", _("the member's contact budget is full")
        NO_ADDRESS = "no_address", _("no address for the channel")
        ERASED = "erased", _("the member was erased")
        CANCELLED = "cancelled", _("the campaign was cancelled")
        HOLDOUT = "holdout", _("in the holdout group: gets nothing, to compare with")
        CLUB_HOLDOUT = "club_hold", _("in the club's standing holdout: no marketing for a while")

    # The idempotency key a provider sees (the e-mail's Message-ID): the same on a retry.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="messages")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, blank=True)  # chosen when sent
    # The experiment group, drawn when the row is written (campaigns.experiments.assignment):
    # "holdout", or "" for those meant to get the message.
    group = models.CharField(_("group"), max_length=12, blank=True)
    # What a flow's step was entered for: the year of a birthday, the date of the last
    # purchase before a lapse, the expiry date; "" for a campaign.
    occasion = models.CharField(_("occasion"), max_length=40, blank=True)
    # A service message about the member's own membership (Flow.SERVICE): not marketing, so
    # not held by consent or pause, and not counted in the contact budget.
    service = models.BooleanField(_("service message"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("why not"), max_length=12, choices=Reason.choices, blank=True)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)  # from here on it counts against the budget
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)  # the moment its batch was decided
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # What came back: the first click on a link in it (campaigns.views.click), and the
    # provider's tracking events (campaigns.receivers): delivered, opened, bounced.
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened (estimate)"), null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # Once per member for a campaign; once per member and occasion for a flow's step.
            models.UniqueConstraint(
                fields=["campaign", "member", "occasion"], name="one_message_per_occasion"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="message_due"),
            models.Index(fields=["member", "sending_at"], name="message_budget"),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.member_id} {self.status}"

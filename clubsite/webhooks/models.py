"""Webhook endpoints, the events they hear, each delivery and each attempt at it."""

from __future__ import annotations

import base64
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    MEMBER_JOINED = "member.joined", _("a member joined")
    PURCHASE_RECORDED = "purchase.recorded", _("a purchase was recorded")
    REFUND_RECORDED = "refund.recorded", _("a refund or undo was recorded")
    VOUCHER_ISSUED = "voucher.issued", _("a voucher was issued")
    VOUCHER_REDEEMED = "voucher.redeemed", _("a voucher was used")
    TIER_CHANGED = "tier.changed", _("a member moved to another tier")
    REFERRAL_REWARDED = "referral.rewarded", _("a referral was rewarded")
    MEMBER_ERASED = "member.erased", _("a member was erased")


def new_secret() -> str:
    # The Standard Webhooks form: "whsec_" and 24 random bytes in base64.
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class Disabled(models.TextChoices):
    GONE = "gone", _("the endpoint answered 410 Gone")
    FAILING = "failing", _("every try failed for about 3 days")


class Endpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    # During a rotation the old secret signs too, until this time, so the receiver can switch
    # over without missing a message.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(
        _("why it was turned off"), max_length=10, choices=Disabled.choices, blank=True
    )
    # Set at the first failed attempt after a success; cleared by the next success.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url", "id"]

    def __str__(self):
        return self.description or self.url

    def hears(self, event_type: str) -> bool:
        return event_type in (self.events or [])

    def secrets_now(self, now) -> list[str]:
        if self.previous_secret and self.previous_until and self.previous_until > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Event(models.Model):
    """Something that happened, once; each endpoint that hears its type gets a delivery."""

    # The `webhook-id` header: the receiver's key for dropping a message it already had.
    msg_id = models.CharField(_("message id"), max_length=40, unique=True)
    type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    # What identifies the event's cause (e.g. the ledger entry), so that a signal heard twice
    # makes one event.
    source = models.CharField(max_length=80, unique=True)
    # Whom it is about (a referral names two), so that an erasure can scrub the stored copy.
    member_id = models.IntegerField(null=True, blank=True, db_index=True)
    other_member_id = models.IntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.type} {self.msg_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("given up")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Polled by beat (no Celery countdown): a retry is due when this time has come.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    # Set while an attempt is under way, so two workers never send it at once.
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint_event"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"


class Attempt(models.Model):
    """One try at a delivery: what was sent and what came back, for the owner's log."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    request_headers = models.JSONField(_("request headers"), default=dict)
    request_body = models.TextField(_("request body"))
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    response_body = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("time (ms)"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

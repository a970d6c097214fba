"""The POS and web-shop API's keys, its log of calls and its idempotency records.

A key belongs to one shop (location) and one integration (a cash register, a web shop): it
acts at that shop only, with the scopes the owner gave it. The key is shown once when it is
made and stored as a SHA-512 hash (djangorestframework-api-key): fast to check on every
request, and safe for a long random key (a password hasher would cost every call ~50 ms).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from members.models import Location


class Scope(models.TextChoices):
    READ = "read", _("read members and wallets")
    CREDIT = "credit", _("register purchases")
    REDEEM = "redeem", _("use vouchers and redeem rewards")
    REFUND = "refund", _("refund purchases")


class PosKey(AbstractAPIKey):
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("shop")
    )
    scopes = models.JSONField(_("may"), default=list, blank=True)
    per_minute = models.PositiveIntegerField(
        _("calls a minute at most"), default=120, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.location})"

    def may(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiCall(models.Model):
    """One call, for the owner to read: which key, which endpoint, the answer and how long."""

    key = models.ForeignKey(PosKey, on_delete=models.CASCADE, related_name="calls", verbose_name=_("API key"))
    method = models.CharField(max_length=7)
    endpoint = models.CharField(_("endpoint"), max_length=200)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.PositiveIntegerField(_("time (ms)"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["key", "-created_at"], name="api_call_key_time")]

    def __str__(self):
        return f"{self.method} {self.endpoint} {self.status}"


class ApiRequest(models.Model):
    """A write made with an Idempotency-Key: the first answer, returned again to a repeat of
    the key with the same request; the same key with another request is refused. The row is
    claimed before the work, so a repeat arriving meanwhile waits for the first to finish."""

    key = models.ForeignKey(PosKey, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # sha256 of the method, path and body
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "idempotency_key"], name="one_request_per_idempotency_key")
        ]

    def __str__(self):
        return self.idempotency_key

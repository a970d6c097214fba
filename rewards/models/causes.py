"""Good causes members give points to (the local football club): each gift is a ledger debit
of the member's points (kind "donation") with a Donation row saying to whom and what it is
worth in kroner, at the cause's conversion when given. The owner pays the causes out from
the payout report; a gift reversed by the owner (entry_reverse) no longer counts."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rewards.models.wallet import LedgerEntry


class Cause(models.Model):
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    points = models.PositiveIntegerField(
        _("points"), default=100, validators=[MinValueValidator(1)], help_text=_("… give …")
    )
    kr = models.PositiveIntegerField(
        _("kroner"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("E.g. 100 points = 10 kr to the cause."),
    )
    is_active = models.BooleanField(_("open for gifts"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("good cause")
        verbose_name_plural = _("good causes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def value_ore(self, points: int) -> int:
        return points * self.kr * 100 // self.points


class Donation(models.Model):
    cause = models.ForeignKey(
        Cause, on_delete=models.PROTECT, related_name="donations", verbose_name=_("cause")
    )
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="donation")
    points = models.PositiveIntegerField(_("points"))
    value_ore = models.PositiveIntegerField(_("worth (øre)"))
    created_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("gift of points")
        verbose_name_plural = _("gifts of points")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cause}: {self.points}"

"""A change to a live programme, dated: the earning rate, the points' value when redeemed,
their expiry, tier thresholds and stamp-card sizes. The owner sees its effect before saving
(rewards.services.programme.programme_preview) and it applies on its date
(programme_changes_apply, on beat). Nothing earned is taken away: points keep the expiry
they were earned with, a tier is lowered only at its yearly review, and a stamp card being
filled finishes on the size it began with.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import User


class ProgrammeChange(models.Model):
    effective_at = models.DateTimeField(_("takes effect"), default=timezone.now)
    points_per_krone = models.DecimalField(
        _("points per krone"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: unchanged. For purchases from the date on."),
    )
    redeem_points = models.PositiveIntegerField(
        _("points"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("… are worth …")
    )
    redeem_value_kr = models.PositiveIntegerField(
        _("kroner"),
        null=True,
        blank=True,
        help_text=_("Empty: unchanged. What points are worth when redeemed."),
    )
    expiry_months = models.PositiveIntegerField(
        _("points expire after (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: unchanged. For points earned from the date on; 0 = never."),
    )
    # {tier id: new threshold} and {stamp card id: new number of stamps}, as strings of ids.
    tier_thresholds = models.JSONField(_("tier thresholds"), default=dict, blank=True)
    card_sizes = models.JSONField(_("stamp card sizes"), default=dict, blank=True)
    note = models.CharField(_("why"), max_length=200, blank=True)
    preview = models.JSONField(_("the effect as previewed"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["-effective_at", "-pk"]
        indexes = [models.Index(fields=["applied_at", "effective_at"], name="programme_change_due")]

    def __str__(self):
        return self.note or str(_("Change from %(day)s")) % {"day": timezone.localdate(self.effective_at)}

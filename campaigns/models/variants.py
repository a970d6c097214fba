"""What a campaign's variant changes besides its texts: its share of the members not held
out, its own offer, and its timing. Texts are CampaignContent rows with the same letter.

A variant without a row here keeps the campaign's offer and timing and gets an equal part of
the share the rows leave (campaigns.experiments.results.split).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models.messages import Campaign
from rewards.models import Reward

LETTERS = [(letter, letter) for letter in "ABCD"]


class Variant(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    letter = models.CharField(_("variant"), max_length=1, choices=LETTERS)
    share = models.PositiveSmallIntegerField(
        _("share (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Of the members not held out. Empty: an equal part of what the others leave."),
    )
    offer = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
        help_text=_("Instead of the campaign's offer, for this variant. Empty: the campaign's."),
    )
    delay_hours = models.PositiveSmallIntegerField(
        _("send later (hours)"),
        default=0,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_(
            "To test timing: this variant goes this many hours after the others (quiet hours still apply)."
        ),
    )

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants: share, offer and timing (the texts are below)")
        ordering = ["letter"]
        constraints = [models.UniqueConstraint(fields=["campaign", "letter"], name="one_variant_per_letter")]

    def __str__(self):
        return self.letter

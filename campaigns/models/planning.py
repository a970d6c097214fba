"""The owner's own dates for the campaign calendar: a market day, the town's festival, the
shop's anniversary. The occasions every club shares (payday, season starts, public
holidays) are computed in campaigns.planning.occasions, not stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalEvent(models.Model):
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("last day"), null=True, blank=True, help_text=_("Empty: one day."))
    every_year = models.BooleanField(_("every year"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("local event")
        verbose_name_plural = _("local events")
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="local_event_ends_after_start",
                violation_error_message=_("The last day cannot be before the first."),
            )
        ]

    def __str__(self):
        return self.name

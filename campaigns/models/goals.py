"""The owner's goals, phrased as the guides phrase them ("NPS from 32 to 45 within 6
months", "retention +15 % in 12 months", "active share 60 %"): a measure, where it starts
and where it should be by when.
The dashboard follows each at the guides' milestones (campaigns.insights.goals)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class Goal(models.Model):
    class Measure(models.TextChoices):
        NPS = "nps", _("NPS (the last 90 days' answers)")
        ACTIVE_SHARE = "active", _("active members (%)")
        MEMBERS = "members", _("members")
        RETENTION = "retention", _("retention rate (%, members active a window ago who still are)")

    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices)
    baseline = models.DecimalField(_("from"), max_digits=9, decimal_places=1)
    target = models.DecimalField(_("to"), max_digits=9, decimal_places=1)
    starts_on = models.DateField(_("start"), default=timezone.localdate)
    months = models.PositiveSmallIntegerField(
        _("within (months)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(baseline=models.F("target")),
                name="goal_moves",
                violation_error_message=_("A goal needs a target that differs from where it starts."),
            )
        ]

    def __str__(self):
        return _("%(measure)s from %(baseline)s to %(target)s within %(months)s months") % {
            "measure": self.get_measure_display(),
            "baseline": formats.localize(self.baseline),
            "target": formats.localize(self.target),
            "months": self.months,
        }

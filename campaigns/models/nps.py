"""A member's answer to the one-question survey (NPS) that a flow sends after a purchase:
0-10 and a comment, once per survey message. A detractor's answer is a follow-up item for
customer service."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models.messages import Message
from members.models import Location, Member


class NpsAnswer(models.Model):
    class FollowUp(models.TextChoices):
        NONE = "", _("not needed")
        OPEN = "open", _("open")
        CONTACTED = "contacted", _("contacted")
        RESOLVED = "resolved", _("resolved")

    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="nps_answer")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shop")
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    follow_up = models.CharField(_("follow-up"), max_length=10, choices=FollowUp.choices, blank=True)
    follow_up_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers (NPS)")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=10), name="nps_score_0_to_10"),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.score}"

    @property
    def category(self) -> str:
        return "promoter" if self.score >= 9 else "passive" if self.score >= 7 else "detractor"

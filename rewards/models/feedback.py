"""What members tell the club besides buying: a review of a shop (shown once the owner has
approved it) and the owner's one-question polls. Each can earn points
(rewards.services.actions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Location, Member, User


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved: shown")
        REJECTED = "rejected", _("not shown")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("member")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shop")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.rating}/5 · {self.member}"


class Poll(models.Model):
    question = models.CharField(_("question"), max_length=200)
    choices = models.TextField(_("answers to choose from"), help_text=_("One per line, 2 to 6."))
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-created_at"]

    def __str__(self):
        return self.question

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        if not 2 <= len(self.choice_list) <= 6:
            raise ValidationError({"choices": _("Write 2 to 6 answers, one per line.")})


class PollAnswer(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="answers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("answer"), max_length=200)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="one_answer_per_poll")]

    def __str__(self):
        return self.choice

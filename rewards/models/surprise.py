"""Surprise rewards: a chance per purchase (1 in N) of a voucher, within a monthly budget in
kroner. Each draw is recorded with its seed and inputs, so that anyone can recompute its
outcome (rewards.services.surprise.draw_outcome); the month's spending is a row that a
conditional UPDATE moves, so that many tills at once never pass the budget."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonModel
from members.models import Member
from rewards.models.catalogue import Reward
from rewards.models.wallet import LedgerEntry, Voucher


class SurpriseSettings(SingletonModel):
    one_in = models.PositiveIntegerField(
        _("a surprise on average every … purchases"),
        default=0,
        validators=[MaxValueValidator(100_000)],
        help_text=_("E.g. 20: each purchase has a 1 in 20 chance. 0 = off. Published on the terms page."),
    )
    reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the surprise"),
    )
    value_kr = models.PositiveIntegerField(_("what one surprise costs (kr)"), default=0)
    budget_kr = models.PositiveIntegerField(
        _("budget a month (kr)"),
        default=0,
        help_text=_("Never passed: when it is used up, the draws win nothing until the next month."),
    )

    class Meta:
        verbose_name = _("surprise rewards")
        verbose_name_plural = _("surprise rewards")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="surprise_is_singleton")]

    def __str__(self):
        return str(_("Surprise rewards"))

    @property
    def on(self) -> bool:
        return bool(self.one_in and self.reward_id and self.budget_kr)


class SurpriseMonth(models.Model):
    month = models.DateField(unique=True)  # the 1st, in the club's time zone
    spent_ore = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.spent_ore}"


class SurpriseDraw(models.Model):
    class Outcome(models.TextChoices):
        NOTHING = "nothing", _("no surprise this time")
        WON = "won", _("won a surprise")
        NO_BUDGET = "no_budget", _("would have won, but the month's budget was used")

    purchase = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="surprise_draw")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(max_length=64)
    one_in = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    cost_ore = models.PositiveIntegerField(default=0)  # taken from the month's budget by a win
    # The purchase was undone or refunded in whole: the unused surprise was withdrawn and its
    # cost given back to the month's budget (a surprise already used stays with the member).
    taken_back_at = models.DateTimeField(_("taken back"), null=True, blank=True)
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("surprise draw")
        verbose_name_plural = _("surprise draws")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purchase_id}: {self.outcome}"

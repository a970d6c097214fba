"""The dashboard's daily rollups: the points ledger summed per local day, shop and kind of
entry, and the vouchers issued and used per day and shop, so that the owner's page reads a
few thousand rows instead of millions of entries.

The rows are derived data: `campaigns.insights.rollups.ledger_roll_up` rewrites the days
from its watermark on (the day the watermark is in, and every day after), and the
dashboard adds the entries after the watermark (the tail) from the ledger itself. The
ledger is append-only and a correction is an entry of its own (a reversal, a refund), so a
correction lands on the day it is made and an old day never changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonModel
from members.models import Location


class LedgerDay(models.Model):
    """One group of a day's ledger entries: the same grouping as the dashboard's direct
    ledger query (campaigns.insights.selectors.ledger.ledger_flows), one row per day."""

    day = models.DateField(_("day"))
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    kind = models.CharField(_("kind"), max_length=10)
    positive = models.BooleanField(_("points added"))
    gives_back_redemption = models.BooleanField(_("gives back a redemption"))
    points = models.BigIntegerField(_("points"))
    amount_ore = models.BigIntegerField(_("purchase amount (øre)"))
    entries = models.IntegerField(_("entries"))
    with_amount = models.IntegerField(_("entries with an amount"))

    class Meta:
        verbose_name = _("day of the ledger")
        verbose_name_plural = _("days of the ledger")
        indexes = [models.Index(fields=["day"], name="ledgerday_day")]

    def __str__(self):
        return f"{self.day} {self.kind} {self.points:+d}"


class VoucherDay(models.Model):
    """The vouchers issued on a day at a shop, or the uses of vouchers there (net of uses
    undone: rewards.VoucherUse), with what they are worth: the points price of those that
    have one, and how many have none (campaigns.insights.selectors.vouchers)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("issued")
        USED = "used", _("used")

    day = models.DateField(_("day"))
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    vouchers = models.IntegerField(_("vouchers"))
    points = models.BigIntegerField(_("points"))
    unpriced = models.IntegerField(_("vouchers without a points price"))

    class Meta:
        verbose_name = _("day of vouchers")
        verbose_name_plural = _("days of vouchers")
        indexes = [models.Index(fields=["day"], name="voucherday_day")]

    def __str__(self):
        return f"{self.day} {self.kind} {self.vouchers}"


class RollupState(SingletonModel):
    """How far the rollups reach: every ledger entry, voucher and voucher use written
    before `ledger_until` is in them."""

    ledger_until = models.DateTimeField(_("ledger rolled up until"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="rollupstate_singleton")]

    def __str__(self):
        return str(self.ledger_until)


class ActiveDay(models.Model):
    """Members active at the start of `day` (a visit or a purchase in the `window_days`
    before), of the whole club (scope 0) or of one shop's own members (scope = the id of
    their home shop), wherever they were active. Kept only for days whose
    window lies wholly in the past: no sale is accepted more than 30 days late, so such a
    figure no longer changes (and a late entry clears the days it falls in the window of)."""

    day = models.DateField(_("day"))
    scope = models.PositiveBigIntegerField(_("shop (0: all)"))
    window_days = models.PositiveIntegerField(_("window (days)"))
    members = models.PositiveIntegerField(_("active members"))

    class Meta:
        verbose_name = _("active members on a day")
        verbose_name_plural = _("active members per day")
        constraints = [
            models.UniqueConstraint(fields=["day", "scope", "window_days"], name="activeday_unique"),
        ]

    def __str__(self):
        return f"{self.day} {self.scope}: {self.members}"

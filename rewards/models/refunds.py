"""Refunds: a purchase given back in whole or in part, after the till's undo window."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Location, User
from rewards.models.wallet import LedgerEntry, Operation


class Refund(models.Model):
    """One refund of (part of) a purchase. The refunds of a purchase never add up to more
    than it was; what it earned is taken back in proportion (rewards.services.refunds)."""

    purchase = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("purchase")
    )
    operation = models.OneToOneField(
        Operation, on_delete=models.PROTECT, related_name="refund", verbose_name=_("operation")
    )
    amount_ore = models.BigIntegerField(_("amount refunded (øre)"))
    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entry"),
    )
    points = models.PositiveIntegerField(_("points taken back"), default=0)
    # Due in proportion but spent already: the balance cannot go below zero.
    points_short = models.PositiveIntegerField(_("points already spent"), default=0)
    stamps = models.PositiveIntegerField(_("stamps taken back"), default=0)
    stamps_kept = models.PositiveIntegerField(_("stamps that could not be taken back"), default=0)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_ore__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{self.purchase_id}: {self.amount_ore}"

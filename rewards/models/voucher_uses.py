"""The uses of vouchers, as a ledger of their own: a use is a row, and an undone use (the
till's undo) is a second row that takes it back, on the day of the undo. The voucher's own
`used_at` says only whether and when it stands used now; the dashboard counts uses from
these rows, so that an undo never changes an old day (campaigns.insights.rollups)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Location
from rewards.models.wallet import AppendOnlyModel, Voucher


class VoucherUse(AppendOnlyModel):
    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="uses", verbose_name=_("voucher")
    )
    # +1: handed over at the till or a partner; -1: that use undone.
    uses = models.SmallIntegerField(_("uses"))
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # When the row was written (created_at may lie in the past: a till that was offline);
    # the rollups follow this one, as the ledger's recorded_at.
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        base_manager_name = "objects"
        verbose_name = _("voucher use")
        verbose_name_plural = _("voucher uses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="voucheruse_time"),
            models.Index(fields=["recorded_at"], name="voucheruse_recorded"),
        ]
        constraints = [models.CheckConstraint(condition=Q(uses__in=[1, -1]), name="voucheruse_one")]

    def __str__(self):
        return f"{self.voucher_id} {self.uses:+d}"

"""Partner businesses (the florist next door): an offer of theirs is a reward whose vouchers
are redeemed at the partner, on a page of their own reached with a link and a PIN, where
their staff check a code and mark it used. A partner sees codes and counts, never members."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rewards.models.wallet import Voucher


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("address"), unique=True, help_text=_("The partner's page: /partner/<address>/.")
    )
    logo = models.ImageField(_("logo"), upload_to="partners/", blank=True)
    offer = models.CharField(
        _("offer"), max_length=200, help_text=_("In words, e.g. «20 percent off a bouquet».")
    )
    value_kr = models.PositiveIntegerField(
        _("what the club pays per voucher used (kr)"), default=0, help_text=_("For the monthly settlement.")
    )
    pin_hash = models.CharField(max_length=200, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerRedemption(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="redemptions")
    voucher = models.OneToOneField(Voucher, on_delete=models.PROTECT, related_name="partner_redemption")
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partner redemption")
        verbose_name_plural = _("partner redemptions")
        ordering = ["-used_at"]

    def __str__(self):
        return f"{self.partner}: {self.voucher_id}"

"""The welcome gift is for a person once, also if they leave and join again."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WelcomeClaim(models.Model):
    """A welcome gift was given to whoever joined with this address or number: a keyed hash
    of it (members.services.contact_hashes), not the address. Kept after the member is
    erased, for this purpose only (the privacy page says so); it cannot be turned back
    into the address."""

    contact_hash = models.CharField(max_length=64, unique=True)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)

    class Meta:
        verbose_name = _("welcome gift claim")
        verbose_name_plural = _("welcome gift claims")

    def __str__(self):
        return self.contact_hash[:12]

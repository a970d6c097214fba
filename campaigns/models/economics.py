"""What the owner's dashboard needs besides the other apps' rows: the owner's economic
assumptions (ROI, LTV) and the history of tier changes (the wallet keeps only the current tier)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonModel
from members.models import Member
from rewards.models import Tier

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ClubEconomics(SingletonModel):
    """The owner's figures that the club's own data cannot know: margin, running cost, how
    much of the members' buying the club brings in extra. One per club, edited in admin."""

    gross_margin_percent = models.DecimalField(
        _("gross margin (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("40.00"),
        validators=PERCENT,
        help_text=_("What is left of a sale after the cost of the goods, e.g. 40 for 40 %."),
    )
    monthly_operating_cost_kr = models.PositiveIntegerField(
        _("running cost per month (kr)"),
        default=0,
        help_text=_("What the club costs to run each month: the system, printing, staff time."),
    )
    uplift_percent = models.DecimalField(
        _("extra sales from the club (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=PERCENT,
        help_text=_(
            "Your estimate of how much of the members' purchases you would not have had without "
            "the club. 10 means one krone in ten. Used for «extra revenue» in the ROI."
        ),
    )
    member_discount_percent = models.DecimalField(
        _("member discount at the till (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=PERCENT,
        help_text=_("A standing discount members get on every purchase, if any. 0 = none."),
    )
    free_voucher_value_kr = models.PositiveIntegerField(
        _("value of a voucher without a points price (kr)"),
        default=0,
        help_text=_(
            "What a voucher from a full stamp card or a gift is worth on average; vouchers bought "
            "with points count at their points price."
        ),
    )
    active_window_days = models.PositiveIntegerField(
        _("active means a visit or purchase within (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("A member counts as active with a visit or purchase this many days back."),
    )

    class Meta:
        verbose_name = _("club economics")
        verbose_name_plural = _("club economics")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="economics_is_singleton")]

    def __str__(self):
        return str(_("Club economics"))


class TierChange(models.Model):
    """A member moved to another tier (rewards.signals.tier_changed): the upgrade rate
    counts these. Written after the wallet's transaction commits; never edited."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    from_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    to_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    upgrade = models.BooleanField(_("up"))
    changed_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["changed_at"], name="tierchange_time")]

    def __str__(self):
        return f"{self.member_id}: {self.from_tier_id} → {self.to_tier_id}"

"""Paid membership: a plan the owner sells ("VIP", 199 kr a year, worth 600 kr) and each
member's membership of it, with its trial and the payments that carried it.

A membership is current while `starts_at <= now < ends_at`: its perks (a points multiplier,
a monthly voucher, a discount at the till, members-only rewards, a higher tier) are read at
the moment they are used, so they stop the instant it lapses, and the tier falls back to
the member's own (Wallet.tier is never written by a membership).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Location, Member, User
from rewards.models.catalogue import Reward, Tier
from rewards.models.wallet import Operation


class Plan(models.Model):
    DEFAULT_REFUND_RULE = _(
        "Cancel any time: the membership runs to the end of the period paid for; a period begun is not "
        "refunded."
    )

    class Period(models.TextChoices):
        YEAR = "year", _("a year")
        MONTH = "month", _("a month")

    name = models.CharField(_("name"), max_length=40, unique=True)
    price_kr = models.PositiveIntegerField(_("price (kr)"), validators=[MinValueValidator(1)])
    period = models.CharField(_("per"), max_length=5, choices=Period.choices, default=Period.YEAR)
    promised_value_kr = models.PositiveIntegerField(
        _("worth (kr)"),
        help_text=_("What the perks are worth in a period, as you promise it: «worth 600 kr»."),
    )
    promise = models.TextField(
        _("what the member gets, in words"),
        help_text=_("Shown where members join: e.g. «A free coffee each month and double points»."),
    )
    trial_days = models.PositiveSmallIntegerField(
        _("free trial (days)"),
        default=30,
        validators=[MaxValueValidator(90)],
        help_text=_("Once per member. 0: no trial."),
    )
    points_multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("10"))],
        help_text=_("2 = double points on purchases while the membership runs (on top of the tier's)."),
    )
    monthly_reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("monthly voucher"),
        help_text=_(
            "A voucher for this reward in the wallet every month of the membership (e.g. a free coffee)."
        ),
    )
    monthly_reward_value_kr = models.PositiveIntegerField(
        _("the monthly voucher is worth (kr)"), default=0, help_text=_("For the member's value meter.")
    )
    discount_percent = models.PositiveSmallIntegerField(
        _("discount at the till (%)"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_("Shown to staff when they scan the card; give it on the receipt. 0: none."),
    )
    tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier while a member"),
        help_text=_("The member counts as at least this tier while the membership runs."),
    )
    refund_rule = models.TextField(
        _("refund rule"),
        blank=True,
        help_text=_(
            "Shown before the member joins. Empty: «Cancel any time: the membership runs to the end "
            "of the period paid for; a period begun is not refunded.»"
        ),
    )
    top_up_shortfall = models.BooleanField(
        _("top up a shortfall as points at renewal"),
        default=False,
        help_text=_(
            "When a member renews having got less than the promised value, the difference is given as points."
        ),
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        ordering = ["price_kr"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("plan")
    )
    starts_at = models.DateTimeField(_("started"), default=timezone.now)
    ends_at = models.DateTimeField(_("runs until"))
    trial_started_at = models.DateTimeField(_("trial started"), null=True, blank=True)
    paid_from = models.DateTimeField(_("first paid"), null=True, blank=True)
    # Cancelled: a trial ends at once; a paid period runs out and is not renewed (no reminders).
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "plan"], name="one_membership_per_plan"),
            models.UniqueConstraint(
                fields=["member"], condition=Q(trial_started_at__isnull=False), name="one_trial_per_member"
            ),
        ]
        indexes = [models.Index(fields=["ends_at"], name="membership_ends")]

    def __str__(self):
        return f"{self.plan} · {self.member}"

    def is_current(self, now=None) -> bool:
        """Whether it runs at `now` (its perks apply)."""
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    @property
    def in_trial(self) -> bool:
        return self.trial_started_at is not None and self.paid_from is None


class MembershipPayment(models.Model):
    """A period paid for. Its `kind` says how (rewards.services.membership_payments): at the
    till, or marked paid by the owner; an online provider is a kind of its own later."""

    class Kind(models.TextChoices):
        TILL = "till", _("paid at the till")
        OWNER = "owner", _("marked paid by the owner")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("paid"), max_length=10, choices=Kind.choices)
    amount_ore = models.PositiveIntegerField(_("amount (øre)"))
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("until"))
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shop")
    )
    # The wallet operation of the sale's idempotency key: a repeated sale finds it.
    operation = models.OneToOneField(Operation, on_delete=models.PROTECT, related_name="membership_payment")
    paid_at = models.DateTimeField(_("paid"), default=timezone.now)

    class Meta:
        verbose_name = _("membership payment")
        verbose_name_plural = _("membership payments")
        ordering = ["-paid_at"]

    def __str__(self):
        return f"{self.membership} {self.amount_ore / 100:.2f}"

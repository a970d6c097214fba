"""What the owner configures: the points program, tiers, rewards and stamp cards."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonModel


class PointsProgram(SingletonModel):
    """How the club earns and spends points. One per club; changes apply to new earnings."""

    class EarnMode(models.TextChoices):
        POINTS = "points", _("points")
        STAMPS = "stamps", _("stamps")
        BOTH = "both", _("points and stamps")

    class TierBasis(models.TextChoices):
        POINTS = "points", _("qualifying points")
        SPEND = "spend", _("kroner spent")

    points_per_krone = models.DecimalField(
        _("points per krone"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("E.g. 1 = one point for every krone. Applies to new points only."),
    )
    redeem_points = models.PositiveIntegerField(
        _("points"), default=1000, validators=[MinValueValidator(1)], help_text=_("… are worth …")
    )
    redeem_value_kr = models.PositiveIntegerField(
        _("kroner"), default=100, help_text=_("E.g. 1000 points = 100 kr when redeemed.")
    )
    welcome_bonus = models.PositiveIntegerField(
        _("welcome bonus (points)"), default=0, help_text=_("Given once, when a member joins.")
    )
    welcome_reward = models.ForeignKey(
        "Reward",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("welcome gift (voucher)"),
        help_text=_(
            "A voucher for this reward to every new member, valid as long as the reward's vouchers are. "
            "The join, welcome and home pages say what the welcome gift is."
        ),
    )
    profile_bonus = models.PositiveIntegerField(
        _("completed-profile bonus (points)"),
        default=0,
        help_text=_("Given once, when birthday, postcode and interests are all filled in."),
    )
    birthday_bonus = models.PositiveIntegerField(
        _("birthday bonus (points)"),
        default=0,
        help_text=_("Given once a year in the birthday month (not if the birthday was entered lately)."),
    )
    # Points for actions that are not purchases (rewards.services.actions), each once per occasion.
    profile_field_points = models.PositiveIntegerField(
        _("points per profile field filled in"),
        default=0,
        help_text=_(
            "Birthday, postcode and interests: once each. 0 = off (the completed-profile bonus "
            "still applies)."
        ),
    )
    review_points = models.PositiveIntegerField(
        _("points for a review of the shop"),
        default=0,
        help_text=_("Given when you approve it; once per member. 0 = off."),
    )
    poll_points = models.PositiveIntegerField(
        _("points for answering a poll"), default=0, help_text=_("Once per poll. 0 = off.")
    )
    anniversary_points = models.PositiveIntegerField(
        _("points on the anniversary of joining"), default=0, help_text=_("Once a year, on the day. 0 = off.")
    )
    action_points_monthly_cap = models.PositiveIntegerField(
        _("at most (points a month) for such actions"),
        default=0,
        help_text=_(
            "Per member, all actions that are not purchases together (survey answers too). 0 = no cap."
        ),
    )
    expiry_months = models.PositiveIntegerField(
        _("points expire after (months)"),
        default=12,
        help_text=_("0 = points never expire. Applies to new points only (never retroactive)."),
    )
    earn_mode = models.CharField(
        _("a purchase earns"), max_length=10, choices=EarnMode.choices, default=EarnMode.BOTH
    )
    tier_basis = models.CharField(
        _("tiers are reached by"), max_length=10, choices=TierBasis.choices, default=TierBasis.POINTS
    )
    # The counter (rewards.services.counter).
    undo_minutes = models.PositiveIntegerField(
        _("undo window (minutes)"),
        default=10,
        help_text=_("How long staff can undo their last action at the till. 0 = no undo."),
    )
    max_stamps_per_day = models.PositiveIntegerField(
        _("max stamps per member per day"),
        default=10,
        help_text=_("All stamp cards together, at all shops. 0 = no limit."),
    )
    purchase_confirm_above_kr = models.PositiveIntegerField(
        _("ask staff to confirm purchases above (kr)"),
        default=10_000,
        help_text=_('The till asks "Are you sure?" with the amount before crediting more. 0 = never ask.'),
    )
    purchase_max_kr = models.PositiveIntegerField(
        _("refuse purchases above (kr)"),
        default=100_000,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("A larger amount is refused as a typing mistake, at the till and everywhere else."),
    )
    flag_points_per_day = models.PositiveIntegerField(
        _("flag a member credited more points than (a day)"),
        default=5_000,
        help_text=_(
            "Points from the till (purchases and grants) above this in a day raise a flag. 0 = never."
        ),
    )
    flag_credits_per_day = models.PositiveIntegerField(
        _("flag a member credited more than (times a day)"),
        default=5,
        help_text=_("Counter credits (stamps, purchases, grants) above this raise a flag for you to check."),
    )

    class Meta:
        verbose_name = _("points program")
        verbose_name_plural = _("points program")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="program_is_singleton")]

    def __str__(self):
        return str(_("Points program"))

    def clean(self):
        super().clean()
        if self.purchase_confirm_above_kr and self.purchase_confirm_above_kr >= (self.purchase_max_kr or 0):
            raise ValidationError(
                {"purchase_confirm_above_kr": _("Set this below the amount that is refused.")}
            )

    def value_ore(self, points: int) -> int:
        """What `points` are worth in øre when redeemed."""
        return points * self.redeem_value_kr * 100 // self.redeem_points

    @property
    def earns_points(self) -> bool:
        return self.earn_mode in (self.EarnMode.POINTS, self.EarnMode.BOTH)

    @property
    def earns_stamps(self) -> bool:
        return self.earn_mode in (self.EarnMode.STAMPS, self.EarnMode.BOTH)


class Tier(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    threshold = models.PositiveIntegerField(
        _("threshold"),
        help_text=_("Qualifying points (or kroner spent) in the last 12 months to reach this tier."),
    )
    multiplier = models.DecimalField(
        _("earning multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("1.25 = 25% more points on purchases."),
    )
    perks = models.TextField(_("perks"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["threshold"]
        constraints = [models.UniqueConstraint(fields=["threshold"], name="tier_threshold_unique")]

    def __str__(self):
        return self.name


class Reward(models.Model):
    """Something a member can get: from the catalogue for points, or from a full stamp card."""

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="rewards/", blank=True)
    thumbnail = models.ImageField(upload_to="rewards/thumbs/", blank=True, editable=False)
    cost_points = models.PositiveIntegerField(
        _("cost in points"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty = not in the catalogue (e.g. only the reward of a stamp card)."),
    )
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty = unlimited."))
    per_member_limit = models.PositiveIntegerField(
        _("limit per member"), null=True, blank=True, help_text=_("Empty = no limit.")
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    min_tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("minimum tier")
    )
    members_only = models.ForeignKey(
        "rewards.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for members of"),
        help_text=_("Only members with this paid membership may take it. Empty: everyone."),
    )
    voucher_valid_days = models.PositiveIntegerField(
        _("voucher valid (days)"), default=30, validators=[MinValueValidator(1)]
    )
    partner = models.ForeignKey(
        "rewards.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rewards",
        verbose_name=_("redeemed at the partner"),
        help_text=_("A partner's offer: its vouchers are used at the partner, not at your till."),
    )
    # Early access: open to some members `early_days` before `valid_from` ("Bare for deg til fredag").
    early_days = models.PositiveSmallIntegerField(
        _("early access (days)"),
        default=0,
        blank=True,
        help_text=_(
            "Open this many days before «valid from» to the tier or members below. 0 = no early access."
        ),
    )
    early_tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("early for this tier and above"),
    )
    early_plan = models.ForeignKey(
        "rewards.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("early for members of"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost_points", "name"]
        # stock >= 0 is the column's own CHECK: a PositiveIntegerField has one on both databases.

    def __str__(self):
        return self.name

    def is_on_offer(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_active
            and (self.valid_from is None or self.valid_from <= now)
            and (self.valid_to is None or now < self.valid_to)
            and (self.stock is None or self.stock > 0)
        )


class StampCard(models.Model):
    """A stamp card definition, e.g. "Kaffekort: 10 kjøp = 1 gratis kaffe"."""

    name = models.CharField(_("name"), max_length=80)
    stamps_needed = models.PositiveIntegerField(
        _("stamps for a full card"), validators=[MinValueValidator(1)]
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, verbose_name=_("reward for a full card"), related_name="+"
    )
    max_stamps_per_visit = models.PositiveIntegerField(
        _("max stamps per visit"), default=1, validators=[MinValueValidator(1)]
    )
    counts_purchases = models.BooleanField(
        _("every registered purchase gives a stamp"),
        default=False,
        help_text=_("Otherwise staff add stamps by hand (e.g. per loaf of bread)."),
    )
    category = models.CharField(
        _("register category"),
        max_length=60,
        blank=True,
        help_text=_(
            "A stamp per item in this category on a receipt the register sends through the API "
            "(e.g. «kaffe»), up to the most per visit. Empty: none."
        ),
    )
    valid_days = models.PositiveIntegerField(
        _("stamps valid (days)"),
        null=True,
        blank=True,
        help_text=_("Empty = stamps never lapse. Otherwise a card not filled in time starts over."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stamp card")
        verbose_name_plural = _("stamp cards")
        ordering = ["name"]

    def __str__(self):
        return self.name

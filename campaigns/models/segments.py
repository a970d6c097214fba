"""Segments: a saved, named set of conditions on members that the owner combines without code.

A condition is one row with a kind and the few values that kind needs (a number of days, a
tier, a stamp card...); which values each kind needs, and what it means in SQL, is in
campaigns.segments.conditions. The same rows serve the count while editing, the sample, and
(later) the recipients of a campaign.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonModel
from members.models import Interest, Location
from rewards.models import StampCard, Tier


class CampaignSettings(SingletonModel):
    """How the club talks to its members: one row, edited in admin."""

    rfm_months = models.PositiveSmallIntegerField(
        _("months of purchases behind VIP and regulars"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("Segments rank members by what they spent over this many months back."),
    )
    vip_percent = models.PositiveSmallIntegerField(
        _("VIP: share of the buyers at the top (%)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    regular_percent = models.PositiveSmallIntegerField(
        _("regulars: share of the buyers after VIP (%)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(99)],
        help_text=_("The rest of those who bought are occasional customers."),
    )

    # The contact budget: marketing messages per member and calendar month, every campaign
    # and flow together; a member's own "how often" choice can only lower it.
    emails_per_month = models.PositiveSmallIntegerField(
        _("e-mails per member per month"), default=2, validators=[MaxValueValidator(31)]
    )
    sms_per_month = models.PositiveSmallIntegerField(
        _("SMS per member per month"), default=1, validators=[MaxValueValidator(31)]
    )
    # Quiet hours, in the club's time zone: nothing is sent before `day_starts` or from
    # `day_ends` on, nor on Sundays and Norwegian public holidays; a message waits till morning.
    day_starts = models.TimeField(_("send from"), default=time(9))
    day_ends = models.TimeField(_("send until"), default=time(21))
    quiet_sundays = models.BooleanField(_("quiet on Sundays and public holidays"), default=True)
    email_quiet_too = models.BooleanField(
        _("quiet hours apply to e-mail too"),
        default=True,
        help_text=_("SMS always keeps quiet hours; an e-mail waits in the inbox, but it may buzz a phone."),
    )

    sms_price_ore = models.PositiveIntegerField(
        _("price per SMS segment (øre)"),
        default=45,
        help_text=_("What the SMS provider charges for one segment (160 characters, 70 with emoji)."),
    )

    attribution_days = models.PositiveSmallIntegerField(
        _("a purchase counts for a campaign within (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A recipient who buys within this many days of the message counts as a buyer from it."),
    )

    class Priority(models.TextChoices):
        FLOWS = "flows", _("flows first: campaigns leave room for one flow message a month")
        EQUAL = "equal", _("first come, first served")
        CAMPAIGNS = "campaigns", _("campaigns first: flows leave room for one campaign a month")

    priority = models.CharField(
        _("when the budget is nearly full"),
        max_length=10,
        choices=Priority.choices,
        default=Priority.EQUAL,
        help_text=_(
            "Flow messages (welcome, birthday, win-back, survey) and campaigns share each member's "
            "contact budget. The one that comes second keeps the last place free for the first."
        ),
    )
    club_holdout_percent = models.PositiveSmallIntegerField(
        _("standing holdout (%)"),
        default=0,
        validators=[MaxValueValidator(20)],
        help_text=_(
            "A share of all members (5 percent is usual) who get no marketing at all for a period, drawn "
            "anew each period: comparing them with the rest shows what the whole programme of "
            "messages adds. 0: off."
        ),
    )
    club_holdout_months = models.PositiveSmallIntegerField(
        _("standing holdout period (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("How long the same members are held out before new ones are drawn."),
    )
    nps_points = models.PositiveIntegerField(
        _("points for answering the survey"),
        default=0,
        validators=[MaxValueValidator(10_000)],
        help_text=_("Given once per survey answered (NPS flow). 0: none."),
    )

    class Meta:
        verbose_name = _("campaign settings")
        verbose_name_plural = _("campaign settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="campaign_settings_is_singleton"),
            models.CheckConstraint(
                condition=models.Q(vip_percent__gte=1)
                & models.Q(vip_percent__lte=100 - models.F("regular_percent")),
                name="campaign_settings_shares_add_up",
            ),
        ]

    def __str__(self):
        return str(_("Campaign settings"))

    def clean(self):
        if self.day_starts and self.day_ends and self.day_starts >= self.day_ends:
            raise ValidationError({"day_ends": _("The day must end after it starts.")})
        shares = (self.vip_percent, self.regular_percent)
        if None not in shares and sum(shares) > 100:
            raise ValidationError(
                {"regular_percent": _("VIP and regulars together cannot be more than 100 %.")}
            )


class Segment(models.Model):
    class Match(models.TextChoices):
        ALL = "all", _("all conditions")
        ANY = "any", _("at least one condition")

    name = models.CharField(_("name"), max_length=100, unique=True)
    match = models.CharField(_("members who meet"), max_length=3, choices=Match.choices, default=Match.ALL)
    description = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SegmentCondition(models.Model):
    class Kind(models.TextChoices):
        RFM = "rfm", _("VIP, regular or occasional")
        LAST_SEEN = "last_seen", _("days since the last purchase or visit")
        PURCHASES = "purchases", _("purchases in the last … days")
        SPEND = "spend", _("spend (kr) in the last … days")
        TIER = "tier", _("tier")
        POINTS = "points", _("points balance")
        EXPIRING = "expiring", _("points expiring within … days")
        STAMPS = "stamps", _("stamps on a card")
        BIRTHDAY_SOON = "birthday_soon", _("birthday within … days")
        BIRTHDAY_MONTH = "birthday_month", _("birthday in a month")
        JOINED = "joined", _("days since joining")
        LAST_SHOP = "last_shop", _("shop last visited")
        HOME_SHOP = "home_shop", _("home shop")
        LANGUAGE = "language", _("language")
        INTEREST = "interest", _("interest")
        VOUCHER = "voucher", _("has an unused voucher")
        REFERRED = "referred", _("was referred by a member")
        REFERRER = "referrer", _("has referred a friend")
        CONSENT = "consent", _("consents to offers by")
        PAID_MEMBER = "paid_member", _("has a paid membership running (a trial too)")

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(_("condition"), max_length=20, choices=Kind.choices)
    comparison = models.CharField(_("compared"), max_length=8, choices=Comparison.choices, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    days = models.PositiveIntegerField(
        _("days"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3660)]
    )
    choice = models.CharField(_("value"), max_length=20, blank=True)
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("tier"))
    card = models.ForeignKey(
        StampCard, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("stamp card")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("shop")
    )
    interest = models.ForeignKey(
        Interest, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("interest")
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["pk"]

    def __str__(self):
        from campaigns.segments.conditions import describe

        return describe(self)

    def clean(self):
        from campaigns.segments.conditions import validate

        validate(self)

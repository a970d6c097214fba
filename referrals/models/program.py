"""What the owner configures: the referral programme (one per club)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clubsite.singleton import SingletonModel
from rewards.models import Reward


class ReferralProgram(SingletonModel):
    """Who gets what for a friend brought in, what counts as qualifying, and the fraud limits.

    Changes apply to what happens next: a referral already paid keeps what it got, one not
    yet paid is paid by the settings of the day it is paid.
    """

    load_related = ("referrer_reward", "friend_reward")

    class RewardKind(models.TextChoices):
        POINTS = "points", _("points")
        VOUCHER = "voucher", _("a reward voucher")

    is_active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Members see «Invite a friend» and new referrals are recorded only while this is on."),
    )
    # What each side gets.
    referrer_kind = models.CharField(
        _("the member who invites gets"), max_length=10, choices=RewardKind.choices, default=RewardKind.POINTS
    )
    referrer_points = models.PositiveIntegerField(
        _("points for the member who invites"), default=200, help_text=_("Used when the reward is points.")
    )
    referrer_reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voucher for the member who invites"),
        help_text=_("Used when the reward is a voucher: a voucher for this reward is given as a gift."),
    )
    friend_kind = models.CharField(
        _("the friend gets"), max_length=10, choices=RewardKind.choices, default=RewardKind.POINTS
    )
    friend_points = models.PositiveIntegerField(
        _("points for the friend"), default=100, help_text=_("Used when the reward is points.")
    )
    friend_reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voucher for the friend"),
        help_text=_("Used when the reward is a voucher: a voucher for this reward is given as a gift."),
    )
    # What qualifies a referral: the friend buying, not merely joining.
    min_purchase_ore = models.PositiveIntegerField(
        _("minimum qualifying purchase (øre)"),
        default=10_000,
        help_text=_("The friend's first purchase of at least this amount qualifies the referral."),
    )
    qualifies_on_visit = models.BooleanField(
        _("a visit scanned at the counter also qualifies"),
        default=False,
        help_text=_("For clubs without purchase amounts: the friend's first scan at the till counts."),
    )
    qualify_within_days = models.PositiveIntegerField(
        _("qualify within (days after joining)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A friend who has not qualified by then gives no reward."),
    )
    hold_days = models.PositiveIntegerField(
        _("hold before paying (days)"),
        default=14,
        help_text=_(
            "Rewards are paid this long after the qualifying purchase, so that a refund can cancel "
            "them first. 0 = pay at once."
        ),
    )
    # Fraud controls.
    cap_per_month = models.PositiveIntegerField(
        _("max referrals per member per month"),
        default=10,
        help_text=_("More in one calendar month are refused with the reason «cap reached». 0 = no limit."),
    )
    burst_count = models.PositiveIntegerField(
        _("flag a burst of sign-ups: count"),
        default=3,
        validators=[MinValueValidator(2)],
        help_text=_("This many referred sign-ups from one IP address or one device …"),
    )
    burst_minutes = models.PositiveIntegerField(
        _("… within (minutes)"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("… are held for your review instead of being paid automatically."),
    )
    cookie_days = models.PositiveIntegerField(
        _("the invitation is remembered for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("How long a friend may browse around after opening the link before joining."),
    )

    class Meta:
        verbose_name = _("referral programme")
        verbose_name_plural = _("referral programme")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="referral_program_is_singleton"),
            models.CheckConstraint(
                condition=~Q(referrer_kind="voucher") | Q(referrer_reward__isnull=False),
                name="referral_program_referrer_voucher_has_reward",
            ),
            models.CheckConstraint(
                condition=~Q(friend_kind="voucher") | Q(friend_reward__isnull=False),
                name="referral_program_friend_voucher_has_reward",
            ),
        ]

    def __str__(self):
        return str(_("Referral programme"))

    def gift(self, side: str) -> tuple[str, int, Reward | None]:
        """(kind, points, reward) that `side` ("referrer" or "friend") gets."""
        if side == "referrer":
            return self.referrer_kind, self.referrer_points, self.referrer_reward
        return self.friend_kind, self.friend_points, self.friend_reward

    def gift_text(self, side: str) -> str:
        """What `side` gets, for people: "200 points" or "a voucher for Free coffee"."""
        kind, points, reward = self.gift(side)
        if kind == self.RewardKind.VOUCHER and reward is not None:
            return str(_("a voucher for %(reward)s") % {"reward": reward.name})
        return ngettext("%(points)d point", "%(points)d points", points) % {"points": points}

    @property
    def referrer_gift(self) -> str:
        return self.gift_text("referrer")

    @property
    def friend_gift(self) -> str:
        return self.gift_text("friend")

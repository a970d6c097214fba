"""Challenges and badges: goals over what the ledger and the visits already record.

Nothing here counts: progress is computed from the ledger and the visits each time it is
read (rewards.services.achievements), so a new challenge can count what members did before
it was created, and a refund that undoes a purchase takes the progress back by itself. What
is stored is only what was *given*: a completion (once per member and challenge, with the
reward it paid) and a badge level awarded (once per member and level).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.models import Member
from rewards.models.catalogue import Reward, Tier
from rewards.models.wallet import LedgerEntry, Voucher


class Goal(models.TextChoices):
    """What a challenge or a badge counts (rewards.services.achievements.measure)."""

    VISITS = "visits", _("visits")
    PURCHASES = "purchases", _("purchases")
    SPEND = "spend", _("kroner spent")
    STAMP_CARDS = "stamp_cards", _("different stamp cards used")
    LOCATIONS = "locations", _("different shops visited")
    REFERRALS = "referrals", _("friends referred")
    YEARS = "years", _("years as a member")
    TIER = "tier", _("tier reached")
    CHALLENGES = "challenges", _("challenges completed")


CHALLENGE_GOALS = [
    Goal.VISITS,
    Goal.PURCHASES,
    Goal.SPEND,
    Goal.STAMP_CARDS,
    Goal.LOCATIONS,
    Goal.REFERRALS,
]
BADGE_GOALS = [Goal.VISITS, Goal.PURCHASES, Goal.YEARS, Goal.REFERRALS, Goal.TIER, Goal.CHALLENGES]


class Challenge(models.Model):
    name = models.CharField(_("name"), max_length=80, help_text=_("E.g. «3 visits in December»."))
    description = models.CharField(_("what members read"), max_length=200, blank=True)
    goal = models.CharField(
        _("counts"),
        max_length=12,
        choices=[(g.value, g.label) for g in CHALLENGE_GOALS],
        default=Goal.VISITS,
        help_text=_(
            "Visits: each time the member is shown at the till (scans within 30 minutes at one shop are "
            "one visit). Purchases and kroner: refunded purchases do not count."
        ),
    )
    target = models.PositiveIntegerField(
        _("goal"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How many (kroner for spending)."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to and including"))
    count_past = models.BooleanField(
        _("count what members did before it was created"),
        default=True,
        help_text=_("Counts everything from the start date. Off: only what happens after it is saved."),
    )
    points = models.PositiveIntegerField(_("points as reward"), default=0)
    reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voucher as reward"),
        help_text=_("May be a partner's offer."),
    )
    tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for this tier and above"),
    )
    audience = models.CharField(
        _("only for members in"), max_length=40, blank=True, help_text=_("A segment; empty: everyone.")
    )
    hidden = models.BooleanField(
        _("a surprise"), default=False, help_text=_("Members see it only when they have completed it.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="challenge_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(target__gte=1), name="challenge_target_gte_1"),
        ]

    def __str__(self):
        return self.name

    @property
    def reward_words(self) -> str:
        """What completing it gives, as members read it: "50 points and Free coffee"."""
        if self.points and self.reward_id:
            return ngettext(
                "%(points)s point and %(reward)s", "%(points)s points and %(reward)s", self.points
            ) % {"points": self.points, "reward": self.reward.name}
        if self.points:
            return ngettext("%(points)s point", "%(points)s points", self.points) % {"points": self.points}
        return self.reward.name if self.reward_id else ""

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The challenge must end on or after its first day.")
        if not self.points and not self.reward_id:
            errors["points"] = _("Give the challenge a reward: points, a voucher or both.")
        if errors:
            raise ValidationError(errors)


class ChallengeCompletion(models.Model):
    """A member completed a challenge and was given its reward: one row per member and
    challenge (the reward is paid once). A refund that takes the progress below the goal
    revokes it: the reward is taken back if it can be, and `kept` says when it could not.
    Reaching the goal again reinstates it with a new `round` (and a new reward)."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="completions", verbose_name=_("challenge")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="challenge_completions", verbose_name=_("member")
    )
    round = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("taken back"), null=True, blank=True)
    # What could not be taken back on revocation (the rule: a used voucher or spent points stay
    # with the member): "points", "voucher" or both, comma separated; "" when all came back.
    kept = models.CharField(_("kept by the member"), max_length=20, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)  # the member saw the celebration

    class Meta:
        verbose_name = _("completed challenge")
        verbose_name_plural = _("completed challenges")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "member"], name="one_completion_per_member")
        ]

    def __str__(self):
        return f"{self.challenge} · {self.member}"

    @property
    def standing(self) -> bool:
        return self.revoked_at is None


class Badge(models.Model):
    name = models.CharField(_("name"), max_length=80, help_text=_("E.g. «Regular»."))
    description = models.CharField(_("what members read"), max_length=200, blank=True)
    goal = models.CharField(
        _("counts"),
        max_length=12,
        choices=[(g.value, g.label) for g in BADGE_GOALS],
        default=Goal.VISITS,
        help_text=_("Tier reached: 1 is the first tier above the one every member starts in, 2 the next."),
    )
    count_past = models.BooleanField(
        _("count what members did before it was created"),
        default=True,
        help_text=_("Off: only what happens after it is saved counts towards it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BadgeLevel(models.Model):
    """A level of a badge (bronze, silver, gold): reached at `threshold`. A member is awarded
    every level up to the highest reached, lowest first: never one without those below."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="levels", verbose_name=_("badge"))
    name = models.CharField(_("level"), max_length=40, help_text=_("E.g. «Bronze»."))
    threshold = models.PositiveIntegerField(_("reached at"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("badge level")
        verbose_name_plural = _("badge levels")
        ordering = ["badge", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "threshold"], name="one_level_per_threshold"),
            models.CheckConstraint(condition=Q(threshold__gte=1), name="badge_threshold_gte_1"),
        ]

    def __str__(self):
        return f"{self.badge} · {self.name}"


class BadgeAward(models.Model):
    level = models.ForeignKey(
        BadgeLevel, on_delete=models.PROTECT, related_name="awards", verbose_name=_("badge level")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="badge_awards", verbose_name=_("member")
    )
    awarded_at = models.DateTimeField(_("awarded"), default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("badge awarded")
        verbose_name_plural = _("badges awarded")
        ordering = ["awarded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["level", "member"], name="one_award_per_level")]

    def __str__(self):
        return f"{self.level} · {self.member}"

"""Referral codes, link opens, referrals and what each side was paid.

Rows here are written by referrals.services only. A referral moves

    pending ──(qualifying purchase/visit)──▶ qualified ──(hold over, review passed)──▶ paid
       │                                        │                                      │
       └──(window passed)──▶ cancelled ◀──(refund in hold)                (refund)──▶ reversed

or is refused when it is recorded (self-referral, already a member, cap reached) or when the
owner rejects it. A flagged one (burst, same household) waits for the owner's review and is
not paid until approved.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Location, Member, User
from rewards.models import LedgerEntry, Visit, Voucher


class ReferralCode(models.Model):
    """A member's personal invitation code: short, unguessable, in the card alphabet."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="referral_code", verbose_name=_("member")
    )
    code = models.CharField(_("code"), max_length=12, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        """Two groups of four, as the member number is printed: easy to read aloud."""
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == 8 else self.code


class Reason(models.TextChoices):
    """Why a referral was refused, flagged, cancelled or needs a look: shown to the owner."""

    SELF_REFERRAL = "self_referral", _("self-referral (same e-mail, mobile number or account)")
    ALREADY_MEMBER = "already_member", _("already a member or known customer")
    CAP_REACHED = "cap_reached", _("cap per member per month reached")
    BURST_IP = "burst_ip", _("burst of sign-ups from one IP address")
    BURST_DEVICE = "burst_device", _("burst of sign-ups from one device")
    SAME_HOUSEHOLD = "same_household", _("same household (similar e-mail or mobile number)")
    REFUNDED = "refunded", _("qualifying purchase refunded")
    WINDOW_PASSED = "window_passed", _("did not qualify in time")
    REJECTED = "rejected", _("rejected by the owner")
    NOT_REVERSIBLE = "not_reversible", _("a reward could not be taken back (already spent or used)")


class Referral(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("joined, waiting for a purchase")
        QUALIFIED = "qualified", _("qualified, on hold")
        PAID = "paid", _("rewarded")
        CANCELLED = "cancelled", _("cancelled")
        REFUSED = "refused", _("refused")
        REVERSED = "reversed", _("reversed after a refund")

    class Review(models.TextChoices):
        NONE = "none", _("not needed")
        WAITING = "waiting", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class Channel(models.TextChoices):
        LINK = "link", _("link")
        CODE = "code", _("code at sign-up")
        COUNTER = "counter", _("code at the counter")

    referrer = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="referrals_made", verbose_name=_("invited by")
    )
    # One referral per friend, ever: the first invitation that is recorded counts.
    friend = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="referral", verbose_name=_("friend")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.NONE)
    # Comma-separated Reason codes (they never contain one another, so `contains` filters).
    reasons = models.CharField(_("reasons"), max_length=200, blank=True)
    # Keyed hashes, never the raw values: equality is all the burst check needs.
    ip_hash = models.CharField(max_length=32, blank=True, db_index=True)
    device_hash = models.CharField(max_length=32, blank=True, db_index=True)
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    opened_at = models.DateTimeField(_("link opened"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined through the invitation"), default=timezone.now)
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)
    payable_at = models.DateTimeField(_("to be paid"), null=True, blank=True)
    paid_at = models.DateTimeField(_("rewarded"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled, refused or reversed"), null=True, blank=True)
    qualifying_entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("qualifying purchase"),
    )
    qualifying_visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("qualifying visit"),
    )
    qualifying_amount_ore = models.BigIntegerField(_("qualifying amount (øre)"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["referrer", "-created_at"], name="referral_referrer_time"),
            models.Index(fields=["payable_at"], condition=Q(status="qualified"), name="referral_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(referrer=F("friend")), name="referral_not_to_oneself"),
        ]

    def __str__(self):
        return f"{self.referrer} → {self.friend}"

    @property
    def reason_list(self) -> list[str]:
        return [code for code in self.reasons.split(",") if code]

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels.get(code, code)) for code in self.reason_list]

    @property
    def waits_for_review(self) -> bool:
        return self.review == self.Review.WAITING

    # Set by services.referral_attribute when the same invitation arrived again (a double tap
    # at the till, the login after joining through the link): the first result, unchanged.
    replayed = False


class ReferralLinkOpen(models.Model):
    """Someone opened a member's link (one row per code and device): "invited" in the member's
    progress, and the start of a referral once that device joins."""

    code = models.ForeignKey(
        ReferralCode, on_delete=models.PROTECT, related_name="opens", verbose_name=_("code")
    )
    device_hash = models.CharField(max_length=32)
    opened_at = models.DateTimeField(default=timezone.now)
    referral = models.OneToOneField(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="link_open",
        verbose_name=_("referral"),
    )

    class Meta:
        verbose_name = _("link opened")
        verbose_name_plural = _("links opened")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "device_hash"], name="one_open_per_code_and_device")
        ]

    def __str__(self):
        return f"{self.code} {self.opened_at:%Y-%m-%d}"


class ReferralPayout(models.Model):
    """What one side of a referral was given. At most one row per side, by constraint: the
    database refuses a second payment whatever path (retry, race, replayed signal) tries it."""

    class Side(models.TextChoices):
        REFERRER = "referrer", _("member who invited")
        FRIEND = "friend", _("friend")

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("referral")
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("points"),
    )
    voucher = models.OneToOneField(
        Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("voucher")
    )
    # The cost in points (a voucher counts at its reward's price): the figures' cost per referral.
    value_points = models.PositiveIntegerField(_("worth (points)"), default=0)
    created_at = models.DateTimeField(_("paid"), default=timezone.now)
    reversed_at = models.DateTimeField(_("taken back"), null=True, blank=True)
    reversal_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reversal entry"),
    )
    # Why the reward could not be taken back after a refund (a RewardsError code), if it could not.
    reverse_error = models.CharField(_("could not take back"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")
        constraints = [
            models.UniqueConstraint(fields=["referral", "side"], name="one_payout_per_referral_side"),
            models.CheckConstraint(
                condition=Q(entry__isnull=False, voucher__isnull=True)
                | Q(entry__isnull=True, voucher__isnull=False),
                name="payout_is_points_or_voucher",
            ),
        ]

    def __str__(self):
        return f"{self.referral_id} {self.side}"

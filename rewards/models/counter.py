"""The counter's records: visits, the actions staff took, refused scans and anomaly flags.

The wallet's ledger says what happened to points and stamps; these rows say who did it at
which till, so the owner can see refused scans and unusual patterns, and later issues can
count visits (RFM, referral qualification).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubsite.choices import choice_label
from members.models import Location, Member, User
from rewards.errors import refusal_text
from rewards.models.wallet import Operation


class Visit(models.Model):
    """A member identified at a till. Scans of the same member at the same place within
    VISIT_GAP (rewards.services.counter) count as one visit."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="visits", verbose_name=_("member")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    staff = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    started_at = models.DateTimeField(_("time"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["member", "-started_at"], name="visit_member_time")]

    def __str__(self):
        return f"{self.member} @ {self.location}"


class CounterAction(models.Model):
    """One successful action at the till, with the wallet operation it made. An undo is an
    action of its own that points at the action it undid (at most one undo each)."""

    class Kind(models.TextChoices):
        STAMPS = "stamps", _("stamps added")
        PURCHASE = "purchase", _("purchase registered")
        VOUCHER = "voucher", _("voucher used")
        REWARD = "reward", _("reward redeemed")
        GRANT = "grant", _("points granted")
        DEDUCT = "deduct", _("points deducted")
        UNDO = "undo", _("undone")
        REFUND = "refund", _("refund")
        MEMBERSHIP = "membership", _("membership sold")

    CREDITS = (Kind.STAMPS, Kind.PURCHASE, Kind.GRANT)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    # The idempotency key made from the page's nonce: a replayed request finds this row.
    nonce_key = models.CharField(max_length=100, unique=True, editable=False)
    # The wallet operation it made (an undo makes one per part, keyed "<nonce_key>:<part>").
    operation = models.OneToOneField(
        Operation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counter_action",
        verbose_name=_("operation"),
    )
    voucher = models.ForeignKey(
        "rewards.Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voucher"),
    )
    summary = models.CharField(_("what changed"), max_length=200, blank=True)
    undoes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="undone_by",
        verbose_name=_("undoes"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("counter action")
        verbose_name_plural = _("counter actions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="action_member_time"),
            models.Index(fields=["staff", "-created_at"], name="action_staff_time"),
        ]

    def __str__(self):
        return f"{self.kind_label}: {self.summary}"

    @property
    def kind_label(self) -> str:
        return choice_label(self.Kind, self.kind)  # get_kind_display(), cheaper: see there


class ScanRefusal(models.Model):
    """A refused scan or action at the till, kept for the owner (and for guessing limits)."""

    reason = models.CharField(_("reason"), max_length=40)
    raw_input = models.CharField(_("input"), max_length=100, blank=True)
    staff = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("refused scan")
        verbose_name_plural = _("refused scans")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="refusal_time")]

    def __str__(self):
        return refusal_text(self.reason)


class CounterFlag(models.Model):
    """An unusual pattern for the owner to look at; raised by rewards.services.counter_flags."""

    class Kind(models.TextChoices):
        MEMBER_CREDITS = "member_credits", _("member credited unusually often in a day")
        STAFF_CREDITS = "staff_credits", _("staff member's credits far above colleagues'")
        STAFF_UNDOS = "staff_undos", _("staff member's undos far above colleagues'")
        GRANT_THEN_REDEEM = "grant_redeem", _("redemption right after a manual grant")
        LARGE_PURCHASE = "large_purchase", _("purchase above the amount staff must confirm")
        MEMBER_POINTS = "member_points", _("member credited unusually many points in a day")

    kind = models.CharField(_("flag"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("day"))
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    staff = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    # "member:<id>" or "staff:<id>": one flag per kind, day and subject, on every database
    # (a unique constraint over nullable columns would let duplicates through).
    subject = models.CharField(max_length=40, editable=False)
    count = models.PositiveIntegerField(_("count"), default=0)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)

    class Meta:
        verbose_name = _("counter flag")
        verbose_name_plural = _("counter flags")
        ordering = ["-day", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day", "subject"], name="one_flag_per_kind_day_subject")
        ]

    def __str__(self):
        return self.get_kind_display()

"""The wallet: the cached balance, the append-only ledger, stamp progress and vouchers.

Rows here are written by rewards.services only, under a lock on the wallet row.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubsite.choices import choice_label
from members.models import Location, Member, User
from rewards.models.catalogue import Reward, StampCard, Tier


class QualifyingMonth(models.Model):
    """Qualifying points and spend per wallet and calendar month, kept with every qualifying
    entry: the tier window (this month and the eleven before) is a sum over twelve small
    rows, however long the member's history. Derived from the ledger, like the balance."""

    wallet = models.ForeignKey(
        "rewards.Wallet", on_delete=models.PROTECT, related_name="qualifying_months", verbose_name=_("wallet")
    )
    month = models.DateField()
    points = models.IntegerField(default=0)
    spend_ore = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wallet", "month"], name="one_row_per_wallet_month")]

    def __str__(self):
        return f"{self.wallet_id} {self.month:%Y-%m}: {self.points}"


class LedgerImmutable(Exception):
    """Ledger rows are never edited or deleted; a mistake is corrected by a reversal."""


class AppendOnlyQuerySet(models.QuerySet):
    # Only the bookkeeping column `remaining` of earn lots may move (see services).
    mutable_fields = frozenset({"remaining"})

    def update(self, **kwargs):
        if set(kwargs) - self.mutable_fields:
            raise LedgerImmutable(f"{self.model.__name__} rows are append-only")
        return super().update(**kwargs)

    update.queryset_only = True

    def delete(self):
        raise LedgerImmutable(f"{self.model.__name__} rows are never deleted")

    delete.queryset_only = True


class LedgerQuerySet(AppendOnlyQuerySet):
    def reasons_blank(self) -> int:
        """Blank the typed `reason` of these entries (GDPR erasure: text staff typed that
        names the member); return how many changed. Points, times and links stay: the books
        still add up. The one edit of a ledger row besides a lot's `remaining` (the
        PostgreSQL trigger allows exactly these two)."""
        return models.QuerySet.update(self.exclude(reason=""), reason="")

    reasons_blank.queryset_only = True


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise LedgerImmutable(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(f"{type(self).__name__} rows are never deleted")

    delete.alters_data = True


class Wallet(models.Model):
    """The cached state of one member's wallet. Changed only under select_for_update."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="wallet", verbose_name=_("member")
    )
    balance = models.IntegerField(_("points"), default=0)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("tier"))
    tier_review_at = models.DateField(_("tier review"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="wallet_balance_gte_0")
        ]

    def __str__(self):
        return str(self.member)


class MemberStampCard(models.Model):
    """A member's progress on one stamp card: stamps collected towards the next reward."""

    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="stamp_cards", verbose_name=_("wallet")
    )
    card = models.ForeignKey(
        StampCard, on_delete=models.PROTECT, related_name="+", verbose_name=_("stamp card")
    )
    stamps = models.IntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # The size this card, begun before the card's size changed, finishes on; None: the card's.
    needed = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("member stamp card")
        verbose_name_plural = _("member stamp cards")
        constraints = [
            models.UniqueConstraint(fields=["wallet", "card"], name="one_progress_per_card"),
            models.CheckConstraint(condition=models.Q(stamps__gte=0), name="stamps_gte_0"),
        ]

    def __str__(self):
        return f"{self.card} {self.stamps}"

    @property
    def size(self) -> int:
        return self.needed or self.card.stamps_needed


class Operation(models.Model):
    """One retryable write, by its idempotency key. A second arrival of the key finds this row
    and gets the first result back; the same key with other parameters is refused."""

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=30)
    fingerprint = models.CharField(max_length=64)
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet"))
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")

    def __str__(self):
        return self.key


class LedgerEntry(AppendOnlyModel):
    """One movement of points. The balance is the sum of `points` over a wallet's entries.

    Positive entries are *lots*: `remaining` says how much of the lot is still unspent and
    unexpired, and `expires_at` when it lapses. Spending, expiry and reversals consume lots
    oldest first and record how much in LedgerAllocation.
    """

    class Kind(models.TextChoices):
        EARN = "earn", _("purchase")
        BONUS = "bonus", _("bonus")
        REDEEM = "redeem", _("redeemed")
        EXPIRE = "expire", _("expired")
        REVERSAL = "reversal", _("reversal")
        ADJUST = "adjust", _("adjustment")
        REFUND = "refund", _("refund")
        DONATION = "donation", _("given to a good cause")

    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="entries", verbose_name=_("wallet")
    )
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="entries", verbose_name=_("operation")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    remaining = models.IntegerField(_("unspent"), default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Counts towards tiers (purchases and their reversals); amount_ore is the purchase.
    qualifying = models.BooleanField(_("counts towards tiers"), default=False)
    amount_ore = models.BigIntegerField(_("purchase amount (øre)"), null=True, blank=True)
    # Of `points`, those a paid membership's multiplier added (its value meter sums them).
    membership_points = models.IntegerField(_("of which from the membership"), default=0)
    # Points for an action that is not a purchase (rewards.services.actions): "profile",
    # "survey", "poll", "review", "anniversary"; counted against the monthly cap.
    action = models.CharField(_("for"), max_length=12, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("location")
    )
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # When the row was written: `created_at` is the time of the sale, which a till that
    # was offline (or the POS API's sold_at) gives from the past. The dashboard's rollups
    # follow this one (campaigns.insights.rollups), so that a late entry is not missed. The
    # database's default covers rows written without the ORM (an import, the bench's SQL).
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_default=Now(), editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        # Related managers must refuse edits too (the default base manager would not).
        base_manager_name = "objects"
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["wallet", "-created_at", "-id"], name="entry_wallet_time"),
            models.Index(
                fields=["wallet", "created_at", "id"], condition=Q(remaining__gt=0), name="entry_open_lots"
            ),
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="entry_lapsing_lots"),
            # The dashboard's rollups: a day's entries, and those written since the watermark.
            models.Index(fields=["created_at"], name="entry_time"),
            models.Index(fields=["recorded_at"], name="entry_recorded"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="entry_points_not_zero"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & (Q(remaining__lte=F("points")) | Q(remaining=0)),
                name="entry_remaining_within_points",
            ),
        ]

    def __str__(self):
        return f"{self.kind_label} {self.points:+d}"

    @property
    def kind_label(self) -> str:
        return choice_label(self.Kind, self.kind)  # get_kind_display(), cheaper: see there


class LedgerAllocation(AppendOnlyModel):
    """`points` of `lot` consumed by `entry` (negative: given back by a reversal)."""

    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("entry")
    )
    lot = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("points lot")
    )
    points = models.IntegerField()

    class Meta:
        # Related managers must refuse edits too (the default base manager would not).
        base_manager_name = "objects"
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="allocation_not_zero")]

    def __str__(self):
        return f"{self.entry_id} <- {self.lot_id}: {self.points}"


class StampEntry(AppendOnlyModel):
    """Stamps added to (or, by a reversal, taken from) a member's stamp card."""

    progress = models.ForeignKey(
        MemberStampCard, on_delete=models.PROTECT, related_name="entries", verbose_name=_("stamp card")
    )
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="stamp_entries", verbose_name=_("operation")
    )
    stamps = models.IntegerField(_("stamps"))
    completed = models.PositiveIntegerField(_("cards completed"), default=0)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("location")
    )
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        # Related managers must refuse edits too (the default base manager would not).
        base_manager_name = "objects"
        verbose_name = _("stamp entry")
        verbose_name_plural = _("stamp entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["progress", "-created_at"], name="stamp_progress_time")]
        constraints = [models.CheckConstraint(condition=~Q(stamps=0), name="stamp_entry_not_zero")]

    def __str__(self):
        return f"{self.stamps:+d}"


class Voucher(models.Model):
    """A reward the member can show at the counter. Status moves by compare-and-set only."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("ready to use")
        USED = "used", _("used")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        REDEEM = "redeem", _("redeemed for points")
        STAMP_CARD = "stamp_card", _("full stamp card")
        GIFT = "gift", _("gift from the club")
        WELCOME = "welcome", _("welcome gift")
        CAMPAIGN = "campaign", _("offer in a message")
        MEMBERSHIP = "membership", _("monthly membership voucher")
        SURPRISE = "surprise", _("a surprise")
        CHALLENGE = "challenge", _("challenge completed")

    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("wallet")
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("reward")
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    redeem_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voucher",
        verbose_name=_("paid with entry"),
    )
    stamp_entry = models.ForeignKey(
        StampEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vouchers",
        verbose_name=_("earned with stamps"),
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    # Where it was bought with points or its stamp card filled up (none for a gift): kept
    # here, like used_location, so that a shop's figures need not read the ledger to place it.
    issued_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued in"),
    )
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("used at")
    )
    used_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by (staff)"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # When the row was written (issued_at may lie in the past): the rollups follow it.
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["wallet", "status", "expires_at"], name="voucher_wallet_status"),
            # The dashboard's rollups: a day's vouchers, and those written since the watermark.
            models.Index(fields=["issued_at"], name="voucher_issued"),
            models.Index(fields=["recorded_at"], name="voucher_recorded"),
        ]

    def __str__(self):
        return f"{self.reward} ({self.code})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.ACTIVE and not self.is_expired()

    @property
    def state_label(self) -> str:
        """The status as people read it: a ready voucher past its date is "expired" (the
        stored status stays "ready": expiry is a date, not a write)."""
        if self.status == self.Status.ACTIVE and self.is_expired():
            return str(_("expired"))
        return choice_label(self.Status, self.status)

    @property
    def can_be_cancelled(self) -> bool:
        """A member may hand back an unused voucher bought with points (refund)."""
        return self.is_usable and self.redeem_entry_id is not None

"""Read-side of the wallet, shared by the member's wallet page and the counter's member panel.

Every function here runs a fixed number of queries, whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, MemberStampCard, PointsProgram, StampCard, Voucher, Wallet
from rewards.services.core import wallet_get_or_create
from rewards.services.tiers import TierProgress, qualifying_annotation, tier_progress

EXPIRY_WARNING_DAYS = 30

# Reasons the system writes as codes; shown translated.
REASON_LABELS = {
    "welcome": _("Welcome bonus"),
    "profile": _("Thanks for completing your profile"),
    "birthday": _("Happy birthday!"),
    "voucher handed back": _("Voucher handed back"),
}


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


@dataclass(frozen=True)
class Expiring:
    day: date
    points: int


@dataclass(frozen=True)
class CardState:
    card: StampCard
    stamps: int

    @property
    def slots(self) -> list[bool]:
        return [i < self.stamps for i in range(self.card.stamps_needed)]

    @property
    def missing(self) -> int:
        return self.card.stamps_needed - self.stamps


@dataclass(frozen=True)
class WalletSummary:
    wallet: Wallet
    program: PointsProgram
    value_ore: int
    progress: TierProgress
    expiring: list[Expiring]
    cards: list[CardState]
    vouchers: list[Voucher]


def expiring_soon(wallet: Wallet, *, now: datetime, days: int = EXPIRY_WARNING_DAYS) -> list[Expiring]:
    rows = (
        LedgerEntry.objects.filter(wallet=wallet, remaining__gt=0, expires_at__gt=now)
        .filter(expires_at__lte=now + timedelta(days=days))
        .annotate(day=TruncDate("expires_at"))
        .values("day")
        .annotate(points=Sum("remaining"))
        .order_by("day")
    )
    return [Expiring(row["day"], row["points"]) for row in rows]


def stamp_cards(wallet: Wallet, cards: list[StampCard]) -> list[CardState]:
    """Every active card (from the cached config), with the member's stamps on it. One query."""
    if not cards:
        return []
    mine = dict(MemberStampCard.objects.filter(wallet=wallet).values_list("card_id", "stamps"))
    return [CardState(card, mine.get(card.pk, 0)) for card in cards]


def active_vouchers(wallet: Wallet, *, now: datetime) -> list[Voucher]:
    return list(
        Voucher.objects.filter(wallet=wallet, status=Voucher.Status.ACTIVE, expires_at__gt=now)
        .select_related("reward")
        .order_by("expires_at")
    )


def wallet_summary(member: Member, *, now: datetime | None = None) -> WalletSummary:
    now = now or timezone.now()
    settings = config()
    qualifying = qualifying_annotation(now=now, program=settings.program)
    wallet = (
        Wallet.objects.select_related("tier").annotate(qualifying=qualifying).filter(member=member).first()
    )
    if wallet is None:
        wallet = wallet_get_or_create(member)
        wallet.qualifying = 0
    return WalletSummary(
        wallet=wallet,
        program=settings.program,
        value_ore=settings.program.value_ore(wallet.balance),
        progress=tier_progress(
            wallet, now=now, program=settings.program, tiers=settings.tiers, total_raw=wallet.qualifying
        ),
        expiring=expiring_soon(wallet, now=now),
        cards=stamp_cards(wallet, settings.cards),
        vouchers=active_vouchers(wallet, now=now),
    )


def history(wallet: Wallet):
    """The ledger, newest first, with what each row reverses or is reversed by."""
    return (
        LedgerEntry.objects.filter(wallet=wallet)
        .select_related("location", "reverses", "reversal")
        .order_by("-created_at", "-id")
    )

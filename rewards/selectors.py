"""Read-side of the wallet, shared by the member's wallet page and the counter's member panel.

Every function here runs a fixed number of queries, whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, MemberStampCard, PointsProgram, StampCard, StampEntry, Voucher, Wallet
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
    """Every movement of the wallet, newest first: points entries and stamp entries.

    A union of (source, id, time) rows, so that one paginator pages through both ledgers;
    history_rows() then loads the rows of one page (two queries, whatever the page).
    """
    # .order_by(): the models' default ordering is not allowed inside a UNION (SQLite).
    points = (
        LedgerEntry.objects.filter(wallet=wallet)
        .order_by()
        .annotate(source=Value("points"))
        .values("source", "id", "created_at")
    )
    stamps = (
        StampEntry.objects.filter(progress__wallet=wallet)
        .order_by()
        .annotate(source=Value("stamps"))
        .values("source", "id", "created_at")
    )
    return _Union(points.union(stamps, all=True).order_by("-created_at", "-id"), parts=(points, stamps))


class _Union:
    """What Paginator needs from the union: slices of the ordered rows, and a count taken
    part by part (SQLite refuses the ORDER BY of a union inside COUNT's subquery)."""

    ordered = True  # Paginator asks; the rows are ordered by time

    def __init__(self, rows, *, parts):
        self.rows, self.parts = rows, parts

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return self.rows[index]


@dataclass(frozen=True)
class HistoryRow:
    entry: LedgerEntry | StampEntry
    reason: str = ""

    @property
    def is_stamps(self) -> bool:
        return isinstance(self.entry, StampEntry)


def history_rows(page) -> list[HistoryRow]:
    """The entries of one history page, with what they reverse or are reversed by."""
    ids = {"points": [], "stamps": []}
    for row in page:
        ids[row["source"]].append(row["id"])
    points = LedgerEntry.objects.select_related("location", "reverses", "reversal").in_bulk(ids["points"])
    stamps = StampEntry.objects.select_related("location", "reverses", "reversal", "progress__card").in_bulk(
        ids["stamps"]
    )
    rows = []
    for row in page:
        if row["source"] == "points":
            entry = points[row["id"]]
            rows.append(HistoryRow(entry, reason_label(entry.reason)))
        else:
            rows.append(HistoryRow(stamps[row["id"]]))
    return rows

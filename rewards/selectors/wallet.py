"""Read-side of the wallet, shared by the member's wallet page, the counter's member panel and admin.

Every function here runs a fixed number of queries, whatever the length of the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Member
from rewards.config import config
from rewards.models import (
    LedgerEntry,
    Membership,
    MemberStampCard,
    PointsProgram,
    Reward,
    StampCard,
    StampEntry,
    Tier,
    Voucher,
    Wallet,
)
from rewards.services import perks
from rewards.services.core import wallet_get_or_create
from rewards.services.tiers import TierProgress, tier_progress
from rewards.services.vouchers import reward_availability

EXPIRY_WARNING_DAYS = 30  # points expiring within this many days are shown

# Reasons the system writes as codes; shown translated.
REASON_LABELS = {
    "welcome": _("Welcome bonus"),
    "profile": _("Thanks for completing your profile"),
    "birthday": _("Happy birthday!"),
    "voucher handed back": _("Voucher handed back"),
    "undo": _("Undone at the till"),
    "refund": _("Purchase refunded"),
    "opening_balance": _("Points carried over from before"),
    # Actions that are not purchases (rewards.services.actions).
    "profile:birthday": _("Thanks for telling us your birthday"),
    "profile:postcode": _("Thanks for telling us your postcode"),
    "profile:interests": _("Thanks for telling us what you like"),
    "survey": _("Thanks for answering the survey"),
    "poll": _("Thanks for answering the poll"),
    "review": _("Thanks for your review"),
    "anniversary": _("Another year with us: thank you!"),  # rewards.member_parts (the member import)
    # The referral programme's rewards (the referrals app writes these reasons).
    "referral_referrer": _("Thanks for inviting a friend"),
    "referral_friend": _("Welcome gift: a friend invited you"),
    "referral_refunded": _("Invite-a-friend reward taken back"),
    # Challenges (rewards.services.achievements): "challenge:<the challenge's name>".
    "challenge_refunded": _("Challenge reward taken back: a purchase was refunded"),
}
CHALLENGE_PREFIX = "challenge:"


def reason_label(reason: str) -> str:
    if reason.startswith(CHALLENGE_PREFIX):
        return gettext("Challenge completed: %(name)s") % {"name": reason.removeprefix(CHALLENGE_PREFIX)}
    return str(REASON_LABELS.get(reason, reason))


@dataclass(frozen=True)
class Expiring:
    day: date
    points: int


@dataclass(frozen=True)
class CardState:
    card: StampCard
    stamps: int
    needed: int | None = None  # a card begun before its size changed finishes on the old size

    @property
    def size(self) -> int:
        return self.needed or self.card.stamps_needed

    @property
    def slots(self) -> list[bool]:
        return [i < self.stamps for i in range(self.size)]

    @property
    def missing(self) -> int:
        return self.size - self.stamps


@dataclass(frozen=True)
class WalletSummary:
    wallet: Wallet
    program: PointsProgram
    value_ore: int
    progress: TierProgress
    expiring: list[Expiring]
    cards: list[CardState]
    vouchers: list[Voucher]
    membership: Membership | None = None  # the paid membership running now

    @property
    def lifted_tier(self) -> Tier | None:
        """The tier the paid membership lifts the member to, when above their own; else None."""
        own = self.wallet.tier if self.wallet.tier_id else None
        tier = perks.effective_tier(own, self.membership)
        return tier if tier is not None and tier != own else None


def _expiring(wallet: Wallet, *, now: datetime) -> list[Expiring]:
    """Points expiring in the next EXPIRY_WARNING_DAYS, per day in the club's time zone,
    soonest first. Summed here, not in SQL: each database computes a local date differently."""
    soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    lots = wallet.entries.filter(remaining__gt=0, expires_at__gt=now, expires_at__lte=soon)
    per_day: dict[date, int] = defaultdict(int)
    for expires_at, remaining in lots.values_list("expires_at", "remaining"):
        per_day[timezone.localdate(expires_at)] += remaining
    return [Expiring(day, points) for day, points in sorted(per_day.items())]


def stamp_cards(wallet: Wallet, cards: list[StampCard]) -> list[CardState]:
    """Every active card (from the cached config), with the member's stamps on it."""
    rows = MemberStampCard.objects.filter(wallet=wallet).values_list("card_id", "stamps", "needed")
    progress = {card_id: (stamps, needed) for card_id, stamps, needed in rows}
    return [CardState(card, *progress.get(card.pk, (0, None))) for card in cards]


def active_vouchers(wallet: Wallet, *, now: datetime) -> list[Voucher]:
    """Usable vouchers, soonest to expire first, each with its reward. One query."""
    usable = Voucher.objects.filter(wallet=wallet, status=Voucher.Status.ACTIVE, expires_at__gt=now)
    return list(usable.select_related("reward__partner").order_by("expires_at", "id"))


def wallet_summary(member: Member, *, now: datetime | None = None) -> WalletSummary:
    """Everything the wallet page shows, in a fixed number of queries whatever the history's
    length (program, tiers and cards come from the cached config)."""
    now = now or timezone.now()
    settings = config()
    wallet = Wallet.objects.select_related("tier").filter(member=member).first() or wallet_get_or_create(
        member
    )
    wallet.member = member
    return WalletSummary(
        wallet=wallet,
        program=settings.program,
        value_ore=settings.program.value_ore(wallet.balance),
        progress=tier_progress(wallet, now=now, program=settings.program, tiers=settings.tiers),
        expiring=_expiring(wallet, now=now),
        cards=stamp_cards(wallet, settings.cards),
        vouchers=active_vouchers(wallet, now=now),
        membership=perks.membership_current(member, now),
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


def rewards_within_reach(
    wallet: Wallet, *, now: datetime, membership: Membership | None = None
) -> list[Reward]:
    """Active catalogue rewards this wallet may take now and can afford (the counter panel).

    From the cached settings: no query. Stock there may lag a sale in another process by a
    few seconds; giving the reward checks it again under the lock.
    """
    settings = config()
    return [
        reward
        for reward in settings.rewards
        if reward.cost_points is not None
        and reward.cost_points <= wallet.balance
        and reward_availability(reward, wallet, now=now, tiers=settings.tiers, membership=membership)[0]
    ]


def member_flags(member: Member, vouchers: list[Voucher], *, now: datetime) -> list[str]:
    """What staff at the till are glad to know: birthday this week, new member, a gift unused."""
    flags = []
    today = timezone.localdate(now)
    if member.birthday:
        monday = today - timedelta(days=today.weekday())
        week = {(day.month, day.day) for day in (monday + timedelta(days=i) for i in range(7))}
        if (member.birthday.month, member.birthday.day) in week:
            flags.append(_("Birthday this week"))
    if member.joined_at >= now - timedelta(days=14):
        flags.append(_("New member"))
    if any(v.source in (Voucher.Source.GIFT, Voucher.Source.WELCOME) for v in vouchers):
        flags.append(_("Welcome gift not used yet"))
    return flags

"""Read-side of the wallet, shared by the member's wallet page and the counter's member panel.

Every function here runs a fixed number of queries, whatever the length of the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, PointsProgram, Reward, StampCard, StampEntry, Voucher, Wallet
from rewards.services.core import wallet_get_or_create
from rewards.services.tiers import TierProgress, tier_progress, window_start
from rewards.services.vouchers import reward_availability

EXPIRY_WARNING_DAYS = 30  # points expiring within this many days are shown

# Reasons the system writes as codes; shown translated.
REASON_LABELS = {
    "welcome": _("Welcome bonus"),
    "profile": _("Thanks for completing your profile"),
    "birthday": _("Happy birthday!"),
    "voucher handed back": _("Voucher handed back"),
    "opening_balance": _("Points carried over from before"),  # campaigns.imports
    # The referral programme's rewards (the referrals app writes these reasons).
    "referral_referrer": _("Thanks for inviting a friend"),
    "referral_friend": _("Welcome gift: a friend invited you"),
    "referral_refunded": _("Invite-a-friend reward taken back"),
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


# The wallet page's own reads are two plain SQL queries, each a few indexed lookups and
# cheap in the database. Built and compiled by the ORM, the same reads were four queries
# and about a millisecond of Python apiece: most of the page's own time (see
# tests/bench/wallet_page.py). Parameters go through connection.ops, as the ORM sends them.

# The wallet row with the tier window's sum, then one row per (started stamp card, lot
# expiring soon) pair: the LEFT JOINs keep the wallet row when there are neither. Both lists
# are short (the club's few cards; the unspent lots of one month, a year ago), so their
# product stays a handful of rows, and the history's length does not enter.
_WALLET_SQL = """
    SELECT w.id, w.member_id, w.balance, w.tier_id, w.tier_review_at, w.updated_at,
           (SELECT CAST(COALESCE(SUM(q.{column}), 0) AS BIGINT)
              FROM rewards_qualifyingmonth q
             WHERE q.wallet_id = w.id AND q.month >= %s AND q.month <= %s) AS qualifying,
           s.card_id, s.stamps,
           e.id, e.expires_at, e.remaining
      FROM rewards_wallet w
      LEFT JOIN rewards_memberstampcard s ON s.wallet_id = w.id
      LEFT JOIN rewards_ledgerentry e
             ON e.wallet_id = w.id AND e.remaining > 0 AND e.expires_at > %s AND e.expires_at <= %s
     WHERE w.member_id = %s
"""
_WALLET_FIELDS = ["id", "member_id", "balance", "tier_id", "tier_review_at", "updated_at"]

# Whole voucher rows (the model's columns in order) and the reward's name. Read with a plain
# cursor: Voucher.objects.raw() worked out the columns and their conversions anew on every
# call, which cost more than the query (the counter panel reads this after every action).
_VOUCHERS_SQL = """
    SELECT {columns}, r.name
      FROM rewards_voucher v
      JOIN rewards_reward r ON r.id = v.reward_id
     WHERE v.wallet_id = %s AND v.status = %s AND v.expires_at > %s
     ORDER BY v.expires_at, v.id
"""


def _aware(value: datetime) -> datetime:
    """A datetime read by plain SQL: PostgreSQL gives it aware, SQLite naive in the
    connection's time zone (UTC), as Django stores it (the ORM converts; a cursor does not)."""
    return value if timezone.is_aware(value) else timezone.make_aware(value, connection.timezone)


def _wallet_read(
    member: Member, *, now: datetime, program: PointsProgram
) -> tuple[Wallet | None, dict[int, int], list[Expiring]]:
    """The wallet, the stamps on each card started ({card id: stamps}) and the points
    expiring soon, in one query; no wallet (None) when the member has none yet. The wallet
    carries the tier window's sum as `qualifying`, in raw units (see tier_progress)."""
    # The tier window as rewards.services.tiers reads it: this month and the eleven before.
    this_month = timezone.localtime(now).date().replace(day=1)
    column = "spend_ore" if program.tier_basis == PointsProgram.TierBasis.SPEND else "points"
    ops = connection.ops
    params = [
        ops.adapt_datefield_value(window_start(now)),
        ops.adapt_datefield_value(this_month),
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(now + timedelta(days=EXPIRY_WARNING_DAYS)),
        member.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_WALLET_SQL.format(column=column), params)
        rows = cursor.fetchall()
    if not rows:
        return None, {}, []
    first = rows[0]
    wallet = Wallet.from_db(connection.alias, _WALLET_FIELDS, [*first[:5], _aware(first[5])])
    wallet.qualifying = first[6]
    stamps, lots = {}, {}
    for *_wallet, card_id, card_stamps, lot_id, expires_at, remaining in rows:
        if card_id is not None:
            stamps[card_id] = card_stamps
        if lot_id is not None:
            lots[lot_id] = (expires_at, remaining)
    # Points expiring per day in the club's time zone, soonest first. Summed here, not in
    # SQL: each database computes a local date differently.
    per_day: dict[date, int] = defaultdict(int)
    for expires_at, remaining in lots.values():
        per_day[timezone.localdate(_aware(expires_at))] += remaining
    expiring = [Expiring(day, points) for day, points in sorted(per_day.items())]
    return wallet, stamps, expiring


def stamp_cards(stamps: dict, cards: list[StampCard]) -> list[CardState]:
    """Every active card (from the cached config), with the member's stamps on it."""
    return [CardState(card, stamps.get(card.pk, 0)) for card in cards]


def active_vouchers(wallet: Wallet, *, now: datetime) -> list[Voucher]:
    """Usable vouchers, soonest to expire first, each with its reward. One query.

    The reward carries its id and name only, as .only() would leave it: enough for the
    pages, and any other field loads on access."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_vouchers_sql(), [wallet.pk, Voucher.Status.ACTIVE, adapt(now)])
        rows = cursor.fetchall()
    vouchers = []
    for *values, reward_name in rows:
        # Times as the ORM gives them (SQLite's come naive); no other column needs converting.
        values = [_aware(value) if isinstance(value, datetime) else value for value in values]
        voucher = Voucher.from_db(connection.alias, None, values)
        voucher.reward = Reward.from_db(connection.alias, ["id", "name"], [voucher.reward_id, reward_name])
        vouchers.append(voucher)
    return vouchers


@cache
def _vouchers_sql() -> str:
    columns = ", ".join(f'v."{field.column}"' for field in Voucher._meta.concrete_fields)
    return _VOUCHERS_SQL.format(columns=columns)


def wallet_summary(member: Member, *, now: datetime | None = None) -> WalletSummary:
    """Everything the wallet page shows, in two queries whatever the history's length
    (program, tiers and cards come from the cached config)."""
    now = now or timezone.now()
    settings = config()
    wallet, stamps, expiring = _wallet_read(member, now=now, program=settings.program)
    if wallet is None:
        wallet = wallet_get_or_create(member)
        wallet.qualifying = 0
    wallet.member = member
    # The tier from the cached config instead of a join. A tier missing there (saved in
    # another process less than config.TTL ago) is left for the ORM to load.
    tier = next((t for t in settings.tiers if t.pk == wallet.tier_id), None)
    if tier is not None:
        wallet.tier = tier
    return WalletSummary(
        wallet=wallet,
        program=settings.program,
        value_ore=settings.program.value_ore(wallet.balance),
        progress=tier_progress(
            wallet, now=now, program=settings.program, tiers=settings.tiers, total_raw=wallet.qualifying
        ),
        expiring=expiring,
        cards=stamp_cards(stamps, settings.cards),
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


def rewards_within_reach(wallet: Wallet, *, now: datetime) -> list[Reward]:
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
        and reward_availability(reward, wallet, now=now, tiers=settings.tiers)[0]
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
    if any(v.source == Voucher.Source.GIFT for v in vouchers):
        flags.append(_("Welcome gift not used yet"))
    return flags

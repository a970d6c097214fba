"""A plain-Python model of the wallet rules, which the state machine checks the services against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

from rewards.models import LedgerEntry, Voucher
from rewards.services import (
    WalletResult,
)

Kind = LedgerEntry.Kind
Status = Voucher.Status
START = datetime(2030, 1, 31, 9, 30, tzinfo=UTC)  # month ends make calendar months uneven
MEMBERS = 2
# (cost, stock, limit per member, voucher valid days)
REWARDS = [(100, None, None, 30), (250, 2, None, 14), (900, None, 1, 7)]
CREDITS = (Kind.EARN, Kind.BONUS)


@dataclass
class Write:
    """A successful keyed write, kept for the retry rules."""

    member: int
    key: str
    amount_ore: int | None
    call: Callable[[datetime], WalletResult]
    result: WalletResult


class Refused(Exception):
    def __init__(self, code: str):
        self.code = code


@dataclass(eq=False)
class Lot:
    points: int
    remaining: int
    created_at: datetime
    expires_at: datetime | None
    pk: int | None = None


@dataclass(eq=False)
class VoucherModel:
    owner: int
    reward: int
    expires_at: datetime
    status: str = Status.ACTIVE
    pk: int | None = None


@dataclass(eq=False)
class Entry:
    kind: str
    points: int
    taken: dict[Lot, int]  # what this row took from each lot (negative: gave back)
    lot: Lot | None = None  # a credit is itself a lot
    voucher: VoucherModel | None = None
    reversed: bool = False
    pk: int | None = None


@dataclass
class WalletModel:
    balance: int = 0
    lots: list[Lot] = field(default_factory=list)  # in order of earning
    entries: list[Entry] = field(default_factory=list)
    pending: list[Entry] = field(default_factory=list)  # rows the current operation should add
    last_pk: int = 0


@dataclass
class Model:
    """What the wallet rules say should happen; no database, no code shared with the services."""

    wallets: list[WalletModel]
    vouchers: list[VoucherModel] = field(default_factory=list)
    stock: list[int | None] = field(default_factory=lambda: [r[1] for r in REWARDS])
    hundredths_per_krone: int = 100
    expiry_months: int = 12

    def expire(self, w: WalletModel, now: datetime) -> int:
        lapsed = [lot for lot in w.lots if lot.remaining and lot.expires_at and lot.expires_at <= now]
        for lot in sorted(lapsed, key=lambda lot: (lot.expires_at, lot.pk)):
            amount, lot.remaining = lot.remaining, 0
            w.balance -= amount
            w.pending.append(Entry(Kind.EXPIRE, -amount, {lot: amount}))
        return len(lapsed)

    def credit(self, w: WalletModel, kind: str, points: int, now: datetime) -> None:
        expires = now + relativedelta(months=self.expiry_months) if self.expiry_months else None
        lot = Lot(points, points, now, expires)
        w.lots.append(lot)
        w.balance += points
        w.pending.append(Entry(kind, points, {}, lot=lot))

    def debit(self, w: WalletModel, kind: str, points: int, first: Lot | None = None) -> Entry:
        if w.balance < points:
            raise Refused("insufficient_points")
        order = [lot for lot in w.lots if lot.remaining]  # oldest first; lapsed ones are at 0 now
        if first is not None:
            order.sort(key=lambda lot: lot is not first)
        taken, left = {}, points
        for lot in order:
            take = min(lot.remaining, left)
            lot.remaining -= take
            taken[lot] = take
            left -= take
            if not left:
                break
        assert left == 0, "model: the lots do not cover the balance"
        w.balance -= points
        entry = Entry(kind, -points, taken)
        w.pending.append(entry)
        return entry

    # --- operations, as the product rules describe them

    # Lapsed lots are expired before anything is taken from the wallet (and by the nightly
    # job); a credit does not wait for them.

    def purchase(self, m: int, amount_ore: int, now: datetime) -> None:
        points = amount_ore * self.hundredths_per_krone // 10_000  # whole points, rounded down
        if points:
            self.credit(self.wallets[m], Kind.EARN, points, now)

    def award(self, m: int, points: int, now: datetime) -> None:
        self.credit(self.wallets[m], Kind.BONUS, points, now)

    def deduct(self, m: int, points: int, now: datetime) -> None:
        self.expire(self.wallets[m], now)
        self.debit(self.wallets[m], Kind.ADJUST, points)

    def redeem(self, m: int, r: int, now: datetime) -> VoucherModel:
        cost, _stock, limit, valid_days = REWARDS[r]
        if self.stock[r] is not None and self.stock[r] <= 0:
            raise Refused("out_of_stock")
        mine = [v for v in self.vouchers if (v.owner, v.reward) == (m, r) and v.status != Status.CANCELLED]
        if limit is not None and len(mine) >= limit:
            raise Refused("limit_reached")
        self.expire(self.wallets[m], now)
        entry = self.debit(self.wallets[m], Kind.REDEEM, cost)
        if self.stock[r] is not None:
            self.stock[r] -= 1
        entry.voucher = VoucherModel(m, r, now + timedelta(days=valid_days))
        self.vouchers.append(entry.voucher)
        return entry.voucher

    def reverse(self, m: int, entry: Entry, now: datetime) -> None:
        w = self.wallets[m]
        if entry.kind in (Kind.EXPIRE, Kind.REVERSAL):
            raise Refused("cannot_reverse")
        if entry.reversed:
            raise Refused("already_reversed")
        self.expire(w, now)
        if entry.points > 0:  # a credit is taken back from its own lot first
            self.debit(w, Kind.REVERSAL, entry.points, first=entry.lot)
        else:  # a debit gives every lot back what it took
            voucher = entry.voucher
            if voucher is not None:
                if voucher.status != Status.ACTIVE:
                    raise Refused("voucher_used" if voucher.status == Status.USED else "already_reversed")
                voucher.status = Status.CANCELLED
                if self.stock[voucher.reward] is not None:
                    self.stock[voucher.reward] += 1
            for lot, points in entry.taken.items():
                lot.remaining += points
            w.balance -= entry.points
            w.pending.append(Entry(Kind.REVERSAL, -entry.points, {lot: -p for lot, p in entry.taken.items()}))
        entry.reversed = True

    def cancel(self, m: int, voucher: VoucherModel, now: datetime) -> None:
        if voucher.status == Status.USED:
            raise Refused("voucher_used")
        if voucher.status == Status.ACTIVE and voucher.expires_at <= now:
            raise Refused("voucher_expired")  # expired is breakage, not a refund
        entry = next(e for e in self.wallets[m].entries if e.voucher is voucher)
        self.reverse(m, entry, now)

    def use(self, voucher: VoucherModel, now: datetime) -> None:
        if voucher.status == Status.USED:
            raise Refused("voucher_used")
        if voucher.status == Status.CANCELLED:
            raise Refused("voucher_cancelled")
        if voucher.expires_at <= now:
            raise Refused("voucher_expired")
        voucher.status = Status.USED

    def expiry_job(self, now: datetime) -> int:
        return sum(self.expire(w, now) for w in self.wallets)

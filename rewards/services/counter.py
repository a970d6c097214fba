"""The counter: what staff do for a member at the till.

Every action carries a nonce made when the page showed the member; it becomes the wallet
operation's idempotency key, so a double tap or a retried request acts once and shows the
first result again. Each success is a CounterAction (who, where, what); each refusal a
ScanRefusal (rewards.services.guessing). The wallet rules themselves stay in the other
services modules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clubsite.money import kr
from members.models import Location, Member, User
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import (
    CounterAction,
    LedgerEntry,
    Operation,
    Refund,
    Reward,
    StampCard,
    StampEntry,
    Voucher,
    VoucherUse,
)
from rewards.selectors import last_action
from rewards.services import core, refunds
from rewards.services.member_search import normalized
from rewards.services.points import entry_reverse, points_award, points_deduct, purchase_register
from rewards.services.stamps import stamp_entry_reverse, stamps_add
from rewards.services.vouchers import reward_redeem, voucher_use


@dataclass
class Outcome:
    """What the till shows after an action: the action row and the wallet's result."""

    action: CounterAction | None
    result: core.WalletResult | None
    replayed: bool = False


# --- Actions


def new_nonce() -> str:
    return uuid.uuid4().hex


def _key(nonce) -> str:
    try:
        return f"counter:{uuid.UUID(str(nonce)).hex}"
    except (ValueError, TypeError, AttributeError):
        raise RewardsError("duplicate_request") from None


def _known(key: str, kind: str) -> CounterAction | None:
    """The action this nonce already made (call with the wallet locked). The same nonce for
    another kind of action is refused, as the wallet refuses a key with other details."""
    action = CounterAction.objects.filter(nonce_key=key).first()
    if action is not None and action.kind != kind:
        raise RewardsError("duplicate_request")
    return action


def _record(kind, *, key, member, staff, location, operation_id, summary, now, voucher=None, undoes=None):
    return CounterAction.objects.create(
        member=member,
        location=location,
        staff=staff,
        kind=kind,
        nonce_key=key,
        operation_id=operation_id,
        voucher=voucher,
        summary=summary[:200],
        undoes=undoes,
        created_at=now,
    )


def counter_act(kind, *, nonce, member, staff, location, at, call, summary, voucher_of=None) -> Outcome:
    """Run `call(key, now)`, a wallet service under the nonce's key, and record the action
    in the same transaction the first time.

    A repeated nonce gets the first action back: the wallet service replays the first
    result, or refuses `duplicate_request` when the details (or the kind of action) differ.
    A concurrent repeat waits for the first transaction at the key and then replays.
    """
    key, now = _key(nonce), core.now_or(at)
    with transaction.atomic():
        result = call(key, now)
        if result.replayed:
            return Outcome(CounterAction.objects.get(nonce_key=key), result, replayed=True)
        action = _record(
            kind,
            key=key,
            member=member,
            staff=staff,
            location=location,
            operation_id=result.operation_id,
            summary=summary(result),
            now=now,
            voucher=voucher_of(result) if voucher_of else None,
        )
        return Outcome(action, result)


def _stamps_today(member: Member, now: datetime) -> int:
    """Stamps given the member on `now`'s day in the club's time zone: the whole day, also
    those a till stamped a moment after `now` while this one waited for the lock."""
    total = StampEntry.objects.filter(
        progress__wallet__member=member, created_at__date=timezone.localdate(now)
    ).aggregate(n=Sum("stamps"))["n"]
    return total or 0


def counter_stamps(
    *, member: Member, card: StampCard, stamps: int, nonce, staff: User, location: Location, at=None
) -> Outcome:
    """Add stamps at the till, within the card's per-visit and the program's per-day limits."""

    def call(key, now):
        limit = config().program.max_stamps_per_day
        if limit:
            # Today's count must not move under us: lock first. A repeated nonce (its
            # operation already there) replays in stamps_add and is not counted again.
            core.lock(member)
            repeat = Operation.objects.filter(key=key).exists()
            if not repeat and isinstance(stamps, int) and _stamps_today(member, now) + stamps > limit:
                raise RewardsError("stamp_limit_per_day")
        return stamps_add(
            member=member,
            card=card,
            stamps=stamps,
            idempotency_key=key,
            location=location,
            staff=staff,
            at=now,
        )

    return counter_act(
        CounterAction.Kind.STAMPS,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=lambda result: f"+{stamps} {card.name}",
    )


class AmountToConfirm(RewardsError):
    """A purchase above the owner's "ask to confirm" amount, not confirmed yet: nothing was
    done, and the till asks "Are you sure?" with the amount."""

    def __init__(self, amount_ore: int):
        super().__init__("amount_to_confirm")
        self.amount_ore = amount_ore


def counter_purchase(
    *, member: Member, amount_ore: int, nonce, staff: User, location: Location, at=None, confirmed=False
) -> Outcome:
    """Register a purchase at the till. Above the program's confirmation amount staff must
    confirm it first (AmountToConfirm); above its limit the wallet refuses it."""
    ask_above = config().program.purchase_confirm_above_kr
    if ask_above and isinstance(amount_ore, int) and amount_ore > ask_above * 100 and not confirmed:
        raise AmountToConfirm(amount_ore)

    def call(key, now):
        return purchase_register(
            member=member, amount_ore=amount_ore, idempotency_key=key, location=location, staff=staff, at=now
        )

    def summary(result):
        points = result.entry.points if result.entry else 0
        return f"{kr(amount_ore)} → +{points}"

    return counter_act(
        CounterAction.Kind.PURCHASE,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=summary,
    )


def _voucher_of_member(code: str, member: Member) -> Voucher:
    voucher = Voucher.objects.select_related("wallet", "reward").filter(code=normalized(code)[:32]).first()
    if voucher is None:
        raise RewardsError("voucher_not_found")
    if voucher.wallet.member_id != member.pk:
        raise RewardsError("voucher_other_member")
    return voucher


def counter_voucher(*, member: Member, code: str, nonce, staff: User, location: Location, at=None) -> Outcome:
    """Use one of the member's vouchers (scanned or tapped in the panel)."""

    def call(key, now):
        voucher = _voucher_of_member(code, member)
        return voucher_use(code=voucher.code, idempotency_key=key, location=location, staff=staff, at=now)

    return counter_act(
        CounterAction.Kind.VOUCHER,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=lambda result: result.voucher.reward.name,
        voucher_of=lambda result: result.voucher,
    )


def counter_reward(
    *, member: Member, reward: Reward, nonce, staff: User, location: Location, at=None
) -> Outcome:
    """Redeem a catalogue reward for points and hand it over at once (the voucher is used)."""

    def call(key, now):
        redeemed = reward_redeem(
            member=member, reward=reward, idempotency_key=key, location=location, staff=staff, at=now
        )
        voucher_use(
            code=redeemed.voucher.code, idempotency_key=f"{key}:use", location=location, staff=staff, at=now
        )
        return redeemed

    return counter_act(
        CounterAction.Kind.REWARD,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=lambda result: f"{reward.name} −{reward.cost_points}",
        voucher_of=lambda result: result.voucher,
    )


def counter_adjust(
    *, member: Member, points: int, reason: str, nonce, staff: User, location: Location, at=None
) -> Outcome:
    """Customer service grants (points > 0) or deducts (points < 0) points, with a reason."""
    if not staff.is_customer_service:
        raise RewardsError("not_allowed")
    if isinstance(points, bool) or not isinstance(points, int):
        raise RewardsError("invalid_points")
    core.check_points(abs(points))
    grant, amount = points > 0, abs(points)

    def call(key, now):
        if grant:
            return points_award(
                member=member,
                points=amount,
                reason=reason,
                idempotency_key=key,
                kind=LedgerEntry.Kind.ADJUST,
                staff=staff,
                location=location,
                at=now,
            )
        return points_deduct(
            member=member,
            points=amount,
            reason=reason,
            idempotency_key=key,
            staff=staff,
            location=location,
            at=now,
        )

    return counter_act(
        CounterAction.Kind.GRANT if grant else CounterAction.Kind.DEDUCT,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=lambda result: f"{points:+d}: {reason}",
    )


def counter_refund(
    *, member: Member, purchase_id, amount_ore: int | None, nonce, staff: User, location: Location, at=None
) -> Outcome:
    """Refund one of the member's purchases, whole (`amount_ore` None: all that is left) or
    in part, by the wallet's refund rule (rewards.services.refunds)."""
    purchase = Operation.objects.filter(pk=purchase_id, kind="purchase", wallet__member=member).first()
    if purchase is None:
        raise RewardsError("not_a_purchase")

    def call(key, now):
        amount = amount_ore
        if amount is None:
            amount = (refunds.purchase_paid(purchase) or 0) - refunds.refunded_so_far(purchase)["amount"]
        return refunds.purchase_refund(
            purchase=purchase, amount_ore=amount, idempotency_key=key, staff=staff, location=location, at=now
        )

    def summary(result):
        refund = Refund.objects.get(operation_id=result.operation_id)
        text = f"{kr(refund.amount_ore)} → −{refund.points}"
        if refund.points_short:
            text += " " + _("(%(points)s points were spent already)") % {"points": refund.points_short}
        if refund.stamps_kept:
            text += " " + _("(a stamp's voucher was used: the stamp stays)")
        return text

    return counter_act(
        CounterAction.Kind.REFUND,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=summary,
    )


# --- Undo


def counter_undo(*, member: Member, nonce, staff: User, location: Location, at=None) -> Outcome:
    """Undo the member's last action at this shop, within the program's undo window, by
    reversal entries (nothing is edited). All parts are undone or none."""
    key, now = _key(nonce), core.now_or(at)
    with transaction.atomic():
        core.lock(member)
        known = _known(key, CounterAction.Kind.UNDO)
        if known is not None:
            return Outcome(known, None, replayed=True)
        target = last_action(member, location)
        if target is None:
            raise RewardsError("nothing_to_undo")
        if not undo_window_open(target, now=now):
            raise RewardsError("undo_window_passed")
        result = _reverse(target, key=key, staff=staff, now=now)
        action = _record(
            CounterAction.Kind.UNDO,
            key=key,
            member=member,
            staff=staff,
            location=location,
            operation_id=None,  # one operation per part undone, keyed "<nonce key>:<part>"
            summary=f"{target.kind_label}: {target.summary}",
            now=now,
            undoes=target,
        )
        return Outcome(action, result)


def undo_window_open(action: CounterAction, *, now: datetime) -> bool:
    minutes = config().program.undo_minutes
    return bool(minutes) and action.created_at >= now - timedelta(minutes=minutes)


def _reverse(target: CounterAction, *, key: str, staff: User, now: datetime) -> core.WalletResult:
    result = core.WalletResult(balance=0)
    if target.voucher_id is not None:
        _voucher_unuse(target.voucher, now=now)
    for stamp_entry in StampEntry.objects.filter(operation_id=target.operation_id, stamps__gt=0):
        part = stamp_entry_reverse(
            entry=stamp_entry, idempotency_key=f"{key}:s{stamp_entry.pk}", staff=staff, at=now
        )
        result.stamp_entries += part.stamp_entries
        result.vouchers += part.vouchers
    for entry in LedgerEntry.objects.filter(operation_id=target.operation_id).exclude(
        kind=LedgerEntry.Kind.EXPIRE
    ):
        part = entry_reverse(
            entry=entry, reason="undo", idempotency_key=f"{key}:e{entry.pk}", staff=staff, at=now
        )
        result.entries += part.entries
    result.balance = core.lock(target.member).balance
    return result


def _voucher_unuse(voucher: Voucher, *, now: datetime) -> None:
    """A used voucher back to ready (the undo of handing it over), by compare-and-set. The
    use is taken back by a use of its own, today and where it was used: the day of the use
    keeps it (the dashboard's rollups never change an old day)."""
    location_id = Voucher.objects.filter(pk=voucher.pk).values_list("used_location", flat=True).get()
    changed = Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.USED).update(
        status=Voucher.Status.ACTIVE, used_at=None, used_location=None, used_by=None
    )
    if not changed:
        raise RewardsError("cannot_reverse")
    VoucherUse.objects.create(voucher=voucher, uses=-1, location_id=location_id, created_at=now)

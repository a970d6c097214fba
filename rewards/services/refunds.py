"""Refunds: a purchase given back, in whole or in part, at any time after it was made.

What the purchase earned goes back in proportion to the amount refunded, counted over all
its refunds together so that rounding never takes back more than it earned, and the whole
of it exactly when the whole purchase is refunded:

- points: earned * refunded so far / amount paid (rounded down), less what earlier refunds
  took. Points the member has spent already cannot be taken back (a balance never goes
  below zero); they are recorded on the refund as `points_short` for the owner to see.
- tier progress: the refund entry counts (negatively) towards the tier as the purchase
  did, and the tier is judged again as for any reversal (tiers.tier_after_reversal).
- stamps: a purchase gives one stamp per card whatever its amount, so its stamps (and a
  voucher a stamp completed, if unused) go back when the whole purchase is refunded.
- a referral the purchase qualified: the referrals app hears of it (purchase_reversed,
  with what is left of the purchase) and applies its own rule.

The same function serves the till and, later, a POS integration.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Sum

from members.models import Location, Member, User
from rewards import signals
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import LedgerEntry, Operation, Refund, StampEntry
from rewards.services import core, lots
from rewards.services.stamps import stamp_entry_reverse
from rewards.services.tiers import tier_after_reversal


def purchase_paid(purchase: Operation) -> int | None:
    """The amount of a purchase in øre (None for an operation that is no purchase)."""
    if purchase.kind != "purchase":
        return None
    amount = (purchase.result or {}).get("amount_ore")
    if amount is None:  # a purchase stored before refunds existed: its entry has the amount
        amount = (
            LedgerEntry.objects.filter(operation=purchase, kind=LedgerEntry.Kind.EARN)
            .values_list("amount_ore", flat=True)
            .first()
        )
    return amount


def refunded_so_far(purchase: Operation) -> dict:
    return purchase.refunds.aggregate(
        amount=Sum("amount_ore", default=0),
        points=Sum("points", default=0),
        short=Sum("points_short", default=0),
    )


@transaction.atomic
def purchase_refund(
    *,
    purchase: Operation,
    amount_ore: int,
    idempotency_key: str,
    staff: User | None = None,
    location: Location | None = None,
    at: datetime | None = None,
) -> core.WalletResult:
    """Refund `amount_ore` of `purchase` (whole or part). Refused: an amount of nothing or
    more than is left to refund ("refund_too_large"), a purchase undone already."""
    if isinstance(amount_ore, bool) or not isinstance(amount_ore, int) or amount_ore <= 0:
        raise RewardsError("invalid_amount")
    now = core.now_or(at)
    member = Member.objects.get(wallet__pk=purchase.wallet_id)
    params = {"purchase": purchase.pk, "amount_ore": amount_ore}
    with core.wallet_write(member, key=idempotency_key, kind="refund", params=params, now=now) as write:
        if write.replayed:
            return write.result
        paid = purchase_paid(purchase)
        if paid is None:
            raise RewardsError("not_a_purchase")
        earned = LedgerEntry.objects.filter(operation=purchase, kind=LedgerEntry.Kind.EARN).first()
        if earned is not None and LedgerEntry.objects.filter(reverses=earned).exists():
            raise RewardsError("already_reversed")
        before = refunded_so_far(purchase)
        refunded = before["amount"] + amount_ore
        if refunded > paid:
            raise RewardsError("refund_too_large")
        refund = Refund(
            purchase=purchase, operation=write.op, amount_ore=amount_ore, staff=staff, location=location
        )
        refund.created_at = now
        if earned is not None:
            _points_back(
                write, refund, earned, due_total=earned.points * refunded // paid, before=before, now=now
            )
        if refunded == paid:
            _stamps_back(write, refund, purchase, key=idempotency_key, staff=staff, now=now)
        refund.save()
    if earned is not None:
        member_id, entry_id, left = member.pk, getattr(refund.entry, "pk", None), paid - refunded
        transaction.on_commit(
            lambda: signals.purchase_reversed.send(
                sender=LedgerEntry,
                member_id=member_id,
                entry_id=entry_id,
                reverses_id=earned.pk,
                remaining_ore=left,
            )
        )
    return write.result


def _points_back(write, refund: Refund, earned: LedgerEntry, *, due_total: int, before: dict, now) -> None:
    """Take back what is due of the purchase's points, from its own lot first."""
    due = due_total - before["points"] - before["short"]
    available = sum(left for _lot, left in lots.live_lots(write.wallet, now))  # lapsed lots expire first
    refund.points, refund.points_short = min(due, available), max(due - available, 0)
    if refund.points:
        refund.entry = core.post_debit(
            write,
            points=refund.points,
            kind=LedgerEntry.Kind.REFUND,
            now=now,
            first_lot=earned,
            qualifying=True,
            amount_ore=-refund.amount_ore,
            reason="refund",
            staff=refund.staff,
            location=refund.location,
        )
        rules = config()
        tier_after_reversal(write.wallet, earned, now=now, program=rules.program, tiers=rules.tiers)


def _stamps_back(write, refund: Refund, purchase: Operation, *, key: str, staff, now) -> None:
    """The whole purchase is refunded: its stamps go back. One that cannot (its voucher was
    used, or the card has moved on) stays, counted on the refund; the refund still stands."""
    for entry in StampEntry.objects.filter(operation=purchase, stamps__gt=0, reversal__isnull=True):
        try:
            with transaction.atomic():  # a savepoint: a refused stamp leaves the rest whole
                part = stamp_entry_reverse(
                    entry=entry, idempotency_key=f"{key}:s{entry.pk}", staff=staff, at=now
                )
        except RewardsError:
            refund.stamps_kept += entry.stamps
            continue
        refund.stamps += entry.stamps
        write.result.stamp_entries += part.stamp_entries

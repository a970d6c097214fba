"""Qualifying, paying, refunds and the owner's review of referrals.

Every function locks the referral row first and then the wallets (through the wallet's
services), in that order, so that concurrent calls queue up instead of deadlocking. A
referral moves by one status at a time and each side is paid at most once: the payout's
unique (referral, side) constraint and the wallet's idempotency key both refuse a second.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import User
from referrals import signals
from referrals.errors import ReferralsError
from referrals.models import Reason, Referral, ReferralPayout, ReferralProgram
from referrals.services.fraud import reasons_add
from rewards.errors import RewardsError
from rewards.models import LedgerEntry, Visit
from rewards.services import entry_reverse, points_award, voucher_gift, voucher_withdraw
from rewards.services.achievements import achievements_evaluate_soon

PAYABLE_REVIEWS = (Referral.Review.NONE, Referral.Review.APPROVED)


def _locked(**lookup) -> Referral | None:
    return Referral.objects.select_for_update().filter(**lookup).first()


def _close(referral: Referral, status: str, reason: str, now: datetime) -> None:
    referral.status = status
    referral.reasons = reasons_add(referral.reasons, reason)
    referral.closed_at = now
    referral.save(update_fields=["status", "reasons", "closed_at"])


def _due(referral: Referral, now: datetime) -> bool:
    return (
        referral.status == Referral.Status.QUALIFIED
        and referral.review in PAYABLE_REVIEWS
        and referral.payable_at <= now
    )


def counts_for(
    referral: Referral, program: ReferralProgram, *, now: datetime, amount_ore: int | None, visit: bool
) -> bool:
    """A purchase of `amount_ore` (or a visit) at `now` counts for the friend's referral: it
    comes after the invitation (bought before it was recorded: not "brought in") and is of
    at least the minimum amount, or a visit when the owner says visits count."""
    if now < referral.created_at:
        return False
    if visit:
        return program.qualifies_on_visit
    return (amount_ore or 0) >= program.min_purchase_ore


def within_window(referral: Referral, program: ReferralProgram, now: datetime) -> bool:
    return now <= referral.friend.joined_at + timedelta(days=program.qualify_within_days)


@transaction.atomic
def referral_qualify(
    *,
    friend_id: int,
    amount_ore: int | None = None,
    entry_id: int | None = None,
    visit_id: int | None = None,
    at: datetime | None = None,
) -> Referral | None:
    """The friend bought (`amount_ore`, the ledger `entry_id`) or visited (`visit_id`) at
    `at` (default: when the purchase or visit happened): qualify their pending referral if
    this counts.

    It counts when it comes after the invitation, within the programme's days after joining,
    and is a purchase of at least the minimum amount (or a visit, if the owner says visits
    count). A purchase too late closes the referral. Paid at once when there is no hold and
    no review pending; otherwise referrals_pay_due pays it later.
    Safe to call again for the same purchase, also concurrently: only a pending referral moves.
    """
    referral = _locked(friend_id=friend_id)
    if referral is None or referral.status != Referral.Status.PENDING:
        return referral
    now = at or _happened_at(entry_id=entry_id, visit_id=visit_id)
    program = ReferralProgram.load()
    if not counts_for(referral, program, now=now, amount_ore=amount_ore, visit=visit_id is not None):
        return referral
    if entry_id is not None and LedgerEntry.objects.filter(reverses_id=entry_id).exists():
        return referral  # refunded before we heard of it (a queue's delay): it brought nobody
    if not within_window(referral, program, now):
        _close(referral, Referral.Status.CANCELLED, Reason.WINDOW_PASSED, now)
        return referral
    referral.status = Referral.Status.QUALIFIED
    referral.qualified_at = now
    referral.payable_at = now + timedelta(days=program.hold_days)
    referral.qualifying_entry_id = entry_id
    referral.qualifying_visit_id = visit_id
    referral.qualifying_amount_ore = amount_ore if visit_id is None else None
    referral.save(
        update_fields=[
            "status",
            "qualified_at",
            "payable_at",
            "qualifying_entry",
            "qualifying_visit",
            "qualifying_amount_ore",
        ]
    )
    # A purchase registered late (a backdated import, a queued task) may be past its hold
    # already: paid as of the day it fell due.
    if _due(referral, max(now, timezone.now())):
        _pay_locked(referral, program, now=referral.payable_at)
    return referral


def _happened_at(*, entry_id: int | None, visit_id: int | None) -> datetime:
    # The signal arrives after commit, maybe much later from a queue: judge the purchase by
    # its own time, not by when we heard of it.
    found = None
    if entry_id is not None:
        found = LedgerEntry.objects.filter(pk=entry_id).values_list("created_at", flat=True).first()
    elif visit_id is not None:
        found = Visit.objects.filter(pk=visit_id).values_list("started_at", flat=True).first()
    return found or timezone.now()


@transaction.atomic
def referral_pay(*, referral_id: int, at: datetime | None = None) -> Referral | None:
    """Pay both sides of a qualified referral whose hold is over and that needs no review.
    Anything else (not due, waiting for review, already paid) is left as it is."""
    now = at or timezone.now()
    referral = _locked(pk=referral_id)
    if referral is not None and _due(referral, now):
        _pay_locked(referral, ReferralProgram.load(), now=now)
    return referral


def _pay_locked(referral: Referral, program: ReferralProgram, *, now: datetime) -> None:
    for side in ReferralPayout.Side.values:
        _pay_side(referral, side, program, now=now)
    referral.status = Referral.Status.PAID
    referral.paid_at = now
    referral.save(update_fields=["status", "paid_at"])
    _tell_achievements(referral.referrer_id)
    ids = {"referral_id": referral.pk, "referrer_id": referral.referrer_id, "friend_id": referral.friend_id}
    transaction.on_commit(lambda: signals.referral_rewarded.send(sender=Referral, **ids))


def _tell_achievements(member_id: int) -> None:
    """A friend referred (or one taken back) counts towards challenges and badges: evaluated
    after commit, here rather than by another task (payment already runs in the hourly task
    or the owner's review, off the till's path; and Celery's eager mode breaks on a task
    queued from inside a task)."""
    transaction.on_commit(lambda: achievements_evaluate_soon(member_id))


def _pay_side(referral: Referral, side: str, program: ReferralProgram, *, now: datetime) -> None:
    member = referral.referrer if side == ReferralPayout.Side.REFERRER else referral.friend
    kind, points, reward = program.gift(side)
    if member.is_erased or (kind == ReferralProgram.RewardKind.POINTS and not points):
        return  # nobody to give it to, or the owner gives this side nothing
    key = f"referral:{referral.pk}:{side}"
    payout = ReferralPayout(referral=referral, side=side, member=member, created_at=now)
    if kind == ReferralProgram.RewardKind.POINTS:
        result = points_award(
            member=member, points=points, reason=f"referral_{side}", idempotency_key=key, at=now
        )
        payout.entry, payout.value_points = result.entry, points
    else:
        payout.voucher = voucher_gift(member=member, reward=reward, idempotency_key=key, at=now)
        payout.value_points = reward.cost_points or 0
    payout.save()  # a second payment of this side would break one_payout_per_referral_side


def referrals_pay_due(*, now: datetime | None = None) -> int:
    """The scheduled job: pay what is due, close what did not qualify in time. Returns how
    many were paid. Each referral in its own short transaction; a second run finds nothing."""
    now = now or timezone.now()
    due = Referral.objects.filter(
        status=Referral.Status.QUALIFIED, payable_at__lte=now, review__in=PAYABLE_REVIEWS
    ).values_list("pk", flat=True)
    paid = 0
    for referral_id in list(due):
        referral = referral_pay(referral_id=referral_id, at=now)
        paid += referral is not None and referral.status == Referral.Status.PAID
    window = timedelta(days=ReferralProgram.load().qualify_within_days)
    stale = Referral.objects.filter(status=Referral.Status.PENDING, friend__joined_at__lt=now - window)
    for referral_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            referral = _locked(pk=referral_id)
            if referral.status == Referral.Status.PENDING:
                _close(referral, Referral.Status.CANCELLED, Reason.WINDOW_PASSED, now)
    return paid


@transaction.atomic
def referral_refund(
    *, friend_id: int, reverses_id: int, remaining_ore: int = 0, at: datetime | None = None
) -> Referral | None:
    """The friend's purchase `reverses_id` was undone or refunded. If it was the one that
    qualified their referral, and what is left of it (`remaining_ore`, after a part refund)
    no longer reaches the programme's minimum purchase: during the hold the referral is
    cancelled; after payment both rewards are taken back by ledger reversals (a voucher by
    cancelling it). A reward already spent or used cannot be taken back; the referral then
    says so for the owner.

    A referral reward is one fixed reward for bringing a customer, not a share of the
    purchase: a part refund that leaves a qualifying purchase keeps it whole, one that
    does not takes it back whole."""
    now = at or timezone.now()
    referral = _locked(friend_id=friend_id)
    if referral is None or referral.qualifying_entry_id != reverses_id:
        return referral
    if remaining_ore > 0 and remaining_ore >= ReferralProgram.load().min_purchase_ore:
        return referral  # what the friend kept still qualifies
    if referral.status == Referral.Status.QUALIFIED:
        _close(referral, Referral.Status.CANCELLED, Reason.REFUNDED, now)
    elif referral.status == Referral.Status.PAID:
        # Every payout is tried (a list, not all()'s short cut): one spent reward must not
        # keep the other side's from being taken back.
        complete = all([_take_back(payout, now=now) for payout in referral.payouts.filter(reversed_at=None)])
        _close(referral, Referral.Status.REVERSED, Reason.REFUNDED, now)
        _tell_achievements(referral.referrer_id)
        if not complete:
            referral.reasons = reasons_add(referral.reasons, Reason.NOT_REVERSIBLE)
            referral.save(update_fields=["reasons"])
    return referral


def _take_back(payout: ReferralPayout, *, now: datetime) -> bool:
    key = f"referral:{payout.referral_id}:{payout.side}:reverse"
    try:
        if payout.entry_id is not None:
            result = entry_reverse(
                entry=payout.entry, reason="referral_refunded", idempotency_key=key, at=now
            )
            payout.reversal_entry = result.entry
        else:
            voucher_withdraw(voucher=payout.voucher, idempotency_key=key, at=now)
    except RewardsError as error:  # spent or used: keep the reason, the owner decides
        payout.reverse_error = error.code
        payout.save(update_fields=["reverse_error"])
        return False
    payout.reversed_at = now
    payout.save(update_fields=["reversal_entry", "reversed_at"])
    return True


@transaction.atomic
def referral_approve(*, referral: Referral, by: User, at: datetime | None = None) -> Referral:
    """The owner approves a flagged referral: it is paid like any other (now, if it is due)."""
    now = at or timezone.now()
    referral = _locked(pk=referral.pk)
    if referral.review != Referral.Review.WAITING:
        raise ReferralsError("not_waiting_for_review")
    referral.review = Referral.Review.APPROVED
    referral.reviewed_by, referral.reviewed_at = by, now
    referral.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    if _due(referral, now):
        _pay_locked(referral, ReferralProgram.load(), now=now)
    return referral


@transaction.atomic
def referral_reject(*, referral: Referral, by: User, at: datetime | None = None) -> Referral:
    """The owner rejects a referral not paid yet: it is refused and never pays."""
    now = at or timezone.now()
    referral = _locked(pk=referral.pk)
    if referral.status not in (Referral.Status.PENDING, Referral.Status.QUALIFIED):
        raise ReferralsError("already_settled")
    referral.review = Referral.Review.REJECTED
    referral.reviewed_by, referral.reviewed_at = by, now
    referral.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    _close(referral, Referral.Status.REFUSED, Reason.REJECTED, now)
    return referral

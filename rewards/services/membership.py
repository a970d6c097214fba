"""Paid membership: a trial once per member, a period paid (at the till, or marked paid by the
owner: rewards.services.membership_payments), cancelling, and the monthly voucher.

Perks are read when they are used (rewards.services.perks), so a
membership that ends stops giving them at that instant. Each payment is a wallet operation
under its idempotency key, so a repeated sale at the till pays once, as any counter action.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction

from clubsite.batches import in_batches
from clubsite.money import kr
from members.models import Member
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import CounterAction, LedgerEntry, Membership, MembershipPayment, Plan, Voucher
from rewards.services import core
from rewards.services.counter import Outcome, counter_act
from rewards.services.membership_payments import Payment, paid_at_till
from rewards.services.perks import membership_current, value_meter
from rewards.services.vouchers import voucher_gift


def period_after(start: datetime, plan: Plan) -> datetime:
    return start + (relativedelta(years=1) if plan.period == Plan.Period.YEAR else relativedelta(months=1))


@transaction.atomic
def trial_start(*, member: Member, plan: Plan, at: datetime | None = None) -> Membership:
    """Start the plan's free trial: once per member, never for one who has been a member."""
    now = core.now_or(at)
    if not plan.is_active or not plan.trial_days:
        raise RewardsError("no_trial")
    core.lock(member)  # one membership change at a time per member
    if Membership.objects.filter(member=member).exists():
        raise RewardsError("trial_used")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                member=member,
                plan=plan,
                starts_at=now,
                ends_at=now + relativedelta(days=plan.trial_days),
                trial_started_at=now,
            )
    except IntegrityError as error:
        raise RewardsError("trial_used") from error
    transaction.on_commit(lambda: membership_drop(membership=membership, at=now))
    return membership


@transaction.atomic
def membership_pay(
    *, member: Member, plan: Plan, payment: Payment, at: datetime | None = None
) -> core.WalletResult:
    """Pay a period of `plan`: from now (new, lapsed, or converting a trial) or from the end
    of the period running (a renewal). At a renewal the owner may have the shortfall of the
    period ending (what it gave against what was promised) topped up as points."""
    now = core.now_or(at)
    if not plan.is_active:
        raise RewardsError("plan_not_on_sale")
    params = {"plan": plan.pk, "amount_ore": payment.amount_ore, "kind": payment.kind}
    with core.wallet_write(member, key=payment.key, kind="membership", params=params, now=now) as write:
        if write.replayed:
            return write.result
        current = membership_current(member, now)
        if current is not None and current.plan_id != plan.pk:
            raise RewardsError("other_plan")
        membership, _new = Membership.objects.get_or_create(
            member=member, plan=plan, defaults={"starts_at": now, "ends_at": now}
        )
        renewing = membership.paid_from is not None and membership.is_current(now)
        start = membership.ends_at if renewing else now
        if renewing and plan.top_up_shortfall:
            _top_up(write, membership, now)
        membership.ends_at = period_after(start, plan)
        membership.paid_from = membership.paid_from or now
        membership.cancelled_at = None
        membership.save(update_fields=["ends_at", "paid_from", "cancelled_at"])
        MembershipPayment.objects.create(
            membership=membership,
            kind=payment.kind,
            amount_ore=payment.amount_ore,
            period_start=start,
            period_end=membership.ends_at,
            staff=payment.staff,
            location=payment.location,
            operation=write.op,
            paid_at=now,
        )
    transaction.on_commit(lambda: membership_drop(membership=membership, at=now))
    return write.result


def _top_up(write: core.Write, membership: Membership, now: datetime) -> None:
    meter = value_meter(membership, now)
    short_ore = meter.promised_ore - meter.total_ore
    program = config().program
    points = short_ore * program.redeem_points // (program.redeem_value_kr * 100) if short_ore > 0 else 0
    if points > 0:
        core.post_credit(
            write,
            points=points,
            kind=LedgerEntry.Kind.BONUS,
            now=now,
            expires_at=core.expires_at_for(program, now),
            reason=f"{membership.plan.name}: det som manglet av lovet verdi",
        )


@transaction.atomic
def membership_cancel(*, membership: Membership, at: datetime | None = None) -> Membership:
    """A trial ends at once; a paid period runs to its end and is not renewed."""
    now = core.now_or(at)
    core.lock(membership.member)
    membership.refresh_from_db()
    if not membership.is_current(now) or membership.cancelled_at is not None:
        raise RewardsError("not_a_member")
    membership.cancelled_at = now
    if membership.in_trial:
        membership.ends_at = now
    membership.save(update_fields=["cancelled_at", "ends_at"])
    return membership


def membership_drop(*, membership: Membership, at: datetime | None = None) -> Voucher | None:
    """This month of the membership's voucher, if its plan gives one and it runs now; once per
    month of the membership however often it is called (the key is the month's number)."""
    now = core.now_or(at)
    plan = membership.plan
    if plan.monthly_reward_id is None or not membership.is_current(now):
        return None
    months = relativedelta(now, membership.starts_at)
    month = months.years * 12 + months.months
    return voucher_gift(
        member=membership.member,
        reward=plan.monthly_reward,
        idempotency_key=f"membership:{membership.pk}:month:{month}",
        at=now,
        source=Voucher.Source.MEMBERSHIP,
    )


def membership_drops_due(*, at: datetime | None = None) -> int:
    """Beat's daily run: each running membership's voucher for its month. Returns how many
    memberships were looked at."""
    now = core.now_or(at)
    running = Membership.objects.select_related("plan__monthly_reward", "member").filter(
        starts_at__lte=now, ends_at__gt=now, plan__monthly_reward__isnull=False
    )
    count = 0
    for batch in in_batches(running):  # bounded memory, behind PgBouncer too
        for membership in batch:
            membership_drop(membership=membership, at=now)
            count += 1
    return count


def counter_membership(*, member: Member, plan: Plan, nonce, staff, location, at=None) -> Outcome:
    """Sell a period of `plan` at the till: paid to `staff` at `location`, recorded as a
    counter action under the page's nonce (a double tap sells once)."""

    def call(key, now):
        payment = paid_at_till(plan=plan, key=key, staff=staff, location=location)
        return membership_pay(member=member, plan=plan, payment=payment, at=now)

    return counter_act(
        CounterAction.Kind.MEMBERSHIP,
        nonce=nonce,
        member=member,
        staff=staff,
        location=location,
        at=at,
        call=call,
        summary=lambda result: f"{plan.name} {kr(plan.price_kr * 100)}",
    )

"""Rewards and vouchers: redeem points for a voucher, hand it back unused, use it at the till."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from members.models import Location, Member, User
from rewards import signals
from rewards.errors import RewardsError
from rewards.models import LedgerEntry, Reward, Tier, Voucher, VoucherUse, Wallet
from rewards.services import core, perks
from rewards.services.points import entry_reverse

NOT_READ = object()  # reward_availability's membership, when the caller has not read it


def reward_availability(
    reward: Reward, wallet: Wallet, *, now: datetime, tiers=None, membership=NOT_READ
) -> tuple[bool, str]:
    """May this wallet take this reward now? (ok, reason code) — balance not included.
    `membership`: the member's running paid membership (None: none), read here when a
    reward needs it and the caller did not pass it (pages with many rewards pass it)."""
    if not reward.is_active or reward.cost_points is None:
        return False, "reward_unavailable"
    early = bool(reward.valid_from and now < reward.valid_from)
    if (early and not _early_window(reward, now)) or (reward.valid_to and now >= reward.valid_to):
        return False, "reward_unavailable"
    if reward.stock is not None and reward.stock <= 0:
        return False, "out_of_stock"
    if (reward.members_only_id or reward.min_tier_id or early) and membership is NOT_READ:
        membership = perks.membership_current(wallet.member_id, now)
    if early and not _early_member(reward, wallet, membership, tiers):
        return False, "reward_unavailable"
    if reward.members_only_id and (membership is None or membership.plan_id != reward.members_only_id):
        return False, "members_only"
    if reward.min_tier_id:
        tiers = tiers if tiers is not None else list(Tier.objects.order_by("threshold"))
        threshold = {t.pk: t.threshold for t in tiers}
        tier = perks.effective_tier(wallet.tier if wallet.tier_id else None, membership)
        mine = threshold.get(tier.pk, -1) if tier else -1
        if mine < threshold[reward.min_tier_id]:
            return False, "tier_too_low"
    return True, "early" if early else ""


def _early_window(reward: Reward, now: datetime) -> bool:
    return bool(reward.early_days) and now >= reward.valid_from - timedelta(days=reward.early_days)


def _early_member(reward: Reward, wallet: Wallet, membership, tiers) -> bool:
    """In the early-access group: the reward's plan, or its tier (own or lifted) or above."""
    if reward.early_plan_id and membership is not None and membership.plan_id == reward.early_plan_id:
        return True
    if reward.early_tier_id:
        tiers = tiers if tiers is not None else list(Tier.objects.order_by("threshold"))
        threshold = {t.pk: t.threshold for t in tiers}
        tier = perks.effective_tier(wallet.tier if wallet.tier_id else None, membership)
        return tier is not None and threshold.get(tier.pk, -1) >= threshold[reward.early_tier_id]
    return False


def _taken(reward: Reward, wallet: Wallet) -> int:
    return Voucher.objects.filter(
        wallet=wallet, reward=reward, status__in=[Voucher.Status.ACTIVE, Voucher.Status.USED]
    ).count()


@transaction.atomic
def reward_redeem(
    *,
    member: Member,
    reward: Reward,
    idempotency_key: str,
    location: Location | None = None,
    staff: User | None = None,
    at: datetime | None = None,
) -> core.WalletResult:
    """Turn points into a voucher for `reward` (by the member, or by staff at the counter).

    Raises RewardsError: reward_unavailable, out_of_stock, tier_too_low, limit_reached,
    insufficient_points, duplicate_request. Stock moves by compare-and-set, so concurrent
    takers of the last item cannot both get it.
    """
    now = core.now_or(at)
    params = {"reward": reward.pk}
    with core.wallet_write(member, key=idempotency_key, kind="redeem", params=params, now=now) as write:
        if write.replayed:
            return write.result
        reward = Reward.objects.get(pk=reward.pk)  # fresh stock and settings, after the lock
        ok, reason = reward_availability(reward, write.wallet, now=now)
        if not ok:
            raise RewardsError(reason)
        if reward.per_member_limit is not None and _taken(reward, write.wallet) >= reward.per_member_limit:
            raise RewardsError("limit_reached")
        entry = core.post_debit(
            write,
            points=reward.cost_points,
            kind=LedgerEntry.Kind.REDEEM,
            now=now,
            reason=reward.name[:200],
            location=location,
            staff=staff,
        )
        if reward.stock is not None and not core.stock_take(reward):
            raise RewardsError("out_of_stock")  # rolls back the debit too
        core.voucher_issue(write, reward=reward, source=Voucher.Source.REDEEM, now=now, redeem_entry=entry)
    return write.result


@transaction.atomic
def voucher_cancel(
    *, voucher: Voucher, member: Member, idempotency_key: str, at: datetime | None = None
) -> core.WalletResult:
    """The member hands back an unused voucher bought with points; the points come back."""
    if voucher.wallet.member_id != member.pk:
        raise RewardsError("voucher_not_found")
    if voucher.redeem_entry_id is None:
        raise RewardsError("not_cancellable")
    if voucher.status == Voucher.Status.USED:
        raise RewardsError("voucher_used")
    if voucher.status == Voucher.Status.ACTIVE and voucher.is_expired(core.now_or(at)):
        raise RewardsError("voucher_expired")  # an expired voucher is breakage, not a refund
    return entry_reverse(
        entry=voucher.redeem_entry, reason="voucher handed back", idempotency_key=idempotency_key, at=at
    )


@transaction.atomic
def voucher_use(
    *,
    code: str,
    idempotency_key: str,
    location: Location | None = None,
    staff: User | None = None,
    at: datetime | None = None,
    partner=None,
) -> core.WalletResult:
    """Use a voucher at the counter (active → used, by compare-and-set); a partner's voucher
    only at that partner (`partner`, rewards.services.partners)."""
    now = core.now_or(at)
    code = (code or "").strip().upper().replace("-", "")[:32]
    voucher = Voucher.objects.select_related("wallet__member", "reward").filter(code=code).first()
    if voucher is None:
        raise RewardsError("voucher_not_found")
    if voucher.reward.partner_id != getattr(partner, "pk", None):
        raise RewardsError("partner_voucher" if voucher.reward.partner_id else "voucher_not_found")
    member, params = voucher.wallet.member, {"voucher": voucher.pk}
    with core.wallet_write(member, key=idempotency_key, kind="use", params=params, now=now) as write:
        if write.replayed:
            return write.result
        voucher.refresh_from_db(fields=["status", "expires_at"])
        if voucher.status == Voucher.Status.CANCELLED:
            raise RewardsError("voucher_cancelled")
        if voucher.status == Voucher.Status.ACTIVE and voucher.is_expired(now):
            raise RewardsError("voucher_expired")
        used = {"status": Voucher.Status.USED, "used_at": now, "used_location": location, "used_by": staff}
        if not core.voucher_status_move(voucher, old=Voucher.Status.ACTIVE, **used):
            raise RewardsError("voucher_used")
        VoucherUse.objects.create(voucher=voucher, uses=1, location=location, created_at=now)
        write.result.vouchers.append(voucher)
    member_id, location_id = member.pk, getattr(location, "pk", None)
    transaction.on_commit(
        lambda: signals.voucher_redeemed.send(
            sender=Voucher, member_id=member_id, voucher_id=voucher.pk, location_id=location_id
        )
    )
    return write.result


@transaction.atomic
def voucher_gift(
    *,
    member: Member,
    reward: Reward,
    idempotency_key: str,
    at: datetime | None = None,
    source: str = Voucher.Source.GIFT,
) -> Voucher:
    """Give `member` a voucher for `reward` (no points taken). A repeated key returns the
    first voucher. Stock and catalogue limits do not apply: the club gives it (a referral
    reward, a goodwill gesture, a campaign's offer: `source` says which)."""
    now = core.now_or(at)
    params = {"reward": reward.pk}
    with core.wallet_write(member, key=idempotency_key, kind="gift", params=params, now=now) as write:
        if write.replayed:
            return write.result.voucher
        core.voucher_issue(write, reward=reward, source=source, now=now)
    return write.result.voucher


@transaction.atomic
def voucher_withdraw(*, voucher: Voucher, idempotency_key: str, at: datetime | None = None) -> None:
    """Cancel an unused gift voucher (a referral reward taken back after a refund).
    Raises RewardsError("voucher_used") when it was used."""
    now = core.now_or(at)
    member, params = voucher.wallet.member, {"voucher": voucher.pk}
    with core.wallet_write(member, key=idempotency_key, kind="gift_cancel", params=params, now=now) as write:
        if write.replayed:
            return
        if not core.voucher_status_move(
            voucher, old=Voucher.Status.ACTIVE, status=Voucher.Status.CANCELLED, cancelled_at=now
        ):
            voucher.refresh_from_db(fields=["status"])
            raise RewardsError(
                "voucher_used" if voucher.status == Voucher.Status.USED else "already_reversed"
            )
        write.result.vouchers.append(voucher)

"""Partner vouchers: the partner's staff unlock their page with a PIN (a few wrong tries lock
it for a while, per partner and address), check a code, and mark it used. The use is the
wallet's voucher use (at the partner) and a PartnerRedemption for the settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum

from rewards.errors import RewardsError
from rewards.models import Partner, PartnerRedemption, Voucher
from rewards.services import core
from rewards.services.vouchers import voucher_use

PIN_TRIES = 5
PIN_LOCK_SECONDS = 15 * 60


def partner_pin_set(*, partner: Partner, pin: str) -> None:
    Partner.objects.filter(pk=partner.pk).update(pin_hash=make_password(pin))
    partner.refresh_from_db()


def partner_unlock(*, partner: Partner, pin: str, ip: str) -> None:
    """Refused with 'wrong_pin', or 'pin_locked' after PIN_TRIES wrong ones in a row."""
    key = f"partner-pin:{partner.pk}:{ip}"
    if cache.get(key, 0) >= PIN_TRIES:
        raise RewardsError("pin_locked")
    if not partner.is_active or not check_password(pin or "", partner.pin_hash):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, PIN_LOCK_SECONDS)
        raise RewardsError("wrong_pin")
    cache.delete(key)


@dataclass(frozen=True)
class CodeCheck:
    offer: str
    status: str  # Voucher.Status, or "expired"


def partner_code_check(*, partner: Partner, code: str, now: datetime) -> CodeCheck:
    """What the partner may know of a code: its offer and whether it can be used. Nothing of
    the member."""
    code = (code or "").strip().upper().replace("-", "")[:32]
    voucher = Voucher.objects.select_related("reward").filter(code=code, reward__partner=partner).first()
    if voucher is None:
        raise RewardsError("voucher_not_found")
    expired = voucher.status == Voucher.Status.ACTIVE and voucher.is_expired(now)
    return CodeCheck(voucher.reward.name, "expired" if expired else voucher.status)


@transaction.atomic
def partner_voucher_use(
    *, partner: Partner, code: str, idempotency_key: str, at: datetime | None = None
) -> None:
    now = core.now_or(at)
    result = voucher_use(code=code, idempotency_key=idempotency_key, at=now, partner=partner)
    voucher = result.voucher
    PartnerRedemption.objects.get_or_create(voucher=voucher, defaults={"partner": partner, "used_at": now})


@dataclass(frozen=True)
class Settlement:
    partner: Partner
    used: int
    value_ore: int


def partner_settlement(start: datetime, end: datetime) -> list[Settlement]:
    counts = dict(
        PartnerRedemption.objects.filter(used_at__gte=start, used_at__lt=end)
        .values("partner")
        .annotate(n=Count("pk"))
        .values_list("partner", "n")
        .order_by()
    )
    return [
        Settlement(partner, counts.get(partner.pk, 0), counts.get(partner.pk, 0) * partner.value_kr * 100)
        for partner in Partner.objects.order_by("name")
    ]


def partner_usage(
    windows: dict[str, tuple[datetime, datetime]], *, location_id: int | None = None
) -> dict[str, tuple[int, int]]:
    """Partner vouchers used at the partners in each [start, end) window: (how many, what they
    are worth in øre at the partners' values), in one query (the dashboard's partner usage);
    with `location_id`, the vouchers of that shop's own members (their home shop)."""
    sums = {}
    for name, (start, end) in windows.items():
        within = Q(used_at__gte=start, used_at__lt=end)
        sums[f"n_{name}"] = Count("pk", filter=within)
        sums[f"kr_{name}"] = Sum("partner__value_kr", filter=within, default=0)
    redemptions = PartnerRedemption.objects.all()
    if location_id is not None:
        redemptions = redemptions.filter(voucher__wallet__member__home_location=location_id)
    row = redemptions.aggregate(**sums)
    return {name: (row[f"n_{name}"], row[f"kr_{name}"] * 100) for name in windows}

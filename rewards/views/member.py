"""The member's wallet pages: wallet, history, rewards catalogue and vouchers."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import qr
from members.views import member_required
from rewards import selectors, services
from rewards.errors import RewardsError
from rewards.forms import NonceForm
from rewards.models import Reward, Tier, Voucher, Wallet
from rewards.services import perks

HISTORY_PAGE_SIZE = 25


@member_required
def wallet(request):
    # Queries: session, user, member, club, the user's groups (menu), then the wallet with its
    # tier, the tier window's sum, the points expiring soon, the stamp cards, the active
    # vouchers with their reward and the paid membership: 11 at most, whatever the length of
    # the history (program, tiers and cards come from the cache; 3 more when cold).
    summary = selectors.wallet_summary(request.member)
    vouchers = [(v, qr.svg(v.code)) for v in summary.vouchers]
    return render(request, "rewards/wallet.html", {"summary": summary, "vouchers": vouchers})


@member_required
def history(request):
    wallet = Wallet.objects.filter(member=request.member).first() or services.wallet_get_or_create(
        request.member
    )
    page = Paginator(selectors.history(wallet), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.history_rows(page)
    return render(request, "rewards/history.html", {"page": page, "rows": rows, "wallet": wallet})


@member_required
def catalogue(request):
    """What the member may take: on offer, tier high enough; affordability shown."""
    now = timezone.now()
    wallet = Wallet.objects.select_related("tier").filter(member=request.member).first()
    wallet = wallet or services.wallet_get_or_create(request.member)
    tiers = list(Tier.objects.order_by("threshold"))
    rewards = Reward.objects.filter(is_active=True, cost_points__isnull=False).annotate(
        taken=Count(
            "vouchers",
            filter=Q(
                vouchers__wallet=wallet, vouchers__status__in=[Voucher.Status.ACTIVE, Voucher.Status.USED]
            ),
        )
    )
    offers, membership = [], perks.membership_current(request.member, now)
    for reward in rewards:
        ok, reason = services.reward_availability(reward, wallet, now=now, tiers=tiers, membership=membership)
        within_limit = reward.per_member_limit is None or reward.taken < reward.per_member_limit
        if ok and within_limit:  # "early": open to this member before everyone else
            offers.append((reward, wallet.balance >= reward.cost_points, reason == "early"))
    context = {"offers": offers, "wallet": wallet, "form": NonceForm(initial={"nonce": uuid.uuid4()})}
    return render(request, "rewards/catalogue.html", context)


@member_required
@require_POST
def redeem(request, reward_id: int):
    form = NonceForm(request.POST)
    reward = Reward.objects.filter(pk=reward_id).first()
    if reward is None or not form.is_valid():
        messages.error(request, RewardsError("reward_unavailable").message)
        return redirect("rewards:catalogue")
    key = f"redeem:{request.member.pk}:{form.cleaned_data['nonce']}"
    try:
        result = services.reward_redeem(member=request.member, reward=reward, idempotency_key=key)
    except RewardsError as error:
        messages.error(request, error.message)
        return redirect("rewards:catalogue")
    if result.replayed:
        messages.info(request, _("You had already redeemed this; here is the same voucher."))
    else:
        messages.success(request, _("Done! Show this voucher at the counter."))
    return redirect("rewards:voucher", code=result.voucher.code)


def _own_voucher(request, code: str) -> Voucher:
    voucher = (
        Voucher.objects.select_related("reward", "wallet")
        .filter(code=code, wallet__member=request.member)
        .first()
    )
    if voucher is None:
        raise Http404
    return voucher


@member_required
def voucher(request, code: str):
    voucher = _own_voucher(request, code)
    context = {
        "voucher": voucher,
        "qr_svg": qr.svg(voucher.code),
        "form": NonceForm(initial={"nonce": uuid.uuid4()}),
    }
    return render(request, "rewards/voucher.html", context)


@member_required
@require_POST
def voucher_cancel(request, code: str):
    voucher = _own_voucher(request, code)
    form = NonceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong. Try again."))
        return redirect("rewards:voucher", code=code)
    key = f"cancel:{request.member.pk}:{form.cleaned_data['nonce']}"
    try:
        services.voucher_cancel(voucher=voucher, member=request.member, idempotency_key=key)
    except RewardsError as error:
        messages.error(request, error.message)
        return redirect("rewards:voucher", code=code)
    messages.success(request, _("The voucher is cancelled and your points are back."))
    return redirect("rewards:wallet")

"""The partner's page (/partner/<address>/): unlocked with the partner's PIN, it checks a
voucher code and marks it used. It shows the offer and counts, never a member."""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rewards.errors import RewardsError
from rewards.models import Partner
from rewards.services.partners import partner_code_check, partner_unlock, partner_voucher_use

SESSION_KEY = "partner_unlocked"


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _unlocked(request, partner: Partner) -> bool:
    return partner.pk in request.session.get(SESSION_KEY, [])


def _page(request, partner: Partner, *, status: int = 200, **context):
    month = timezone.localdate().replace(day=1)
    used = (
        partner.redemptions.filter(used_at__date__gte=month).count() if _unlocked(request, partner) else None
    )
    context = {
        "partner": partner,
        "unlocked": _unlocked(request, partner),
        "used_this_month": used,
        **context,
    }
    context.setdefault("nonce", uuid.uuid4())
    return render(request, "rewards/partner.html", context, status=status)


def partner_page(request, slug: str):
    partner = get_object_or_404(Partner, slug=slug, is_active=True)
    if request.method == "POST":
        try:
            partner_unlock(partner=partner, pin=request.POST.get("pin", ""), ip=_ip(request))
        except RewardsError as error:
            return _page(
                request, partner, error=error.message, status=429 if error.code == "pin_locked" else 403
            )
        request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), partner.pk]
        return redirect("rewards:partner", slug=slug)
    return _page(request, partner)


@require_POST
def partner_code(request, slug: str):
    partner = get_object_or_404(Partner, slug=slug, is_active=True)
    if not _unlocked(request, partner):
        return _page(request, partner, error=_("Enter the PIN first."), status=403)
    code = request.POST.get("code", "")
    try:
        if request.POST.get("use"):
            partner_voucher_use(
                partner=partner, code=code, idempotency_key=f"partner:{request.POST.get('nonce', '')}"[:100]
            )
            return _page(request, partner, done=_("Used. Give the customer the offer."))
        checked = partner_code_check(partner=partner, code=code, now=timezone.now())
    except RewardsError as error:
        return _page(request, partner, error=error.message, code=code, status=409)
    return _page(request, partner, checked=checked, code=code)

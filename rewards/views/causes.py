"""The member gives points to a good cause, and sees each cause's running total."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.views import member_required
from rewards.errors import RewardsError
from rewards.forms import NonceForm
from rewards.models import Cause, Wallet
from rewards.services.causes import cause_totals, points_donate


class DonateForm(NonceForm):
    points = forms.IntegerField(label=gettext_lazy("Points to give"), min_value=1, max_value=10_000_000)


def _page(request, *, bound: tuple[int, DonateForm] | None = None, status: int = 200):
    totals = cause_totals()
    causes = [
        (
            cause,
            totals.get(cause.pk, 0),
            bound[1]
            if bound and bound[0] == cause.pk
            else DonateForm(initial={"nonce": uuid.uuid4(), "points": cause.points}),
        )
        for cause in Cause.objects.filter(is_active=True)
    ]
    balance = Wallet.objects.filter(member=request.member).values_list("balance", flat=True).first() or 0
    return render(request, "rewards/donate.html", {"causes": causes, "balance": balance}, status=status)


@member_required
def donate(request):
    return _page(request)


@member_required
@require_POST
def donate_to(request, cause_id: int):
    cause = get_object_or_404(Cause, pk=cause_id, is_active=True)
    form = DonateForm(request.POST)
    if not form.is_valid():
        return _page(request, bound=(cause.pk, form), status=400)
    key = f"donate:{request.member.pk}:{form.cleaned_data['nonce']}"
    try:
        points_donate(
            member=request.member, cause=cause, points=form.cleaned_data["points"], idempotency_key=key
        )
    except RewardsError as error:
        form.add_error("points", error.message)
        return _page(request, bound=(cause.pk, form), status=409)
    messages.success(
        request, _("Thank you! Your gift to %(cause)s is in your history.") % {"cause": cause.name}
    )
    return redirect("rewards:donate")

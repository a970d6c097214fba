"""The member's paid membership page: the plans on sale with their promise, price, trial and
refund rule (shown before joining), a trial started in one tap, and once a member, the
status, the renewal date, the value meter and cancelling in one tap."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.views import member_required
from rewards.errors import RewardsError
from rewards.models import Membership, Plan
from rewards.services.membership import membership_cancel, trial_start
from rewards.services.perks import membership_current, value_meter


@member_required
def membership(request):
    now = timezone.now()
    current = membership_current(request.member, now)
    past = (
        Membership.objects.filter(member=request.member).select_related("plan").order_by("-ends_at").first()
    )
    context = {
        "current": current,
        "meter": value_meter(current, now) if current else None,
        "ended": past if current is None and past is not None and past.ends_at <= now else None,
        "plans": []
        if current
        else list(Plan.objects.filter(is_active=True).select_related("monthly_reward")),
        "may_try": past is None,
        "default_refund_rule": Plan.DEFAULT_REFUND_RULE,
    }
    return render(request, "rewards/membership.html", context)


@member_required
@require_POST
def membership_try(request, plan_id: int):
    plan = get_object_or_404(Plan, pk=plan_id, is_active=True)
    try:
        trial_start(member=request.member, plan=plan)
    except RewardsError as error:
        current = membership_current(request.member, timezone.now())
        if not (error.code == "trial_used" and current is not None and current.plan_id == plan.pk):
            messages.error(request, error.message)  # a double tap finds the trial begun: no error
    else:
        messages.success(request, _("Welcome! Your free trial has begun."))
    return redirect("rewards:membership")


@member_required
@require_POST
def membership_stop(request):
    current = membership_current(request.member, timezone.now())
    if current is None:
        messages.error(request, RewardsError("not_a_member").message)
        return redirect("rewards:membership")
    try:
        membership_cancel(membership=current)
    except RewardsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your trial has ended.")
            if current.in_trial
            else _("Cancelled: it runs to the end of the period you paid for."),
        )
    return redirect("rewards:membership")

"""Paid membership in admin: the owner's plans, and the members' memberships with what they
paid. The owner marks a period paid (an invoice, a gift card) through the same rules as a
sale at the till, and corrects a mistaken sale by moving the end date."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.admin import related_column
from rewards.errors import RewardsError
from rewards.models import Membership, MembershipPayment, Plan
from rewards.selectors import member_by_number
from rewards.services.membership import membership_pay
from rewards.services.membership_payments import marked_paid_by_owner


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "price_kr", "period", "promised_value_kr", "trial_days", "running", "is_active"]
    fieldsets = [
        (None, {"fields": ["name", "price_kr", "period", "promised_value_kr", "promise", "is_active"]}),
        (_("Trial and refunds"), {"fields": ["trial_days", "refund_rule", "top_up_shortfall"]}),
        (
            _("Perks"),
            {
                "fields": [
                    "points_multiplier",
                    "monthly_reward",
                    "monthly_reward_value_kr",
                    "discount_percent",
                    "tier",
                ],
                "description": _(
                    "Read at the moment they are used: they stop the instant a membership ends. "
                    "Members-only rewards are chosen on each reward."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        now = timezone.now()
        running = Q(memberships__starts_at__lte=now, memberships__ends_at__gt=now)
        return super().get_queryset(request).annotate(n_running=Count("memberships", filter=running))

    @admin.display(description=_("members now"), ordering="n_running")
    def running(self, plan):
        return plan.n_running

    def has_delete_permission(self, request, obj=None):
        return False  # take it off sale instead: its memberships are the record of what was sold


class PaymentInline(admin.TabularInline):
    model = MembershipPayment
    fields = ["paid_at", "kind", "amount_ore", "period_start", "period_end", "staff", "location"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MarkPaidForm(forms.Form):
    member = forms.CharField(label=_("Member number"), max_length=20)
    plan = forms.ModelChoiceField(label=_("Membership"), queryset=Plan.objects.filter(is_active=True))
    nonce = forms.UUIDField(widget=forms.HiddenInput)

    def clean_member(self):
        member = member_by_number(self.cleaned_data["member"])
        if member is None:
            raise forms.ValidationError(_("No member with that number in the club."))
        return member


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        related_column("member", _("member"), ordering="member__number"),
        "plan",
        "state",
        "starts_at",
        "ends_at",
        "paid_from",
    ]
    list_filter = ["plan"]
    list_select_related = ["member__user", "plan"]
    search_fields = ["member__number", "member__user__email", "member__user__phone"]
    fields = ["member", "plan", "starts_at", "trial_started_at", "paid_from", "cancelled_at", "ends_at"]
    readonly_fields = ["member", "plan", "starts_at", "trial_started_at", "paid_from", "cancelled_at"]
    inlines = [PaymentInline]
    change_list_template = "admin/rewards/membership/change_list.html"

    @admin.display(description=_("now"))
    def state(self, membership):
        if not membership.is_current():
            return gettext("ended")
        if membership.in_trial:
            return gettext("trial")
        return gettext("cancelled, runs out") if membership.cancelled_at else gettext("paid")

    def has_add_permission(self, request):
        return False  # a membership begins by a trial, a sale at the till, or "mark paid"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path(
                "mark-paid/",
                self.admin_site.admin_view(self.mark_paid_view),
                name="rewards_membership_mark_paid",
            )
        ]
        return own + super().get_urls()

    def mark_paid_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = MarkPaidForm(request.POST or None, initial={"nonce": uuid.uuid4(), **request.GET.dict()})
        if request.method == "POST" and form.is_valid():
            member, plan = form.cleaned_data["member"], form.cleaned_data["plan"]
            payment = marked_paid_by_owner(
                plan=plan, key=f"owner:{form.cleaned_data['nonce']}", owner=request.user
            )
            try:
                membership_pay(member=member, plan=plan, payment=payment)
            except RewardsError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, gettext("Marked paid: the membership runs on."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:rewards_membership_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.opts,
            "title": gettext("Mark a period paid"),
        }
        return TemplateResponse(request, "admin/rewards/membership/mark_paid.html", context)

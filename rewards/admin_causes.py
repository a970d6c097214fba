"""Good causes in admin: the causes with their running totals, each gift of points (reversed
by the owner with a reason, through entry_reverse), and the payout report per period."""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clubsite.money import kr
from rewards.errors import RewardsError
from rewards.forms_admin import MonthForm, ReverseEntryForm
from rewards.models import Cause, Donation
from rewards.services import entry_reverse
from rewards.services.causes import cause_totals, payout_report


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ["name", "points", "kr", "total", "is_active"]
    fields = ["name", "description", "points", "kr", "is_active"]
    change_list_template = "admin/rewards/cause/change_list.html"

    def changelist_view(self, request, extra_context=None):
        self._totals = cause_totals()  # one query for the whole list
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("given so far"))
    def total(self, cause):
        return kr(getattr(self, "_totals", {}).get(cause.pk, 0))

    def has_delete_permission(self, request, obj=None):
        return False  # close it instead: its gifts are the record

    def get_urls(self):
        own = [path("payout/", self.admin_site.admin_view(self.payout_view), name="rewards_cause_payout")]
        return own + super().get_urls()

    def payout_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form, month, start, end = MonthForm.chosen(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Payout to the causes"),
            "form": form,
            "rows": payout_report(start, end),
            "month": month,
        }
        return TemplateResponse(
            request, "admin/rewards/cause/payout.html", context, status=400 if form.errors else 200
        )


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cause", "member", "points", "worth", "reversed"]
    list_filter = ["cause"]
    list_select_related = ["cause", "entry__wallet__member__user", "entry__reversal"]
    readonly_fields = ["cause", "entry", "points", "value_ore", "created_at"]
    actions = ["reverse"]

    @admin.display(description=_("member"))
    def member(self, donation):
        return donation.entry.wallet.member

    @admin.display(description=_("worth"))
    def worth(self, donation):
        return kr(donation.value_ore)

    @admin.display(description=_("reversed"), boolean=True)
    def reversed(self, donation):
        return hasattr(donation.entry, "reversal")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_reverse_permission(self, request):
        return request.user.is_owner  # giving points back is the owner's call

    @admin.action(description=_("Reverse: give the points back"), permissions=["reverse"])
    def reverse(self, request, queryset):
        form = ReverseEntryForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            batch = uuid.uuid4()
            for donation in queryset.select_related("entry"):
                try:
                    entry_reverse(
                        entry=donation.entry,
                        reason=form.cleaned_data["reason"],
                        idempotency_key=f"donation-reverse:{batch}:{donation.pk}",
                        staff=request.user,
                    )
                except RewardsError as error:
                    self.message_user(request, f"{donation}: {error.message}", messages.ERROR)
            self.message_user(
                request, gettext("The points are back in the members' wallets."), messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "donations": queryset,
            "opts": self.opts,
        }
        return render(request, "admin/rewards/donation/reverse.html", context)

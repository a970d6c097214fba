"""Partners in admin: the partner, its offer, its PIN (set, never shown) and the monthly
settlement: vouchers used at each partner and what the club owes for them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rewards.forms_admin import MonthForm
from rewards.models import Partner
from rewards.services.partners import partner_pin_set, partner_settlement


class PartnerForm(forms.ModelForm):
    pin = forms.CharField(
        label=_("New PIN"),
        required=False,
        min_length=4,
        max_length=12,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("4 to 12 characters, for the partner's staff. Empty: the PIN stays as it is."),
    )

    class Meta:
        model = Partner
        fields = ["name", "slug", "logo", "offer", "value_kr", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("pin"):
            self.add_error("pin", _("Give the partner a PIN."))
        return cleaned


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ["name", "offer", "value_kr", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    change_list_template = "admin/rewards/partner/change_list.html"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("pin"):
            partner_pin_set(partner=obj, pin=form.cleaned_data["pin"])

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off: its redemptions are the settlement's record

    def get_urls(self):
        own = [
            path(
                "settlement/",
                self.admin_site.admin_view(self.settlement_view),
                name="rewards_partner_settlement",
            )
        ]
        return own + super().get_urls()

    def settlement_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form, month, start, end = MonthForm.chosen(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Settlement with the partners"),
            "form": form,
            "rows": partner_settlement(start, end),
            "month": month,
        }
        status = 400 if form.errors else 200
        return TemplateResponse(request, "admin/rewards/partner/settlement.html", context, status=status)

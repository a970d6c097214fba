"""API keys in admin: the owner makes one per shop and integration, sees it once, gives it
scopes and a rate limit, and revokes it (for good); every call each key made is listed."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from rewards.admin import ReadOnlyAdmin
from rewards.models import ApiCall, PosKey, Scope

# The package's own key model is unused (ours belong to a shop): not offered in admin.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class PosKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("may"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = PosKey
        fields = ["name", "location", "scopes", "per_minute", "expiry_date", "revoked"]


@admin.register(PosKey)
class PosKeyAdmin(APIKeyModelAdmin):
    form = PosKeyForm
    list_display = ["name", "location", "prefix", "scopes_shown", "per_minute", "created", "revoked"]
    list_filter = ["location", "revoked"]
    search_fields = ["name", "prefix"]

    @admin.display(description=_("may"))
    def scopes_shown(self, key):
        return ", ".join(str(Scope(scope).label) for scope in key.scopes if scope in Scope.values)

    def save_model(self, request, obj, form=None, change=False):
        if obj.pk:
            obj.save()
            return
        key = PosKey.objects.assign_key(obj)
        obj.save()
        messages.warning(
            request,
            gettext(
                "The API key for %(name)s is: %(key)s. Copy it into the register now: it is stored "
                "only as a hash and cannot be shown again."
            )
            % {"name": obj.name, "key": key},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke it instead: its calls are the record


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "key", "method", "endpoint", "status", "duration_ms"]
    list_filter = ["key", "status", "method"]
    list_select_related = ["key__location"]

"""Webhooks in admin: the owner adds endpoints and picks their events, sees the signing secret,
rotates it, turns an endpoint on again, and reads every delivery with each try's request and
answer, with a "send again" button."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clubsite.webhooks import services
from clubsite.webhooks.models import Attempt, Delivery, Endpoint, EventType
from rewards.admin import ReadOnlyAdmin


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "is_active"]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["__str__", "url", "events_shown", "is_active", "disabled_reason", "failing_since"]
    list_filter = ["is_active"]
    readonly_fields = ["secret", "disabled_reason", "failing_since", "created_at"]
    actions = ["turn_on", "rotate_secret"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.endpoints_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.endpoints_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.endpoints_changed()

    @admin.display(description=_("events"))
    def events_shown(self, endpoint):
        return ", ".join(str(EventType(e).label) for e in endpoint.events if e in EventType.values)

    @admin.action(description=_("Turn on again"))
    def turn_on(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_turn_on(endpoint=endpoint)
        messages.success(request, gettext("Turned on again; what waited is sent within a minute."))

    @admin.action(description=_("Make a new signing secret (the old one signs too for 24 hours)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_rotate_secret(endpoint=endpoint)
        messages.success(
            request,
            gettext("New secrets made. Give each receiver its new secret within 24 hours."),
        )


class AttemptInline(admin.StackedInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "status_code",
        "error",
        "duration_ms",
        "headers_shown",
        "request_body",
        "response_body",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("request headers"))
    def headers_shown(self, attempt):
        return format_html("<pre>{}</pre>", json.dumps(attempt.request_headers, indent=2))


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event_type", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "endpoint", "event__type"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__msg_id"]
    fields = ["event_type", "message_id", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at"]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["send_again"]

    @admin.display(description=_("event"), ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.get_type_display()

    @admin.display(description=_("message id"))
    def message_id(self, delivery):
        return delivery.event.msg_id

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        for delivery in queryset:
            services.delivery_send_again(delivery=delivery)
        count = len(queryset)
        messages.success(
            request,
            ngettext("%(count)d delivery is sent again.", "%(count)d deliveries are sent again.", count)
            % {"count": count},
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.send_again_view)
        return [path("<int:pk>/send-again/", view, name="clubsite_delivery_send_again"), *super().get_urls()]

    def send_again_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        delivery = get_object_or_404(Delivery, pk=pk)
        services.delivery_send_again(delivery=delivery)
        messages.success(request, gettext("Sent again; the newest try is at the top."))
        return HttpResponseRedirect(reverse("admin:clubsite_delivery_change", args=[pk]))

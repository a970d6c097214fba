"""Surprise rewards in admin: the odds, the surprise and the monthly budget; and every draw,
read-only, with its seed and whether recomputing it gives the recorded outcome."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clubsite.singleton import SingletonAdmin
from rewards.models import SurpriseDraw, SurpriseSettings
from rewards.services.surprise import draw_outcome


@admin.register(SurpriseSettings)
class SurpriseSettingsAdmin(SingletonAdmin):
    fields = ["one_in", "reward", "value_kr", "budget_kr"]


@admin.register(SurpriseDraw)
class SurpriseDrawAdmin(admin.ModelAdmin):
    list_display = ["created_at", "member", "purchase", "one_in", "outcome", "taken_back_at", "checks"]
    list_filter = ["outcome"]
    list_select_related = ["member__user", "purchase"]
    readonly_fields = [
        "purchase",
        "member",
        "seed",
        "one_in",
        "outcome",
        "voucher",
        "created_at",
        "taken_back_at",
    ]

    @admin.display(description=_("recomputed from the seed"), boolean=True)
    def checks(self, draw):
        won = draw.outcome != SurpriseDraw.Outcome.NOTHING
        return draw_outcome(draw.seed, draw.purchase_id, draw.one_in) == won

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

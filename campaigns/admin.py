from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.models import ClubEconomics, TierChange
from clubsite.singleton import SingletonAdmin


@admin.register(ClubEconomics)
class ClubEconomicsAdmin(SingletonAdmin):
    """One row: the owner's assumptions behind the dashboard's ROI, LTV and active share."""

    fieldsets = [
        (
            _("Return on investment"),
            {
                "fields": [
                    "gross_margin_percent",
                    "monthly_operating_cost_kr",
                    "uplift_percent",
                    "member_discount_percent",
                    "free_voucher_value_kr",
                ],
                "description": _(
                    "Used by the dashboard's ROI: (extra revenue × gross margin − cost of benefits and "
                    "operation − discounts) ÷ costs. A change applies to every period shown."
                ),
            },
        ),
        (_("Active members"), {"fields": ["active_window_days"]}),
    ]


@admin.register(TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    """The history of tier changes, as recorded: read only."""

    list_display = ["changed_at", "member", "from_tier", "to_tier", "upgrade"]
    list_filter = ["upgrade", "to_tier"]
    list_select_related = ["member__user", "from_tier", "to_tier"]
    search_fields = ["member__number"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

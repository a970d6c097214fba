"""Admin for what happens at the till: read-only evidence for the owner."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clubsite.money import kr
from rewards.admin import ReadOnlyAdmin
from rewards.errors import refusal_text
from rewards.models import CounterAction, CounterFlag, Refund, ScanRefusal, Visit
from rewards.services.flags import counter_flags_scan


class RefusalReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        codes = ScanRefusal.objects.order_by("reason").values_list("reason", flat=True).distinct()
        return [(code, refusal_text(code)) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.register(ScanRefusal)
class ScanRefusalAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reason_text", "raw_input", "staff", "location", "member", "ip"]

    @admin.display(description=_("reason"), ordering="reason")
    def reason_text(self, obj):
        return refusal_text(obj.reason)

    list_filter = [RefusalReasonFilter, "location"]
    list_select_related = ["staff", "location", "member__user"]
    search_fields = ["raw_input", "staff__email", "member__number"]
    date_hierarchy = "created_at"


@admin.register(CounterAction)
class CounterActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "summary", "member", "staff", "location", "undone"]
    list_filter = ["kind", "location"]
    list_select_related = ["member__user", "staff", "location", "undone_by"]
    search_fields = ["member__number", "member__user__first_name", "staff__email", "summary"]
    date_hierarchy = "created_at"

    @admin.display(boolean=True, description=_("undone"))
    def undone(self, obj):
        return hasattr(obj, "undone_by")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "member", "location", "staff"]
    list_filter = ["location"]
    list_select_related = ["member__user", "location", "staff"]
    search_fields = ["member__number", "member__user__first_name", "member__user__email"]
    date_hierarchy = "started_at"


@admin.register(CounterFlag)
class CounterFlagAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "member", "staff", "count", "detail"]
    list_filter = ["kind"]
    list_select_related = ["member__user", "staff"]
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):
        # Fresh flags whenever the owner looks (beat also raises them every hour).
        counter_flags_scan()
        return super().changelist_view(request, extra_context)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """What each refund took back; `points already spent` is what it could not."""

    list_display = [
        "created_at",
        "member",
        "amount",
        "points",
        "points_short",
        "stamps",
        "stamps_kept",
        "staff",
    ]
    list_filter = ["location"]
    list_select_related = ["purchase__wallet__member__user", "staff"]
    search_fields = ["purchase__wallet__member__number", "purchase__wallet__member__user__first_name"]
    date_hierarchy = "created_at"

    @admin.display(description=_("member"))
    def member(self, obj):
        return obj.purchase.wallet.member

    @admin.display(description=_("amount"), ordering="amount_ore")
    def amount(self, obj):
        return kr(obj.amount_ore)

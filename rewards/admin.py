import uuid

from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rewards import services
from rewards.errors import RewardsError
from rewards.forms_admin import BonusForm, RewardAdminForm
from rewards.models import LedgerEntry, PointsProgram, Reward, StampCard, Tier, Voucher, Wallet
from rewards.services.catalogue import reward_thumbnail_refresh


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers are evidence: the owner reads and searches them; corrections are reversals."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsProgram)
class PointsProgramAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Earning"), {"fields": ["earn_mode", "points_per_krone", "expiry_months"]}),
        (_("Value when redeemed"), {"fields": ["redeem_points", "redeem_value_kr"]}),
        (_("Bonuses"), {"fields": ["welcome_bonus", "profile_bonus", "birthday_bonus"]}),
        (_("Tiers"), {"fields": ["tier_basis"]}),
        (_("Counter"), {"fields": ["undo_minutes", "max_stamps_per_day", "flag_credits_per_day"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        return redirect(reverse("admin:rewards_pointsprogram_change", args=[PointsProgram.load().pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "threshold", "multiplier"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    form = RewardAdminForm
    list_display = ["preview", "name", "cost_points", "stock", "per_member_limit", "min_tier", "is_active"]
    list_display_links = ["preview", "name"]
    list_filter = ["is_active", "min_tier"]
    list_select_related = ["min_tier"]
    search_fields = ["name"]
    readonly_fields = ["preview"]

    @admin.display(description=_("image"))
    def preview(self, obj):
        if not obj.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" style="height:48px;border-radius:4px">', obj.thumbnail.url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data:
            reward_thumbnail_refresh(reward=obj)


@admin.register(StampCard)
class StampCardAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "stamps_needed",
        "reward",
        "max_stamps_per_visit",
        "counts_purchases",
        "is_active",
    ]
    list_select_related = ["reward"]
    autocomplete_fields = ["reward"]


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["member", "balance", "tier", "tier_review_at", "updated_at"]
    list_filter = ["tier"]
    list_select_related = ["member__user", "tier"]
    search_fields = [
        "member__number",
        "member__user__email",
        "member__user__phone",
        "member__user__first_name",
    ]
    readonly_fields = ["member", "balance", "tier", "tier_review_at", "updated_at"]
    actions = ["grant_bonus"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Grant bonus points"))
    def grant_bonus(self, request, queryset):
        form = BonusForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            batch = uuid.uuid4()
            for wallet in queryset.select_related("member"):
                try:
                    services.points_award(
                        member=wallet.member,
                        points=form.cleaned_data["points"],
                        reason=form.cleaned_data["reason"],
                        staff=request.user,
                        idempotency_key=f"admin-bonus:{batch}:{wallet.pk}",
                    )
                except RewardsError as error:
                    self.message_user(request, f"{wallet}: {error.message}", messages.ERROR)
            self.message_user(request, _("Bonus granted."), messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "wallets": queryset,
            "opts": self.opts,
        }
        return render(request, "admin/rewards/grant_bonus.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "wallet", "kind", "points", "remaining", "expires_at", "location", "staff"]
    list_filter = ["kind", "location"]
    list_select_related = ["wallet__member__user", "location", "staff"]
    search_fields = ["wallet__member__number", "wallet__member__user__email", "reason"]
    date_hierarchy = "created_at"


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["code", "reward", "wallet", "status", "source", "issued_at", "expires_at", "used_at"]
    list_filter = ["status", "source", "reward"]
    list_select_related = ["reward", "wallet__member__user"]
    search_fields = ["code", "wallet__member__number", "wallet__member__user__email"]
    date_hierarchy = "issued_at"


# The counter's records (visits, actions, refused scans, flags) are in their own module.
from rewards import admin_counter  # noqa: E402, F401

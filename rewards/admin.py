"""The owner's admin for the wallet: settings as forms that say what a change does, and the
ledgers read-only. Every change to points goes through rewards.services."""

import uuid

from django.contrib import admin, messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clubsite.admin_guards import SafeAutocompleteMixin
from clubsite.singleton import LOCALIZED_DECIMALS, SingletonAdmin
from members.admin import related_column, titled_filter
from rewards import services
from rewards.errors import RewardsError
from rewards.forms_admin import BonusForm, RewardAdminForm
from rewards.models import (
    PointsProgram,
    Reward,
    StampCard,
    StampEntry,
    Tier,
    Voucher,
    VoucherUse,
    Wallet,
)
from rewards.services.catalogue import reward_thumbnail_refresh
from rewards.services.stamps import stamp_card_resize
from rewards.services.tiers import tier_base_assign


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers are evidence: the owner reads and searches them; corrections are reversals.

    A stored `reason` code ("undo", "member_not_found") is shown as people read it: the
    admin defines reason_text(), and the detail page shows it in the reason's place."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        own = ["reason_text"] if hasattr(self, "reason_text") else []
        return [*super().get_readonly_fields(request, obj), *own]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "reason_text"]
        return ["reason_text" if f == "reason" and hasattr(self, "reason_text") else f for f in fields]


@admin.register(PointsProgram)
class PointsProgramAdmin(SingletonAdmin):
    fieldsets = [
        (
            _("Earning"),
            {
                "fields": ["earn_mode", "points_per_krone", "expiry_months"],
                "description": _(
                    "Changes apply to new points only: points already earned keep their value "
                    "and their expiry date."
                ),
            },
        ),
        (
            _("Value when redeemed"),
            {
                "fields": ["redeem_points", "redeem_value_kr"],
                "description": _("What points are worth when a member uses them; members see it in kroner."),
            },
        ),
        (
            _("Bonuses"),
            {
                "fields": ["welcome_bonus", "welcome_reward", "profile_bonus", "birthday_bonus"],
                "description": _("0 = no bonus. A changed bonus applies to the next ones given."),
            },
        ),
        (
            _("Points for more than purchases"),
            {
                "fields": [
                    "profile_field_points",
                    "review_points",
                    "poll_points",
                    "anniversary_points",
                    "action_points_monthly_cap",
                ],
                "description": _(
                    "Each is given once per occasion. Survey answers are priced under Campaign settings; "
                    "they count against the same monthly cap."
                ),
            },
        ),
        (
            _("Tiers"),
            {
                "fields": ["tier_basis"],
                "description": _(
                    "Counted over the last 12 months. A member moves up at once and down at most "
                    "one tier at the yearly review. Set the tiers themselves under Tiers."
                ),
            },
        ),
        (
            _("Counter"),
            {
                "fields": [
                    "undo_minutes",
                    "max_stamps_per_day",
                    "purchase_confirm_above_kr",
                    "purchase_max_kr",
                    "flag_credits_per_day",
                    "flag_points_per_day",
                ],
                "description": _("Limits at the till, against mistakes and misuse. They apply at once."),
            },
        ),
    ]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    formfield_overrides = LOCALIZED_DECIMALS
    list_display = ["name", "threshold", "multiplier", "perks"]
    search_fields = ["name"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "threshold", "multiplier", "perks"],
                "description": _(
                    "A member reaches this tier when the last 12 months reach the threshold, and "
                    "keeps it for a year. A new multiplier applies to new points only."
                ),
            },
        )
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tier_base_assign()  # a tier from 0 holds every member from joining


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    form = RewardAdminForm
    list_display = ["preview", "name", "cost_points", "stock", "per_member_limit", "min_tier", "is_active"]
    list_display_links = ["preview", "name"]
    list_filter = ["is_active", "min_tier"]
    list_select_related = ["min_tier"]
    search_fields = ["name"]
    readonly_fields = ["preview"]
    fieldsets = [
        (None, {"fields": ["name", "description", "image", "preview", "is_active"]}),
        (
            _("Price and limits"),
            {
                "fields": ["cost_points", "stock", "per_member_limit", "min_tier", "members_only", "partner"],
                "description": _(
                    "Changes apply to the next redemptions; vouchers already issued stay valid."
                ),
            },
        ),
        (_("When"), {"fields": ["valid_from", "valid_to", "voucher_valid_days"]}),
        (
            _("Early access"),
            {
                "fields": ["early_days", "early_tier", "early_plan"],
                "description": _(
                    "Open it to a tier (and those above) or to paid members some days before «valid "
                    "from»: they see it marked «only for you until …»."
                ),
            },
        ),
    ]

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
class StampCardAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "stamps_needed",
        "reward",
        "max_stamps_per_visit",
        "counts_purchases",
        "is_active",
    ]
    list_filter = ["is_active", "counts_purchases"]
    list_select_related = ["reward"]
    search_fields = ["name"]
    autocomplete_fields = ["reward"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "reward", "stamps_needed", "is_active"],
                "description": _(
                    "A full card gives a voucher for the reward and starts a new card. A changed "
                    "number of stamps applies to new cards: the cards members are filling now "
                    "finish on the number they began with."
                ),
            },
        ),
        (
            _("Rules"),
            {"fields": ["counts_purchases", "category", "max_stamps_per_visit", "valid_days"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        if not (change and "stamps_needed" in form.changed_data):
            return super().save_model(request, obj, form, change)
        # A new size goes through the service, which lets the cards being filled finish on theirs.
        new_size, obj.stamps_needed = obj.stamps_needed, form.initial["stamps_needed"]
        super().save_model(request, obj, form, change)
        stamp_card_resize(card=obj, stamps_needed=new_size)
        return None


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = [
        related_column("member", _("member"), ordering="member__number"),
        "balance",
        "tier",
        "tier_review_at",
    ]
    list_filter = ["tier"]
    list_select_related = ["member__user", "tier"]
    search_fields = [
        "member__number",
        "member__user__email",
        "member__user__phone",
        "member__user__first_name",
        "member__user__last_name",
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


class VoucherStateFilter(admin.SimpleListFilter):
    """The status as the owner thinks of it: "expired" is a ready voucher past its date."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Voucher.Status.choices[:1], ("expired", _("expired")), *Voucher.Status.choices[1:]]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "expired":
            return queryset.filter(status=Voucher.Status.ACTIVE, expires_at__lte=now)
        if self.value() == Voucher.Status.ACTIVE:
            return queryset.filter(status=Voucher.Status.ACTIVE, expires_at__gt=now)
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


class VoucherUseInline(admin.TabularInline):
    """Each use, and each use undone at the till (-1), where and when."""

    model = VoucherUse
    fields = ["created_at", "uses", "location"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    inlines = [VoucherUseInline]
    list_display = [
        "code",
        related_column("reward", _("reward"), ordering="reward__name"),
        related_column("wallet__member", _("member"), ordering="wallet__member__number"),
        "state",
        "source",
        "issued_at",
        "expires_at",
        "used_at",
    ]
    list_filter = [VoucherStateFilter, "source", ("reward", titled_filter(_("reward")))]
    list_select_related = ["reward", "wallet__member__user"]
    search_fields = ["code", "wallet__member__number", "wallet__member__user__email"]
    date_hierarchy = "issued_at"

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        return obj.state_label


@admin.register(StampEntry)
class StampEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "member",
        "card",
        "stamps",
        "completed",
        related_column("location", _("location"), ordering="location__name"),
        related_column("staff", _("staff"), ordering="staff__email"),
    ]
    list_filter = [
        ("progress__card", titled_filter(_("stamp card"))),
        ("location", titled_filter(_("location"))),
    ]
    list_select_related = ["progress__wallet__member__user", "progress__card", "location", "staff"]
    search_fields = ["progress__wallet__member__number", "progress__wallet__member__user__email"]
    date_hierarchy = "created_at"

    @admin.display(description=_("member"), ordering="progress__wallet__member__number")
    def member(self, obj):
        return obj.progress.wallet.member

    @admin.display(description=_("stamp card"), ordering="progress__card__name")
    def card(self, obj):
        return obj.progress.card


# The ledger (with its export and reversals) and the counter's records (visits, actions,
# refused scans, flags) are in their own modules.
from rewards import (  # noqa: E402, F401
    admin_api,
    admin_causes,
    admin_challenges,
    admin_counter,
    admin_feedback,
    admin_ledger,
    admin_membership,
    admin_partners,
    admin_programme,
    admin_surprise,
)

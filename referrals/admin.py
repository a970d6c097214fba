"""The owner's side: the programme's settings, the referrals with their reasons and the
review of flagged ones, and the figures above the list. Writes go through the services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from clubsite.admin_guards import SafeAutocompleteMixin
from clubsite.singleton import SingletonAdmin
from members.admin import related_column
from referrals import selectors, services
from referrals.errors import ReferralsError
from referrals.forms import ReferralProgramAdminForm
from referrals.models import Reason, Referral, ReferralCode, ReferralPayout, ReferralProgram


@admin.register(ReferralProgram)
class ReferralProgramAdmin(SafeAutocompleteMixin, SingletonAdmin):
    form = ReferralProgramAdminForm
    autocomplete_fields = ["referrer_reward", "friend_reward"]
    fieldsets = [
        (None, {"fields": ["is_active"]}),
        (
            _("What the member who invites gets"),
            {"fields": ["referrer_kind", "referrer_points", "referrer_reward"]},
        ),
        (_("What the friend gets"), {"fields": ["friend_kind", "friend_points", "friend_reward"]}),
        (
            _("When a referral qualifies"),
            {
                "fields": ["min_purchase_kr", "qualifies_on_visit", "qualify_within_days", "hold_days"],
                "description": _(
                    "Joining alone never pays: the friend's first purchase (or visit) at the counter does."
                ),
            },
        ),
        (
            _("Against cheating"),
            {
                "fields": ["cap_per_month", "burst_count", "burst_minutes"],
                "description": _(
                    "Self-referrals and friends who were already customers are always refused; "
                    "bursts and likely shared households wait for your review under Referrals."
                ),
            },
        ),
        (_("The invitation link"), {"fields": ["cookie_days"]}),
    ]


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return Reason.choices

    def queryset(self, request, queryset):
        if self.value() in Reason.values:
            return queryset.filter(reasons__contains=self.value())
        return queryset


class PayoutInline(admin.TabularInline):
    model = ReferralPayout
    fields = [
        "side",
        "member",
        "entry",
        "voucher",
        "value_points",
        "created_at",
        "reversed_at",
        "reverse_error",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    change_list_template = "admin/referrals/referral/change_list.html"
    list_display = [
        "created_at",
        "referrer",
        "friend",
        "channel",
        "status",
        "review",
        "reasons_shown",
        "qualified_at",
        "payable_at",
        "paid_at",
    ]
    list_filter = ["status", "review", ReasonFilter, "channel", "location"]
    list_select_related = ["referrer__user", "friend__user"]
    search_fields = [
        "referrer__number",
        "referrer__user__email",
        "referrer__user__phone",
        "referrer__user__first_name",
        "friend__number",
        "friend__user__email",
        "friend__user__phone",
        "friend__user__first_name",
    ]
    date_hierarchy = "created_at"
    inlines = [PayoutInline]
    actions = ["approve", "reject"]

    def get_fields(self, request, obj=None):
        # The reasons in words where the stored codes ("cap_reached,burst_ip") would be.
        names = [field.name for field in self.model._meta.concrete_fields if field.name != "id"]
        return ["reasons_shown" if name == "reasons" else name for name in names]

    def get_readonly_fields(self, request, obj=None):
        # Evidence, like the ledger: the owner decides with the actions, never by editing.
        return [field.name for field in self.model._meta.concrete_fields] + ["reasons_shown"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reasons"))
    def reasons_shown(self, obj):
        return ", ".join(obj.reason_labels) or "—"

    def _review(self, request, queryset, decide, done):
        changed = 0
        for referral in queryset.select_related("referrer__user", "friend__user"):
            try:
                decide(referral=referral, by=request.user)
            except ReferralsError as error:
                self.message_user(request, f"{referral}: {error.message}", messages.WARNING)
            else:
                changed += 1
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)

    @admin.action(
        description=_("Approve the flagged referrals (they are paid when due)"), permissions=["change"]
    )
    def approve(self, request, queryset):
        self._review(request, queryset, services.referral_approve, _("Approved: %(count)s."))

    @admin.action(description=_("Reject (never paid)"), permissions=["change"])
    def reject(self, request, queryset):
        self._review(request, queryset, services.referral_reject, _("Rejected: %(count)s."))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "figures": selectors.referral_figures()}
        return super().changelist_view(request, extra_context)


@admin.register(ReferralCode)
class ReferralCodeAdmin(admin.ModelAdmin):
    list_display = ["code", related_column("member", _("member"), ordering="member__number"), "created_at"]
    list_select_related = ["member__user"]
    search_fields = ["code", "member__number", "member__user__email", "member__user__first_name"]
    readonly_fields = ["code", "member", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferralPayout)
class ReferralPayoutAdmin(admin.ModelAdmin):
    """What each side of a referral was given (and whether it was taken back): evidence."""

    list_display = [
        "created_at",
        related_column("referral", _("referral")),
        "side",
        "member",
        "entry",
        "voucher",
        "value_points",
        "reversed_at",
    ]
    list_filter = ["side", "created_at"]
    list_select_related = [
        "referral__referrer__user",
        "referral__friend__user",
        "member__user",
        "entry",
        "voucher__reward",
    ]
    search_fields = ["member__number", "member__user__email", "member__user__first_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

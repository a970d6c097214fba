from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns import admin_campaigns, admin_flows, admin_nps  # noqa: F401 - register their own admin
from campaigns.models import CampaignSettings, ClubEconomics, Goal, Segment, SegmentCondition, TierChange
from campaigns.segments.forms import ConditionFormSet, SegmentConditionForm, conditions_from
from campaigns.segments.selectors import segment_count, segment_sample
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


@admin.register(CampaignSettings)
class CampaignSettingsAdmin(SingletonAdmin):
    fieldsets = [
        (
            _("VIP, regulars and occasional customers"),
            {
                "fields": ["rfm_months", "vip_percent", "regular_percent"],
                "description": _(
                    "Members who bought are ranked by what they spent (refunds subtracted). The "
                    "dashboard's split and the segments' condition use these shares."
                ),
            },
        ),
        (
            _("Contact budget and quiet hours"),
            {
                "fields": [
                    "emails_per_month",
                    "sms_per_month",
                    "day_starts",
                    "day_ends",
                    "quiet_sundays",
                    "email_quiet_too",
                    "priority",
                ],
                "description": _(
                    "Checked when each message goes, for campaigns and flows alike: one budget per "
                    "member, lowered by the member's own choice of how often."
                ),
            },
        ),
        (_("Measuring and prices"), {"fields": ["attribution_days", "sms_price_ore"]}),
        (
            _("Standing holdout and survey"),
            {"fields": ["club_holdout_percent", "club_holdout_months", "nps_points"]},
        ),
    ]


class SegmentConditionInline(admin.TabularInline):
    model = SegmentCondition
    form = SegmentConditionForm
    formset = ConditionFormSet
    extra = 1
    verbose_name = _("condition")
    verbose_name_plural = _("conditions: fill in the values the condition needs, leave the others empty")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A condition picks a tier, card, shop or interest; editing those belongs on their own
        # pages, and the pencil and plus icons would crowd a row that is already wide.
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            field.widget.can_add_related = field.widget.can_change_related = False
            field.widget.can_view_related = False
        return field


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    """A segment with its live count while it is edited (static/js/segment_count.js)."""

    change_form_template = "admin/campaigns/segment/change_form.html"
    list_display = ["name", "match", "conditions_text", "updated_at"]
    search_fields = ["name"]
    fields = ["name", "match", "description"]
    inlines = [SegmentConditionInline]

    def get_queryset(self, request):
        conditions = SegmentCondition.objects.select_related("tier", "card", "location", "interest")
        return super().get_queryset(request).prefetch_related(Prefetch("conditions", queryset=conditions))

    @admin.display(description=_("conditions"))
    def conditions_text(self, segment):
        joiner = f" {gettext('or')} " if segment.match == Segment.Match.ANY else f" {gettext('and')} "
        return joiner.join(str(c) for c in segment.conditions.all()) or gettext("every member")

    def get_urls(self):
        own = [path("count/", self.admin_site.admin_view(self.count_view), name="campaigns_segment_count")]
        return own + super().get_urls()

    def count_view(self, request):
        """The count and sample of the form as it stands (POSTed by the page's script)."""
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        segment = Segment(match=request.POST.get("match") or Segment.Match.ALL)
        conditions, left_out = conditions_from(request.POST, segment)
        return TemplateResponse(
            request, "admin/campaigns/segment/_count.html", count_context(segment, conditions, left_out)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        segment = obj or Segment()
        conditions = list(segment.conditions.all()) if obj else []
        context.update(count_context(segment, conditions, []))
        return super().render_change_form(request, context, add, change, form_url, obj)


def count_context(segment: Segment, conditions: list[SegmentCondition], left_out: list[int]) -> dict:
    return {
        "segment_count": segment_count(segment.match, conditions),
        "segment_sample": segment_sample(segment.match, conditions),
        "left_out": left_out,
    }


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    """The owner's goals; the dashboard follows each at its milestones."""

    list_display = ["__str__", "starts_on"]
    fields = ["measure", "baseline", "target", "starts_on", "months"]

"""The owner's campaigns in admin: write, preview as a real member, test, send or schedule,
pause, resume, cancel, and see who was reached and who was not, and why."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns import services
from campaigns.errors import CampaignsError
from campaigns.experiments.results import detectable_lift, experiment_result
from campaigns.experiments.services import experiment_use_winner
from campaigns.experiments.views import experiment_view
from campaigns.models import Campaign, CampaignContent, CampaignSettings, LocalEvent, Message, Variant
from campaigns.segments.selectors import segment_members
from campaigns.sending.content import MERGE_FIELDS, render, sms_parts, unknown_fields
from campaigns.sending.report import campaign_report
from campaigns.sending.selectors import audience_preview
from campaigns.tasks import campaigns_run
from clubsite.replica import from_replica
from members.models import Member


def merge_field_list() -> str:
    return ", ".join(f"{{{name}}} ({label})" for name, (label, _value) in MERGE_FIELDS.items())


class CampaignContentForm(forms.ModelForm):
    class Meta:
        model = CampaignContent
        fields = ["language", "variant", "subject", "body", "sms"]
        widgets = {"sms": forms.Textarea(attrs={"rows": 3, "data-sms-count": ""})}

    def clean(self):
        cleaned = super().clean()
        for field in ("subject", "body", "sms"):
            unknown = unknown_fields(cleaned.get(field) or "")
            if unknown:
                self.add_error(
                    field,
                    _("Unknown merge field: %(fields)s. Check the spelling against the list above.")
                    % {"fields": ", ".join(f"{{{name}}}" for name in unknown)},
                )
        return cleaned


class WhileDraftOrStep:
    """A campaign's texts and variants change while it is a draft; a flow step's at any time."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == Campaign.Status.DRAFT or obj.flow_id is not None
        )

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)


class CampaignContentInline(WhileDraftOrStep, admin.StackedInline):
    model = CampaignContent
    form = CampaignContentForm
    extra = 1
    max_num = 12  # three languages, four variants
    verbose_name_plural = _("texts per language (Norwegian is needed; members without their language get it)")


class VariantFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        shares = [
            form.cleaned_data.get("share") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if sum(shares) > 100:
            raise forms.ValidationError(_("The variants' shares add up to more than 100 percent."))


class VariantInline(WhileDraftOrStep, admin.TabularInline):
    model = Variant
    formset = VariantFormSet
    extra = 0
    max_num = 4
    fields = ["letter", "share", "offer", "delay_hours"]


class CampaignForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        # Only a flow's step goes without a segment (its trigger picks the members). The
        # model's constraint says so too, but a form without the flow field skips it.
        if "segment" in self.fields and not cleaned.get("segment") and self.instance.flow_id is None:
            self.add_error("segment", _("Choose the segment the campaign goes to."))
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    change_form_template = "admin/campaigns/campaign/change_form.html"
    list_display = ["name", "segment", "channel", "status", "send_at", "repeat", "sent", "not_sent"]
    list_filter = ["status", "channel", "repeat", "flow"]
    list_select_related = ["segment"]
    search_fields = ["name"]
    fields = [
        "name",
        "segment",
        "channel",
        "offer",
        "send_at",
        "repeat",
        "holdout_percent",
        "flow",
        "delay_days",
    ]
    inlines = [VariantInline, CampaignContentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sent=Count("messages", filter=Q(messages__status=Message.Status.SENT)),
                n_not_sent=Count("messages", filter=Q(messages__status=Message.Status.SUPPRESSED)),
            )
        )

    @admin.display(description=_("sent"), ordering="n_sent")
    def sent(self, campaign):
        return campaign.n_sent

    @admin.display(description=_("not sent"), ordering="n_not_sent")
    def not_sent(self, campaign):
        return campaign.n_not_sent

    def has_delete_permission(self, request, obj=None):
        # A campaign that has started is the record of what members were sent: it stays.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Campaign.Status.DRAFT)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.flow_id:  # a flow's step: its trigger, not a date, sends it
            return ["name", "flow", "delay_days", "segment", "channel", "offer", "holdout_percent", "winner"]
        return [f for f in self.fields if f not in ("flow", "delay_days")]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.flow_id:
            return ["flow", "status", "winner"]  # a step's texts can change while its flow runs
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return [*self.fields, "status"]  # what went out stays as it was written
        return ["status"] if obj else []

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/do/<str:action>/",
                self.admin_site.admin_view(self.act_view),
                name="campaigns_campaign_act",
            ),
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="campaigns_campaign_preview",
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["merge_fields"] = merge_field_list()
        context["sms_price_ore"] = CampaignSettings.load().sms_price_ore
        if obj is not None:
            context["preview"] = preview = (
                audience_preview(obj) if obj.status == Campaign.Status.DRAFT else None
            )
            with from_replica():  # the report and the experiment read every message and purchase
                context["report"] = report = campaign_report(obj)
                context["experiment"] = experiment_view(experiment_result(obj))
            context["detectable"] = detectable_lift(obj) if obj.status == Campaign.Status.DRAFT else None
            context["not_sent"] = (
                report.suppressed if report.written else (preview.suppressed if preview else {})
            )
            context["chart"] = {
                "days": [row.day.isoformat() for row in report.days],
                "buyers": [row.buyers for row in report.days],
                "revenue": [row.revenue_ore / 100 for row in report.days],
                "labels": {"buyers": gettext("Buyers"), "revenue": gettext("Revenue (kr)")},
            }
            context["reasons"] = dict(Message.Reason.choices)
            context["statuses"] = dict(Message.Status.choices)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _member_to_show(self, campaign: Campaign, number: str) -> Member | None:
        if number:
            typed = re.sub(r"[^0-9A-Za-z]", "", number).upper()  # "kar2-345q" as printed, or typos
            return Member.objects.filter(number=typed, erased_at=None).first() if typed else None
        segment = campaign.segment
        if segment is None:  # a flow's step for everyone its trigger meets
            return Member.objects.filter(erased_at=None).select_related("user").order_by("-pk").first()
        return segment_members(segment.match, segment.conditions.all()).select_related("user").first()

    def preview_view(self, request, object_id):
        """The message as a real member would get it: their name, points and language."""
        campaign = get_object_or_404(Campaign, pk=object_id)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        number = request.GET.get("member", "").strip()
        member = self._member_to_show(campaign, number)
        context = {
            **self.admin_site.each_context(request),
            "campaign": campaign,
            "opts": self.opts,
            "member": member,
        }
        if member is None:
            context["error"] = (
                gettext("No member with that number in the club.")
                if number
                else gettext("The segment is empty.")
            )
        else:
            try:
                context["rendered"] = rendered = render(campaign, member)
            except ValueError:
                context["error"] = str(CampaignsError("no_text").message)
            else:
                context["sms_parts"] = sms_parts(rendered.sms)
        return TemplateResponse(request, "admin/campaigns/campaign/preview.html", context)

    def act_view(self, request, object_id, action):
        campaign = get_object_or_404(Campaign, pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, campaign):
            raise PermissionDenied
        done = {
            "send": gettext("The campaign is on its way."),
            "schedule": gettext("The campaign is scheduled."),
            "pause": gettext("The campaign is paused: nothing more goes out until you resume it."),
            "resume": gettext("The campaign goes on."),
            "cancel": gettext("The campaign is cancelled: nothing more goes out."),
            "test": gettext("A test was sent to you."),
            "winner": gettext("From now on everyone entering the step gets the winning variant."),
        }
        if action not in done:
            raise PermissionDenied
        try:
            self._act(request, campaign, action)
        except CampaignsError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, done[action], messages.SUCCESS)
            self.log_change(request, campaign, done[action])
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    def _act(self, request, campaign: Campaign, action: str) -> None:
        if action == "send":
            services.campaign_schedule(campaign=campaign)
            _run_soon()
        elif action == "schedule":
            if campaign.send_at is None:
                raise CampaignsError("no_send_at")
            services.campaign_schedule(campaign=campaign, send_at=campaign.send_at)
        elif action == "pause":
            services.campaign_pause(campaign=campaign)
        elif action == "resume":
            services.campaign_resume(campaign=campaign)
            _run_soon()
        elif action == "cancel":
            services.campaign_cancel(campaign=campaign)
        elif action == "winner":
            experiment_use_winner(step=campaign, letter=request.POST.get("letter", ""))
        elif action == "test":
            member = self._member_to_show(campaign, request.POST.get("member", ""))
            if member is None:
                raise CampaignsError("no_member")
            services.campaign_test_send(campaign=campaign, member=member, to_user=request.user)


def _run_soon() -> None:
    """Start sending now rather than at beat's next minute (in the embedded default, where
    tasks run in-process, this sends before the page comes back)."""
    transaction.on_commit(campaigns_run.delay)


@admin.register(LocalEvent)
class LocalEventAdmin(admin.ModelAdmin):
    """The owner's own dates on the campaign calendar (campaigns:calendar)."""

    list_display = ["name", "starts_on", "ends_on", "every_year"]
    list_filter = ["every_year"]
    search_fields = ["name"]
    date_hierarchy = "starts_on"

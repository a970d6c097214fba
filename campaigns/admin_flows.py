"""The owner's flows in admin: switch each on or off, set its days, and write its steps (each
step is a campaign of the flow: its texts, offer and report are on the campaign's page)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from campaigns.flows.services import flow_switch
from campaigns.models import Campaign, Flow


class StepInline(admin.TabularInline):
    model = Campaign
    fk_name = "flow"
    fields = ["name", "delay_days", "channel", "offer", "status"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True
    ordering = ["delay_days", "pk"]
    verbose_name = _("step")
    verbose_name_plural = _("steps (open a step to write its texts per language and see its report)")

    def has_delete_permission(self, request, obj=None):
        return False  # a step that has sent is the record of what went out: pause the flow instead


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "enabled", "days", "step_count", "enabled_at"]
    fields = ["kind", "enabled", "days", "only_from_now", "enabled_at"]
    readonly_fields = ["enabled_at"]
    inlines = [StepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_steps=Count("steps"))

    @admin.display(description=_("steps"), ordering="n_steps")
    def step_count(self, flow):
        return flow.n_steps

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "enabled_at"] if obj else ["enabled_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off: its steps' messages are the record of what was sent

    def save_model(self, request, obj, form, change):
        # On and off go through flow_switch (save_related), which dates the start and drops
        # what a flow switched off has not sent yet.
        obj.enabled = Flow.objects.filter(pk=obj.pk).values_list("enabled", flat=True).first() or False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        flow_switch(flow=form.instance, on=form.cleaned_data["enabled"])

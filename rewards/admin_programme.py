"""Changing the live programme in admin: the earning rate, the points' value, their expiry,
tier thresholds and stamp-card sizes, each change dated, with its effect shown before it is
saved (rewards.services.programme)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rewards.config import config
from rewards.models import PointsProgram, ProgrammeChange, StampCard, Tier
from rewards.services.programme import programme_change_apply, programme_preview

PROGRAM_FIELDS = ("points_per_krone", "redeem_points", "redeem_value_kr", "expiry_months")


class ProgrammeChangeForm(forms.Form):
    """The programme as it is, to change what should change; a field left as it is stays."""

    effective_at = forms.DateTimeField(
        label=_("Takes effect"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Now or later. A change dated now applies when it is saved."),
    )
    points_per_krone = forms.DecimalField(
        label=_("points per krone"), min_value=Decimal("0"), max_digits=6, decimal_places=2
    )
    redeem_points = forms.IntegerField(label=_("points"), min_value=1, help_text=_("… are worth …"))
    redeem_value_kr = forms.IntegerField(label=_("kroner"), min_value=0)
    expiry_months = forms.IntegerField(label=_("points expire after (months)"), min_value=0, max_value=120)
    note = forms.CharField(label=_("why"), max_length=200, required=False)

    def __init__(self, *args, program: PointsProgram, tiers: list[Tier], cards: list[StampCard], **kwargs):
        super().__init__(*args, **kwargs)
        self.program, self.tiers, self.cards = program, tiers, cards
        self.fields["effective_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for name in PROGRAM_FIELDS:
            self.fields[name].initial = getattr(program, name)
        for tier in tiers:
            self.fields[f"tier_{tier.pk}"] = forms.IntegerField(
                label=_("Threshold of %(tier)s") % {"tier": tier.name}, min_value=0, initial=tier.threshold
            )
        for card in cards:
            self.fields[f"card_{card.pk}"] = forms.IntegerField(
                label=_("Stamps for a full %(card)s") % {"card": card.name},
                min_value=1,
                max_value=100,
                initial=card.stamps_needed,
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["effective_at"] < timezone.now() - timedelta(minutes=5):
            self.add_error("effective_at", _("The date has passed: choose now or a moment to come."))
        thresholds = [cleaned[f"tier_{tier.pk}"] for tier in self.tiers]
        if thresholds != sorted(set(thresholds)):
            raise forms.ValidationError(
                _("Keep the tiers in their order, each threshold above the one before.")
            )
        if not _changes_anything(self.change_of()):
            raise forms.ValidationError(_("Nothing is changed: change a figure, or leave the page."))
        return cleaned

    def change_of(self) -> ProgrammeChange:
        """The change the form says, unsaved: only the figures that differ from today's."""
        data, change = self.cleaned_data, ProgrammeChange(effective_at=self.cleaned_data["effective_at"])
        for name in PROGRAM_FIELDS:
            if data[name] != getattr(self.program, name):
                setattr(change, name, data[name])
        change.tier_thresholds = {
            str(t.pk): data[f"tier_{t.pk}"] for t in self.tiers if data[f"tier_{t.pk}"] != t.threshold
        }
        change.card_sizes = {
            str(c.pk): data[f"card_{c.pk}"] for c in self.cards if data[f"card_{c.pk}"] != c.stamps_needed
        }
        change.note = data.get("note", "")
        return change


def _changes_anything(change: ProgrammeChange) -> bool:
    figures = any(getattr(change, name) is not None for name in PROGRAM_FIELDS)
    return figures or bool(change.tier_thresholds or change.card_sizes)


@admin.register(ProgrammeChange)
class ProgrammeChangeAdmin(admin.ModelAdmin):
    list_display = ["effective_at", "__str__", "applied_at", "created_by"]
    list_select_related = ["created_by"]
    fields = [
        "effective_at",
        "note",
        *PROGRAM_FIELDS,
        "tier_thresholds",
        "card_sizes",
        "preview",
        "created_by",
        "applied_at",
    ]
    change_list_template = "admin/rewards/programmechange/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return self.fields  # a change is the record of what changed when: a new one corrects it

    def has_add_permission(self, request):
        return False  # through "new" below, with its preview

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.applied_at is None and super().has_delete_permission(request, obj)

    def get_urls(self):
        own = [path("new/", self.admin_site.admin_view(self.new_view), name="rewards_programmechange_new")]
        return own + super().get_urls()

    def new_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        settings = config()
        form = ProgrammeChangeForm(
            request.POST or None,
            program=PointsProgram.load(),
            tiers=list(Tier.objects.order_by("threshold")),
            cards=list(StampCard.objects.filter(is_active=True).order_by("name")),
        )
        preview = None
        if request.method == "POST" and form.is_valid():
            change = form.change_of()
            preview = programme_preview(change)
            if "confirm" in request.POST:
                change.preview, change.created_by = preview.as_dict(), request.user
                change.save()
                applied = programme_change_apply(change=change)
                self.log_addition(request, change, gettext("Programme change saved"))
                self.message_user(
                    request,
                    gettext("The change is made.")
                    if applied
                    else gettext("The change is saved and applies on its date."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:rewards_programmechange_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Change the programme"),
            "form": form,
            "preview": preview,
            "program": settings.program,
        }
        return TemplateResponse(request, "admin/rewards/programmechange/new.html", context)

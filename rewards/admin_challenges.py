"""Challenges and badges in admin. Saving one evaluates every member (a task, after the
save commits): a challenge that counts the past is completed at once by those who have
done it, and a new badge level is awarded to those who have reached it."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from clubsite.admin_guards import SafeAutocompleteMixin
from rewards import tasks
from rewards.admin import ReadOnlyAdmin
from rewards.models import Badge, BadgeAward, BadgeLevel, Challenge, ChallengeCompletion
from rewards.registry import audiences


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = [
            "name",
            "description",
            "is_active",
            "goal",
            "target",
            "starts_on",
            "ends_on",
            "count_past",
            "points",
            "reward",
            "tier",
            "audience",
            "hidden",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Everyone")), *audiences.choices()]
        current = self.instance.audience
        if current and current not in dict(choices):  # a segment deleted since: say so, keep it
            choices.append((current, _("(a deleted segment: nobody)")))
        self.fields["audience"] = forms.ChoiceField(
            label=self.fields["audience"].label,
            help_text=self.fields["audience"].help_text,
            choices=choices,
            required=False,
        )


def _evaluate_everyone_after_commit() -> None:
    transaction.on_commit(tasks.achievements_all.delay)


@admin.register(Challenge)
class ChallengeAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = ChallengeForm
    list_display = ["name", "goal", "target", "starts_on", "ends_on", "hidden", "completed", "is_active"]
    list_filter = ["is_active", "goal", "hidden"]
    search_fields = ["name"]
    autocomplete_fields = ["reward"]
    fieldsets = [
        (None, {"fields": ["name", "description", "is_active"]}),
        (_("Goal"), {"fields": ["goal", "target", "starts_on", "ends_on", "count_past"]}),
        (_("Reward"), {"fields": ["points", "reward"]}),
        (_("Who takes part"), {"fields": ["tier", "audience", "hidden"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_completed=Count("completions", filter=Q(completions__revoked_at=None)))
        )

    @admin.display(description=_("completed by"), ordering="n_completed")
    def completed(self, challenge):
        return challenge.n_completed

    def has_delete_permission(self, request, obj=None):
        # Completed ones are the record of rewards paid: switch it off instead.
        return super().has_delete_permission(request, obj) and (obj is None or not obj.completions.exists())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _evaluate_everyone_after_commit()


class BadgeLevelInline(admin.TabularInline):
    model = BadgeLevel
    extra = 1
    fields = ["name", "threshold"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or not BadgeAward.objects.filter(level__badge=obj).exists()
        )


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "goal", "levels_shown", "awarded", "is_active"]
    list_filter = ["is_active", "goal"]
    fields = ["name", "description", "goal", "count_past", "is_active"]
    inlines = [BadgeLevelInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("levels")
            .annotate(n_awarded=Count("levels__awards"))
        )

    @admin.display(description=_("levels"))
    def levels_shown(self, badge):
        return ", ".join(f"{level.name} ({level.threshold})" for level in badge.levels.all())

    @admin.display(description=_("awarded"), ordering="n_awarded")
    def awarded(self, badge):
        return badge.n_awarded

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or not BadgeAward.objects.filter(level__badge=obj).exists()
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _evaluate_everyone_after_commit()


@admin.register(ChallengeCompletion)
class ChallengeCompletionAdmin(ReadOnlyAdmin):
    """Who completed what and what they got; a completion taken back says what was kept."""

    list_display = ["challenge", "member", "completed_at", "round", "revoked_at", "kept"]
    list_filter = ["challenge", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["challenge", "member__user"]
    search_fields = ["member__number", "challenge__name"]
    readonly_fields = [
        "challenge",
        "member",
        "round",
        "completed_at",
        "entry",
        "voucher",
        "revoked_at",
        "kept",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

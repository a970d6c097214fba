"""Reviews and polls in admin: the owner (or customer service) approves a review before it is
shown, and reads a poll's answers counted per choice."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.admin import related_column
from rewards.models import Poll, Review
from rewards.services.feedback import review_decide


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        related_column("member", _("member"), ordering="member__number"),
        "location",
        "rating",
        "status",
    ]
    list_filter = ["status", "location", "rating"]
    list_select_related = ["member__user", "location"]
    fields = ["member", "location", "rating", "text", "created_at", "status", "decided_at", "decided_by"]
    readonly_fields = fields
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # members write them

    def has_delete_permission(self, request, obj=None):
        return False  # reject instead: the member's review is kept as written

    def _decide(self, request, queryset, approve: bool):
        decided = sum(
            review_decide(review=review, approve=approve, by=request.user)
            for review in queryset.select_related("member")
        )
        self.message_user(request, gettext("%(n)s decided.") % {"n": decided}, messages.SUCCESS)

    @admin.action(description=_("Approve: show it (and give the review points)"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Do not show it"))
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "is_active", "answer_count", "created_at"]
    fields = ["question", "choices", "is_active", "results"]
    readonly_fields = ["results"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_answers=Count("answers"))

    @admin.display(description=_("answers"), ordering="n_answers")
    def answer_count(self, poll):
        return poll.n_answers

    @admin.display(description=_("answers so far"))
    def results(self, poll):
        if poll.pk is None:
            return "—"
        counts = dict(poll.answers.values_list("choice").annotate(n=Count("pk")).order_by())
        return format_html_join(
            "", "<p>{}: {}</p>", ((choice, counts.get(choice, 0)) for choice in poll.choice_list)
        )

    def get_readonly_fields(self, request, obj=None):
        # Once answered, the choices stay as the members saw them.
        return ["results", "choices"] if obj is not None and obj.answers.exists() else ["results"]

    def has_delete_permission(self, request, obj=None):
        return False  # close it instead: its answers stay

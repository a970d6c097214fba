"""Survey answers in admin: the owner and customer service follow up on low scores (open ->
contacted -> resolved, with a note); the answer itself is the member's and stays as given."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.models import NpsAnswer


@admin.register(NpsAnswer)
class NpsAnswerAdmin(admin.ModelAdmin):
    list_display = ["answered_at", "member", "score", "kind", "location", "follow_up"]
    list_filter = ["follow_up", "location"]
    list_select_related = ["member__user", "location"]
    search_fields = ["member__number", "comment"]
    date_hierarchy = "answered_at"
    fields = ["member", "score", "comment", "location", "answered_at", "follow_up", "follow_up_note"]
    readonly_fields = ["member", "score", "comment", "location", "answered_at"]

    @admin.display(description=_("kind"))
    def kind(self, answer):
        return {"promoter": _("promoter"), "passive": _("passive"), "detractor": _("detractor")}[
            answer.category
        ]

    def has_add_permission(self, request):
        return False  # answers come from members, through the survey link

    def has_delete_permission(self, request, obj=None):
        return False

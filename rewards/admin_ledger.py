"""The ledger in the owner's admin: read-only, exported as CSV, corrected by reversals that
the wallet service posts (with a reason the owner must give)."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.forms import ExportForm

from clubsite.admin_guards import SafeExportMixin
from clubsite.tabular import EXPORT_FORMATS, SafeTextWidget
from members.admin import related_column
from rewards import services
from rewards.admin import ReadOnlyAdmin
from rewards.errors import RewardsError
from rewards.forms_admin import ReverseEntryForm
from rewards.models import LedgerEntry
from rewards.selectors import reason_label


class LedgerExportResource(resources.ModelResource):
    """The ledger as the owner's accountant reads it: one row per movement of points."""

    member_number = fields.Field(attribute="wallet__member__number", column_name="member_number")
    reason = fields.Field(attribute="reason", column_name="reason", widget=SafeTextWidget())
    location = fields.Field(attribute="location__name", column_name="location")
    staff = fields.Field(attribute="staff__email", column_name="staff")
    reverses = fields.Field(attribute="reverses_id", column_name="reverses")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "created_at",
            "member_number",
            "kind",
            "points",
            "remaining",
            "expires_at",
            "amount_ore",
            "reason",
            "location",
            "staff",
            "reverses",
        ]
        export_order = fields
        # Plain numbers: a file for machines and spreadsheets, not "1 200" in the owner's language.
        widgets = {name: {"coerce_to_string": False} for name in ["id", "points", "remaining", "amount_ore"]}


# Reversal keys are fixed per entry: a double click on "Reverse" replays the first reversal.
REVERSE_KEY = "admin-reverse:{pk}"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(SafeExportMixin, ExportMixin, ReadOnlyAdmin):
    list_display = [
        "created_at",
        related_column("wallet__member", _("member"), ordering="wallet__member__number"),
        "kind",
        "points",
        "remaining",
        "expires_at",
        "reason_text",
        "location",
        "staff",
        "reversed",
    ]
    list_filter = ["kind", "location", "expires_at"]
    list_select_related = ["wallet__member__user", "location", "staff", "reversal"]
    search_fields = ["wallet__member__number", "wallet__member__user__email", "reason"]
    date_hierarchy = "created_at"
    actions = ["reverse_entries"]
    change_form_template = "admin/rewards/ledgerentry/change_form.html"
    # Export: the rows the owner has filtered, as CSV (Excel reads its byte-order mark) or xlsx.
    resource_classes = [LedgerExportResource]
    formats = EXPORT_FORMATS
    export_form_class = ExportForm
    to_encoding = "utf-8-sig"

    @admin.display(description=_("reason"), ordering="reason")
    def reason_text(self, obj):
        return reason_label(obj.reason)

    @admin.display(boolean=True, description=_("reversed"))
    def reversed(self, obj):
        return hasattr(obj, "reversal")

    def get_export_filename(self, request, queryset, file_format):
        return f"ledger-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/reverse/",
                self.admin_site.admin_view(self.reverse_view),
                name="rewards_ledgerentry_reverse",
            )
        ]
        return own + super().get_urls()

    # The owner may reverse (a write through the service) although the row itself is read-only.
    def has_reverse_permission(self, request):
        return request.user.has_perm("rewards.change_wallet")

    @admin.action(description=_("Reverse the selected entries (asks for a reason)"), permissions=["reverse"])
    def reverse_entries(self, request, queryset):
        return self._reverse(request, list(queryset.select_related("wallet__member__user")))

    def reverse_view(self, request, object_id):
        entry = (
            LedgerEntry.objects.select_related("wallet__member__user").filter(pk=object_id).first()
            if self.has_reverse_permission(request)
            else None
        )
        if entry is None:
            self.message_user(request, _("This entry cannot be reversed here."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:rewards_ledgerentry_changelist"))
        response = self._reverse(request, [entry])
        return response or HttpResponseRedirect(reverse("admin:rewards_ledgerentry_change", args=[entry.pk]))

    def _reverse(self, request, entries):
        """The intermediate page: a reason is required; each entry is reversed by the wallet
        service (which refuses what cannot be reversed, with a message saying why)."""
        form = ReverseEntryForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Reverse ledger entries"),
                "form": form,
                "entries": entries,
                "opts": self.opts,
                "from_action": "action" in request.POST,
            }
            return render(request, "admin/rewards/ledgerentry/reverse.html", context)
        done = 0
        for entry in entries:
            try:
                result = services.entry_reverse(
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                    staff=request.user,
                    idempotency_key=REVERSE_KEY.format(pk=entry.pk),
                )
            except RewardsError as error:
                self.message_user(request, f"{entry.wallet}, {entry}: {error.message}", messages.ERROR)
                continue
            if result.replayed:
                message = RewardsError("already_reversed").message
                self.message_user(request, f"{entry.wallet}, {entry}: {message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, _("Reversed: %(count)s.") % {"count": done}, messages.SUCCESS)
        return None

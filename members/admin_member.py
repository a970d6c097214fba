"""The owner's member page in admin: the member with the panels the other apps register
(wallet, history, vouchers, referrals; the consents are ours), the GDPR buttons (export the
data, erase), and the import and export of the member list.

members.admin registers it; members.registry says how the other apps add their parts.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm
from import_export.results import RowResult
from import_export.tmp_storages import CacheStorage

from clubsite.admin_guards import SafeExportMixin
from clubsite.admin_site import changelist_url
from clubsite.tabular import IMPORT_FORMATS
from members import services as member_services
from members.admin import MemberAdmin
from members.imports import MemberExportResource, MemberImportResource, columns
from members.models import ConsentEvent, Member
from members.phone import InvalidPhoneNumber, phone_normalize
from members.registry import MemberPanel, member_columns, member_panels, panel_rows, panels

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MemberImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        return upload


class ContactForm(forms.Form):
    """The member's contact details as customer service corrects them, with the reason."""

    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Mobile number"), required=False, max_length=32)
    first_name = forms.CharField(label=_("First name"), max_length=60)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("E.g. «new number, asked in the shop». Kept in the admin history."),
    )

    def clean_phone(self):
        try:
            return phone_normalize(self.cleaned_data["phone"]) if self.cleaned_data["phone"].strip() else None
        except InvalidPhoneNumber:
            raise forms.ValidationError(_("Enter a mobile number, e.g. 412 34 567.")) from None


class EraseForm(forms.Form):
    how = forms.ChoiceField(
        label=_("How the member asked"),
        choices=[
            ("", "---------"),
            ("email", _("by e-mail")),
            ("phone", _("by phone")),
            ("in_person", _("in person, in the shop")),
            ("letter", _("by letter")),
            ("other", _("other")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("E.g. the date of the request. Kept in the admin history: no name, address or number."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked that the request comes from the member, and erasing cannot be undone."),
    )

    def __init__(self, *args, personal=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.personal = personal

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        # The note outlives the erasure: it must not bring back what was erased.
        if member_services.text_mentions(note, self.personal):
            raise forms.ValidationError(_("Leave the member's name, address and numbers out of the note."))
        return note


@admin.register(Member)
class OwnerMemberAdmin(SafeExportMixin, ImportExportMixin, MemberAdmin):
    change_form_template = "admin/members/member/owner_change_form.html"
    inlines = []  # the histories are the panels below, each cut short (registry.panel_rows)
    # Import and export (django-import-export).
    import_template_name = "admin/members/member/import.html"
    import_form_class = MemberImportForm
    export_form_class = ExportForm
    formats = IMPORT_FORMATS
    # The uploaded file waits between the dry run and the import in the cache (Redis in
    # production), which every worker shares; a temporary folder is one machine's.
    tmp_storage_class = CacheStorage
    to_encoding = "utf-8-sig"  # Excel reads the byte-order mark as "this is UTF-8"

    # --- The list: the other apps' columns (the points and the tier) after our own

    def get_list_display(self, request):
        own = ["number", "first_name", "last_name", "email", "phone", "joined_at"]
        return own + [f"column_{column.name}" for column in member_columns]

    def get_list_select_related(self, request):
        return ["user", *(column.select_related for column in member_columns)]

    # --- The member page: our fields, then the panels the apps registered

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets += [
                (panel.title, {"fields": [f"panel_{panel.key}"], "classes": ["member-panel"]})
                for panel in panels()
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f"panel_{panel.key}" for panel in panels()] if obj is not None else fields

    def __getattr__(self, name):
        """The display functions of the registered panels and columns (panel_<key>,
        column_<name>), as the admin looks them up by name."""
        for panel in member_panels:
            if name == f"panel_{panel.key}":
                return admin.display(description="")(lambda member, panel=panel: panel.render(member))
        for column in member_columns:
            if name == f"column_{column.name}":
                show = admin.display(description=column.label, ordering=column.ordering)
                return show(lambda member, column=column: column.value(member))
        raise AttributeError(name)

    # --- GDPR: export the member's data, erase the member

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/export-data/",
                self.admin_site.admin_view(self.export_data_view),
                name="members_member_export_data",
            ),
            path(
                "<int:object_id>/contact/",
                self.admin_site.admin_view(self.contact_view),
                name="members_member_contact",
            ),
            path(
                "<int:object_id>/erase/",
                self.admin_site.admin_view(self.erase_view),
                name="members_member_erase",
            ),
        ]
        return own + super().get_urls()

    def _member_or_back(self, request, object_id) -> Member:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(Member.objects.select_related("user"), pk=object_id)

    def _back(self, member: Member) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:members_member_change", args=[member.pk]))

    def export_data_view(self, request, object_id):
        member = self._member_or_back(request, object_id)
        try:
            filename, archive = member_services.member_export_archive(member=member)
        except member_services.MembersError as error:
            self.message_user(request, error.message, messages.ERROR)
            return self._back(member)
        self.log_change(request, member, gettext("Exported the member's data (GDPR request)."))
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def contact_view(self, request, object_id):
        """Correct the contact details (customer service, at the member's request)."""
        member = self._member_or_back(request, object_id)
        user = member.user
        initial = {
            "email": user.email,
            "phone": user.phone,
            "first_name": user.first_name,
            "last_name": user.last_name,
        }
        form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = member_services.member_contact_update(
                    member=member,
                    email=data["email"],
                    phone=data["phone"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    reason=data["reason"],
                )
            except member_services.MembersError as error:
                form.add_error(None, error.message)
            else:
                labels = ", ".join(str(form.fields[name].label) for name in changed) or gettext("nothing")
                record = gettext("Contact details changed (%(fields)s): %(reason)s")
                self.log_change(request, member, record % {"fields": labels, "reason": data["reason"]})
                self.message_user(request, _("The contact details were saved."), messages.SUCCESS)
                return self._back(member)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change contact details"),
            "opts": self.opts,
            "original": member,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/members/member/contact.html", context, status=400 if form.errors else 200
        )

    # The list's import and export are the owner's (customer service handles one member).
    def has_import_permission(self, request):
        return request.user.is_owner

    def has_export_permission(self, request):
        return request.user.is_owner

    def erase_view(self, request, object_id):
        member = self._member_or_back(request, object_id)
        if member.is_erased:
            self.message_user(request, member_services.MembersError("already_erased").message, messages.ERROR)
            return self._back(member)
        form = EraseForm(
            request.POST if request.method == "POST" else None,
            personal=member_services.personal_values(member),
        )
        if form.is_valid():
            how = dict(form.fields["how"].choices)[form.cleaned_data["how"]]
            try:
                member = member_services.member_erase(member=member)
            except member_services.MembersError as error:
                self.message_user(request, error.message, messages.ERROR)
                return self._back(member)
            note = form.cleaned_data["note"]
            record = gettext("Erased at the member's request (%(how)s).") % {"how": how}
            self.log_change(request, member, f"{record} {note}".strip())
            self.message_user(request, _("The member's personal data was erased."), messages.SUCCESS)
            return self._back(member)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase member"),
            "opts": self.opts,
            "original": member,
            "form": form,
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/members/member/erase.html", context)

    # --- Import and export of the list

    def get_import_resource_classes(self, request):
        return [MemberImportResource]

    def get_export_resource_classes(self, request):
        return [MemberExportResource]

    def get_export_queryset(self, request):
        return MemberExportResource.annotate(super().get_export_queryset(request))

    def get_export_filename(self, request, queryset, file_format):
        return f"members-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_import_context_data(self, **kwargs):
        return {"columns": columns()}

    def import_action(self, request, **kwargs):
        """The library offers the import only when every row is valid; here the good rows
        can go in while the owner fixes the others (a second import skips what is in)."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result = context.get("result")
        if (
            result is not None
            and "confirm_form" not in context
            and not result.has_errors()
            and _importable(result)
        ):
            context["confirm_form"] = self.create_confirm_form(request, import_form=context["form"])
        if result is not None:
            context["counts"] = _counts(result)
        return response

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        form = self.create_confirm_form(request)
        if form.is_valid():
            choice = form.cleaned_data["format"]
            stored = self.get_tmp_storage_class()(name=form.cleaned_data["import_file_name"]).read()
            if stored is None or not choice.isdigit() or int(choice) >= len(self.get_import_formats()):
                # The file waited too long between the dry run and the import (the cache
                # forgot it), or the form was tampered with: start again rather than fail.
                self.message_user(request, _("The file is gone; upload it again."), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:members_member_import"))
        return super().process_import(request, **kwargs)

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _(
                "The file could not be read. Save it as CSV (UTF-8, commas or semicolons) or as "
                "an Excel workbook (.xlsx), with the column names on the first line."
            ),
        )

    def add_success_message(self, result, request):
        counts = _counts(result)
        self.message_user(
            request,
            _(
                "Import done: %(new)s new members, %(opening)s members given their opening "
                "points, %(skipped)s already there."
            )
            % counts,
            messages.SUCCESS,
        )


def _importable(result) -> bool:
    return any(
        row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE) for row in result.rows
    )


def _counts(result) -> dict[str, int]:
    totals = result.totals
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        # Members already here who get opening points (the only change to them), and all
        # members, new or already here, whose row adds its opening points.
        "points": totals[RowResult.IMPORT_TYPE_UPDATE],
        "opening": sum(
            1
            for row in result.rows
            if getattr(row, "adds_extras", False)
            and row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        ),
        "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
        "invalid": totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR],
    }


def consents_panel(member: Member) -> str:
    rows, total = panel_rows(ConsentEvent.objects.filter(member=member))
    return render_to_string(
        "admin/members/member/_consents.html",
        {
            "events": rows,
            "total": total,
            "all_url": changelist_url("members_consentevent", member__id__exact=member.pk),
        },
    )


member_panels.register(MemberPanel(key="consents", title=_("Consents"), render=consents_panel, order=50))

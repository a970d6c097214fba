"""Two admin mixins that turn a bad address or a bad posted value into a message, not a 500.

Both are gaps in what admin does with input it did not make itself:
- An autocomplete field shown again after a failed save looks up the posted value as the
  related row's key. "abc" for an integer key raised ValueError while the page was drawn.
- Export (django-import-export) builds the change list from the address's filters and lets
  a filter the list does not have (IncorrectLookupParameters) escape; the change list
  itself catches it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class _KeysOnlyAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        # Only values that can be a key of the related row are looked up; the field's own
        # error ("Select a valid choice") already tells the owner what was wrong.
        key = self.field.target_field
        return super().optgroups(name, [v for v in value if _is_key(key, v)], attr)


def _is_key(field, value) -> bool:
    if value in (None, ""):
        return True
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class SafeAutocompleteMixin:
    """For a ModelAdmin with autocomplete_fields that are foreign keys."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = _KeysOnlyAutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SafeExportMixin:
    """Before django-import-export's ExportMixin (or ImportExportMixin) in the bases."""

    def export_action(self, request, *args, **kwargs):
        try:
            return super().export_action(request, *args, **kwargs)
        except IncorrectLookupParameters:
            message = _("The address asks for a filter this list does not have: nothing was exported.")
            messages.error(request, message)
            opts = self.model._meta
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

"""Strings of the libraries we use that their Norwegian (and Swedish) catalogues lack.

Django 5.2's nb catalogue has no words yet for the admin's newest strings, and
django-import-export has no nb or sv catalogue at all, so the owner's admin showed
"Skip to main content", "Export" and "File to import". Marked here (gettext_noop: nothing
runs), makemessages puts them in our catalogue, which LOCALE_PATHS ranks above theirs.
tests/backoffice/test_admin_language.py finds any that come back.
"""

from django.utils.translation import gettext_noop as _

ADMIN = [
    _("Skip to main content"),
    _("Toggle theme (current theme: auto)"),
    _("Toggle theme (current theme: light)"),
    _("Toggle theme (current theme: dark)"),
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("Show counts"),
    _("Hide counts"),
]

IMPORT_EXPORT = [
    _("Export"),
    _("Export selected %(verbose_name_plural)s"),
    _("Import"),
    _("File to import"),
    _("Format"),
    _("Resource"),
    _("Select all"),
    _("Submit"),
    _("Confirm import"),
    _("Preview"),
    _("Errors"),
    _("Line number"),
    _("Row"),
    _("New"),
    _("Skipped"),
    _("Update"),
    _("Non field specific"),
    _("Some rows failed to validate"),
    _("This exporter will export the following fields: "),
    _("This importer will import the following fields: "),
    _("Please correct these errors in your data where possible, then reupload it using the form above."),
    _(
        "Below is a preview of data to be imported. If you are satisfied with the results, click 'Confirm import'"  # noqa: E501 (the library's msgid, whole)
    ),
]

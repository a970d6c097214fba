"""Members in from a spreadsheet (CSV or Excel), members out to one.

The owner moving from a paper card or another system imports the member list once, with a
dry run first that lists every row's problems and writes nothing. A row becomes a member
through members.services, its consents through members.services.consent_set (source
"import", the wording version the member agreed to). Columns of the other apps (rewards:
the opening points balance) are registered in members.registry and applied once per member,
so that importing the same file again finds the same members and posts nothing twice.
"""

from members.imports.resources import MemberExportResource, MemberImportResource, member_import_row
from members.imports.rows import BASE_COLUMNS, ImportRow, columns, match_existing, parse_row

__all__ = [
    "BASE_COLUMNS",
    "ImportRow",
    "MemberExportResource",
    "MemberImportResource",
    "columns",
    "match_existing",
    "member_import_row",
    "parse_row",
]

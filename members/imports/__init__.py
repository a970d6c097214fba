"""Members in from a spreadsheet (CSV or Excel), members out to one.

The owner moving from a paper card or another system imports the member list once, with a
dry run first that lists every row's problems and writes nothing. A row becomes a member
through members.services, its consents through members.services.consent_set (source
"import", the wording version the member agreed to), and its opening points balance through
rewards.services.points_award under a key made from the member, so that importing the same
file again finds the same members and posts nothing twice.

Here, in campaigns, because it writes through both members and rewards.
"""

from campaigns.imports.resources import MemberExportResource, MemberImportResource, member_import_row
from campaigns.imports.rows import COLUMNS, ImportRow, match_existing, opening_key, parse_row

__all__ = [
    "COLUMNS",
    "ImportRow",
    "MemberExportResource",
    "MemberImportResource",
    "match_existing",
    "member_import_row",
    "opening_key",
    "parse_row",
]

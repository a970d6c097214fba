"""What the members app tells the apps above it.

Most are sent after the transaction commits, so a receiver never sees (or acts on) a change
that is rolled back; receivers call services. The GDPR ones are different on purpose: they
ask the apps above for their part of a member's data, and are answered on the spot.
"""

from django.dispatch import Signal

# member_id
member_joined = Signal()
# member_id; sent when a member saves their profile (birthday, postcode, interests, names)
profile_updated = Signal()

# member_id; sent after the erasure has committed (nothing personal is left to send)
member_erased = Signal()

# member (a Member); sent by members.services.member_export. Each receiver returns a dict of
# export sections, {"section name": JSON-able data}, which the export merges into data.json.
# Sections the export's human-readable summary knows: wallet, ledger, stamps, vouchers,
# visits, refused_scans (rewards) and referrals (referrals). A receiver never puts another
# member's name, contact or number into a section.
member_exporting = Signal()

# member (a Member, locked, still with its personal data), personal (tuple of str: the values
# that identify the person, see members.services.gdpr.personal_values); sent by
# members.services.member_erase *inside* its transaction, before the member's own rows are
# scrubbed, so that each app pseudonymises its rows atomically with the rest: an error in a
# receiver rolls the whole erasure back. Receivers only write rows (no mail, no tasks), keep
# rows that accounting and the figures count (ledger, visits, vouchers, referrals), and
# remove what identifies the person.
member_erasing = Signal()

# club (the Club); sent when the privacy page is drawn. Each receiver returns a list of purposes, each a dict
# {"title", "data", "why", "basis", "kept"} of translated strings (see templates/members/
# privacy.html): what the app collects, why, on which legal basis, and for how long.
privacy_purposes = Signal()

"""What the members app tells the apps above it. Sent after the transaction commits, so a
receiver never sees (or acts on) a change that is rolled back. Receivers call services."""

from django.dispatch import Signal

# member_id
member_joined = Signal()
# member_id; sent when a member saves their profile (birthday, postcode, interests, names)
profile_updated = Signal()

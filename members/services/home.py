"""A member's home shop (Member.home_location): where they joined, or else where they were
first seen. The till and the POS API call `home_shop_settle` on every visit and purchase;
only the first one at a shop of a member with no home shop writes anything."""

from __future__ import annotations

from members.models import Location, Member


def home_shop_settle(member: Member, location: Location | None) -> None:
    """Make `location` the member's home shop if they have none yet. The condition is in the
    UPDATE too: of two first visits at once, at two shops, the first to commit wins."""
    if location is None or member.home_location_id is not None:
        return
    if Member.objects.filter(pk=member.pk, home_location=None).update(home_location=location):
        member.home_location = location

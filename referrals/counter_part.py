"""The referrals' section of the till's member panel (rewards.registry), registered in
ReferralsConfig.ready(): who invited the member, or a field for a friend's code."""

import time

from django.db.models.signals import post_delete, post_save

from referrals import selectors
from referrals.models import ReferralProgram
from rewards.registry import PanelSection, counter_panel_sections

# Whether the programme is on, as this process last read it, and when (monotonic seconds).
# The counter panel asks after every action at the till; the programme changes a few times
# a year. Reading it each time (a get_or_create through the ORM) cost about a seventh of a
# till's purchase, so each process keeps its answer for LOCAL_SECONDS, as rewards.config
# keeps the wallet's settings: switching the programme in admin reaches every till within
# that time, and this process at once (the receivers below).
LOCAL_SECONDS = 5
_local: tuple[float, bool] | None = None


def programme_active() -> bool:
    global _local
    now = time.monotonic()
    if _local is None or now - _local[0] >= LOCAL_SECONDS:
        _local = (now, ReferralProgram.load().is_active)  # one assignment: threads see old or new
    return _local[1]


def forget(**kwargs) -> None:
    global _local
    _local = None


# The copy exists only once this module is loaded, so connecting here covers it.
post_save.connect(forget, sender=ReferralProgram, dispatch_uid="referrals.counter_part.programme.save")
post_delete.connect(forget, sender=ReferralProgram, dispatch_uid="referrals.counter_part.programme.delete")


def referral_section(member):
    """What the counter panel shows about referrals for `member`: who invited them (if
    anyone), or nothing while the programme is off. No query while it is off (from this
    process's copy); one when it is on."""
    if not programme_active():
        return None
    return {"invited_by": selectors.invited_by(member)}


def register() -> None:
    counter_panel_sections.register(
        PanelSection(template="referrals/counter_panel.html", context=referral_section)
    )

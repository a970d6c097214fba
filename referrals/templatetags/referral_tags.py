from django import template

from referrals import selectors
from referrals.models import ReferralProgram

register = template.Library()


@register.simple_tag
def referral_counter(member):
    """What the counter panel shows about referrals for `member`: whether the programme is
    on, and who invited them (if anyone). Two queries; none more when the programme is off."""
    program = ReferralProgram.load()
    invited = selectors.invited_by(member) if program.is_active else None
    return {"active": program.is_active, "invited_by": invited}
